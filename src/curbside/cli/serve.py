"""``curbside serve`` (the web app) and ``curbside bench load`` (its load benchmark)."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

import typer

from curbside.cli.common import (
    LIBRARY_OPTION,
    console,
    err_console,
    fail,
    open_library,
    require_extra,
)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Defaults of the ask pool (as in ``curbside.web.asking``, not imported: it pulls FastAPI).
ASK_THREADS = 2
ASK_QUEUE = 32


class AskMode(StrEnum):
    """How the web app runs its ask workers."""

    process = "process"
    thread = "thread"


def allowed_hosts_for(host: str) -> list[str] | None:
    """Host headers to accept: loopback names for a loopback server (blocks DNS rebinding)."""
    if host in LOOPBACK:
        return ["127.0.0.1", "localhost", "[::1]"]
    return None


def check_cds_options(host: str, trust: Path | None, dev: bool) -> None:
    """Load the CDS trust file now (a bad one stops start-up) and announce ``--cds-dev``."""
    if trust is not None:
        try:
            from curbside.clinical.trust import load_trust
        except ModuleNotFoundError as err:
            raise fail("--cds-trust needs the cds extra: pip install 'curbside[cds]'", 2) from err
        from curbside.errors import CurbsideError

        try:
            config = load_trust(trust)
        except CurbsideError as err:
            raise fail(str(err), 2) from err
        console.print(f"CDS Hooks: {len(config.issuers)} trusted EHR issuer(s) from {trust}")
    if dev:
        err_console.print(
            "[bold red]WARNING: --cds-dev: CDS Hooks calls WITHOUT a signed JWT are accepted"
            " from loopback clients. Never use this with real patient data, nor behind a"
            " reverse proxy on this host.[/bold red]"
        )
        if host not in LOOPBACK:
            err_console.print(
                f"[bold red]WARNING: listening on {host}; only loopback clients may skip the"
                " JWT, all others must still sign.[/bold red]"
            )


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app`` and ``load`` to its ``bench`` group."""
    from curbside.cli.app import bench_app

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
        port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
        library: Path | None = LIBRARY_OPTION,
        workers: int = typer.Option(
            1, min=1, max=64, help="Server processes (each with its own ask pool)."
        ),
        ask_threads: int = typer.Option(
            ASK_THREADS, min=1, max=32, help="Workers answering questions, per server process."
        ),
        ask_mode: AskMode = typer.Option(
            AskMode.process,
            case_sensitive=False,
            help="Ask workers as child processes (lower CPU priority, keeps reviewers fast)"
            " or threads.",
        ),
        ask_queue: int = typer.Option(
            ASK_QUEUE,
            min=0,
            max=1024,
            help="Questions that may wait per process; beyond that, 503 with Retry-After.",
        ),
        secure_cookies: bool | None = typer.Option(
            None,
            "--secure-cookies/--no-secure-cookies",
            help="Force the cookies' Secure flag on or off (default: on only over HTTPS).",
        ),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Log warnings only."),
        cds_trust: Path | None = typer.Option(
            None,
            "--cds-trust",
            dir_okay=False,
            help="CDS Hooks trust file: the EHRs (iss) allowed to call and their public keys.",
        ),
        cds_dev: bool = typer.Option(
            False,
            "--cds-dev",
            help="Development only: accept unsigned CDS Hooks calls from loopback clients.",
        ),
    ) -> None:
        """Serve the web app: ask, read, browse the library, review articles."""
        require_extra("web", "curbside serve")
        import uvicorn

        from curbside.cli.common import settings_or_exit, sync_indexes
        from curbside.web import app as web

        settings = settings_or_exit(library=library)
        check_cds_options(host, cds_trust, cds_dev)
        lib = open_library(settings.library, bootstrap=True)
        try:
            # Index what was ingested since the last sync, before the first question.
            sync_indexes(lib, dense=settings.dense)
        finally:
            lib.close()
        hosts = allowed_hosts_for(host)
        os.environ[web.ENV_LIBRARY] = str(settings.library)
        os.environ[web.ENV_DENSE] = "1" if settings.dense else "0"
        os.environ[web.ENV_SECURE] = "" if secure_cookies is None else str(int(secure_cookies))
        os.environ[web.ENV_HOSTS] = ",".join(hosts or [])
        os.environ[web.ENV_WARM] = "1"
        os.environ[web.ENV_TWO_PERSON] = "1" if settings.two_person_rule else "0"
        os.environ[web.ENV_ASK_THREADS] = str(ask_threads)
        os.environ[web.ENV_ASK_QUEUE] = str(ask_queue)
        os.environ[web.ENV_ASK_MODE] = ask_mode.value
        os.environ[web.ENV_CDS_TRUST] = str(cds_trust.resolve()) if cds_trust else ""
        os.environ[web.ENV_CDS_DEV] = "1" if cds_dev else "0"
        if not quiet:
            shown = f"[{host}]" if ":" in host else host
            console.print(f"curbside at http://{shown}:{port}/  (library {settings.library})")
        uvicorn.run(
            "curbside.web.app:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning" if quiet else "info",
            access_log=not quiet,
            server_header=False,
        )

    @bench_app.command("load")
    def bench_load(
        library: Path | None = LIBRARY_OPTION,
        clients: int = typer.Option(8, min=1, max=256, help="Concurrent clients."),
        requests: int = typer.Option(400, min=1, help="At most this many requests per phase."),
        seconds: float = typer.Option(20.0, min=1.0, help="At most this long per phase."),
        workers: int = typer.Option(1, min=1, max=64, help="Server processes."),
        questions: Path | None = typer.Option(
            None, exists=True, dir_okay=False, help="Questions to ask, one per line."
        ),
        review: bool = typer.Option(
            True,
            "--review/--no-review",
            help="Add a phase with two reviewers racing on one article.",
        ),
        review_seconds: float | None = typer.Option(
            None, min=1.0, help="Also run a separate ask+review phase this long (e.g. 300)."
        ),
    ) -> None:
        """Requests/s and p50/p95/p99 of asking, an article page and review actions under load."""
        require_extra("web", "curbside bench load")
        from curbside.bench.load import DEFAULT_QUESTIONS, run_load_benchmark
        from curbside.cli.common import settings_or_exit

        asked = DEFAULT_QUESTIONS
        if questions is not None:
            lines = questions.read_text(encoding="utf-8").splitlines()
            asked = tuple(q.strip() for q in lines if q.strip())
            if not asked:
                raise fail(f"{questions}: no questions in the file")
        path = settings_or_exit(library=library).library
        try:
            report = run_load_benchmark(
                path,
                clients=clients,
                max_requests=requests,
                seconds=seconds,
                workers=workers,
                questions=asked,
                review=review,
                review_seconds=review_seconds,
            )
        except (FileNotFoundError, RuntimeError) as err:
            raise fail(str(err)) from err
        console.print(report.as_markdown())

    @bench_app.command("cds")
    def bench_cds(
        library: Path | None = LIBRARY_OPTION,
        clients: int = typer.Option(8, min=1, max=256, help="Concurrent EHR clients."),
        requests: int = typer.Option(200, min=1, help="At most this many calls."),
        seconds: float = typer.Option(20.0, min=1.0, help="At most this long."),
    ) -> None:
        """Latency of signed CDS Hooks patient-view calls under concurrent clients."""
        try:
            from curbside.bench.cds import run_cds_benchmark
        except ModuleNotFoundError as err:
            raise fail("bench cds needs the cds extra: pip install 'curbside[cds]'", 2) from err
        from curbside.settings import load_settings

        path = load_settings(library=library).library
        try:
            report = run_cds_benchmark(
                path, clients=clients, max_requests=requests, seconds=seconds
            )
        except (FileNotFoundError, RuntimeError) as err:
            raise fail(str(err)) from err
        console.print(report.as_markdown())
