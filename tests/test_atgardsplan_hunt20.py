"""Action-plan workbooks as kommuner write them by hand: the 20th input hunt.

Each test builds in code what a safety coordinator does in Excel that the reader did not
yet read well, loads it into a fresh database and checks what the coordinator would
check: the measures and statuses stored and the load report.
"""

from __future__ import annotations

import pytest
from helpers import rows

from tests.test_atgardsplan import UNGA
from tests.test_atgardsplan_hunt3 import _load, _measures, _new, _save, _sheet
from tests.test_atgardsplan_hunt5 import _status_sheet

# --- a cross or a box in the Status column ----------------------------------------------------


def _statuses(db, tmp_path, first: str):
    wb = _new()
    _status_sheet(wb, [first, "Klar ✓", "Pågår"])
    report = _load(db, _save(wb, tmp_path / "plan.xlsx"))
    return [status for *_, status in _measures(db)], report


@pytest.mark.parametrize("sign", ["☒", "✗", "✘", "❌", "✖", "✖️", "☓"])
def test_a_cross_alone_in_the_status_column_is_named_not_guessed(empty_db, tmp_path, sign):
    # A ticked box (☒ in Word's forms) or a cross ("kryss" marks a choice on a Swedish
    # form) may mean done; a cross may as well mean not done. Before, the report said only
    # "känns inte igen", as for a word it did not know.
    statuses, report = _statuses(empty_db, tmp_path, sign)
    assert statuses == ["ej bedömd", "uppnådd", "påbörjad"]  # the follow-up "40 deltagare." assesses nothing
    assert (f"Blad '1. Unga i riskzon', cell H4: statusen '{sign}' kan inte läsas: "
            f"tecknet '{sign[0]}' kan betyda både ikryssad (klar) och nej (ej klar). Den lästes inte; statusen togs "
            "från uppföljningen. Skriv statusen med ord (t.ex. Genomförd, Pågår, Ej påbörjad).") in report.lines


def test_an_empty_box_in_the_status_column_is_named_not_read_as_not_started(empty_db, tmp_path):
    statuses, report = _statuses(empty_db, tmp_path, "☐")
    assert statuses == ["ej bedömd", "uppnådd", "påbörjad"]
    assert ("Blad '1. Unga i riskzon', cell H4: statusen '☐' kan inte läsas: en tom kryssruta säger inte om "
            "åtgärden är ej påbörjad eller bara inte följd upp ännu. Den lästes inte; statusen togs från "
            "uppföljningen. Skriv statusen med ord (t.ex. Genomförd, Pågår, Ej påbörjad).") in report.lines


@pytest.mark.parametrize(("cell", "expected"), [
    # A cross beside a word that is done or under way: "not done"? Not read (before: 'uppnådd').
    ("Klar ❌", "ej bedömd"),
    ("✗ Genomförd", "ej bedömd"),
    ("☐ Klar", "ej bedömd"),
    # A cross beside "ej …" says the same as the word; a ticked box ticks the word.
    ("❌ Ej påbörjad", "ej uppnådd"),
    ("☒ Klar", "uppnådd"),
    # A Word form's checkbox list pasted into the cell: the ticked option.
    ("☐ Ej påbörjad ☒ Pågår ☐ Klar", "påbörjad"),
    ("☐ Ej påbörjad ☐ Pågår ☒ Klar", "uppnådd"),
    ("☒ Ej påbörjad ☐ Pågår ☒ Klar", "ej bedömd"),  # two ticked: which?
])
def test_a_cross_or_a_box_beside_a_word(empty_db, tmp_path, cell, expected):
    statuses, report = _statuses(empty_db, tmp_path, cell)
    assert statuses == [expected, "uppnådd", "påbörjad"]
    named = [line for line in report.lines if "cell H4" in line]
    if expected == "ej bedömd":
        assert len(named) == 1 and "lästes inte; statusen togs från uppföljningen" in named[0], report.lines
        assert "kryssrutor där inte exakt ett" in named[0] if cell.count("☒") == 2 else "kan inte läsas" in named[0]
    else:
        assert named == []


def test_a_cross_in_the_status_column_leaves_a_written_assessment_to_decide(empty_db, tmp_path):
    wb = _new()
    ws = _status_sheet(wb, ["❌", "Klar ✓", "Pågår"])
    ws["G4"] = "250828: Åtgärden bedöms vara uppnådd."
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db)[0] == (UNGA, "Otrygghet", "Läxhjälp", "uppnådd")


