"""Sentinel points and their counts: set up by the city, reported by the day and within it
(the later report of a day replaces the earlier), through the API or a sheet — all or nothing,
every bad row named, the same file twice changing nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import ValidationError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, FieldProblem, InvalidInput
from fangkong.core.i18n import _, validation_message
from fangkong.core.sheets import Layout, Row, Table, cell_datetime, read_sheet, sheet_refused
from fangkong.core.timeutil import local_date
from fangkong.surveillance.models import SentinelPoint, SentinelReport
from fangkong.surveillance.permissions import MANAGE_SENTINELS, REPORT_SENTINELS
from fangkong.surveillance.schemas import (
    MEASURES,
    PointIn,
    PointRead,
    ReportIn,
    ReportsDone,
    SeriesRead,
)


def readable_points(actor: Actor) -> Select[SentinelPoint]:
    return select(SentinelPoint).where(actor.in_county(SentinelPoint.county_code))


def add_point(session: Session, *, actor: Actor, data: PointIn, now: datetime) -> SentinelPoint:
    actor.require(MANAGE_SENTINELS, what="set up sentinel points")
    if session.scalar(select(SentinelPoint.id).where(SentinelPoint.code == data.code)):
        raise Conflict(_("a sentinel point %(code)s exists", code=data.code))
    point = SentinelPoint(**data.model_dump(), created_at=now)
    session.add(point)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="create",
        entity="sentinel_point",
        entity_id=point.id,
        now=now,
        detail=data.code,
    )
    return point


def list_points(
    session: Session, *, actor: Actor, as_of: datetime | None = None
) -> list[PointRead]:
    """The actor's points with the last day each has reported (by `as_of`, for a past
    moment's page)."""
    r = SentinelReport
    reported = select(r.point_id, func.max(r.day)).group_by(r.point_id)
    if as_of is not None:
        reported = reported.where(r.reported_at <= as_of)
    last = dict(session.execute(reported).all())
    return [
        PointRead.model_validate(p, from_attributes=True).model_copy(
            update={"last_day": last.get(p.id)}
        )
        for p in session.scalars(readable_points(actor).order_by(SentinelPoint.code))
    ]


def _check(
    points: dict[str, SentinelPoint], actor: Actor, item: ReportIn, today: date, loc: str
) -> list[FieldProblem]:
    point = points.get(item.point)
    if point is None or not actor.covers(point.county_code):
        return [FieldProblem((loc, "point"), _("no sentinel point %(code)s", code=item.point))]
    problems = []
    if item.measure not in MEASURES[point.kind]:
        allowed = ", ".join(MEASURES[point.kind])
        problems.append(
            FieldProblem(
                (loc, "measure"),
                _("a %(kind)s counts %(allowed)s", kind=point.kind, allowed=allowed),
            )
        )
    if item.day > today:
        problems.append(FieldProblem((loc, "day"), _("after the platform's time")))
    return problems


def record_reports(
    session: Session,
    *,
    actor: Actor,
    items: Sequence[ReportIn],
    now: datetime,
    where: Sequence[str] = (),
) -> ReportsDone:
    """All the counts or none; `where` names each item's row for the errors (its index if not)."""
    actor.require(REPORT_SENTINELS, what="report sentinel counts")
    codes = {i.point for i in items}
    points = {
        p.code: p
        for p in session.scalars(select(SentinelPoint).where(SentinelPoint.code.in_(codes)))
    }
    today = local_date(now)
    problems = [
        p
        for n, item in enumerate(items)
        for p in _check(points, actor, item, today, where[n] if where else str(n))
    ]
    if problems:
        raise InvalidInput(_("%(n)s problem(s); nothing was recorded", n=len(problems)), problems)
    existing = {
        (r.point_id, r.day, r.measure): r
        for r in session.scalars(
            select(SentinelReport).where(
                SentinelReport.point_id.in_([p.id for p in points.values()]),
                SentinelReport.day.in_({i.day for i in items}),
            )
        )
    }
    written = 0
    for item in items:
        key = (points[item.point].id, item.day, item.measure)
        found = existing.get(key)
        if found is not None and found.count == item.count:
            continue
        if found is None:
            found = SentinelReport(
                point_id=key[0],
                day=item.day,
                measure=item.measure,
                count=0,
                reported_at=now,
                reported_by=actor.username,
            )
            session.add(found)
            existing[key] = found
        found.count, found.reported_at = item.count, item.reported_at or now
        found.reported_by = actor.username
        written += 1
    session.flush()
    return ReportsDone(written=written, unchanged=len(items) - written)


