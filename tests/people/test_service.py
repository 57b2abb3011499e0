from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.core.audit import AuditEntry
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, InvalidInput, NotFound
from fangkong.people import service
from fangkong.people.models import Person
from fangkong.people.schemas import PersonIn, PersonUpdate
from fangkong.tracing import service as tracing
from fangkong.tracing.models import Contact, ManagementOrder
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor


def person_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


class TestUpsert:
    def test_a_person_entered_twice_is_one_person(self, session: Session) -> None:
        first = PersonIn(
            name="李某某", id_number="14082119630122028x", phone="１３９ ３４５６ １２３６"
        )
        again = PersonIn(name="李某某", id_number=" 14082119630122028X ", address="临猗县猗氏镇")
        [a] = service.upsert_people(session, items=[first], now=NOW).people
        [b] = service.upsert_people(session, items=[again], now=NOW).people
        assert a.id == b.id and person_count(session) == 1
        assert (b.phone, b.address, b.sex, str(b.birth_date)) == (
            "13934561236",
            "临猗县猗氏镇",
            "female",
            "1963-01-22",
        )
        assert b.county_code == "140821"

    def test_no_document_gets_a_stable_generated_key(self, session: Session) -> None:
        baby = PersonIn(name="王某宝", age_text="6月龄", address="临猗县猗氏镇某小区")
        [a] = service.upsert_people(session, items=[baby], now=NOW).people
        [b] = service.upsert_people(session, items=[baby], now=NOW).people
        assert a.id == b.id and a.person_key.startswith("G") and a.id_number is None

    def test_birth_date_must_match_the_id(self, session: Session) -> None:
        with pytest.raises(InvalidInput, match="与身份证号不符"):
            service.upsert_people(
                session,
                now=NOW,
                items=[
                    PersonIn(name="王某", id_number="140821196107090119", birth_date="1961-07-10")
                ],
            )

    def test_bad_mobile_is_refused_by_the_schema(self) -> None:
        with pytest.raises(ValueError, match="mainland mobile"):
            PersonIn(name="王某", phone="12345")


class TestMerge:
    def test_baby_registered_before_the_id_keeps_every_link(
        self, session: Session, tracer: Actor
    ) -> None:
        index = make_infection(session, tracer)
        baby = PersonIn(name="王某宝", age_text="6月龄", address="临猗县猗氏镇某小区")
        [no_id] = tracing.record_contacts(
            session, actor=tracer, infection_id=index.id, now=NOW, items=[contact_in(baby)]
        ).contacts
        # Later the same baby arrives with an ID number, as a contact of the same case.
        with_id = PersonIn(
            name="王某宝", id_number="140821202109010010", address="临猗县猗氏镇某小区"
        )
        [other] = tracing.record_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            now=NOW,
            items=[contact_in(with_id, exposure=at(6, 19))],
        ).contacts
        keep, drop = no_id.person_id, other.person_id
        merged = service.merge_people(
            session,
            actor=tracer,
            keep_id=keep,
            merge_id=drop,
            reason="同一婴儿，补录身份证号",
            now=NOW,
        )
        assert merged.id_number == "140821202109010010" and merged.person_key == merged.id_number
        assert session.get(Person, drop) is None
        contacts = session.scalars(select(Contact).where(Contact.infection_id == index.id)).all()
        assert [c.person_id for c in contacts] == [keep]
        assert session.scalar(select(func.count()).select_from(ManagementOrder)) == 1
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "merge")).one()
        assert audit.entity_id == str(keep) and "同一婴儿" in audit.detail
        # Both old keys still find the merged person: re-importing either adds nobody.
        [again] = service.upsert_people(session, items=[baby], now=NOW).people
        [again_id] = service.upsert_people(session, items=[with_id], now=NOW).people
        assert again.id == again_id.id == keep

    def test_a_typo_fixed_later_moves_infections_too(self, session: Session, tracer: Actor) -> None:
        typo = make_person("赵某")
        infection = make_infection(session, tracer, person=typo)
        fixed = make_person("赵某")
        [right] = service.upsert_people(session, items=[fixed], now=NOW).people
        service.merge_people(
            session,
            actor=tracer,
            keep_id=right.id,
            merge_id=infection.person_id,
            reason="身份证号录入错误",
            now=NOW,
        )
        session.refresh(infection)
        assert infection.person_id == right.id

    def test_the_typo_keeps_finding_the_right_person(self, session: Session, tracer: Actor) -> None:
        right_in, typo_in = make_person(), make_person()
        right, typo = service.upsert_people(session, items=[right_in, typo_in], now=NOW).people
        service.merge_people(
            session, actor=tracer, keep_id=right.id, merge_id=typo.id, reason="typo", now=NOW
        )
        [found] = service.upsert_people(session, items=[typo_in], now=NOW).people
        assert found.id == right.id and found.id_number == right_in.id_number
        assert person_count(session) == 1

    def test_adding_an_id_held_by_another_record_says_merge(
        self, session: Session, tracer: Actor
    ) -> None:
        baby, known = service.upsert_people(
            session,
            now=NOW,
            items=[
                PersonIn(name="王某宝", address="临猗县某村"),
                PersonIn(name="王某宝", id_number="140821202109010010", address="临猗县某村"),
            ],
        ).people
        with pytest.raises(Conflict, match=f"人员 {known.id} 已使用身份证号"):
            service.update_person(
                session,
                actor=tracer,
                person_id=baby.id,
                now=NOW,
                data=PersonUpdate(id_number="140821202109010010"),
            )


