"""Action-plan workbooks as municipalities fill them in: the fourth input hunt.

What real templates carry besides the table: a hidden sheet of drop-down lists, hidden
rows and columns, an Excel table ("Formatera som tabell") with a totals row, notes on
cells, and a workbook with one sheet per local police area (LPO). Each test loads such a
workbook into a fresh database and checks what the coordinator would see.
"""

from __future__ import annotations

import pytest
from helpers import refused, rows
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.worksheet.table import Table, TableStyleInfo

from pipelines.loading import ingest
from tests.test_atgardsplan import OPTIONS, OTRYGGA, UNGA
from tests.test_atgardsplan_hunt3 import _load, _measures, _new, _save, _sheet, _xlsxwriter_plan

ROWS = [
    ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", "VB: Åtgärden bedöms vara uppnådd."],
    [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", "250828: 12 pass."],
]
GREEN, YELLOW = PatternFill("solid", fgColor="00B050"), PatternFill("solid", fgColor="FFFF00")


def _lists_sheet(wb, title="Listor"):
    """The hidden sheet a template's drop-downs take their words from."""
    ws = wb.create_sheet(title)
    for c, words in enumerate([["Status", "Ej påbörjad", "Påbörjad", "Genomförd"],
                               ["Område", UNGA, OTRYGGA],
                               ["Ansvarig", "Socialtjänsten", "Polisen"]], start=1):
        for r, word in enumerate(words, start=1):
            ws.cell(r, c, word)
    # Templates often colour the status words of the list like the traffic light.
    ws["A3"].fill, ws["A4"].fill = YELLOW, GREEN
    ws.sheet_state = "hidden"
    return ws


def test_a_hidden_sheet_of_drop_down_lists_is_no_legend_and_no_area(empty_db, tmp_path):
    # Before: the list sheet's "Genomförd" on green was read as the workbook's colour
    # legend, so a green status cell got 'uppnådd' from a sheet the coordinator never
    # sees, and the report said the sheet "has no header row" as if something was lost.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [r[:6] + [None, None] for r in ROWS])
    ws.cell(3, 8, "Status")
    ws["H4"].fill = GREEN
    _lists_sheet(wb)
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [(m[0], m[2], m[3]) for m in _measures(empty_db)] == [
        (UNGA, "Läxhjälp", "ej bedömd"), (UNGA, "Nattvandring", "ej bedömd")]
    assert not any("Färgförklaringen" in line for line in report.lines), report.lines
    assert ("Blad 'Listor' är dolt och har ingen rubrikrad (troligen listor till rullgardinsmenyer); "
            "det lästes inte.") in report.lines
    assert rows(empty_db, "SELECT count(*) FROM plan") == [(1,)]


def test_a_visible_legend_sheet_is_still_read(empty_db, tmp_path):
    # The same cells on a visible sheet are a legend the coordinator sees: still read.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [r[:6] + [None, None] for r in ROWS])
    ws.cell(3, 8, "Status")
    ws["H4"].fill = GREEN
    _lists_sheet(wb, "Förklaring").sheet_state = "visible"
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "ej bedömd"]


def test_hidden_rows_and_columns_are_read_and_named(empty_db, tmp_path):
    # A hidden row is still in the plan: the analysis sheet's COUNTA counts it, and a
    # coordinator hiding a finished measure has not removed it. So it is read, and the
    # report names it (before: read without a word, so the dashboard showed a measure
    # the coordinator could not see in Excel).
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", ROWS + [[None, "Mörker", "Belysning: Lampor.", "Mål", 2025, "Chef", None]])
    ws.row_dimensions[5].hidden = True
    ws.column_dimensions["D"].hidden = True
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2] for m in _measures(empty_db)] == ["Läxhjälp", "Nattvandring", "Belysning"]
    assert ("Blad '1. Unga i riskzon': rad 5 är dold i Excel men lästes in som åtgärd. "
            "Ta bort raden om åtgärden inte ska vara med i planen.") in report.lines
    assert ("Blad '1. Unga i riskzon': kolumn D (Operativa mål) är dold i Excel men lästes in.") in report.lines


def test_an_excel_table_with_a_totals_row(empty_db, tmp_path):
    # "Formatera som tabell" with "Summarad": Excel writes "Summa" in the first column
    # and, unless a function is chosen, nothing else. Before: that row became a problem
    # 'Summa' continuing the cause above ("1 rader har en orsak men ingen åtgärd").
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", ROWS)
    ws["A6"] = "Summa"
    table = Table(displayName="Tabell1", ref="A3:G6", totalsRowCount=1)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.auto_filter.ref = None
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [(m[1], m[2]) for m in _measures(empty_db)] == [("Otrygghet", "Läxhjälp"), ("Otrygghet", "Nattvandring")]
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(1, 2, 2)]
    assert not any("orsak men ingen åtgärd" in line for line in report.lines), report.lines
    assert "Blad '1. Unga i riskzon': rad 6 är en summarad ('Summa') och lästes inte som åtgärd." in report.lines


