from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fangkong.testing.pooling import advise_pool_size

app = typer.Typer(help="Area-wide testing.", no_args_is_help=True)
console = Console()


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
        f"pool size {best.size}: {best.tests_per_person:.4f} tests per person "
        f"({1 / best.tests_per_person:.1f} people per test), finds {best.sensitivity:.1%} of cases"
    )
    if table:
        grid = Table("size", "tests/person", "finds")
        for o in advice.options:
            grid.add_row(str(o.size), f"{o.tests_per_person:.4f}", f"{o.sensitivity:.1%}")
        console.print(grid)
