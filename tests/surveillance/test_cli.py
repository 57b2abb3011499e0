"""`fangkong surveillance detect` over a CSV as a sentinel point's counts are sent: each county
judged on its own and written as date,county,observed,expected,threshold,alarm; every bad row
named and nothing written; a county too short said so."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from fangkong.cli import app
from fangkong.core.settings import get_settings
from tests.surveillance.test_ears import DATA, SERIES

START = date(2022, 1, 1)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("FANGKONG_CLOCK", "2022-03-21 23:00")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _csv(path: Path, rows: Sequence[tuple[object, ...]]) -> Path:
    path.write_text("date,count,county\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


def test_each_county_judged_on_its_own(runner: CliRunner, tmp_path: Path) -> None:
    linyi = [((START + timedelta(days=i)).isoformat(), n, "140821") for i, n in enumerate(SERIES)]
    short = [((START + timedelta(days=i)).isoformat(), 3, "140802") for i in range(5)]
    given = _csv(tmp_path / "counts.csv", linyi + short)
    out = tmp_path / "alarms.csv"
    done = runner.invoke(
        app,
        ["surveillance", "detect", "--method", "ears-c1", "--input", str(given), "--out", str(out)],
    )
    assert done.exit_code == 0, done.output
    assert "140802" in done.output and "7" in done.output  # too short: said, not judged
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["date", "county", "observed", "expected", "threshold", "alarm"]
    assert len(rows) == len(SERIES) - 7 and {r["county"] for r in rows} == {"140821"}
    assert rows[0]["date"] == (START + timedelta(days=7)).isoformat()
    assert sum(int(r["alarm"]) for r in rows) == 4  # as R's earsC C1 over the same series


def test_bad_rows_are_named_and_nothing_is_written(runner: CliRunner, tmp_path: Path) -> None:
    rows: list[tuple[object, ...]] = [
        ((START + timedelta(days=i)).isoformat(), n, "140821") for i, n in enumerate(SERIES[:20])
    ]
    rows[3] = (rows[3][0], -2, "140821")  # negative
    rows[5] = (rows[5][0], 2.5, "140821")  # not whole
    rows[8] = ("昨天", 4, "140821")  # not a date
    del rows[12]  # a day missing
    rows.append(("2022-04-01", 3, "140802"))  # after the platform's time
    out = tmp_path / "alarms.csv"
    refused = runner.invoke(
        app,
        [
            "surveillance",
            "detect",
            "--method",
            "ears-c2",
            "--input",
            str(_csv(tmp_path / "bad.csv", rows)),
            "--out",
            str(out),
        ],
    )
    assert refused.exit_code == 1
    said = refused.output
    assert "未生成预警" in said and "不是0或以上的整数" in said and "不是日期" in said
    for row in ("第5行", "第7行", "第10行", "第21行"):
        assert row in said, (row, said)
    assert "第14行" not in said  # the day missing before it is told once the dates all read
    assert not out.exists()


def test_an_unknown_method_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    given = _csv(tmp_path / "c.csv", [("2022-01-01", 1, "")])
    refused = runner.invoke(
        app,
        [
            "surveillance",
            "detect",
            "--method",
            "magic",
            "--input",
            str(given),
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert refused.exit_code == 2 and "ears-c1" in refused.output


def test_a_missing_day_is_named(runner: CliRunner, tmp_path: Path) -> None:
    days = [(START + timedelta(days=i)).isoformat() for i in range(20) if i != 11]
    given = _csv(tmp_path / "gap.csv", [(d, 4, "140821") for d in days])
    refused = runner.invoke(
        app,
        [
            "surveillance",
            "detect",
            "--method",
            "ears-c3",
            "--input",
            str(given),
            "--out",
            str(tmp_path / "o.csv"),
        ],
    )
    assert (
        refused.exit_code == 1 and "第13行" in refused.output and "此前缺少日期" in refused.output
    )


def test_the_cusum_from_the_command(runner: CliRunner, tmp_path: Path) -> None:
    linyi = [((START + timedelta(days=i)).isoformat(), n, "140821") for i, n in enumerate(SERIES)]
    out = tmp_path / "cusum.csv"
    args = ["surveillance", "detect", "--method", "cusum", "--h", "3"]
    done = runner.invoke(
        app, [*args, "--input", str(_csv(tmp_path / "c.csv", linyi)), "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == len(SERIES) - 9  # 7 days of baseline and a gap of 2
    assert any(r["alarm"] == "1" and r["date"] >= "2022-02-10" for r in rows)  # days 40-43


def _detect(runner: CliRunner, method: str, given: Path, out: Path) -> Result:
    args = ["surveillance", "detect", "--method", method, "--input", str(given), "--out", str(out)]
    return runner.invoke(app, args)


def test_essence_from_the_command(runner: CliRunner, tmp_path: Path) -> None:
    linyi = [((START + timedelta(days=i)).isoformat(), n, "140821") for i, n in enumerate(SERIES)]
    out = tmp_path / "essence.csv"
    done = _detect(runner, "essence", _csv(tmp_path / "c.csv", linyi), out)
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == len(SERIES) - 30  # 28 days of baseline and a guard band of 2
    assert any(r["alarm"] == "1" and "2022-02-10" <= r["date"] <= "2022-02-13" for r in rows)


def test_farrington_from_the_command_as_r(runner: CliRunner, tmp_path: Path) -> None:
    """Weekly counts dated by their Monday: the alarms R's farringtonFlexible gives."""
    weeks = list(csv.DictReader((DATA / "weekly.csv").open()))
    given = _csv(tmp_path / "w.csv", [(w["date"], w["count"], "140821") for w in weeks])
    out = tmp_path / "f.csv"
    done = _detect(runner, "farrington-flexible", given, out)
    assert done.exit_code == 0, done.output
    alarms = {r["date"] for r in csv.DictReader(out.open()) if r["alarm"] == "1"}
    wanted = [r for r in csv.DictReader((DATA / "farrington_r.csv").open())]
    assert {
        r["date"] for r in wanted if r["settings"] == "noufaily" and r["alarm"] == "TRUE"
    } <= alarms


