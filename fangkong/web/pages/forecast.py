"""The forecast page: the next 14 days' needs, drawn. The war-game runs take some seconds, so
they run in the background (web/jobs.py): the page shows their progress and fills in when
they are done; the result is kept for the next visit to the same moment."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from fangkong.core.deps import NowDep, SessionDep
from fangkong.core.errors import InvalidInput
from fangkong.core.settings import get_settings
from fangkong.forecast.service import Forecast, check_moment
from fangkong.web.jobs import Job, Jobs, Progress
from fangkong.web.pages.kit import AsOf, PageActor, render

router = APIRouter(include_in_schema=False)
Runs = Query(default=None, ge=1, le=1_000)


def _job(request: Request, moment: datetime, now: datetime, asked: int | None) -> Job[Forecast]:
    """The forecast of this minute: started if it is not running or done. On the wall clock
    "now" moves on between the page, its polls and its reload; the minute is what they share
    (the page fills in at the minute it asked for, `?as_of=` set)."""
    moment = moment.replace(second=0, microsecond=0)
    runs = asked or get_settings().forecast_runs
    jobs: Jobs[Forecast] = request.app.state.forecast_jobs
    factory: sessionmaker[Session] = request.app.state.session_factory

    def work(progress: Progress) -> Forecast:
        from fangkong.forecast.service import read_inputs, run_forecast

        with factory() as session:  # read, and let go of the database before the runs
            inputs = read_inputs(session, moment=moment, now=now)
        return run_forecast(inputs, runs=runs, progress=progress)

    return jobs.start((moment.isoformat(), runs), work)


@router.get("/forecast", response_model=None)
def forecast_page(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    now: NowDep,
    moment: AsOf,
    runs: int | None = Runs,
) -> Response:
    """The next 14 days from the live state, by the war game's engine, with every assumption
    and where it came from; a warning before the rooms run out. While the runs go on, their
    progress."""
    try:
        check_moment(session, moment=moment, now=now)
    except InvalidInput as exc:  # before any infection, or in the future: said on the page
        return render(request, "forecast.html", actor, found=None, job=None, as_of=moment,
                      problem=exc.problems[0].msg if exc.problems else exc.message)  # fmt: skip
    job = _job(request, moment, now, runs)
    found = job.result()
    if found is None:
        return render(request, "forecast.html", actor, found=None, job=job, as_of=moment,
                      runs=runs)  # fmt: skip
    rooms, total = found.band("rooms_needed"), found.band("detected_total")
    days = [d.isoformat() for d in found.days]
    charts = {
        "rooms": {"days": days, "bands": rooms.round(1).tolist(),
                  "committed": found.rooms_committed, "available": found.rooms_available},
        "detected": {"days": days, "bands": total.round(1).tolist()},
    }  # fmt: skip
    return render(request, "forecast.html", actor, found=found, charts=charts, as_of=moment,
                  r_interval=found.estimate.r_interval())  # fmt: skip


@router.get("/forecast/progress", response_model=None)
def forecast_progress(
    request: Request, actor: PageActor, now: NowDep, moment: AsOf, runs: int | None = Runs
) -> JSONResponse:
    """How far the runs for this moment are: the page polls it and reloads when done."""
    job = _job(request, moment, now, runs)
    failed = job.finished and job.result() is None
    return JSONResponse({"done": job.done, "total": job.total, "finished": job.finished,
                         "failed": failed})  # fmt: skip
