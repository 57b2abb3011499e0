"""The companion job: everyone whose presence shared a grid cell with a case's presence for at
least `min_minutes` within the window before the report.

Presence comes as stays (see ingest.py): disjoint intervals per person. So the co-presence of
a person with a case is the sum of the overlaps of their stays with the case's stays in the
same cell — each pair counted once, nothing counted twice. The work is two steps: the cases'
stays in the window (few), then one pass over all stays joined to them by cell and time (a
hash join on cell with a range condition). Open ends (a stay whose next ping is in the next
day's file) are clipped to the person's next ping from `heads` with an as-of join.

The Dask engine runs the second step on groups of files on the workers, with the cases'
stays sent to each, and sums the overlaps here: the same rows, exactly."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from fangkong.protocol.models import CompanionRule

OnStep = Callable[[str], None]
COLUMNS = ("person", "case", "minutes", "first_overlap", "last_overlap", "cells")
CACHE_FORMAT = "v2"  # bump when the kept results' columns change


@dataclass(frozen=True)
class Case:
    person: int
    report: datetime


@dataclass
class JobResult:
    # person, case, minutes, first_overlap, last_overlap, cells, cell_ids (the shared cells,
    # for maps), infected
    table: pa.Table
    computed: list[int]  # cases computed in this run (the others came from earlier runs)
    without_clause: int  # companions before the cell-hours clause (equal when it is off)
    missing: list[int]  # cases with no presence in the window (reported, not fatal)


def _files(dataset: Path, kind: str) -> list[str]:
    return sorted(str(p) for p in (dataset / kind).glob("day=*/*.parquet"))


def _scan(files: Sequence[str]) -> str:
    quoted = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return f"read_parquet([{quoted}])"


def _clip_open(table: str) -> str:
    """The stay's end, clipped to the person's next ping where the stay was left open."""
    return (
        f"CASE WHEN {table}.open AND h.first_ts IS NOT NULL "
        f'THEN least({table}."end", h.first_ts) ELSE {table}."end" END'
    )


def register_cases(
    con: duckdb.DuckDBPyConnection, cases: Sequence[Case], rule: CompanionRule
) -> None:
    """The cases as a DuckDB table `cases`: the person, the report and the window's start."""
    con.register(
        "cases",
        pa.table(
            {
                "case_person": pa.array([c.person for c in cases], type=pa.int64()),
                "report": pa.array([c.report for c in cases], type=pa.timestamp("us", tz="UTC")),
                "lo": pa.array(
                    [c.report - timedelta(days=rule.window_days) for c in cases],
                    type=pa.timestamp("us", tz="UTC"),
                ),
            }
        ),
    )


def case_windows(
    con: duckdb.DuckDBPyConnection, stays: Sequence[str], heads: Sequence[str],
    cases: Sequence[Case], rule: CompanionRule,
) -> pa.Table:  # fmt: skip
    """Each case's presence intervals inside [report − window, report], clipped."""
    register_cases(con, cases, rule)
    heads_scan = (
        _scan(heads)
        if heads
        else "(SELECT 0::BIGINT AS person, NULL::TIMESTAMPTZ AS first_ts WHERE false)"
    )
    sql = f"""
    WITH cs AS (
      SELECT c.case_person, s.person, s.cell, s.start, s."end", s.last_ping, s.open, c.lo, c.report
      FROM {_scan(stays)} s JOIN cases c ON s.person = c.case_person
      WHERE s."end" > c.lo AND s.start < c.report
    ),
    hd AS (
      SELECT person, first_ts FROM {heads_scan}
      WHERE person IN (SELECT case_person FROM cases)
    ),
    clipped AS (
      SELECT cs.case_person, cs.cell, greatest(cs.start, cs.lo) AS a,
             least({_clip_open("cs")}, cs.report) AS b
      FROM cs ASOF LEFT JOIN hd h ON cs.person = h.person AND h.first_ts > cs.last_ping
    )
    SELECT case_person, cell, a, b FROM clipped WHERE b > a
    """
    return con.sql(sql).to_arrow_table()