class TestReading:
    def test_full_reads_are_audited(self, session: Session, tracer: Actor) -> None:
        [p] = service.upsert_people(session, items=[make_person()], now=NOW).people
        service.get_person(session, actor=tracer, person_id=p.id, now=NOW)
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "person")).one()
        assert (entry.username, entry.action, entry.entity_id) == (
            tracer.username,
            "read",
            str(p.id),
        )

    def test_other_county_is_not_found(self, session: Session, make_actor: MakeActor) -> None:
        [p] = service.upsert_people(session, items=[make_person(county="140802")], now=NOW).people
        with pytest.raises(NotFound):
            service.get_person(
                session, actor=make_actor("tracer", "140821"), person_id=p.id, now=NOW
            )
        rows, total = service.list_people(session, actor=make_actor("tracer", "140821"))
        assert total == 0 and rows == []

    def test_viewer_sees_masks(self, session: Session, make_actor: MakeActor) -> None:
        [p] = service.upsert_people(
            session,
            now=NOW,
            items=[
                PersonIn(
                    name="王某强",
                    id_number="140821199002030420",
                    phone="13834561234",
                    address="临猗县某小区",
                )
            ],
        ).people
        shown = service.show_person(p, make_actor("viewer", None))
        assert (shown.name, shown.id_number, shown.phone) == (
            "王**",
            "140821********0420",
            "138****1234",
        )
        assert shown.masked and shown.birth_date is None and shown.address == "临猗县"


def test_merge_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from fangkong.cli import app
    from fangkong.core.settings import get_settings

    monkeypatch.setenv("FANGKONG_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
        result = runner.invoke(app, ["people", "merge", "2", "3", "--reason", "测试"])
        assert result.exit_code == 0, result.output
        assert "merged person 3 into 2" in " ".join(result.output.split())
        again = runner.invoke(app, ["people", "merge", "2", "3", "--reason", "测试"])
        assert again.exit_code == 1 and "未找到人员" in again.output
        nobody = runner.invoke(
            app, ["people", "merge", "2", "4", "--reason", "x", "--user", "ghost"]
        )
        assert nobody.exit_code == 1 and "ghost" in nobody.output
    finally:
        get_settings.cache_clear()
