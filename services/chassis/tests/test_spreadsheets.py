"""The one spreadsheet reader: every format read alike, and nothing parsed before its size is known to be bounded."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
import xlsxwriter
from chassis.errors import InvalidInput, PayloadTooLarge
from chassis.spreadsheets import Limits, open_spreadsheet

LIMITS = Limits(max_rows=1_000, max_columns=64)
ROWS = [["Họ và tên", "Số CCCD"], ["Nguyễn Thị Ánh", "001191000101"]]
_XLSX_PARTS = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default '
    'Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml"'
    ' ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="applica'
    'tion/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
    'Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://'
    'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>",
    "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>',
}


def _zip(parts: dict[str, str | bytes], stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), parts[stored_first])
        for name, data in parts.items():
            if name != stored_first:
                archive.writestr(name, data)
    return buffer.getvalue()


def xlsx_with_cells(dimension: str, cells: dict[str, str]) -> bytes:
    rows: dict[int, list[str]] = {}
    for ref, value in cells.items():
        rows.setdefault(int("".join(c for c in ref if c.isdigit())), []).append(
            f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        )
    data = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{data}</sheetData></worksheet>'
    )
    return _zip({**_XLSX_PARTS, "xl/worksheets/sheet1.xml": sheet})


def ods(table: str) -> bytes:
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="S">{table}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:'
        'file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/></manifest:manifest>'
    )
    return _zip(
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "META-INF/manifest.xml": manifest,
            "content.xml": content,
        },
        stored_first="mimetype",
    )


def ods_cell(text: str, repeat: int = 1) -> str:
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{repeated}><text:p>{text}</text:p></table:table-cell>'


def windows_1258(text: str) -> bytes:
    """Text as Vietnamese Windows saves it: letters with a hat, breve or horn whole, tone marks combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for char in text:
        base, *marks = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
        out += (letter + "".join(m for m in marks if m in tones)).encode("cp1258")
    return out


def xlsx_rows(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("DS")
    for at, row in enumerate(rows):
        sheet.write_row(at, 0, row)
    book.close()
    return buffer.getvalue()


def test_every_format_gives_the_same_rows():
    text = "\r\n".join(",".join(row) for row in ROWS) + "\r\n"
    files = {
        "ds.xlsx": xlsx_rows(ROWS),
        "ds.ods": ods(
            "".join(f"<table:table-row>{''.join(ods_cell(v) for v in row)}</table:table-row>" for row in ROWS)
            # LibreOffice ends every sheet with a million empty rows: they are not data
            + '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
            'table:number-columns-repeated="1024"/></table:table-row>'
        ),
        "utf8.csv": text.encode(),
        "bom.csv": ("\ufeff" + text).encode(),
        "windows.csv": windows_1258(text),
    }
    for name, content in files.items():
        assert open_spreadsheet(name, content, LIMITS).rows() == ROWS, name


def test_a_sheet_declaring_a_far_cell_is_refused_before_it_is_parsed():
    """1.6 KB declaring cell (1500, 1500) would be a 2.25-million-cell grid: refused on the declaration."""
    declared = xlsx_with_cells("A1:BDD1500", {"A1": "x"})
    assert len(declared) < 2_000
    with pytest.raises(PayloadTooLarge) as refused:
        open_spreadsheet("ds.xlsx", declared, LIMITS)
    assert refused.value.code == "too-many-columns"
    # A sheet that lies in its declaration is measured by the cells that hold values.
    lying = xlsx_with_cells("A1:A1", {"A1": "x", "BDD1500": "y"})
    with pytest.raises(PayloadTooLarge):
        open_spreadsheet("ds.xlsx", lying, LIMITS)
    far_down = xlsx_with_cells("A1:A1", {"A1": "x", "A900000": "y"})
    with pytest.raises(PayloadTooLarge) as rows:
        open_spreadsheet("ds.xlsx", far_down, LIMITS)
    assert rows.value.code == "too-many-rows"


def test_an_ods_repeating_a_cell_a_million_times_is_refused_before_it_is_parsed():
    bomb = ods(f'<table:table-row table:number-rows-repeated="1000">{ods_cell("x", 1000)}</table:table-row>')
    assert len(bomb) < 2_000
    with pytest.raises(PayloadTooLarge):
        open_spreadsheet("ds.ods", bomb, LIMITS)


def test_the_row_limit_holds_while_reading_and_a_nul_cell_is_named():
    long_csv = ("a,b\r\n" * 5_000).encode()
    with pytest.raises(PayloadTooLarge) as refused:
        open_spreadsheet("ds.csv", long_csv, LIMITS).rows()
    assert refused.value.code == "too-many-rows"
    with pytest.raises(InvalidInput) as nul:
        open_spreadsheet("ds.xlsx", xlsx_with_cells("A1:B2", {"A1": "x", "B2": "a_x0000_b"}), LIMITS).rows()
    assert (nul.value.code, nul.value.extra["cell"]) == ("nul-character", "B2")
