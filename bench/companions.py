"""The companion job against DuckDB's raw scan and against the definition as one SQL query.

    python bench/companions.py [--people 100000 300000] [--days 14] [--cases 50]

For each size: a synthetic city (`fangkong companions synth`), its pings with their grid
cells as Parquet (person, ts, cell: the layout the raw scan and the reference read), and the
same pings ingested into stays (the job's layout). Then, each in a process of its own for
peak memory:

- raw scan: DuckDB `count(*)`, `sum(person)`, `sum(epoch(ts))`, `sum(cell)` over the pings;
- job: `run_job` on DuckDB (nothing cached), pings per second of the whole job;
- reference: the definition as one SQL query over the pings (fangkong/companions/reference.py);
- dask: the same job on a 2-worker LocalCluster.

Rows must match the reference exactly. Data goes to bench/data/ (not committed)."""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
NOW = datetime(2022, 3, 20, tzinfo=UTC)


def peak_mib() -> float:
    """This process's own peak RSS (VmHWM starts afresh at exec; ru_maxrss would carry the
    parent's peak over a fork, and the parent holds the data it prepared)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(people: int, days: int, cases: int) -> Path:
    import duckdb
    import pyarrow.parquet as pq

    from fangkong.companions.ingest import _load, ingest
    from fangkong.companions.synth import synthesize

    root = DATA / f"companions-{people}-{days}"
    if (root / "ready").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    started = time.perf_counter()
    made = synthesize(people, days, cases, seed=7, out=root / "raw")
    print(
        f"  synthesized {made.pings:,} pings in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    started = time.perf_counter()
    con = duckdb.connect()
    (root / "cells").mkdir()
    for f in made.files:
        pq.write_table(_load(con, f, datum="wgs84", size_m=800, now=NOW), root / "cells" / f.name)
    print(f"  cells in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    started = time.perf_counter()
    report = ingest(made.files, root / "ds", datum="wgs84", size_m=800, max_gap_min=30, now=NOW)
    print(
        f"  ingested into {report.stays:,} stays in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    (root / "ready").write_text(json.dumps({"pings": made.pings, "stays": report.stays}))
    return root


def child(mode: str, root: Path) -> dict[str, float]:
    import duckdb

    from fangkong.companions.job import read_cases, run_job
    from fangkong.companions.reference import reference
    from fangkong.protocol.loader import get_protocol

    rule = get_protocol("cn-8").companions
    cases = read_cases(root / "raw" / "cases.csv")
    pings = f"read_parquet('{root / 'cells'}/*.parquet')"
    started = time.perf_counter()
    rows = 0.0
    if mode == "scan":
        duckdb.sql(
            f"SELECT count(*), sum(person), sum(epoch(ts)), sum(cell) FROM {pings}"
        ).fetchall()
    elif mode in ("job", "dask"):
        shutil.rmtree(root / "ds" / "_companions", ignore_errors=True)
        result = run_job(root / "ds", cases, rule, engine="duckdb" if mode == "job" else "dask")
        rows = result.table.num_rows
        result.table.drop(["infected"]).sort_by(
            [("case", "ascending"), ("person", "ascending")]
        ).to_pandas().to_parquet(root / f"{mode}.parquet") if False else __import__(
            "pyarrow.parquet", fromlist=["x"]
        ).write_table(
            result.table.drop(["infected"]).sort_by(
                [("case", "ascending"), ("person", "ascending")]
            ),
            root / f"{mode}.parquet",
        )
    else:
        table = reference(pings, cases, rule)
        rows = table.num_rows
        __import__("pyarrow.parquet", fromlist=["x"]).write_table(table, root / "reference.parquet")
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_mib": peak_mib()}


def run(mode: str, root: Path) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", mode, "--root", str(root)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def same(root: Path, mode: str) -> bool:
    import numpy as np
    import pyarrow.parquet as pq

    ours, ref = pq.read_table(root / f"{mode}.parquet"), pq.read_table(root / "reference.parquet")
    keys = ["person", "case", "cells", "first_overlap", "last_overlap"]
    return ours.select(keys).equals(ref.select(keys)) and bool(
        np.allclose(np.array(ours.column("minutes")), np.array(ref.column("minutes")))
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-reference", action="store_true", help="skip the slow reference")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.root)))
        return
    for people in args.people:
        print(f"{people:,} people × {args.days} days, {args.cases} cases", file=sys.stderr)
        root = prepare(people, args.days, args.cases)
        facts = json.loads((root / "ready").read_text())
        pings = facts["pings"]
        scan, job = run("scan", root), run("job", root)
        ref = None if args.no_reference else run("reference", root)
        dask = run("dask", root)
        print(f"{people:,} people, {args.days} days: {pings:,} pings, {facts['stays']:,} stays")
        line("raw scan (3 columns)", scan, pings)
        line("job (DuckDB)", job, pings, f"job/scan speed {scan['seconds'] / job['seconds']:.2f}")
        if ref is not None:
            ratio = ref["seconds"] / job["seconds"]
            line(
                "reference (one query)",
                ref,
                pings,
                f"job {ratio:.1f}x faster, same rows: {same(root, 'job')}",
            )
        line("dask (2 workers)", dask, pings, f"same rows: {same(root, 'dask')}" if ref else "")


def line(name: str, got: dict[str, float], pings: int, note: str = "") -> None:
    print(
        f"  {name:22} {got['seconds']:7.2f} s {pings / got['seconds']:>14,.0f} pings/s"
        f"  peak {got['peak_mib']:,.0f} MiB  {got['rows']:,.0f} rows  {note}"
    )


if __name__ == "__main__":
    main()
