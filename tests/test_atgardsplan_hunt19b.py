"""Action-plan workbooks as kommuner write them by hand: leftovers of the 19th input hunt.

Each test builds in code what a safety coordinator does in Excel that the reader did not
yet read (an Åtgärd cell merged across the goal column, a check mark alone as the status,
an analysis sheet whose counts are formulas Excel never saved), loads it into a fresh
database and checks what the coordinator would check: the database and the load report.
"""

from __future__ import annotations

import pytest
from helpers import rows

from tests.test_atgardsplan import UNGA
from tests.test_atgardsplan_hunt3 import _load, _measures, _new, _save, _sheet
from tests.test_atgardsplan_hunt5 import _status_sheet
from tests.test_atgardsplan_hunt7 import _banner

# --- a cell merged across columns by hand -------------------------------------------------


def test_a_measure_merged_across_the_goal_column_has_no_goal(empty_db, tmp_path):
    # Before: the goal of each measure was its own text again ('Läxhjälp: två kvällar i
    # veckan' as Operativa mål), because the merged cell's value was read in every column.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        ["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar i veckan", None, "2025", "Fritid",
         "250905: Pågår"],
        [None, "Få vuxna ute", "Nattvandring: fredagar", None, "i linjen", "Fält", "250905: Pågår"],
        [None, "Droghandel vid skolan", None, None, None, None, None],
        ["Otrygg park", "Mörker", "Belysning: byt armaturer", "Alla lampor bytta", "T2", "Fastighet",
         "250905: Klart. Åtgärden bedöms vara uppnådd."],
    ])
    ws.merge_cells("C4:D4")  # across the goal column
    ws.merge_cells("C5:D6")  # across the goal column and down over its two causes
    _banner(ws, 8, "* Linjearbete = åtgärden ingår i ordinarie verksamhet och följs upp i linjen.")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT title, coalesce(operational_goal, ''), cause, due, responsible, source_row "
                          "FROM measure ORDER BY source_row") == [
        ("Läxhjälp", "", "Svag skolanknytning", "2025", "Fritid", 4),
        ("Nattvandring", "", "Få vuxna ute\nDroghandel vid skolan", "i linjen", "Fält", 5),
        ("Belysning", "Alla lampor bytta", "Mörker", "T2", "Fastighet", 7)]
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(2, 4, 3)]
    # The footnote merged across the whole table is still no measure.
    assert ("Blad '1. Unga i riskzon': rad 8 har en text sammanfogad över tabellens kolumner (t.ex. en fotnot) "
            "och lästes inte som åtgärd.") in report.lines


def test_a_sub_heading_merged_across_the_table_still_names_the_area(empty_db, tmp_path):
    wb = _new()
    ws = _sheet(wb, "Blad1", [
        [None],
        ["Otrygghet kvällstid", "Få vuxna ute", "Nattvandring: fredagar", "Varje fredag", "2025", "Fält",
         "250905: Pågår"],
        [None],
        ["Hög frånvaro", "Svag skolanknytning", "Närvaroteam: uppsökande", "Närvaro 90 %", "2025", "Skola",
         "250905: Åtgärden bedöms vara uppnådd."],
    ], first="Åtgärdsplan 2025")
    _banner(ws, 4, "Prioriterat område 1: Trygghet i centrum")
    _banner(ws, 6, "Prioriterat område 2: Skola och utbildning")
    ws.merge_cells("C7:D7")  # the second measure's Åtgärd cell across the goal column
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT prioritised_area, title, coalesce(operational_goal, ''), status FROM measure "
                          "ORDER BY source_row") == [
        ("Trygghet i centrum", "Nattvandring", "Varje fredag", "påbörjad"),
        ("Skola och utbildning", "Närvaroteam", "", "uppnådd")]
    assert ("Blad 'Blad1': områdena togs från mellanrubrikerna rad 4 (Trygghet i centrum), rad 6 (Skola och "
            "utbildning).") in report.lines


# --- a check mark alone as the status -------------------------------------------------------

