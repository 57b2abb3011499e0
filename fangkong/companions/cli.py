from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pyarrow.parquet as pq
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from fangkong.core.i18n import _
from fangkong.core.platform_clock import platform_now
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import local
from fangkong.protocol.loader import get_protocol

if TYPE_CHECKING:
    import pyarrow as pa

    from fangkong.companions.job import Case, JobResult

JOB_STEPS = 3
app = typer.Typer(
    help="Spatiotemporal companions (时空伴随者) from location data.", no_args_is_help=True
)
console = Console()


@app.command("synth")
def synth_command(
    out: Annotated[Path, typer.Option("--out", file_okay=False)],
    people: Annotated[int, typer.Option(min=10)] = 10_000,
    days: Annotated[int, typer.Option(min=1, max=60)] = 14,
    cases: Annotated[int, typer.Option(min=1)] = 10,
    seed: Annotated[int, typer.Option()] = 1,
) -> None:
    """A synthetic city's raw pings (Parquet a day, WGS-84) and a cases CSV."""
    from fangkong.companions.synth import synthesize

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as progress:
        progress.add_task(f"{people:,} people × {days} days")
        made = synthesize(people, days, cases, seed=seed, out=out, start=_first_day(days))
    console.print(_("%(pings)s pings in %(files)s files, cases in %(cases)s",
                    pings=f"{made.pings:,}", files=len(made.files), cases=made.cases))  # fmt: skip


def _first_day(days: int) -> datetime:
    """The synthetic city's first day: its last is the platform's today (the demo's 8 March),
    so its pings are not in the platform's future."""
    today = local(platform_now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days - 1)


@app.command("ingest")
def ingest_command(
    sources: Annotated[list[Path], typer.Argument(exists=True, dir_okay=True)],
    into: Annotated[Path, typer.Option("--into", file_okay=False, help="the dataset folder")],
    datum: Annotated[str, typer.Option(help="wgs84, gcj02 or bd09 for lon/lat files")] = "wgs84",
) -> None:
    """Raw files (Parquet or CSV; person, ts and cell or lon/lat) into stays. A bad file is
    named with the reason and nothing from it is added; a file seen before is skipped."""
    from fangkong.companions.ingest import ingest

    rule = get_protocol(get_settings().protocol).companions
    files = [
        f
        for s in sources
        for f in (sorted(s.glob("*.parquet")) + sorted(s.glob("*.csv")) if s.is_dir() else [s])
    ]
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True
    ) as progress:
        progress.add_task(f"ingesting {len(files)} files")
        report = ingest(
            files,
            into,
            datum=datum,
            size_m=rule.cell_size_m,
            max_gap_min=rule.max_gap_minutes,
            now=platform_now(),
        )
    for name, why in report.refused.items():
        console.print("[red]" + _("%(file)s: %(why)s — nothing from it was added", file=name,
                                  why=why) + "[/]")  # fmt: skip
    console.print(_(
        "%(added)s files added (%(pings)s pings → %(stays)s stays), %(already)s already there, "
        "%(refused)s refused", added=len(report.added), pings=f"{report.pings:,}",
        stays=f"{report.stays:,}", already=len(report.already), refused=len(report.refused),
    ))  # fmt: skip
    if report.refused:
        raise typer.Exit(1)


