"""Raw location files into the project's layout: stays, not pings.

A ping at `ts` places its person in its cell until their next ping, but never longer than
`max_gap`: a presence interval. Consecutive pings of one person in one cell whose intervals
touch make one stay [first ping, end of the last interval]. Stays are written per day (of
their start) as Parquet sorted by cell and start, so the companion job reads a tenth of the
rows and skips row groups by cell. A stay whose end the batch could not see (the person's
last ping of the batch) is marked `open`; the job clips it with the person's first ping of
the next day (`heads`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fangkong.core.citymap import city_bounds
from fangkong.core.geo import cell_ids, convert

EARLIEST = datetime(2019, 12, 1, tzinfo=UTC).timestamp()


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    pings: int = 0
    stays: int = 0
    days: list[str] = field(default_factory=list)


def _reader(path: Path) -> str:
    name = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        return f"read_parquet('{name}')"
    if path.suffix.lower() == ".csv":
        return f"read_csv('{name}', header=true)"
    raise ValueError("not .parquet or .csv")


def _load(con: duckdb.DuckDBPyConnection, path: Path, *, datum: str, size_m: int,
          now: datetime) -> pa.Table:  # fmt: skip
    """One file's pings as (person, ts, cell), or ValueError saying what is wrong."""
    try:
        columns = {c.lower() for c in con.sql(f"SELECT * FROM {_reader(path)} LIMIT 0").columns}
    except (duckdb.Error, ValueError) as exc:
        raise ValueError(f"not a readable file ({str(exc).splitlines()[0]})") from None
    has_cell = "cell" in columns
    if not {"person", "ts"} <= columns or not (has_cell or {"lon", "lat"} <= columns):
        raise ValueError(
            f"columns {sorted(columns)}: need person, ts and either cell or lon and lat"
        )
    where = "cell" if has_cell else "lon, lat"
    try:
        rel = con.sql(
            f"SELECT CAST(person AS BIGINT) AS person, CAST(ts AS TIMESTAMPTZ) AS ts, {where} "
            f"FROM {_reader(path)}"
        )
        table = rel.to_arrow_table()
    except duckdb.Error as exc:
        raise ValueError(f"unreadable values ({str(exc).splitlines()[0]})") from None
    ts = table.column("ts").cast(pa.timestamp("us", tz="UTC")).to_numpy(zero_copy_only=False)
    seconds = ts.astype("datetime64[us]").astype(np.int64) / 1e6
    late = (now + timedelta(days=1)).timestamp()
    bad = np.flatnonzero((seconds < EARLIEST) | (seconds > late) | np.isnan(seconds))
    if len(bad):
        row = int(bad[0])
        raise ValueError(f"row {row + 1}: timestamp {ts[row]} out of range (2019-12 to now)")
    if has_cell:
        cells = table.column("cell").to_numpy(zero_copy_only=False).astype(np.int64)
    else:
        lon = table.column("lon").to_numpy(zero_copy_only=False).astype(float)
        lat = table.column("lat").to_numpy(zero_copy_only=False).astype(float)
        if datum != "wgs84":
            lon, lat = convert(lon, lat, source=datum, target="wgs84")
        box = city_bounds()
        west, south, east, north = box.west, box.south, box.east, box.north
        outside = np.flatnonzero(~((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)))
        if len(outside):
            row = int(outside[0])
            raise ValueError(f"row {row + 1}: ({lon[row]:.5f}, {lat[row]:.5f}) is outside the city")
        cells = cell_ids(lon, lat, size_m=size_m)
    return pa.table(
        {
            "person": table.column("person"),
            "ts": pa.array(ts.astype("datetime64[us]"), type=pa.timestamp("us", tz="UTC")),
            "cell": pa.array(cells),
        }
    )


