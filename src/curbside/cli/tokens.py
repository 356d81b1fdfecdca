"""``curbside tokens``: API tokens for machine clients (``Authorization: Bearer``)."""

from __future__ import annotations

from pathlib import Path

import typer

from curbside.cli.common import LIBRARY_OPTION, console, err_console, fail, open_library

tokens_app = typer.Typer(
    help="API tokens for machine clients: scoped, stored hashed, revocable.",
    no_args_is_help=True,
)


@tokens_app.command("add")
def add(
    name: str = typer.Argument(..., help="A name for the client (letters, digits, . _ -)."),
    scope: list[str] = typer.Option(
        ["ask"], "--scope", "-s", help="ask (questions, FHIR export) or read; repeat for both."
    ),
    library: Path | None = LIBRARY_OPTION,
) -> None:
    """Make a token and print it once (only its hash is stored)."""
    from curbside.store.tokens import TokenError, add_token

    lib = open_library(library)
    try:
        secret, token = add_token(lib, name, scope)
    except TokenError as err:
        raise fail(str(err), 2) from err
    finally:
        lib.close()
    err_console.print(
        f"token {token.name!r} with scope {', '.join(token.scopes)}; shown once, store it now:"
    )
    typer.echo(secret)


@tokens_app.command("list")
def list_(library: Path | None = LIBRARY_OPTION) -> None:
    """Every token: name, prefix, scopes, created, last used, revoked."""
    from rich.table import Table

    from curbside.store.tokens import list_tokens

    lib = open_library(library)
    try:
        tokens = list_tokens(lib)
    finally:
        lib.close()
    table = Table("name", "prefix", "scopes", "created", "last used", "state")
    for t in tokens:
        state = "active" if t.active else f"revoked {t.revoked_at}"
        table.add_row(
            t.name,
            f"cst_{t.prefix}_…",
            " ".join(t.scopes),
            t.created_at,
            t.last_used_at or "—",
            state,
        )
    console.print(table)
    console.print(f"{len(tokens)} token(s)")


@tokens_app.command("revoke")
def revoke(
    name: str = typer.Argument(..., help="The token's name."),
    library: Path | None = LIBRARY_OPTION,
) -> None:
    """Stop accepting a token at once."""
    from curbside.store.tokens import TokenError, revoke_token

    lib = open_library(library)
    try:
        token = revoke_token(lib, name)
    except TokenError as err:
        raise fail(str(err), 2) from err
    finally:
        lib.close()
    console.print(f"revoked {token.name!r} at {token.revoked_at}")
