from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fangkong.core.clock import SystemClock
from fangkong.core.db import default_session_factory, transaction
from fangkong.core.errors import FangkongError, InvalidInput
from fangkong.quarantine.service import import_sites, list_sites
from fangkong.users.service import acting_as

app = typer.Typer(help="Quarantine sites, rooms and placements.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.command("import-sites")
def import_sites_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    user: Annotated[str, typer.Option("--user", help="act as this user")] = "admin",
) -> None:
    """Load sites and rooms from a sheet, a row a room: all rows or none."""
    try:
        with transaction(default_session_factory()) as session:
            result = import_sites(
                session,
                actor=acting_as(session, user),
                filename=file.name,
                content=file.read_bytes(),
                now=SystemClock().now(),
            )
    except InvalidInput as exc:
        err.print(f"[red]{file.name}: nothing imported[/]")
        for p in exc.problems:
            err.print(f"  {', '.join(map(str, p.loc))}: {p.msg}")
        raise typer.Exit(1) from None
    except FangkongError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    console.print(
        f"{result.sites_created} new sites, {result.rooms_created} new rooms "
        f"({result.rooms_existing} already there)"
    )


@app.command("sites")
def sites_command() -> None:
    """Occupancy of every site."""
    with transaction(default_session_factory()) as session:
        sites = list_sites(session)
    table = Table(title="Quarantine sites")
    for column in ("site", "county", "rooms", "ready", "occupied", "cleaning", "people"):
        table.add_column(column)
    for s in sites:
        table.add_row(
            s.name,
            s.county_name or s.county_code,
            str(s.rooms),
            str(s.ready),
            str(s.occupied),
            str(s.cleaning),
            str(s.people),
        )
    console.print(table)
