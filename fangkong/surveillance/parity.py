"""The evaluation's series as R reads them, and our alarms beside R's: the same days for EARS
C1, C2, C3 (daily, the last year) and the same weeks for Farrington-flexible (Noufaily's
settings), so that the table in docs/surveillance.md is of methods that are R's."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np

from fangkong.surveillance.ears import EarsMethod, ears
from fangkong.surveillance.evaluation import DAYS, JUDGED, START, weekly
from fangkong.surveillance.farrington import Settings, judge_week

EARS_METHODS: tuple[EarsMethod, ...] = ("C1", "C2", "C3")
R_METHODS = {"C1": "ears-c1", "C2": "ears-c2", "C3": "ears-c3", "farrington": "farrington-flexible"}


def write_for_r(folder: Path, series: Sequence[np.ndarray]) -> None:
    with (folder / "daily.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(("series", "index", "count"))
        out.writerows(
            (s, i, int(n)) for s, counts in enumerate(series) for i, n in enumerate(counts)
        )
    with (folder / "weekly.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(("series", "index", "date", "count"))
        for s, counts in enumerate(series):
            for w, n in enumerate(weekly(counts)):
                out.writerow((s, w, (START + timedelta(weeks=w)).isoformat(), int(n)))


def read_r(path: Path) -> set[tuple[int, str, int]]:
    """R's alarms: (series, method, index of the day or week)."""
    with path.open() as f:
        return {
            (int(r["series"]), R_METHODS[r["method"]], int(r["index"])) for r in csv.DictReader(f)
        }


def ours(series: Sequence[np.ndarray]) -> set[tuple[int, str, int]]:
    """Our alarms over the same days and weeks as R judges."""
    found = set()
    first = DAYS - JUDGED
    for s, counts in enumerate(series):
        for method in EARS_METHODS:
            tail = counts[first - 20 :]  # 20 days of history: more than C3 needs (11)
            for j in ears(tail, method):
                if j.alarm and j.at >= 20:
                    found.add((s, f"ears-{method.lower()}", j.at - 20 + first))
        weeks = weekly(counts).astype(float)
        mondays = [START + timedelta(weeks=w) for w in range(len(weeks))]
        for w in range(len(weeks) - 52, len(weeks)):
            judged = judge_week(weeks, mondays, w, Settings())
            if judged is not None and judged.alarm:
                found.add((s, "farrington-flexible", w))
    return found


class Parity(NamedTuple):
    method: str
    judged: int  # days or weeks judged by both
    both: int
    only_ours: int
    only_r: int


def parity(series: Sequence[np.ndarray], r: set[tuple[int, str, int]]) -> list[Parity]:
    mine = ours(series)
    out = []
    for method in R_METHODS.values():
        a = {x for x in mine if x[1] == method}
        b = {x for x in r if x[1] == method}
        judged = len(series) * (52 if method == "farrington-flexible" else JUDGED)
        out.append(Parity(method, judged, len(a & b), len(a - b), len(b - a)))
    return out
