"""Retention: personal data of contacts is deleted once their management is long over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.db import in_chunks
from fangkong.people.models import Person
from fangkong.tracing.models import Contact, Infection, ManagementOrder


@dataclass(frozen=True)
class Purged:
    people: int
    contacts: int


def purge_expired(
    session: Session,
    *,
    now: datetime,
    retention_days: int,
    keep: Sequence[ColumnElement[bool]] = (),
) -> Purged:
    """Delete people whose every management order ended more than `retention_days` ago, with
    their contact records and orders. Infected people are kept: theirs are case records.
    People with no order at all go once they are older than the retention period. `keep`
    adds other domains' reasons to keep a person (conditions on `Person`)."""
    cutoff = now - timedelta(days=retention_days)
    still_needed = (
        select(ManagementOrder.id)
        .where(ManagementOrder.person_id == Person.id, ManagementOrder.ends_at > cutoff)
        .exists()
    )
    infected = select(Infection.id).where(Infection.person_id == Person.id).exists()
    # unscoped: a system job over the whole registry.
    expired = list(
        session.scalars(
            select(Person.id).where(
                Person.created_at <= cutoff, ~still_needed, ~infected, *(~k for k in keep)
            )
        )
    )
    contacts = 0
    for chunk in in_chunks(expired):
        contacts += (
            session.scalar(
                select(func.count()).select_from(Contact).where(Contact.person_id.in_(chunk))
            )
            or 0
        )
        session.execute(delete(Contact).where(Contact.person_id.in_(chunk)))
        session.execute(delete(Person).where(Person.id.in_(chunk)))
    record_audit(
        session,
        actor=None,
        action="purge",
        entity="person",
        entity_id="*",
        now=now,
        detail=f"{len(expired)} people and {contacts} contact records past {retention_days} days",
    )
    session.flush()
    return Purged(people=len(expired), contacts=contacts)
