"""The companion definition written the obvious way, as one SQL query over the raw pings:
presence intervals by window function, pairs by cell and time, overlaps summed. It is the
reference the job is tested and benchmarked against (it must return the same rows)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

from fangkong.companions.job import Case, register_cases
from fangkong.protocol.models import CompanionRule


def reference(
    pings: pa.Table | str, cases: Sequence[Case], rule: CompanionRule, *, threads: int = 0
) -> pa.Table:
    """`pings`: person, ts, cell (all of them, every day), as a table or a DuckDB source
    such as `read_parquet('…/*.parquet')`."""
    con = duckdb.connect()
    if threads:
        con.sql(f"SET threads = {threads}")
    if isinstance(pings, str):
        con.sql(f"CREATE VIEW pings AS SELECT * FROM {pings}")
    else:
        con.register("pings", pings)
    register_cases(con, cases, rule)
    gap = int(rule.max_gap_minutes)
    sql = f"""
    WITH p AS (SELECT DISTINCT person, ts, cell FROM pings),
    iv AS (
      SELECT person, cell, ts AS a,
             least(coalesce(lead(ts) OVER (PARTITION BY person ORDER BY ts),
                            ts + INTERVAL ({gap}) MINUTE),
                   ts + INTERVAL ({gap}) MINUTE) AS b
      FROM p
    ),
    ci AS (
      SELECT c.case_person, iv.cell, greatest(iv.a, c.lo) AS a, least(iv.b, c.report) AS b
      FROM iv JOIN cases c ON iv.person = c.case_person
      WHERE least(iv.b, c.report) > greatest(iv.a, c.lo)
    ),
    pairs AS (
      SELECT iv.person, ci.case_person, iv.cell,
             greatest(iv.a, ci.a) AS o1, least(iv.b, ci.b) AS o2
      FROM iv JOIN ci ON iv.cell = ci.cell AND iv.a < ci.b AND iv.b > ci.a
      WHERE iv.person <> ci.case_person
    )
    SELECT person, case_person AS "case", sum(epoch(o2) - epoch(o1)) / 60.0 AS minutes,
           min(o1) AS first_overlap, max(o2) AS last_overlap, count(DISTINCT cell) AS cells
    FROM pairs GROUP BY ALL HAVING minutes >= {float(rule.min_minutes)}
    ORDER BY "case", person
    """
    return con.sql(sql).to_arrow_table()
