"""The core install works without the ``dense`` and ``web`` extras.

A fresh venv per test would take minutes, so each case runs the real CLI in a subprocess
whose ``sitecustomize`` (on ``PYTHONPATH``) refuses to import the extras' packages, as if
they were not installed. The library is a small document written here: a fictional drug,
labelled as such.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

#: Import names of what the ``dense`` and ``web`` extras install (pydantic is not one:
#: typer needs it, so the core has it).
BLOCKED = "onnxruntime,onnx,tokenizers,fastapi,starlette,uvicorn,jinja2,multipart,argon2"

#: Makes every blocked top-level package look absent (ModuleNotFoundError, as pip leaves it).
BLOCKER = """\
import os
import sys

_BLOCKED = frozenset(filter(None, os.environ.get("CURBSIDE_TEST_BLOCK", "").split(",")))


class _Absent:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in _BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _Absent())
"""

#: A synthetic source about an invented drug; no real product, dose or study.
DOCUMENT = """\
---
title: Zorvalimab (fictional drug, test fixture) prescribing notes
tier: label
---

# Dosage and administration

The recommended dose of zorvalimab is 40 mg given by mouth once daily with food.
Zorvalimab is a fictional drug invented for this test; none of these values are real.

# Warnings

Patients taking zorvalimab should have their liver function checked every month.
"""


@pytest.fixture
def core_only(tmp_path: Path) -> dict[str, str]:
    """An environment in which the extras' packages cannot be imported."""
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CURBSIDE_")}
    env |= {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(blocker), env.get("PYTHONPATH")])),
        "CURBSIDE_TEST_BLOCK": BLOCKED,
        "CURBSIDE_LIBRARY": str(tmp_path / "library.db"),
        "CURBSIDE_CACHE_DIR": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "COLUMNS": "200",
    }
    return env


def _curbside(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "curbside", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_the_blocker_really_hides_the_extras(core_only: dict[str, str]) -> None:
    for name in BLOCKED.split(","):
        done = subprocess.run(
            [sys.executable, "-c", f"import {name}"],
            capture_output=True,
            text=True,
            env=core_only,
            timeout=60,
        )
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, name


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["serve"], "curbside serve"),
        (["bench", "load", "--seconds", "1"], "curbside bench load"),
        (["users", "list"], "curbside users"),
    ],
)
def test_web_commands_name_the_extra_in_one_line(
    core_only: dict[str, str], args: list[str], what: str
) -> None:
    done = _curbside(core_only, *args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    [line] = _lines(done.stderr)
    assert what in line and "pip install 'curbside[web]'" in line


def test_ingest_and_ask_run_lexical_only_and_say_so_once(
    core_only: dict[str, str], tmp_path: Path
) -> None:
    doc = tmp_path / "zorvalimab.md"
    doc.write_text(DOCUMENT, encoding="utf-8")

    ingested = _curbside(core_only, "ingest", str(doc))
    assert ingested.returncode == 0, ingested.stderr
    assert "Traceback" not in ingested.stderr
    assert "1 added" in ingested.stdout
    notices = [line for line in ingested.stderr.splitlines() if "dense retrieval" in line]
    assert len(notices) == 1
    assert "lexical" in notices[0] and "pip install 'curbside[dense]'" in notices[0]

    asked = _curbside(core_only, "ask", "What is the dose of zorvalimab?", "--format", "json")
    assert asked.returncode == 0, asked.stderr
    assert "Traceback" not in asked.stderr
    assert "40 mg" in asked.stdout
    notices = [line for line in asked.stderr.splitlines() if "dense retrieval" in line]
    assert len(notices) == 1 and "curbside[dense]" in notices[0]


def test_every_other_command_starts(core_only: dict[str, str]) -> None:
    for args in (["--version"], ["--help"], ["sources"], ["tokens", "list"]):
        done = _curbside(core_only, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_public_api_imports_without_the_extras(core_only: dict[str, str]) -> None:
    code = (
        "import curbside\nfor name in curbside.__all__:\n    getattr(curbside, name)\nprint('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=core_only, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
