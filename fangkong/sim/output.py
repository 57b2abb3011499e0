"""A run's daily series as the command centre reads it: CSV for Excel, Parquet for analysis."""

from __future__ import annotations

import json
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fangkong.core.errors import InvalidInput
from fangkong.sim.ensemble import Ensemble, dotted_name
from fangkong.sim.kernels import SERIES
from fangkong.sim.run import RunResult

CHART = Path(__file__).with_name("chart.html")
# Installed from the npm registry at set-up (make setup), inlined into chart files.
ECHARTS = Path(__file__).resolve().parent.parent / "web/node_modules/echarts/dist/echarts.min.js"


def series_table(result: RunResult) -> pa.Table:
    return pa.table(result.as_columns())


def write_series(result: RunResult, out: Path) -> None:
    table = series_table(result)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        pacsv.write_csv(table, out)
    elif suffix == ".parquet":
        pq.write_table(table, out)
    else:
        raise InvalidInput.at(("out",), f"{out.name}: write .csv or .parquet")


CHARTED = ("cum_infections", "infectious", "cum_detected", "rooms_used", "in_home_quarantine",
           "tests_used", "lab_backlog", "sealed_cells")  # fmt: skip


def summary_table(ensemble: Ensemble) -> pa.Table:
    """Per setting, column and day: the 5th percentile, median and 95th percentile."""
    rows: dict[str, list[Any]] = {
        k: [] for k in ("setting", "column", "day", "p05", "median", "p95")
    }
    for s, setting in enumerate(ensemble.settings):
        for column in SERIES[1:]:
            low, mid, high = ensemble.band(s, column)
            for day in range(len(mid)):
                rows["setting"].append(dotted_name(setting))
                rows["column"].append(column)
                rows["day"].append(day)
                rows["p05"].append(float(low[day]))
                rows["median"].append(float(mid[day]))
                rows["p95"].append(float(high[day]))
    return pa.table(rows)


def runs_table(ensemble: Ensemble) -> pa.Table:
    settings, seeds, days, _ = ensemble.runs.shape
    flat = ensemble.runs.reshape(settings * seeds * days, len(SERIES))
    names = [dotted_name(s) for s in ensemble.settings]
    columns: dict[str, Any] = {
        "setting": np.repeat(np.array(names, dtype=object), seeds * days),
        "seed": np.tile(np.repeat(np.arange(seeds), days), settings),
    }
    columns.update({name: flat[:, k] for k, name in enumerate(SERIES)})
    return pa.table(columns)


def write_ensemble(ensemble: Ensemble, folder: Path, *, title: str) -> list[Path]:
    """runs.parquet (every run, every day), summary.csv (median and 90 % band) and
    chart.html: the bands drawn with ECharts, the library inlined so it opens offline."""
    folder.mkdir(parents=True, exist_ok=True)
    runs, summary, chart = folder / "runs.parquet", folder / "summary.csv", folder / "chart.html"
    pq.write_table(runs_table(ensemble), runs)
    pacsv.write_csv(summary_table(ensemble), summary)
    chart.write_text(_chart_html(ensemble, title), encoding="utf-8")
    return [runs, summary, chart]


def _chart_html(ensemble: Ensemble, title: str) -> str:
    library = ECHARTS.read_text(encoding="utf-8") if ECHARTS.exists() else ""
    data = {
        column: [
            {"name": dotted_name(setting), "band": [b.tolist() for b in ensemble.band(s, column)]}
            for s, setting in enumerate(ensemble.settings)
        ]
        for column in CHARTED
    }
    page = Template(CHART.read_text(encoding="utf-8"))
    return page.substitute(title=title, library=library, runs=ensemble.runs.shape[1],
                           data=json.dumps(data))  # fmt: skip
