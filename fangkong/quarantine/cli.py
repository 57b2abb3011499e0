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


@app.command("papers")
def papers_command(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="the PDF to write")],
    kind: Annotated[str, typer.Option(help="notice or release")] = "notice",
    site: Annotated[int | None, typer.Option(help="only this site")] = None,
    user: Annotated[str, typer.Option("--user", help="act as this user")] = "admin",
) -> None:
    """Quarantine notices (current residents) or release certificates (released), one PDF."""
    from rich.progress import Progress

    from fangkong.quarantine.papers import render_papers, stays_of

    if kind not in ("notice", "release"):
        raise typer.BadParameter("notice or release", param_hint="--kind")
    try:
        with transaction(default_session_factory()) as session, Progress(console=console) as bar:
            stay_ids = list(stays_of(session, site_id=site, released=kind == "release"))
            task = bar.add_task(f"{kind}s", total=len(stay_ids))
            data = render_papers(
                session,
                actor=acting_as(session, user),
                stay_ids=stay_ids,
                kind=kind,
                now=SystemClock().now(),
                progress=lambda n: bar.advance(task, n),
            )
            bar.update(task, completed=len(stay_ids))
    except FangkongError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    out.write_bytes(data)
    console.print(f"wrote {len(stay_ids)} pages to {out}")
