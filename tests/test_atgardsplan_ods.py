"""Action plans saved from LibreOffice Calc (.ods) load as the same plan as the .xlsx.

The .ods files are written here the way LibreOffice writes them (``to_ods``): the
mimetype entry first and uncompressed; runs of empty cells and the empty rest of a sheet
as one repeated cell or row; a merged range as a cell with its spans followed by covered
cells; several lines of a cell as several paragraphs, runs of spaces as ``text:s``;
numbers and dates as typed values beside their displayed text; comments as annotations
with their author; fills as automatic cell styles; hidden sheets through a table style.
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl
import pytest
from helpers import refused, rows
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from pipelines.loading import ingest
from tests.test_atgardsplan import OPTIONS, build_standard, simple_workbook

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3"')


def _paragraphs(text: str) -> str:
    out = []
    for line in text.split("\n"):
        parts, i = [], 0
        while i < len(line):
            j = i
            while j < len(line) and line[j] == " ":
                j += 1
            if j - i > 1 or (j > i and (i == 0 or j == len(line))):
                parts.append(f'<text:s text:c="{j - i}"/>' if j - i > 1 else "<text:s/>")
                i = j
            else:
                k = line.find("  ", i + 1)
                k = len(line) if k < 0 else k
                parts.append(escape(line[i:k]))
                i = k
        out.append(f"<text:p>{''.join(parts)}</text:p>")
    return "".join(out)


def _cell(value, attrs: str) -> str:
    if isinstance(value, bool):
        return (f'<table:table-cell{attrs} office:value-type="boolean" office:boolean-value="{str(value).lower()}">'
                f"<text:p>{'SANT' if value else 'FALSKT'}</text:p>")
    if isinstance(value, int | float):
        return f'<table:table-cell{attrs} office:value-type="float" office:value="{value}"><text:p>{value}</text:p>'
    if isinstance(value, datetime | date):
        shown = value.isoformat()
        return f'<table:table-cell{attrs} office:value-type="date" office:date-value="{shown}"><text:p>{shown}</text:p>'
    return f'<table:table-cell{attrs} office:value-type="string">{_paragraphs(str(value))}'


def to_ods(xlsx: Path, ods: Path, *, header_footer: str = "", covered_text: dict | None = None) -> Path:
    """Save an .xlsx as LibreOffice would save it as .ods (see the module docstring).

    ``header_footer``: a page header text (styles.xml). ``covered_text``: {(sheet title,
    row, col): text} left in a covered cell of a merged range (LibreOffice keeps what was
    there before the merge)."""
    wb = openpyxl.load_workbook(xlsx)
    colours: dict[str, str] = {}
    tables = []
    for ws in wb.worksheets:
        spans, covered = {}, set()
        for rng in ws.merged_cells.ranges:
            spans[(rng.min_row, rng.min_col)] = (rng.max_row - rng.min_row + 1, rng.max_col - rng.min_col + 1)
            covered |= {(r, c) for r in range(rng.min_row, rng.max_row + 1)
                        for c in range(rng.min_col, rng.max_col + 1)} - {(rng.min_row, rng.min_col)}
        max_row, max_col = ws.max_row, ws.max_column
        hidden_col = ' table:visibility="collapse"'
        columns = "".join(
            f"<table:table-column{hidden_col if ws.column_dimensions[get_column_letter(c)].hidden else ''}/>"
            for c in range(1, max_col + 1)) + '<table:table-column table:number-columns-repeated="1000"/>'
        body = []
        for r in range(1, max_row + 1):
            cells, empty = [], 0
            for c in range(1, max_col + 1):
                cell = ws.cell(r, c)
                fill = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type == "solid" else None
                style = ""
                if isinstance(fill, str) and len(fill) == 8:
                    name = colours.setdefault(fill[2:], f"ce{len(colours) + 1}")
                    style = f' table:style-name="{name}"'
                value = None if (r, c) in covered else cell.value
                extra = (covered_text or {}).get((ws.title, r, c))
                note = ""
                if cell.comment is not None:
                    note = (f"<office:annotation><dc:creator>{escape(cell.comment.author or '')}</dc:creator>"
                            f"{_paragraphs(cell.comment.text)}</office:annotation>")
                if value is None and not style and not note and extra is None:
                    empty += 1
                    continue
                if empty:
                    cells.append(f'<table:table-cell table:number-columns-repeated="{empty}"/>')
                    empty = 0
                if (r, c) in covered:
                    inner = _paragraphs(extra) if extra is not None else ""
                    cells.append(f"<table:covered-table-cell{style}>{note}{inner}</table:covered-table-cell>")
                    continue
                down, across = spans.get((r, c), (1, 1))
                attrs = style + (f' table:number-rows-spanned="{down}" table:number-columns-spanned="{across}"'
                                 if (down, across) != (1, 1) else "")
                if value is None:
                    cells.append(f"<table:table-cell{attrs}>{note}</table:table-cell>")
                else:
                    opened = _cell(value, attrs)
                    # the annotation comes before the cell's paragraphs, as LibreOffice writes it
                    head, _, tail = opened.partition("><")
                    cells.append(f"{head}>{note}<{tail}</table:table-cell>" if tail else f"{opened}{note}</table:table-cell>")
            cells.append('<table:table-cell table:number-columns-repeated="1000"/>')
            hidden = ' table:visibility="collapse"' if ws.row_dimensions[r].hidden else ""
            body.append(f"<table:table-row{hidden}>{''.join(cells)}</table:table-row>")
        body.append('<table:table-row table:number-rows-repeated="1048000">'
                    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
        style = ' table:style-name="ta_hidden"' if ws.sheet_state != "visible" else ' table:style-name="ta1"'
        tables.append(f"<table:table table:name={quoteattr(ws.title)}{style}>{columns}{''.join(body)}</table:table>")
    cell_styles = "".join(
        f'<style:style style:name="{name}" style:family="table-cell" style:parent-style-name="Default">'
        f'<style:table-cell-properties fo:background-color="#{rgb.lower()}"/></style:style>'
        for rgb, name in colours.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS}><office:automatic-styles>'
               '<style:style style:name="ta1" style:family="table" style:master-page-name="Default">'
               '<style:table-properties table:display="true"/></style:style>'
               '<style:style style:name="ta_hidden" style:family="table" style:master-page-name="Default">'
               '<style:table-properties table:display="false"/></style:style>'
               f"{cell_styles}</office:automatic-styles><office:body><office:spreadsheet>"
               f"{''.join(tables)}</office:spreadsheet></office:body></office:document-content>")
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {NS}><office:master-styles>'
              '<style:master-page style:name="Default"><style:header>'
              f"<text:p>{escape(header_footer)}</text:p></style:header></style:master-page>"
              "</office:master-styles></office:document-styles>")
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {NS}><office:meta>'
            "<meta:generator>LibreOffice/24.8.4.2$Linux_X86_64</meta:generator>"
            "</office:meta></office:document-meta>")
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("styles.xml", styles, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("meta.xml", meta, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
                    compress_type=zipfile.ZIP_DEFLATED)
    return ods


PLAN_TABLES = {
    "measure": "SELECT * EXCLUDE (load_id) FROM measure ORDER BY ALL",
    "measure_followup": "SELECT * FROM measure_followup ORDER BY ALL",
    "plan_analysis": "SELECT * FROM plan_analysis ORDER BY ALL",
    "plan": "SELECT * EXCLUDE (load_id, source_file) FROM plan ORDER BY ALL",
}


def _load(db_template: Path, folder: Path, path: Path):
    db = folder / f"{path.stem}-{path.suffix[1:]}.duckdb"
    shutil.copyfile(db_template, db)
    [report] = ingest(db, [path], options=OPTIONS)
    return db, report


def test_a_plan_saved_as_ods_loads_as_the_same_plan_as_the_xlsx(reference_db_template, tmp_path):
    xlsx = build_standard(tmp_path / "plan.xlsx")
    ods = to_ods(xlsx, tmp_path / "plan.ods")
    db_x, report_x = _load(reference_db_template, tmp_path, xlsx)
    db_o, report_o = _load(reference_db_template, tmp_path, ods)
    assert report_o.status == "ok", report_o.lines
    assert report_o.rows_accepted == report_x.rows_accepted > 0
    assert rows(db_o, "SELECT source_format FROM load_log") == [("atgardsplan-ods",)]
    for table, sql in PLAN_TABLES.items():
        assert rows(db_o, sql) == rows(db_x, sql), table
    # The notes a coordinator reads (a sheet skipped, counts differing from the analysis sheet) too.
    assert [line for line in report_o.lines if "plan.ods" not in line] == \
        [line for line in report_x.lines if "plan.xlsx" not in line]


def test_colours_comments_hidden_rows_and_typed_cells_of_an_ods(reference_db_template, tmp_path):
    def extra(wb):
        ws = wb["1. Unga"]
        ws.cell(4, 7).comment = Comment("Uppdaterad efter T2-mötet.", "Samordnare")
        ws.cell(4, 7).fill = PatternFill("solid", fgColor="FF00B050")  # a green follow-up cell
        ws.cell(5, 1, "Problem 2")
        ws.cell(5, 2, "Orsak B")
        ws.cell(5, 3, "Trygghetsvandring:   två  gånger per termin.")
        ws.cell(5, 5, datetime(2025, 9, 1))
        ws.cell(5, 7, "250901: Genomförd.\nVB: Åtgärden bedöms vara uppnådd.")
    xlsx = simple_workbook(tmp_path / "farg.xlsx", extra=extra)
    db_x, _ = _load(reference_db_template, tmp_path, xlsx)
    db_o, report = _load(reference_db_template, tmp_path, to_ods(xlsx, tmp_path / "farg.ods"))
    assert report.status == "ok", report.lines
    for table, sql in PLAN_TABLES.items():
        assert rows(db_o, sql) == rows(db_x, sql), table
    titles = {t for (t,) in rows(db_o, "SELECT title FROM measure")}
    assert "Trygghetsvandring" in titles


@pytest.mark.parametrize("where", ["cell", "comment", "covered", "header"])
def test_a_personnummer_anywhere_in_an_ods_rejects_it(empty_db, tmp_path, where):
    pnr = "19121212-1212"  # Skatteverket's test number
    options = {}

    def extra(wb):
        ws = wb["1. Unga"]
        if where == "cell":
            ws.cell(4, 7, f"250828: Samtal med elev {pnr}.")
        elif where == "comment":
            ws.cell(4, 7).comment = Comment(f"Gäller {pnr}", "Samordnare")
        elif where == "covered":
            ws.merge_cells(start_row=4, start_column=5, end_row=4, end_column=6)
    xlsx = simple_workbook(tmp_path / "plan.xlsx", extra=extra)
    if where == "covered":
        options["covered_text"] = {("1. Unga", 4, 6): pnr}
    if where == "header":
        options["header_footer"] = f"Utskriven av {pnr}"
    ods = to_ods(xlsx, tmp_path / "plan.ods", **options)
    message = refused(empty_db, ods, options=OPTIONS)
    assert "personnummer" in message and message.startswith("plan.ods"), message
    assert pnr not in message


def test_a_truncated_ods_is_named_as_damaged(empty_db, tmp_path):
    ods = to_ods(simple_workbook(tmp_path / "plan.xlsx"), tmp_path / "plan.ods")
    data = ods.read_bytes()
    ods.write_bytes(data[: len(data) // 2])
    message = refused(empty_db, ods, options=OPTIONS)
    assert message.startswith("plan.ods: arbetsboken är skadad eller ofullständig"), message


def test_an_ods_without_plan_sheets_says_so(empty_db, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Budget"
    wb.active["A1"] = "Konto"
    wb.save(tmp_path / "budget.xlsx")
    ods = to_ods(tmp_path / "budget.xlsx", tmp_path / "budget.ods")
    message = refused(empty_db, ods, options=OPTIONS)
    assert message.startswith("budget.ods: ") and "Problemområde" in message, message


def test_a_password_protected_ods_says_how_to_remove_the_password(empty_db, tmp_path):
    # LibreOffice encrypts content.xml and styles.xml and says how in the manifest.
    path = tmp_path / "plan.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", bytes(range(256)) * 8)
        zf.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="3120">'
            '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
            '<manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
            'manifest:initialisation-vector="x"/></manifest:encryption-data></manifest:file-entry>'
            "</manifest:manifest>"))
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith("plan.ods: kalkylbladet är lösenordsskyddat"), message


def test_an_ods_too_large_for_a_plan_is_refused_before_it_is_read(empty_db, tmp_path, monkeypatch):
    from pipelines.readers import ods

    path = to_ods(build_standard(tmp_path / "plan.xlsx"), tmp_path / "plan.ods")
    monkeypatch.setattr(ods, "MAX_CONTENT", 1000)  # the plan's content.xml is larger than this
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith("plan.ods: kalkylbladet är för stort för en åtgärdsplan"), message
