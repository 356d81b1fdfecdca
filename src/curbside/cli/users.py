"""``curbside users``: manage reviewer and admin accounts from the command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from curbside.cli.common import LIBRARY_OPTION, console, fail, open_library, require_extra

if TYPE_CHECKING:
    from curbside.store import Library


def _run(library: Path | None, action: Callable[[Library], object]) -> None:
    """Run ``action`` on the library; an editorial error becomes a one-line exit 1."""
    from curbside.errors import ReviewError

    lib = open_library(library)
    try:
        action(lib)
    except ReviewError as err:
        raise fail(str(err)) from err
    finally:
        lib.close()


#: Where a password comes from when no terminal can prompt for it.
PASSWORD_ENV = "CURBSIDE_NEW_PASSWORD"


def new_password() -> str:
    """The new password: from ``$CURBSIDE_NEW_PASSWORD``, else prompted twice on a terminal.

    Never from a command-line option, which would leave it in ``ps`` output and shell
    history. Without a terminal and without the variable, exits with one line saying so.
    """
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        raise fail(f"no terminal to prompt for the password: set {PASSWORD_ENV}", code=2)
    entered: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return entered


def register(app: typer.Typer) -> None:
    """Add the ``users`` command group to ``app``."""
    users = typer.Typer(help="Manage reviewer and admin accounts.", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.callback()
    def _needs_web() -> None:
        # Accounts sign in to the web app; their password hashes need argon2 (web extra).
        require_extra("web", "curbside users", ("argon2",))

    @users.command("add")
    def add(
        username: str = typer.Argument(...),
        role: str = typer.Option("reviewer", help="reviewer or admin"),
        library: Path | None = LIBRARY_OPTION,
    ) -> None:
        """Create an account (the password is prompted for, or read from $CURBSIDE_NEW_PASSWORD)."""
        from curbside.review.accounts import ROLES, add_user

        if role not in ROLES:
            # Before the prompt: nobody should type a password twice to learn of a typo.
            raise fail(f"--role must be one of {', '.join(ROLES)}, not {role!r}", code=2)
        password = new_password()
        _run(library, lambda lib: add_user(lib, username, password, role))  # type: ignore[arg-type]
        console.print(f"added {username} ({role})")

    @users.command("remove")
    def remove(username: str = typer.Argument(...), library: Path | None = LIBRARY_OPTION) -> None:
        """Delete an account and end its sessions."""
        from curbside.review.accounts import remove_user

        _run(library, lambda lib: remove_user(lib, username))
        console.print(f"removed {username}")

    @users.command("passwd")
    def passwd(
        username: str = typer.Argument(...),
        library: Path | None = LIBRARY_OPTION,
    ) -> None:
        """Change a password (prompted for, or read from $CURBSIDE_NEW_PASSWORD); ends sessions."""
        from curbside.review.accounts import set_password

        password = new_password()
        _run(library, lambda lib: set_password(lib, username, password))
        console.print(f"password changed for {username}")

    @users.command("list")
    def list_(library: Path | None = LIBRARY_OPTION) -> None:
        """List accounts."""
        from curbside.review.accounts import list_users

        lib = open_library(library)
        try:
            for user in list_users(lib):
                typer.echo(f"{user.username}\t{user.role}")
        finally:
            lib.close()
