"""7 March: the index case's close contacts are recorded at 02:10 and placed through the night
and morning (his household at 23:30 the evening before); the taxi driver and the train
carriage are handed to 盐湖区, the last two passengers found late (30 h and 44 h); the close
contacts' households become secondary contacts; his wife is positive at 04:00, and her bank
colleagues are moved to rooms point to point."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.demo.cast import HOME, LINYI, YANHU, Residents, contact, every
from fangkong.demo.handling import by_transfer, control
from fangkong.demo.when import at
from fangkong.people.schemas import PersonIn
from fangkong.quarantine.stays import end_stays_of
from fangkong.tracing import service as tracing
from fangkong.tracing.schemas import ContactCreate, ContactOfContactCreate, InfectionCreate

if TYPE_CHECKING:
    from fangkong.tracing.models import Contact, Infection

HOUSEHOLD = (
    (PersonIn(name="王某某", id_number="140821199002030420", phone="13834561234", address=HOME),
     "妻子"),
    (PersonIn(name="王某", id_number="140821196107090119", phone="13834561235", address=HOME),
     "父亲"),
    (PersonIn(name="李某某", id_number="14082119630122028X", phone="13934561236", address=HOME),
     "母亲"),
    (PersonIn(name="王某宝", sex="male", age_text="6月龄", address=HOME), "儿子"),
)  # fmt: skip
COWORKER = PersonIn(
    name="刘某", id_number="140821198409140774", phone="13734561239", address="临猗县临晋镇某村"
)


def close_contacts(
    session: Session, linyi: Actor, index: Infection, residents: Residents
) -> list[Contact]:
    """Household, supermarket colleagues, the restaurant's table and the pharmacist: recorded
    at 02:10, each placed in a room on the times below."""
    items = [
        contact(p, "close", "household", at(6, 20, 30), at(6, 20, 40), relation=r, place="家中")
        for p, r in HOUSEHOLD
    ]
    colleague = {"relation": "同事", "place": "临猗县某超市"}
    items.append(contact(COWORKER, "close", "workplace", at(5, 17, 30), at(6, 22, 30), **colleague))
    items += [
        contact(residents.make(LINYI, "临猗县猗氏镇某小区"), "close", "workplace",
                at(5, 17, 30), at(6, 23), **colleague)
        for _ in range(5)
    ]  # fmt: skip
    items += [
        contact(residents.make(LINYI, "临猗县猗氏镇某村"), "close", "meal", at(5, 19, 30),
                at(7, 1), relation="同桌就餐", place="临猗县某饭店")
        for _ in range(6)
    ]  # fmt: skip
    items.append(
        contact(residents.make(LINYI, "临猗县猗氏镇某路"), "close", "shop", at(6, 8, 50),
                at(7, 2), relation="药店店员", place="临猗县某大药房")
    )  # fmt: skip
    recorded = tracing.record_contacts(
        session, actor=linyi, infection_id=index.id, items=items, now=at(7, 2, 10)
    )
    placed_at = (
        [at(6, 23, 30)] * 4
        + [at(7, 3, 10), at(7, 3, 40), at(7, 4, 0), at(7, 4, 30), at(7, 5, 0), at(7, 5, 20)]
        + [at(7, 6) + timedelta(minutes=40 * i) for i in range(6)]
        + [at(7, 9, 30)]
    )
    control(session, linyi, recorded.contacts, placed_at, "placed")
    return recorded.contacts


def handed_to_yanhu(
    session: Session, linyi: Actor, yanhu: Actor, index: Infection, residents: Residents
) -> None:
    """The taxi driver and the train carriage, recorded by 临猗县 and placed by 盐湖区."""
    items = [
        contact(
            PersonIn(name="张某", id_number="140802197711300552", phone="15935461237",
                     address="盐湖区解放路某小区"),
            "close", "taxi", at(4, 19, 40), at(6, 23, 30), relation="出租车司机",
            place="运城北站至临猗县（出租车）",
        ),
        contact(
            PersonIn(name="赵某某", id_number="610113199504080668", phone="18734561238",
                     address="盐湖区河东东街某小区"),
            "close", "train_carriage", at(4, 18, 5), at(7, 0, 30), relation="同车厢旅客",
            place="D2535次 5车厢",
        ),
    ]  # fmt: skip
    items += [
        contact(residents.make(YANHU, f"盐湖区某街道某小区{i + 1}号楼"), "close",
                "train_carriage", at(4, 18, 5), at(7, 0, 30) + timedelta(hours=i),
                relation="同车厢旅客", place="D2535次 5车厢")
        for i in range(12)
    ]  # fmt: skip
    recorded = tracing.record_contacts(
        session, actor=linyi, infection_id=index.id, items=items, now=at(7, 12)
    )
    # The last two passengers were found late: one at 30 h, one at 44 h after the report.
    placed_at = every(at(7, 9, 10), 45)[:12] + [at(8, 1, 50), at(8, 15, 50)]
    control(session, yanhu, recorded.contacts, placed_at, "placed")


def secondary_contacts(
    session: Session, linyi: Actor, close: list[Contact], residents: Residents
) -> int:
    """The households of six close contacts (two each, placed from 13:00) and of two more
    (one each, home quarantine from 18:00). Returns how many."""
    secondary = 0
    for via in close[4:10]:
        made = tracing.record_contacts_of_contact(
            session,
            actor=linyi,
            contact_id=via.id,
            now=at(7, 10),
            items=[_family(residents, at(6, 7, 30), at(7, 9)) for _ in range(2)],
        )
        start = at(7, 13) + timedelta(minutes=30 * secondary)
        control(session, linyi, made.contacts, every(start, 30), "placed")
        secondary += len(made.contacts)
    for via in close[10:12]:
        made = tracing.record_contacts_of_contact(
            session,
            actor=linyi,
            contact_id=via.id,
            now=at(7, 11),
            items=[_family(residents, at(6, 8), at(7, 10))],
        )
        control(session, linyi, made.contacts, [at(7, 18)], "home")
        secondary += len(made.contacts)
    return secondary


def _family(
    residents: Residents, exposed: datetime, identified: datetime
) -> ContactOfContactCreate:
    return ContactOfContactCreate(
        person=residents.make(LINYI, "临猗县某镇某村"),
        setting="household",
        exposure_at=exposed,
        identified_at=identified,
        relation="家属",
    )


def wife(session: Session, linyi: Actor, close: list[Contact], residents: Residents) -> None:
    """Positive at 04:00 in her room; she leaves for hospital, and her five bank colleagues
    are moved to rooms point to point."""
    infection = tracing.record_infection(
        session,
        actor=linyi,
        now=at(7, 4, 20),
        data=InfectionCreate(
            person_id=close[0].person_id,
            kind="confirmed",
            onset_at=None,
            sampled_at=at(6, 23, 40),
            reported_at=at(7, 4),
        ),
    )
    end_stays_of(session, person_id=infection.person_id, now=at(7, 4, 20))
    bank: list[ContactCreate] = [
        contact(residents.make(LINYI, "临猗县猗氏镇某小区"), "close", "workplace", at(6, 17),
                at(7, 7), relation="同事", place="临猗县某银行网点")
        for _ in range(5)
    ]  # fmt: skip
    recorded = tracing.record_contacts(
        session, actor=linyi, infection_id=infection.id, items=bank, now=at(7, 8)
    )
    by_transfer(session, linyi, recorded.contacts)
