"""The evaluation harness: the methods judged over its simulated series are R's (the same alarm
days for EARS C1, C2, C3 and the same weeks for Farrington-flexible as R's `surveillance` gave
over the same series: tests/data/surveillance/evaluation_r.csv, from scripts/compare_with_r.py
--runs 1 --seed 5); larger outbreaks are found more often; false alarms are counted on the
series without outbreaks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fangkong.surveillance.evaluation import (
    DAYS,
    JUDGED,
    OUTBREAKS,
    SCENARIOS,
    alarm_days,
    evaluate,
    simulate,
    table,
)
from fangkong.surveillance.parity import parity, read_r

DATA = Path(__file__).parent.parent / "data" / "surveillance"


def test_the_same_alarms_as_r_over_the_simulated_series() -> None:
    rng = np.random.default_rng(5)
    series = [simulate(s, 5.0, rng).counts for s in SCENARIOS]
    found = parity(series, read_r(DATA / "evaluation_r.csv"))
    assert [(p.only_ours, p.only_r) for p in found] == [(0, 0)] * 4
    assert all(p.both > 0 for p in found)


def test_outbreaks_are_injected_in_the_last_year() -> None:
    s = simulate(SCENARIOS[1], 5.0, np.random.default_rng(1))
    assert len(s.starts) == OUTBREAKS and all(DAYS - JUDGED <= d < DAYS for d in s.starts)
    assert (s.counts >= s.baseline).all() and s.counts.sum() > s.baseline.sum()
    assert all(start <= end for start, end in zip(s.starts, s.ends, strict=True))


def test_larger_outbreaks_are_found_more_often() -> None:
    small, large = (
        {x.method: x for x in evaluate(SCENARIOS[1:2], (k,), 4, 7)} for k in (1.0, 10.0)
    )
    assert large["cusum"].pod > small["cusum"].pod
    assert large["ears-c1"].pod >= small["ears-c1"].pod
    assert (large["cusum"].years, large["cusum"].outbreaks) == (4, 4 * OUTBREAKS)
    said = table(list(large.values()))
    assert said.count("\n") == 2 + len(large) and "| seasonal | 10 | cusum |" in said


def test_false_alarms_are_the_baselines_alarms() -> None:
    """The harness seeds each scenario and size as [seed, scenario, 10 k]."""
    s = simulate(SCENARIOS[0], 5.0, np.random.default_rng([3, 0, 50]))
    scored = next(x for x in evaluate(SCENARIOS[:1], (5.0,), 1, 3) if x.method == "ears-c2")
    assert scored.false_alarms == len(alarm_days(s.baseline, "ears-c2")) > 0
    assert scored.fpr == scored.false_alarms  # one year
