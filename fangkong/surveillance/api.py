"""Sentinel surveillance's API: points, their counts one by one or by the sheet, and the alarms
raised from them."""

from __future__ import annotations

from fastapi import APIRouter, Request

from fangkong.core.deps import CurrentActor, NowDep, SessionDep
from fangkong.core.schemas import RowId
from fangkong.core.timeutil import LocalDateTime
from fangkong.core.uploads import import_upload, upload_body
from fangkong.surveillance import alarms, detection, points
from fangkong.surveillance.deps import (
    CanDecideAlarms,
    CanManageSentinels,
    CanReportSentinels,
    CanRunDetection,
)
from fangkong.surveillance.schemas import (
    AlarmDecision,
    AlarmRead,
    AlarmStatus,
    DetectDone,
    PointIn,
    PointRead,
    ReportIn,
    ReportsDone,
)

router = APIRouter(prefix="/surveillance", tags=["surveillance"])


@router.get("/points", response_model=list[PointRead])
def list_points(actor: CurrentActor, session: SessionDep) -> list[PointRead]:
    """The actor's county's points (every one, for the city's), with the last day reported."""
    return points.list_points(session, actor=actor)


@router.post("/points", response_model=PointRead, status_code=201)
def add_point(
    data: PointIn, actor: CanManageSentinels, session: SessionDep, now: NowDep
) -> PointRead:
    made = points.add_point(session, actor=actor, data=data, now=now)
    return next(p for p in points.list_points(session, actor=actor) if p.id == made.id)


@router.post("/reports", response_model=ReportsDone)
def record_reports(
    items: list[ReportIn], actor: CanReportSentinels, session: SessionDep, now: NowDep
) -> ReportsDone:
    """Counts by point code, day and measure; all or none (422 naming each bad item); a
    count already so is unchanged, a later one of the same day replaces it."""
    return points.record_reports(session, actor=actor, items=items, now=now)


@router.post(
    "/reports/import",
    response_model=ReportsDone,
    openapi_extra=upload_body("a CSV or .xlsx of point, day, measure, count"),
)
async def import_reports(
    actor: CanReportSentinels, request: Request, session: SessionDep, now: NowDep
) -> ReportsDone:
    return await import_upload(
        request,
        session,
        into=("sentinel_reports",),
        default_name="reports.csv",
        service=points.import_reports,
        actor=actor,
        now=now,
    )


@router.get("/alarms", response_model=list[AlarmRead])
def list_alarms(
    actor: CurrentActor,
    session: SessionDep,
    now: NowDep,
    as_of: LocalDateTime | None = None,
    status: AlarmStatus | None = None,
) -> list[AlarmRead]:
    """The alarms raised by `as_of` (default now) in the actor's county, newest day first."""
    return alarms.list_alarms(session, actor=actor, as_of=as_of or now, status=status)


@router.post("/alarms/{alarm_id}/decision", response_model=AlarmRead)
def decide_alarm(
    alarm_id: RowId, data: AlarmDecision, actor: CanDecideAlarms, session: SessionDep, now: NowDep
) -> AlarmRead:
    """Confirm (a task for the tracing group at the next raising pass), dismiss, or close a
    confirmed one; 409 if the alarm is not in the state the decision takes."""
    return alarms.decide_alarm(session, actor=actor, alarm_id=alarm_id, decision=data, now=now)


@router.post("/alarms/detect", response_model=DetectDone)
def run_detection(actor: CanRunDetection, session: SessionDep, now: NowDep) -> DetectDone:
    """A detection pass now (it runs by itself every hour while the server runs)."""
    return detection.detect(session, as_of=now)
