"""Action-plan workbooks as kommuner write them by hand: the 19th input hunt.

Each test builds in code what a safety coordinator does in Excel that the reader did not
yet read (a quarter or a school term opening a follow-up, …), loads it into a fresh
database and checks what the coordinator would check: the database, the load report and
the Åtgärder page's rounds.
"""

from __future__ import annotations

import pytest
from helpers import rows

from tests.test_atgardsplan import HEADER, INSTRUCTION
from tests.test_atgardsplan_hunt3 import _load, _new, _save, _sheet


def _plan(tmp_path, notes: list[str], name: str = "plan.xlsx"):
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Tidig debut" if i == 0 else None, f"Orsak {i}", f"Åtgärd {i}: text", "Mål",
                                      "2025", "Fältgruppen", note] for i, note in enumerate(notes)])
    return _save(wb, tmp_path / name)


@pytest.mark.parametrize(("note", "expected"), [
    # A quarter within one tertial: its round.
    ("Q1: Start med 10 deltagare.", ("T1", "Start med 10 deltagare.", "ej bedömd")),
    ("Q3 2025: Pågår enligt plan.", ("T2", "Pågår enligt plan.", "påbörjad")),
    ("Kv 4: Avslutad.", ("T3", "Avslutad.", "uppnådd")),
    ("Kvartal 3: 41 deltagare.", ("T2", "41 deltagare.", "ej bedömd")),
    # A quarter or a school term over two tertials: the round it ends in, when its
    # follow-up is written.
    ("Q2-25: Halvvägs.", ("T2", "Halvvägs.", "ej bedömd")),
    ("VT 2025: Planering klar.", ("T2", "Planering klar.", "ej bedömd")),
    ("HT 2025: Åtgärden bedöms vara påbörjad.", ("T3", "Åtgärden bedöms vara påbörjad.", "påbörjad")),
    ("Hösttermin: 12 träffar.", ("T3", "12 träffar.", "ej bedömd")),
    # "Uppföljning" before a day and month, as before a month's name.
    ("Uppföljning 31/8: Halvvägs.", ("T2", "Halvvägs.", "ej bedömd")),
])
def test_a_quarter_or_a_school_term_opening_a_follow_up_is_its_round_not_the_year_end(empty_db, tmp_path, note,
                                                                                       expected):
    # Before: the cell had no marker the reader knew, so it was the year-end summary (VB),
    # undated, with the opening kept in its text: a VB round on the Uppföljningar tab,
    # and an assessment in it outweighing every later tertial's.
    _load(empty_db, _plan(tmp_path, [note, "T3: Åtgärden bedöms vara uppnådd."]))
    assert rows(empty_db, "SELECT f.round, f.text, f.status FROM measure_followup AS f JOIN measure AS m "
                          "USING (measure_id) WHERE m.source_row = 4") == [expected]
    assert rows(empty_db, "SELECT DISTINCT round FROM mart_measure_round ORDER BY 1") == sorted(
        {(expected[0],), ("T3",)})


def test_a_quarter_inside_a_sentence_stays_text(empty_db, tmp_path):
    _load(empty_db, _plan(tmp_path, ["Vi ses igen Q3: då mäter vi."]))
    assert rows(empty_db, "SELECT round, text FROM measure_followup") == [("VB", "Vi ses igen Q3: då mäter vi.")]


# --- the table pasted twice ------------------------------------------------------------------

LAXHJALP = ["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "Mål", "2025", "Fältgruppen", "250415: Start."]
NATTVANDRING = [None, "Få vuxna ute", "Nattvandring: fredagar", "Mål", "2025", "Föreningar", "Pågår"]


@pytest.mark.parametrize("between", [
    [],  # the rows pasted again right under
    [[None], HEADER, INSTRUCTION],  # the block pasted with its header and instruction row
])
def test_a_table_pasted_twice_in_one_sheet_counts_each_measure_once(empty_db, tmp_path, between):
    # Before: four measures and four causes, two of each 'ej bedömd' or 'påbörjad' twice,
    # and nothing in the report (a repeated header was named, its rows were not).
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [LAXHJALP, NATTVANDRING, *between, LAXHJALP, NATTVANDRING])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT title, status, source_row FROM measure ORDER BY source_row") == [
        ("Läxhjälp", "ej bedömd", 4), ("Nattvandring", "påbörjad", 5)]
    assert rows(empty_db, "SELECT count(*) FROM measure_followup") == [(2,)]
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(1, 2, 2)]
    copy = 6 + len(between)
    assert (f"Blad '1. Unga i riskzon': åtgärderna på rad {copy} och {copy + 1} är desamma som på rad 4 och 5 i varje "
            "kolumn (problem, orsak, åtgärd, mål, tid, ansvarig och uppföljning); tabellen har troligen klistrats in "
            "två gånger, och varje åtgärd lästes en gång. Ta bort kopian.") in report.lines


def test_a_measure_repeated_with_another_follow_up_or_cause_is_two_measures(empty_db, tmp_path):
    # The same title under another cause, or with its own follow-up: no copy.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [LAXHJALP, [None, "Annan orsak", *LAXHJALP[2:]],
                                     [*LAXHJALP[:-1], "250415: Start i en annan skola."]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT count(*) FROM measure") == [(3,)]
    assert not [line for line in report.lines if "klistrats in två gånger" in line]


# --- the plan copied to another sheet ----------------------------------------------------------

@pytest.mark.parametrize("copy", ["Kopia av 1. Unga i riskzon", "1. Unga i riskzon_2", "1. Unga i riskzon - kopia"])
def test_a_sheet_copied_by_libreoffice_or_google_sheets_is_read_once(empty_db, tmp_path, copy):
    # Excel names a copied sheet "… (2)", which was read once already; LibreOffice names it
    # "…_2" and Google Sheets "Kopia av …": before, each measure was read twice.
    wb = _new()
    for title in ("1. Unga i riskzon", copy):
        _sheet(wb, title, [LAXHJALP, NATTVANDRING])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT title, source_sheet FROM measure ORDER BY source_row") == [
        ("Läxhjälp", copy), ("Nattvandring", copy)]
    assert (f"Blad '1. Unga i riskzon' har samma åtgärder som blad '{copy}' och lästes inte (bara det sista, "
            f"'{copy}', lästes). Ta bort kopian, eller läs in den som en egen arbetsbok om den är en annan "
            "uppföljning.") in report.lines


def test_two_sheets_with_the_same_measures_named_otherwise_are_read_and_named(empty_db, tmp_path):
    # Which one is the copy? Read as before, but the report now says each measure counts twice.
    wb = _new()
    for title in ("Åtgärdsplan", "Plan reviderad"):
        _sheet(wb, title, [LAXHJALP, NATTVANDRING])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT count(*) FROM measure") == [(4,)]
    assert ("Blad 'Åtgärdsplan' och 'Plan reviderad' har samma åtgärder (samma problem och titlar); båda lästes, så "
            "varje åtgärd räknas två gånger. Är det ena en kopia, ta bort det; är det en uppföljning, ge det "
            "uppföljningens namn (\"Uppföljning T2\").") in report.lines
