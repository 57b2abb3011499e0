"""The screening page: a round's coverage, shipments, recalls and turnaround; the labs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from fangkong.core.deps import SessionDep
from fangkong.core.ids import divisions_in
from fangkong.core.settings import get_settings
from fangkong.testing import coverage as testing_coverage
from fangkong.testing import labs, recalls, shipments
from fangkong.testing import service as testing
from fangkong.web.pages.kit import AsOf, PageActor, render

router = APIRouter(include_in_schema=False)


@router.get("/testing", response_model=None)
def testing_page(
    request: Request,
    session: SessionDep,
    moment: AsOf,
    actor: PageActor,
    round_id: int | None = Query(default=None, alias="round", ge=1, le=2_147_483_647),
) -> Response:
    """A screening round: who is sampled, where tubes are, what came back, who was missed."""
    rounds = testing.list_rounds(session, actor=actor, as_of=moment)
    chosen = next((r for r in rounds if r.id == round_id), rounds[0] if rounds else None)
    context: dict[str, Any] = {"rounds": rounds, "chosen": None}
    if chosen is not None:
        cover = testing_coverage.coverage(session, actor=actor, round_id=chosen.id)
        context.update(
            chosen=testing.present_round(session, chosen),
            cover=cover,
            # The communities with most people missing first: where to knock on doors.
            coverage_chart=[c.model_dump() for c in cover.communities[:30]],
            times=testing_coverage.turnaround(session, actor=actor, round_id=chosen.id),
            shipments=shipments.list_shipments(session, actor=actor, round_id=chosen.id),
            recalls=recalls.list_recalls(session, actor=actor, round_id=chosen.id)
            if recalls.may_see_recalls(actor)
            else [],
        )
    context["labs"] = labs.list_labs(session, now=moment)
    context["as_of"] = moment
    context["counties"] = {d.code: d.name for d in divisions_in(get_settings().city_code)}
    return render(request, "testing.html", actor, **context)
