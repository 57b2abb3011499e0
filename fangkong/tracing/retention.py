"""Retention: personal data of contacts is deleted once their management is long over."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.db import in_chunks
from fangkong.people import service as registry
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
    keep: Sequence[Select[int]] = (),
    forget: Sequence[Callable[[Session, Sequence[int]], None]] = (),
) -> Purged:
    """Delete people whose every management order ended more than `retention_days` ago, with
    their contact records and orders. Infected people are kept: theirs are case records.
    People with no order at all go once they are older than the retention period. `keep`
    adds other domains' reasons to keep a person (ids of people they still need); `forget`
    deletes other domains' rows of the people going, before theirs go."""
    cutoff = now - timedelta(days=retention_days)
    still_needed = select(ManagementOrder.person_id).where(ManagementOrder.ends_at > cutoff)
    infected = select(Infection.person_id)
    # unscoped: a system job over the whole registry.
    expired = list(
        session.scalars(
            registry.person_ids_where(
                registry.created_by(cutoff),
                *(~registry.is_person(ids) for ids in (still_needed, infected, *keep)),
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
        for forget_in_domain in forget:
            forget_in_domain(session, chunk)
        session.execute(delete(ManagementOrder).where(ManagementOrder.person_id.in_(chunk)))
        session.execute(delete(Contact).where(Contact.person_id.in_(chunk)))
    registry.delete_people(session, expired)
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
