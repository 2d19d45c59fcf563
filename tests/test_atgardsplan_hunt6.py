"""Action-plan workbooks as municipalities fill them in: the sixth input hunt.

Each test builds what a kommun's coordinator does in Excel that the reader did not yet
read right (one sheet for every area with the area in a column of its own, a status
column per follow-up round, ...), loads it into a fresh database and checks what the
coordinator would check.
"""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from helpers import rows

from pipelines.loading import ingest
from tests.test_atgardsplan import OTRYGGA, SYSTEM, UNGA
from tests.test_atgardsplan_hunt3 import _load, _measures, _save

# --- one sheet for every area, the area in a column ------------------------------------------


def _one_sheet_plan(header: list[str], data: list[list], merges: tuple[str, ...] = ()) -> openpyxl.Workbook:
    """A plan in one sheet 'Åtgärdsplan' (no area in its name or title), header on row 3."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Åtgärdsplan"
    ws["A1"] = "Åtgärdsplan för det brottsförebyggande arbetet 2025"
    for c, text in enumerate(header, start=1):
        ws.cell(3, c, text)
    for r, row in enumerate(data, start=4):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    for ref in merges:
        ws.merge_cells(ref)
    return wb


AREA_COLUMN_ROWS = [
    [UNGA, "Unga rekryteras", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef",
     "VB: Åtgärden bedöms vara uppnådd."],
    [None, None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Fältassistenter", "VB: Pågår"],
    [None] * 8,  # a blank row between two areas' blocks
    ["2. Otrygga och brottsutsatta platser", "Otrygghet vid torget", "Mörker", "Belysning: Nya armaturer.",
     "Mål", 2025, "Fastighetschef", "VB: Genomförd"],
    [SYSTEM, "Bidragsbrott", "Svag kontroll", "Kontroller: Stickprov.", "Mål", 2025, "Enhetschef", None],
    ["Våld i nära relationer", "Våld i hemmet", "Okunskap", "Utbildning: Personalen.", "Mål", 2025, "Chef", None],
]


@pytest.mark.parametrize("merged", [True, False])
def test_one_sheet_with_the_area_in_a_column_of_its_own(empty_db, tmp_path, merged):
    # Before: every measure was stored under the first area of the column (or the sheet's
    # title), silently: the column was taken for one area's description merged down the
    # table. The area is written once per block, merged over it or left blank below.
    header = ["Prioriterat område", "Problemområde", "Orsak", "Åtgärd", "Operativt mål", "Tidplan", "Ansvarig",
              "Uppföljning"]
    wb = _one_sheet_plan(header, AREA_COLUMN_ROWS, ("A4:A6", "B4:B5") if merged else ())
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [
        (UNGA, "Unga rekryteras", "Läxhjälp", "uppnådd"),
        (UNGA, "Unga rekryteras", "Nattvandring", "påbörjad"),
        (OTRYGGA, "Otrygghet vid torget", "Belysning", "uppnådd"),
        (SYSTEM, "Bidragsbrott", "Kontroller", "ej bedömd"),
        ("Våld i nära relationer", "Våld i hemmet", "Utbildning", "ej bedömd"),
    ]
    assert rows(empty_db, "SELECT prioritised_area, problems, causes, measures FROM plan_analysis "
                          "ORDER BY prioritised_area") == [
        (OTRYGGA, 1, 1, 1), (SYSTEM, 1, 1, 1), (UNGA, 1, 2, 2), ("Våld i nära relationer", 1, 1, 1)]
    assert (f"Blad 'Åtgärdsplan': områdena togs från kolumn A ('Prioriterat område'): rad 4 ({UNGA}), "
            f"rad 7 ({OTRYGGA}), rad 8 ({SYSTEM}), rad 9 (Våld i nära relationer).") in report.lines


def test_the_area_column_without_a_problem_column(empty_db, tmp_path):
    # "Prioriterat område" is then the problem column as well: before, every measure was
    # an own area named after the workbook's title ('Åtgärdsplan för det ... 2025').
    header = ["Prioriterat område", "Orsak", "Åtgärd", "Operativt mål", "Tidplan", "Ansvarig", "Uppföljning"]
    data = [row[:1] + row[2:] for row in AREA_COLUMN_ROWS]
    wb = _one_sheet_plan(header, data, ("A4:A6",))
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[0] for m in _measures(empty_db)] == [UNGA, UNGA, OTRYGGA, SYSTEM, "Våld i nära relationer"]


def test_a_prioritised_area_column_naming_one_area_still_only_names_it(empty_db, tmp_path):
    # The template's description column, merged down the sheet: one area, and the
    # column holding problems under a 'Prioriterat område' header stays the problem.
    header = ["Prioriterat område", "Orsak", "Åtgärd", "Operativt mål", "Tidplan", "Ansvarig", "Uppföljning"]
    wb = _one_sheet_plan(header, [
        ["Otrygghet vid torget", "Mörker", "Belysning: Nya armaturer.", "Mål", 2025, "Chef", None],
        ["Droghandel", "Få vuxna", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", None],
    ])
    wb.active.title = "2. Otrygga platser"
    wb.active["A1"] = OTRYGGA
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [
        (OTRYGGA, "Otrygghet vid torget", "Belysning", "ej bedömd"),
        (OTRYGGA, "Droghandel", "Nattvandring", "ej bedömd"),
    ]
    assert not any("områdena togs från" in line for line in report.lines), report.lines


# --- a status column per follow-up round --------------------------------------------------

def _round_plan(header: list[str], data: list[list]) -> openpyxl.Workbook:
    wb = _one_sheet_plan(header, data)
    wb.active.title = "1. Unga i riskzon"
    wb.active["A1"] = UNGA
    return wb


BASE = ["Problemområde", "Orsak", "Åtgärd", "Operativa mål", "När", "Vem"]
MEASURE = ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef"]


@pytest.mark.parametrize("status_headers", [
    ["Status T1", "Status T2", "Status T3"],
    ["Status", "Status", "Status"],  # each beside its round's follow-up column
])
def test_a_status_column_per_round_gives_each_round_its_status_and_the_latest_wins(
        empty_db, tmp_path, status_headers):
    # Before: the first status column (T1: 'Ej påbörjad') was the measure's status, so a
    # measure the coordinator marked 'Genomförd' in T3 was stored as 'ej uppnådd', and
    # the T2 and T3 status columns were reported as columns not read.
    s1, s2, s3 = status_headers
    header = BASE + ["Uppföljning T1", s1, "Uppföljning T2", s2, "Uppföljning T3", s3]
    wb = _round_plan(header, [
        MEASURE + ["Planering klar.", "Ej påbörjad", "Start i maj, 22 deltagare.", "Pågår", None, "Genomförd"],
        ["Otrygghet", "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef",
         "Första passen.", "Pågår", "Åtgärden bedöms vara delvis uppnådd.", "Välj status", None, None],
    ])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2:] for m in _measures(empty_db)] == [("Läxhjälp", "uppnådd"), ("Nattvandring", "delvis uppnådd")]
    assert rows(empty_db, "SELECT m.title, f.round, f.text, f.status FROM measure_followup f JOIN measure m "
                          "USING (measure_id) ORDER BY m.source_row, f.round") == [
        ("Läxhjälp", "T1", "Planering klar.", "ej uppnådd"),
        ("Läxhjälp", "T2", "Start i maj, 22 deltagare.", "påbörjad"),
        ("Läxhjälp", "T3", "", "uppnådd"),  # the round's status alone, no text written
        ("Nattvandring", "T1", "Första passen.", "påbörjad"),
        ("Nattvandring", "T2", "Åtgärden bedöms vara delvis uppnådd.", "delvis uppnådd"),
    ]
    assert not any("lästes inte" in line or "känns inte igen" in line for line in report.lines), report.lines


# --- follow-up columns named otherwise -------------------------------------------------------

@pytest.mark.parametrize(("headers", "expected"), [
    # Abbreviated, as a narrow column's header often is.
    (["Uppf. T1", "Uppf. T2", "Uppf. helår"], [("T1", "ej bedömd"), ("T2", "påbörjad"), ("VB", "uppnådd")]),
    # The kommun's own reports named alone beside the first round.
    (["Uppföljning T1", "Delår", "Årsredovisning"], [("T1", "ej bedömd"), ("T2", "påbörjad"), ("VB", "uppnådd")]),
    (["Uppföljning T1", "Delårsrapport", "Helår"], [("T1", "ej bedömd"), ("T2", "påbörjad"), ("VB", "uppnådd")]),
])
def test_follow_up_columns_abbreviated_or_named_by_the_report(empty_db, tmp_path, headers, expected):
    # Before: none of these columns was read ("kolumnen Uppföljning saknas" and each
    # named as a column not read): the measure had no follow-up and was 'ej bedömd'.
    wb = _round_plan(BASE + headers, [MEASURE + ["Start i mars.", "Pågår", "Åtgärden bedöms vara uppnådd."]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT round, status FROM measure_followup ORDER BY round") == expected
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd"]
    assert not any("lästes inte" in line or "kolumnen Uppföljning saknas" in line for line in report.lines), report.lines


@pytest.mark.parametrize("header", ["Status/uppföljning", "Status och uppföljning", "Kommentar/uppföljning",
                                    "Resultat/Uppföljning"])
def test_a_follow_up_column_whose_header_names_more_than_the_follow_up(empty_db, tmp_path, header):
    # Before: "Status/uppföljning" was a Status column, so its text was 'not recognised as
    # a status' and lost ("statusen togs från uppföljningen", though there was none);
    # "Kommentar/uppföljning" was a column not read. Either way the follow-up was lost.
    note = "250415: Start i mars, 22 deltagare.\nVB: Åtgärden bedöms vara delvis uppnådd."
    wb = _round_plan(BASE + [header], [MEASURE + [note]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT round, text, status FROM measure_followup ORDER BY round") == [
        ("T1", "Start i mars, 22 deltagare.", "ej bedömd"), ("VB", "Åtgärden bedöms vara delvis uppnådd.", "delvis uppnådd")]
    assert [m[3] for m in _measures(empty_db)] == ["delvis uppnådd"]
    assert not any("känns inte igen" in line or "kolumnen Uppföljning saknas" in line for line in report.lines), report.lines


# --- the problem column's header --------------------------------------------------------------

@pytest.mark.parametrize("problem_header", ["Problem", "Problembeskrivning", "Prioriterat problem",
                                            "Prioriterade problem"])
def test_a_plan_whose_problem_column_is_headed_problem_is_read(empty_db, tmp_path, problem_header):
    # Before: refused as a file of no known format ("formatet känns inte igen"): a workbook
    # was claimed only by Problemområde, Prioriterat område or Identifierat problem, though
    # the reader takes "Problem" as the problem column. "Prioriterat problem" (Brå's word
    # for the problems a lägesbild singles out) was not even a header.
    header = [problem_header, "Orsaker", "Åtgärder", "Operativa mål", "Tidsplan", "Ansvar", "Uppföljning"]
    wb = _round_plan(header, [MEASURE + ["VB: Åtgärden bedöms vara uppnådd."]])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [(UNGA, "Otrygghet", "Läxhjälp", "uppnådd")]


# --- the organisation guessed from the file name -----------------------------------------------

@pytest.mark.parametrize(("file_name", "organisation", "kommun"), [
    # The organisation as the file names it (before: "Malmö kommun", "Göteborg kommun",
    # "Norrköping kommun", "Gotland kommun", "Falun kommun").
    ("Åtgärdsplan Malmö stad 2025", "Malmö stad", "1280"),
    ("Åtgärdsplan Göteborgs Stad 2025", "Göteborgs Stad", "1480"),
    ("Norrköpings kommun åtgärdsplan 2025", "Norrköpings kommun", "0581"),
    ("Åtgärdsplan Region Gotland 2025", "Region Gotland", "0980"),
    ("Åtgärdsplan Falu kommun 2025", "Falu kommun", "2080"),
    # Only the kommun's name: its organisation's name as Swedish writes it.
    ("Åtgärdsplan Norrköping 2025", "Norrköpings kommun", "0581"),
    ("Åtgärdsplan Falun 2025", "Falu kommun", "2080"),
    ("Åtgärdsplan Gotland 2025", "Region Gotland", "0980"),
    ("Åtgärdsplan Borås 2025", "Borås kommun", "1490"),
    ("Åtgärdsplan Uppsala 2025", "Uppsala kommun", "0380"),
])
def test_the_organisation_is_named_as_swedish_names_it(empty_db, tmp_path, file_name, organisation, kommun):
    wb = _round_plan(BASE + ["Uppföljning"], [MEASURE + ["VB: Pågår"]])
    wb.create_sheet("Instruktion", 0)["A1"] = "Åtgärdsplan"
    [report] = ingest(empty_db, [_save(wb, tmp_path / f"{file_name}.xlsx")])
    assert report.status == "ok", report.lines
    assert rows(empty_db, "SELECT organisation, kommun_code FROM plan") == [(organisation, kommun)]
    assert report.lines[0].startswith(f"Plan: {organisation}, kommun "), report.lines


@pytest.mark.parametrize(("kommun", "organisation"), [("0581", "Norrköpings kommun"), ("0980", "Region Gotland"),
                                                      ("1280", "Malmö kommun")])
def test_the_organisation_assumed_from_the_kommun_option(empty_db, tmp_path, kommun, organisation):
    wb = _round_plan(BASE + ["Uppföljning"], [MEASURE + ["VB: Pågår"]])
    [report] = ingest(empty_db, [_save(wb, tmp_path / "plan.xlsx")], options={"kommun": kommun, "year": 2025})
    assert report.status == "ok", report.lines
    assert rows(empty_db, "SELECT organisation FROM plan") == [(organisation,)]


# --- the year only in the sheets' names ---------------------------------------------------------

def test_the_year_only_in_the_sheets_names(empty_db, tmp_path):
    # Before: refused ("planens år kunde inte avgöras") though every area sheet said 2025.
    wb = _round_plan(BASE + ["Uppföljning"], [MEASURE + ["250828: Pågår"]])
    wb.active.title = "Unga i riskzon 2025"
    cover = wb.create_sheet("Framsida", 0)
    cover["A1"] = "Tyresö kommun"
    cover["A2"] = "Åtgärdsplan för brottsförebyggande arbete"
    [report] = ingest(empty_db, [_save(wb, tmp_path / "Åtgärdsplan Tyresö.xlsx")])
    assert report.status == "ok", report.lines
    assert rows(empty_db, "SELECT organisation, year FROM plan") == [("Tyresö kommun", 2025)]
    assert "år – bladens namn" in report.lines[1], report.lines
    assert rows(empty_db, "SELECT round, followup_date FROM measure_followup") == [
        ("T2", date(2025, 8, 28))]


def test_sheets_named_for_several_years_say_which_to_choose(empty_db, tmp_path):
    wb = _round_plan(BASE + ["Uppföljning"], [MEASURE + ["250828: Pågår"]])
    wb.active.title = "Unga i riskzon 2025"
    wb.create_sheet("Unga i riskzon 2024")
    path = _save(wb, tmp_path / "Åtgärdsplan Tyresö.xlsx")
    [report] = ingest(empty_db, [path])
    assert report.status == "rejected"
    assert report.lines == ["Åtgärdsplan Tyresö.xlsx: planens år kunde inte avgöras (bladens namn anger 2024 och "
                            "2025). Ange det med --year (t.ex. --year 2025) eller i en sidofil "
                            "Åtgärdsplan Tyresö.xlsx.toml."]


# --- formulas without saved results ----------------------------------------------------------

def test_formulas_without_saved_results_in_the_table_are_named(empty_db, tmp_path):
    # A workbook written by a program (openpyxl, pandas) and never saved in Excel has no
    # saved results. Before: a measure written as a formula was rejected as "ingen åtgärd;
    # fyll i åtgärden" and a status formula read as empty, without a word about formulas.
    wb = _round_plan(BASE + ["Uppföljning", "Status"], [
        MEASURE + ["VB: Möten hölls.", "Pågår"],
        ["Otrygghet", "Mörker", '="Belysning: "&"nya lampor"', "Mål", 2025, "Chef", "VB: Beställt."],
        ["Otrygghet", "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", "VB: 12 pass.",
         '=IF(G6="","Ej påbörjad","Pågår")'],
    ])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert ("Blad '1. Unga i riskzon': cell C5 och H6 har formler utan sparade värden (arbetsboken är inte sparad i "
            "Excel) och lästes som tomma. Öppna arbetsboken i Excel, spara den och läs in den igen.") in report.lines
    assert rows(empty_db, "SELECT row_number, reason FROM rejected_row") == [
        (5, "cellen är en formel utan sparat värde; öppna och spara arbetsboken i Excel")]


def test_a_formula_whose_saved_result_is_empty_is_no_missing_result(empty_db, tmp_path):
    # Excel saves a formula that gives "" (=OM(G4="";"";"Pågår")) as an empty text result.
    path = _save(_round_plan(BASE + ["Uppföljning", "Status"], [MEASURE + ["VB: Möten hölls.", "Pågår"]]),
                 tmp_path / "plan.xlsx")
    import zipfile
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert b"</row></sheetData>" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</row></sheetData>", b'<c r="J4" t="str"><f>IF(G4="","","x")</f><v></v></c></row></sheetData>')
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    report = _load(empty_db, path)
    assert not any("formler" in line for line in report.lines), report.lines


# --- a column per status, marked with an X ----------------------------------------------------

MARKED = [
    MEASURE + ["VB: Möten hölls.", None, None, "X"],
    ["Otrygghet", "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", "VB: 12 pass.", None, "x", None],
    ["Otrygghet", "Mörker", "Belysning: Lampor.", "Mål", 2025, "Chef", "VB: Beställt.", "✔", None, None],
    ["Otrygghet", "Klotter", "Sanering: Snabbt.", "Mål", 2025, "Chef", "VB: Åtgärden bedöms vara påbörjad.",
     None, None, None],
]


def test_a_column_per_status_marked_with_an_x(empty_db, tmp_path):
    # Before: the marks were lost (each measure 'ej bedömd' unless its text assessed it)
    # and the columns 'Pågår' and 'Genomförd' were reported as columns not read.
    wb = _round_plan(BASE + ["Uppföljning", "Ej påbörjad", "Pågår", "Genomförd"], MARKED)
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2:] for m in _measures(empty_db)] == [
        ("Läxhjälp", "uppnådd"), ("Nattvandring", "påbörjad"), ("Belysning", "ej uppnådd"), ("Sanering", "påbörjad")]
    assert not any("lästes inte" in line or "känns inte igen" in line for line in report.lines), report.lines


def test_status_words_under_a_merged_status_header_marked_with_an_x(empty_db, tmp_path):
    # "Status" merged over three columns, the words in the row below, an X per measure.
    wb = _round_plan(BASE + ["Uppföljning", "Status"], [[None] * 7 + ["Ej påbörjad", "Pågår", "Klar"]] + MARKED)
    wb.active.merge_cells("H3:J3")
    for c in range(1, 8):
        wb.active.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2:] for m in _measures(empty_db)] == [
        ("Läxhjälp", "uppnådd"), ("Nattvandring", "påbörjad"), ("Belysning", "ej uppnådd"), ("Sanering", "påbörjad")]
    assert not any("lästes inte" in line or "känns inte igen" in line for line in report.lines), report.lines


def test_two_statuses_marked_on_one_row_are_named(empty_db, tmp_path):
    wb = _round_plan(BASE + ["Uppföljning", "Ej påbörjad", "Pågår", "Genomförd"],
                     [MEASURE + ["VB: Möten hölls.", None, "X", "X"]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["ej bedömd"]
    assert ("Blad '1. Unga i riskzon', rad 4: flera statuskolumner är markerade (I, J); statusen togs från "
            "uppföljningen.") in report.lines


# --- a status qualified, or given as the share done -------------------------------------------

def _status_plan(statuses: list) -> openpyxl.Workbook:
    """One area sheet with one measure per status; numbers in the Status column are
    formatted as percentages, as Excel stores "50 %" typed into a cell (0.5, format 0%)."""
    header = [*BASE, "Status"]
    wb = _round_plan(header, [[f"Otrygghet {i}", f"Få vuxna {i}", f"Läxhjälp {i}: Två kvällar.", "Mål", 2025, "Chef",
                               status] for i, status in enumerate(statuses)])
    for r in range(4, 4 + len(statuses)):
        if isinstance(wb.active.cell(r, 7).value, int | float):
            wb.active.cell(r, 7).number_format = "0%"
    return wb


QUALIFIED = [
    # Before: each of these was reported as "känns inte igen" and stored 'ej bedömd'.
    ("Pågår (försenad)", "påbörjad"),
    ("Genomförd (maj)", "uppnådd"),
    ("Genomförd/avslutad", "uppnådd"),
    ("Klar / genomförd", "uppnådd"),
    ("100 %", "uppnådd"),
    ("50%", "påbörjad"),
    ("0 %", "ej uppnådd"),
    (1, "uppnådd"),      # Excel's 100 %
    (0.5, "påbörjad"),   # Excel's 50 %
    (0, "ej uppnådd"),   # Excel's 0 %
]
# A remark or second word that is a status of its own: read as the least favourable of
# them (hunt 8; before, not read and the status taken from the follow-up).
HEDGED = [("Pågår/klar", "påbörjad"), ("Delvis (pågår)", "påbörjad"), ("Genomförd (ej helt)", "delvis uppnådd")]
UNCLEAR = ["150 %"]


def test_a_status_with_a_remark_two_words_or_a_share_done(empty_db, tmp_path):
    wb = _status_plan([s for s, _ in QUALIFIED] + [s for s, _ in HEDGED] + UNCLEAR)
    report = _load(empty_db, _save(wb, tmp_path / "Tyresö kommun åtgärdsplan 2025.xlsx"))
    stored = [status for *_, status in _measures(empty_db)]
    assert stored == [s for _, s in QUALIFIED] + [s for _, s in HEDGED] + ["ej bedömd"] * len(UNCLEAR)
    cautious = [line.split(": statusen ")[1] for line in report.lines if "minst gynnsamma" in line]
    assert cautious == [
        "'Pågår/klar' kan läsas som påbörjad eller uppnådd; den lästes som den minst gynnsamma, 'påbörjad'. "
        "Skriv en status om en annan menas.",
        "'Delvis (pågår)' kan läsas som påbörjad eller delvis uppnådd; den lästes som den minst gynnsamma, "
        "'påbörjad'. Skriv en status om en annan menas.",
        "'Genomförd (ej helt)' kan läsas som delvis uppnådd eller uppnådd; den lästes som den minst gynnsamma, "
        "'delvis uppnådd'. Skriv en status om en annan menas."]
    # The percentages are named, with how they were read; the unclear cells as before.
    shares = [line for line in report.lines if "procenten" in line]
    assert shares == ["Blad '1. Unga i riskzon': statusen i cell G8, G9, G10, G11, G12 och G13 lästes från "
                      "procenten "
                      "(100 % = uppnådd, 1–99 % = påbörjad, 0 % = ej uppnådd)."], report.lines
    unread = [line.split(": statusen ")[1] for line in report.lines if "känns inte igen" in line]
    assert unread == [f"'{s}' känns inte igen; statusen togs från uppföljningen." for s in UNCLEAR]


def test_a_percentage_in_an_ods_reads_as_in_the_xlsx(empty_db, tmp_path):
    from tests.test_atgardsplan_ods import to_ods

    xlsx = _save(_status_plan(["Pågår", 0.5]), tmp_path / "plan.xlsx")
    ods = to_ods(xlsx, tmp_path / "Tyresö kommun åtgärdsplan 2025.ods")
    # LibreOffice writes a percentage cell with its own value type.
    import zipfile
    with zipfile.ZipFile(ods) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    content = parts["content.xml"].decode()
    assert 'office:value-type="float" office:value="0.5"' in content
    parts["content.xml"] = content.replace('office:value-type="float" office:value="0.5"',
                                           'office:value-type="percentage" office:value="0.5"').encode()
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), parts.pop("mimetype"))
        for name, data in parts.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    _load(empty_db, ods)
    assert [status for *_, status in _measures(empty_db)] == ["påbörjad", "påbörjad"]


# --- headers worded as people word them -------------------------------------------------------

@pytest.mark.parametrize(("measure", "due", "responsible"), [
    ("Vad ska göras?", "Deadline", "Ansv."),
    ("Åtg.", "Klart senast", "Genomförs av"),
    ("Åtgärd", "När", "Utförare"),
])
def test_measure_due_and_responsible_headers_as_people_word_them(empty_db, tmp_path, measure, due, responsible):
    # Before: "Vad ska göras?" and "Åtg." got the file refused as having no header row, and
    # "Deadline", "Klart senast", "Ansv.", "Genomförs av" and "Utförare" were columns not read.
    header = ["Problemområde", "Orsak", measure, "Operativa mål", due, responsible, "Uppföljning"]
    wb = _round_plan(header, [MEASURE + ["VB: Åtgärden bedöms vara uppnådd."]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT title, due, responsible, status FROM measure") == [
        ("Läxhjälp", "2025", "Chef", "uppnådd")]
    assert not any("lästes inte" in line for line in report.lines), report.lines


def test_the_one_who_follows_up_is_no_follow_up(empty_db, tmp_path):
    # Before: "Uppföljningsansvarig" was taken for the follow-up column (its name starts
    # so), and the real one right of it was then another follow-up column: the person's
    # name ("Maria") was read as a follow-up entry.
    header = [*BASE, "Uppföljningsansvarig", "Uppföljning"]
    wb = _round_plan(header, [MEASURE + ["Säkerhetssamordnaren", "VB: Åtgärden bedöms vara uppnådd."]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT f.round, f.text FROM measure_followup f") == [
        ("VB", "Åtgärden bedöms vara uppnådd.")]
    assert any("'Uppföljningsansvarig'" in line and "lästes inte" in line for line in report.lines), report.lines
