"""Statistics files as users download them (session 25): old binary Excel (.xls) from SCB and
Brå, PxWebApi 2.0's output variants, periods of months and quarters in yearly tables.

Every workbook is written in the test: the .xls with xlwt (an Excel 97–2003 writer), and for
the comparison the same cells as an .xlsx with openpyxl.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
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
