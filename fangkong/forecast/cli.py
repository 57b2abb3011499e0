"""`fangkong sim forecast` and `fangkong sim scenario`: the war game fed from the live
database (registered under `sim` by the root command)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fangkong.core.i18n import _
from fangkong.sim.scenario import check_scenario

console = Console()


def forecast_command(
    days: Annotated[int, typer.Option(min=1, max=60)] = 14,
    seeds: Annotated[int, typer.Option(min=1, max=1_000)] = 10,
    as_of: Annotated[str | None, typer.Option(help="city time, e.g. 2022-03-08 12:00")] = None,
    variant: Annotated[str, typer.Option()] = "omicron_ba2",
    people: Annotated[int | None, typer.Option(help="default FANGKONG_CITY_POPULATION")] = None,
) -> None:
    """The next days' needs from the live database: rooms (with when they run out),
    detections and tests, as medians and 90 % bands."""
    from fangkong.core.cli_support import command_session
    from fangkong.core.platform_clock import platform_now
    from fangkong.core.timeutil import parse_local_datetime
    from fangkong.forecast.service import forecast

    try:
        moment = parse_local_datetime(as_of) if as_of else platform_now()
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--as-of") from None
    with command_session() as session:
        found = forecast(
            session, now=moment, days=days, seeds=seeds, people=people, variant=variant
        )
    table = Table(_("day"), _("rooms needed (90 %%)"), _("of which promised"), _("detected"),
                  _("tests_n"))  # fmt: skip
    for d, day in enumerate(found.days):
        low, mid, high = found.rooms_needed[d]
        table.add_row(
            str(day), f"{mid:,.0f} ({low:,.0f}–{high:,.0f})", f"{found.rooms_committed[d]:,}",
            f"{found.detected[d][1]:,.0f}", f"{found.tests[d][1]:,.0f}",
        )  # fmt: skip
    console.print(table)
    summary = _(
        "%(infections)s infections in the last 10 days, %(zones)s zones, %(rooms)s rooms; "
        "%(runs)s runs. ", infections=found.recent_infections, zones=found.active_zones,
        rooms=f"{found.rooms_available:,}", runs=found.runs,
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
