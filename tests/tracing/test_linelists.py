from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from fangkong.core.auth import Actor
from fangkong.core.errors import InvalidInput
from fangkong.people.models import Person
from fangkong.tracing.linelists import export_contacts, import_contacts
from fangkong.tracing.models import Contact, ImportBatch
from tests.builders.moments import at
from tests.builders.tracing import SAMPLE_PATH as SAMPLE
from tests.builders.tracing import make_infection
from tests.conftest import NOW, MakeActor


def flat(text: str) -> str:
    """CLI output with Rich's line wrapping undone."""
    return " ".join(text.split())


def counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Person)) or 0,
        session.scalar(select(func.count()).select_from(Contact)) or 0,
        session.scalar(select(func.count()).select_from(ImportBatch)) or 0,
    )


def sample_workbook() -> openpyxl.Workbook:
    return openpyxl.load_workbook(SAMPLE)


def as_bytes(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class TestImportSample:
    def test_the_county_sheet_imports_as_it_is(self, session: Session, tracer: Actor) -> None:
        index = make_infection(session, tracer)
        result = import_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            filename=SAMPLE.name,
            content=SAMPLE.read_bytes(),
            now=NOW,
        )
        assert (result.rows, result.contacts_created, result.people_created) == (8, 8, 8)
        contacts = session.scalars(
            select(Contact).where(Contact.infection_id == index.id).order_by(Contact.id)
        ).all()
        assert [c.category for c in contacts].count("close") == 7
        people = {p.id: p for p in session.scalars(select(Person))}
        by_name = {people[c.person_id].name: c for c in contacts}
        secondary = by_name["陈某某"]
        assert secondary.category == "secondary"
        assert secondary.via_contact_id == by_name["刘某"].id
        # Excel date-times and every text shape read as China Standard Time.
        assert by_name["王某某"].exposure_at == at(6, 21)
        assert by_name["李某某"].exposure_at == at(6, 21)
        assert by_name["刘某"].exposure_at == at(5, 17, 30)
        assert by_name["赵某某"].exposure_at == at(4, 18, 5)
        assert {c.setting for c in contacts} == {"household", "taxi", "train_carriage", "workplace"}
        mother = people[by_name["李某某"].person_id]
        assert (mother.id_number, mother.phone) == ("14082119630122028X", "13934561236")
        assert people[by_name["赵某某"].person_id].id_number == "610113199504080668"
        assert people[by_name["王某"].person_id].phone == "13834561235"
        infant = people[by_name["王某宝"].person_id]
        assert (
            infant.id_number is None
            and infant.age_text == "6月龄"
            and infant.person_key.startswith("G")
        )
        assert people[by_name["张某"].person_id].county_code == "140802"

    def test_importing_twice_changes_nothing(self, session: Session, tracer: Actor) -> None:
        index = make_infection(session, tracer)
        content = SAMPLE.read_bytes()
        import_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            filename=SAMPLE.name,
            content=content,
            now=NOW,
        )
        before = counts(session)
        again = import_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            filename=SAMPLE.name,
            content=content,
            now=NOW,
        )
        assert again.already_imported and counts(session) == before
        # The same rows saved again (other bytes) still add nobody.
        resaved = as_bytes(sample_workbook())
        third = import_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            filename="copy.xlsx",
            content=resaved,
            now=NOW,
        )
        assert third.contacts_created == 0 and third.people_created == 0
        assert counts(session)[:2] == before[:2]

    def test_a_bad_row_names_row_and_column_and_writes_nothing(
        self, session: Session, tracer: Actor
    ) -> None:
        index = make_infection(session, tracer)
        book = sample_workbook()
        sheet = book.active
        sheet["E5"] = "140821196107090118"  # wrong check digit, row 5
        sheet["L10"] = "路人甲"  # unknown category, row 10
        sheet["K11"] = "2030/3/6 7:30"  # in the future, row 11
        with pytest.raises(InvalidInput) as caught:
            import_contacts(
                session,
                actor=tracer,
                infection_id=index.id,
                filename="bad.xlsx",
                content=as_bytes(book),
                now=NOW,
            )
        locs = {p.loc[:2] for p in caught.value.problems}
        assert ("row 5", "身份证号码") in locs
        assert ("row 10", "人员类别") in locs
        assert ("row 11", "末次接触时间") in locs
        assert counts(session) == (1, 0, 0)

    def test_every_problem_of_every_row_in_one_answer(
        self, session: Session, tracer: Actor
    ) -> None:
        """Problems found reading the rows and those the protocol finds come together, by
        row in the sheet's order, under its headings; fixing them all imports the sheet."""
        index = make_infection(session, tracer)
        book = sample_workbook()
        sheet = book.active
        sheet["B4"] = None  # no name
        sheet["L4"] = "密 接人员"  # understood, even on a row that cannot be read
        sheet["K6"] = "昨天晚上"  # not a time
        sheet["L7"] = "路人"  # no such category
        sheet["E9"] = "140802197711300553"  # wrong check digit
        sheet["K10"] = "2030/3/6 7:30"  # in the future
        sheet["L11"] = "密切接触"  # understood: not a problem
        sheet["M12"] = None  # a secondary contact that names no close contact
        with pytest.raises(InvalidInput) as caught:
            import_contacts(session, actor=tracer, infection_id=index.id, filename="bad.xlsx",
                            content=as_bytes(book), now=NOW)  # fmt: skip
        problems = caught.value.problems
        assert [p.loc[:2] for p in problems] == [
            ("row 4", "姓名"),
            ("row 6", "末次接触时间"),
            ("row 7", "人员类别"),
            ("row 9", "身份证号码"),
            ("row 10", "末次接触时间"),
            ("row 12", "备注"),
        ]
        assert caught.value.message == "bad.xlsx：6 行共 6 处问题，未导入任何数据"
        assert counts(session) == (1, 0, 0)

        sheet["B4"], sheet["K6"], sheet["L7"] = "王某某", "2022/3/6 21:00", "ＣＬＯＳＥ"
        sheet["E9"], sheet["K10"], sheet["M12"] = "140802197711300552", "2022/3/4 18:05", "7号"
        sheet["L12"] = "次密接人员"
        fixed = as_bytes(book)
        result = import_contacts(session, actor=tracer, infection_id=index.id,
                                 filename="fixed.xlsx", content=fixed, now=NOW)  # fmt: skip
        assert result.contacts_created == 8
        categories = session.scalars(select(Contact.category).order_by(Contact.id)).all()
        assert categories == ["close"] * 7 + ["secondary"]

    def test_an_unknown_category_gets_a_suggestion(self, session: Session, tracer: Actor) -> None:
        index = make_infection(session, tracer)
        book = sample_workbook()
        book.active["L5"] = "密切接处者"  # a slip of the keyboard
        with pytest.raises(InvalidInput) as caught:
            import_contacts(session, actor=tracer, infection_id=index.id, filename="l.xlsx",
                            content=as_bytes(book), now=NOW)  # fmt: skip
        [problem] = caught.value.problems
        assert problem.loc[:2] == ("row 5", "人员类别") and "密切接触者" in problem.msg

    def test_not_a_spreadsheet(self, session: Session, tracer: Actor) -> None:
        index = make_infection(session, tracer)
        with pytest.raises(InvalidInput, match="无法读取的表格文件"):
            import_contacts(
                session,
                actor=tracer,
                infection_id=index.id,
                filename="list.xlsx",
                content=b"%PDF-1.4 this is not a workbook",
                now=NOW,
            )

    def test_csv_in_gb18030_with_english_headers(self, session: Session, tracer: Actor) -> None:
        index = make_infection(session, tracer)
        text = (
            "name,id_number,phone,category,setting,exposure_at,address\n"
            "周某,140821198409140774,13734561239,close,workplace,2022-03-05 17:30,临猗县某村\n"
        )
        result = import_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            filename="l.csv",
            content=text.encode("gb18030"),
            now=NOW,
        )
        assert result.contacts_created == 1

    def test_missing_header_is_named(self, session: Session, tracer: Actor) -> None:
        index = make_infection(session, tracer)
        with pytest.raises(InvalidInput, match="末次接触时间"):
            import_contacts(
                session,
                actor=tracer,
                infection_id=index.id,
                filename="l.csv",
                content="姓名,人员类别,接触方式,性别\n王某,密接,共同居住,男\n".encode(),
                now=NOW,
            )