REPORTS = Layout(
    headers={
        "point": ("哨点编码", "哨点", "编码"),
        "day": ("日期", "报告日期"),
        "measure": ("指标", "监测项目"),
        "count": ("数量", "例数"),
    },
    required=("point", "day", "measure", "count"),
    anchor="point",
)


def _item(table: Table, number: int, row: Row) -> tuple[ReportIn | None, list[FieldProblem]]:
    where = f"row {number}"
    try:
        day = local_date(cell_datetime(table.get(row, "day")))
    except (ValueError, TypeError, InvalidInput):
        return None, [FieldProblem((where, table.heading("day")), _("not a date"))]
    raw = {
        "point": table.text(row, "point"),
        "measure": table.text(row, "measure"),
        "day": day,
        "count": table.text(row, "count"),
    }
    try:
        return ReportIn.model_validate(raw), []
    except ValidationError as exc:
        return None, [
            FieldProblem((where, table.heading(str(e["loc"][0]))), validation_message(e))
            for e in exc.errors()
        ]


def import_reports(
    session: Session, *, filename: str, content: bytes, actor: Actor, now: datetime
) -> ReportsDone:
    """A sheet of point, day, measure, count; every bad row named, nothing written then."""
    actor.require(REPORT_SENTINELS, what="report sentinel counts")
    table = read_sheet(filename, content, REPORTS)
    items, rows, problems = [], [], []
    for number, row in table:
        item, found = _item(table, number, row)
        problems += found
        if item is not None:
            items.append(item)
            rows.append(f"row {number}")
    if problems:
        raise sheet_refused(filename, problems)
    try:
        return record_reports(session, actor=actor, items=items, now=now, where=rows)
    except InvalidInput as exc:
        raise sheet_refused(filename, exc.problems) from None


def recent_series(session: Session, *, actor: Actor, since: date, until: date) -> list[SeriesRead]:
    """Each of the actor's points' measures, day by day from `since` to `until`."""
    r = SentinelReport
    rows = session.execute(
        select(SentinelPoint.code, SentinelPoint.name, r.measure, r.day, r.count)
        .join(r, r.point_id == SentinelPoint.id)
        .where(actor.in_county(SentinelPoint.county_code), r.day >= since, r.day <= until)
        .order_by(SentinelPoint.code, r.measure, r.day)
    )
    found: dict[tuple[str, str], SeriesRead] = {}
    for code, name, measure, day, count in rows:
        series = found.setdefault(
            (code, measure),
            SeriesRead(point_code=code, point_name=name, measure=measure, days=[], counts=[]),
        )
        series.days.append(day)
        series.counts.append(count)
    return list(found.values())


def point_series(
    session: Session, *, actor: Actor, code: str, measure: str, until: date
) -> tuple[list[date], list[int]]:
    """A point's daily counts of one measure up to `until`, in order (the actor's points)."""
    point = session.scalar(readable_points(actor).where(SentinelPoint.code == code))
    if point is None:
        raise InvalidInput.at(("point",), _("no sentinel point %(code)s", code=code))
    rows = session.execute(
        select(SentinelReport.day, SentinelReport.count)
        .where(
            SentinelReport.point_id == point.id,
            SentinelReport.measure == measure,
            SentinelReport.day <= until,
        )
        .order_by(SentinelReport.day)
    ).all()
    return [d for d, _ in rows], [n for _, n in rows]
