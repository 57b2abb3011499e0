"""What a spreadsheet may be before it is parsed. A reader sizes its grid from the furthest
cells, so a 1.5 KB .xlsx with a cell in A1 and one in XFD1048576 asks for half a terabyte:
every upload is measured first — its bytes, what it unzips to, each sheet's declared used
range and the extent and count of the cells it really has — and refused with the limit named.

The .xlsx is read as the zip of XML it is, streamed, never expanded into memory whole."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from fangkong.core.errors import InvalidInput
from fangkong.core.i18n import _

MAX_ROWS = 200_000
MAX_COLUMNS = 256
MAX_GRID = 8_000_000  # rows × columns of the range a reader allocates
MAX_CELLS = 4_000_000
MAX_UNZIPPED = 256 * 1024 * 1024
MAX_ZIP_MEMBERS = 2_000

_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr=[\"']([A-Z]{1,4})([0-9]{1,8})[\"']")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW_REF = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr=[\"']([0-9]{1,8})[\"']")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,4})?([0-9]{1,8})?:?([A-Z]{1,4})?([0-9]{1,8})?\""
)


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


@dataclass
class Extent:
    """The furthest row and column a sheet reaches (counting cells placed without a
    reference one after another) and how many cells it has."""

    rows: int = 0
    columns: int = 0
    cells: int = 0
    declared_rows: int = 0
    declared_columns: int = 0

    def scan(self, chunk: bytes, *, first: bool) -> None:
        if first and (found := _DIMENSION.search(chunk)):
            self.declared_columns = column_number(found.group(3) or found.group(1) or b"A")
            self.declared_rows = int(found.group(4) or found.group(2) or 1)
        refs = [(column_number(c), int(r)) for c, r in _CELL_REF.findall(chunk)]
        unplaced_cells = len(_CELL.findall(chunk)) - len(refs)
        row_refs = [int(r) for r in _ROW_REF.findall(chunk)]
        unplaced_rows = len(_ROW.findall(chunk)) - len(row_refs)
        self.cells += len(refs) + unplaced_cells
        self.rows = max(self.rows, *row_refs, *(r for _c, r in refs), 0) + unplaced_rows
        self.columns = max(self.columns, *(c for c, _r in refs), 0) + unplaced_cells


def _refuse(filename: str, what: str, limit: int) -> InvalidInput:
    return InvalidInput.at(
        ("file",),
        _("%(file)s: %(what)s over the limit of %(limit)s; split the file",
          file=filename, what=_(what), limit=f"{limit:,}"),
    )  # fmt: skip


def _measure(member: IO[bytes], filename: str) -> Extent:
    extent, tail, first, unzipped = Extent(), b"", True, 0
    while chunk := member.read(1024 * 1024):
        unzipped += len(chunk)
        if unzipped > MAX_UNZIPPED:
            raise _refuse(filename, "unzipped size in bytes", MAX_UNZIPPED)
        # A tag cut at the chunk's end is read whole with the next chunk: scan up to the last
        # '<' and carry the rest over.
        data = tail + chunk
        cut = data.rfind(b"<")
        cut = len(data) if cut < 0 else cut
        extent.scan(data[:cut], first=first)
        tail, first = data[cut:], False
    extent.scan(tail, first=first)
    return extent


def _check_extent(extent: Extent, filename: str) -> None:
    rows = max(extent.rows, extent.declared_rows)
    columns = max(extent.columns, extent.declared_columns)
    for what, value, limit in (
        ("rows", rows, MAX_ROWS),
        ("columns", columns, MAX_COLUMNS),
        ("cells of the used range", rows * columns, MAX_GRID),
        ("cells", extent.cells, MAX_CELLS),
    ):
        if value > limit:
            raise _refuse(filename, what, limit)


def check_workbook(filename: str, content: bytes) -> None:
    """Refuse an .xlsx whose zip or sheets are beyond the limits, before any reader sees it."""
    try:
        book = zipfile.ZipFile(io.BytesIO(content))
        members = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput.at(
            ("file",), _("%(file)s: not a readable spreadsheet (%(why)s)", file=filename, why=exc)
        ) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise _refuse(filename, "parts in the file", MAX_ZIP_MEMBERS)
    if sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise _refuse(filename, "unzipped size in bytes", MAX_UNZIPPED)
    for member in members:
        if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
            try:
                with book.open(member) as stream:
                    _check_extent(_measure(stream, filename), filename)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
                raise InvalidInput.at(
                    ("file",),
                    _("%(file)s: not a readable spreadsheet (%(why)s)", file=filename, why=exc),
                ) from None


def check_rows(filename: str, rows: Sequence[Sequence[object]]) -> None:
    """The same limits for a CSV, once its rows are split."""
    extent = Extent(rows=len(rows), columns=max((len(r) for r in rows), default=0))
    extent.cells = sum(len(r) for r in rows)
    _check_extent(extent, filename)
