"""Contact line lists in and out: the spreadsheets tracing groups actually fill in."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import FieldProblem, InvalidInput
from fangkong.core.i18n import _, validation_message
from fangkong.core.sheets import (
    Layout,
    Row,
    Table,
    cell_datetime,
    read_sheet,
    sheet_refused,
    text_row,
)
from fangkong.core.timeutil import fmt_local, future
from fangkong.people.permissions import SEE_FULL_IDENTITY
from fangkong.people.schemas import PersonIn
from fangkong.people.service import people_by_id, show_person
from fangkong.protocol.loader import get_protocol
from fangkong.protocol.models import Protocol
from fangkong.tracing.models import ImportBatch
from fangkong.tracing.schemas import ContactCreate, ImportResult
from fangkong.tracing.service import (
    ContactsRecorded,
    get_infection,
    list_contacts,
    orders_for,
    record_contacts,
    resolve_category,
    resolve_setting,
)

# Each field and the headers tracers write for it (compared without spaces, case-insensitive).
HEADERS: dict[str, tuple[str, ...]] = {
    "serial": ("序号", "编号", "no", "no.", "#", "serial"),
    "name": ("姓名", "name"),
    "sex": ("性别", "sex", "gender"),
    "age": ("年龄", "age"),
    "id_number": (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号码",
        "id_number",
        "idnumber",
        "id",
    ),
    "passport": ("护照号", "护照号码", "passport"),
    "phone": ("手机号", "手机号码", "联系电话", "电话", "联系方式", "phone", "mobile"),
    "address": ("现住址", "现居住地址", "住址", "居住地址", "address"),
    "relation": ("与病例关系", "与病例的关系", "关系", "relation"),
    "category": ("人员类别", "接触类型", "人员类型", "类别", "category"),
    "setting": ("接触方式", "接触方式/场所", "接触场景", "接触方式场所", "setting"),
    "place": ("接触地点", "接触场所", "地点", "place"),
    "exposure_at": (
        "末次接触时间",
        "最后接触时间",
        "末次暴露时间",
        "接触时间",
        "exposure_at",
        "lastexposure",
        "exposure",
    ),
    "note": ("备注", "note", "notes", "remarks"),
}
LAYOUT = Layout(
    headers=HEADERS, required=("name", "category", "setting", "exposure_at"), anchor="name"
)
NO_DOCUMENT = {"", "无", "暂无", "未办理", "未办", "没有", "none", "n/a", "-", "/"}
VIA_NOTE = re.compile(r"(\d+)\s*号")
SEX = {"男": "male", "女": "female", "male": "male", "female": "female", "m": "male", "f": "female"}


@dataclass
class ParsedSheet:
    rows: list[ContactCreate]
    row_numbers: list[int]
    via_rows: dict[int, int]
    header_of: dict[str, str]
    problems: list[FieldProblem]  # of rows that could not be read, and of the sources


def parse_contact_sheet(table: Table, *, protocol: Protocol, now: datetime) -> ParsedSheet:
    """Rows of a line list as contacts, and every problem found reading them (row number and
    column header); a secondary contact's 备注 (7号) names the row it came through. A row that
    cannot be read is still checked against the protocol, so one answer names all it lacks."""
    problems: list[FieldProblem] = []
    parsed: list[ContactCreate] = []
    numbers: list[int] = []
    serials: dict[str, int] = {}
    for r, row in table:
        contact, row_problems = _contact_of_row(table, f"row {r}", row)
        problems += row_problems
        if contact is None:
            problems += _protocol_problems(table, f"row {r}", row, protocol, now)
            continue
        serial = table.text(row, "serial")
        if serial:
            serials[serial] = len(parsed)
        parsed.append(contact)
        numbers.append(r)
    via_rows, source_problems = _secondary_sources(table, protocol, parsed, numbers, serials)
    return ParsedSheet(parsed, numbers, via_rows, table.header_of, problems + source_problems)


def _protocol_problems(
    table: Table, loc: str, row: Row, protocol: Protocol, now: datetime
) -> list[FieldProblem]:
    """What the batch check would say of an unreadable row's category, setting and exposure
    (the rows that read are checked by record_contacts itself)."""
    problems = []
    for field, resolve in (("category", resolve_category), ("setting", resolve_setting)):
        try:
            resolve(protocol, table.text(row, field))
        except ValueError as exc:
            problems.append(FieldProblem((loc, table.heading(field)), str(exc)))
    try:
        exposure = cell_datetime(table.get(row, "exposure_at"))
    except ValueError:
        return problems  # already reported by _contact_of_row
    if exposure > now:
        problems.append(FieldProblem((loc, table.heading("exposure_at")), future(exposure, now)))
    return problems


def _contact_of_row(
    table: Table, loc: str, row: Row
) -> tuple[ContactCreate | None, list[FieldProblem]]:
    """One row as a contact (None if it cannot be read), and what is wrong with it."""
    problems: list[FieldProblem] = []
    raw_id = table.text(row, "id_number")
    if isinstance(table.get(row, "id_number"), float):
        problems.append(
            FieldProblem(
                (loc, table.heading("id_number")),
                "ID number stored as a number lost its digits; format the column as text",
            )
        )
    sex_text = table.text(row, "sex").lower()
    try:
        exposure = cell_datetime(table.get(row, "exposure_at"))
    except ValueError as exc:
        return None, [*problems, FieldProblem((loc, table.heading("exposure_at")), str(exc))]
    try:
        person = PersonIn(
            name=table.text(row, "name"),
            id_number=None if raw_id.lower() in NO_DOCUMENT else raw_id,
            passport=table.text(row, "passport") or None,
            sex=SEX.get(sex_text),
            age_text=table.text(row, "age") or None,
            phone=table.text(row, "phone") or None,
            address=table.text(row, "address"),
        )
        contact = ContactCreate(
            person=person,
            category=table.text(row, "category"),
            setting=table.text(row, "setting"),
            exposure_at=exposure,
            relation=table.text(row, "relation")[:64],
            place=table.text(row, "place")[:120],
            note=table.text(row, "note"),
        )
    except ValidationError as exc:
        for err in exc.errors():
            field = next(
                (str(p) for p in err["loc"] if str(p) in table.header_of), str(err["loc"][-1])
            )
            problems.append(FieldProblem((loc, table.heading(field)), validation_message(err)))
        return None, problems
    if sex_text and sex_text not in SEX:
        problems.append(FieldProblem((loc, table.heading("sex")), f"unknown sex {sex_text!r}"))
    return contact, problems


def _secondary_sources(
    table: Table,
    protocol: Protocol,
    parsed: list[ContactCreate],
    numbers: list[int],
    serials: dict[str, int],
) -> tuple[dict[int, int], list[FieldProblem]]:
    """Each secondary contact's row -> the row of the close contact its 备注 names (7号)."""
    via_rows: dict[int, int] = {}
    problems: list[FieldProblem] = []
    for i, contact in enumerate(parsed):
        try:
            category = resolve_category(protocol, contact.category or "")
        except ValueError:
            continue  # reported with the row by record_contacts
        if category != "secondary":
            continue
        m = VIA_NOTE.search(contact.note)
        if m is None or m.group(1) not in serials:
            problems.append(
                FieldProblem(
                    (f"row {numbers[i]}", table.heading("note")),
                    _(
                        "a secondary contact must name the row of the close contact it came "
                        "through, e.g. '7号' (序号 7)"
                    ),
                )
            )
        else:
            via_rows[i] = serials[m.group(1)]
    return via_rows, problems