STAYS_SQL = """
WITH p AS (SELECT DISTINCT person, ts, cell FROM batch),
n AS (
  SELECT *, lead(ts) OVER w AS next_ts, lag(ts) OVER w AS prev_ts, lag(cell) OVER w AS prev_cell
  FROM p WINDOW w AS (PARTITION BY person ORDER BY ts)
),
e AS (
  SELECT *,
    CASE WHEN next_ts IS NULL THEN ts + INTERVAL ({gap}) MINUTE
         ELSE least(next_ts, ts + INTERVAL ({gap}) MINUTE) END AS pend,
    next_ts IS NULL AS open,
    (prev_cell IS NULL OR prev_cell <> cell OR ts - prev_ts > INTERVAL ({gap}) MINUTE)::INT AS fresh
  FROM n
),
g AS (
  SELECT *, sum(fresh) OVER (PARTITION BY person ORDER BY ts ROWS UNBOUNDED PRECEDING) AS grp
  FROM e
)
SELECT person, cell, min(ts) AS start, max(pend) AS "end", max(ts) AS last_ping,
       bool_or(open) AS open
FROM g GROUP BY person, cell, grp
ORDER BY cell, start
"""


def _write_stays(
    con: duckdb.DuckDBPyConnection, batch: pa.Table, dataset: Path, *, tag: str,
    max_gap_min: int, report: IngestReport,
) -> None:  # fmt: skip
    report.pings += batch.num_rows
    con.register("batch", batch)
    stays = con.sql(STAYS_SQL.format(gap=int(max_gap_min))).to_arrow_table()
    con.register("stays", stays)
    heads = con.sql(
        "SELECT person, CAST(timezone('UTC', ts) AS DATE) AS day, min(ts) AS first_ts "
        "FROM batch GROUP BY ALL"
    ).to_arrow_table()
    con.register("heads", heads)
    days = con.sql(
        "SELECT DISTINCT CAST(timezone('UTC', start) AS DATE) AS day FROM stays ORDER BY day"
    ).fetchall()
    for (day,) in days:
        part = con.sql(
            f'SELECT person, cell, start, "end", last_ping, open FROM stays '
            f"WHERE CAST(timezone('UTC', start) AS DATE) = DATE '{day}' ORDER BY cell, start"
        ).to_arrow_table()
        folder = dataset / "stays" / f"day={day}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(part, folder / f"part-{tag}.parquet", row_group_size=256 * 1024)
        report.stays += part.num_rows
        if str(day) not in report.days:
            report.days.append(str(day))
    for (day,) in con.sql("SELECT DISTINCT day FROM heads ORDER BY day").fetchall():
        part = con.sql(
            f"SELECT person, first_ts FROM heads WHERE day = DATE '{day}'"
        ).to_arrow_table()
        folder = dataset / "heads" / f"day={day}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(part, folder / f"part-{tag}.parquet")
    con.unregister("batch")
    con.unregister("stays")
    con.unregister("heads")


def ingest(
    sources: Sequence[Path], dataset: Path, *, datum: str, size_m: int, max_gap_min: int,
    now: datetime,
) -> IngestReport:  # fmt: skip
    """Validate each file; turn the good ones' pings into stays, file by file (a file a day,
    as operators deliver them; a stay left open at a file's end is clipped by the job). A
    bad file is named with its reason and nothing from it is added; a file seen before is
    skipped."""
    report = IngestReport()
    dataset.mkdir(parents=True, exist_ok=True)
    ledger_path = dataset / "_ingested.json"
    ledger: dict[str, str] = json.loads(ledger_path.read_text()) if ledger_path.exists() else {}
    con = duckdb.connect()
    for path in sources:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in ledger:
            report.already.append(path.name)
            continue
        try:
            batch = _load(con, path, datum=datum, size_m=size_m, now=now)
        except ValueError as exc:
            report.refused[path.name] = str(exc)
            continue
        # A file at a time (a day of pings): memory stays flat however many days come.
        _write_stays(con, batch, dataset, tag=digest[:12], max_gap_min=max_gap_min, report=report)
        ledger[digest] = path.name
        report.added.append(path.name)
    ledger_path.write_text(json.dumps(ledger, indent=1), encoding="utf-8")
    return report
