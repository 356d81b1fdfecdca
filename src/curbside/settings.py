"""Typed settings: defaults < config file < environment < command-line flags.

The config file is TOML at ``$CURBSIDE_CONFIG`` or ``~/.config/curbside/config.toml``;
environment variables are ``CURBSIDE_<NAME>`` (e.g. ``CURBSIDE_LIBRARY``). Unknown keys
in the file are an error, so a typo never silently does nothing.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from curbside.errors import CurbsideError
from curbside.models import AUDIENCES


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


@dataclass(frozen=True)
class Settings:
    """Every user-tunable setting, with its default."""

    #: The library database file.
    library: Path = _data_home() / "curbside" / "library.db"
    #: Use the dense (embedding) retriever alongside lexical search.
    dense: bool = True
    #: Files larger than this many bytes are refused at ingest.
    max_file_bytes: int = 200 * 1024 * 1024
    #: Default audience for answers: clinician, nurse, student or patient.
    audience: str = "clinician"
    #: Folder of the bundled evidence library used to build an empty library.
    bundled_library: Path | None = None
    #: Extra vocabulary files for query expansion (MeSH descriptor TSV, synonym lists, lexicon YAML).
    vocab: tuple[Path, ...] = ()
    #: Lexical index backend, by registered name (tantivy, memory, ray).
    index_backend: str = "tantivy"
    #: Vector index backend, by registered name (exact, ann).
    vector_backend: str = "exact"
    #: Seconds a reader may spend on one file (for a streaming file, per batch of 32 records); 0 = no limit.
    reader_timeout_seconds: float = 120.0
    #: Megabytes of memory a reader may use for one file; 0 = no limit.
    reader_memory_mb: int = 2048
    #: Article approval needs a reviewer other than the version's author and the review's starter.
    two_person_rule: bool = True
    #: Base URL of an OpenAI-compatible server for the llm generator (empty: none).
    llm_base_url: str = ""
    #: Model name sent to the LLM server.
    llm_model: str = ""
    #: API key for the LLM server (never shown or logged).
    llm_api_key: str = field(default="", repr=False)
    #: Seconds to wait for the LLM server before falling back to the quoted answer.
    llm_timeout: float = 60.0
    #: Ask the LLM server for schema-constrained JSON (response_format); off for servers that reject it.
    llm_structured: bool = True
    #: Passages put in the LLM prompt (fewer suit a small model's context window).
    llm_max_passages: int = 8
    #: Most tokens the LLM may write for one answer.
    llm_max_tokens: int = 700

    @staticmethod
    def help() -> dict[str, str]:
        """Each setting's name and the comment that documents it."""
        return {
            "library": "The library database file.",
            "dense": "Use the dense (embedding) retriever alongside lexical search.",
            "max_file_bytes": "Files larger than this many bytes are refused at ingest.",
            "audience": "Default audience for answers: clinician, nurse, student or patient.",
            "bundled_library": "Folder of the bundled evidence library used to build an empty library.",
            "vocab": "Extra vocabulary files for query expansion (MeSH descriptor TSV, synonym lists, lexicon YAML).",
            "index_backend": "Lexical index backend, by registered name (tantivy, memory, ray).",
            "vector_backend": "Vector index backend, by registered name (exact, ann).",
            "reader_timeout_seconds": "Seconds a reader may spend on one file (for a streaming file, per batch of 32 records); 0 = no limit.",
            "reader_memory_mb": "Megabytes of memory a reader may use for one file; 0 = no limit.",
            "two_person_rule": "Article approval needs a reviewer other than the version's author and the review's starter.",
            "llm_base_url": "Base URL of an OpenAI-compatible server for the llm generator (empty: none).",
            "llm_model": "Model name sent to the LLM server.",
            "llm_api_key": "API key for the LLM server (never shown or logged).",
            "llm_timeout": "Seconds to wait for the LLM server before falling back to the quoted answer.",
            "llm_structured": "Ask the LLM server for schema-constrained JSON (response_format); off for servers that reject it.",
            "llm_max_passages": "Passages put in the LLM prompt (fewer suit a small model's context window).",
            "llm_max_tokens": "Most tokens the LLM may write for one answer.",
        }