class TestExport:
    def test_masked_for_a_viewer_and_audited(
        self, session: Session, tracer: Actor, make_actor: MakeActor
    ) -> None:
        index = make_infection(session, tracer)
        import_contacts(
            session,
            actor=tracer,
            infection_id=index.id,
            filename=SAMPLE.name,
            content=SAMPLE.read_bytes(),
            now=NOW,
        )
        viewer = make_actor("viewer", None)
        rows = list(
            openpyxl.load_workbook(
                io.BytesIO(export_contacts(session, actor=viewer, infection_id=index.id, now=NOW))
            ).active.values
        )
        assert rows[0][:4] == ("序号", "姓名", "性别", "身份证号码")
        names = {r[1] for r in rows[1:]}
        assert "王某某" not in names and "王**" in names
        assert all("*" in (r[3] or "*") for r in rows[1:])
        full = list(
            openpyxl.load_workbook(
                io.BytesIO(export_contacts(session, actor=tracer, infection_id=index.id, now=NOW))
            ).active.values
        )
        assert "140821199002030420" in {r[3] for r in full}
        assert "集中隔离 → 居家健康监测" in {r[11] for r in full}


class TestCli:
    def test_import_exits_non_zero_with_row_errors(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_copy: Path
    ) -> None:
        from fangkong.cli import app
        from fangkong.core.settings import get_settings

        monkeypatch.setenv("FANGKONG_DATA_DIR", str(demo_copy))  # the demo, built once a run
        get_settings.cache_clear()
        try:
            runner = CliRunner()
            book = sample_workbook()
            book.active["L6"] = "路人甲"
            bad = tmp_path / "bad.xlsx"
            book.save(bad)
            result = runner.invoke(app, ["contacts", "import", str(bad), "--infection", "1"])
            assert result.exit_code == 1
            assert "第6行" in flat(result.output) and "人员类别" in flat(result.output)
            good = runner.invoke(app, ["contacts", "import", str(SAMPLE), "--infection", "1"])
            assert good.exit_code == 0, good.output
            assert "已导入 8 行" in flat(good.output)
            again = runner.invoke(app, ["contacts", "import", str(SAMPLE), "--infection", "1"])
            assert "未作任何改动" in flat(again.output)
            missing = runner.invoke(app, ["contacts", "import", str(SAMPLE), "--infection", "999"])
            assert missing.exit_code == 1 and "未找到感染者 999" in flat(missing.output)
        finally:
            get_settings.cache_clear()
