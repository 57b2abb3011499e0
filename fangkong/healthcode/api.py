from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from fangkong.core.audit import record_audit
from fangkong.core.deps import CurrentActor, NowDep, SessionDep
from fangkong.core.errors import NotFound
from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.timeutil import LocalDateTime
from fangkong.healthcode import scan, service
from fangkong.healthcode.models import Appeal
from fangkong.healthcode.qr import qr_png
from fangkong.healthcode.service import healthcode
from fangkong.people.deps import CanReadPeople
from fangkong.people.service import show_person

router = APIRouter(tags=["healthcode"])


class Change(ReadModel):
    at: datetime
    colour: str
    reason: str


class HealthCodeRead(ReadModel):
    person_id: int
    colour: str
    reasons: list[str]  # every rule in force, the deciding one first
    since: datetime | None
    until: datetime | None  # when it may turn back, if the state has a planned end
    history: list[Change]


@router.get("/people/{person_id}/healthcode", response_model=HealthCodeRead)
def person_healthcode(
    person_id: RowId,
    actor: CanReadPeople,
    session: SessionDep,
    now: NowDep,
    as_of: LocalDateTime | None = None,
) -> HealthCodeRead:
    """The colour as of a moment (default now), computed from the state behind it — never
    stored, so never stale — with the rule that decided, when it may turn back and its
    history."""
    verdict, changes = healthcode(session, actor=actor, person_id=person_id, as_of=as_of or now)
    record_audit(session, actor=actor, action="read", entity="healthcode", entity_id=person_id,
                 now=now, detail=verdict.colour)  # fmt: skip
    return HealthCodeRead(
        person_id=person_id,
        colour=verdict.colour,
        reasons=verdict.reasons,
        since=verdict.since,
        until=verdict.until,
        history=[Change(at=t, colour=c, reason=r) for t, c, r in changes],
    )


@router.get(
    "/people/{person_id}/healthcode/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "the code's QR, as a PNG"}},
)
def person_code_qr(
    person_id: RowId, actor: CanReadPeople, session: SessionDep, now: NowDep
) -> Response:
    """The code as a picture, for a paper code or a phone: a QR of the person's current token,
    drawn in the code's colour now."""
    verdict, _ = healthcode(session, actor=actor, person_id=person_id, as_of=now)
    scan.require_issuer(actor)
    token = scan.token_shown_to(session, actor=actor, person_id=person_id)
    if token is None:
        raise NotFound(f"person {person_id} has no code token yet")
    record_audit(session, actor=actor, action="read", entity="healthcode_qr", entity_id=person_id,
                 now=now, detail=verdict.colour)  # fmt: skip
    return Response(
        qr_png(token.token, verdict.colour),
        media_type="image/png",
        headers={"Cache-Control": "no-store"},  # a replaced token must not linger in a cache
    )


class AppealIn(BaseModel):
    reason: str = Field(min_length=2, max_length=2000)


class DecisionIn(BaseModel):
    uphold: bool
    decision: str = Field(min_length=2, max_length=2000)
    colour: Literal["red", "yellow", "green"] | None = None
    until: LocalDateTime | None = None


class AppealRead(ReadModel):
    id: int
    person_id: int
    name: str
    filed_at: datetime
    filed_by: str
    reason: str
    colour_then: str
    status: str
    decided_at: datetime | None
    decided_by: str | None
    decision: str
    colour: str | None
    until: datetime | None


def _show(appeal: Appeal, name: str) -> AppealRead:
    return AppealRead.model_validate(
        {**{c: getattr(appeal, c) for c in AppealRead.model_fields if c != "name"}, "name": name}
    )


