from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from fangkong.core.platform_clock import platform_now
from fangkong.core.timeutil import local_date
from fangkong.people.service import check_id_number, merge_people

app = typer.Typer(help="The person registry.", no_args_is_help=True)
console = Console()


@app.command("check-id")
def check_id(id_number: str) -> None:
    """Say whether a 居民身份证号 is valid and why not (exit 0 valid, 1 invalid)."""
    result = check_id_number(id_number, today=local_date(platform_now()))
    if result.valid:
        console.print(
            f"[green]valid[/] {result.id_number}: {result.region}, born {result.birth_date}, "
            f"{result.sex}"
        )
        return
    console.print(f"[red]invalid[/] {id_number!r}: {result.reason}")
    raise typer.Exit(1)


@app.command("merge")
def merge(
    keep: Annotated[int, typer.Argument(help="the record that stays")],
    merge_id: Annotated[int, typer.Argument(metavar="MERGE", help="the record folded into it")],
    reason: Annotated[str, typer.Option(help="why they are one person (kept in the audit log)")],
    user: Annotated[str, typer.Option("--user", help="act as this user")] = "admin",
) -> None:
    """Fold one person record into another, keeping every link."""
    from fangkong.core.cli_support import command_session
    from fangkong.users.service import acting_as

    with command_session() as session:
        person = merge_people(
            session,
            actor=acting_as(session, user),
            keep_id=keep,
            merge_id=merge_id,
            reason=reason,
            now=platform_now(),
        )
        console.print(f"merged person {merge_id} into {person.id} ({person.person_key})")
