"""ESSENCE's regression/EWMA switch (the detector of the US National Syndromic Surveillance
Program's ESSENCE): for each day, the `baseline` days (28) before a `guard` band (2 days).

- Regression: least squares of the counts on a linear trend and day-of-week indicators over
  the baseline. When it explains the baseline (adjusted R^2 at least `min_r2`, 0.6, and its
  F-test significant at 0.05) the day is judged by it: expected = the prediction, threshold =
  expected + t(1 - alpha, n - p) * the prediction's standard error.
- Else an EWMA (weight `omega`, 0.4) of the counts against the baseline's mean: the day
  alarms when the EWMA is more than t(1 - alpha, n - 1) standard errors above the mean, the
  EWMA's standard error being sd * sqrt(omega / (2 - omega) + 1 / n) (its own spread and the
  mean's); the threshold given is the count that would take it there.

alpha is 0.01 by default (ESSENCE's alert; 0.05 is its warning). The sd is at least
`min_sigma` so that a flat baseline does not make every count above it an alarm."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import fdtrc, stdtrit

from fangkong.core.i18n import _
from fangkong.surveillance.ears import Counts, Judgement, SeriesTooShort


class Settings(NamedTuple):
    baseline: int = 28
    guard: int = 2
    omega: float = 0.4
    min_r2: float = 0.6
    alpha: float = 0.01
    min_sigma: float = 0.5


def _design(positions: np.ndarray) -> np.ndarray:
    """Intercept, trend, and six day-of-week indicators (the seventh is the intercept's)."""
    week = np.equal.outer(positions % 7, np.arange(1, 7)).astype(float)
    return np.column_stack([np.ones(len(positions)), positions.astype(float), week])


class Regression(NamedTuple):
    fits: bool  # adjusted R^2 and F-test say the baseline is explained
    expected: float
    threshold: float


def regression(y: np.ndarray, day: int, s: Settings) -> Regression:
    days = np.arange(day - s.guard - s.baseline, day - s.guard)
    x, counts = _design(days), y[days]
    beta, *_rest = np.linalg.lstsq(x, counts, rcond=None)
    n, p = x.shape
    residual = float(np.sum((counts - x @ beta) ** 2))
    total = float(np.sum((counts - counts.mean()) ** 2))
    sigma2 = max(residual / (n - p), s.min_sigma**2)
    x0 = _design(np.array([day]))[0]
    se = float(np.sqrt(sigma2 * (1 + x0 @ np.linalg.pinv(x.T @ x) @ x0)))
    expected = float(x0 @ beta)
    threshold = expected + float(stdtrit(n - p, 1 - s.alpha)) * se
    if total == 0:
        return Regression(False, expected, threshold)
    r2 = 1 - residual / total
    adjusted = 1 - (1 - r2) * (n - 1) / (n - p)
    f_p = fdtrc(p - 1, n - p, (r2 / (p - 1)) / max((1 - r2) / (n - p), 1e-12))
    return Regression(bool(adjusted >= s.min_r2 and f_p < 0.05), expected, threshold)


def ewma_threshold(
    y: np.ndarray, smoothed_before: float, day: int, s: Settings
) -> tuple[float, float]:
    """The baseline's mean and the count that takes the EWMA over the alarm line."""
    window = y[day - s.guard - s.baseline : day - s.guard]
    mean = float(window.mean())
    sd = max(float(window.std(ddof=1)), s.min_sigma)
    spread = sd * np.sqrt(s.omega / (2 - s.omega) + 1 / s.baseline)
    line = mean + float(stdtrit(s.baseline - 1, 1 - s.alpha)) * spread
    return mean, max(0.0, (line - (1 - s.omega) * smoothed_before) / s.omega)


def essence(counts: Counts, settings: Settings | None = None) -> list[Judgement]:
    s = settings or Settings()
    if s.baseline < 10 or s.guard < 0 or not 0 < s.omega <= 1 or not 0 < s.alpha < 1:
        raise ValueError("baseline >= 10, guard >= 0, 0 < omega <= 1, 0 < alpha < 1")
    y = np.asarray(counts, dtype=float)
    first = s.baseline + s.guard
    if len(y) <= first:
        raise SeriesTooShort(
            _(
                "ESSENCE needs more than %(days)s days; the series has %(has)s",
                days=first,
                has=len(y),
            )
        )
    smoothed = np.empty_like(y)  # the EWMA, from the first day's count
    smoothed[0] = y[0]
    for i in range(1, len(y)):
        smoothed[i] = s.omega * y[i] + (1 - s.omega) * smoothed[i - 1]
    out = []
    for day in range(first, len(y)):
        model = regression(y, day, s)
        if model.fits:
            expected, threshold = model.expected, max(model.threshold, 0.0)
        else:
            expected, threshold = ewma_threshold(y, float(smoothed[day - 1]), day, s)
        out.append(Judgement(day, float(y[day]), expected, threshold, bool(y[day] > threshold)))
    return out
