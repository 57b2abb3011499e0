"""`fangkong sim forecast` and `fangkong sim scenario`: the war game fed from the live
database (registered under `sim` by the root command)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from fangkong.core.i18n import _
from fangkong.sim.scenario import check_scenario

if TYPE_CHECKING:
    from fangkong.forecast.service import Forecast

console = Console()
CSV_HELP = "write date,measure,p05,p25,p50,p75,p95 to this CSV"


def forecast_command(
    days: Annotated[int, typer.Option(min=1, max=60)] = 14,
    runs: Annotated[int, typer.Option(min=1, max=10_000, help="runs of the ensemble")] = 200,
    as_of: Annotated[str | None, typer.Option(help="city time, e.g. 2022-03-08 12:00")] = None,
    variant: Annotated[str, typer.Option()] = "omicron_ba2",
    people: Annotated[int | None, typer.Option(help="default FANGKONG_CITY_POPULATION")] = None,
    out: Annotated[Path | None, typer.Option("--out", dir_okay=False, help=CSV_HELP)] = None,
) -> None:
    """The next days from the live database: detections, rooms (with when they run out) and
    tests, as medians with 50 % and 90 % bands over runs that draw their parameters from
    what the data say."""
    from fangkong.core.cli_support import command_session, moment_of
    from fangkong.core.platform_clock import platform_now
    from fangkong.forecast.service import read_inputs, run_forecast

    moment = moment_of(as_of)
    with command_session(_("nothing to forecast")) as session:
        inputs = read_inputs(
            session, moment=moment, now=platform_now(), days=days, people=people, variant=variant
        )
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(_("runs"), total=runs)
        found = run_forecast(
            inputs, runs=runs, progress=lambda done, _total: bar.update(task, completed=done)
        )
    _print_estimate(found)
    _print_bands(found)
    if out is not None:
        write_csv(found, out)
        console.print(_("wrote %(file)s", file=out))


def write_csv(found: Forecast, out: Path) -> None:
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["date", "measure", "p05", "p25", "p50", "p75", "p95"])
        for row in found.rows():
            writer.writerow([row.day.isoformat(), row.measure,
                             *(f"{v:.1f}" for v in row[2:])])  # fmt: skip


def _print_estimate(found: Forecast) -> None:
    estimate = found.estimate
    low, high = estimate.r_interval()
    console.print(_(
        "%(reported)s infections reported; R while free %(r)s (90 %%: %(low)s–%(high)s) from "
        "%(offspring)s traced to %(infectors)s; found through tracing %(traced)s; unseen now "
        "%(hidden)s on average", reported=estimate.reported, r=f"{estimate.r_mean:.2f}",
        low=f"{low:.2f}", high=f"{high:.2f}", offspring=estimate.offspring,
        infectors=estimate.infectors, traced=f"{estimate.traced_mean:.0%}",
        hidden=f"{estimate.hidden_mean:.1f}",
    ))  # fmt: skip


def _print_bands(found: Forecast) -> None:
    table = Table(_("day"), _("detected_total"), _("rooms needed (90 %%)"), _("of which promised"),
                  _("tests_n"))  # fmt: skip
    total, rooms, tests = (found.band(m) for m in ("detected_total", "rooms_needed", "tests"))
    for d, day in enumerate(found.days):
        table.add_row(
            str(day), f"{total[d, 2]:,.0f} ({total[d, 0]:,.0f}–{total[d, 4]:,.0f})",
            f"{rooms[d, 2]:,.0f} ({rooms[d, 0]:,.0f}–{rooms[d, 4]:,.0f})",
            f"{found.rooms_committed[d]:,}", f"{tests[d, 2]:,.0f}",
        )  # fmt: skip
    console.print(table)
    summary = _(
        "%(zones)s zones, %(rooms)s rooms; %(runs)s runs on %(people)s people. ",
        zones=found.active_zones, rooms=f"{found.rooms_available:,}", runs=found.runs,
        people=f"{found.people:,}",
    )  # fmt: skip
    ending = (
        "[red]" + _("Rooms run out on %(day)s.", day=found.runs_out_on) + "[/]"
        if found.runs_out_on
        else _("Rooms last the period.")
    )
    console.print(summary + ending)


def scenario_command(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="the .toml to write")],
) -> None:
    """A scenario with the live database's capacities (rooms, labs, tracers, protocol), to
    edit and war-game."""
    from fangkong.core.cli_support import command_session
    from fangkong.forecast.capacities import scenario_from_database, to_toml

    with command_session() as session:
        data = scenario_from_database(session)
    check_scenario(data, source="the database")
    out.write_text(to_toml(data), encoding="utf-8")
    response = data["response"]
    console.print(_(
        "%(people)s people, %(rooms)s rooms, %(tubes)s tubes a day, %(traced)s contacts traced a "
        "day, %(protocol)s -> %(file)s", people=f"{data['city']['people']:,}",
        rooms=f"{response['rooms']:,}", tubes=f"{response.get('lab_tubes_per_day', 0):,}",
        traced=f"{response['tracing_per_day']:,}", protocol=data["protocol"], file=out,
    ))  # fmt: skip


def backtest_command(
    outbreaks: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    runs: Annotated[int, typer.Option(min=10, max=10_000, help="forecast runs each")] = 200,
    people: Annotated[int, typer.Option(min=10_000, max=5_000_000)] = 100_000,
    seed: Annotated[int, typer.Option(min=0)] = 1,
) -> None:
    """Simulate outbreaks, observe each as the platform would up to a cut, forecast from what
    was observed and score against what then happened: the 50 % and 90 % bands' coverage and
    the weighted interval score, for the forecast and a branching-process baseline."""
    from fangkong.forecast.backtest import backtest

    delays = _platform_delays()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(_("outbreaks"), total=outbreaks)
        found = backtest(
            outbreaks, runs=runs, people=people, seed=seed, delays=delays,
            progress=lambda done, _total: bar.update(task, completed=done),
        )  # fmt: skip
    table = Table(_("measure"), _("method"), _("points"), _("in the 50 %% band"),
                  _("in the 90 %% band"), _("interval score"))  # fmt: skip
    for score in sorted(found.scores, key=lambda s: (s.measure, s.method)):
        table.add_row(score.measure, score.method, f"{score.points:,}", f"{score.covered50:.0%}",
                      f"{score.covered90:.0%}", f"{score.wis:,.2f}")  # fmt: skip
    console.print(table)
    console.print(_(
        "%(scored)s outbreaks scored (%(contained)s contained), %(runs)s runs each, a city of "
        "%(people)s; sampling to report: %(delays)s delays", scored=found.outbreaks,
        contained=found.contained, runs=found.runs, people=f"{found.people:,}",
        delays=len(delays),
    ))  # fmt: skip


def _platform_delays() -> np.ndarray:
    """Hours from sampling to report as the platform has recorded them; without five
    records, a gamma of mean 8 h and sd 4 h ⚠ (our choice, near the demo's 4–9 h)."""
    from sqlalchemy.exc import OperationalError

    from fangkong.core.db import default_session_factory
    from fangkong.core.platform_clock import platform_now
    from fangkong.tracing.figures import detections_until

    try:
        with default_session_factory()() as session:
            found = detections_until(session, until=platform_now())
    except OperationalError:
        found = []
    hours = [(d.reported_at - d.sampled_at).total_seconds() / 3600 for d in found]
    if len(hours) >= 5:
        return np.array(hours)
    return np.random.default_rng(0).gamma(4.0, 2.0, size=1_000)
