"""Tracing's pages: infections, an infection with its chain and contacts, the 48-hour board,
the people registry."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fangkong.companions.service import shared_cells
from fangkong.core.deps import NowDep, SessionDep
from fangkong.core.errors import NotFound
from fangkong.core.schemas import RowId
from fangkong.people import service as people
from fangkong.protocol.loader import get_protocol
from fangkong.tracing import chains, kpi, service
from fangkong.tracing.present import present_contacts, present_infections
from fangkong.web.pages.kit import AsOf, PageActor, city_map, missing_page, render

router = APIRouter(include_in_schema=False)


@router.get("/infections", response_model=None)
def infections_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    rows = present_infections(
        session, actor=actor, infections=service.list_infections(session, actor=actor)
    )
    return render(request, "infections.html", actor, infections=rows)


@router.get("/infections/{infection_id}", response_model=None)
def infection_page(
    infection_id: RowId, request: Request, session: SessionDep, now: NowDep, actor: PageActor
) -> Response:
    try:
        infection = service.get_infection(session, actor=actor, infection_id=infection_id)
    except NotFound:
        return missing_page(request, actor, f"#{infection_id}")
    [shown] = present_infections(session, actor=actor, infections=[infection])
    contacts, elsewhere = service.list_contacts(session, actor=actor, infection_id=infection.id)
    service.audit_contacts_read(
        session, actor=actor, infection_id=infection.id, shown=len(contacts) + 1, now=now
    )
    protocol = get_protocol(infection.protocol_id)
    shown_contacts = present_contacts(session, actor=actor, contacts=contacts)
    cells = shared_cells(
        [c.place for c in shown_contacts if c.category == "companion"],
        size_m=protocol.companions.cell_size_m,
    )
    found_map = city_map()
    return render(
        request,
        "infection.html",
        actor,
        companion_cells=cells,
        map_name=found_map[1] if found_map else "",
        infection=shown,
        stops=service.list_stops(session, actor=actor, infection_id=infection.id),
        contacts=shown_contacts,
        elsewhere=elsewhere,
        chain=chains.transmission_chain(session, actor=actor, infection_id=infection.id).model_dump(
            mode="json"
        ),
        kpi=kpi.infection_kpi(session, actor=actor, infection=infection, as_of=now),
        protocol=protocol,
    )


@router.get("/board", response_model=None)
def board_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    overview = kpi.kpi_overview(session, actor=actor, as_of=moment)
    return render(
        request,
        "board.html",
        actor,
        overview=overview,
        as_of=overview.as_of,
    )


@router.get("/people", response_model=None)
def people_page(
    request: Request, session: SessionDep, actor: PageActor, now: NowDep, q: str | None = None
) -> Response:
    rows, total = people.list_people(session, actor=actor, q=(q or "")[:100], limit=200, now=now)
    return render(
        request,
        "people.html",
        actor,
        people=[people.show_person(p, actor) for p in rows],
        total=total,
        q=q or "",
    )
