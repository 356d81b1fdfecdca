"""Bad configuration is answered with one line naming the setting, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(tmp_path: Path, extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CURBSIDE_")}
    env |= {"XDG_CONFIG_HOME": str(tmp_path / "config"), **extra_env}
    return subprocess.run(
        [sys.executable, "-m", "curbside", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("config", "env", "expected"),
    [
        ("libary = 'typo.db'\n", {}, ["libary", "accepted", "library"]),
        ("dense = 'maybe'\n", {}, ["dense", "true or false"]),
        ("audience = 'robot'\n", {}, ["audience", "clinician, nurse, student, patient"]),
        ("[[not toml", {}, ["invalid TOML"]),
        ("", {"CURBSIDE_DENSE": "perhaps"}, ["CURBSIDE_DENSE", "true or false"]),
        ("", {"CURBSIDE_MAX_FILE_BYTES": "lots"}, ["CURBSIDE_MAX_FILE_BYTES", "whole number"]),
        ("", {"CURBSIDE_TWO_PERSON_RULE": "sometimes"}, ["two_person_rule", "true or false"]),
    ],
)
def test_bad_setting_is_one_line(
    tmp_path: Path, config: str, env: dict[str, str], expected: list[str]
) -> None:
    file = tmp_path / "config.toml"
    file.write_text(config, encoding="utf-8")
    for command in (["sources", "-L", str(tmp_path / "lib.db")], ["users", "list"]):
        done = _run(tmp_path, {"CURBSIDE_CONFIG": str(file), **env}, *command)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert done.returncode == 2, (command, done.stderr)
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        for word in expected:
            assert word in lines[0], (word, lines[0])
