"""Sentinel surveillance's API: points, and their counts one by one or by the sheet."""

from __future__ import annotations

from fastapi import APIRouter, Request

from fangkong.core.deps import CurrentActor, NowDep, SessionDep
from fangkong.core.uploads import import_upload, upload_body
from fangkong.surveillance import points
from fangkong.surveillance.deps import CanManageSentinels, CanReportSentinels
from fangkong.surveillance.schemas import PointIn, PointRead, ReportIn, ReportsDone

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
