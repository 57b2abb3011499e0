"""Spreadsheets as users send them: title rows above the header, headers in their own words,
blank and total rows between the data, .xlsx or CSV in UTF-8 or GB18030."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl.cell import WriteOnlyCell
from python_calamine import CalamineError, CalamineWorkbook

from fangkong.core.errors import FieldProblem, InvalidInput
from fangkong.core.i18n import _
from fangkong.core.ids import normalize_text
from fangkong.core.sheet_limits import check_rows, check_workbook
from fangkong.core.timeutil import as_aware, parse_local_datetime, plausible

# What a spreadsheet cell holds as read (python-calamine's values; CSV gives text).
Cell = str | int | float | bool | datetime | date | time | timedelta | None
Row = Sequence[Cell]
TOTAL_ROW = re.compile(r"^\s*(合计|总计|小计|共计|total)", re.IGNORECASE)


@dataclass(frozen=True)
class Layout:
    """The fields a kind of sheet has, each with the headers people write for it."""

    headers: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    anchor: str  # a field whose header marks the header row

    def field_of(self, heading: Cell) -> str | None:
        return _lookup(self).get(_key(heading))


def _key(heading: Cell) -> str:
    return re.sub(r"\s+", "", normalize_text(str(heading))).lower() if heading is not None else ""


_LOOKUPS: dict[int, dict[str, str]] = {}


def _lookup(layout: Layout) -> dict[str, str]:
    found = _LOOKUPS.get(id(layout))
    if found is None:
        found = {_key(h): f for f, names in layout.headers.items() for h in (f, *names)}
        _LOOKUPS[id(layout)] = found
    return found


@dataclass
class Table:
    """The data rows under the header, with their spreadsheet row numbers."""

    columns: dict[str, int]
    header_of: dict[str, str]  # field -> the header as written, for error messages
    rows: list[tuple[int, Row]]

    def get(self, row: Row, field: str) -> Cell:
        j = self.columns.get(field)
        return row[j] if j is not None and j < len(row) else None

    def text(self, row: Row, field: str) -> str:
        return cell_text(self.get(row, field))

    def heading(self, field: str) -> str:
        return self.header_of.get(field, field)

    def __iter__(self) -> Iterator[tuple[int, Row]]:
        return iter(self.rows)


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize_text(str(value))


def cell_datetime(value: Cell) -> datetime:
    """An Excel date-time, or text such as 2022/3/6 21:00 or 2022年3月6日21时00分, in city time."""
    if isinstance(value, datetime):
        return plausible(as_aware(value))
    if isinstance(value, date):
        return plausible(as_aware(datetime.combine(value, time(0, 0))))
    return parse_local_datetime(cell_text(value))


def _sheets(filename: str, content: bytes) -> list[list[list[Cell]]]:
    lower = filename.lower()
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput.at(
                ("file",), _("%(file)s: not UTF-8 or GB18030 text", file=filename)
            )
        return [_csv_rows(filename, text)]
    if lower.endswith((".xls", ".ods", ".et")):
        # Their grids cannot be measured before a reader builds them (sheet_limits).
        raise InvalidInput.at(
            ("file",), _("%(file)s: save it as .xlsx (or .csv) and send it again", file=filename)
        )
    if not lower.endswith((".xlsx", ".xlsm")):
        raise InvalidInput.at(("file",), _("%(file)s: expected .xlsx or .csv", file=filename))
    check_workbook(filename, content)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return [
            [list[Cell](row) for row in book.get_sheet_by_index(i).to_python()]
            for i in range(len(book.sheet_names))
        ]
    except (CalamineError, ValueError, OSError) as exc:
        raise InvalidInput.at(
            ("file",), _("%(file)s: not a readable spreadsheet (%(why)s)", file=filename, why=exc)
        ) from None


def _csv_rows(filename: str, text: str) -> list[list[Cell]]:
    """A CSV's rows, within the same limits as a workbook's."""
    try:
        rows = [list[Cell](r) for r in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # a field over csv's size limit, a NUL byte …
        raise InvalidInput.at(
            ("file",), _("%(file)s: not readable CSV (%(why)s)", file=filename, why=exc)
        ) from None
    check_rows(filename, rows)
    return rows


def _header_row(rows: Sequence[Row], layout: Layout) -> int | None:
    for i, row in enumerate(rows[:30]):
        fields = {layout.field_of(c) for c in row}
        if layout.anchor in fields and len(fields - {None}) >= min(3, len(layout.required)):
            return i
    return None


def read_sheet(filename: str, content: bytes, layout: Layout) -> Table:
    """The first sheet whose header fits `layout`, as a Table. A missing file type, header or
    required column is an error naming the file and the columns."""
    for rows in _sheets(filename, content):
        at = _header_row(rows, layout)
        if at is None:
            continue
        columns: dict[str, int] = {}
        header_of: dict[str, str] = {}
        for j, heading in enumerate(rows[at]):
            field = layout.field_of(heading)
            if field and field not in columns:
                columns[field] = j
                header_of[field] = cell_text(heading)
        missing = [f for f in layout.required if f not in columns]
        if missing:
            names = ", ".join(f"{layout.headers[f][0]} ({f})" for f in missing)
            raise InvalidInput.at(
                ("file",), _("%(file)s: missing column(s) %(names)s", file=filename, names=names)
            )
        data: list[tuple[int, Row]] = []
        for number, row in enumerate(rows[at + 1 :], start=at + 2):
            texts = [cell_text(c) for c in row]
            if not any(texts) or TOTAL_ROW.match(next(t for t in texts if t)):
                continue
            data.append((number, row))
        return Table(columns, header_of, data)
    wanted = ", ".join(layout.headers[f][0] for f in layout.required)
    raise InvalidInput.at(
        ("file",), _("%(file)s: no header row with %(wanted)s", file=filename, wanted=wanted)
    )


ROW_LOC = re.compile(r"^row (\d+)$")


def _row_of(problem: FieldProblem) -> int:
    found = ROW_LOC.match(str(problem.loc[0])) if problem.loc else None
    return int(found.group(1)) if found else 0


def sheet_refused(filename: str, problems: list[FieldProblem]) -> InvalidInput:
    """One answer for a sheet with every problem it has, grouped by row in the sheet's own
    order (problems of the file itself first); nothing of it is written."""
    ordered = sorted(problems, key=_row_of)  # stable: a row's problems keep their column order
    rows = {_row_of(p) for p in ordered} - {0}
    message = _("%(file)s: %(problems)s problem(s) in %(rows)s row(s); nothing was imported",
                file=filename, problems=len(ordered), rows=len(rows))  # fmt: skip
    return InvalidInput(message, ordered)


# Text a spreadsheet would take for a formula (or, in a CSV, for a DDE command): a contact
# named "=HYPERLINK(…)" or "@SUM(…)" is a name, and is written as one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_row(sheet: Any, values: Iterable[object]) -> list[object]:
    """A row for a write-only openpyxl sheet, formula-like text stored as text."""
    out: list[object] = []
    for value in values:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(value)
    return out


def csv_text(value: str) -> str:
    """A CSV field that no spreadsheet will evaluate: formula-like text gets a leading '."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
