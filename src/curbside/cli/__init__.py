"""The ``curbside`` command line. Thin: parse arguments, call the pipeline, render.

Command modules register themselves on the shared Typer apps; heavy imports stay inside
command bodies so ``curbside --help`` and ``curbside ask`` start fast.
"""

from __future__ import annotations

import importlib
import logging
import sys

from curbside.cli.app import app, bench_app, eval_app

# Optional command modules: (module, registration function signature kind).
_COMMAND_MODULES = ("ask", "bench_retrieval", "serve", "users", "bench_llm", "bench_scale")


def _register_commands() -> None:
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(f"curbside.cli.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"curbside.cli.{name}":
                raise
            continue
        register = module.register
        if name == "ask":
            register(app, eval_app, bench_app)
        elif name in ("bench_retrieval", "bench_llm", "bench_scale"):
            register(bench_app)
        else:
            register(app)


_register_commands()


def main() -> None:
    """Entry point of the ``curbside`` console script.

    A bad setting met anywhere (config file, ``CURBSIDE_*``) ends with one line, not a
    traceback; commands that resolve settings through ``cli.common`` already do so.
    """
    from curbside.errors import CurbsideError

    _show_warnings()
    try:
        app()
    except CurbsideError as err:
        from curbside.cli.common import fail

        raise SystemExit(fail(str(err), code=2).exit_code) from None


def _show_warnings() -> None:
    """Print curbside's warnings (dense retrieval off, a reader disabled) as plain lines.

    Each is logged once per process by the module that knows the reason; a handler
    here makes that one line on stderr, with no logger name or level in front of it.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger("curbside").addHandler(handler)


__all__ = ["app", "main"]
