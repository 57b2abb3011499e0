from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.people.models import Person
from fangkong.tracing import service
from fangkong.tracing.models import Contact, ManagementOrder
from fangkong.tracing.retention import purge_expired
from tests.builders.moments import at
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_contacts_go_when_their_retention_ends(session: Session, tracer: Actor) -> None:
    index = make_infection(session, tracer)
    service.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[contact_in(exposure=at(6, 21))],
    )
    # The close contact's order (14 + 7 days) ends on 27 March 21:00.
    kept = purge_expired(session, now=at(27, 21) + timedelta(days=29), retention_days=30)
    assert kept.people == 0 and count(session, Contact) == 1
    gone = purge_expired(session, now=at(27, 21) + timedelta(days=31), retention_days=30)
    assert (gone.people, gone.contacts) == (1, 1)
    assert count(session, Contact) == 0 and count(session, ManagementOrder) == 0
    # The infected person's case record stays.
    assert count(session, Person) == 1