@router.post("/people/{person_id}/appeals", response_model=AppealRead, status_code=201)
def file_appeal(
    person_id: RowId, data: AppealIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> AppealRead:
    """Ask for a person's code to be reviewed (their county's staff or community worker)."""
    appeal = service.file_appeal(
        session, actor=actor, person_id=person_id, reason=data.reason, now=now
    )
    person = service.person_for(session, person_id)
    return _show(appeal, show_person(person, actor).name)


@router.get("/appeals", response_model=list[AppealRead])
def appeal_queue(actor: CurrentActor, session: SessionDep) -> list[AppealRead]:
    """Pending first, then decided; names masked for roles without full identity."""
    return [
        _show(a, show_person(p, actor).name) for a, p in service.appeal_queue(session, actor=actor)
    ]


@router.post("/appeals/{appeal_id}/decision", response_model=AppealRead)
def decide_appeal(
    appeal_id: RowId, data: DecisionIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> AppealRead:
    appeal = service.decide_appeal(
        session, actor=actor, appeal_id=appeal_id, uphold=data.uphold, decision=data.decision,
        colour=data.colour, until=data.until, now=now,
    )  # fmt: skip
    return _show(appeal, show_person(service.person_for(session, appeal.person_id), actor).name)


# -- checkpoint scans -------------------------------------------------------------------------


class ScanIn(BaseModel):
    token: str = Field(description="the token the health code's QR carries")


class ScanRead(ReadModel):
    colour: str
    name: str  # masked: 张*、欧阳**
    last_negative_at: datetime | None
    scanned_at: datetime  # the platform's time of the scan, city time


def scan_openapi() -> dict[str, Any]:
    """`POST /api/scan` in the API's documentation. It is served by `fastpath.serve_scan`
    ahead of FastAPI (see `fangkong.app.FangkongApp`), so no route declares it."""
    json_body = "application/json"
    return {
        "post": {
            "tags": ["healthcode"],
            "summary": "Scan a health code at a checkpoint",
            "description": (
                "`{\"token\": …}` from the code's QR, signed by the scanner's key "
                "(`Authorization: Bearer fks_…`) or a signed-in user who may scan. Answers the "
                "colour now, a masked name and the last negative test — nothing else. Every "
                "scan is audited."
            ),
            "requestBody": {
                "required": True,
                "content": {json_body: {"schema": ScanIn.model_json_schema()}},
            },
            "responses": {
                "200": {"description": "the code",
                        "content": {json_body: {"schema": ScanRead.model_json_schema()}}},
                "401": {"description": "scanner not signed in, not recognised or not allowed"},
                "404": {"description": "code not recognised (unknown or replaced: the same)"},
                "413": {"description": "body over 1 KiB"},
                "422": {"description": "no token, or not a code token"},
            },
        }
    }  # fmt: skip


class TokenRead(ReadModel):
    person_id: int
    token: str
    issued_at: datetime


@router.post("/people/{person_id}/healthcode/token", response_model=TokenRead, status_code=201)
def issue_code_token(
    person_id: RowId, actor: CurrentActor, session: SessionDep, now: NowDep
) -> TokenRead:
    """Issue the token for a person's code (a paper code for someone without a phone, a lost
    phone): the earlier token stops answering scans at once."""
    made = scan.issue_token(session, actor=actor, person_id=person_id, now=now)
    return TokenRead(person_id=person_id, token=made.token, issued_at=made.issued_at)


class ScannerIn(BaseModel):
    checkpoint_id: int
    label: str = Field(min_length=1, max_length=64)


class ScannerRead(ReadModel):
    id: int
    checkpoint_id: int
    label: str
    added_at: datetime
    revoked_at: datetime | None
    key: str | None = None  # only in the answer that added it


@router.post("/scanners", response_model=ScannerRead, status_code=201)
def add_scanner(
    data: ScannerIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> ScannerRead:
    """A checkpoint's scanning device; its key is in this answer and nowhere else."""
    made, key = scan.add_scanner(
        session, actor=actor, checkpoint_id=data.checkpoint_id, label=data.label, now=now
    )
    return ScannerRead.model_validate({**_scanner_fields(made), "key": key})


@router.delete("/scanners/{scanner_id}", response_model=ScannerRead)
def revoke_scanner(
    scanner_id: RowId, actor: CurrentActor, session: SessionDep, now: NowDep
) -> ScannerRead:
    revoked = scan.revoke_scanner(session, actor=actor, scanner_id=scanner_id, now=now)
    return ScannerRead.model_validate(_scanner_fields(revoked))


def _scanner_fields(scanner: object) -> dict[str, object]:
    return {f: getattr(scanner, f) for f in ScannerRead.model_fields if f != "key"}
