"""Farrington-flexible as R's `surveillance::farringtonFlexible` computes it: the same weeks
judged, the same expected counts and thresholds to 1e-6 and the same alarms under four
settings (Noufaily's defaults; Farrington's original with no seasons, reweighting above 1 and
the 2/3-power threshold; seasons with the delta threshold; no trend and no limit), over five
years of weekly counts with three outbreaks (tests/data/surveillance/farrington_r.csv, written
by scripts/farrington_reference.R with Debian's r-cran-surveillance 1.20.3)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from fangkong.surveillance.ears import SeriesTooShort
from fangkong.surveillance.farrington import Settings, farrington_flexible, reference_weeks

DATA = Path(__file__).parent.parent / "data" / "surveillance"
WEEKS = list(csv.DictReader((DATA / "weekly.csv").open()))
DAYS = [date.fromisoformat(r["date"]) for r in WEEKS]
COUNTS = [int(r["count"]) for r in WEEKS]
REFERENCE = list(csv.DictReader((DATA / "farrington_r.csv").open()))
SETTINGS = {
    "noufaily": Settings(),
    "farrington": Settings(
        no_periods=1, past_weeks_not_included=3, weights_threshold=1, threshold_method="delta"
    ),
    "delta_periods": Settings(w=2, no_periods=4, threshold_method="delta", alpha=0.05),
    "no_trend": Settings(trend=False, alpha=0.05, limit54=(0, 4)),
}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_the_same_thresholds_and_alarms_as_r(name: str) -> None:
    wanted = [r for r in REFERENCE if r["settings"] == name]
    judged = {j.at: j for j in farrington_flexible(COUNTS, DAYS, SETTINGS[name])}
    for r in wanted:
        got = judged[int(r["index"])]
        assert got.expected == pytest.approx(float(r["expected"]), abs=1e-6), r
        assert got.threshold == pytest.approx(float(r["threshold"]), abs=1e-6), r
        assert got.alarm == (r["alarm"] == "TRUE"), r
    assert sum(r["alarm"] == "TRUE" for r in wanted) >= 10  # the outbreaks are in it


def test_the_default_is_noufailys() -> None:
    s = Settings()
    assert (s.b, s.w, s.no_periods, s.past_weeks_not_included, s.weights_threshold) == (
        3, 3, 10, 26, 2.58
    )  # fmt: skip
    assert (s.limit54, s.powertrans, s.threshold_method, s.alpha) == (
        (5, 4),
        "2/3",
        "nbPlugin",
        0.01,
    )


def test_years_back_are_the_nearest_same_weekday() -> None:
    """A Monday three years back is a Monday, the nearest to the same calendar day."""
    weeks = reference_weeks(DAYS, 200, 3)
    assert weeks is not None and all(DAYS[w].weekday() == 0 for w in weeks)
    assert [abs((DAYS[w] - DAYS[200].replace(year=DAYS[200].year - i)).days) <= 3
            for i, w in enumerate(weeks)] == [True] * 4  # fmt: skip


def test_few_cases_in_the_last_four_weeks_do_not_alarm() -> None:
    """limit54: a jump from nothing to 4 is not an alarm (fewer than 5 in 4 weeks)."""
    quiet = [0] * 200 + [4]
    days = [date(2018, 1, 1) + timedelta(weeks=i) for i in range(len(quiet))]
    assert not farrington_flexible(quiet, days)[-1].alarm
    loud = [0] * 200 + [9]
    assert farrington_flexible(loud, days)[-1].alarm


def test_a_series_too_short_is_said_not_judged() -> None:
    with pytest.raises(SeriesTooShort, match="159"):
        farrington_flexible(COUNTS[:159], DAYS[:159])


def test_daily_counts_are_refused() -> None:
    days = [date(2018, 1, 1) + timedelta(days=i) for i in range(400)]
    with pytest.raises(ValueError, match="按周"):
        farrington_flexible([3] * 400, days)
