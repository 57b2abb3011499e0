"""A CUSUM on standardised counts: each day's count standardised by the mean and sd of its
baseline (the `baseline` days before a `gap`, as EARS C2 takes them), summed upward,
S_t = max(0, S_{t-1} + z_t - k), and an alarm when S_t > h; the sum starts again from 0 after
an alarm so that one outbreak is not told every day after it. The threshold given for a day is
the count that would have crossed h. k = 0.5 and h = 4 by default (a one-sd shift found in
about eight days, a false alarm in some five hundred days of a normal series)."""

from __future__ import annotations

import numpy as np

from fangkong.core.i18n import _
from fangkong.surveillance.ears import Counts, Judgement, SeriesTooShort, baselines


def cusum(
    counts: Counts,
    *,
    baseline: int = 7,
    gap: int = 2,
    k: float = 0.5,
    h: float = 4.0,
    min_sigma: float = 0.5,
) -> list[Judgement]:
    """`min_sigma` keeps a flat baseline (sd 0) from making every count above it infinite."""
    if baseline < 3 or gap < 0 or k < 0 or h <= 0 or min_sigma <= 0:
        raise ValueError("baseline >= 3, gap >= 0, k >= 0, h > 0 and min_sigma > 0")
    y = np.asarray(counts, dtype=float)
    first = baseline + gap
    if len(y) <= first:
        raise SeriesTooShort(
            _("CUSUM needs more than %(days)s days; the series has %(has)s", days=first, has=len(y))
        )
    mean, sd = baselines(y, baseline, gap)
    sd = np.maximum(sd, min_sigma)
    out, total = [], 0.0
    for day, m, s in zip(range(first, len(y)), mean, sd, strict=True):
        threshold = m + s * (h + k - total)  # the count that takes the sum over h
        total = max(0.0, total + (y[day] - m) / s - k)
        alarm = total > h
        out.append(Judgement(day, float(y[day]), float(m), float(max(threshold, 0.0)), alarm))
        if alarm:
            total = 0.0
    return out
