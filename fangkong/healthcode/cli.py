from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import select

from fangkong.core.cli_support import command_session
from fangkong.core.errors import InvalidInput
from fangkong.core.i18n import _
from fangkong.core.platform_clock import platform_now
from fangkong.healthcode import scan
from fangkong.travel.models import Checkpoint
from fangkong.users.service import acting_as

app = typer.Typer(help="Health codes and checkpoint scanners.", no_args_is_help=True)
console = Console()
UserOption = Annotated[str, typer.Option("--user", help="act as this user")]


@app.command("issue-tokens")
def issue_tokens_command() -> None:
    """A code token for everyone who has none (onboarding a city; people newly imported)."""
    with command_session() as session, Progress(console=console) as bar:
        task = bar.add_task("issuing codes", total=None)
        made = scan.issue_missing_tokens(
            session,
            now=platform_now(),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    console.print(_("issued %(count)s code tokens", count=f"{made:,}"))


@app.command("add-scanner")
def add_scanner_command(
    checkpoint: Annotated[str, typer.Option(help="the checkpoint's name, e.g. 运城北站")],
    label: Annotated[str, typer.Option(help="which device, e.g. 出站口 1")],
    user: UserOption = "admin",
) -> None:
    """Add a checkpoint's scanning device; its key is printed this once (kept as a hash)."""
    with command_session() as session:
        actor = acting_as(session, user)
        found = session.scalar(select(Checkpoint.id).where(Checkpoint.name == checkpoint))
        if found is None:
            raise InvalidInput.at(("checkpoint",), f"no checkpoint named {checkpoint!r}")
        made, key = scan.add_scanner(
            session, actor=actor, checkpoint_id=found, label=label, now=platform_now()
        )
    console.print(_("scanner %(id)s at %(checkpoint)s: key %(key)s (shown once)",
                    id=made.id, checkpoint=checkpoint, key=f"[bold]{key}[/]"))  # fmt: skip


@app.command("revoke-scanner")
def revoke_scanner_command(scanner_id: int, user: UserOption = "admin") -> None:
    """A lost or stolen device: its key stops working with the next scan."""
    with command_session() as session:
        actor = acting_as(session, user)
        scan.revoke_scanner(session, actor=actor, scanner_id=scanner_id, now=platform_now())
    console.print(_("scanner %(id)s revoked", id=scanner_id))
