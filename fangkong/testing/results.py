"""Lab results in and out: the worklist file, results uploaded all or nothing, a positive
pool recalled, a positive single tube an infection, a finished round fed to its zones."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.db import in_chunks
from fangkong.core.errors import FieldProblem, InvalidInput
from fangkong.core.i18n import _
from fangkong.core.sheets import Cell, Layout, cell_datetime, csv_text, read_sheet
from fangkong.core.timeutil import future, local
from fangkong.testing.labs import lab_for
from fangkong.testing.models import (
    Recall,
    Sample,
    ScreeningRound,
    Shipment,
    Tube,
)
from fangkong.testing.permissions import LAB_RESULTS
from fangkong.testing.recalls import close_recalls
from fangkong.testing.schemas import (
    ResultsRead,
)
from fangkong.tracing.service import open_infection_from_test
from fangkong.zones.models import ZoneRound
from fangkong.zones.service import RoundArea, record_whole_zone_rounds

RESULT_LAYOUT = Layout(
    headers={
        "barcode": ("管号", "条码", "样本编号", "试管编号", "tube", "barcode"),
        "result": ("结果", "检测结果", "result"),
        "tested_at": ("检测时间", "上机时间", "tested_at"),
        "reported_at": ("报告时间", "审核时间", "reported_at"),
    },
    required=("barcode", "result"),
    anchor="barcode",
)


RESULT_WORDS = {
    "阴性": "negative",
    "negative": "negative",
    "neg": "negative",
    "-": "negative",
    "阳性": "positive",
    "positive": "positive",
    "pos": "positive",
    "+": "positive",
    "无效": "invalid",
    "invalid": "invalid",
}


def results_csv(rows: Iterable[tuple[str, str, datetime | None, datetime | None]]) -> bytes:
    """The results file in the layout `parse_results` reads: a worklist to fill in, or results
    to upload. UTF-8 with a byte-order mark so Excel opens the Chinese headers as they are."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["管号", "结果", "检测时间", "报告时间"])
    for barcode, result, tested, reported in rows:
        writer.writerow([csv_text(barcode), csv_text(result), _cell(tested), _cell(reported)])
    return ("\ufeff" + out.getvalue()).encode()


def _cell(value: datetime | None) -> str:
    return f"{local(value):%Y-%m-%d %H:%M}" if value is not None else ""


@dataclass(frozen=True)
class ResultRow:
    barcode: str
    result: str
    tested_at: datetime | None
    reported_at: datetime
    loc: tuple[str | int, ...]


@lru_cache(maxsize=4096)
def _when(value: Cell) -> datetime:
    """A lab's file repeats a few run times over thousands of rows: parse each once."""
    return cell_datetime(value)


def parse_results(filename: str, content: bytes, *, now: datetime) -> list[ResultRow]:
    table = read_sheet(filename, content, RESULT_LAYOUT)
    rows: list[ResultRow] = []
    problems: list[FieldProblem] = []
    for number, row in table:
        loc = (f"row {number}",)
        word = table.text(row, "result").lower()
        result = RESULT_WORDS.get(word)
        if result is None:
            problems.append(
                FieldProblem(
                    (*loc, table.heading("result")), _("unknown result %(word)s", word=repr(word))
                )
            )
            continue
        times: dict[str, datetime | None] = {}
        for field in ("tested_at", "reported_at"):
            value = table.get(row, field)
            try:
                times[field] = _when(value) if value not in (None, "") else None
            except InvalidInput as exc:
                problems.append(FieldProblem((*loc, table.heading(field)), str(exc)))
                times[field] = None
        rows.append(
            ResultRow(
                table.text(row, "barcode"),
                result,
                times["tested_at"],
                times["reported_at"] or now,
                loc,
            )
        )
    if problems:
        raise InvalidInput(_("problems in the results; nothing was recorded"), problems[:50])
    return rows