def overlaps(stays: Sequence[str], heads: Sequence[str], windows: pa.Table) -> pa.Table:
    """Every (person, case, cell) overlap of a stay in these files with a case interval."""
    con = duckdb.connect()
    con.register("cw", windows)
    heads_scan = (
        _scan(heads)
        if heads
        else "(SELECT 0::BIGINT AS person, NULL::TIMESTAMPTZ AS first_ts WHERE false)"
    )
    sql = f"""
    WITH cand AS (
      SELECT s.person, s.cell, s.start, s."end", s.last_ping, s.open, cw.case_person, cw.a, cw.b
      FROM {_scan(stays)} s JOIN cw ON s.cell = cw.cell AND s.start < cw.b AND s."end" > cw.a
      WHERE s.person <> cw.case_person
    ),
    -- the next ping only matters for the candidates' open stays: read those heads alone
    hd AS (
      SELECT person, first_ts FROM {heads_scan}
      WHERE person IN (SELECT person FROM cand WHERE open)
    ),
    clipped AS (
      SELECT cand.person, cand.case_person, cand.cell,
             greatest(cand.start, cand.a) AS o1, least({_clip_open("cand")}, cand.b) AS o2
      FROM cand ASOF LEFT JOIN hd h ON cand.person = h.person AND h.first_ts > cand.last_ping
    )
    SELECT person, case_person, cell, o1, o2 FROM clipped WHERE o2 > o1
    """
    return con.sql(sql).to_arrow_table()


AGGREGATE = """
SELECT person, case_person AS "case",
       sum(epoch(o2) - epoch(o1)) / 60.0 AS minutes,
       min(o1) AS first_overlap, max(o2) AS last_overlap,
       count(DISTINCT cell) AS cells,
       list(DISTINCT cell ORDER BY cell) AS cell_ids
FROM ov GROUP BY ALL
"""


def _rule_key(rule: CompanionRule) -> str:
    return hashlib.sha256(rule.model_dump_json().encode()).hexdigest()[:12]


def _cache_path(dataset: Path, case: Case, rule: CompanionRule) -> Path:
    ledger = dataset / "_ingested.json"
    version = hashlib.sha256(ledger.read_bytes()).hexdigest()[:12] if ledger.exists() else "none"
    stamp = case.report.strftime("%Y%m%dT%H%M%S")
    return (
        dataset
        / "_companions"
        / f"case={case.person}"
        / f"{stamp}-{_rule_key(rule)}-{version}.parquet"
    )


def run_job(
    dataset: Path,
    cases: Sequence[Case],
    rule: CompanionRule,
    *,
    engine: str = "duckdb",
    scheduler: str | None = None,
    workers: int = 2,
    infected: Sequence[int] = (),
    on_step: OnStep | None = None,
) -> JobResult:
    """Companions of the cases. Results per case are kept beside the data (keyed by the
    report time, the rule and the data's version): running again for the same cases reads
    them back; a new case is computed alone."""
    step = on_step or (lambda _: None)
    stays, heads = _files(dataset, "stays"), _files(dataset, "heads")
    if not stays:
        raise ValueError(f"{dataset}: no ingested data")
    if rule.cell_hours_clause and engine == "dask":
        raise ValueError("the cell-hours clause runs on the duckdb engine only")
    todo = [c for c in cases if not _cache_path(dataset, c, rule).exists()]
    con = duckdb.connect()
    missing: list[int] = []
    without = 0
    if todo:
        step(f"the {len(todo)} new cases' presence")
        windows = case_windows(con, stays, heads, todo, rule)
        present = set(windows.column("case_person").to_pylist())
        missing = [c.person for c in todo if c.person not in present]
        step("overlaps with everyone's stays")
        if engine == "dask":
            ov = _overlaps_on_dask(stays, heads, windows, scheduler=scheduler, workers=workers)
        else:
            ov = overlaps(stays, heads, windows)
        con.register("ov", ov)
        found = con.sql(
            AGGREGATE + f" HAVING minutes >= {float(rule.min_minutes)}"
        ).to_arrow_table()
        without = found.num_rows
        if rule.cell_hours_clause:
            found = _cell_hours(con, stays, windows, ov, found, rule)
        step("results saved per case")
        con.register("found", found)
        for case in todo:
            mine = con.sql(
                f'SELECT * FROM found WHERE "case" = {case.person} ORDER BY person'
            ).to_arrow_table()
            path = _cache_path(dataset, case, rule)
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(mine, path)
    parts = [pq.read_table(_cache_path(dataset, c, rule)) for c in cases]
    table = pa.concat_tables(parts) if parts else pa.table({k: [] for k in COLUMNS})
    marked = {c.person for c in cases} | set(infected)
    flags = pa.array([p in marked for p in table.column("person").to_pylist()])
    table = table.append_column("infected", flags)
    return JobResult(table, [c.person for c in todo], without, missing)


