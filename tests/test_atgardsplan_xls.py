"""Old binary Excel action plans (.xls, Excel 97–2003), read with xlrd into the same sheets
as an .xlsx (pipelines/readers/xls.py).

Each workbook is written in the test with xlwt (an .xls writer) and, for the comparison,
the same content with openpyxl; both go through ingest into a fresh database, and the
test checks what the coordinator checks: the measures and follow-ups stored, the load
report, and that a refused file leaves the database as it was.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlwt
from helpers import refused, rows
from openpyxl.styles import PatternFill

from pipelines.loading import ingest
from tests.test_atgardsplan import HEADER, OPTIONS, UNGA

# One plan, as (row, column) -> value, 1-based; merges as (first row, first col, last row, last col).
INSTRUCTIONS = {(1, 1): "Åtgärdsplan 2025", (3, 1): "Fyll i en flik per prioriterat område."}
AREA = {
    (1, 1): UNGA,
    **{(3, c): text for c, text in enumerate([*HEADER, "Status"], start=1)},
    (4, 1): "Tidig debut", (4, 2): "Svag skolanknytning", (4, 3): "Läxhjälp: två kvällar i veckan",
    (4, 4): "40 deltagare", (4, 5): 2025, (4, 6): "Fritidsgården",
    (4, 7): "250415: Start med 12 elever.\n250905: Åtgärden bedöms vara påbörjad.", (4, 8): "Pågår",
    (5, 2): "Få vuxna ute", (5, 3): "Nattvandring: fredagar", (5, 5): "i linjen", (5, 6): "Föreningar",
    (5, 7): "250905: 14 pass.",
    (6, 2): "Droghandel vid skolan",
    (7, 1): "Otrygg park", (7, 2): "Mörker", (7, 3): "Belysning: byt armaturer", (7, 4): "Alla lampor",
    (7, 5): date(2025, 6, 30), (7, 6): "Fastighet", (7, 7): "250905: Klart.", (7, 8): 0.5,
    (10, 10): "Grön = genomförd",
}
MERGES = [(4, 1, 6, 1), (5, 3, 6, 3), (5, 4, 6, 4), (5, 5, 6, 5), (5, 6, 6, 6), (5, 7, 6, 7)]
GREEN = [(5, 8), (10, 9)]  # Nattvandring's empty status cell, and the legend's swatch
HIDDEN_ROW = 7
PERCENT = (7, 8)


def _xlsx(path: Path, area: dict = AREA) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Instruktion"
    for (r, c), v in INSTRUCTIONS.items():
        ws.cell(r, c, v)
    ws = wb.create_sheet("1. Unga i riskzon")
    for (r, c), v in area.items():
        ws.cell(r, c, v)
    for r1, c1, r2, c2 in MERGES:
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
    for at in GREEN:
        ws.cell(*at).fill = PatternFill("solid", fgColor="00B050")
    ws.cell(*PERCENT).number_format = "0%"
    ws.cell(7, 5).number_format = "yyyy-mm-dd"
    ws.row_dimensions[HIDDEN_ROW].hidden = True
    lists = wb.create_sheet("Listor")
    lists["A1"] = "Pågår"
    lists.sheet_state = "hidden"
    wb.save(path)
    return path


def _xls(path: Path, area: dict = AREA, header: str | None = None) -> Path:
    """The same workbook as _xlsx, written as Excel 97–2003 (.xls)."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Instruktion")
    for (r, c), v in INSTRUCTIONS.items():
        ws.write(r - 1, c - 1, v)
    ws = wb.add_sheet("1. Unga i riskzon")
    if header is not None:
        ws.header_str = header.encode("utf-8")
    green = xlwt.easyxf("pattern: pattern solid, fore_colour green;")
    styles = {PERCENT: xlwt.easyxf(num_format_str="0%"), (7, 5): xlwt.easyxf(num_format_str="YYYY-MM-DD"),
              **{at: green for at in GREEN}}
    merged = {(r, c): m for m in MERGES for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)}
    for r1, c1, r2, c2 in MERGES:
        ws.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, area.get((r1, c1), ""))
    for (r, c), v in area.items():
        if (r, c) not in merged:
            ws.write(r - 1, c - 1, v, styles.get((r, c), xlwt.Style.default_style))
    for at in GREEN:
        if at not in area:
            ws.write(at[0] - 1, at[1] - 1, None, green)
    ws.row(HIDDEN_ROW - 1).hidden = True
    lists = wb.add_sheet("Listor")
    lists.write(0, 0, "Pågår")
    lists.visibility = 1
    wb.save(str(path))
    return path


