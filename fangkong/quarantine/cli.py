from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fangkong.core.cli_support import command_session
from fangkong.core.i18n import _
from fangkong.core.platform_clock import platform_now
from fangkong.quarantine.service import import_sites, list_sites
from fangkong.users.service import acting_as

app = typer.Typer(help="Quarantine sites, rooms and placements.", no_args_is_help=True)
console = Console()


@app.command("import-sites")
def import_sites_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    user: Annotated[str, typer.Option("--user", help="act as this user")] = "admin",
) -> None:
    """Load sites and rooms from a sheet, a row a room: all rows or none."""
    with command_session(_("%(file)s: nothing imported", file=file.name)) as session:
        result = import_sites(
            session,
            actor=acting_as(session, user),
            filename=file.name,
            content=file.read_bytes(),
            now=platform_now(),
        )
    console.print(
        _("%(sites)s new sites, %(rooms)s new rooms (%(existing)s already there)",
          sites=result.sites_created, rooms=result.rooms_created,
          existing=result.rooms_existing)
    )  # fmt: skip


@app.command("sites")
def sites_command() -> None:
    """Occupancy of every site."""
    with command_session() as session:
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
    now = platform_now()
    with command_session() as session, Progress(console=console) as bar:
        stay_ids = list(stays_of(session, now=now, site_id=site, released=kind == "release"))
        task = bar.add_task(f"{kind}s", total=len(stay_ids))
        data = render_papers(
            session,
            actor=acting_as(session, user),
            stay_ids=stay_ids,
            kind=kind,
            now=now,
            progress=lambda n: bar.advance(task, n),
        )
        bar.update(task, completed=len(stay_ids))
    out.write_bytes(data)
    console.print(_("wrote %(pages)s pages to %(file)s", pages=len(stay_ids), file=out))


@app.command("place")
def place_command(
    infection: Annotated[int, typer.Option("--infection", help="place this infection's contacts")],
    transfer: Annotated[bool, typer.Option(help="hold rooms and plan transfers")] = False,
    user: Annotated[str, typer.Option("--user", help="act as this user")] = "admin",
) -> None:
    """Place every contact of an infection under a central-quarantine order who has no room."""
    from fangkong.quarantine.service import place_contacts
    from fangkong.tracing.service import list_contacts

    with command_session() as session:
        actor = acting_as(session, user)
        contacts, _elsewhere = list_contacts(session, actor=actor, infection_id=infection)
        result = place_contacts(
            session,
            actor=actor,
            contact_ids=[c.id for c in contacts],
            now=platform_now(),
            by_transfer=transfer,
        )
    console.print(_("placed %(placed)s; not placed %(unplaced)s", placed=len(result.placed),
                    unplaced=len(result.unplaced)))  # fmt: skip
    for u in result.unplaced:
        console.print(_("  contact %(id)s: %(reason)s", id=u.contact_id, reason=u.reason))


@app.command("dispatch")
def dispatch_command(
    user: Annotated[str, typer.Option("--user", help="act as this user")] = "admin",
) -> None:
    """Batch the planned transfers into vehicle runs."""
    from fangkong.quarantine.transfers import plan_dispatch

    with command_session() as session:
        plan = plan_dispatch(session, actor=acting_as(session, user))
    table = Table(title=_("Dispatch plan"))
    for column in (_("vehicle"), _("run"), _("area"), _("people/seats"), _("transfers")):
        table.add_column(column)
    for r in plan.runs:
        table.add_row(
            r.vehicle,
            str(r.run),
            r.area or "",
            f"{r.people}/{r.seats}",
            ", ".join(map(str, r.transfers)),
        )
    console.print(table)
    if plan.unassigned:
        console.print("[red]" + _("larger than any vehicle: %(t)s", t=plan.unassigned) + "[/]")


@app.command("release-due")
def release_command(
    user: Annotated[str, typer.Option("--user", help="act as this user")] = "admin",
) -> None:
    """Release everyone whose central quarantine is over with every swab negative."""
    from fangkong.quarantine.stays import release_due

    with command_session() as session:
        result = release_due(session, actor=acting_as(session, user), now=platform_now())
    console.print(_("released %(released)s; held %(held)s", released=len(result.released),
                    held=len(result.held)))  # fmt: skip
    for h in result.held:
        console.print(_("  stay %(id)s: %(reason)s", id=h.stay_id, reason=h.reason))


@app.command("roster")
def roster_command(
    site: Annotated[int, typer.Option("--site")],
    out: Annotated[Path, typer.Option("--out", dir_okay=False)],
    day: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today")] = None,
    user: Annotated[str, typer.Option("--user", help="act as this user")] = "admin",
) -> None:
    """A site's roster for a day as .xlsx."""
    from datetime import date

    from fangkong.core.timeutil import local_date
    from fangkong.quarantine.stays import site_roster

    now = platform_now()
    try:
        wanted = date.fromisoformat(day) if day else local_date(now)
    except ValueError:
        raise typer.BadParameter("YYYY-MM-DD", param_hint="--day") from None
    with command_session() as session:
        data = site_roster(
            session, actor=acting_as(session, user), site_id=site, day=wanted, now=now
        )
    out.write_bytes(data)
    console.print(f"wrote {out}")
