"""Hostile spreadsheets, made byte by byte: small files that ask a reader for a huge grid."""

from __future__ import annotations

import io
import zipfile

SHEET_ML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SHEET_ML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_ML}.worksheet+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIP}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIP}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def sheet_xml(rows: str, dimension: str = "A1") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def workbook(sheet: str | bytes, *, padding: int = 0) -> bytes:
    """An .xlsx of one sheet. `padding` bytes of blanks after the sheet's XML make a member
    that unzips to far more than it weighs."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(sheet.encode() if isinstance(sheet, str) else sheet)
            block = b" " * (1024 * 1024)
            for _ in range(padding // len(block)):
                member.write(block)
    return out.getvalue()


def two_far_cells() -> bytes:
    """A1 and XFD1048576: the probe's 1.5 KB file that asked for 512 GiB."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    return workbook(sheet_xml(rows))


def declared_huge() -> bytes:
    """Two cells, but a used range declared as the whole sheet."""
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
    return workbook(sheet_xml(rows, dimension="A1:XFD1048576"))


def wide_without_references(columns: int = 300) -> bytes:
    """Cells with no `r`: placed one after another, 300 columns wide."""
    cells = "<c><v>1</v></c>" * columns
    return workbook(sheet_xml(f"<row>{cells}</row>"))


def unzips_huge(mib: int = 300) -> bytes:
    """A sheet that weighs a few hundred KB and unzips to `mib` MiB."""
    return workbook(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'), padding=mib << 20)


def corrupt_sheet() -> bytes:
    """A workbook whose sheet's compressed bytes are damaged (a broken download, a bad disk):
    the zip's directory reads, the sheet does not."""
    good = workbook(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'))
    info = zipfile.ZipFile(io.BytesIO(good)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    damaged = bytearray(good)
    damaged[start + 5 : start + 25] = b"\xff" * 20
    return bytes(damaged)
