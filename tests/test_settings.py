"""Settings layers: defaults < config file < environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.errors import CurbsideError
from curbside.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("CURBSIDE_LIBRARY", "CURBSIDE_DENSE", "CURBSIDE_CONFIG", "CURBSIDE_AUDIENCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_layers_override_in_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('library = "/from/file.db"\ndense = false\naudience = "nurse"\n')
    monkeypatch.setenv("CURBSIDE_CONFIG", str(config))
    assert load_settings().library == Path("/from/file.db")
    monkeypatch.setenv("CURBSIDE_LIBRARY", "/from/env.db")
    settings = load_settings()
    assert (settings.library, settings.dense, settings.audience) == (
        Path("/from/env.db"),
        False,
        "nurse",
    )
    assert load_settings(library=Path("/from/flag.db")).library == Path("/from/flag.db")


def test_unknown_key_in_config_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("libary = 'typo'\n")
    monkeypatch.setenv("CURBSIDE_CONFIG", str(config))
    with pytest.raises(CurbsideError, match="libary"):
        load_settings()


def test_bad_boolean_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURBSIDE_DENSE", "perhaps")
    with pytest.raises(CurbsideError, match="dense"):
        load_settings()


def test_every_setting_is_documented() -> None:
    from dataclasses import fields

    assert set(Settings.help()) == {f.name for f in fields(Settings)}
