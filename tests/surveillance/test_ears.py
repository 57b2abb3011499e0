"""EARS C1, C2 and C3 as R's `surveillance::earsC` computes them: the same days judged, the
same thresholds to 1e-8 and the same alarms, each method at R's default alpha and at 0.05,
over a series with an outbreak in it (tests/data/surveillance/ears_r.csv, written by
scripts/ears_reference.R with Debian's r-cran-surveillance 1.20.3)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from fangkong.surveillance.ears import EarsMethod, SeriesTooShort, ears

DATA = Path(__file__).parent.parent / "data" / "surveillance"
SERIES = [int(r["count"]) for r in csv.DictReader((DATA / "series.csv").open())]
REFERENCE = list(csv.DictReader((DATA / "ears_r.csv").open()))
METHODS: tuple[EarsMethod, ...] = ("C1", "C2", "C3")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("alpha", ["default", "0.05"])
def test_the_same_thresholds_and_alarms_as_r(method: EarsMethod, alpha: str) -> None:
    wanted = [r for r in REFERENCE if r["method"] == method and r["alpha"] == alpha]
    got = ears(SERIES, method, alpha=None if alpha == "default" else float(alpha))
    assert [j.at for j in got] == [int(r["index"]) for r in wanted]
    for judged, r in zip(got, wanted, strict=True):
        assert judged.threshold == pytest.approx(float(r["threshold"]), abs=1e-8)
        assert judged.alarm == (r["alarm"] == "TRUE")
    assert any(j.alarm for j in got)  # the outbreak on days 40-43 is seen


def test_c3_sums_the_two_previous_days_excesses() -> None:
    """Flat then a jump: C1 alarms on the jump day itself; C3 the days after, once the days
    before them exceeded their C2 expectations by more than z(0.975) in all. R: C1 day 13,
    C3 days 14 and 15."""
    counts = [5, 6, 5, 4, 6, 5, 5, 6, 5, 4, 6, 5, 5, 20, 20, 5]
    c1 = {j.at for j in ears(counts, "C1") if j.alarm}
    c3 = {j.at for j in ears(counts, "C3") if j.alarm}
    assert (c1, c3) == ({13}, {14, 15})


@pytest.mark.parametrize(("method", "needed"), [("C1", 7), ("C2", 9), ("C3", 11)])
def test_a_series_too_short_is_said_not_judged(method: EarsMethod, needed: int) -> None:
    with pytest.raises(SeriesTooShort, match=f"{needed}"):
        ears([1] * needed, method)
    assert len(ears([1] * (needed + 1), method)) == 1


def test_a_flat_series_divides_by_nothing() -> None:
    """Zero variance: R's threshold is the mean (C1/C2); a count above it alarms."""
    judged = ears([3] * 7 + [3, 4], "C1")
    assert [(j.threshold, j.alarm) for j in judged] == [(3.0, False), (3.0, True)]
