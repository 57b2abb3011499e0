"""Recalls: the members of a positive pool, found and retested by single tube; who may see
them (sampling teams and tracers, masked per role)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.db import in_chunks
from fangkong.core.errors import NotFound
from fangkong.core.i18n import _
from fangkong.people.permissions import READ_PEOPLE, SEE_FULL_IDENTITY
from fangkong.people.service import people_by_id, show_person
from fangkong.testing.models import (
    Recall,
    Sample,
    SamplingSite,
    Tube,
)
from fangkong.testing.permissions import RUN_TESTING, SAMPLE
from fangkong.testing.schemas import (
    RecallMember,
    RecallRead,
)
from fangkong.testing.service import get_round


def close_recalls(session: Session, tube_ids: Sequence[int], *, now: datetime) -> None:
    """A recall is done when every member of the pool has a retest result."""
    touched_rounds: set[int] = set()
    for chunk in in_chunks(tube_ids):
        touched_rounds.update(
            session.scalars(
                select(Sample.round_id).where(Sample.tube_id.in_(chunk), Sample.purpose == "retest")
            )
        )
    for round_id in touched_rounds:
        for recall in session.scalars(
            select(Recall).where(Recall.round_id == round_id, Recall.done_at.is_(None))
        ):
            members = recall_members_status(session, recall)
            if all(result is not None for _, _, result in members):
                recall.done_at = now


def recall_members_status(
    session: Session, recall: Recall
) -> list[tuple[int, str | None, str | None]]:
    """Each member of the pool with their retest tube and its result, if any."""
    members = list(
        session.scalars(select(Sample.person_id).where(Sample.tube_id == recall.tube_id))
    )
    retests = dict(
        (pid, (barcode, result))
        for pid, barcode, result in session.execute(
            select(Sample.person_id, Tube.barcode, Tube.result)
            .join(Tube, Tube.id == Sample.tube_id)
            .where(
                Sample.round_id == recall.round_id,
                Sample.purpose == "retest",
                Sample.person_id.in_(members),
            )
        )
    )
    return [(pid, *retests.get(pid, (None, None))) for pid in members]


RECALL_ROLES = (READ_PEOPLE, SAMPLE, RUN_TESTING)


def may_see_recalls(actor: Actor) -> bool:
    """Recalls name the people to retest: sampling teams and tracers, not sites or labs."""
    return any(actor.can(p) for p in RECALL_ROLES)


def _require_recalls(actor: Actor) -> None:
    actor.require(*RECALL_ROLES, what="see recalls")


def list_recalls(session: Session, *, actor: Actor, round_id: int) -> list[RecallRead]:
    _require_recalls(actor)
    found = get_round(session, actor=actor, round_id=round_id)
    recalls = session.scalars(
        select(Recall).where(Recall.round_id == found.id).order_by(Recall.raised_at, Recall.id)
    )
    return [
        show_recall(session, actor=actor, recall=r, now=None)
        for r in recalls
        if _recall_covered(session, actor, r)
    ]


def _recall_covered(session: Session, actor: Actor, recall: Recall) -> bool:
    """A recall belongs to the county of the site that took the pool."""
    county = session.scalar(
        select(SamplingSite.county_code)
        .join(Tube, Tube.site_id == SamplingSite.id)
        .where(Tube.id == recall.tube_id)
    )
    return actor.covers(county)


def get_recall(session: Session, *, actor: Actor, recall_id: int, now: datetime) -> RecallRead:
    _require_recalls(actor)
    recall = session.get(Recall, recall_id)
    if recall is None or not _recall_covered(session, actor, recall):
        raise NotFound(_("recall %(id)s not found", id=recall_id))
    get_round(session, actor=actor, round_id=recall.round_id)
    return show_recall(session, actor=actor, recall=recall, now=now)


def show_recall(
    session: Session, *, actor: Actor, recall: Recall, now: datetime | None
) -> RecallRead:
    """The sampling team's job: who to find and retest. Masked for roles without full
    identity; a full read is audited."""
    tube = session.get(Tube, recall.tube_id)
    assert tube is not None
    site = session.get(SamplingSite, tube.site_id)
    status = recall_members_status(session, recall)
    # unscoped: the members of a pool the caller's round covers; shown masked per role.
    people = {p.id: p for p in people_by_id(session, [s[0] for s in status]).values()}
    members = []
    for pid, barcode, result in status:
        shown = show_person(people[pid], actor)
        members.append(
            RecallMember(
                person_id=pid,
                name=shown.name,
                id_number=shown.id_number,
                phone=shown.phone,
                address=shown.address,
                retest_barcode=barcode,
                retest_result=result,
            )
        )
    if now is not None and actor.can(SEE_FULL_IDENTITY):
        record_audit(
            session,
            actor=actor,
            action="read",
            entity="recall",
            entity_id=recall.id,
            now=now,
            detail=f"{len(members)} people",
        )
    return RecallRead(
        id=recall.id,
        round_id=recall.round_id,
        barcode=tube.barcode,
        site=site.name if site else "",
        raised_at=recall.raised_at,
        done_at=recall.done_at,
        members=members,
    )