def _cell_hours(
    con: duckdb.DuckDBPyConnection, stays: Sequence[str], windows: pa.Table, ov: pa.Table,
    found: pa.Table, rule: CompanionRule,
) -> pa.Table:  # fmt: skip
    """Keep a companion only if, in some shared cell, they or the case stayed at least
    `min_cell_hours` over the case's window."""
    con.register("found_all", found)
    con.register("cw_all", windows)
    hours = float(rule.min_cell_hours)
    sql = f"""
    WITH shared AS (SELECT DISTINCT person, case_person, cell FROM ov),
    span AS (SELECT case_person, min(a) AS lo, max(b) AS hi FROM cw_all GROUP BY ALL),
    person_hours AS (
      SELECT sh.person, sh.case_person, sh.cell,
             sum(epoch(least(s."end", sp.hi)) - epoch(greatest(s.start, sp.lo))) / 3600.0 AS h
      FROM shared sh JOIN span sp USING (case_person)
      JOIN {_scan(stays)} s ON s.person = sh.person AND s.cell = sh.cell
        AND s.start < sp.hi AND s."end" > sp.lo
      GROUP BY ALL
    ),
    case_hours AS (
      SELECT case_person, cell, sum(epoch(b) - epoch(a)) / 3600.0 AS h FROM cw_all GROUP BY ALL
    ),
    ok AS (
      SELECT DISTINCT sh.person, sh.case_person FROM shared sh
      LEFT JOIN person_hours ph USING (person, case_person, cell)
      LEFT JOIN case_hours ch USING (case_person, cell)
      WHERE coalesce(ph.h, 0) >= {hours} OR coalesce(ch.h, 0) >= {hours}
    )
    SELECT f.* FROM found_all f JOIN ok ON f.person = ok.person AND f."case" = ok.case_person
    """
    return con.sql(sql).to_arrow_table()


def _overlaps_on_dask(
    stays: Sequence[str], heads: Sequence[str], windows: pa.Table, *, scheduler: str | None,
    workers: int,
) -> pa.Table:  # fmt: skip
    from dask.distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    try:
        with Client(scheduler or cluster) as client:
            shared = client.scatter(windows, broadcast=True)
            groups = [list(stays[k :: max(workers * 2, 1)]) for k in range(max(workers * 2, 1))]
            futures = [
                client.submit(overlaps, g, list(heads), shared, pure=False) for g in groups if g
            ]
            parts = client.gather(futures)
    finally:
        if cluster is not None:
            cluster.close()
    return pa.concat_tables(parts)


def read_cases(path: Path) -> list[Case]:
    """A CSV of person,report_time (ISO 8601 with an offset)."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], start=2):
        if not line.strip():
            continue
        try:
            person, report = line.split(",")[:2]
            when = datetime.fromisoformat(report.strip())
            if when.tzinfo is None:
                raise ValueError("report_time needs an offset, e.g. +08:00")
            out.append(Case(int(person), when))
        except ValueError as exc:
            raise ValueError(f"{path.name} row {number}: {exc}") from None
    return out


def summary(result: JobResult) -> str:
    return json.dumps({"companions": result.table.num_rows, "computed": result.computed})