def test_daily_counts_to_a_weekly_method_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    daily = [((START + timedelta(days=i)).isoformat(), n, "") for i, n in enumerate(SERIES)]
    out = tmp_path / "f.csv"
    refused = _detect(runner, "farrington-flexible", _csv(tmp_path / "d.csv", daily), out)
    assert refused.exit_code == 1 and "按日" in refused.output and "每周一行" in refused.output
    assert not out.exists()


def test_weekly_counts_to_a_daily_method_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    weeks = list(csv.DictReader((DATA / "weekly.csv").open()))
    given = _csv(tmp_path / "w.csv", [(w["date"], w["count"], "") for w in weeks])
    refused = _detect(runner, "ears-c1", given, tmp_path / "o.csv")
    assert refused.exit_code == 1 and "按周" in refused.output


def _city_rows(cluster: bool) -> list[tuple[object, ...]]:
    """Twelve clinics over 60 days to 20 March; with a cluster, two of them busy the last 3."""
    rng = np.random.default_rng(11)
    rows: list[tuple[object, ...]] = []
    for n in range(12):
        lon, lat = 110.6 + 0.05 * (n % 4), 35.0 + 0.05 * (n // 4)
        for back in range(60):
            day = date(2022, 3, 20) - timedelta(days=back)
            extra = 9 if cluster and n in (0, 1) and back < 3 else 0
            rows.append((day.isoformat(), int(rng.poisson(6)) + extra, lon, lat, f"诊所{n}"))
    return rows


def _scan(runner: CliRunner, given: Path, out: Path, *more: str) -> Result:
    args = ["surveillance", "scan", "--input", str(given), "--out", str(out), *more]
    return runner.invoke(app, args)


def test_the_scan_finds_the_places_and_days(runner: CliRunner, tmp_path: Path) -> None:
    given = tmp_path / "cases.csv"
    given.write_text(
        "日期,病例数,经度,纬度,地点\n"
        + "".join(",".join(map(str, r)) + "\n" for r in _city_rows(True))
    )
    out = tmp_path / "cluster.csv"
    done = _scan(runner, given, out)
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(out.open()))
    assert {r["place"] for r in rows} == {"诊所0", "诊所1"}
    assert rows[0]["last_day"] == "2022-03-20" and rows[0]["first_day"] >= "2022-03-18"
    assert float(rows[0]["p"]) <= 0.002 and "发现聚集" in done.output


def test_the_scan_over_grid_cells(runner: CliRunner, tmp_path: Path) -> None:
    """Single cases at their coordinates gathered into 3 km cells."""
    rows = [(d, n, lon, lat, "") for d, n, lon, lat, _ in _city_rows(False)]
    given = _csv_cases(tmp_path / "quiet.csv", rows)
    out = tmp_path / "cluster.csv"
    done = _scan(runner, given, out, "--cell-km", "3")
    assert done.exit_code == 0, done.output
    found = list(csv.DictReader(out.open()))
    assert all(":" in r["place"] for r in found)  # cells, not names
    assert not found or float(found[0]["p"]) > 0.05


def test_bad_case_rows_are_named(runner: CliRunner, tmp_path: Path) -> None:
    rows = _city_rows(False)[:30]
    rows[2] = (rows[2][0], -1, *rows[2][2:])
    rows[5] = ("2022-04-02", *rows[5][1:])
    rows[7] = (rows[7][0], rows[7][1], 300, *rows[7][3:])
    out = tmp_path / "c.csv"
    refused = _scan(runner, _csv_cases(tmp_path / "bad.csv", rows), out)
    assert refused.exit_code == 1 and "未进行扫描" in refused.output
    for row in ("第4行", "第7行", "第9行"):
        assert row in refused.output
    assert "不是有效坐标" in refused.output and not out.exists()


def _csv_cases(path: Path, rows: Sequence[tuple[object, ...]]) -> Path:
    path.write_text(
        "date,count,longitude,latitude,place\n"
        + "".join(",".join(map(str, r)) + "\n" for r in rows)
    )
    return path
