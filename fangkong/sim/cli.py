from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from fangkong.core.cli_support import refuse
from fangkong.core.errors import InvalidInput
from fangkong.sim.ensemble import dotted_name, parse_settings, run_ensemble, with_setting
from fangkong.sim.output import write_ensemble, write_series
from fangkong.sim.run import simulate
from fangkong.sim.scenario import check_scenario, load_scenario

app = typer.Typer(help="The war game (兵棋推演): simulate an outbreak under the protocol.")
console = Console()


@app.command("run")
def run_command(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help=".csv or .parquet")],
    scenario: Annotated[
        Path | None, typer.Option("--scenario", exists=True, dir_okay=False, help="a .toml")
    ] = None,
    people: Annotated[int | None, typer.Option(help="people in the city")] = None,
    days: Annotated[int | None, typer.Option(help="days to simulate")] = None,
    mixing: Annotated[str | None, typer.Option(help="network or homogeneous")] = None,
    r0: Annotated[float | None, typer.Option(help="basic reproduction number")] = None,
    variant: Annotated[str | None, typer.Option(help="delta or omicron_ba2")] = None,
    protocol: Annotated[str | None, typer.Option(help="cn-8 or cn-9")] = None,
    interventions: Annotated[
        bool | None, typer.Option("--interventions/--no-interventions")
    ] = None,
    seed: Annotated[int | None, typer.Option()] = None,
) -> None:
    """One run: a daily series (day, cum_infections, detected, rooms_used …) to --out."""
    data: dict[str, Any] = {}
    try:
        if scenario is not None:
            data = load_scenario(scenario).model_dump()
        overrides = {"days": days, "variant": variant, "protocol": protocol, "seed": seed}
        data.update({k: v for k, v in overrides.items() if v is not None})
        if interventions is not None:
            data["interventions"] = interventions
        if people is not None:
            data.setdefault("city", {})["people"] = people
        if mixing is not None:
            data.setdefault("mixing", {})["mode"] = mixing
        if r0 is not None:
            data.setdefault("disease", {})["r0"] = r0
        if "city" not in data:
            raise InvalidInput.at(("city", "people"), "give --people or a --scenario")
        if out.suffix.lower() not in (".csv", ".parquet"):
            raise InvalidInput.at(("out",), f"{out.name}: write .csv or .parquet")
        checked = check_scenario(data, source=scenario.name if scenario else "options")
    except InvalidInput as exc:
        refuse(exc, "nothing run")
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{checked.city.people:,} people", total=checked.days)
        result = simulate(checked, on_day=lambda _: progress.advance(task))
    write_series(result, out)
    console.print(
        f"{checked.city.people:,} people, {checked.days} days: "
        f"{result.column('cum_infections')[-1]:,} infected, "
        f"{result.column('cum_detected')[-1]:,} detected; city {result.build_seconds:.2f} s, "
        f"run {result.run_seconds:.2f} s -> {out}"
    )


@app.command("sweep")
def sweep_command(
    scenario: Annotated[Path, typer.Option("--scenario", exists=True, dir_okay=False)],
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="a folder for the results")],
    seeds: Annotated[int, typer.Option(min=1, max=10_000, help="runs per setting")] = 20,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="key=value[,value…], e.g. response.rooms=2000,8000"),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="a Dask scheduler address; default a LocalCluster")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="LocalCluster processes")] = 2,
) -> None:
    """An ensemble over seeds and settings: every run as Parquet, medians and 90 % bands as
    CSV, and the bands drawn in chart.html."""
    try:
        base = load_scenario(scenario)
        settings = parse_settings(set_ or [])
        for setting in settings:  # every combination checked before anything runs
            with_setting(base.model_dump(), setting, base.seed)
    except InvalidInput as exc:
        refuse(exc, "nothing run")
    total = len(settings) * seeds
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{total} runs", total=total)
        ensemble = run_ensemble(
            base,
            seeds=seeds,
            settings=settings,
            scheduler=scheduler,
            workers=workers,
            on_done=lambda done: progress.update(task, completed=done),
        )
    written = write_ensemble(ensemble, out, title=f"{base.name}: {seeds} runs a setting")
    for s, setting in enumerate(settings):
        low, mid, high = ensemble.band(s, "cum_infections")
        console.print(
            f"{dotted_name(setting)}: infections by day {base.days - 1} median {mid[-1]:,.0f} "
            f"(90 % {low[-1]:,.0f}–{high[-1]:,.0f}); rooms at most "
            f"{ensemble.band(s, 'rooms_used')[1].max():,.0f}"
        )
    console.print("wrote " + ", ".join(str(p) for p in written))