def _stored(db: Path) -> tuple[list, list, list]:
    return (rows(db, "SELECT prioritised_area, problem, cause, title, operational_goal, due, responsible, "
                     "is_line_work, status, source_sheet, source_row FROM measure ORDER BY source_row"),
            rows(db, "SELECT m.source_row, f.round, f.followup_date, f.text, f.status FROM measure_followup AS f "
                     "JOIN measure AS m USING (measure_id) ORDER BY ALL"),
            rows(db, "SELECT prioritised_area, problems, causes, measures FROM plan_analysis"))


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def test_an_old_xls_plan_loads_as_the_same_plan_saved_as_xlsx(empty_db, tmp_path):
    # Before: refused ("filen är en äldre Excel-fil (.xls). Öppna den i Excel och spara
    # som Excel-arbetsbok (.xlsx)"), though kommuner still fill in old .xls templates.
    [report] = ingest(empty_db, [_xls(tmp_path / "Åtgärdsplan 2025.xls")], options=OPTIONS)
    assert (report.status, report.source_format, report.rows_accepted) == ("ok", "atgardsplan-xls", 3), report.lines
    measures, followups, analysis = _stored(empty_db)
    assert measures == [
        (UNGA, "Tidig debut", "Svag skolanknytning", "Läxhjälp", "40 deltagare", "2025", "Fritidsgården", False,
         "påbörjad", "1. Unga i riskzon", 4),
        # Merged over two causes: one measure; its empty status cell is green, read by the legend.
        (UNGA, "Tidig debut", "Få vuxna ute\nDroghandel vid skolan", "Nattvandring", None, "i linjen", "Föreningar",
         True, "uppnådd", "1. Unga i riskzon", 5),
        # A date in När, and "50 %" (0.5 formatted as a percentage) in Status; the row is hidden.
        (UNGA, "Otrygg park", "Mörker", "Belysning", "Alla lampor", "2025-06-30", "Fastighet", False, "påbörjad",
         "1. Unga i riskzon", 7)]
    assert followups[0][:4] == (4, "T1", date(2025, 4, 15), "Start med 12 elever.")
    assert analysis == [(UNGA, 2, 4, 3)]
    assert "Arbetsboken är en äldre Excel-fil (.xls). Den lästes som en .xlsx (text, tal, datum, sammanfogade " \
           "celler, dolda rader, kolumner och blad, fyllnadsfärger och anteckningar), men villkorsstyrd formatering " \
           "(t.ex. ikoner som visar en status skriven som 1, 2, 3 i färg) kan inte läsas ur en .xls. Spara planen " \
           "som Excel-arbetsbok (.xlsx) nästa gång." in report.lines
    for line in ("Blad '1. Unga i riskzon': rad 7 är dold i Excel men lästes in som åtgärd. Ta bort raden om "
                 "åtgärden inte ska vara med i planen.",
                 "Blad '1. Unga i riskzon': statusen lästes från färgen i cell H5 (grön) enligt färgförklaringen.",
                 "Blad 'Listor' är dolt och har ingen rubrikrad (troligen listor till rullgardinsmenyer); det "
                 "lästes inte."):
        assert line in report.lines, report.lines
    # The same file again adds nothing.
    before = _stored(empty_db)
    [again] = ingest(empty_db, [tmp_path / "Åtgärdsplan 2025.xls"], options=OPTIONS)
    assert again.status == "duplicate" and _stored(empty_db) == before


def test_the_same_plan_as_xls_and_xlsx_stores_the_same_rows(empty_db, tmp_path):
    ingest(empty_db, [_xls(tmp_path / "plan.xls")], options=OPTIONS)
    from_xls = _stored(empty_db)
    ingest(empty_db, [_xlsx(tmp_path / "plan.xlsx")], options=OPTIONS)  # the same plan: replaces it
    assert _stored(empty_db) == from_xls
    assert rows(empty_db, "SELECT count(*) FROM plan") == [(1,)]


@pytest.mark.parametrize(("where", "place"), [
    ("cell", "blad '1. Unga i riskzon', cell G5"),
    ("number", "blad '1. Unga i riskzon', cell I4"),
    ("header", "arbetsboken utanför cellernas värden (t.ex. i ett sidhuvud eller en sidfot"),
])
def test_a_personnummer_anywhere_in_an_xls_refuses_it_and_leaves_the_database(empty_db, tmp_path, where, place):
    area = dict(AREA)
    header = None
    if where == "cell":
        area[(5, 7)] = "250905: Samtal med 19850101-0006 om pass."
    elif where == "number":
        area[(4, 9)] = 8501010006  # typed as a number
    else:
        header = "&LKontakt 850101-0006"  # Utskriftsformat > Sidhuvud: no cell shows it
    path = _xls(tmp_path / "plan.xls", area, header)
    before = _digest(empty_db)
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith(f"plan.xls: {place}"), message
    assert "personnummer" in message and "0006" not in message
    assert _digest(empty_db) == before


def test_an_xls_that_is_no_plan_is_refused_with_advice(empty_db, tmp_path):
    # A Brå table saved as .xls is read by the Brå reader (tests/test_reader_real25.py);
    # another old workbook is refused, saying what it lacks.
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Budget")
    for c, text in enumerate(["Konto", "Belopp 2023"]):
        ws.write(0, c, text)
    for c, value in enumerate(["Lokaler", 1200]):
        ws.write(1, c, value)
    path = tmp_path / "export.xls"
    wb.save(str(path))
    before = _digest(empty_db)
    assert refused(empty_db, path) == (
        "export.xls: filen är en äldre Excel-fil (.xls) utan rubrikerna för en åtgärdsplan (Problemområde, Orsak, "
        "Åtgärd) eller för en tabell från SCB, Brå eller Kolada. Kontrollera att rätt fil valdes.")
    assert _digest(empty_db) == before


def test_a_damaged_xls_says_so(empty_db, tmp_path):
    whole = _xls(tmp_path / "whole.xls").read_bytes()
    path = tmp_path / "plan.xls"
    path.write_bytes(whole[:len(whole) // 2])  # an interrupted download
    before = _digest(empty_db)
    assert refused(empty_db, path, options=OPTIONS).startswith(
        "plan.xls: filen är en äldre Excel-fil (.xls) som inte kunde läsas (den kan vara skadad, eller sparad i ett "
        "format äldre än Excel 97). Öppna den i Excel och spara som Excel-arbetsbok (.xlsx)")
    assert _digest(empty_db) == before
