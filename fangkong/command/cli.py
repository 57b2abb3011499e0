"""`fangkong command`: the command centre's tasks, a raising pass, the duty rota, places."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fangkong.command import duty, places, raising, tasks
from fangkong.command.briefing import build_briefing
from fangkong.command.briefing_paper import briefing_pdf
from fangkong.command.briefing_sheets import briefing_xlsx
from fangkong.core.cli_support import command_session, moment_of, stage_bar
from fangkong.core.i18n import _
from fangkong.core.platform_clock import platform_now
from fangkong.core.timeutil import fmt_local
from fangkong.users.service import acting_as

app = typer.Typer(
    help="The front command centre: tasks, supervision, places, duty.", no_args_is_help=True
)
console = Console()
UserOption = Annotated[str, typer.Option("--user", help="act as this user")]
AsOf = Annotated[str | None, typer.Option("--as-of", help="e.g. 2022-03-07 21:00, city time")]


@app.command("raise")
def raise_command(as_of: AsOf = None) -> None:
    """One raising pass as of a moment (default the platform's clock)."""
    moment = moment_of(as_of)
    with command_session() as session:
        done = raising.raise_tasks(session, as_of=moment)
    console.print(
        _(
            "as of %(moment)s: %(signals)s signals, %(raised)s tasks raised, %(cleared)s closed "
            "by themselves, %(escalated)s escalated",
            moment=fmt_local(moment),
            signals=done.signals,
            raised=done.raised,
            cleared=done.cleared,
            escalated=done.escalated,
        )
    )


@app.command("tasks")
def tasks_command(
    as_of: AsOf = None,
    status: Annotated[
        str | None, typer.Option(help="open, in_progress, done, cancelled, all")
    ] = None,
    user: UserOption = "admin",
) -> None:
    """Tasks as of a moment, soonest deadline first."""
    moment = moment_of(as_of)
    with command_session() as session:
        found = tasks.list_tasks(
            session, actor=acting_as(session, user), as_of=moment, status=status
        )
    table = Table(title=_("Tasks as of %(moment)s", moment=fmt_local(moment)))
    for column in ("#", _("group"), _("task"), _("deadline"), _("status"), _("responsible")):
        table.add_column(column, overflow="fold")
    for t in found:
        late = " ⚠" if t.overdue else ""
        table.add_row(
            str(t.id),
            t.group,
            t.title,
            fmt_local(t.deadline) + late,
            _(f"task_{t.status}"),
            t.escalated_to or t.responsible or "",
        )
    console.print(table)


@app.command("duty")
def duty_command(
    at: Annotated[str | None, typer.Option("--at", help="city time")] = None,
    user: UserOption = "admin",
) -> None:
    """Who is on duty at a moment at each command centre, and who is next."""
    moment = moment_of(at, hint="--at")
    with command_session() as session:
        found = duty.duty_at(session, actor=acting_as(session, user), at=moment)
    table = Table(title=_("On duty at %(moment)s", moment=fmt_local(moment)))
    for column in (_("rota"), _("on_duty"), _("next_shift"), _("handover")):
        table.add_column(column)
    for d in found:
        now_on = f"{d.on_duty.officer} ({fmt_local(d.on_duty.ends_at)})" if d.on_duty else "—"
        after = f"{d.next.officer} ({fmt_local(d.next.starts_at)})" if d.next else "—"
        note = d.handover_from.handover_note if d.handover_from else ""
        table.add_row(_("city") if d.scope == duty.CITY else d.scope, now_on, after, note)
    console.print(table)


@app.command("places")
def places_command(as_of: AsOf = None, user: UserOption = "admin") -> None:
    """Places of the infections' trajectories: cases there, sampling, disinfection, closing."""
    moment = moment_of(as_of)
    with command_session() as session:
        found = places.list_places(session, actor=acting_as(session, user), as_of=moment)
    table = Table(title=_("Places as of %(moment)s", moment=fmt_local(moment)))
    for column in ("#", _("place"), _("address"), _("cases"), _("state"), _("closed")):
        table.add_column(column)
    for p in found:
        cases = len({v.infection_id for v in p.visits})
        table.add_row(
            str(p.id),
            p.name,
            p.address,
            str(cases),
            _(f"place_{p.state}"),
            fmt_local(p.closed_at) if p.closed_at else "",
        )
    console.print(table)


@app.command("briefing")
def briefing_command(
    day: Annotated[str, typer.Option(help="the day, e.g. 2022-03-08 (city time)")],
    out: Annotated[Path, typer.Option(help="the file to write: .pdf or .xlsx")],
    user: UserOption = "admin",
) -> None:
    """The daily briefing of a day, as of its end (of now, for today), as a PDF or a workbook."""
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        raise typer.BadParameter(_("write a .pdf or an .xlsx"), param_hint="--out")
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        raise typer.BadParameter(_("a day like 2022-03-08"), param_hint="--day") from None
    with stage_bar(console, _("daily briefing %(day)s", day=day), 2) as stage:
        with command_session(refused=_("no briefing written")) as session:
            stage(_("reading the figures"))
            found = build_briefing(
                session, actor=acting_as(session, user), day=wanted, now=platform_now()
            )
        stage(_("drawing the pages"))
        data = briefing_pdf(found) if out.suffix.lower() == ".pdf" else briefing_xlsx(found)
    out.write_bytes(data)
    console.print(_("%(file)s written (%(kb)s KB)", file=str(out), kb=len(data) // 1024))
