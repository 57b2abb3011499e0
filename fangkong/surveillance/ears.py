"""The EARS C1, C2 and C3 methods (CDC's Early Aberration Reporting System) as R's
`surveillance::earsC` computes them, so a command centre's alarms can be checked against the
reference implementation:

- C1: the mean and standard deviation of the `baseline` days just before the day; threshold =
  mean + z(1 - alpha) * max(sd, min_sigma).
- C2: the same over the `baseline` days before a two-day gap.
- C3: R's form: each day's C2 score z = (count - mean) / max(sd, min_sigma) as above; the
  excesses max(0, z - 1) of the two previous days are summed; the threshold is
  max(0, count + max(sd, min_sigma) * (z(1 - alpha) - that sum)) — so the day alarms when the
  two days before it exceeded their C2 expectations by more than z(1 - alpha) in all.

alpha defaults as R's: 0.001 for C1 and C2, 0.025 for C3. Counts in, one judgement a day that
has the history the method needs; a series too short is said so, not judged."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.special import ndtri

from fangkong.core.i18n import _

EarsMethod = Literal["C1", "C2", "C3"]
Counts = Sequence[float] | np.ndarray  # a day (or week) a count, oldest first
DEFAULT_ALPHA = {"C1": 0.001, "C2": 0.001, "C3": 0.025}
GAP = {"C1": 0, "C2": 2, "C3": 2}
# Days of history before the first day judged: the baseline, the gap, and for C3 the two
# previous days' own C2 baselines.
EXTRA = {"C1": 0, "C2": 2, "C3": 4}


class Judgement(NamedTuple):
    at: int  # position in the series
    observed: float
    expected: float  # the baseline's mean
    threshold: float  # R's upperbound
    alarm: bool


class SeriesTooShort(ValueError):
    """Fewer days than the method needs before its first judgement."""


def baselines(counts: np.ndarray, baseline: int, gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample sd of the `baseline` days ending `gap` days before each day, for the
    days that have them (day i's window is counts[i - gap - baseline : i - gap])."""
    windows = sliding_window_view(counts, baseline)[: len(counts) - baseline - gap]
    return windows.mean(axis=1), windows.std(axis=1, ddof=1)


def ears(
    counts: Counts,
    method: EarsMethod = "C1",
    *,
    baseline: int = 7,
    alpha: float | None = None,
    min_sigma: float = 0.0,
) -> list[Judgement]:
    if baseline < 3:
        raise ValueError("the baseline must be at least 3 days")
    if min_sigma < 0:
        raise ValueError("min_sigma must not be negative")
    y = np.asarray(counts, dtype=float)
    first = baseline + EXTRA[method]  # index of the first day judged
    if len(y) <= first:
        raise SeriesTooShort(
            _("EARS %(method)s needs more than %(days)s days; the series has %(has)s",
              method=method, days=first, has=len(y))
        )  # fmt: skip
    z = float(ndtri(1 - (DEFAULT_ALPHA[method] if alpha is None else alpha)))
    gap = GAP[method]
    mean, sd = baselines(y, baseline, gap)  # mean[k] belongs to day k + baseline + gap
    sd = np.maximum(sd, min_sigma)
    days = np.arange(first, len(y))
    at = days - baseline - gap
    if method in ("C1", "C2"):
        threshold = mean[at] + z * sd[at]
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            score = (y[baseline + gap :] - mean) / sd  # C2's score, from day baseline + gap
        excess = np.maximum(0.0, score - 1)
        lags = excess[at - 2] + excess[at - 1]
        threshold = np.maximum(0.0, y[days] + sd[at] * (z - lags))
    return [
        Judgement(int(d), float(y[d]), float(mean[a]), float(t), bool(y[d] > t))
        for d, a, t in zip(days, at, threshold, strict=True)
    ]
