"""A run's daily series as the command centre reads it: CSV for Excel, Parquet for analysis."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from fangkong.core.errors import InvalidInput
from fangkong.sim.run import RunResult


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