def test_notes_on_cells_are_named_not_read(empty_db, tmp_path):
    # A note (Infoga anteckning) on a measure's cell is often a reviewer's question as
    # much as a follow-up, and who wrote it is not the plan's: it is not read as a
    # follow-up, but the report names the cells so that nothing written there is lost
    # silently (before: no word). The note's text is never repeated in the report.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", ROWS)
    ws["G5"].comment = Comment("251120: Åtgärden bedöms vara delvis uppnådd.", "Anna")
    ws["C4"].comment = Comment("Stämmer detta?", "Bo")
    ws["J1"].comment = Comment("Mallen uppdaterad 2025", "Bo")  # outside the table: not named
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "ej bedömd"]
    assert ("Blad '1. Unga i riskzon': cell C4 och G5 har en anteckning (kommentar); anteckningar läses inte "
            "som uppföljning. Skriv uppföljningen i cellen om den ska med.") in report.lines
    assert not any("delvis uppnådd" in line for line in report.lines)


def test_a_legend_with_more_text_in_its_cell(empty_db, tmp_path):
    # Already right before this hunt: the words after the status in brackets do not
    # stop the legend being read.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [r[:6] + [None, None] for r in ROWS])
    ws.cell(3, 8, "Status")
    ws["H4"].fill, ws["H5"].fill = GREEN, YELLOW
    ws["J1"] = "Grön = genomförd (se uppföljning)"
    ws["J2"] = "Gul = pågår (se uppföljning)"
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "påbörjad"]


def _lpo_workbook(tmp_path):
    wb = _new()
    _sheet(wb, "LPO Farsta", ROWS)
    _sheet(wb, "LPO Globen", [["Öppen droghandel", "Tillgång", "Kameror: Två nya.", "Mål", 2025, "Polis", None]],
           first=OTRYGGA)
    return _save(wb, tmp_path / "plan.xlsx")


def test_a_sheet_per_lpo_names_the_lpos_and_says_so(empty_db, tmp_path):
    # Before: read as one plan with no LPO and no word that the sheets were LPOs. Now
    # the plan gets the LPOs the sheets name (when no --lpo is given) and the report
    # says which sheet is which LPO's; each measure keeps its sheet (source_sheet), which
    # ties it to its LPO without a new column.
    options = {k: v for k, v in OPTIONS.items() if k != "lpo"}
    [report] = ingest(empty_db, [_lpo_workbook(tmp_path)], options=options)
    assert report.status == "ok", report.lines
    assert rows(empty_db, "SELECT lpo_codes FROM plan") == [(["LPO-FARSTA", "LPO-GLOBEN"],)]
    assert rows(empty_db, "SELECT source_sheet, title FROM measure ORDER BY source_sheet, source_row") == [
        ("LPO Farsta", "Läxhjälp"), ("LPO Farsta", "Nattvandring"), ("LPO Globen", "Kameror")]
    assert ("Arbetsboken har ett blad per lokalpolisområde: blad 'LPO Farsta' (LPO-FARSTA), "
            "blad 'LPO Globen' (LPO-GLOBEN). Åtgärderna sparades i en plan; bladet (source_sheet) visar "
            "vilket lokalpolisområde varje åtgärd hör till.") in report.lines
    assert any("LPO – bladens namn" in line for line in report.lines), report.lines


def test_a_sheet_per_lpo_with_lpo_given_keeps_the_option(empty_db, tmp_path):
    # The user's --lpo stands; a sheet for an LPO outside it is read and named.
    report = _load(empty_db, _lpo_workbook(tmp_path))  # OPTIONS say --lpo Farsta
    assert rows(empty_db, "SELECT lpo_codes FROM plan") == [(["LPO-FARSTA"],)]
    assert len(_measures(empty_db)) == 3
    assert ("Blad 'LPO Globen' gäller lokalpolisområden som inte är planens (kommandoradens flaggor: "
            "LPO-FARSTA); åtgärderna lästes in ändå. Rätta --lpo eller sidofilen om planen gäller dem "
            "också.") in report.lines


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_a_personnummer_in_a_note_refuses_the_file(empty_db, tmp_path, writer):
    # Before: a note saved by openpyxl (its part is comments/comment1.xml, not Excel's
    # comments1.xml) was never read, so a personnummer in it let the file load.
    path = tmp_path / "plan.xlsx"
    if writer == "openpyxl":
        wb = _new()
        ws = _sheet(wb, "1. Unga i riskzon", ROWS)
        ws["G4"].comment = Comment("Kontakt: 811218-9876", "Anna")
        _save(wb, path)
    else:
        _xlsxwriter_plan(path, lambda ws: ws.write_comment("G4", "Kontakt: 811218-9876"))
    message = refused(empty_db, path, options=OPTIONS)
    assert "blad '1. Unga i riskzon'" in message and "G4" in message
    assert "9876" not in message


