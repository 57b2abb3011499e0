"""The CUSUM on standardised counts: a day alarms exactly when its count is above the threshold
it was given; a sustained shift of a little over one sd is found within days while a normal
series of a year stays nearly quiet; the sum starts again after an alarm."""

from __future__ import annotations

import numpy as np
import pytest

from fangkong.surveillance.cusum import cusum
from fangkong.surveillance.ears import SeriesTooShort


def test_the_threshold_is_the_count_that_alarms() -> None:
    rng = np.random.default_rng(7)
    counts = list(rng.poisson(10, 120))
    for j in cusum(counts):
        assert j.alarm == (j.observed > j.threshold), j


def test_a_shift_is_found_and_a_quiet_year_stays_quiet() -> None:
    rng = np.random.default_rng(11)
    quiet = [int(v) for v in rng.poisson(20, 365)]
    false_alarms = sum(j.alarm for j in cusum(quiet))
    assert false_alarms <= 6  # h = 4, k = 0.5 on a Poisson(20) year
    shifted = quiet[:200] + [int(v) for v in rng.poisson(27, 30)]  # +1.5 sd from day 200
    found = [j.at for j in cusum(shifted) if j.alarm and j.at >= 200]
    assert found and found[0] <= 207


def test_the_sum_starts_again_after_an_alarm() -> None:
    counts = [10, 11, 9, 10, 12, 9, 10, 11, 10, 40, 10, 11]
    judged = {j.at: j for j in cusum(counts)}
    assert judged[9].alarm and not judged[10].alarm  # back to normal: not told again


def test_too_short_and_bad_settings() -> None:
    with pytest.raises(SeriesTooShort):
        cusum([1] * 9)
    with pytest.raises(ValueError):
        cusum([1] * 20, h=0)
