"""The detection pass over the sentinel points' counts, as of a moment (hourly while the server
runs, and `fangkong surveillance alarms`): each point's measure judged by the temporal methods
over the last complete days, the points of each measure scanned together in space and time.

An alarm stands for its episode: while a point's measure (or a measure's cluster) goes on
alarming, its alarm's last day moves on, and no second alarm is raised for it unless RECENT days
pass without one. The same pass again writes nothing; the alarm's unique key keeps two workers
from writing it twice. It reads no person."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import NamedTuple

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.timeutil import local_date
from fangkong.surveillance.ears import SeriesTooShort
from fangkong.surveillance.methods import judgements
from fangkong.surveillance.models import SentinelAlarm, SentinelPoint, SentinelReport
from fangkong.surveillance.scan import ScanSettings, kilometres, scan
from fangkong.surveillance.schemas import DetectDone

# The methods the pass runs, in order: an alarm is named by the first that alarms. EARS C2
# alarmed first on the demo's fever clinic with the fewest false alarms over its year
# (docs/surveillance.md); ESSENCE adds a point whose counts follow the week.
TEMPORAL = ("ears-c2", "essence")
RECENT = 7  # days back an alarm is still raised for (a late report judged when it comes)
NEEDED = 30  # days before the first judged the methods need (ESSENCE's, the longest)
SCAN_DAYS = 60
# A pass a day over each measure: p < 0.01 is a false cluster about once in a hundred days a
# measure (SaTScan's recurrence interval), not one every three weeks.
SCAN_P = 0.01
# Replicates stop once the p-value cannot fall below SCAN_P (most hours: nothing there).
SCAN = ScanSettings(max_case_share=0.5, max_days=7, replicates=999, stop_at_p=SCAN_P)


class PointSeries(NamedTuple):
    point: SentinelPoint
    measure: str
    days: list[date]
    counts: list[int]


def _unbroken(days: list[date], counts: list[int]) -> tuple[list[date], list[int]]:
    """The run of days without a gap that ends with the last one reported."""
    start = len(days) - 1
    while start > 0 and (days[start] - days[start - 1]).days == 1:
        start -= 1
    return days[start:], counts[start:]


def read_series(session: Session, *, since: date, until: date) -> list[PointSeries]:
    points = {p.id: p for p in session.scalars(select(SentinelPoint))}
    found: dict[tuple[int, str], tuple[list[date], list[int]]] = defaultdict(lambda: ([], []))
    r = SentinelReport
    rows = session.execute(
        select(r.point_id, r.measure, r.day, r.count)
        .where(r.day >= since, r.day <= until)
        .order_by(r.point_id, r.measure, r.day)
    )
    for point_id, measure, day, count in rows:
        days, counts = found[(point_id, measure)]
        days.append(day)
        counts.append(count)
    return [PointSeries(points[p], m, *_unbroken(*v)) for (p, m), v in sorted(found.items())]


class Found(NamedTuple):
    """What a method or the scan found, before it is an alarm."""

    kind: str
    method: str
    measure: str
    day: date
    points: list[SentinelPoint]  # the point; a cluster's centre first
    days: int
    observed: float
    expected: float
    threshold: float | None
    p_value: float | None

    @property
    def episode(self) -> tuple[str, str, int | None]:
        """What goes on alarming: a point's measure, or a measure's cluster anywhere."""
        return self.kind, self.measure, self.points[0].id if self.kind == "temporal" else None

    @property
    def key(self) -> str:
        return f"{self.method}:{self.points[0].id}:{self.measure}:{self.day.isoformat()}"

    def alarm(self, now: datetime) -> SentinelAlarm:
        return SentinelAlarm(
            key=self.key, kind=self.kind, method=self.method, measure=self.measure,
            day=self.day, last_day=self.day, point_id=self.points[0].id,
            county_code=self.points[0].county_code,
            points=[p.id for p in self.points], days=self.days, observed=self.observed,
            expected=self.expected, threshold=self.threshold, p_value=self.p_value,
            status="open", created_at=now, note="",
        )  # fmt: skip


def temporal_alarms(series: PointSeries, *, until: date) -> list[Found]:
    """Each recent day one of the methods alarms on, named by the first."""
    out: dict[date, Found] = {}
    for method in TEMPORAL:
        tail = -(RECENT + NEEDED)
        try:
            judged = judgements(series.counts[tail:], series.days[tail:], method)
        except SeriesTooShort:
            continue
        for j in judged:
            day = series.days[tail:][j.at]
            if not j.alarm or day in out or (until - day).days >= RECENT:
                continue
            out[day] = Found(
                "temporal", method, series.measure, day, [series.point], 1, j.observed,
                j.expected, j.threshold, None,
            )  # fmt: skip
    return list(out.values())


def cluster_alarms(measure: str, found: list[PointSeries], *, until: date) -> list[Found]:
    """The points of one measure scanned together over the last SCAN_DAYS days (a day not
    reported counts 0); a cluster at p < SCAN_P ending `until` is an alarm."""
    placed = [s for s in found if s.point.lon is not None and s.point.lat is not None]
    if len(placed) < 2:
        return []
    start = until - timedelta(days=SCAN_DAYS - 1)
    counts = np.zeros((len(placed), SCAN_DAYS), dtype=np.int64)
    for row, s in enumerate(placed):
        for day, n in zip(s.days, s.counts, strict=True):
            if day >= start:
                counts[row, (day - start).days] = n
    x, y = kilometres(
        np.array([s.point.lon or 0.0 for s in placed]),
        np.array([s.point.lat or 0.0 for s in placed]),
    )
    cluster = scan(counts, x, y, SCAN)
    if cluster is None or cluster.p >= SCAN_P:
        return []
    members = [placed[i].point for i in cluster.places]
    return [Found(
        "cluster", "space-time-scan", measure, until, members, cluster.days,
        float(cluster.observed), cluster.expected, None, cluster.p,
    )]  # fmt: skip


def _episodes(
    session: Session, raised: list[Found], until: date, now: datetime
) -> list[SentinelAlarm]:
    """The alarms new in this pass: what is not part of an episode already alarmed (in the
    table or earlier in this pass) — an episode alarmed goes on to its latest day instead."""
    latest: dict[tuple[str, str, int | None], SentinelAlarm] = {}
    earlier = session.scalars(
        select(SentinelAlarm)
        .where(SentinelAlarm.last_day >= until - timedelta(days=3 * RECENT))
        .order_by(SentinelAlarm.day)
    )
    for a in earlier:
        latest[(a.kind, a.measure, a.point_id if a.kind == "temporal" else None)] = a
    new = []
    for found in sorted(raised, key=lambda f: f.day):
        alarm = latest.get(found.episode)
        if alarm is not None and found.day <= alarm.last_day:
            continue  # told already
        if alarm is not None and (found.day - alarm.last_day).days <= RECENT:
            alarm.last_day = found.day
            continue
        latest[found.episode] = found.alarm(now)
        new.append(latest[found.episode])
    return new


def detect(session: Session, *, as_of: datetime) -> DetectDone:
    """One pass over the last complete day (yesterday, as of `as_of`) and the days before."""
    until = local_date(as_of) - timedelta(days=1)
    found = read_series(session, since=until - timedelta(days=SCAN_DAYS), until=until)
    raised = [f for s in found for f in temporal_alarms(s, until=until)]
    by_measure: dict[str, list[PointSeries]] = defaultdict(list)
    for s in found:
        by_measure[s.measure].append(s)
    for measure, group in sorted(by_measure.items()):
        raised += cluster_alarms(measure, group, until=until)
    new = _episodes(session, raised, until, as_of)
    session.add_all(new)
    session.flush()
    return DetectDone(series=len(found), raised=len(new))
