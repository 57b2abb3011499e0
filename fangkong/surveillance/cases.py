"""Case counts by place and day as people send them for the space-time scan: a CSV or
workbook of `date,count,longitude,latitude[,place]` — a county with its seat's coordinates, a
clinic with its own — or single cases with their coordinates, gathered into grid cells of a
given size. Every bad row is named and nothing is scanned."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np

from fangkong.core.errors import FieldProblem, InvalidInput
from fangkong.core.i18n import _
from fangkong.core.sheets import Layout, Row, Table, read_sheet, sheet_refused
from fangkong.surveillance.scan import kilometres
from fangkong.surveillance.series import day_and_count

CASES = Layout(
    headers={
        "date": ("日期", "报告日期"),
        "count": ("数量", "例数", "病例数"),
        "longitude": ("经度", "lon"),
        "latitude": ("纬度", "lat"),
        "place": ("地点", "县区", "区县", "哨点"),
    },
    required=("date", "count", "longitude", "latitude"),
    anchor="date",
)


class CasePlace(NamedTuple):
    name: str
    x: float  # km east
    y: float  # km north


class Grid(NamedTuple):
    """counts[place, day] from `first`, a day a column."""

    places: list[CasePlace]
    first: date
    counts: np.ndarray


class Reading(NamedTuple):
    day: date
    cases: int
    lon: float
    lat: float
    place: str


def _number(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def _read(
    table: Table, number: int, row: Row, today: date
) -> tuple[Reading | None, list[FieldProblem]]:
    where = f"row {number}"
    day, count, problems = day_and_count(table, number, row, today)
    lon = _number(table.text(row, "longitude"), -180, 180)
    lat = _number(table.text(row, "latitude"), -90, 90)
    for field, value in (("longitude", lon), ("latitude", lat)):
        if value is None:
            problems.append(FieldProblem((where, table.heading(field)), _("not a coordinate")))
    if problems or day is None or count is None or lon is None or lat is None:
        return None, problems
    return Reading(day, count, lon, lat, table.text(row, "place")), []


def _places(readings: list[Reading], cell_km: float | None) -> tuple[list[CasePlace], list[int]]:
    """Each reading's place: its name (at its coordinates), or its grid cell."""
    x, y = kilometres(np.array([r.lon for r in readings]), np.array([r.lat for r in readings]))
    index: dict[str, int] = {}
    places: list[CasePlace] = []
    of = []
    for r, px, py in zip(readings, x, y, strict=True):
        if cell_km:
            i, j = int(px // cell_km), int(py // cell_km)
            name, px, py = f"{i}:{j}", (i + 0.5) * cell_km, (j + 0.5) * cell_km
        else:
            name = r.place or f"{r.lon:.5f},{r.lat:.5f}"
        if name not in index:
            index[name] = len(places)
            places.append(CasePlace(name, float(px), float(py)))
        of.append(index[name])
    return places, of


def read_cases(
    filename: str, content: bytes, *, today: date, days: int, cell_km: float | None
) -> Grid:
    """The last `days` days up to the latest in the file (earlier rows left out)."""
    table = read_sheet(filename, content, CASES)
    readings, problems = [], []
    for number, row in table:
        found, said = _read(table, number, row, today)
        problems += said
        if found is not None:
            readings.append(found)
    if problems:
        raise sheet_refused(filename, problems)
    if not readings:
        raise InvalidInput.at(("file",), _("%(file)s: no rows", file=filename))
    first = max(r.day for r in readings) - timedelta(days=days - 1)
    kept = [r for r in readings if r.day >= first]
    places, of = _places(kept, cell_km)
    counts = np.zeros((len(places), days), dtype=np.int64)
    totals: dict[tuple[int, int], int] = defaultdict(int)
    for r, p in zip(kept, of, strict=True):
        totals[(p, (r.day - first).days)] += r.cases
    for (p, d), n in totals.items():
        counts[p, d] = n
    return Grid(places, first, counts)
