"""The temporal methods by the names people call them, one way in: a county's or a point's
series and the settings given (each method's own default where one is not)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from fangkong.surveillance import essence
from fangkong.surveillance.cusum import cusum
from fangkong.surveillance.ears import Counts, EarsMethod, Judgement, ears

EARS: dict[str, EarsMethod] = {"ears-c1": "C1", "ears-c2": "C2", "ears-c3": "C3"}
DAILY = (*EARS, "cusum", "essence")
WEEKLY = ("farrington-flexible",)
METHODS = (*DAILY, *WEEKLY)


class Settings(NamedTuple):
    alpha: float | None = None
    baseline: int | None = None
    k: float = 0.5  # CUSUM's allowance, in sd
    h: float = 4.0  # CUSUM's decision interval, in sd


def judgements(
    counts: Counts, days: Sequence[date], method: str, settings: Settings | None = None
) -> list[Judgement]:
    """Every day (or week) the method can judge; SeriesTooShort when none."""
    s = settings or Settings()
    if method == "cusum":
        return cusum(counts, baseline=s.baseline or 7, k=s.k, h=s.h)
    if method == "essence":
        given = essence.Settings()
        chosen = given._replace(alpha=s.alpha or given.alpha, baseline=s.baseline or given.baseline)
        return essence.essence(counts, chosen)
    if method == "farrington-flexible":
        from fangkong.surveillance import farrington  # scipy.stats: seconds to import

        weekly = farrington.Settings()
        return farrington.farrington_flexible(
            counts, days, weekly._replace(alpha=s.alpha or weekly.alpha)
        )
    return ears(counts, EARS[method], baseline=s.baseline or 7, alpha=s.alpha)
