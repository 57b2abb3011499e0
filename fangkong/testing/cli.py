from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from fangkong.core.cli_support import command_session
from fangkong.core.i18n import _
from fangkong.core.platform_clock import platform_now
from fangkong.core.timeutil import fmt_local
from fangkong.testing import coverage, results, service
from fangkong.testing import plan as planning
from fangkong.testing.pooling import advise_pool_size
from fangkong.users.service import acting_as

app = typer.Typer(help="Area-wide testing.", no_args_is_help=True)
console = Console()
UserOption = Annotated[str, typer.Option("--user", help="act as this user")]
FileArgument = Annotated[Path, typer.Argument(exists=True, dir_okay=False)]
BATCH = 10_000


@app.command("rounds")
def rounds_command(user: UserOption = "admin") -> None:
    """Screening rounds with how far each has got."""
    with command_session() as session:
        actor = acting_as(session, user)
        shown = [
            service.present_round(session, r) for r in service.list_rounds(session, actor=actor)
        ]
    table = Table("#", _("round"), _("starts"), _("residents"), _("sampled_n"), _("tubes"),
                  _("resulted"), _("positive_tubes"))  # fmt: skip
    for r in shown:
        table.add_row(
            str(r.id), r.name, fmt_local(r.starts_at), str(r.residents), str(r.sampled),
            str(r.tubes), str(r.tubes_resulted), str(r.positive_tubes),
        )  # fmt: skip
    console.print(table)


@app.command("register")
def register_command(round_id: int, file: FileArgument, user: UserOption = "admin") -> None:
    """Register a sampling app's export (身份证号, 管号, 采样点, 采样时间): all or nothing."""
    now = platform_now()
    added = already = 0
    with command_session(_("nothing registered")) as session:
        actor = acting_as(session, user)
        service.get_round(session, actor=actor, round_id=round_id)
        scans = service.parse_scans(
            session, round_id=round_id, filename=file.name, content=file.read_bytes()
        )
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("registering", total=len(scans))
            for start in range(0, len(scans), BATCH):
                batch = scans[start : start + BATCH]
                done = service.register_samples(
                    session, actor=actor, round_id=round_id, scans=batch, now=now
                )
                added, already = added + done.added, already + done.already
                progress.advance(task, len(batch))
    console.print(_("registered %(added)s samples (%(already)s already registered)",
                    added=added, already=already))  # fmt: skip


@app.command("plan")
def plan_command(round_id: int, user: UserOption = "admin") -> None:
    """Send the round's closed tubes to labs (again, for what has not left)."""
    with command_session() as session:
        plan = planning.plan_round(
            session, actor=acting_as(session, user), round_id=round_id, now=platform_now()
        )
    table = Table(_("sampling_site"), _("lab"), _("tubes"), _("expected_result"))
    for s in plan.shipments:
        table.add_row(s.site, s.lab, str(s.tubes), fmt_local(s.expected_result_at))
    console.print(table)
    console.print(
        _(
            "%(tubes)s tubes (%(replanned)s re-planned); last result %(last)s",
            tubes=plan.tubes,
            replanned=plan.replanned,
            last=fmt_local(plan.last_result_at),
        )  # fmt: skip
    )


@app.command("results")
def results_command(lab_id: int, file: FileArgument, user: UserOption = "admin") -> None:
    """Upload a lab's results (管号, 结果, 检测时间, 报告时间): all or nothing."""
    now = platform_now()
    with command_session(_("nothing recorded")) as session:
        rows = results.parse_results(file.name, file.read_bytes(), now=now)
        done = results.record_results(
            session, actor=acting_as(session, user), lab_id=lab_id, rows=rows, now=now
        )
    console.print(
        _(
            "recorded %(recorded)s results (%(already)s already); %(pools)s positive pools "
            "recalled, %(infections)s infections opened",
            recorded=done.recorded,
            already=done.already,
            pools=done.positive_pools,
            infections=len(done.infections),
        )  # fmt: skip
    )


@app.command("missing")
def missing_command(
    round_id: int,
    out: Annotated[Path, typer.Option("--out", dir_okay=False)],
    user: UserOption = "admin",
) -> None:
    """Write the round's missing list (应检未检) per community as .xlsx."""
    with command_session() as session:
        actor = acting_as(session, user)
        cover = coverage.coverage(session, actor=actor, round_id=round_id)
        data = coverage.missing_xlsx(session, actor=actor, round_id=round_id, now=platform_now())
    out.write_bytes(data)
    console.print(
        _(
            "%(missing)s of %(residents)s not sampled, in %(communities)s communities -> %(file)s",
            missing=cover.missing,
            residents=cover.residents,
            communities=sum(1 for c in cover.communities if c.missing),
            file=out,
        )  # fmt: skip
    )


@app.command("pool-size")
def pool_size(
    prevalence: Annotated[float, typer.Option(help="estimated share infected, e.g. 0.001")],
    sensitivity: Annotated[float, typer.Option(help="single-tube sensitivity")] = 0.95,
    dilution_loss: Annotated[float, typer.Option(help="sensitivity lost per doubling")] = 0.01,
    min_sensitivity: Annotated[
        float, typer.Option(help="share of cases that must be found")
    ] = 0.85,
    table: Annotated[bool, typer.Option("--table", help="also list every size")] = False,
) -> None:
    """The pool size to use at a prevalence, and the expected tests per person (Dorfman)."""
    try:
        advice = advise_pool_size(
            prevalence,
            sensitivity=sensitivity,
            dilution_loss=dilution_loss,
            min_sensitivity=min_sensitivity,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    best = advice.recommended
    console.print(
        _(
            "pool size %(size)s: %(tpp)s tests per person (%(ppt)s people per test), finds "
            "%(found)s of cases",
            size=best.size,
            tpp=f"{best.tests_per_person:.4f}",
            ppt=f"{1 / best.tests_per_person:.1f}",
            found=f"{best.sensitivity:.1%}",
        )  # fmt: skip
    )
    if table:
        grid = Table(_("pool_size"), _("tests per person"), _("finds"))
        for o in advice.options:
            grid.add_row(str(o.size), f"{o.tests_per_person:.4f}", f"{o.sensitivity:.1%}")
        console.print(grid)
