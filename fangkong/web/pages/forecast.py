"""The forecast page: the next 14 days' needs, drawn. The war-game runs take some seconds, so
they run in the background (web/jobs.py): the page shows their progress and fills in when
they are done; the result is kept for the next visit to the same moment."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from fangkong.forecast.service import Forecast
from fangkong.web.jobs import Job, Jobs, Progress
from fangkong.web.pages.kit import AsOf, PageActor, render

router = APIRouter(include_in_schema=False)
Seeds = Query(default=5, ge=1, le=50)


def _job(request: Request, moment: datetime, seeds: int) -> Job[Forecast]:
    """The forecast of this minute: started if it is not running or done. On the wall clock
    "now" moves on between the page, its polls and its reload; the minute is what they share
    (the page fills in at the minute it asked for, `?as_of=` set)."""
    moment = moment.replace(second=0, microsecond=0)
    jobs: Jobs[Forecast] = request.app.state.forecast_jobs
    factory: sessionmaker[Session] = request.app.state.session_factory

    def work(progress: Progress) -> Forecast:
        from fangkong.forecast.service import forecast

        with factory() as session:
            return forecast(session, now=moment, seeds=seeds, progress=progress)

    return jobs.start((moment.isoformat(), seeds), work)


@router.get("/forecast", response_model=None)
def forecast_page(request: Request, actor: PageActor, moment: AsOf, seeds: int = Seeds) -> Response:
    """The next 14 days' needs from the live state, by the war game's engine; a warning
    before the rooms run out. While the runs go on, their progress."""
    job = _job(request, moment, seeds)
    found = job.result()
    if found is None:
        return render(request, "forecast.html", actor, found=None, job=job, as_of=moment,
                      seeds=seeds)  # fmt: skip
    chart = {
        "days": [d.isoformat() for d in found.days],
        "needed": [list(b) for b in found.rooms_needed],
        "committed": found.rooms_committed,
        "available": found.rooms_available,
    }
    return render(request, "forecast.html", actor, found=found, chart=chart, as_of=moment)


@router.get("/forecast/progress", response_model=None)
def forecast_progress(
    request: Request, actor: PageActor, moment: AsOf, seeds: int = Seeds
) -> JSONResponse:
    """How far the runs for this moment are: the page polls it and reloads when done."""
    job = _job(request, moment, seeds)
    failed = job.finished and job.result() is None
    return JSONResponse({"done": job.done, "total": job.total, "finished": job.finished,
                         "failed": failed})  # fmt: skip
