"""Statistics files as users download them (session 25): old binary Excel (.xls) from SCB and
Brå, PxWebApi 2.0's output variants, periods of months and quarters in yearly tables.

Every workbook is written in the test: the .xls with xlwt (an Excel 97–2003 writer), and for
the comparison the same cells as an .xlsx with openpyxl.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlwt
from helpers import digest, refused, rejected_rows
from helpers import rows as _query

from pipelines import readers
from pipelines.loading import ingest

POPULATION = ("SELECT kommun_code, year, sex, age_band, population FROM population "
              "ORDER BY kommun_code, year, sex, age_band")
BRA = "SELECT area_code, offence_category, year, count, per_100k, preliminary FROM bra_statistic ORDER BY ALL"


def _workbook(path: Path, sheets: dict[str, dict], merges: dict[str, list] | None = None,
              header: str | None = None) -> Path:
    """A workbook of ``sheets`` (name -> {(row, col): value}, 1-based) with merged ranges
    (first row, first col, last row, last col): an .xls by xlwt, or an .xlsx by openpyxl,
    by the name's suffix. ``header``: the .xls's page header (Sidhuvud)."""
    merges = merges or {}
    if path.suffix == ".xlsx":
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, cells in sheets.items():
            ws = wb.create_sheet(name)
            for (r, c), v in cells.items():
                ws.cell(r, c, v)
            for r1, c1, r2, c2 in merges.get(name, []):
                ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        wb.save(path)
        return path
    wb = xlwt.Workbook(encoding="utf-8")
    for name, cells in sheets.items():
        ws = wb.add_sheet(name)
        if header is not None:
            ws.header_str = header.encode("utf-8")
        merged = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in merges.get(name, [])}
        covered = {(r, c) for (r1, c1), (r2, c2) in merged.items()
                   for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - set(merged)
        for (r, c), v in cells.items():
            if (r, c) in merged:
                r2, c2 = merged[(r, c)]
                ws.write_merge(r - 1, r2 - 1, c - 1, c2 - 1, v)
            elif (r, c) not in covered:
                ws.write(r - 1, c - 1, v)
    wb.save(str(path))
    return path


def _xml_spreadsheet(path: Path, sheets: dict[str, dict], merges: dict[str, list] | None = None,
                     comment: str | None = None) -> Path:
    """The same workbook as :func:`_workbook`, as Excel 2003's XML Spreadsheet (what web
    systems' "Exportera till Excel" write and name .xls): ss:Index where a row or cell is
    skipped, ss:MergeAcross and ss:MergeDown on a merged range's first cell, the covered
    cells left out. ``comment``: a comment on the first cell."""
    from xml.sax.saxutils import escape

    merges = merges or {}
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<?mso-application progid="Excel.Sheet"?>',
           '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
           'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">']
    for name, cells in sheets.items():
        merged = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in merges.get(name, [])}
        covered = {(r, c) for (r1, c1), (r2, c2) in merged.items()
                   for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - set(merged)
        out.append(f'<Worksheet ss:Name="{escape(name)}"><Table>')
        next_row = 1
        for r in sorted({r for r, _ in cells}):
            out.append(f'<Row ss:Index="{r}">' if r != next_row else "<Row>")
            next_col = 1
            for c in sorted(c for rr, c in cells if rr == r):
                if (r, c) in covered:
                    continue
                value = cells[(r, c)]
                attrs = f' ss:Index="{c}"' if c != next_col else ""
                r2, c2 = merged.get((r, c), (r, c))
                attrs += f' ss:MergeAcross="{c2 - c}"' if c2 > c else ""
                attrs += f' ss:MergeDown="{r2 - r}"' if r2 > r else ""
                kind = "Number" if isinstance(value, (int, float)) else "DateTime" if isinstance(value, date) else "String"
                value = f"{value.isoformat()}T00:00:00.000" if isinstance(value, date) else value
                note = (f"<Comment ss:Author=\"SCB\"><ss:Data>{escape(comment)}</ss:Data></Comment>"
                        if comment and (r, c) == min(cells) else "")
                out.append(f'<Cell{attrs}><Data ss:Type="{kind}">{escape(str(value))}</Data>{note}</Cell>')
                next_col = c2 + 1
            out.append("</Row>")
            next_row = r + 1
        out.append("</Table></Worksheet>")
    out.append("</Workbook>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def _pxweb_sheet(region: str = "0180 Stockholm") -> tuple[dict, list]:
    """PxWeb's Excel download of Folkmängd per region, ålder, kön and år: the title, the
    content merged over its years, the region and each age written once over their rows
    (blank below), a source line under the table."""
    cells = {(1, 1): "Folkmängd efter region, ålder, kön och år", (3, 4): "Folkmängd",
             (4, 1): "region", (4, 2): "ålder", (4, 3): "kön", (4, 4): "2023", (4, 5): "2024"}
    r = 5
    for age in (12, 13, 14):
        for sex in ("män", "kvinnor"):
            if r == 5:
                cells[(r, 1)] = region
            if sex == "män":
                cells[(r, 2)] = f"{age} år"
            cells[(r, 3)] = sex
            cells[(r, 4)] = 1000 + age + (5 if sex == "män" else 0)
            cells[(r, 5)] = 1100 + age + (5 if sex == "män" else 0)
            r += 1
    cells[(r + 1, 1)] = "Källa: SCB"
    return cells, [(3, 4, 3, 5)]


# --- 1. old binary Excel (.xls) ------------------------------------------------------------


def test_an_scb_table_saved_as_xls_loads_as_the_same_xlsx_does(empty_db, tmp_path, reference_db_template):
    # Older PxWeb and many users' own "Spara som Excel 97–2003" give an .xls. It was claimed
    # by the action plan's reader and refused ("spara som .xlsx").
    cells, merges = _pxweb_sheet()
    xls = _workbook(tmp_path / "BE0101N1.xls", {"Tabell": cells}, {"Tabell": merges})
    assert readers.choose(xls).fmt == "scb-xlsx"
    [report] = ingest(empty_db, [xls])
    assert report.status == "ok", report.summary()
    stored = _query(empty_db, POPULATION)
    assert stored == [("0180", 2023, "K", "12-14", 3039), ("0180", 2023, "M", "12-14", 3054),
                      ("0180", 2024, "K", "12-14", 3339), ("0180", 2024, "M", "12-14", 3354)]
    other = tmp_path / "other.duckdb"
    other.write_bytes(reference_db_template.read_bytes())
    xlsx = _workbook(tmp_path / "BE0101N1.xlsx", {"Tabell": cells}, {"Tabell": merges})
    [same] = ingest(other, [xlsx])
    assert same.status == "ok" and _query(other, POPULATION) == stored
    assert "Läste bladet 'Tabell'." in report.summary()
    assert (report.source_format, same.source_format) == ("scb-xls", "scb-xlsx")


def test_a_bra_table_saved_as_xls_is_read_and_its_rejections_name_the_cell(empty_db, tmp_path):
    # Brå's statistics pages still offer .xls: a title, the years over their units (each
    # year merged over Antal and Per 100 000 inv), the area merged over its offences.
    cells = {(1, 1): "Anmälda brott efter område, brottstyp och år",
             (3, 3): "2023", (3, 5): "2024",
             (4, 1): "Område", (4, 2): "Brottstyp", (4, 3): "Antal", (4, 4): "Per 100 000 inv",
             (4, 5): "Antal", (4, 6): "Per 100 000 inv",
             (5, 1): "Malmö", (5, 2): "Samtliga brott", (5, 3): 40123, (5, 4): 11234.5, (5, 5): 39876, (5, 6): "..",
             (6, 2): "Rån", (6, 3): 512, (6, 4): 143.4, (6, 5): "–", (6, 6): "–",
             (7, 1): "Atlantis", (7, 2): "Rån", (7, 3): 1, (7, 4): 1.0, (7, 5): 2, (7, 6): 2.0,
             (9, 1): "Källa: Brå"}
    merges = [(3, 3, 3, 4), (3, 5, 3, 6), (5, 1, 6, 1)]
    path = _workbook(tmp_path / "anmalda_brott.xls", {"Anmälda brott": cells}, {"Anmälda brott": merges})
    assert readers.choose(path).fmt == "bra-xlsx"
    [report] = ingest(empty_db, [path])
    assert (report.status, report.source_format) == ("ok", "bra-xls"), report.summary()
    assert _query(empty_db, BRA) == [
        ("1280", "Rån", 2023, 512, 143.4, False), ("1280", "Rån", 2024, 0, 0.0, False),
        ("1280", "Samtliga brott", 2023, 40123, 11234.5, False),
        ("1280", "Samtliga brott", 2024, 39876, None, False)]
    [(row, column, reason)] = rejected_rows(empty_db)
    assert (row, column) == (7, "Område") and reason.startswith("okänt område"), reason


def test_a_personnummer_outside_an_xls_tables_cells_refuses_it(empty_db, tmp_path):
    # The page header of an .xls is no cell: it travels with the file all the same.
    cells, merges = _pxweb_sheet()
    path = _workbook(tmp_path / "folkmangd.xls", {"Tabell": cells}, {"Tabell": merges},
                     header="Utskriven av 19850312-4540")
    message = refused(empty_db, path)
    assert message.startswith("folkmangd.xls: ") and "personnummer" in message, message
    assert "sidhuvud" in message and "19850312" not in message


def test_a_personnummer_in_an_xls_cell_refuses_it_naming_the_cell(empty_db, tmp_path):
    cells, merges = _pxweb_sheet()
    cells[(11, 1)] = "Kontakt: 850312-4540"
    path = _workbook(tmp_path / "brott.xls", {"Tabell": cells}, {"Tabell": merges})
    message = refused(empty_db, path)
    assert "blad 'Tabell', cell A11" in message and "4540" not in message, message


def test_a_kolada_se_table_saved_as_xls_is_read(empty_db, tmp_path):
    # The grid readers are one: a KPI's table from kolada.se saved as Excel 97–2003 reads as
    # its .xlsx does.
    cells = {(1, 1): "Anmälda brott om våld mot person, antal/100 000 inv (N07403)",
             (3, 1): "Kommun", (3, 2): "2022", (3, 3): "2023", (4, 1): "Stockholm", (4, 2): 1611.0, (4, 3): 1587.4}
    path = _workbook(tmp_path / "kolada_N07403.xls", {"Kolada": cells})
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _query(empty_db, "SELECT kpi_id, kommun_code, year, value FROM kolada_value ORDER BY year") == [
        ("N07403", "0180", 2022, 1611.0), ("N07403", "0180", 2023, 1587.4)]


def test_tables_exported_as_excel_2003_xml_under_an_xls_name_are_read(empty_db, tmp_path, reference_db_template):
    # "Exportera till Excel" in many web systems writes Excel 2003's XML Spreadsheet and names
    # it .xls. It was refused ("XML-fil med ett Excel-namn … spara som .xlsx"). The SCB table,
    # with its region and ages written once over their rows, loads as its .xlsx does.
    cells, merges = _pxweb_sheet()
    xml = _xml_spreadsheet(tmp_path / "Folkmangd.xls", {"Tabell": cells}, {"Tabell": merges})
    [report] = ingest(empty_db, [xml])
    assert (report.status, report.source_format) == ("ok", "scb-xml"), report.summary()
    other = tmp_path / "other.duckdb"
    other.write_bytes(reference_db_template.read_bytes())
    [same] = ingest(other, [_workbook(tmp_path / "Folkmangd.xlsx", {"Tabell": cells}, {"Tabell": merges})])
    assert same.status == "ok" and _query(empty_db, POPULATION) == _query(other, POPULATION) != []


def test_a_bra_table_as_excel_2003_xml_with_merged_cells(empty_db, tmp_path):
    # The years merged across their units, the area merged down over its offences (the
    # covered cells left out, so the next cell names its column by ss:Index).
    cells = {(1, 1): "Anmälda brott efter område, brottstyp och år",
             (3, 3): "2023", (3, 5): "2024",
             (4, 1): "Område", (4, 2): "Brottstyp", (4, 3): "Antal", (4, 4): "Per 100 000 inv",
             (4, 5): "Antal", (4, 6): "Per 100 000 inv",
             (5, 1): "Malmö", (5, 2): "Samtliga brott", (5, 3): 40123, (5, 4): 11234.5, (5, 5): 39876, (5, 6): "..",
             (6, 1): "", (6, 2): "Rån", (6, 3): 512, (6, 4): 143.4, (6, 5): "–", (6, 6): "–",
             (7, 1): "Lund", (7, 2): "Rån", (7, 3): 90, (7, 4): 70.1, (7, 5): 95, (7, 6): 73.0}
    merges = [(3, 3, 3, 4), (3, 5, 3, 6), (5, 1, 6, 1)]
    path = _xml_spreadsheet(tmp_path / "export.xls", {"Resultat": cells}, {"Resultat": merges})
    [report] = ingest(empty_db, [path])
    assert (report.status, report.source_format) == ("ok", "bra-xml"), report.summary()
    assert _query(empty_db, BRA) == [
        ("1280", "Rån", 2023, 512, 143.4, False), ("1280", "Rån", 2024, 0, 0.0, False),
        ("1280", "Samtliga brott", 2023, 40123, 11234.5, False),
        ("1280", "Samtliga brott", 2024, 39876, None, False),
        ("1281", "Rån", 2023, 90, 70.1, False), ("1281", "Rån", 2024, 95, 73.0, False)]


def test_an_excel_2003_xml_sheet_reads_as_the_same_xlsx_sheet(tmp_path):
    # The grid every reader sees: the same cells, merged ranges, gaps, numbers and dates.
    from pipelines.readers.scb import workbook_grids

    cells = {(1, 1): "Tabell", (3, 2): "Antal", (3, 4): "Uttaget", (3, 5): date(2025, 3, 14),
             (4, 1): "Malmö", (4, 2): 40123, (4, 3): 11234.5, (5, 2): 7, (7, 3): "sist"}
    merges = {"Blad": [(3, 2, 3, 3), (4, 1, 5, 1)]}
    xml = workbook_grids(_xml_spreadsheet(tmp_path / "a.xls", {"Blad": cells}, merges))
    xlsx = workbook_grids(_workbook(tmp_path / "a.xlsx", {"Blad": cells}, merges))
    assert [(g.sheet, g.rows, g.numbers) for g in xml] == [(g.sheet, g.rows, g.numbers) for g in xlsx]
    assert xml[0].rows[2] == ["", "Antal", "", "Uttaget", "2025-03-14T00:00:00"]


def test_a_personnummer_in_an_excel_2003_xml_comment_refuses_it(empty_db, tmp_path):
    cells, merges = _pxweb_sheet()
    path = _xml_spreadsheet(tmp_path / "Folkmangd.xls", {"Tabell": cells}, {"Tabell": merges},
                            comment="Beställd av 19850312-4540")
    message = refused(empty_db, path)
    assert "personnummer" in message and "4540" not in message, message


def test_a_kolada_se_table_as_excel_2003_xml_is_read(empty_db, tmp_path):
    cells = {(1, 1): "Anmälda brott om våld mot person, antal/100 000 inv (N07403)",
             (3, 1): "Kommun", (3, 2): "2022", (3, 3): "2023", (4, 1): "Stockholm", (4, 2): 1611.0, (4, 3): 1587.4}
    path = _xml_spreadsheet(tmp_path / "kolada_N07403.xls", {"Kolada": cells})
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _query(empty_db, "SELECT kpi_id, kommun_code, year, value FROM kolada_value ORDER BY year") == [
        ("N07403", "0180", 2022, 1611.0), ("N07403", "0180", 2023, 1587.4)]


def test_a_damaged_scb_xls_is_refused_and_changes_nothing(empty_db, tmp_path):
    cells, merges = _pxweb_sheet()
    whole = _workbook(tmp_path / "whole.xls", {"Tabell": cells}, {"Tabell": merges}).read_bytes()
    path = tmp_path / "BE0101N1.xls"
    path.write_bytes(whole[:len(whole) // 2])  # an interrupted download
    before = digest(empty_db)
    for fmt in (None, "scb-xlsx"):
        message = refused(empty_db, path, fmt=fmt)
        assert message.startswith("BE0101N1.xls: ") and "(.xls" in message and "läsas" in message and "xlsx" in message, message
    assert digest(empty_db) == before


# --- 2. PxWebApi 2.0's outputs ---------------------------------------------------------------


def _pxweb_csv(delimiter: str, labels: str, title: bool) -> str:
    """PxWebApi 2.0's outputFormat=csv as its serializer writes it: every text in quotes, the
    numbers bare, the years over the columns; ``labels`` as outputFormatParams chooses them
    (UseCodes, UseTexts, UseCodesAndTexts), a title line and a blank line with IncludeTitle."""
    stub = {"codes": ["Region", "Alder", "Kon"], "texts": ["region", "ålder", "kön"],
            "both": ["Region - region", "Alder - ålder", "Kon - kön"]}[labels]
    lines = ['"Folkmängd efter region, ålder, kön och år"', ""] if title else []
    lines.append(delimiter.join(f'"{h}"' for h in [*stub, "2023", "2024"]))
    for age in (12, 13, 14, "tot"):
        for code, sex in (("1", "män"), ("2", "kvinnor")):
            cells = {"codes": ["0180", str(age), code],
                     "texts": ["0180 Stockholm", "totalt ålder" if age == "tot" else f"{age} år", sex],
                     "both": ["0180 - Stockholm", f"{age} - " + ("totalt ålder" if age == "tot" else f"{age} år"),
                              f"{code} - {sex}"]}[labels]
            values = (50000, 51000) if age == "tot" else (1000 + age + int(code), 1100 + age + int(code))
            lines.append(delimiter.join([*(f'"{c}"' for c in cells), *map(str, values)]))
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.parametrize("labels", ["codes", "texts", "both"])
@pytest.mark.parametrize("delimiter, title", [(" ", False), (" ", True), (",", True), (";", False), ("\t", True)])
def test_pxwebapi_csv_in_each_of_its_forms_is_read(empty_db, tmp_path, labels, delimiter, title):
    # outputFormatParams=SeparatorSpace: the texts in quotes, a space between the fields. It
    # was "formatet känns inte igen": no comma, semicolon or tab made a table of it. The
    # other separators, with and without the title, are read as before.
    path = tmp_path / "TAB638.csv"
    path.write_text(_pxweb_csv(delimiter, labels, title), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert (report.status, report.source_format) == ("ok", "scb-csv"), report.summary()
    assert _query(empty_db, POPULATION) == [
        ("0180", 2023, "K", "12-14", 3045), ("0180", 2023, "M", "12-14", 3042),
        ("0180", 2024, "K", "12-14", 3345), ("0180", 2024, "M", "12-14", 3342)]


def test_a_space_is_no_delimiter_where_another_makes_the_table(empty_db, tmp_path):
    # Cells hold spaces in every semicolon file: a space-separated reading is only a last resort.
    path = tmp_path / "folkmangd.csv"
    path.write_text(_pxweb_csv(";", "texts", True).replace('"', ""), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert len(_query(empty_db, POPULATION)) == 4


def _pxweb_parquet(path: Path, contents: list[str] | None = None, cell: tuple | None = None) -> Path:
    """PxWebApi 2.0's outputFormat=parquet of TAB638 as its serializer writes it: a column per
    variable named by its text holding the values' codes, 'timestamp' beside the time, the
    content as 'value' and 'value_symbol' (NaN where a symbol stands), or with several
    contents '<ContentsCode>_<code>' and its '_symbol' for each. ``cell``: (row index,
    column, text) to write into one string cell."""
    from datetime import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    keys = [(region, age, sex, year) for year in ("2023", "2024") for region in ("0180", "9999")
            for age in ("12", "13", "14", "tot") for sex in ("1", "2")]
    keys = [k for k in keys if k[0] == "0180" or (k[1], k[2], k[3]) == ("12", "1", "2024")]
    columns = {"region": [k[0] for k in keys], "ålder": [k[1] for k in keys], "kön": [k[2] for k in keys],
               "år": [k[3] for k in keys], "timestamp": [datetime(int(k[3]), 1, 1) for k in keys]}
    values, symbols = [], []
    for _region, age, sex, year in keys:
        symbol = {("13", "2", "2024"): "-", ("14", "1", "2024"): ".."}.get((age, sex, year))
        symbols.append(symbol)
        values.append(float("nan") if symbol else 50000.0 if age == "tot" else 1000.0 + int(age) + int(sex))
    if contents is None:
        columns |= {"value": values, "value_symbol": pa.array(symbols, pa.string())}
    else:
        for k, code in enumerate(contents):
            columns[f"ContentsCode_{code}"] = [v if k == 0 else 7.0 for v in values]
            columns[f"ContentsCode_{code}_symbol"] = pa.array(symbols if k == 0 else [None] * len(keys), pa.string())
    if cell is not None:
        at, name, text = cell
        columns[name][at] = text
    pq.write_table(pa.table(columns), path)
    return path


def test_pxwebapi_parquet_is_read_as_its_csv(empty_db, tmp_path):
    # outputFormat=parquet (statistikdatabasen.scb.se offers Parquet beside CSV): refused
    # before as a Parquet file without our columns. Codes in the cells, '-' is 0, '..'
    # missing (its band left out), the total age skipped, an unknown region a rejected row
    # numbered as the file's rows are (from 1).
    path = _pxweb_parquet(tmp_path / "TAB638.parquet")
    assert readers.choose(path).fmt == "scb-parquet"
    [report] = ingest(empty_db, [path])
    assert (report.status, report.source_format) == ("ok", "scb-parquet"), report.summary()
    assert _query(empty_db, POPULATION) == [
        ("0180", 2023, "K", "12-14", 3045), ("0180", 2023, "M", "12-14", 3042),
        ("0180", 2024, "K", "12-14", 2030)]
    assert rejected_rows(empty_db) == [(17, "region", "okänd region (ange kommunkod, t.ex. 0180)")]
    assert "totalrader" in report.summary()


def test_pxwebapi_parquet_with_two_contents_reads_folkmangd(empty_db, tmp_path):
    path = _pxweb_parquet(tmp_path / "TAB638.parquet", contents=["BE0101N1", "BE0101N2"])
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert ("0180", 2023, "M", "12-14", 3042) in _query(empty_db, POPULATION)
    assert "BE0101N2 lästes inte in" in report.summary()


def test_a_personnummer_in_a_parquet_cell_refuses_it(empty_db, tmp_path):
    path = _pxweb_parquet(tmp_path / "TAB638.parquet", cell=(3, "region", "19850312-4540"))
    message = refused(empty_db, path)
    assert "personnummer" in message and "4540" not in message, message


# --- 3. months, quarters and weeks in yearly tables --------------------------------------------


def _quarter_table(path: Path, header: list[str], period_in_rows: str | None = None) -> Path:
    lines = [";".join(header)]
    for age in (12, 13, 14):
        for sex in ("män", "kvinnor"):
            stub = ["0180 Stockholm", f"{age} år", sex]
            lines.append(";".join(stub + ([period_in_rows, str(1000 + age)] if period_in_rows
                                          else [str(1000 + age)] * (len(header) - 3))))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_scb_table_per_quarter_is_refused_naming_its_quarters(empty_db, tmp_path):
    # Folkmängden per kvartal (2024K3, 2024K4): refused before as having no years at all;
    # beside a year column a quarter's column was read as an extra column of the key.
    for header, column in ((["region", "ålder", "kön", "2024K3", "2024K4"], "2024K3"),
                           (["region", "ålder", "kön", "2023", "Folkmängd 2024K1"], "Folkmängd 2024K1")):
        path = _quarter_table(tmp_path / "BE0101_kvartal.csv", header)
        message = refused(empty_db, path)
        assert message.startswith(f"BE0101_kvartal.csv: rad 1, kolumn '{column}': tabellens perioder ("), message
        assert "kortare än ett år" in message and "31 december" in message


def test_an_scb_period_column_of_quarters_rejects_its_rows_saying_why(empty_db, tmp_path):
    path = _quarter_table(tmp_path / "kvartal.csv", ["region", "ålder", "kön", "kvartal", "Folkmängd"], "2024K4")
    message = refused(empty_db, path)
    assert message.startswith("kvartal.csv: ingen rad kunde läsas in (6 avvisade), till exempel rad 2, kolumn "
                              "'kvartal': perioden är kortare än ett år (ett kvartal"), message


def test_bra_quarters_written_before_their_year_are_no_years(empty_db, tmp_path):
    # 'Kv1 2024' and 'Kv2 2024' both landed on 2024 and were rejected as one key with two
    # values, which said nothing of quarters.
    path = tmp_path / "bra-kvartal.csv"
    path.write_text("Område;Brottstyp;Kv1 2024;Kv2 2024\nMalmö;Samtliga brott;400;300\n", encoding="utf-8")
    assert refused(empty_db, path) == ("bra-kvartal.csv: rad 1, kolumn 'Kv1 2024': perioden är ett kvartal eller en "
                                       "månad; bra_statistic gäller hela år (exportera per år).")


# --- 4. symbols and marks in the values -------------------------------------------------------


def test_scb_values_with_symbols_and_marks_as_its_tables_show_them(empty_db, tmp_path):
    # Swedish official statistics write 'x' for a value not published: it was a rejected row
    # 'inte ett heltal' in an SCB table, though Brå's reader took it as missing. A footnote's
    # superscript after a value ('1 014¹', a table copied from the web page) was rejected too,
    # and so was a preliminary value's star in the long layout.
    path = tmp_path / "folkmangd.csv"
    path.write_text("region;ålder;kön;år;Folkmängd\n"
                    "0180 Stockholm;12 år;män;2023;1 012¹\n0180 Stockholm;13 år;män;2023;1013\n"
                    "0180 Stockholm;14 år;män;2023;1 014*\n"
                    "0180 Stockholm;12 år;kvinnor;2023;x\n0180 Stockholm;13 år;kvinnor;2023;1013\n"
                    "0180 Stockholm;14 år;kvinnor;2023;1014\n", encoding="cp1252")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _query(empty_db, POPULATION) == [("0180", 2023, "M", "12-14", 3039)]
    assert rejected_rows(empty_db) == []
    assert "1 värden saknades" in report.summary() and "preliminära uppgifter för år 2023" in report.summary()


def test_bra_reads_the_dots_pc_axis_writes_for_missing_as_missing(empty_db, tmp_path):
    # '...' (PX writes missing as one to six dots, as SCB's reader reads them) was a rejected
    # row 'värdet är inte ett tal' in a Brå table: one rule for the symbols now.
    path = tmp_path / "bra.csv"
    path.write_text("Område;Brottstyp;År;Antal;Per 100 000 inv\nMalmö;Rån;2023;...;10,5\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _query(empty_db, BRA) == [("1280", "Rån", 2023, None, 10.5, False)]
    assert rejected_rows(empty_db) == []
