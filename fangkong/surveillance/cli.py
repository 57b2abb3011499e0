"""`fangkong surveillance`: temporal detection over a count series, as a command."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, NamedTuple

import typer
from rich.console import Console

from fangkong.core.cli_support import command_errors
from fangkong.core.i18n import _
from fangkong.core.platform_clock import platform_now
from fangkong.core.timeutil import local_date
from fangkong.surveillance import essence, farrington
from fangkong.surveillance.cusum import cusum
from fangkong.surveillance.ears import EarsMethod, Judgement, SeriesTooShort, ears
from fangkong.surveillance.series import Series, read_series

app = typer.Typer(help="Sentinel surveillance: detection over count series.", no_args_is_help=True)
console = Console()
EARS: dict[str, EarsMethod] = {"ears-c1": "C1", "ears-c2": "C2", "ears-c3": "C3"}
METHODS = (*EARS, "cusum", "essence", "farrington-flexible")
WEEKLY = ("farrington-flexible",)
HEADER = ("date", "county", "observed", "expected", "threshold", "alarm")


class Settings(NamedTuple):
    alpha: float | None
    baseline: int | None
    k: float
    h: float


def judgements(series: Series, method: str, settings: Settings) -> list[Judgement]:
    """One method over one county's series, with the settings it takes (each method's own
    default where one is not given)."""
    alpha, baseline = settings.alpha, settings.baseline
    if method == "cusum":
        return cusum(series.counts, baseline=baseline or 7, k=settings.k, h=settings.h)
    if method == "essence":
        chosen = essence.Settings()
        chosen = chosen._replace(alpha=alpha or chosen.alpha, baseline=baseline or chosen.baseline)
        return essence.essence(series.counts, chosen)
    if method == "farrington-flexible":
        given = farrington.Settings()
        return farrington.farrington_flexible(
            series.counts, series.days, given._replace(alpha=alpha or given.alpha)
        )
    return ears(series.counts, EARS[method], baseline=baseline or 7, alpha=alpha)


def _judge(series: Series, method: str, settings: Settings) -> list[list[object]]:
    return [
        [series.days[j.at].isoformat(), series.county, int(j.observed), round(j.expected, 4),
         round(j.threshold, 4), int(j.alarm)]
        for j in judgements(series, method, settings)
    ]  # fmt: skip


@app.command("detect")
def detect(
    method: Annotated[
        str, typer.Option(help="ears-c1, ears-c2, ears-c3, cusum, essence or farrington-flexible")
    ],
    input_file: Annotated[Path, typer.Option("--input", help="CSV or .xlsx: date,count[,county]")],
    out: Annotated[Path, typer.Option(help="the alarms CSV to write")],
    alpha: Annotated[
        float | None,
        typer.Option(help="default: R's (0.001 C1/C2, 0.025 C3, 0.01 Farrington); ESSENCE 0.01"),
    ] = None,
    baseline: Annotated[
        int | None, typer.Option(help="days of baseline: EARS/CUSUM 7 (at least 3), ESSENCE 28")
    ] = None,
    k: Annotated[float, typer.Option(help="CUSUM: the allowance, in sd")] = 0.5,
    h: Annotated[float, typer.Option(help="CUSUM: the decision interval, in sd")] = 4.0,
) -> None:
    """Judge every day that has the history the method needs, each county on its own; write
    date,county,observed,expected,threshold,alarm. Nothing is written if a row is bad."""
    if method not in METHODS:
        raise typer.BadParameter(
            _("one of %(methods)s", methods=", ".join(METHODS)), param_hint="--method"
        )
    with command_errors(refused=_("no alarms written")):
        found = read_series(
            input_file.name,
            input_file.read_bytes(),
            today=local_date(platform_now()),
            every=7 if method in WEEKLY else 1,
        )
    rows: list[list[object]] = []
    for series in found:
        try:
            rows += _judge(series, method, Settings(alpha, baseline, k, h))
        except SeriesTooShort as exc:
            console.print(
                _("%(county)s: %(why)s; not judged", county=series.county or "—", why=exc)
            )
        except ValueError as exc:  # settings the method cannot take
            raise typer.BadParameter(str(exc)) from exc
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(rows)
    out.write_text(text.getvalue(), encoding="utf-8")
    alarms = sum(1 for r in rows if r[-1])
    console.print(
        _(
            "%(days)s days judged, %(alarms)s alarms: %(file)s",
            days=len(rows),
            alarms=alarms,
            file=str(out),
        )
    )
