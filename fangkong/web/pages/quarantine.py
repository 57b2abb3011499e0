"""Quarantine's pages: sites and their outlook, placements, transfers, a person's record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fangkong.core.deps import NowDep, SessionDep
from fangkong.core.errors import NotFound
from fangkong.core.schemas import RowId
from fangkong.core.timeutil import local
from fangkong.quarantine import service as quarantine
from fangkong.quarantine import stays, transfers
from fangkong.quarantine.outlook import capacity_outlook, waiting_for_rooms
from fangkong.quarantine.transfers import NEXT
from fangkong.tracing.present import present_contacts
from fangkong.tracing.service import contacts_in_reach
from fangkong.web.pages.kit import AsOf, PageActor, missing_page, render

router = APIRouter(include_in_schema=False)


@router.get("/sites", response_model=None)
def sites_page(request: Request, session: SessionDep, actor: PageActor, moment: AsOf) -> Response:
    """Quarantine sites: rooms by status at a glance, and whether they will last."""
    sites = quarantine.list_sites(session, actor=actor, as_of=moment)
    outlook = capacity_outlook(session, now=moment, site_id=actor.site_id)
    return render(
        request,
        "sites.html",
        actor,
        sites=sites,
        chart=[s.model_dump(mode="json") for s in sites],
        outlook=outlook,
        outlook_json=outlook.model_dump(mode="json"),
        as_of=outlook.as_of,
        roster_day=local(outlook.as_of).date().isoformat(),
    )


def site_names_of(session: SessionDep) -> dict[int, str]:
    return {s.id: s.name for s in quarantine.list_sites(session)}


@router.get("/placements", response_model=None)
def placements_page(
    request: Request, session: SessionDep, now: NowDep, actor: PageActor
) -> Response:
    """Who waits for a room, and who is in one."""
    until = waiting_for_rooms(session, now=now)
    reach = contacts_in_reach(session, actor=actor, contact_ids=list(until))
    waiting = present_contacts(session, actor=actor, contacts=list(reach.values()))
    return render(
        request,
        "placements.html",
        actor,
        waiting=waiting,
        until=until,
        stays=stays.active_stays(session, actor=actor, as_of=now),
        site_names=site_names_of(session),
    )


@router.get("/transfers", response_model=None)
def transfers_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    plates = {v.id: v.plate for v in transfers.list_vehicles(session)}
    return render(
        request,
        "transfers.html",
        actor,
        transfers=transfers.list_transfers(session, actor=actor),
        plates=plates,
        next_step=NEXT,
    )


@router.get("/people/{person_id}/quarantine", response_model=None)
def quarantine_record_page(
    person_id: RowId, request: Request, session: SessionDep, actor: PageActor
) -> Response:
    try:
        record = stays.quarantine_record(session, actor=actor, person_id=person_id)
    except NotFound:
        return missing_page(request, actor, f"#{person_id}")
    return render(
        request, "quarantine_record.html", actor, stays=record, site_names=site_names_of(session)
    )
