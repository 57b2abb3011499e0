from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from fangkong.core.audit import record_audit
from fangkong.core.deps import NowDep, SessionDep, xlsx_response
from fangkong.core.schemas import RowId
from fangkong.core.timeutil import LocalDateTime, local
from fangkong.core.uploads import import_upload, upload_body
from fangkong.people.deps import CanReadPeople
from fangkong.tracing import chains, kpi, linelists, service
from fangkong.tracing.deps import CanEditTracing
from fangkong.tracing.models import TrajectoryStop
from fangkong.tracing.present import present_contacts, present_infections
from fangkong.tracing.schemas import (
    Chain,
    ContactCreate,
    ContactForInfection,
    ContactOfContactCreate,
    ContactRead,
    ControlRecord,
    ImportResult,
    InfectionCreate,
    InfectionKpi,
    InfectionRead,
    KpiOverview,
    StopCreate,
    StopRead,
)

router = APIRouter(tags=["tracing"])


@router.get("/infections", response_model=list[InfectionRead])
def list_infections(actor: CanReadPeople, session: SessionDep) -> list[InfectionRead]:
    infections = service.list_infections(session, actor=actor)
    return present_infections(session, actor=actor, infections=infections)


@router.post("/infections", response_model=InfectionRead, status_code=201)
def record_infection(
    data: InfectionCreate, actor: CanEditTracing, session: SessionDep, now: NowDep
) -> InfectionRead:
    infection = service.record_infection(session, actor=actor, data=data, now=now)
    return present_infections(session, actor=actor, infections=[infection])[0]


@router.get("/infections/{infection_id}", response_model=InfectionRead)
def read_infection(
    infection_id: RowId, actor: CanReadPeople, session: SessionDep, now: NowDep
) -> InfectionRead:
    infection = service.get_infection(session, actor=actor, infection_id=infection_id)
    record_audit(
        session, actor=actor, action="read", entity="infection", entity_id=infection.id, now=now
    )
    return present_infections(session, actor=actor, infections=[infection])[0]


@router.get("/infections/{infection_id}/stops", response_model=list[StopRead])
def list_stops(infection_id: RowId, actor: CanReadPeople, session: SessionDep) -> list[StopRead]:
    return service.list_stops(session, actor=actor, infection_id=infection_id)


def infection_to_change(infection_id: RowId, actor: CanEditTracing, session: SessionDep) -> int:
    """The infection of the path, checked before the request's content is read: its county's
    tracers add to it; others get 403 (if they see it) or 404."""
    return service.infection_to_change(session, actor=actor, infection_id=infection_id).id


InfectionToChange = Annotated[int, Depends(infection_to_change)]


@router.post("/infections/{infection_id}/stops", response_model=StopRead, status_code=201)
def add_stop(
    infection_id: InfectionToChange,
    data: StopCreate,
    actor: CanEditTracing,
    session: SessionDep,
    now: NowDep,
) -> TrajectoryStop:
    return service.add_stop(session, actor=actor, infection_id=infection_id, data=data, now=now)


@router.get("/infections/{infection_id}/contacts", response_model=list[ContactRead])
def list_contacts(
    infection_id: RowId, actor: CanReadPeople, session: SessionDep, now: NowDep
) -> list[ContactRead]:
    contacts, _ = service.list_contacts(session, actor=actor, infection_id=infection_id)
    service.audit_contacts_read(
        session, actor=actor, infection_id=infection_id, shown=len(contacts), now=now
    )
    return present_contacts(session, actor=actor, contacts=contacts)


@router.post(
    "/infections/{infection_id}/contacts", response_model=list[ContactRead], status_code=201
)
def record_contacts(
    infection_id: InfectionToChange,
    items: list[ContactCreate],
    actor: CanEditTracing,
    session: SessionDep,
    now: NowDep,
) -> list[ContactRead]:
    """Record one or many contacts at once; all are written or none."""
    recorded = service.record_contacts(
        session, actor=actor, infection_id=infection_id, items=items, now=now
    )
    return present_contacts(session, actor=actor, contacts=recorded.contacts)


