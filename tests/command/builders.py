"""An outbreak for the command centre's tests: an infection with contacts and a stop, the
groups staffed, and a way to count what a pass writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

from fangkong.command import groups
from fangkong.core.auth import Actor
from fangkong.tracing import service as tracing
from fangkong.tracing.models import Contact, Infection
from fangkong.tracing.schemas import StopCreate
from tests.builders.moments import at
from tests.builders.tracing import contact_in, make_infection


def outbreak(session: Session, tracer: Actor, contacts: int = 3) -> tuple[Infection, list[Contact]]:
    """An infection reported 6 March 19:50 with `contacts` close contacts found at 21:00 and a
    supermarket on its trajectory."""
    infection = make_infection(session, tracer)
    found = tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=infection.id,
        now=at(6, 21),
        items=[contact_in() for _ in range(contacts)],
    ).contacts
    tracing.add_stop(
        session,
        actor=tracer,
        infection_id=infection.id,
        now=at(6, 22),
        data=StopCreate(
            place="临猗县某超市",
            address="临猗县猗氏镇某街",
            setting="workplace",
            arrived_at=at(5, 9),
            departed_at=at(5, 17),
        ),
    )
    return infection, found


def staff(session: Session, commander: Actor, head: Actor) -> None:
    """The seven groups, `head` heading tracing."""
    made = groups.ensure_groups(session, now=at(6, 20))
    groups.set_head(
        session, actor=commander, group_id=made["tracing"].id, user_id=head.user_id, now=at(6, 20)
    )


@contextmanager
def writes(session: Session) -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements run on the session's connection meanwhile."""
    seen: list[str] = []
    connection = session.connection()

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", note)