def test_goteborgs_sheets_per_lpo_with_the_areas_as_sub_headings(empty_db, tmp_path):
    # Göteborg's LPOs are 'Göteborg Centrum', 'Göteborg Hisingen' in the reference data;
    # the sheets say "LPO Centrum", "LPO Hisingen 2025".
    wb = _new()
    for lpo in ("LPO Centrum", "LPO Hisingen 2025"):
        _sheet(wb, lpo, [
            [UNGA, None, None, None, None, None, None],
            ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", None],
            [OTRYGGA, None, None, None, None, None, None],
            ["Mörker", "Lampor", "Belysning: Nya.", "Mål", 2025, "Chef", None],
        ], first=f"Åtgärdsplan {lpo}")
    [report] = ingest(empty_db, [_save(wb, tmp_path / "plan.xlsx")], options={"kommun": "1480", "year": 2025})
    assert report.status == "ok", report.lines
    assert rows(empty_db, "SELECT lpo_codes FROM plan") == [(["LPO-GOTEBORG-CENTRUM", "LPO-GOTEBORG-HISINGEN"],)]
    assert rows(empty_db, "SELECT source_sheet, prioritised_area, title FROM measure "
                          "ORDER BY source_sheet, source_row") == [
        ("LPO Centrum", UNGA, "Läxhjälp"), ("LPO Centrum", OTRYGGA, "Belysning"),
        ("LPO Hisingen 2025", UNGA, "Läxhjälp"), ("LPO Hisingen 2025", OTRYGGA, "Belysning")]
    assert rows(empty_db, "SELECT prioritised_area, measures FROM plan_analysis ORDER BY 1") == [
        (OTRYGGA, 2), (UNGA, 2)]


def test_lpo_option_as_people_in_the_kommun_write_it(empty_db, tmp_path):
    # '--lpo Centrum --kommun 1480': Göteborg's coordinator writes the LPO as the sheets do;
    # before, the option was looked up without the kommun and 'Centrum' was not recognised.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", ROWS)
    [report] = ingest(empty_db, [_save(wb, tmp_path / "plan.xlsx")],
                      options={"kommun": "1480", "year": 2025, "lpo": "Centrum"})
    assert report.status == "ok", report.lines
    assert rows(empty_db, "SELECT lpo_codes FROM plan") == [(["LPO-GOTEBORG-CENTRUM"],)]
    assert not any("känns inte igen" in line for line in report.lines), report.lines


def test_a_filtered_table_hides_many_rows_and_all_are_read(empty_db, tmp_path):
    # A table saved with a filter on ('Pågår' only) hides every other measure's row: all
    # are still the plan's, and the report names the first ten of them and counts the rest.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [[f"Otrygghet {i}", "Få vuxna", f"Insats nr {i}: Text.", "Mål", 2025, "Chef", None]
                                          for i in range(16)])
    ws.auto_filter.ref = "A3:G19"
    for r in range(4, 20):
        ws.row_dimensions[r].hidden = r != 9
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert len(_measures(empty_db)) == 16
    assert ("Blad '1. Unga i riskzon': rad 4, 5, 6, 7, 8, 10, 11, 12, 13, 14 och 5 rader till är dolda i Excel "
            "(av ett filter eller för hand) men lästes in som åtgärder. Ta bort raderna om åtgärderna inte "
            "ska vara med i planen.") in report.lines


def test_a_legend_written_as_sentences_in_one_cell(empty_db, tmp_path):
    # Before: "Grön = genomförd enligt plan. Gul = pågår. Röd = ej påbörjad." gave no
    # legend (the full stops did not end an item), so the colours were not read.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [r[:6] + [None, None] for r in ROWS]
                + [[None, "Mörker", "Belysning: Lampor.", "Mål", 2025, "Chef", None, None]])
    ws.cell(3, 8, "Status")
    ws["H4"].fill, ws["H5"].fill = GREEN, YELLOW
    ws["H6"].fill = PatternFill("solid", fgColor="FF0000")
    ws["J1"] = "Statusfärger: Grön = genomförd enligt plan. Gul = pågår. Röd = ej påbörjad."
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "påbörjad", "ej uppnådd"]
    assert any(line.startswith("Färgförklaringen i arbetsboken: grön = uppnådd (blad '1. Unga i riskzon', cell J1)")
               for line in report.lines), report.lines