def _coerce(name: str, value: Any) -> Any:
    """Convert a raw value from TOML or the environment to the field's type."""
    if name in {"library", "bundled_library"}:
        return Path(str(value)).expanduser()
    if name == "vocab":
        items = value if isinstance(value, list | tuple) else str(value).split(os.pathsep)
        return tuple(Path(str(v)).expanduser() for v in items if str(v).strip())
    if name in {"dense", "two_person_rule"}:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise CurbsideError(f"setting {name}: expected true or false, got {_shown(value)}")
    if name == "max_file_bytes":
        try:
            return int(value)
        except (TypeError, ValueError) as err:
            raise CurbsideError(
                f"setting max_file_bytes: expected a whole number, got {_shown(value)}"
            ) from err
    if name in {"reader_timeout_seconds", "reader_memory_mb"}:
        kind = float if name == "reader_timeout_seconds" else int
        try:
            number = kind(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            raise CurbsideError(
                f"setting {name}: expected a number of at least 0 (0 = no limit), got {value!r}"
            )
        return number
    if name == "audience" and str(value) not in AUDIENCES:
        raise CurbsideError(
            f"setting audience: expected one of {', '.join(AUDIENCES)}, got {_shown(value)}"
        )
    if name == "llm_structured":
        if isinstance(value, bool):
            return value
        flag = str(value).strip().lower()
        if flag in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
            return flag in {"1", "true", "yes", "on"}
        raise CurbsideError(f"setting llm_structured: expected true or false, got {_shown(value)}")
    if name in {"llm_max_passages", "llm_max_tokens"}:
        top = 50 if name == "llm_max_passages" else 32_768
        try:
            count = int(value)
        except (TypeError, ValueError):
            count = 0
        if not 1 <= count <= top:
            raise CurbsideError(
                f"setting {name}: expected a whole number from 1 to {top}, got {_shown(value)}"
            )
        return count
    if name == "llm_timeout":
        try:
            return float(value)
        except ValueError as err:
            raise CurbsideError(f"setting llm_timeout: expected seconds, got {value!r}") from err
    return str(value)


def _shown(value: Any) -> str:
    """A setting's bad value for an error line: quoted and clipped."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def load_settings(**overrides: Any) -> Settings:
    """Resolve settings from every layer; ``overrides`` (CLI flags) win when not None."""
    settings = Settings()
    names = {f.name for f in fields(Settings)}
    config = Path(os.environ.get("CURBSIDE_CONFIG") or _config_home() / "curbside" / "config.toml")
    if config.is_file():
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise CurbsideError(f"{config}: invalid TOML ({str(err).splitlines()[0]})") from err
        unknown = set(data) - names
        if unknown:
            raise CurbsideError(
                f"{config}: unknown setting(s) {', '.join(sorted(unknown))};"
                f" accepted: {', '.join(sorted(names))}"
            )
        try:
            settings = replace(settings, **{k: _coerce(k, v) for k, v in data.items()})
        except CurbsideError as err:
            raise CurbsideError(f"{config}: {err}") from err
    env = {
        n: os.environ[f"CURBSIDE_{n.upper()}"]
        for n in names
        if f"CURBSIDE_{n.upper()}" in os.environ
    }
    for key, raw in env.items():
        try:
            settings = replace(settings, **{key: _coerce(key, raw)})
        except CurbsideError as err:
            raise CurbsideError(f"environment variable CURBSIDE_{key.upper()}: {err}") from err
    flags = {k: _coerce(k, v) for k, v in overrides.items() if v is not None}
    return replace(settings, **flags)


def bundled_library_dir(settings: Settings) -> Path | None:
    """The bundled evidence library folder, if this installation has one."""
    if settings.bundled_library is not None:
        return settings.bundled_library if settings.bundled_library.is_dir() else None
    # In a source checkout (the README's install), the library sits at the repository root.
    candidate = Path(__file__).resolve().parents[2] / "library"
    return candidate if candidate.is_dir() else None
