from __future__ import annotations

import typer
from rich.console import Console

from fangkong.core.clock import SystemClock
from fangkong.core.timeutil import local_date
from fangkong.people.service import check_id_number

app = typer.Typer(help="The person registry.", no_args_is_help=True)
console = Console()


@app.command("check-id")
def check_id(id_number: str) -> None:
    """Say whether a 居民身份证号 is valid and why not (exit 0 valid, 1 invalid)."""
    result = check_id_number(id_number, today=local_date(SystemClock().now()))
    if result.valid:
        console.print(
            f"[green]valid[/] {result.id_number}: {result.region}, born {result.birth_date}, "
            f"{result.sex}"
        )
        return
    console.print(f"[red]invalid[/] {id_number!r}: {result.reason}")
    raise typer.Exit(1)
