"""Documentation stays true: every command and setting is documented, the README's two commands exist."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import typer

from curbside.cli import app
from curbside.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"
README = Path(__file__).resolve().parents[1] / "README.md"


def _command_paths(group: typer.Typer, prefix: str = "curbside") -> list[str]:
    paths = []
    for command in group.registered_commands:
        name = command.name or (
            command.callback.__name__.replace("_", "-") if command.callback else ""
        )
        paths.append(f"{prefix} {name}")
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        paths.extend(_command_paths(sub.typer_instance, f"{prefix} {sub.name}"))
    return paths


def test_every_command_is_documented() -> None:
    cli_doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    commands = _command_paths(app)
    assert len(commands) >= 12
    undocumented = [
        c for c in commands if f"`{c}" not in cli_doc and f"{c.split(' ', 1)[1]}" not in cli_doc
    ]
    assert undocumented == []


def test_every_setting_is_documented() -> None:
    config_doc = (DOCS / "configuration.md").read_text(encoding="utf-8")
    for field in fields(Settings):
        assert f"`{field.name}`" in config_doc, field.name
        assert f"CURBSIDE_{field.name.upper()}" in config_doc, field.name


def test_readme_quickstart_is_the_two_make_targets() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    makefile = (README.parent / "Makefile").read_text(encoding="utf-8")
    assert "\ndemo:" in makefile and "\ntest:" in makefile
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def _options(command: object, path: str = "curbside") -> dict[str, list[str]]:
    """Every command path and its long options, read from the real Typer command tree."""
    subs = getattr(command, "commands", None)
    if subs:
        out: dict[str, list[str]] = {}
        for name, sub in subs.items():
            out.update(_options(sub, f"{path} {name}"))
        return out
    params = getattr(command, "params", [])
    return {path: [o for p in params for o in getattr(p, "opts", []) if o.startswith("--")]}


def test_every_option_of_every_command_is_documented() -> None:
    cli_doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = [
        f"{path} {option}"
        for path, options in _options(typer.main.get_command(app)).items()
        for option in options
        if option != "--help" and f"{option}" not in cli_doc
    ]
    assert missing == []


def test_documented_choices_are_the_accepted_ones() -> None:
    from curbside.cli.app import TIER_CHOICES
    from curbside.cli.ask import _AUDIENCES, _DETAILS, _FORMATS

    cli_doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    for option, choices in (
        ("--tier", TIER_CHOICES),
        ("--audience", _AUDIENCES),
        ("--format", _FORMATS),
        ("--detail", _DETAILS),
    ):
        assert f"{option} {'|'.join(choices)}" in cli_doc, option


def test_version_and_completion_are_documented() -> None:
    cli_doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    top = [o for p in typer.main.get_command(app).params for o in p.opts]
    assert "--version" in top and "--install-completion" in top
    assert "curbside --version" in cli_doc and "--install-completion" in cli_doc
