"""`fangkong surveillance`: temporal detection over a count series, the space-time scan over
places, a detection pass over the sentinel points, and the methods' evaluation."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console

from fangkong.core.cli_support import command_errors, command_session, moment_of, stage_bar
from fangkong.core.i18n import _
from fangkong.core.platform_clock import platform_now
from fangkong.core.timeutil import fmt_local, local_date
from fangkong.surveillance.cases import read_cases
from fangkong.surveillance.detection import detect as detect_alarms
from fangkong.surveillance.ears import SeriesTooShort
from fangkong.surveillance.evaluation import SCENARIOS, evaluate, table
from fangkong.surveillance.methods import METHODS, WEEKLY, Settings, judgements
from fangkong.surveillance.scan import ScanSettings, scan
from fangkong.surveillance.series import Series, read_series

app = typer.Typer(help="Sentinel surveillance: detection over count series.", no_args_is_help=True)
console = Console()
HEADER = ("date", "county", "observed", "expected", "threshold", "alarm")


def _judge(series: Series, method: str, settings: Settings) -> list[list[object]]:
    return [
        [series.days[j.at].isoformat(), series.county, int(j.observed), round(j.expected, 4),
         round(j.threshold, 4), int(j.alarm)]
        for j in judgements(series.counts, series.days, method, settings)
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


@app.command("alarms")
def alarms_command(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="e.g. 2022-03-03 10:30, city time")
    ] = None,
) -> None:
    """One detection pass over the sentinel points' counts as of a moment (default the
    platform's clock): the methods over each point, the scan over the points together."""
    moment = moment_of(as_of)
    with command_session() as session:
        done = detect_alarms(session, as_of=moment)
    console.print(
        _("as of %(moment)s: %(series)s series judged, %(raised)s alarms raised",
          moment=fmt_local(moment), series=done.series, raised=done.raised)
    )  # fmt: skip


@app.command("evaluate")
def evaluate_command(
    runs: Annotated[int, typer.Option(help="series a scenario and size", min=1)] = 20,
    k: Annotated[
        list[float] | None, typer.Option(help="outbreak sizes, in sd of the baseline")
    ] = None,
    seed: Annotated[int, typer.Option()] = 2019,
    out: Annotated[Path | None, typer.Option(help="write the table (Markdown) here")] = None,
) -> None:
    """Each method's probability of detection, false alarms a year and days to detection over
    simulated series with outbreaks injected (Noufaily et al. 2019), as a table."""
    sizes = tuple(k or (2.0, 5.0, 10.0))
    scores = []
    with stage_bar(console, _("evaluating"), len(SCENARIOS) * len(sizes)) as stage:
        for s in SCENARIOS:
            for size in sizes:
                stage(f"{s.name} k={size:g}")
                scores += list(evaluate((s,), (size,), runs, seed))
    text = table(scores)
    console.print(text, markup=False)
    if out is not None:
        out.write_text(text, encoding="utf-8")


@app.command("scan")
def scan_command(
    input_file: Annotated[
        Path, typer.Option("--input", help="CSV or .xlsx: date,count,longitude,latitude[,place]")
    ],
    out: Annotated[Path, typer.Option(help="the cluster CSV to write")],
    days: Annotated[int, typer.Option(help="the last days scanned", min=7)] = 60,
    cell_km: Annotated[
        float | None, typer.Option(help="gather cases into grid cells this wide (km)", min=0.05)
    ] = None,
    max_case_share: Annotated[float, typer.Option(min=0.01, max=0.5)] = 0.5,
    max_day_share: Annotated[float, typer.Option(min=0.01, max=0.9)] = 0.5,
    max_days: Annotated[int, typer.Option(help="0: no cap beyond the share", min=0)] = 7,
    replicates: Annotated[int, typer.Option(min=9)] = 999,
) -> None:
    """Kulldorff's prospective space-time permutation scan over places (a county at its seat, a
    clinic) or grid cells: the most likely cluster ending on the last day, with its Monte Carlo
    and Gumbel p-values; written as place,first_day,last_day,observed,expected,ratio,p,p_gumbel."""
    with command_errors(refused=_("nothing scanned")):
        grid = read_cases(
            input_file.name, input_file.read_bytes(), today=local_date(platform_now()),
            days=days, cell_km=cell_km,
        )  # fmt: skip
    settings = ScanSettings(max_case_share, max_day_share, max_days or None, replicates)
    x = np.array([p.x for p in grid.places])
    with console.status(_("scanning %(places)s places", places=len(grid.places))):
        found = scan(grid.counts, x, np.array([p.y for p in grid.places]), settings)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(
        ("place", "first_day", "last_day", "observed", "expected", "ratio", "p", "p_gumbel")
    )
    if found is not None:
        last = grid.first + timedelta(days=days - 1)
        start = last - timedelta(days=found.days - 1)
        writer.writerows(
            (grid.places[i].name, start.isoformat(), last.isoformat(), found.observed,
             round(found.expected, 4), round(found.ratio, 4), found.p, f"{found.p_gumbel:.3g}")
            for i in found.places
        )  # fmt: skip
    out.write_text(text.getvalue(), encoding="utf-8")
    if found is None:
        console.print(_("no cluster"))
        return
    console.print(
        _("a cluster of %(places)s places over %(days)s days: %(observed)s cases, "
          "%(expected)s expected, p = %(p)s", places=len(found.places), days=found.days,
          observed=found.observed, expected=f"{found.expected:.1f}", p=f"{found.p:.3f}")
    )  # fmt: skip
