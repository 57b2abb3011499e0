"""Companions: ingestion, the exact job against the plain SQL definition, Dask, bad input."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from fangkong.cli import app
from fangkong.companions.ingest import _load, ingest
from fangkong.companions.job import Case, read_cases, run_job
from fangkong.companions.reference import reference
from fangkong.companions.synth import synthesize
from fangkong.core.geo import convert
from fangkong.protocol.loader import ProtocolError, get_protocol, load_protocol_file

NOW = datetime(2022, 3, 10, tzinfo=UTC)
RULE = get_protocol("cn-8").companions


City = tuple[Path, Path, list[Case], pa.Table]  # folder, data set, cases, every ping


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    root = tmp_path_factory.mktemp("city")
    made = synthesize(1_500, 3, 4, seed=3, out=root / "raw")
    dataset = root / "ds"
    ingest(made.files, dataset, datum="wgs84", size_m=800, max_gap_min=30, now=NOW)
    con = duckdb.connect()
    pings = pa.concat_tables(
        [_load(con, f, datum="wgs84", size_m=800, now=NOW) for f in made.files]
    )
    return root, dataset, read_cases(made.cases), pings


def ordered(table: pa.Table) -> pa.Table:
    return table.sort_by([("case", "ascending"), ("person", "ascending")])


def test_the_job_returns_exactly_the_rows_of_the_definition(city: City) -> None:
    _, dataset, cases, pings = city
    ours = ordered(run_job(dataset, cases, RULE).table.drop(["infected"]))
    expected = reference(pings, cases, RULE)
    assert ours.num_rows == expected.num_rows > 0
    assert ours.select(["person", "case", "cells"]).equals(
        expected.select(["person", "case", "cells"])
    )
    assert np.allclose(np.array(ours.column("minutes")), np.array(expected.column("minutes")))
    assert ours.column("first_overlap").equals(expected.column("first_overlap"))
    assert ours.column("last_overlap").equals(expected.column("last_overlap"))
    assert (np.array(ours.column("minutes")) >= 10).all()
    assert not any(
        p == c
        for p, c in zip(
            ours.column("person").to_pylist(), ours.column("case").to_pylist(), strict=True
        )
    )


def test_the_dask_engine_returns_the_same_rows(city: City) -> None:
    _, dataset, cases, _ = city
    local = ordered(run_job(dataset, cases, RULE).table)
    import shutil

    shutil.rmtree(dataset / "_companions")
    on_dask = ordered(run_job(dataset, cases, RULE, engine="dask", workers=2).table)
    assert on_dask.equals(local)


def test_the_dask_engine_on_a_cluster_by_its_scheduler_address(city: City) -> None:
    import shutil

    from dask.distributed import LocalCluster

    _, dataset, cases, _ = city
    local = ordered(run_job(dataset, cases[:2], RULE).table)
    shutil.rmtree(dataset / "_companions")
    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        remote = run_job(
            dataset, cases[:2], RULE, engine="dask", scheduler=cluster.scheduler_address
        )
    assert ordered(remote.table).equals(local)


def test_rerunning_changes_nothing_and_a_new_case_is_computed_alone(city: City) -> None:
    _, dataset, cases, _ = city
    first = run_job(dataset, cases[:2], RULE)
    again = run_job(dataset, cases[:2], RULE)
    assert again.computed == [] and ordered(again.table).equals(ordered(first.table))
    more = run_job(dataset, cases[:3], RULE)
    assert more.computed in ([], [cases[2].person])
    infected = {c.person for c in cases[:3]}
    flagged = {
        p
        for p, f in zip(
            more.table.column("person").to_pylist(),
            more.table.column("infected").to_pylist(),
            strict=True,
        )
        if f
    }
    assert flagged <= infected


def test_a_case_with_no_pings_is_reported(city: City) -> None:
    _, dataset, _, _ = city
    ghost = Case(99_999_999, datetime(2022, 3, 3, 12, tzinfo=UTC))
    result = run_job(dataset, [ghost], RULE)
    assert result.missing == [99_999_999] and result.table.num_rows == 0


def test_the_cell_hours_clause_narrows_the_list(city: City) -> None:
    _, dataset, cases, _ = city
    strict = RULE.model_copy(update={"cell_hours_clause": True, "min_cell_hours": 30})
    result = run_job(dataset, cases, strict)
    assert result.table.num_rows <= result.without_clause
    plain = run_job(dataset, cases, RULE).table
    assert set(result.table.column("person").to_pylist()) <= set(plain.column("person").to_pylist())


def test_bad_files_are_named_and_add_nothing(tmp_path: Path) -> None:
    good = pa.table(
        {
            "person": [1, 1],
            "ts": pa.array(
                [datetime(2022, 3, 1, 8, tzinfo=UTC), datetime(2022, 3, 1, 8, 15, tzinfo=UTC)]
            ),
            "lon": [111.0, 111.0],
            "lat": [35.03, 35.03],
        }
    )
    files = {}
    for name, table in {
        "good.parquet": good,
        "columns.parquet": good.rename_columns(["who", "ts", "lon", "lat"]),
        "epoch.parquet": good.set_column(1, "ts", pa.array([datetime(1970, 1, 1, tzinfo=UTC)] * 2)),
        "future.parquet": good.set_column(
            1, "ts", pa.array([datetime(2023, 3, 1, tzinfo=UTC)] * 2)
        ),
        "abroad.parquet": good.set_column(2, "lon", pa.array([2.35, 2.35])),
    }.items():
        files[name] = tmp_path / name
        pq.write_table(table, files[name])
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    files["broken.parquet"] = tmp_path / "broken.parquet"
    report = ingest(
        list(files.values()), tmp_path / "ds", datum="wgs84", size_m=800, max_gap_min=30, now=NOW
    )
    assert report.added == ["good.parquet"]
    assert "need person, ts" in report.refused["columns.parquet"]
    assert "row 1: timestamp" in report.refused["epoch.parquet"]
    assert "out of range" in report.refused["future.parquet"]
    assert "outside the city" in report.refused["abroad.parquet"]
    assert "not a readable file" in report.refused["broken.parquet"]
    again = ingest(
        [files["good.parquet"]], tmp_path / "ds", datum="wgs84", size_m=800, max_gap_min=30, now=NOW
    )
    assert again.already == ["good.parquet"] and not again.added


def test_gcj02_files_land_in_the_same_cells(tmp_path: Path) -> None:
    lon, lat = np.array([111.0, 110.8]), np.array([35.03, 35.1])
    g_lon, g_lat = convert(lon, lat, source="wgs84", target="gcj02")
    ts = pa.array([datetime(2022, 3, 1, 8, tzinfo=UTC)] * 2)
    con = duckdb.connect()
    for name, (x, y) in (
        ("w.parquet", (lon, lat)),
        ("g.parquet", (g_lon, g_lat)),
    ):
        pq.write_table(pa.table({"person": [1, 2], "ts": ts, "lon": x, "lat": y}), tmp_path / name)
    w = _load(con, tmp_path / "w.parquet", datum="wgs84", size_m=800, now=NOW)
    g = _load(con, tmp_path / "g.parquet", datum="gcj02", size_m=800, now=NOW)
    assert w.column("cell").equals(g.column("cell"))


def test_a_cell_size_of_zero_is_refused_by_key(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[2] / "fangkong/protocol/files/cn-8.toml").read_text(
        encoding="utf-8"
    )
    bad = tmp_path / "cn-8.toml"
    bad.write_text(text.replace("cell_size_m = 800", "cell_size_m = 0"), encoding="utf-8")
    with pytest.raises(ProtocolError, match="companions.cell_size_m"):
        load_protocol_file(bad)


def test_the_commands(tmp_path: Path, set_clock: Callable[[str], None]) -> None:
    """The README's steps in order, on a replay's clock: the synthetic city's days end on the
    platform's today, a purge right after keeps them, one a month and more later drops them."""
    runner = CliRunner()
    set_clock("2022-03-02 20:00")
    raw, ds, out = tmp_path / "raw", tmp_path / "ds", tmp_path / "out.parquet"
    made = runner.invoke(
        app,
        [
            "companions",
            "synth",
            "--people",
            "800",
            "--days",
            "2",
            "--cases",
            "3",
            "--out",
            str(raw),
        ],
    )
    assert made.exit_code == 0, made.output
    done = runner.invoke(app, ["companions", "ingest", str(raw / "pings"), "--into", str(ds)])
    assert done.exit_code == 0 and "新增文件 2 个" in done.output
    found = runner.invoke(
        app,
        [
            "companions",
            "run",
            "--dataset",
            str(ds),
            "--cases",
            str(raw / "cases.csv"),
            "--out",
            str(out),
        ],
    )
    assert found.exit_code == 0, found.output
    assert pq.read_table(out).column_names == [
        "person",
        "case",
        "minutes",
        "first_overlap",
        "last_overlap",
        "cells",
        "infected",
    ]
    purge = ["companions", "purge", "--dataset", str(ds), "--older-than", "30"]
    kept = runner.invoke(app, purge)
    assert kept.exit_code == 0 and "已删除 0 天" in kept.output  # just ingested
    nowhere = runner.invoke(
        app, ["companions", "run", "--dataset", str(ds), "--cases", str(raw / "cases.csv")]
    )
    assert nowhere.exit_code == 2 and "--out" in nowhere.output
    set_clock("2022-05-01 12:00")
    purged = runner.invoke(app, purge)
    assert purged.exit_code == 0 and "已删除 3 天" in purged.output
    assert not list((ds / "stays").glob("day=*"))


@pytest.fixture
def set_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Sets the platform's clock (FANGKONG_CLOCK) for the commands; the wall clock after."""
    from fangkong.core.settings import get_settings

    def set_to(moment: str) -> None:
        monkeypatch.setenv("FANGKONG_CLOCK", moment)
        get_settings.cache_clear()

    yield set_to
    monkeypatch.undo()
    get_settings.cache_clear()
