"""``curbside users``: manage reviewer and admin accounts from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from curbside.cli.common import LIBRARY_OPTION, console, fail, open_library


def register(app: typer.Typer) -> None:
    """Add the ``users`` command group to ``app``."""
    users = typer.Typer(help="Manage reviewer and admin accounts.", no_args_is_help=True)
    app.add_typer(users, name="users")

    @users.command("add")
    def add(
        username: str = typer.Argument(...),
        role: str = typer.Option("reviewer", help="reviewer or admin"),
        password: str = typer.Option(
            ...,
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="CURBSIDE_NEW_PASSWORD",
        ),
        library: Path | None = LIBRARY_OPTION,
    ) -> None:
        """Create an account."""
        from curbside.errors import ReviewError
        from curbside.review.accounts import add_user

        lib = open_library(library)
        try:
            user = add_user(lib, username, password, role)  # type: ignore[arg-type]
        except ReviewError as err:
            raise fail(str(err)) from err
        finally:
            lib.close()
        console.print(f"added {user.username} ({user.role})")

    @users.command("remove")
    def remove(username: str = typer.Argument(...), library: Path | None = LIBRARY_OPTION) -> None:
        """Delete an account and end its sessions."""
        from curbside.errors import ReviewError
        from curbside.review.accounts import remove_user

        lib = open_library(library)
        try:
            remove_user(lib, username)
        except ReviewError as err:
            raise fail(str(err)) from err
        finally:
            lib.close()
        console.print(f"removed {username}")

    @users.command("passwd")
    def passwd(
        username: str = typer.Argument(...),
        password: str = typer.Option(
            ...,
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="CURBSIDE_NEW_PASSWORD",
        ),
        library: Path | None = LIBRARY_OPTION,
    ) -> None:
        """Change a password (ends the user's sessions)."""
        from curbside.errors import ReviewError
        from curbside.review.accounts import set_password

        lib = open_library(library)
        try:
            set_password(lib, username, password)
        except ReviewError as err:
            raise fail(str(err)) from err
        finally:
            lib.close()
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
