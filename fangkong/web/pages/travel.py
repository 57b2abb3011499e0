"""The arrivals board of the inbound loop."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fangkong.core.deps import SessionDep
from fangkong.travel import service as travel
from fangkong.web.pages.kit import AsOf, PageActor, render

router = APIRouter(include_in_schema=False)


@router.get("/arrivals", response_model=None)
def arrivals_page(
    request: Request, session: SessionDep, actor: PageActor, moment: AsOf
) -> Response:
    """Arrivals through the inbound loop, overdue steps first and highlighted."""
    shown = travel.list_arrivals(session, actor=actor, as_of=moment)
    shown.sort(key=lambda a: (-(a.late_hours or 0), a.arrived_at))
    return render(request, "arrivals.html", actor, arrivals=shown, as_of=moment)
