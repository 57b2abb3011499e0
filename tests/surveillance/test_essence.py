"""ESSENCE's regression/EWMA switch: the regression judges a series with a weekly rhythm it
explains, the EWMA one it does not; few false alarms on a stable series; a step is found."""

from __future__ import annotations

import numpy as np
import pytest

from fangkong.surveillance.ears import SeriesTooShort
from fangkong.surveillance.essence import Settings, essence, regression

RNG = np.random.default_rng(20220306)
FLAT = RNG.poisson(20, 365).astype(float)
WEEKLY = (np.array([30, 32, 31, 29, 33, 10, 8] * 53) + RNG.poisson(3, 371)).astype(float)


def test_the_regression_judges_a_weekly_rhythm_and_the_ewma_a_flat_series() -> None:
    assert all(regression(WEEKLY, day, Settings()).fits for day in range(30, 371))
    assert not any(regression(FLAT, day, Settings()).fits for day in range(30, 365))


def test_the_regression_expects_the_weekend_low() -> None:
    """Day 40 is a Saturday of the rhythm (position 40 % 7 == 5): expected about 13, not 25."""
    judged = {j.at: j for j in essence(WEEKLY)}
    assert judged[40].expected == pytest.approx(13, abs=2)
    assert judged[38].expected == pytest.approx(34, abs=2)


@pytest.mark.parametrize("series", [FLAT, WEEKLY], ids=["ewma", "regression"])
def test_few_false_alarms_and_a_step_found(series: np.ndarray) -> None:
    judged = essence(series)
    assert sum(j.alarm for j in judged) <= 10  # alpha 0.01 over some 340 days
    stepped = series.copy()
    stepped[300:] += 15
    assert any(j.alarm for j in essence(stepped) if 300 <= j.at <= 302)


def test_every_alarm_is_a_count_above_its_threshold() -> None:
    for j in essence(FLAT):
        assert j.alarm == (j.observed > j.threshold)


def test_a_series_too_short_is_said_not_judged() -> None:
    with pytest.raises(SeriesTooShort, match="30"):
        essence(FLAT[:30])
    assert len(essence(FLAT[:31])) == 1


def test_settings_it_cannot_take_are_refused() -> None:
    with pytest.raises(ValueError, match="omega"):
        essence(FLAT, Settings(omega=0))
