from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from fangkong.core.db import default_session_factory, transaction
from fangkong.core.errors import FangkongError
from fangkong.core.i18n import _, validation_message
from fangkong.core.platform_clock import platform_now
from fangkong.users.schemas import UserCreate
from fangkong.users.service import create_user, reset_password, set_active

app = typer.Typer(help="User accounts.", no_args_is_help=True)
console = Console()


def _password() -> str:
    """Asked twice at a terminal; one line from standard input in a script or a pipe."""
    if sys.stdin.isatty():
        answer: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return answer
    return sys.stdin.readline().rstrip("\n")


@app.command("create")
def create(
    username: str,
    role: Annotated[
        str, typer.Option(help="admin, commander, tracer, viewer, site, lab or checkpoint")
    ],
    display_name: Annotated[str, typer.Option()] = "",
    jurisdiction: Annotated[
        str | None, typer.Option(help="6-digit county code; none = city")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(help="the password; without it, asked at a terminal or read from stdin"),
    ] = None,
    site: Annotated[int | None, typer.Option(help="for role site: the site's id")] = None,
    lab: Annotated[int | None, typer.Option(help="for role lab: the lab's id")] = None,
    checkpoint: Annotated[
        int | None, typer.Option(help="for role checkpoint: the checkpoint's id")
    ] = None,
) -> None:
    """Create a user who signs in with a password (hashed with argon2)."""
    from pydantic import ValidationError

    try:
        data = UserCreate(
            username=username,
            display_name=display_name or username,
            password=password if password is not None else _password(),
            role=role,
            jurisdiction=jurisdiction,
            site_id=site,
            lab_id=lab,
            checkpoint_id=checkpoint,
        )
        with transaction(default_session_factory()) as session:
            user = create_user(session, data=data, now=platform_now())
            console.print(_("created user %(name)s (%(role)s)", name=user.username,
                            role=_(f"role_{user.role}")))  # fmt: skip
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(map(str, err["loc"]))
            console.print(f"[red]{where}[/]: {validation_message(err)}")
        raise typer.Exit(1) from None
    except FangkongError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None


def _account_change(change: str, username: str, password: str | None = None) -> None:
    """Disable, enable or reset a user as the command line (audited as `system`)."""
    try:
        with transaction(default_session_factory()) as session:
            now = platform_now()
            if change == "password":
                reset_password(session, actor=None, username=username,
                               password=password or "", now=now)  # fmt: skip
                console.print(
                    _("new password set for %(name)s; their sessions ended", name=username)
                )
            else:
                set_active(
                    session, actor=None, username=username, active=change == "enable", now=now
                )
                done = (
                    "enabled user %(name)s"
                    if change == "enable"
                    else "disabled user %(name)s; their sessions ended"
                )
                console.print(_(done, name=username))
    except FangkongError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None


@app.command("disable")
def disable(username: str) -> None:
    """Disable a user: sign-in refused, every session of theirs ended at once."""
    _account_change("disable", username)


@app.command("enable")
def enable(username: str) -> None:
    """Let a disabled user sign in again."""
    _account_change("enable", username)


@app.command("reset-password")
def reset(
    username: str,
    password: Annotated[
        str | None,
        typer.Option(help="the new password; without it, asked at a terminal or read from stdin"),
    ] = None,
) -> None:
    """Set a user's password; every session signed in with the old one ends."""
    _account_change("password", username, password if password is not None else _password())