class TubeState(NamedTuple):
    """A tube as results meet it (rows, not ORM objects: a lab's file holds 10,000s)."""

    id: int
    barcode: str
    round_id: int
    kind: str
    closed_at: datetime | None
    shipment_id: int | None
    result: str | None


def record_results_file(
    session: Session, *, actor: Actor, lab_id: int, filename: str, content: bytes, now: datetime
) -> ResultsRead:
    """A lab's results file (.csv/.xlsx), read then recorded: all or nothing."""
    return record_results(
        session, actor=actor, lab_id=lab_id, rows=parse_results(filename, content, now=now), now=now
    )


def record_results(
    session: Session, *, actor: Actor, lab_id: int, rows: Sequence[ResultRow], now: datetime
) -> ResultsRead:
    """A lab's results, all or nothing. A positive pool raises a recall of its members for
    single-tube retests; a positive single tube opens an infection. The same result again
    changes nothing; a different one for a tube that has a result is refused."""
    actor.require(LAB_RESULTS, what="upload lab results")
    lab = lab_for(session, actor=actor, lab_id=lab_id)
    tubes = _tubes_by_barcode(session, [r.barcode for r in rows])
    lab_of = _lab_of_shipments(session, [t.shipment_id for t in tubes.values() if t.shipment_id])
    todo, already = _check_results(rows, tubes, lab_of, lab_id=lab.id, now=now)
    if todo:
        session.execute(
            update(Tube),
            [
                {
                    "id": tube.id,
                    "result": row.result,
                    "tested_at": row.tested_at or row.reported_at,
                    "reported_at": row.reported_at,
                }
                for tube, row in todo
            ],
        )
    positives = [(tube, row) for tube, row in todo if row.result == "positive"]
    recalls, infections = _act_on_positives(session, positives, now=now)
    close_recalls(session, [tube.id for tube, _result in todo], now=now)
    for round_id in {tube.round_id for tube, _result in todo}:
        feed_zone_rounds(session, round_id)
    record_audit(
        session,
        actor=actor,
        action="results",
        entity="lab",
        entity_id=lab.id,
        now=now,
        detail=f"{len(todo)} results, {len(positives)} positive",
    )
    session.flush()
    return ResultsRead(
        recorded=len(todo),
        already=already,
        positive_pools=sum(1 for t, _ in positives if t.kind == "pooled"),
        recalls=recalls,
        infections=infections,
    )


def _tubes_by_barcode(session: Session, barcodes: Sequence[str]) -> dict[str, TubeState]:
    tubes: dict[str, TubeState] = {}
    for chunk in in_chunks(barcodes):
        found = session.execute(
            select(
                Tube.id,
                Tube.barcode,
                Tube.round_id,
                Tube.kind,
                Tube.closed_at,
                Tube.shipment_id,
                Tube.result,
            ).where(Tube.barcode.in_(chunk))
        )
        tubes.update({row.barcode: TubeState(*row) for row in found})
    return tubes


def _check_results(
    rows: Sequence[ResultRow],
    tubes: dict[str, TubeState],
    lab_of: dict[int, int],
    *,
    lab_id: int,
    now: datetime,
) -> tuple[list[tuple[TubeState, ResultRow]], int]:
    """The results to record, and how many were recorded before; every problem raised."""
    problems: list[FieldProblem] = []
    todo: list[tuple[TubeState, ResultRow]] = []
    seen: dict[str, str] = {}
    already = 0
    for row in rows:
        tube = tubes.get(row.barcode)
        found = _row_problems(row, tube, seen, lab_of, lab_id=lab_id, now=now)
        problems += found
        if found or tube is None:
            continue
        if tube.result is not None:
            already += 1
        elif row.barcode not in seen:
            todo.append((tube, row))
        seen[row.barcode] = row.result
        if len(problems) >= 50:
            break
    if problems:
        raise InvalidInput(_("problems in the results; nothing was recorded"), problems[:50])
    return todo, already