# --- a problem cell merged across the Orsak column --------------------------------------------

@pytest.mark.parametrize("merge", ["A4:B5", "A4:B4"])
def test_a_problem_merged_across_the_cause_column_is_stored_without_a_cause_and_said(empty_db, tmp_path, merge):
    # The author wrote problem and cause as one text, merged over both columns: no cause is
    # given apart from the problem. Before, the measures were stored with an empty cause
    # and the report said nothing. The cause is not invented from the problem's text (as a
    # measure merged across the goal column has no goal), and the report names the cells.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        ["Tidig debut i kriminalitet", None, "Läxhjälp: två kvällar i veckan", "Mål", "2025", "Fritid",
         "250905: Pågår"],
        [None, None if merge == "A4:B5" else "Svag skolanknytning", "Nattvandring: fredagar", "Mål", "i linjen",
         "Fält", "250905: Pågår"],
        ["Otrygg park", "Mörker", "Belysning: byt armaturer", "Alla lampor bytta", "T2", "Fastighet",
         "250905: Klart."],
    ])
    ws.merge_cells(merge)
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    second = None if merge == "A4:B5" else "Svag skolanknytning"
    assert rows(empty_db, "SELECT problem, cause, title FROM measure ORDER BY source_row") == [
        ("Tidig debut i kriminalitet", None, "Läxhjälp"),
        ("Tidig debut i kriminalitet", second, "Nattvandring"),
        ("Otrygg park", "Mörker", "Belysning")]
    which = "åtgärderna på rad 4 och 5" if merge == "A4:B5" else "åtgärden på rad 4"
    assert (f"Blad '1. Unga i riskzon': problemcellen A4 är sammanfogad över kolumn B (Orsak) ({merge}), så ingen "
            f"orsak anges för sig; {which} sparades utan orsak ('Tidig debut i kriminalitet' är problemet). Dela "
            "upp cellen och skriv orsaken i kolumnen Orsak om det finns en.") in report.lines


def test_a_problem_cell_of_its_own_column_says_nothing_of_causes(empty_db, tmp_path):
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        ["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "Mål", "2025", "Fritid", "250905: Pågår"],
        [None, "Få vuxna ute", "Nattvandring: fredagar", "Mål", "i linjen", "Fält", "250905: Pågår"],
    ])
    ws.merge_cells("A4:A5")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT cause FROM measure ORDER BY source_row") == [("Svag skolanknytning",),
                                                                               ("Få vuxna ute",)]
    assert not [line for line in report.lines if "problemcellen" in line]


# --- a cross or a box in a column per status ------------------------------------------------

@pytest.mark.parametrize(("cells", "expected"), [
    # The column says what is marked: a cross typed as a symbol is an X, a ticked box a mark.
    ([None, None, "✗"], "uppnådd"),  # before: 'ej bedömd', and "kolumn J ('Genomförd') har text men lästes inte"
    ([None, "✘", None], "påbörjad"),
    (["☐", "☐", "☒"], "uppnådd"),  # before: also "kolumn I ('Pågår') har text men lästes inte"
    # A cross emoji beside a mark says "not this"; alone it may say either, and is named.
    (["❌", "❌", "X"], "uppnådd"),
    (["❌", None, None], "ej bedömd"),
])
def test_a_cross_or_a_box_in_a_column_per_status(empty_db, tmp_path, cells, expected):
    from tests.test_atgardsplan_hunt6 import BASE, MEASURE, _round_plan

    wb = _round_plan(BASE + ["Uppföljning", "Ej påbörjad", "Pågår", "Genomförd"],
                     [MEASURE + ["VB: Möten hölls."] + cells])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == [expected]
    named = [line for line in report.lines if "lästes inte" in line or "statusen togs" in line]
    if cells == ["❌", None, None]:
        assert named == ["Blad '1. Unga i riskzon', cell H4: krysset '❌' i statuskolumnerna kan betyda både "
                         "ikryssad och nej, och ingen annan kolumn är markerad; statusen togs från uppföljningen. "
                         "Markera statusen med X."]
    else:
        assert named == [], report.lines
