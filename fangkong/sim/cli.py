from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from fangkong.core.cli_support import refuse
from fangkong.core.errors import InvalidInput
from fangkong.sim.output import write_series
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