@router.post(
    "/infections/{infection_id}/contacts/import",
    response_model=ImportResult,
    openapi_extra=upload_body("a line list, .xlsx or .csv"),
)
async def import_contacts(
    infection_id: InfectionToChange,
    actor: CanEditTracing,
    request: Request,
    session: SessionDep,
    now: NowDep,
) -> ImportResult:
    return await import_upload(
        request,
        session,
        into=("contacts", infection_id),
        default_name="upload.xlsx",
        service=linelists.import_contacts,
        actor=actor,
        infection_id=infection_id,
        now=now,
    )


@router.get("/infections/{infection_id}/contacts/export")
def export_contacts(
    infection_id: RowId, actor: CanReadPeople, session: SessionDep, now: NowDep
) -> Response:
    data = linelists.export_contacts(session, actor=actor, infection_id=infection_id, now=now)
    name = f"contacts-infection-{infection_id}-{local(now):%Y%m%d-%H%M}.xlsx"
    return xlsx_response(data, name)


@router.get("/infections/{infection_id}/chain", response_model=Chain)
def chain(
    infection_id: RowId, actor: CanReadPeople, session: SessionDep, include_contacts: bool = True
) -> Chain:
    return chains.transmission_chain(
        session, actor=actor, infection_id=infection_id, include_contacts=include_contacts
    )


@router.get("/infections/{infection_id}/kpi", response_model=InfectionKpi)
def infection_kpi(
    infection_id: RowId,
    actor: CanReadPeople,
    session: SessionDep,
    now: NowDep,
    as_of: Annotated[LocalDateTime | None, Query()] = None,
) -> InfectionKpi:
    return kpi.kpi_for(session, actor=actor, infection_id=infection_id, as_of=as_of or now)


@router.get("/kpi", response_model=KpiOverview)
def kpi_overview(
    actor: CanReadPeople,
    session: SessionDep,
    now: NowDep,
    as_of: Annotated[LocalDateTime | None, Query()] = None,
) -> KpiOverview:
    """The 48-hour board: every infection reported by `as_of` (default now)."""
    return kpi.kpi_overview(session, actor=actor, as_of=as_of or now)


@router.post("/contacts", response_model=ContactRead, status_code=201)
def record_contact(
    data: ContactForInfection, actor: CanEditTracing, session: SessionDep, now: NowDep
) -> ContactRead:
    contact = service.record_contact(session, actor=actor, data=data, now=now)
    return present_contacts(session, actor=actor, contacts=[contact])[0]


@router.get("/contacts/{contact_id}", response_model=ContactRead)
def read_contact(
    contact_id: RowId, actor: CanReadPeople, session: SessionDep, now: NowDep
) -> ContactRead:
    contact = service.get_contact(session, actor=actor, contact_id=contact_id)
    record_audit(
        session,
        actor=actor,
        action="read",
        entity="person",
        entity_id=contact.person_id,
        now=now,
        detail=f"as contact {contact.id}",
    )
    return present_contacts(session, actor=actor, contacts=[contact])[0]


@router.post("/contacts/{contact_id}/contacts", response_model=list[ContactRead], status_code=201)
def record_contacts_of_contact(
    contact_id: RowId,
    items: list[ContactOfContactCreate],
    actor: CanEditTracing,
    session: SessionDep,
    now: NowDep,
) -> list[ContactRead]:
    """A contact's own contacts; the protocol makes a close contact's contacts secondary."""
    recorded = service.record_contacts_of_contact(
        session, actor=actor, contact_id=contact_id, items=items, now=now
    )
    return present_contacts(session, actor=actor, contacts=recorded.contacts)


@router.post("/contacts/{contact_id}/control", response_model=ContactRead)
def control_contact(
    contact_id: RowId, data: ControlRecord, actor: CanEditTracing, session: SessionDep, now: NowDep
) -> ContactRead:
    contact = service.control_contact(
        session, actor=actor, contact_id=contact_id, how=data.how, at=data.at, now=now
    )
    return present_contacts(session, actor=actor, contacts=[contact])[0]
