"""Operations to kill -9 half-way (tests/trust/test_crash.py): the parent sets a database up
in-process with `setup`, then runs `python -m tests.trust.crash_driver OP URL` and kills it
once it says MID — printed from inside the operation's transaction, after its first write,
with the transaction held open a moment so that the kill lands in the middle of it."""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from fangkong.core.db import make_engine, make_session_factory, transaction
from fangkong.users.service import actor_by_username
from tests.builders.moments import NOW, at

CONTACTS = 600
SCANS = 400  # the residents builder makes up to 499


def setup(url: str) -> None:
    """A tracer and an infection (import); a site of rooms and contacts (placement); a round
    and its residents (registration)."""
    from fangkong.quarantine.schemas import RoomIn, SiteCreate
    from fangkong.quarantine.service import create_site
    from fangkong.testing import labs, service
    from fangkong.testing.schemas import RoundCreate, SiteIn
    from fangkong.tracing import service as tracing
    from fangkong.users.schemas import UserCreate
    from fangkong.users.service import actor_of, create_user
    from tests.builders.people import make_person
    from tests.builders.testing import LINYI, city_labs, residents
    from tests.builders.tracing import contact_in, make_infection

    with transaction(make_session_factory(make_engine(url))) as session:
        admin = actor_of(
            create_user(
                session,
                now=NOW,
                data=UserCreate(
                    username="crash", display_name="crash", password="crash-password", role="admin"
                ),
            )
        )
        rooms = [RoomIn(building="A", number=f"{i:04d}") for i in range(CONTACTS + 10)]
        create_site(
            session,
            actor=admin,
            now=at(6, 0),
            data=SiteCreate(
                name="某酒店", kind="hotel", county_code=LINYI, lon=110.77, lat=35.14, rooms=rooms
            ),
        )
        index = make_infection(session, admin)
        items = [contact_in(make_person(f"某{i}"), setting="workplace") for i in range(CONTACTS)]
        tracing.record_contacts(session, actor=admin, infection_id=index.id, now=NOW, items=items)
        make_infection(session, admin, person=make_person("李某"))  # the import's
        residents(session, SCANS)
        desk = SiteIn(name="采样点", county_code=LINYI, per_hour=300, staff=6)
        service.create_round(session, actor=admin, now=at(9, 6), data=RoundCreate(
            name="临猗县全员核酸", area="county", county_code=LINYI, pool_size=10,
            starts_at=at(9, 7), sites=[desk],
        ))  # fmt: skip
        labs.save_labs(session, actor=admin, labs=city_labs())


def line_list(rows: int) -> bytes:
    from tests.builders.people import make_person

    lines = ["姓名,身份证号,现住址,接触方式,类别,末次接触时间"]
    for i in range(rows):
        p = make_person(f"导入{i}", born=date(1950, 1, 1))  # not the setup process's people
        lines.append(f"{p.name},{p.id_number},{p.address},同事,密接,2022-03-06 18:00")
    return ("\n".join(lines) + "\n").encode()


def run(op: str, url: str) -> None:
    engine = make_engine(url)

    said: list[bool] = []

    def say_mid(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not said and statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            said.append(True)
            print("MID", flush=True)
            time.sleep(0.5)  # the kill lands while the transaction is open

    with transaction(make_session_factory(engine)) as session:
        actor = actor_by_username(session, "crash")
        assert actor is not None
        event.listen(engine, "after_cursor_execute", say_mid)
        OPERATIONS[op](session, actor)
    print("DONE", flush=True)


def _import(session: Session, actor: Any) -> None:
    from fangkong.tracing import linelists
    from fangkong.tracing.models import Infection

    infection_id = max(session.scalars(select(Infection.id)))
    linelists.import_contacts(session, actor=actor, infection_id=infection_id,
                              filename="list.csv", content=line_list(1_500), now=NOW)  # fmt: skip


def _place(session: Session, actor: Any) -> None:
    from fangkong.quarantine.service import place_contacts
    from fangkong.tracing.models import Contact

    ids = list(session.scalars(select(Contact.id).order_by(Contact.id).limit(CONTACTS)))
    place_contacts(session, actor=actor, contact_ids=ids, now=at(7, 12))


def _register(session: Session, actor: Any) -> None:
    from fangkong.people.models import Person
    from fangkong.testing import service
    from fangkong.testing.models import SamplingSite, ScreeningRound

    round_id = session.scalars(select(ScreeningRound.id)).one()
    site_id = session.scalars(select(SamplingSite.id)).first()
    keys = list(session.scalars(select(Person.person_key).where(Person.name.like("居民%"))))
    scans = [service.Registration(k, f"T{i // 10:05d}", site_id or 0, at(9, 8), ("items", i))
             for i, k in enumerate(keys)]  # fmt: skip
    service.register_samples(session, actor=actor, round_id=round_id, scans=scans, now=at(9, 12))


OPERATIONS = {"import": _import, "place": _place, "register": _register}

if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
