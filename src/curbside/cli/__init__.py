"""The ``curbside`` command line. Thin: parse arguments, call the pipeline, render.

Command modules register themselves on the shared Typer apps; heavy imports stay inside
command bodies so ``curbside --help`` and ``curbside ask`` start fast.
"""

from __future__ import annotations

import importlib

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

    try:
        app()
    except CurbsideError as err:
        from curbside.cli.common import fail

        raise SystemExit(fail(str(err), code=2).exit_code) from None


__all__ = ["app", "main"]
