"""Papers as PDF: the quarantine notice (集中隔离医学观察通知书) for each placed person and the
release certificate (解除集中隔离医学观察证明) for each released one, one at a time or in bulk.

ReportLab draws pages directly (about 0.3 ms a page: 10,000 notices in seconds), where an
HTML-to-PDF renderer would take minutes. The Chinese text is set in Noto Sans SC, a subset of
it embedded in every PDF (fangkong/core/fonts.py), so the papers print on any printer."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.db import in_chunks
from fangkong.core.errors import Forbidden, InvalidInput, NotFound
from fangkong.core.fonts import paper_font
from fangkong.core.i18n import _
from fangkong.core.ids import division
from fangkong.core.timeutil import local
from fangkong.people.service import people_by_id, show_person
from fangkong.protocol.loader import get_protocol
from fangkong.quarantine.models import Room, Site, Stay, in_room_at
from fangkong.quarantine.permissions import SITE_WORK
from fangkong.tracing.orders import order_facts

WIDTH, HEIGHT = A4


@dataclass(frozen=True)
class Paper:
    """What one page says about one stay."""

    stay_id: int
    name: str
    id_number: str
    category: str
    protocol: str
    site: str
    room: str
    county: str
    placed_at: datetime
    planned_end_at: datetime
    released_at: datetime | None
    end_reason: str | None
    order_ends_at: datetime | None


def _cn(moment: datetime | None) -> str:
    return "" if moment is None else local(moment).strftime("%Y年%m月%d日%H时%M分")


def _papers(session: Session, actor: Actor, stay_ids: Sequence[int]) -> list[Paper]:
    """The facts for each stay, in chunks; identities as the actor may see them."""
    out: dict[int, Paper] = {}
    for chunk in in_chunks(stay_ids):
        rows = session.execute(
            select(Stay, Room, Site)
            .join(Room, Room.id == Stay.room_id)
            .join(Site, Site.id == Room.site_id)
            .where(Stay.id.in_(chunk))
        ).all()
        people = people_by_id(session, {row[0].person_id for row in rows})
        orders = order_facts(session, [r[0].contact_id for r in rows if r[0].contact_id])
        for stay, room, site in rows:
            order = orders.get(stay.contact_id or 0)
            person = people[stay.person_id]
            if actor.site_id is not None and actor.site_id != site.id:
                continue  # site staff print for their own site only
            if not actor.covers(person.county_code) and not actor.covers(site.county_code):
                continue  # neither the person nor the site is the actor's
            shown = show_person(person, actor, in_care=actor.site_id == site.id)
            protocol = get_protocol(order.protocol_id) if order else None
            county = division(site.county_code)
            out[stay.id] = Paper(
                stay_id=stay.id,
                name=shown.name,
                id_number=shown.id_number or shown.passport or "（无证件）",
                category=protocol.category(order.category).label if protocol and order else "",
                protocol=protocol.title if protocol else "",
                site=site.name,
                room=f"{room.building}{'-' if room.building else ''}{room.number}",
                county=county.name if county else "",
                placed_at=stay.arrived_at or stay.placed_at,
                planned_end_at=stay.planned_end_at,
                released_at=stay.released_at,
                end_reason=stay.end_reason,
                order_ends_at=order.ends_at if order else None,
            )
    missing = [i for i in stay_ids if i not in out]
    if missing:
        raise NotFound(_("stay %(id)s not found", id=missing[0]))
    return [out[i] for i in stay_ids]


@lru_cache(maxsize=4096)
def _char_width(char: str, size: int) -> float:
    return float(pdfmetrics.stringWidth(char, paper_font(), size))


# What may not be split across lines: a run of digits and Latin letters (an ID number, a
# year, a room, a serial); Chinese breaks between any two characters.
UNBREAKABLE = re.compile(r"[0-9A-Za-z\-]+|.", re.DOTALL)


def _wrap(text: str, width: float, size: int) -> list[str]:
    """Lines of at most `width` points, measured, not counted; numbers kept whole."""
    lines, line, used = [], "", 0.0
    for token in UNBREAKABLE.findall(text):
        w = sum(_char_width(char, size) for char in token)
        if used + w > width and line:
            lines.append(line)
            line, used = "", 0.0
        line += token
        used += w
    return [*lines, line]


def _page(
    canvas: Canvas, title: str, number: str, body: str, issuer: str, issued: datetime
) -> None:
    canvas.setFont(paper_font(), 22)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 110, title)
    canvas.setFont(paper_font(), 11)
    canvas.drawRightString(WIDTH - 72, HEIGHT - 140, f"编号：{number}")
    canvas.setFont(paper_font(), 14)
    y = HEIGHT - 190
    for paragraph in body.split("\n"):
        for line in _wrap(paragraph, WIDTH - 144, 14):
            canvas.drawString(72, y, line)
            y -= 26
    canvas.drawRightString(WIDTH - 90, 200, issuer)
    canvas.drawRightString(WIDTH - 90, 172, local(issued).strftime("%Y年%m月%d日"))
    canvas.showPage()


def _protocol(p: Paper) -> str:
    return f"《{p.protocol}》" if p.protocol else "防控方案"


def _notice(canvas: Canvas, p: Paper, issued: datetime) -> None:
    body = (
        f"{p.name}（身份证号：{p.id_number}）：\n"
        f"　　根据《中华人民共和国传染病防治法》和{_protocol(p)}，"
        f"经流行病学调查，您被判定为{p.category or '需集中隔离人员'}。"
        f"自{_cn(p.placed_at)}起，请您在{p.site}{p.room}房间接受集中隔离医学观察，"
        f"预计至{_cn(p.planned_end_at)}止。\n"
        "　　隔离期间请不要离开房间，配合每日体温监测和核酸检测，如出现发热、干咳等症状请立即报告。"
        "感谢您的理解和配合。"
    )
    _page(
        canvas,
        "集中隔离医学观察通知书",
        f"GL{p.stay_id:08d}",
        body,
        f"{p.county}疫情防控指挥部",
        issued,
    )


def _release(canvas: Canvas, p: Paper, issued: datetime) -> None:
    after = (
        f"解除后请继续居家健康监测至{_cn(p.order_ends_at)}。"
        if p.order_ends_at and p.released_at and p.order_ends_at > p.released_at
        else ""
    )
    body = (
        f"{p.name}（身份证号：{p.id_number}）：\n"
        f"　　您于{_cn(p.placed_at)}至{_cn(p.released_at)}在{p.site}接受集中隔离医学观察，"
        f"期间核酸检测结果均为阴性，符合解除条件，现予解除集中隔离医学观察。{after}\n"
        "　　特此证明。"
    )
    _page(
        canvas,
        "解除集中隔离医学观察证明",
        f"JC{p.stay_id:08d}",
        body,
        f"{p.county}疫情防控指挥部",
        issued,
    )


def render_papers(
    session: Session,
    *,
    actor: Actor,
    stay_ids: Sequence[int],
    kind: str,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """One PDF, a page a stay: notices ("notice") or release certificates ("release")."""
    if not actor.can(SITE_WORK):
        raise Forbidden(_("your role may not %(what)s", what=_("print quarantine papers")))
    if not stay_ids:
        raise InvalidInput.at(("stay_ids",), _("no stays given"))
    papers = _papers(session, actor, stay_ids)
    if kind == "release":
        unreleased = [p.stay_id for p in papers if p.end_reason != "released"]
        if unreleased:
            raise InvalidInput.at(
                ("stay_ids",), _("stay %(id)s was not released from quarantine", id=unreleased[0])
            )
    draw = _release if kind == "release" else _notice
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle("解除集中隔离医学观察证明" if kind == "release" else "集中隔离医学观察通知书")
    for i, paper in enumerate(papers):
        draw(canvas, paper, now)
        if progress and i % 500 == 499:
            progress(500)
    canvas.save()
    record_audit(
        session,
        actor=actor,
        action="print",
        entity="stay",
        entity_id="*",
        now=now,
        detail=f"{len(papers)} {kind} papers",
    )
    return out.getvalue()


def stays_of(
    session: Session, *, now: datetime, site_id: int | None = None, released: bool = False
) -> Iterable[int]:
    """Stays to print for at `now`: a site's residents then, or those released by then."""
    query = select(Stay.id).join(Room, Room.id == Stay.room_id).order_by(Stay.id)
    if site_id is not None:
        query = query.where(Room.site_id == site_id)
    if released:
        query = query.where(Stay.end_reason == "released", Stay.released_at <= now)
    else:
        query = query.where(in_room_at(now))
    return list(session.scalars(query))
