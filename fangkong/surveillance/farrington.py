"""Farrington-flexible (Noufaily et al. 2013's improvements of Farrington et al. 1996) as R's
`surveillance::farringtonFlexible` computes it, over weekly counts dated by week start.

For each week judged: the same week `b` years back (by the calendar, moved to the nearest day
of the same weekday) with `w` weeks either side are one season; the weeks between them are cut
into `no_periods - 1` further seasons (a factor); the week itself and the
`past_weeks_not_included` weeks before it are left out. A quasi-Poisson GLM (log link,
intercept, linear trend, the seasons) is fitted, refitted with Anscombe-residual weights (a
week whose residual is above `weights_threshold` counts less), the trend kept only when
significant at `p_threshold_trend` with at least three years and no extrapolation beyond the
largest count. The threshold is the (1 - alpha) quantile of a negative binomial with the
predicted mean and the dispersion (`nbPlugin`, the default) or Farrington's own, from the
`powertrans` (2/3-power) transformed prediction and its standard error (`delta`). No alarm
when the last `limit54[1]` weeks hold fewer than `limit54[0]` cases, nor for a week of 0."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Literal, NamedTuple

import numpy as np
from scipy.stats import nbinom, norm, poisson

from fangkong.core.i18n import _
from fangkong.surveillance.ears import Counts, Judgement, SeriesTooShort
from fangkong.surveillance.glm import Fit, anscombe_residuals, quasipoisson

Threshold = Literal["nbPlugin", "delta"]
# Farrington's transformations: the power, and the sd of the transformed count given mu, tau.
POWERS: dict[str, tuple[float, Callable[[float, float], float]]] = {
    "none": (1.0, lambda mu, tau: float(np.sqrt(mu * tau))),
    "1/2": (0.5, lambda mu, tau: float(np.sqrt(tau / 4))),
    "2/3": (2 / 3, lambda mu, tau: float(np.sqrt(4 / 9 * mu ** (1 / 3) * tau))),
}


class Settings(NamedTuple):
    b: int = 3
    w: int = 3
    no_periods: int = 10
    past_weeks_not_included: int = 26
    reweight: bool = True
    weights_threshold: float = 2.58
    trend: bool = True
    p_threshold_trend: float = 0.05
    limit54: tuple[int, int] = (5, 4)
    powertrans: str = "2/3"
    threshold_method: Threshold = "nbPlugin"
    alpha: float = 0.01


def _years_back(day: date, years: int) -> date:
    """R's seq(by = "-1 year"): the same month and day; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 3, 1)


def _same_weekday(target: date, weekday: int) -> date:
    """The day of `weekday` nearest `target` (the earlier when both are as near), as R does."""
    a = target - timedelta(days=target.weekday() - weekday)
    b = a + timedelta(days=-7 if a > target else 7)
    return a if abs((a - target).days) <= abs((b - target).days) else b


def reference_weeks(days: Sequence[date], k: int, b: int) -> list[int] | None:
    """Positions of week k and of its weeks 1..b years back, newest first; None when one of
    them is not in the series."""
    at = {d: i for i, d in enumerate(days)}
    weeks = [k]
    for year in range(1, b + 1):
        found = at.get(_same_weekday(_years_back(days[k], year), days[k].weekday()))
        if found is None:
            return None
        weeks.append(found)
    return weeks


