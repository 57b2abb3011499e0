"""The command centre's pages: the command board and each group's, a task with its history,
my work, places on the map, tracer teams and the duty rota."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from fangkong.command import duty, places, supervision, tasks, teams
from fangkong.command.views import group_boards
from fangkong.core.auth import Actor
from fangkong.core.deps import SessionDep
from fangkong.core.errors import NotFound
from fangkong.core.i18n import gettext
from fangkong.core.schemas import RowId
from fangkong.core.timeutil import local_date, start_of_local_day
from fangkong.surveillance.alarms import list_alarms
from fangkong.tracing.service import infection_of_contact
from fangkong.web.pages.kit import AsOf, PageActor, city_map, missing_page, render
from fangkong.web.pages.zones import extent

router = APIRouter(include_in_schema=False)
PLACE_STATES = ("to_sample", "sampled", "positive", "disinfected")
# Where each kind of object a task is about is seen.
PAGES = {
    "arrival": "/arrivals",
    "pool": "/testing",
    "lab": "/testing",
    "site": "/sites",
    "zone": "/zones",
    "appeal": "/appeals",
    "duty": "/duty",
    "place": "/places",
    "hospital": "/treatment",
    "store": "/stock",
    "sentinel": "/sentinels",
}


@router.get("/command", response_model=None)
def command_board(
    request: Request, session: SessionDep, actor: PageActor, moment: AsOf
) -> Response:
    """Every group's open and overdue tasks, the sentinel alarms not yet decided or still being
    looked into, and the open tasks soonest deadline first."""
    return _board(request, session, actor, moment, None)


@router.get("/command/groups/{group_id}", response_model=None)
def group_board(
    group_id: RowId, request: Request, session: SessionDep, actor: PageActor, moment: AsOf
) -> Response:
    """One group's open tasks, soonest deadline first, beside every group's counts."""
    return _board(request, session, actor, moment, group_id)


def _board(
    request: Request, session: Session, actor: Actor, moment: datetime, group_id: int | None
) -> Response:
    boards = group_boards(session, actor=actor, as_of=moment)
    group = next((g for g in boards if g.id == group_id), None)
    if group_id is not None and group is None:
        return missing_page(request, actor, f"#{group_id}")
    shown = tasks.list_tasks(session, actor=actor, as_of=moment, group_id=group_id)
    raised = [
        a
        for a in list_alarms(session, actor=actor, as_of=moment)
        if a.status in ("open", "confirmed")
    ]
    return render(
        request,
        "command.html",
        actor,
        groups=boards,
        tasks=shown,
        alarms=raised,
        group=group,
        groups_json=[g.model_dump(mode="json") for g in boards],
        as_of=moment,
    )


@router.get("/tasks/{task_id}", response_model=None)
def task_page(
    task_id: RowId, request: Request, session: SessionDep, actor: PageActor, moment: AsOf
) -> Response:
    try:
        task = supervision.task_detail(session, actor=actor, task_id=task_id, as_of=moment)
    except NotFound:
        return missing_page(request, actor, f"#{task_id}")
    row = tasks.get_task(session, actor=actor, task_id=task_id)
    # Only a task still open in the record can be worked (a replay's past is not rewritten).
    may = row.closed_at is None and tasks.may_work(session, actor, row)
    return render(request, "task.html", actor, task=task, may_work=may, as_of=moment)


@router.get("/my-work", response_model=None)
def my_work_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    work = supervision.my_work(session, actor=actor, as_of=moment)
    return render(request, "my_work.html", actor, work=work, as_of=moment)


@router.get("/places", response_model=None)
def places_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    """Places of the cases on the city's map, coloured by their state, and their records."""
    found = places.list_places(session, actor=actor, as_of=moment)
    shown_map = city_map()
    return render(
        request,
        "places.html",
        actor,
        places=found,
        as_of=moment,
        places_json=[p.model_dump(mode="json") for p in found],
        map_name=shown_map[1] if shown_map else "",
        bounds=extent(),
        state_labels={s: gettext(f"place_{s}") for s in PLACE_STATES},
    )


@router.get("/teams", response_model=None)
def teams_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    found = teams.list_teams(session, actor=actor, as_of=moment)
    return render(request, "teams.html", actor, teams=found, as_of=moment)


@router.get("/duty", response_model=None)
def duty_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    """Who is on duty now and next at each command centre, and the rota of three days."""
    start = start_of_local_day(local_date(moment))
    shifts = duty.list_shifts(session, actor=actor, start=start, end=start + timedelta(days=3))
    now_on = duty.duty_at(session, actor=actor, at=moment)
    return render(request, "duty.html", actor, duty=now_on, shifts=shifts, as_of=moment)


@router.get("/go/{object_kind}/{object_id}", response_model=None)
def go(
    object_kind: str, object_id: RowId, request: Request, session: SessionDep, actor: PageActor
) -> Response:
    """A task's object, on the page where it is seen (a contact on its infection's page)."""
    if object_kind == "contact":
        try:
            infection = infection_of_contact(session, actor=actor, contact_id=object_id)
        except NotFound:
            return missing_page(request, actor, f"#{object_id}")
        return RedirectResponse(f"/infections/{infection}", status_code=303)
    if object_kind == "place":
        return RedirectResponse(f"/places#place-{object_id}", status_code=303)
    if object_kind == "alarm":
        return RedirectResponse(f"/sentinels#alarm-{object_id}", status_code=303)
    return RedirectResponse(PAGES.get(object_kind, "/command"), status_code=303)
