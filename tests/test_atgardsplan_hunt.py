"""Action-plan workbooks laid out as real kommuner lay them out, beyond the template.

Found by the input hunt: each test builds a variation a municipal safety coordinator
makes in Excel (a follow-up column per round, an added status column, other header
words), loads it into a fresh database and checks what the coordinator would check.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from pipelines import warehouse
from pipelines.loading import ingest
from pipelines.readers import atgardsplan, followup
from tests.test_atgardsplan import HEADER, OPTIONS, UNGA, _instructions


def _workbook(path: Path, header: list[str], rows: list[list]) -> Path:
    """An instructions sheet and one area sheet with ``header`` on row 3 and ``rows`` under it."""
    wb = openpyxl.Workbook()
    _instructions(wb)
    ws = wb.create_sheet("1. Unga i riskzon")
    ws["A1"] = UNGA
    for c, text in enumerate(header, start=1):
        ws.cell(3, c, text)
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    wb.save(path)
    return path


def _load(db: Path, path: Path):
    [report] = ingest(db, [path], options=OPTIONS)
    assert report.status == "ok", report.lines
    con = warehouse.open_read_only(db)
    try:
        measures = con.execute("SELECT title, operational_goal, due, responsible, status FROM measure "
                               "ORDER BY source_row").fetchall()
        followups = con.execute("SELECT m.title, f.followup_date, f.round, f.text, f.status FROM measure_followup f "
                                "JOIN measure m USING (measure_id) ORDER BY m.source_row, f.round").fetchall()
    finally:
        con.close()
    return measures, followups, report


def test_a_follow_up_column_per_round_is_read_with_its_round(empty_db, tmp_path):
    # Before: only the first 'Uppföljning' column was read; T2 and T3/VB were dropped.
    header = HEADER[:6] + ["Uppföljning T1", "Uppföljning T2", "Uppföljning T3 / VB"]
    path = _workbook(tmp_path / "plan.xlsx", header, [
        ["Problem", "Orsak", "Läxhjälp: Två kvällar i veckan.", "60 deltagare", 2025, "Enhetschef",
         "Start i mars, 22 deltagare.", "250828: 41 deltagare.", "VB: Åtgärden bedöms vara uppnådd."],
        ["Problem", "Orsak 2", "Nattvandring: Fredagar.", "Varje fredag", 2025, "Fältassistenter",
         None, "Åtgärden bedöms vara påbörjad.", None],
    ])
    measures, followups, _ = _load(empty_db, path)
    assert [(m[0], m[4]) for m in measures] == [("Läxhjälp", "uppnådd"), ("Nattvandring", "påbörjad")]
    assert [(f[0], f[2], f[3]) for f in followups] == [
        ("Läxhjälp", "T1", "Start i mars, 22 deltagare."),
        ("Läxhjälp", "T2", "41 deltagare."),
        ("Läxhjälp", "VB", "Åtgärden bedöms vara uppnådd."),
        ("Nattvandring", "T2", "Åtgärden bedöms vara påbörjad."),
    ]
    assert str(followups[1][1]) == "2025-08-28"


def test_round_only_headers_are_follow_up_columns_and_one_column_for_all_rounds_stays_one():
    assert atgardsplan._header_round("Uppföljning T1") == "T1"
    assert atgardsplan._header_round("Tertial 2") == "T2"
    assert atgardsplan._header_round("Uppföljning april") == "T1"
    assert atgardsplan._header_round("VB") == "VB"
    assert atgardsplan._header_round("Uppföljning T1–T3 och VB") is None
    assert atgardsplan._header_round("Uppföljning") is None


def test_a_status_column_gives_the_status_as_people_write_it(empty_db, tmp_path):
    # Before: an added 'Status' column was not read; every such measure was 'ej bedömd'.
    path = _workbook(tmp_path / "plan.xlsx", HEADER + ["Status"], [
        ["Problem", "Orsak 1", "Fritid: Öppet hus.", "Mål", 2025, "Chef", "250828: Start.", "Pågår "],
        ["Problem", "Orsak 2", "Simskola: Kurser.", "Mål", 2025, "Chef", "250828: Kört.", "GENOMFÖRD."],
        ["Problem", "Orsak 3", "Läger: En vecka.", "Mål", 2025, "Chef", None, "Delvis uppnådd"],
        ["Problem", "Orsak 4", "Kampanj: Affischer.", "Mål", 2025, "Chef", None, "Ej startad"],
        ["Problem", "Orsak 5", "Möte: Med skolan.", "Mål", 2025, "Chef",
         "VB: Åtgärden bedöms vara uppnådd.", "Ja"],
        # A drop-down's default filled down the empty template rows is no row.
        [None, None, None, None, None, None, None, "Ej påbörjad"],
    ])
    measures, followups, report = _load(empty_db, path)
    assert [(m[0], m[4]) for m in measures] == [
        ("Fritid", "påbörjad"), ("Simskola", "uppnådd"), ("Läger", "delvis uppnådd"),
        ("Kampanj", "ej uppnådd"), ("Möte", "uppnådd"),
    ]
    # The follow-up entries keep what their own text says.
    assert [(f[0], f[4]) for f in followups] == [
        ("Fritid", "ej bedömd"), ("Simskola", "ej bedömd"), ("Möte", "uppnådd")]
    assert "Blad '1. Unga i riskzon', cell H8: statusen 'Ja' känns inte igen; statusen togs från uppföljningen." \
        in report.lines
    con = warehouse.open_read_only(empty_db)
    try:
        assert con.execute("SELECT count(*) FROM rejected_row").fetchone() == (0,)
    finally:
        con.close()


def test_other_header_words_for_time_responsible_and_area(empty_db, tmp_path):
    # Before: 'Tidplan' and 'Ansvar' left När and Vem empty; 'Prio-område' refused the file.
    path = _workbook(tmp_path / "plan.xlsx",
                     ["Prio-område", "Orsak", "Åtgärd/aktivitet", "Mål", "Tidplan", "Ansvar", "Uppföljning"],
                     [["Problem", "Orsak", "Fritid: Öppet hus.", "Mål", "T2", "Enhetschef", "250828: Pågår."]])
    assert atgardsplan.sniff(path, path.read_bytes()[:65536]) == "atgardsplan-xlsx"
    measures, _, report = _load(empty_db, path)
    assert measures == [("Fritid", "Mål", "T2", "Enhetschef", "påbörjad")]  # 'Pågår.' alone assesses
    assert not any("kolumnen" in line for line in report.lines)


@pytest.mark.parametrize("merge_other_headers", [False, True])
def test_a_merged_follow_up_header_with_its_rounds_in_the_row_below(empty_db, tmp_path, merge_other_headers):
    # Before: the row of "T1", "T2", "VB" under "Uppföljning" (merged over three columns)
    # was a rejected row ("mål, tid … men ingen åtgärd") and the T2 and VB columns were lost.
    path = _workbook(tmp_path / "plan.xlsx", HEADER, [
        [None, None, None, None, None, None, "T1", "T2", "VB"],
        ["Problem", "Orsak", "Läxhjälp: Två kvällar i veckan.", "60 deltagare", 2025, "Enhetschef",
         "Start i mars.", "41 deltagare.", "Åtgärden bedöms vara uppnådd."],
        ["Problem", "Orsak 2", "Nattvandring: Fredagar.", "Varje fredag", 2025, "Fältassistenter",
         None, "250828: Åtgärden bedöms vara påbörjad.", None],
    ])
    wb = openpyxl.load_workbook(path)
    ws = wb["1. Unga i riskzon"]
    ws.merge_cells("G3:I3")
    if merge_other_headers:  # the other headers often span both header rows
        for col in "ABCDEF":
            ws.merge_cells(f"{col}3:{col}4")
    wb.save(path)
    measures, followups, report = _load(empty_db, path)
    assert [(m[0], m[4]) for m in measures] == [("Läxhjälp", "uppnådd"), ("Nattvandring", "påbörjad")]
    assert [(f[0], f[2], f[3]) for f in followups] == [
        ("Läxhjälp", "T1", "Start i mars."),
        ("Läxhjälp", "T2", "41 deltagare."),
        ("Läxhjälp", "VB", "Åtgärden bedöms vara uppnådd."),
        ("Nattvandring", "T2", "Åtgärden bedöms vara påbörjad."),
    ]
    con = warehouse.open_read_only(empty_db)
    try:
        assert con.execute("SELECT count(*) FROM rejected_row").fetchone() == (0,)
    finally:
        con.close()
    assert not any("ingen åtgärd" in line for line in report.lines)


def test_a_first_data_row_under_a_merged_follow_up_header_stays_data(empty_db, tmp_path):
    # A follow-up header merged over two columns with a measure right under it whose
    # follow-up cells name rounds: a data row, not the rounds' sub-headers.
    path = _workbook(tmp_path / "plan.xlsx", HEADER, [
        ["Problem", "Orsak", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", "T1: Start.", "T2: 41 deltagare."],
    ])
    wb = openpyxl.load_workbook(path)
    wb["1. Unga i riskzon"].merge_cells("G3:H3")
    wb.save(path)
    measures, followups, _ = _load(empty_db, path)
    assert [m[0] for m in measures] == ["Läxhjälp"]
    assert [(f[2], f[3]) for f in followups] == [("T1", "Start.")]  # the merged header's one column


@pytest.mark.parametrize(("note", "status"), [
    # Before: each of these was 'ej bedömd'.
    ("Åtgärden bedöms vara genomförd.", "uppnådd"),
    ("VB: Åtgärden bedöms vara delvis genomförd.", "delvis uppnådd"),
    ("VB: Åtgärden bedöms inte vara genomförd.", "ej uppnådd"),
    ("VB: Klar", "uppnådd"),
    ("VB: Pågår", "påbörjad"),
    ("Genomförd", "uppnådd"),
    ("Delvis", "delvis uppnådd"),
    ("Ej startad", "ej uppnådd"),
    ("Avslutad.", "uppnådd"),
    ("250828: Pågår.\nVB: Genomförd.", "uppnådd"),
    ("Status: pågår, 20 deltagare.", "påbörjad"),
    # Narrative that merely uses such a word is no assessment.
    ("Vi har inte startat ännu.", "ej bedömd"),
    ("Arbetet pågår.", "ej bedömd"),
    ("Genomförd i mars med 20 deltagare.", "ej bedömd"),
    ("Delvis genom nya medel från regionen.", "ej bedömd"),
    ("Avslutad samverkan med skolan, ny start i höst.", "ej bedömd"),
    ("Lokalen bedöms vara klar för uthyrning.", "ej bedömd"),
    ("Insatsen bedöms kunna vara klar till hösten.", "ej bedömd"),
    ("Mötet är klart. Nästa steg är en enkät.", "ej bedömd"),
    ("VB: Klart!", "ej bedömd"),  # alone, "Klart!" is as often "of course!"
])
def test_status_words_in_the_follow_up_text(empty_db, tmp_path, note, status):
    path = _workbook(tmp_path / "plan.xlsx", HEADER, [
        ["Otrygghet i skolan", "Brist på vuxna", "Läxhjälp: Två kvällar i veckan.", "Mål", 2025, "Chef", note]])
    measures, _, _ = _load(empty_db, path)
    assert [m[4] for m in measures] == [status]


def test_the_status_column_and_the_follow_up_share_one_table_of_words():
    # One rule for both places: every word the Status column knows assesses a follow-up
    # entry too (except "Klart", which alone in a note may mean "of course").
    for word, status in followup.STATUS_WORDS.items():
        assert followup.stated_status(word.capitalize()) == status
        if word != "klart":
            assert followup.parse(f"VB: {word.capitalize()}.", 2025)[0].status == status, word
    assert followup.stated_status("Klart") == "uppnådd"
    assert followup.stated_status("Ja") is None
    assert not hasattr(atgardsplan, "_STATUS_WORDS")


OPENINGS = [
    # (follow-up cell, [(date, round, text) of its entries]); before, each was one undated VB entry.
    ("31/3: Start, 22 deltagare.\n28/8 2025: 41 deltagare.",
     [("2025-03-31", "T1", "Start, 22 deltagare."), ("2025-08-28", "T2", "41 deltagare.")]),
    ("Mars: Start.\nApril 2025: 30 deltagare.\nOktober: Avslut.",
     [(None, "T1", "Start."), (None, "T1", "30 deltagare."), (None, "T3", "Avslut.")]),
    ("T1-2025: Start.\nT2 – 2025: Halvvägs.", [(None, "T1", "Start."), (None, "T2", "Halvvägs.")]),
    ("25-08-28: 41 deltagare.\n2025.11.20: 58 deltagare.",
     [("2025-08-28", "T2", "41 deltagare."), ("2025-11-20", "T3", "58 deltagare.")]),
    ("250828. 41 deltagare.", [("2025-08-28", "T2", "41 deltagare.")]),
    ("Uppföljning 1: Start.\nUppföljning 2: 41 deltagare.\nUppföljning 3: Klart i december.",
     [(None, "T1", "Start."), (None, "T2", "41 deltagare."), (None, "T3", "Klart i december.")]),
]


def test_entry_openings_as_coordinators_write_them(empty_db, tmp_path):
    path = _workbook(tmp_path / "plan.xlsx", HEADER, [
        ["Otrygghet", f"Orsak {i}", f"Åtgärd {i}: Text.", "Mål", 2025, "Chef", note]
        for i, (note, _) in enumerate(OPENINGS, start=1)])
    _, followups, _ = _load(empty_db, path)
    got: dict[str, list] = {}
    for title, day, rnd, text, _ in followups:
        got.setdefault(title, []).append((str(day) if day else None, rnd, text))
    for i, (note, expected) in enumerate(OPENINGS, start=1):
        assert sorted(got[f"Åtgärd {i}"], key=str) == sorted(expected, key=str), note


@pytest.mark.parametrize("note", [
    "Mötet 31/3: flyttades till april.",     # a date inside a sentence stays text
    "1/3 av deltagarna slutade i mars.",     # a fraction, no colon
    "31/2: ett datum som inte finns.",       # no valid date
    "Mars kom med snö och färre besökare.",  # a month name without its colon
    "Vi ses 2025.08.28: i skolan.",          # not at the line's start
    "Uppföljningen 1 gång per termin: bra.",
])
def test_what_only_looks_like_an_opening_stays_text(note):
    assert [(e.followup_date, e.round, e.text) for e in followup.parse(note, 2025)] == [(None, "VB", note)]


def test_a_follow_up_cell_holding_only_a_date_is_a_dated_entry(empty_db, tmp_path):
    # Before: a VB entry without a date whose text was the date.
    path = _workbook(tmp_path / "plan.xlsx", HEADER, [
        ["Otrygghet", "Orsak 1", "Åtgärd 1: Text.", "Mål", 2025, "Chef", "250828"],
        ["Otrygghet", "Orsak 2", "Åtgärd 2: Text.", "Mål", 2025, "Chef", datetime(2025, 11, 20)],  # a date cell
        ["Otrygghet", "Orsak 3", "Åtgärd 3: Text.", "Mål", 2025, "Chef", 250415],  # typed as a number
        ["Otrygghet", "Orsak 4", "Åtgärd 4: Text.", "Mål", 2025, "Chef", "250828\nStart i mars.\n251120\n"],
    ])
    _, followups, _ = _load(empty_db, path)
    assert [(f[0], str(f[1]), f[2], f[3]) for f in followups] == [
        ("Åtgärd 1", "2025-08-28", "T2", ""),
        ("Åtgärd 2", "2025-11-20", "T3", ""),
        ("Åtgärd 3", "2025-04-15", "T1", ""),
        ("Åtgärd 4", "2025-08-28", "T2", "Start i mars."),
        ("Åtgärd 4", "2025-11-20", "T3", ""),
    ]


def test_a_row_whose_texts_start_with_header_words_in_other_columns_is_data(empty_db, tmp_path):
    # Before: problem "Problem med …", cause "Orsaken …" and a follow-up "Åtgärden bedöms …"
    # made the row a "repeated header": the measure was dropped and the file refused.
    path = _workbook(tmp_path / "plan.xlsx", HEADER, [
        ["Problem med droghandel vid centrum", "Orsaken är få vuxna ute på kvällarna",
         "Nattvandring: Fredagar och lördagar.", "Varje helg", 2025, "Fältassistenter",
         "Åtgärden bedöms vara uppnådd."],
    ])
    measures, _, report = _load(empty_db, path)
    assert [(m[0], m[4]) for m in measures] == [("Nattvandring", "uppnådd")]
    assert not any("upprepas" in line for line in report.lines)