def import_contacts(
    session: Session,
    *,
    actor: Actor,
    infection_id: int,
    filename: str,
    content: bytes,
    now: datetime,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import a line list for one infection, all rows or none. The same file twice is a no-op.
    `progress` is told each stage as it finishes (read, written), for a progress bar."""
    step = progress or (lambda _stage: None)
    infection = get_infection(session, actor=actor, infection_id=infection_id)
    digest = hashlib.sha256(content).hexdigest()
    done = session.scalar(
        select(ImportBatch).where(
            ImportBatch.infection_id == infection.id, ImportBatch.sha256 == digest
        )
    )
    if done is not None:
        return ImportResult(
            infection_id=infection.id,
            filename=filename,
            rows=done.rows,
            people_created=0,
            contacts_created=0,
            already_imported=True,
        )
    table = read_sheet(filename, content, LAYOUT)
    sheet = parse_contact_sheet(table, protocol=get_protocol(infection.protocol_id), now=now)
    if not sheet.rows and not sheet.problems:
        raise InvalidInput.at(("file",), f"{filename}: no contact rows under the header")
    step(f"read {len(sheet.rows)} rows")
    recorded = _record_sheet(session, actor, infection.id, sheet, digest, filename, now)
    step(f"wrote {recorded.created} contacts")
    return ImportResult(
        infection_id=infection.id,
        filename=filename,
        rows=len(sheet.rows),
        people_created=recorded.people_created,
        contacts_created=recorded.created,
        already_imported=False,
    )


def _record_sheet(
    session: Session,
    actor: Actor,
    infection_id: int,
    sheet: ParsedSheet,
    digest: str,
    filename: str,
    now: datetime,
) -> ContactsRecorded:
    """The sheet's contacts and its import batch in a savepoint: a bad row leaves nothing
    behind, even inside a larger unit of work. Every problem of the sheet, the reading's and
    the protocol's, comes in one answer, by row, under the sheet's own headings."""
    problems = list(sheet.problems)
    if not sheet.rows:
        raise sheet_refused(filename, problems)
    try:
        with session.begin_nested():
            batch = ImportBatch(
                infection_id=infection_id,
                sha256=digest,
                filename=filename[:200],
                rows=len(sheet.rows),
                imported_at=now,
                imported_by=actor.username,
            )
            session.add(batch)
            session.flush()
            recorded = record_contacts(
                session,
                actor=actor,
                infection_id=infection_id,
                items=sheet.rows,
                now=now,
                via_rows=sheet.via_rows,
                locs=[f"row {n}" for n in sheet.row_numbers],
                import_batch_id=batch.id,
            )
            if problems:
                raise InvalidInput("", [])  # undo the savepoint: the sheet has bad rows
            return recorded
    except InvalidInput as exc:
        said = {p.loc[:2] for p in problems}  # a cell the reading faulted is not faulted twice
        checked = (_as_written(p, sheet.header_of) for p in exc.problems)
        problems += [p for p in checked if p.loc[:2] not in said]
    raise sheet_refused(filename, problems)


def _as_written(problem: FieldProblem, header_of: dict[str, str]) -> FieldProblem:
    """A problem under the sheet's heading: a secondary contact's source is its 备注."""
    loc, headings = problem.loc, {**header_of, "via_contact_id": header_of.get("note", "备注")}
    if len(loc) >= 2 and isinstance(loc[1], str) and loc[1] in headings:
        return FieldProblem((loc[0], headings[loc[1]], *loc[2:]), problem.msg)
    return problem


EXPORT_HEADERS = (
    "序号",
    "姓名",
    "性别",
    "身份证号码",
    "联系电话",
    "现住址",
    "县区",
    "人员类别",
    "接触方式",
    "接触地点",
    "末次接触时间",
    "管理方式",
    "管理开始",
    "管理结束",
    "检测日期",
    "管控时间",
)
KIND_LABEL = {
    "central_quarantine": "集中隔离",
    "home_quarantine": "居家隔离",
    "home_monitoring": "居家健康监测",
}
SEX_LABEL = {"male": "男", "female": "女", "unknown": ""}


def export_contacts(session: Session, *, actor: Actor, infection_id: int, now: datetime) -> bytes:
    """The infection's contacts as .xlsx, masked unless the user may see identities in full."""
    infection = get_infection(session, actor=actor, infection_id=infection_id)
    protocol = get_protocol(infection.protocol_id)
    contacts, _elsewhere = list_contacts(session, actor=actor, infection_id=infection.id)
    people = people_by_id(session, {c.person_id for c in contacts})
    orders = orders_for(session, [c.id for c in contacts])
    book = Workbook(write_only=True)
    sheet = book.create_sheet("密接人员")
    sheet.append(text_row(sheet, list(EXPORT_HEADERS)))
    for n, contact in enumerate(contacts, start=1):
        shown = show_person(people[contact.person_id], actor)
        order = orders.get(contact.id)
        phases = order[1] if order else []
        sheet.append(
            text_row(
                sheet,
                [
                    n,
                    shown.name,
                    SEX_LABEL.get(shown.sex, ""),
                    shown.id_number or "",
                    shown.phone or "",
                    shown.address,
                    shown.county_name or "",
                    protocol.category(contact.category).label,
                    protocol.settings[contact.setting].label,
                    contact.place,
                    fmt_local(contact.exposure_at),
                    " → ".join(KIND_LABEL[p.kind] for p in phases),
                    fmt_local(order[0].starts_at) if order else "",
                    fmt_local(order[0].ends_at) if order else "",
                    ", ".join(d for p in phases for d in p.test_dates),
                    fmt_local(contact.under_control_at),
                ],
            )
        )
    out = io.BytesIO()
    book.save(out)
    record_audit(
        session,
        actor=actor,
        action="export",
        entity="infection",
        entity_id=infection.id,
        now=now,
        detail=f"{len(contacts)} contacts, {'full' if actor.can(SEE_FULL_IDENTITY) else 'masked'}",
    )
    return out.getvalue()