@app.command("run")
def run_command(
    dataset: Annotated[Path, typer.Option("--dataset", exists=True, file_okay=False)],
    cases: Annotated[
        str, typer.Option("--cases", help="a CSV of person,report_time, or 'infections'")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", dir_okay=False, help="a .parquet (optional with --to-db)"),
    ] = None,
    engine: Annotated[str, typer.Option(help="duckdb or dask")] = "duckdb",
    scheduler: Annotated[str | None, typer.Option(help="a Dask scheduler address")] = None,
    to_db: Annotated[
        bool, typer.Option("--to-db", help="record companions as contacts of the infections")
    ] = False,
    user: Annotated[
        str, typer.Option("--user", help="act as this user (database cases)")
    ] = "admin",
    clause: Annotated[
        bool,
        typer.Option("--cell-hours-clause/--no-cell-hours-clause", help="override the protocol"),
    ] = False,
) -> None:
    """The companions of the cases, as Parquet (person, case, minutes, first_overlap,
    last_overlap, cells, infected)."""
    from fangkong.companions.job import run_job

    if engine not in ("duckdb", "dask"):
        raise typer.BadParameter("duckdb or dask", param_hint="--engine")
    if out is None and not to_db:
        raise typer.BadParameter("where to write the companions: a .parquet", param_hint="--out")
    rule = get_protocol(get_settings().protocol).companions
    if clause:
        rule = rule.model_copy(update={"cell_hours_clause": True})
    wanted, infection_of = _cases(cases, to_db=to_db, user=user)
    with Progress(console=console, transient=True) as progress:
        # The job's steps: the cases' presence, the pass over everyone's stays, saving.
        task = progress.add_task("companions", total=JOB_STEPS)
        result = run_job(
            dataset,
            wanted,
            rule,
            engine=engine,
            scheduler=scheduler,
            on_step=lambda text: progress.update(task, description=text, advance=1),
        )
        progress.update(task, completed=JOB_STEPS)
    if out is not None:
        pq.write_table(result.table.drop(["cell_ids"]), out)
    if to_db:
        _to_database(result.table, infection_of, user)
    _report(result, cases=len(wanted), clause=rule.cell_hours_clause, out=out)


def _report(result: JobResult, *, cases: int, clause: bool, out: Path | None) -> None:
    for person in result.missing:
        console.print("[yellow]" + _("case %(id)s: no location data in the window",
                                     id=person) + "[/]")  # fmt: skip
    narrowed = (
        _(
            "; the cell-hours clause kept %(kept)s of %(all)s",
            kept=f"{result.table.num_rows:,}",
            all=f"{result.without_clause:,}",
        )  # fmt: skip
        if clause and result.computed
        else ""
    )
    console.print(
        _("%(found)s companions of %(cases)s cases (%(computed)s computed now)",
          found=f"{result.table.num_rows:,}", cases=cases, computed=len(result.computed))
        + narrowed + (f" -> {out}" if out else "")
    )  # fmt: skip


def _cases(cases: str, *, to_db: bool, user: str) -> tuple[list[Case], dict[int, int]]:
    """The cases from a CSV, or from the database's infections (and the infection each case
    person stands for, for --to-db)."""
    from fangkong.companions.job import read_cases

    if cases != "infections" and not to_db:
        try:
            return read_cases(Path(cases)), {}
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(str(exc), param_hint="--cases") from None
    if cases != "infections":
        raise typer.BadParameter("--to-db takes its cases from the database", param_hint="--cases")
    from fangkong.companions.service import cases_from_infections
    from fangkong.core.cli_support import command_session
    from fangkong.users.service import acting_as

    with command_session() as session:
        return cases_from_infections(session, actor=acting_as(session, user))


def _to_database(table: pa.Table, infection_of: dict[int, int], user: str) -> None:
    from fangkong.companions.service import record_companions
    from fangkong.core.cli_support import command_session
    from fangkong.users.service import acting_as

    with command_session() as session:
        recorded, unknown = record_companions(
            session, actor=acting_as(session, user), table=table,
            infection_of=infection_of, now=platform_now(),
        )  # fmt: skip
    console.print(_("%(recorded)s companions recorded as contacts; %(unknown)s not in the registry",
                    recorded=recorded, unknown=unknown))  # fmt: skip


@app.command("purge")
def purge_command(
    dataset: Annotated[Path, typer.Option("--dataset", exists=True, file_okay=False)],
    older_than: Annotated[int, typer.Option("--older-than", min=1, help="days")] = 30,
) -> None:
    """Delete whole days of location data past the retention period (and cached results)."""
    cutoff = (platform_now() - timedelta(days=older_than)).date().isoformat()
    gone = 0
    for kind in ("stays", "heads"):
        for folder in sorted((dataset / kind).glob("day=*")):
            if folder.name.removeprefix("day=") < cutoff:
                shutil.rmtree(folder)
                gone += kind == "stays"
    shutil.rmtree(dataset / "_companions", ignore_errors=True)
    console.print(_("deleted %(days)s days before %(cutoff)s", days=gone, cutoff=cutoff))
