"""Health codes' pages: a person's code, the checkpoint's scan page, the appeals queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fangkong.core.deps import SessionDep
from fangkong.core.errors import Forbidden, NotFound
from fangkong.core.schemas import RowId
from fangkong.healthcode.permissions import SCAN_CODES
from fangkong.healthcode.qr import qr_svg
from fangkong.healthcode.scan import token_shown_to
from fangkong.healthcode.service import appeal_queue, healthcode
from fangkong.people import service as people
from fangkong.web.pages.kit import AsOf, PageActor, forbidden_page, missing_page, render

router = APIRouter(include_in_schema=False)


@router.get("/people/{person_id}/code", response_model=None)
def healthcode_page(
    person_id: RowId, request: Request, session: SessionDep, actor: PageActor, moment: AsOf
) -> Response:
    """A person's health code: the colour, every rule in force, when it may turn back, and
    its history."""
    try:
        verdict, changes = healthcode(session, actor=actor, person_id=person_id, as_of=moment)
    except (NotFound, Forbidden):
        return missing_page(request, actor, f"#{person_id}")
    person = people.show_person(people.people_by_id(session, [person_id])[person_id], actor)
    token = token_shown_to(session, actor=actor, person_id=person_id)
    qr = qr_svg(token.token, verdict.colour, title=person.name) if token else None
    return render(
        request, "healthcode.html", actor, person=person, verdict=verdict, changes=changes,
        as_of=moment, token=token, qr=qr,
    )  # fmt: skip


@router.get("/scan", response_model=None)
def scan_page(request: Request, actor: PageActor) -> Response:
    """The checkpoint's scan page: a handheld scanner types the code's token and Enter; the
    answer is the colour, a masked name and the last negative test, as a scanner gets it."""
    if not actor.can(SCAN_CODES):
        return forbidden_page(request, actor)
    return render(request, "scan.html", actor)


@router.get("/appeals", response_model=None)
def appeals_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """The appeals queue: pending first, each with the rules in force when it was filed."""
    queue = [
        (appeal, people.show_person(person, actor))
        for appeal, person in appeal_queue(session, actor=actor)
    ]
    return render(request, "appeals.html", actor, queue=queue)