def seasons(n: int, weeks: list[int], settings: Settings) -> np.ndarray | None:
    """R's surveillance:::blocks: each position's season (nan where unused); p = no_periods is
    the season of the weeks around the week judged and its past years."""
    w, p = settings.w, settings.no_periods
    season = np.full(n, np.nan)
    season[max(weeks[0] - w, 0) : weeks[0] + 1] = p
    for newer, ref in zip(weeks, weeks[1:], strict=False):
        if ref - w < 0:
            return None
        season[ref - w : ref + w + 1] = p
        if p == 1:
            continue
        between = newer - 2 * w - 1 - ref
        if between < p - (2 * w + 1):
            raise ValueError("no_periods is too large for the weeks between the years")
        lengths = np.full(p - 1, between // (p - 1))
        lengths[: between % (p - 1)] += 1
        edges = ref + w + 1 + np.concatenate([[0], np.cumsum(lengths)])
        for j in range(p - 1):
            season[edges[j] : edges[j + 1]] = j + 1
    return season


class Design(NamedTuple):
    x: np.ndarray  # intercept, trend, then a column per season after the first present
    y: np.ndarray
    now: np.ndarray  # the week judged's row
    trend_column: int


def design(counts: np.ndarray, season: np.ndarray, k: int, settings: Settings) -> Design:
    """The fit's rows: the seasons' weeks, less the week judged and the weeks just before it;
    the trend in weeks from the first of them."""
    used = season.copy()
    used[max(k - settings.past_weeks_not_included, 0) : k + 1] = np.nan
    rows = np.flatnonzero(~np.isnan(used))
    levels = np.unique(used[rows])
    columns = [np.ones(len(rows)), (rows - rows[0]).astype(float)]
    now = [1.0, float(k - rows[0])]
    for level in levels[1:] if settings.no_periods != 1 else []:
        columns.append((used[rows] == level).astype(float))
        now.append(float(level == settings.no_periods))
    return Design(np.column_stack(columns), counts[rows], np.array(now), 1)


def _drop(d: Design, column: int) -> Design:
    keep = [c for c in range(d.x.shape[1]) if c != column]
    return Design(d.x[:, keep], d.y, d.now[keep], -1)


def fit(d: Design, settings: Settings) -> tuple[Fit, float] | None:
    """algo.farrington.fitGLM.flexible: fit, then refit with Anscombe weights; phi >= 1."""
    model = quasipoisson(d.x, d.y)
    if not model.converged:
        return None
    phi = max(model.dispersion, 1.0)
    if settings.reweight:
        s = anscombe_residuals(model, d.y, phi)
        high = s > settings.weights_threshold
        inverse = np.divide(1.0, s**2, out=np.ones_like(s), where=high)
        gamma = len(s) / np.sum(inverse)
        omega = gamma * inverse
        model = quasipoisson(d.x, d.y, omega)
        phi = max(model.dispersion, 1.0)
        # R then stores omega as the model's `weights`, where summary.glm (and so the trend's
        # test and predict.glm's standard error) expects the working weights: its dispersion
        # becomes sum(omega (y - mu)^2 / mu^2) / df. Kept, so that the thresholds are R's.
        seen = float(np.sum(omega * ((d.y - model.mu) / model.mu) ** 2) / model.df_residual)
        model = model._replace(dispersion=seen)
    return model, phi


def model_for(d: Design, settings: Settings) -> tuple[Fit, float, Design] | None:
    """With the trend if it is significant, there are three years and it does not extrapolate
    beyond the largest count fitted; else without (algo.farrington.glm)."""
    without = _drop(d, d.trend_column)
    if not settings.trend:
        found = fit(without, settings)
        return None if found is None else (*found, without)
    found = fit(d, settings)
    if found is not None:
        model, phi = found
        eta, _se = model.predict_link(d.now)
        if (
            settings.b >= 3
            and model.coefficient_p(d.trend_column) < settings.p_threshold_trend
            and np.exp(eta) <= d.y.max()
        ):
            return model, phi, d
    found = fit(without, settings)
    return None if found is None else (*found, without)


class Bound(NamedTuple):
    expected: float
    upper: float
    centre: float  # what R's score measures from: eta for nbPlugin, the mean for delta


def bound(eta: float, se: float, phi: float, settings: Settings) -> Bound:
    alpha = settings.alpha
    mu = float(np.exp(eta))
    if settings.threshold_method == "nbPlugin":
        if phi > 1:
            upper = float(nbinom.ppf(1 - alpha, mu / (phi - 1), 1 / phi))
        else:
            upper = float(poisson.ppf(1 - alpha, mu))
        return Bound(mu, upper, eta)
    power, sd = POWERS[settings.powertrans]
    tau = phi + (se * mu) ** 2 / mu  # se on the response scale, as predict.glm gives it
    upper = float((mu**power + norm.ppf(1 - alpha) * sd(mu, tau)) ** (1 / power))
    return Bound(mu, upper, mu)


def judge_week(
    counts: np.ndarray, days: Sequence[date], k: int, settings: Settings
) -> Judgement | None:
    weeks = reference_weeks(days, k, settings.b)
    season = None if weeks is None else seasons(len(counts), weeks, settings)
    if season is None:
        return None
    found = model_for(design(counts, season, k, settings), settings)
    if found is None:
        return None
    model, phi, used = found
    eta, se = model.predict_link(used.now)
    b = bound(eta, se, phi, settings)
    y = float(counts[k])
    cases, weeks_back = settings.limit54
    enough = counts[max(k - weeks_back + 1, 0) : k + 1].sum() >= cases
    score = (y - b.centre) / (b.upper - b.centre)
    return Judgement(k, y, b.expected, b.upper, bool(enough and score > 1 and y != 0))


def farrington_flexible(
    counts: Counts, days: Sequence[date], settings: Settings | None = None
) -> list[Judgement]:
    """A judgement for every week that has `b` years and `w` weeks behind it (a model that does
    not converge judges nothing that week, as R gives NA)."""
    settings = settings or Settings()
    if settings.powertrans not in POWERS or settings.threshold_method not in ("nbPlugin", "delta"):
        raise ValueError("powertrans: none, 1/2 or 2/3; threshold_method: nbPlugin or delta")
    if settings.b < 1 or settings.w < 0 or settings.no_periods < 1 or not 0 < settings.alpha < 1:
        raise ValueError("b >= 1, w >= 0, no_periods >= 1 and 0 < alpha < 1")
    y = np.asarray(counts, dtype=float)
    if len(days) != len(y) or any((b - a).days != 7 for a, b in zip(days, days[1:], strict=False)):
        raise ValueError(
            _("daily counts: this method needs weekly counts, a row a week dated by its first day")
        )
    first = 52 * settings.b + settings.w
    if len(y) <= first:
        raise SeriesTooShort(
            _("Farrington-flexible needs more than %(weeks)s weeks; the series has %(has)s",
              weeks=first, has=len(y))
        )  # fmt: skip
    judged = (judge_week(y, days, k, settings) for k in range(first, len(y)))
    return [j for j in judged if j is not None]