@pytest.mark.parametrize("mark", ["✅", "✔", "✔️", "☑", "✓"])
def test_a_check_mark_alone_in_the_status_column_is_done(empty_db, tmp_path, mark):
    # Before: "statusen '✅' känns inte igen; statusen togs från uppföljningen", and the
    # measure was 'ej bedömd' though "Klar ✓" in the same column is 'uppnådd'.
    wb = _new()
    _status_sheet(wb, [mark, "Klar ✓", "Pågår"])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [(UNGA, "Otrygghet", "Läxhjälp", "uppnådd"),
                                   (UNGA, "Otrygghet", "Nattvandring", "uppnådd"),
                                   (UNGA, "Otrygghet", "Belysning", "påbörjad")]
    assert not [line for line in report.lines if "känns inte igen" in line]


# --- an analysis sheet of formulas without saved values ---------------------------------------

def _with_analysis(tmp_path, counts: list):
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "Mål", "2025", "Fritid", "250905: Pågår"],
        [None, "Få vuxna ute", "Nattvandring: fredagar", "Mål", "2025", "Fält", "250905: Pågår"],
    ])
    an = wb.create_sheet("Analys")
    an.append(["Prioriterat område", "Antal problem", "Antal orsaker", "Antal åtgärder"])
    an.append([UNGA, *counts])
    return _save(wb, tmp_path / "plan.xlsx")


CAUSES = "=COUNTA('1. Unga i riskzon'!B4:B5)"
MEASURES = "=COUNTA('1. Unga i riskzon'!C4:C5)"


def test_an_analysis_sheet_with_some_counts_unsaved_says_how_many_were_checked(empty_db, tmp_path):
    # Before: "Antalen stämmer med analysbladet." though two of its three counts were
    # formulas openpyxl wrote without a value and nothing had been checked against them.
    report = _load(empty_db, _with_analysis(tmp_path, [1, CAUSES, MEASURES]))
    assert "Antalen stämmer med analysbladet." not in report.lines
    assert ("1 av 3 antal på analysbladet 'Analys' kunde stämmas av och stämmer; de övriga 2 är formler utan sparade "
            "värden. Öppna och spara arbetsboken i Excel så att alla antal kan stämmas av.") in report.lines
    assert rows(empty_db, "SELECT problems, causes, measures, sheet_problems, sheet_causes, sheet_measures "
                          "FROM plan_analysis") == [(1, 2, 2, 1, None, None)]


def test_a_difference_beside_unsaved_counts_is_reported_with_them(empty_db, tmp_path):
    report = _load(empty_db, _with_analysis(tmp_path, [2, CAUSES, MEASURES]))
    assert f"Analysbladet anger 2 problem för {UNGA}, inläsningen fann 1." in report.lines
    assert ("1 av 3 antal på analysbladet 'Analys' kunde stämmas av; de övriga 2 är formler utan sparade värden. "
            "Öppna och spara arbetsboken i Excel så att alla antal kan stämmas av.") in report.lines


def test_an_analysis_sheet_with_no_saved_count_claims_no_agreement(empty_db, tmp_path):
    # Before: the note that nothing could be checked, and "Antalen stämmer" beside it.
    report = _load(empty_db, _with_analysis(tmp_path, ["=COUNTA('1. Unga i riskzon'!A4:A5)", CAUSES, MEASURES]))
    assert not [line for line in report.lines if "stämmer" in line]
    assert ("Analysbladet 'Analys' har formler utan sparade värden; öppna och spara arbetsboken i Excel så att "
            "antalen kan stämmas av.") in report.lines


def test_an_analysis_sheet_with_every_count_saved_still_agrees_in_one_line(empty_db, tmp_path):
    report = _load(empty_db, _with_analysis(tmp_path, [1, 2, 2]))
    assert "Antalen stämmer med analysbladet." in report.lines


def test_an_analysis_sheet_left_empty_claims_no_agreement(empty_db, tmp_path):
    # The template's analysis sheet with its count cells never filled in: nothing was
    # checked, so the report must not say the counts agree.
    report = _load(empty_db, _with_analysis(tmp_path, [None, None, None]))
    assert "Antalen stämmer med analysbladet." not in report.lines
    assert ("Analysbladet 'Analys' har inga ifyllda antal; antalen problem, orsaker och åtgärder kunde inte "
            "stämmas av.") in report.lines
