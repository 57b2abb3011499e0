"""The daily briefing on paper: an A4 PDF with the CJK font embedded (core/fonts.py), its
charts drawn by ReportLab's graphics (the epidemic curve, beds, days of supply, tasks) and its
pages numbered — for the dispatch meeting's table and the file."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, datetime

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from fangkong.command.briefing_schemas import BriefingRead
from fangkong.command.briefing_sheets import sections
from fangkong.core.fonts import paper_font
from fangkong.core.i18n import _
from fangkong.core.timeutil import fmt_day_end, fmt_local

WIDTH, HEIGHT = A4
RED, BLUE, GREY = colors.HexColor("#c23531"), colors.HexColor("#2f4554"), colors.HexColor("#888")
TEAL = colors.HexColor("#61a0a8")


def _styles() -> dict[str, ParagraphStyle]:
    font = paper_font()
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=4),
        "meta": ParagraphStyle("meta", parent=base, textColor=GREY),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontSize=12.5,
            leading=18,
            spaceBefore=8,
            spaceAfter=3,
            textColor=BLUE,
        ),
        "body": base,
    }


def _table(rows: Sequence[Sequence[object]], font: str) -> Table:
    shown = [["" if v is None else str(v) for v in row] for row in rows]
    table = Table(shown, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f5")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbb")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _bars(
    labels: list[str],
    series: list[list[float]],
    font: str,
    *,
    horizontal: bool = False,
    names: Sequence[str] = (),
) -> Drawing:
    """A bar chart (stacked when there are two series) the width of the text."""
    # A horizontal chart a row a label (6 mm), with room below for its axis and above for
    # its legend.
    width = 170 * mm
    height = (16 + 6 * max(len(labels), 1)) * mm if horizontal else 60 * mm
    drawing = Drawing(width, height)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (38 * mm, 8 * mm) if horizontal else (12 * mm, 14 * mm)
    chart.width = width - chart.x - 6 * mm
    chart.height = height - chart.y - 8 * mm
    chart.data = [list(s) or [0] for s in series]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = 7
    if not horizontal:
        chart.categoryAxis.labels.angle = 45 if len(labels) > 8 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 8 else "n"
    chart.categoryAxis.style = "stacked"
    chart.valueAxis.valueMin = 0
    highest = max((sum(v) for v in zip(*series, strict=False)), default=0)
    chart.valueAxis.valueStep = max(1, math.ceil(highest / 5))  # counts: whole steps
    for i, color in enumerate((RED, TEAL)[: len(series)]):
        chart.bars[i].fillColor = color
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    if names:
        legend = Legend()
        legend.x, legend.y, legend.alignment = width - 60 * mm, height - 2, "right"
        legend.fontName, legend.fontSize, legend.columnMaximum = font, 7, 1
        legend.colorNamePairs = list(zip((RED, TEAL), names, strict=False))
        drawing.add(legend)
    if not any(any(s) for s in series):
        drawing.add(String(width / 2, height / 2, _("none"), fontName=font, textAnchor="middle"))
    return drawing


def _charts(b: BriefingRead, font: str) -> dict[str, Flowable]:
    """The drawn charts, by the section they belong to."""
    curve = b.infections.curve
    return {
        "infections": _bars(
            [d.day.strftime("%m-%d") for d in curve],
            [[d.confirmed for d in curve], [d.asymptomatic for d in curve]],
            font,
            names=(_("confirmed"), _("asymptomatic")),
        ),
        "treatment": _bars(
            [h.name for h in b.treatment.hospitals],
            [[h.general + h.icu for h in b.treatment.hospitals]],
            font,
            horizontal=True,
        ),
        "stock": _bars(
            [i.label for i in b.stock.items],
            [[i.days_left if i.days_left is not None else 0 for i in b.stock.items]],
            font,
            horizontal=True,
        ),
        "tasks": _bars(
            [g.group for g in b.tasks],
            [[g.overdue for g in b.tasks], [g.open - g.overdue for g in b.tasks]],
            font,
            horizontal=True,
            names=(_("overdue"), _("open_on_time")),
        ),
    }


def _numbered(day: date, made_at: datetime) -> object:
    def on_page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(paper_font(), 8)
        canvas.setFillColor(GREY)
        canvas.drawString(18 * mm, 10 * mm, _("daily briefing %(day)s", day=day.isoformat()))
        canvas.drawRightString(WIDTH - 18 * mm, 10 * mm, _("page %(n)s", n=canvas.getPageNumber()))
        canvas.restoreState()

    return on_page


def briefing_pdf(b: BriefingRead) -> bytes:
    font = paper_font()
    style = _styles()
    charts = _charts(b, font)
    story: list[Flowable] = [
        Paragraph(_("daily briefing %(day)s", day=b.day.isoformat()), style["title"]),
        Paragraph(
            _(
                "as of %(as_of)s · made %(made)s",
                as_of=fmt_day_end(b.as_of),
                made=fmt_local(b.made_at),
            ),
            style["meta"],
        ),
        Spacer(1, 4 * mm),
    ]
    for key, title, rows in sections(b):
        story.append(Paragraph(title, style["h2"]))
        if key in charts:
            story.append(charts[key])
        story.append(_table(rows, font) if len(rows) > 1 else Paragraph(_("none"), style["body"]))
    out = io.BytesIO()
    on_page = _numbered(b.day, b.made_at)
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=_("daily briefing %(day)s", day=b.day.isoformat()),
    )
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()
