"""Count series as people send them: a CSV or workbook of `date,count[,county]`, each county's
days (or weeks, dated by their first day) in order with none missing (a day with no cases is a
0, not a gap). Every bad row is named and nothing is judged: a negative or non-whole count, a
date that will not read, a day after the platform's time, a day twice, a missing day. Daily
counts given to a weekly method, or weekly to a daily one, are refused in one line."""

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


def day_and_count(
    table: Table, number: int, row: Row, today: date
) -> tuple[date | None, int | None, list[FieldProblem]]:
    """A row's day (not after `today`) and whole count of 0 or more, each bad one named; the
    series' and the scan's sheets read them alike."""
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
    return day, count, problems


def _read(table: Table, number: int, row: Row, today: date) -> tuple[Reading, list[FieldProblem]]:
    day, count, problems = day_and_count(table, number, row, today)
    return Reading(number, table.text(row, "county"), day, count), problems


def _steps(readings: list[Reading]) -> list[int]:
    return [
        (after.day - before.day).days
        for before, after in zip(readings, readings[1:], strict=False)
        if after.day and before.day
    ]


def _in_order(readings: list[Reading], heading: str, every: int) -> list[FieldProblem]:
    """A county's days (or weeks) one after another, none twice, none missing."""
    problems = []
    for after, step in zip(readings[1:], _steps(readings), strict=True):
        if step != every:
            said = _("the same day twice") if step == 0 else _("days missing before it")
            if 0 < step < every:
                said = _("less than a week after the row before it")
            problems.append(FieldProblem((f"row {after.number}", heading), said))
    return problems


def _cadence_refused(filename: str, heading: str, series: list[list[Reading]], every: int) -> None:
    """Most steps a day where weeks are wanted, or a week where days are: the wrong data for
    the method, said once rather than on every row."""
    steps = [s for readings in series for s in _steps(readings)]
    if not steps:
        return
    usual = max(set(steps), key=steps.count)
    if every == 7 and usual == 1:
        said = _(
            "daily counts: this method needs weekly counts, a row a week dated by its first day"
        )
    elif every == 1 and usual == 7:
        said = _("weekly counts: this method needs daily counts, a row a day")
    else:
        return
    raise InvalidInput(f"{filename}: {said}", [FieldProblem((heading,), said)])


def read_series(filename: str, content: bytes, *, today: date, every: int = 1) -> list[Series]:
    """Each county's series, a count every `every` days (one series named "" when the file
    has no county column)."""
    table = read_sheet(filename, content, SERIES)
    problems: list[FieldProblem] = []
    by_county: dict[str, list[Reading]] = defaultdict(list)
    for number, row in table:
        reading, found = _read(table, number, row, today)
        problems += found
        by_county[reading.county].append(reading)
    ordered = [rs for rs in by_county.values() if all(r.day is not None for r in rs)]
    for readings in ordered:  # the others' unreadable dates come first
        readings.sort(key=lambda r: (r.day, r.number))
    _cadence_refused(filename, table.heading("date"), ordered, every)
    for readings in ordered:
        problems += _in_order(readings, table.heading("date"), every)
    if problems:
        raise sheet_refused(filename, problems)
    return [
        Series(county, [r.day for r in rs if r.day], [r.value for r in rs if r.value is not None])
        for county, rs in sorted(by_county.items())
    ]
