"""Count series as people send them: a CSV or workbook of `date,count[,county]`, each county's
days in order with none missing (a day with no cases is a 0, not a gap). Every bad row is named
and nothing is judged: a negative or non-whole count, a date that will not read, a day after
the platform's time, a day twice, a missing day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from fangkong.core.errors import FieldProblem, InvalidInput
from fangkong.core.i18n import _
from fangkong.core.sheets import Layout, Row, Table, cell_datetime, read_sheet, sheet_refused
from fangkong.core.timeutil import local_date

SERIES = Layout(
    headers={
        "date": ("日期", "报告日期"),
        "count": ("数量", "例数", "病例数"),
        "county": ("县区", "区县"),
    },
    required=("date", "count"),
    anchor="date",
)


class Series(NamedTuple):
    county: str
    days: list[date]
    counts: list[int]


class Reading(NamedTuple):
    number: int
    county: str
    day: date | None
    value: int | None


def _count(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and value >= 0 else None


def _read(table: Table, number: int, row: Row, today: date) -> tuple[Reading, list[FieldProblem]]:
    problems = []
    day: date | None = None
    where = f"row {number}"
    try:
        day = local_date(cell_datetime(table.get(row, "date")))
    except (ValueError, TypeError, InvalidInput):
        problems.append(FieldProblem((where, table.heading("date")), _("not a date")))
    if day is not None and day > today:
        problems.append(
            FieldProblem((where, table.heading("date")), _("after the platform's time"))
        )
        day = None
    count = _count(table.text(row, "count"))
    if count is None:
        problems.append(
            FieldProblem((where, table.heading("count")), _("not a whole number of 0 or more"))
        )
    return Reading(number, table.text(row, "county"), day, count), problems


def _in_order(readings: list[Reading], heading: str) -> list[FieldProblem]:
    """A county's days one after another, none twice, none missing."""
    problems = []
    for before, after in zip(readings, readings[1:], strict=False):
        step = (after.day - before.day).days if after.day and before.day else 1
        if step != 1:
            said = _("the same day twice") if step == 0 else _("days missing before it")
            problems.append(FieldProblem((f"row {after.number}", heading), said))
    return problems


def read_series(filename: str, content: bytes, *, today: date) -> list[Series]:
    """Each county's daily series (one series named "" when the file has no county column)."""
    table = read_sheet(filename, content, SERIES)
    problems: list[FieldProblem] = []
    by_county: dict[str, list[Reading]] = defaultdict(list)
    for number, row in table:
        reading, found = _read(table, number, row, today)
        problems += found
        by_county[reading.county].append(reading)
    for readings in by_county.values():
        if all(r.day is not None for r in readings):  # else the unreadable dates come first
            readings.sort(key=lambda r: (r.day, r.number))
            problems += _in_order(readings, table.heading("date"))
    if problems:
        raise sheet_refused(filename, problems)
    return [
        Series(county, [r.day for r in rs if r.day], [r.value for r in rs if r.value is not None])
        for county, rs in sorted(by_county.items())
    ]
