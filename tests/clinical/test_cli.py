"""``curbside tokens`` and the CDS options of ``curbside serve``."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from curbside.cli import app
from curbside.cli.serve import check_cds_options
from curbside.store import Library
from curbside.store.tokens import verify_token

runner = CliRunner()


def test_tokens_add_list_revoke(tmp_path: Path) -> None:
    db = str(tmp_path / "library.db")
    made = runner.invoke(app, ["tokens", "add", "ehr-bridge", "--scope", "ask", "-L", db])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    lib = Library.open(Path(db))
    assert verify_token(lib, secret).scopes == ("ask",)
    lib.close()
    listed = runner.invoke(app, ["tokens", "list", "-L", db])
    assert "ehr-bridge" in listed.stdout and "active" in listed.stdout
    assert secret not in listed.stdout
    revoked = runner.invoke(app, ["tokens", "revoke", "ehr-bridge", "-L", db])
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    again = runner.invoke(app, ["tokens", "revoke", "ehr-bridge", "-L", db])
    assert again.exit_code == 2 and "already revoked" in again.output
    assert "Traceback" not in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tokens", "add", "bad name"], "token name"),
        (["tokens", "add", "x", "--scope", "root"], "unknown scope"),
        (["tokens", "revoke", "nobody"], "no token named"),
    ],
)
def test_token_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "-L", str(tmp_path / "library.db")])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_cds_dev_says_so_loudly(capsys: pytest.CaptureFixture[str]) -> None:
    check_cds_options("127.0.0.1", None, dev=True)
    assert "WARNING: --cds-dev" in capsys.readouterr().err


def test_a_bad_trust_file_stops_serve(tmp_path: Path) -> None:
    trust = tmp_path / "trust.toml"
    trust.write_text("[[issuer]]\niss = 'x'\n", encoding="utf-8")
    with pytest.raises(typer.Exit) as info:
        check_cds_options("127.0.0.1", trust, dev=False)
    assert info.value.exit_code == 2