def _row_problems(
    row: ResultRow,
    tube: TubeState | None,
    seen: dict[str, str],
    lab_of: dict[int, int],
    *,
    lab_id: int,
    now: datetime,
) -> list[FieldProblem]:
    """What is wrong with one row: the tube, its lab, its times, a result it already has."""
    where = (*row.loc, "barcode")
    if tube is None:
        return [FieldProblem(where, _("no tube %(code)s was registered", code=repr(row.barcode)))]
    if row.barcode in seen and seen[row.barcode] != row.result:
        return [FieldProblem(where, _("tube %(code)s twice with other results", code=row.barcode))]
    if tube.closed_at is None:
        return [FieldProblem(where, _("tube %(code)s is still open at its site", code=row.barcode))]
    if tube.shipment_id is not None and lab_of.get(tube.shipment_id) != lab_id:
        return [FieldProblem(where, _("tube %(code)s was sent to another lab", code=row.barcode))]
    problems = []
    for field, value in (("tested_at", row.tested_at), ("reported_at", row.reported_at)):
        if value is not None and value > now:
            problems.append(FieldProblem((*row.loc, field), future(value)))
        elif value is not None and value < tube.closed_at:
            problems.append(FieldProblem((*row.loc, field), _("is before the tube was closed")))
    if tube.result is not None and tube.result != row.result:
        problems.append(
            FieldProblem(
                where,
                _(
                    "tube %(code)s already has result %(result)s",
                    code=row.barcode,
                    result=_(tube.result or ""),
                ),
            )
        )
    return problems


def _lab_of_shipments(session: Session, shipment_ids: Sequence[int | None]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in in_chunks(i for i in shipment_ids if i is not None):
        rows = session.execute(select(Shipment.id, Shipment.lab_id).where(Shipment.id.in_(chunk)))
        found.update({sid: lab for sid, lab in rows})
    return found


def _act_on_positives(
    session: Session, positives: Sequence[tuple[TubeState, ResultRow]], *, now: datetime
) -> tuple[list[int], list[int]]:
    recalls: list[int] = []
    infections: list[int] = []
    for tube, row in positives:
        if tube.kind == "pooled":
            recall = Recall(round_id=tube.round_id, tube_id=tube.id, raised_at=now)
            session.add(recall)
            session.flush()
            recalls.append(recall.id)
            continue
        [sample] = session.scalars(select(Sample).where(Sample.tube_id == tube.id)).all()
        infection = open_infection_from_test(
            session,
            person_id=sample.person_id,
            sampled_at=sample.sampled_at,
            reported_at=row.reported_at,
            note=f"单采阳性 tube {tube.barcode} (round {tube.round_id}, {sample.purpose})",
            now=now,
        )
        infections.append(infection.id)
    return recalls, infections


def feed_zone_rounds(session: Session, round_id: int) -> list[ZoneRound]:
    """Once a closed round has every result and every recall retested, it is a whole-zone
    round for each zone it covered, as the lifting rule counts them: done when the last
    result was reported, positive if any resident's single tube was. Idempotent."""
    found = session.get(ScreeningRound, round_id)
    if found is None or found.closed_at is None:
        return []
    unresulted = session.scalar(
        select(func.count())
        .select_from(Tube)
        .where(Tube.round_id == found.id, Tube.result.is_(None))
    )
    open_recalls = session.scalar(
        select(func.count())
        .select_from(Recall)
        .where(Recall.round_id == found.id, Recall.done_at.is_(None))
    )
    done_at = session.scalar(select(func.max(Tube.reported_at)).where(Tube.round_id == found.id))
    if unresulted or open_recalls or done_at is None:
        return []
    sampled = select(Sample.person_id).where(
        Sample.round_id == found.id, Sample.purpose == "screen"
    )
    positive = (
        select(Sample.person_id)
        .join(Tube, Tube.id == Sample.tube_id)
        .where(Sample.round_id == found.id, Tube.kind == "single", Tube.result == "positive")
    )
    area = RoundArea(found.area, found.zone_id, found.county_code, found.match)
    return record_whole_zone_rounds(
        session, area=area, done_at=done_at, sampled=sampled, positive=positive
    )
