"""The daily briefing as tables: one a section, a header row then its rows, in the reader's
language — what the page lists, the PDF prints and the workbook holds a sheet each of."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import NamedTuple

import openpyxl

from fangkong.command.briefing_schemas import BriefingRead
from fangkong.core.counties import county_name
from fangkong.core.i18n import _, lookup
from fangkong.core.sheets import text_row
from fangkong.core.timeutil import fmt_day_end, fmt_local

Cell = str | int | float | None


class Section(NamedTuple):
    key: str
    title: str
    rows: list[Sequence[Cell]]  # the header first


def _figures(pairs: Sequence[tuple[str, Cell]]) -> list[Sequence[Cell]]:
    return [(_("figure"), _("value")), *((lookup(k), v) for k, v in pairs)]


def _infections(b: BriefingRead) -> list[Sequence[Cell]]:
    i = b.infections
    head = (
        _("county"),
        _("new confirmed"),
        _("new asymptomatic"),
        _("confirmed"),
        _("asymptomatic"),
    )
    rows = [
        (c.county, c.new_confirmed, c.new_asymptomatic, c.confirmed, c.asymptomatic)
        for c in i.counties
    ]
    total = (_("total"), i.new_confirmed, i.new_asymptomatic, i.confirmed, i.asymptomatic)
    return [head, *rows, total]


def _testing(b: BriefingRead) -> list[Sequence[Cell]]:
    head = (
        _("round"),
        _("residents"),
        _("sampled"),
        _("sampled today"),
        _("coverage %%"),
        _("tubes resulted"),
        _("positive tubes"),
        _("turnaround h (median)"),
    )
    return [
        head,
        *(
            (
                r.name,
                r.residents,
                r.sampled,
                r.sampled_today,
                r.coverage,
                r.tubes_resulted,
                r.positive_tubes,
                r.turnaround_hours,
            )
            for r in b.testing.rounds
        ),
    ]


def _zones(b: BriefingRead) -> list[Sequence[Cell]]:
    head = (_("time"), _("zone"), _("county"), _("change"), _("from"), _("to"))
    return [
        head,
        *(
            (fmt_local(c.at), c.zone, c.county, c.action, c.from_label, c.to_label)
            for c in b.zones.changes
        ),
    ]


def _treatment(b: BriefingRead) -> list[Sequence[Cell]]:
    head = (
        _("hospital"),
        _("kind"),
        _("general beds taken"),
        _("general beds"),
        _("ICU beds taken"),
        _("ICU beds"),
    )
    return [
        head,
        *(
            (h.name, lookup(f"hospital_{h.kind}"), h.general, h.general_beds, h.icu, h.icu_beds)
            for h in b.treatment.hospitals
        ),
    ]


def _stock(b: BriefingRead) -> list[Sequence[Cell]]:
    head = (_("item"), _("in stock"), _("daily use"), _("days of supply"))
    return [head, *((i.label, i.balance, i.daily_use, i.days_left) for i in b.stock.items)]


def _below(b: BriefingRead) -> list[Sequence[Cell]]:
    head = (_("store"), _("county"), _("item"), _("in stock"), _("safety level"))
    return [
        head,
        *(
            (
                r.store,
                county_name(r.county_code),
                lookup(f"item_{r.item}"),
                r.balance,
                r.safety_level,
            )
            for r in b.stock.below_safety
        ),
    ]


def _cards(b: BriefingRead) -> list[Section]:
    """The sections of headline figures: tracing's, then capacity's."""
    c, p = b.contacts, b.places
    return [
        Section(
            "contacts",
            _("contacts and the 48-hour figures"),
            _figures(
                [
                    ("contacts_found", c.found),
                    ("contacts_found_today", c.found_today),
                    ("contacts_secondary", c.secondary),
                    ("contacts_under_control", c.under_control),
                    ("contacts_not_under_control", c.not_under_control),
                    ("kpi_infections", c.infections),
                    ("kpi_met_target", c.met_target),
                    ("kpi_missed_target", c.missed_target),
                ]
            ),
        ),
        Section(
            "places",
            _("places sampled and disinfected"),
            _figures(
                [
                    ("places_registered", p.places),
                    ("places_sampled", p.sampled),
                    ("places_sampled_today", p.sampled_today),
                    ("places_positive", p.positive),
                    ("places_disinfected", p.disinfected),
                    ("places_disinfected_today", p.disinfected_today),
                ]
            ),
        ),
    ]


def _capacity_cards(b: BriefingRead) -> list[Section]:
    q, t = b.quarantine, b.treatment
    return [
        Section(
            "quarantine",
            _("quarantine rooms and the outlook"),
            _figures(
                [
                    ("rooms_in_service", q.rooms),
                    ("rooms_occupied", q.occupied),
                    ("waiting_for_rooms", q.waiting),
                    (
                        "rooms_run_out_on",
                        q.runs_out_on.isoformat() if q.runs_out_on else _("not within 14 days"),
                    ),
                ]
            ),
        ),
        Section(
            "beds",
            _("beds"),
            _figures(
                [
                    ("beds_total", t.beds),
                    ("beds_taken", t.occupied),
                    ("admitted_today", t.admitted_today),
                    ("discharged_today", t.discharged_today),
                    *((f"clinical_{n.key}", n.n) for n in t.by_type),
                ]
            ),
        ),
    ]


def sections(b: BriefingRead) -> list[Section]:
    cards = {s.key: s for s in [*_cards(b), *_capacity_cards(b)]}
    return [
        Section(
            "infections", _("infections (confirmed and asymptomatic) by county"), _infections(b)
        ),
        cards["contacts"],
        cards["places"],
        Section(
            "zones_in_force",
            _("zones in force"),
            [(_("kind"), _("zones")), *((z.label, z.n) for z in b.zones.in_force)],
        ),
        Section("zones", _("zone changes"), _zones(b)),
        Section("testing", _("testing: rounds, coverage and turnaround"), _testing(b)),
        cards["quarantine"],
        cards["beds"],
        Section("treatment", _("beds by hospital"), _treatment(b)),
        Section("stock", _("stock and days of supply"), _stock(b)),
        Section("below_safety", _("stock under its safety level"), _below(b)),
        Section(
            "tasks",
            _("tasks by group"),
            [
                (_("group"), _("done today"), _("open"), _("overdue")),
                *((g.group, g.done_today, g.open, g.overdue) for g in b.tasks),
            ],
        ),
        Section(
            "duty",
            _("the next day's duty"),
            [
                (_("command centre"), _("officer"), _("from"), _("to")),
                *(
                    (d.scope, d.officer, fmt_local(d.starts_at), fmt_local(d.ends_at))
                    for d in b.duty
                ),
            ],
        ),
        Section(
            "curve",
            _("epidemic curve"),
            [
                (_("day"), _("confirmed"), _("asymptomatic")),
                *((d.day.isoformat(), d.confirmed, d.asymptomatic) for d in b.infections.curve),
            ],
        ),
    ]


def briefing_xlsx(b: BriefingRead) -> bytes:
    """A workbook with a sheet a section, its first row saying the day and the moment."""
    book = openpyxl.Workbook(write_only=True)
    for section in sections(b):
        sheet = book.create_sheet(section.title[:31].replace("/", "-").replace(":", " "))
        sheet.append(
            text_row(
                sheet,
                [
                    _("daily briefing %(day)s", day=b.day.isoformat()),
                    _("as of %(as_of)s", as_of=fmt_day_end(b.as_of)),
                ],
            )
        )
        for row in section.rows:
            sheet.append(text_row(sheet, list(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
