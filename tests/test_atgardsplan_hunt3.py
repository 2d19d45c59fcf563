"""Action-plan workbooks as municipalities fill them in: the third input hunt.

Each test builds what a safety coordinator does in Excel that the reader did not yet
read (other ways of writing a date or a status in the follow-up, area names as
sub-headings inside one sheet, a totals row, a sheet per plan year), loads it into a
fresh database and checks what the coordinator would check.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from helpers import refused, rows
from openpyxl.styles import PatternFill

from pipelines.loading import ingest
from tests.test_atgardsplan import HEADER, OPTIONS, OTRYGGA, SYSTEM, UNGA, _instructions


def _sheet(wb, title: str, rows_: list[list], first: str | None = UNGA, header_row: int = 3,
           header: list[str] = HEADER):
    """An area sheet: ``first`` in A1, ``header`` on ``header_row`` and ``rows_`` under it."""
    ws = wb.create_sheet(title)
    if first:
        ws["A1"] = first
    for c, text in enumerate(header, start=1):
        ws.cell(header_row, c, text)
    for r, row in enumerate(rows_, start=header_row + 1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    return ws


def _save(wb, path: Path) -> Path:
    wb.save(path)
    return path


def _new() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    _instructions(wb)
    return wb


def _load(db: Path, path: Path):
    [report] = ingest(db, [path], options=OPTIONS)
    assert report.status == "ok", report.lines
    return report


def _measures(db: Path) -> list[tuple]:
    return rows(db, "SELECT prioritised_area, problem, title, status FROM measure ORDER BY source_sheet, source_row")


# --- the follow-up cell -------------------------------------------------------------------

@pytest.mark.parametrize(("note", "status"), [
    # Before: each of these was 'ej bedömd' (and "Genomförd enligt plan" in a Status
    # column was reported as not recognised).
    ("Genomförd enligt plan", "uppnådd"),
    ("VB: Genomfört enligt plan.", "uppnådd"),
    ("Pågår enligt plan", "påbörjad"),
    ("250828: Pågår som planerat.", "påbörjad"),
    ("Pågående arbete", "påbörjad"),
    ("VB: Åtgärden bedöms vara genomförd enligt plan.", "uppnådd"),
    # Still narrative, still no assessment:
    ("Genomförd i mars enligt plan med 20 deltagare.", "ej bedömd"),
    ("Pågående arbete med skolan, nästa möte i maj.", "ej bedömd"),
    ("Försenad", "ej bedömd"),  # delayed: started or not, the word does not say
])
def test_status_as_planned_and_ongoing_work(empty_db, tmp_path, note, status):
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", note]])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == [status]


def test_a_status_column_saying_genomford_enligt_plan(empty_db, tmp_path):
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef",
                                           "250828: 40 deltagare.", "Genomförd enligt plan"]])
    ws.cell(3, 8, "Status")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd"]
    assert not any("känns inte igen" in line for line in report.lines)


OPENINGS = [
    # (follow-up cell, [(date, round, text)]); before, each was one undated VB entry
    # whose text kept the opening.
    ("31 mars 2025: Start, 22 deltagare.\n28 augusti: 41 deltagare.",
     [("2025-03-31", "T1", "Start, 22 deltagare."), ("2025-08-28", "T2", "41 deltagare.")]),
    ("31.3: Start.\n20.11.2025: Avslut.", [("2025-03-31", "T1", "Start."), ("2025-11-20", "T3", "Avslut.")]),
    # A week gives the round of its Thursday; no day is written, so no date is stored.
    ("v. 12: Start.\nVecka 35: Halvvägs.\nV47 2025: Avslut.",
     [(None, "T1", "Start."), (None, "T2", "Halvvägs."), (None, "T3", "Avslut.")]),
    # The kommun's own reports: the interim report (per 31 August) and the annual one.
    ("Delårsrapport 2025: 41 deltagare.\nÅrsredovisning: 58 deltagare.",
     [(None, "T2", "41 deltagare."), (None, "VB", "58 deltagare.")]),
    ("Delår: Halvvägs.\nHelår: Klart i december.", [(None, "T2", "Halvvägs."), (None, "VB", "Klart i december.")]),
    ("Uppföljning april: Start.\nT2/2025: Halvvägs.", [(None, "T1", "Start."), (None, "T2", "Halvvägs.")]),
    # Shortened months and dates without leading zeros (hunt 4): newest first, the cell
    # was one entry whose status came from the older text written last.
    ("Nov: Avslut.\nAug: Halvvägs.\nApr.: Start.", [(None, "T3", "Avslut."), (None, "T2", "Halvvägs."),
                                                   (None, "T1", "Start.")]),
    ("2025-11-20: Avslut.\n2025-9-5: Halvvägs.", [("2025-11-20", "T3", "Avslut."), ("2025-09-05", "T2", "Halvvägs.")]),
    ("Sept 2025: Halvvägs.\nDec 2025: Avslut.", [(None, "T2", "Halvvägs."), (None, "T3", "Avslut.")]),
    ("Uppföljning 15 april: Start.\n31 okt: Nästan.", [("2025-04-15", "T1", "Start."), ("2025-10-31", "T3", "Nästan.")]),
]


@pytest.mark.parametrize(("note", "expected"), OPENINGS)
def test_dates_and_weeks_written_in_words(empty_db, tmp_path, note, expected):
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", note]])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    got = rows(empty_db, "SELECT followup_date, round, text FROM measure_followup")
    assert sorted((str(d) if d else None, r, t) for d, r, t in got) == sorted(expected, key=str)


@pytest.mark.parametrize("note", [
    "31 mars var ett bra möte.",        # no colon: a sentence
    "Vi ses 31 mars: i skolan.",        # not at the line's start
    "v. 60: ingen sådan vecka.",        # no such week
    "Kvartalet Q1 och terminerna HT, VT i en mening.",  # not at the line's start (hunt 19: openings)
    "Vi tar upp det i delår: och helår: senare.",  # not at the line's start
    "Marknadsföring: affischer i skolorna.",       # begins with a month's letters, is no month
])
def test_what_only_looks_like_a_date_or_a_week_stays_text(empty_db, tmp_path, note):
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", note]])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT followup_date, round, text FROM measure_followup") == [(None, "VB", note)]


# --- the table ---------------------------------------------------------------------------

def test_one_sheet_for_all_areas_with_the_areas_as_sub_headings(empty_db, tmp_path):
    # Before: each sub-heading was a measure titled with the area's name (merged across
    # the row) or a problem without cause, and every measure was stored under one own
    # area named after the sheet ("Åtgärder").
    wb = _new()
    ws = _sheet(wb, "Åtgärder", [
        [UNGA],
        ["Rekrytering till kriminalitet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef",
         "VB: Åtgärden bedöms vara uppnådd."],
        ["2. Otrygga och brottsutsatta platser"],
        ["Otrygghet vid centrum", "Mörka gångvägar", "Belysning: Nya armaturer.", "Mål", 2025, "Fastighetschef"],
        [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Fältassistenter"],
        [SYSTEM],  # written in one cell, not merged: still a heading, it names another area
        ["Bidragsbrott", "Svag kontroll", "Kontroller: Stickprov.", "Mål", 2025, "Enhetschef"],
        ["Eget prioriterat område: Våld i nära relationer"],
        ["Våld i hemmet", "Okunskap", "Utbildning: Personalen.", "Mål", 2025, "Chef"],
    ], first="Åtgärdsplan 2025")
    for row in (4, 6, 11):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [
        (UNGA, "Rekrytering till kriminalitet", "Läxhjälp", "uppnådd"),
        (OTRYGGA, "Otrygghet vid centrum", "Belysning", "ej bedömd"),
        (OTRYGGA, "Otrygghet vid centrum", "Nattvandring", "ej bedömd"),
        (SYSTEM, "Bidragsbrott", "Kontroller", "ej bedömd"),
        ("Våld i nära relationer", "Våld i hemmet", "Utbildning", "ej bedömd"),
    ]
    assert rows(empty_db, "SELECT prioritised_area, problems, causes, measures FROM plan_analysis "
                          "ORDER BY prioritised_area") == [
        (OTRYGGA, 1, 2, 2), (SYSTEM, 1, 1, 1), (UNGA, 1, 1, 1), ("Våld i nära relationer", 1, 1, 1)]
    assert any(line.startswith("Blad 'Åtgärder': områdena togs från mellanrubrikerna rad 4 (" + UNGA)
               for line in report.lines), report.lines
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]


def test_a_problem_alone_on_its_row_naming_the_sheets_own_area_is_still_a_problem(empty_db, tmp_path):
    # Written in one cell (no banner) and naming the area the sheet is about, it is a
    # problem whose causes follow, as before.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Unga i riskzon"],
        [None, "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef"],
    ])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [(UNGA, "Unga i riskzon", "Läxhjälp", "ej bedömd")]


def test_a_totals_row_is_no_measure(empty_db, tmp_path):
    # Before: "Summa" with the count 2 under Åtgärd was a measure titled "2", and
    # "Totalt" with counts a problem that the rows below it continued.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef"],
        [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef"],
        ["Summa", 2, 2],
        ["Antal åtgärder", None, None, None, None, None, 2],
        ["Antal inbrott ökar", "Olåsta förråd", "Information: Brev till boende.", "Mål", 2025, "Chef"],
    ])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[1:3] for m in _measures(empty_db)] == [
        ("Otrygghet", "Läxhjälp"), ("Otrygghet", "Nattvandring"), ("Antal inbrott ökar", "Information")]
    assert "Blad '1. Unga i riskzon': rad 6 är en summarad ('Summa') och lästes inte som åtgärd." in report.lines
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]


# --- the workbook ------------------------------------------------------------------------

def test_a_workbook_with_a_sheet_per_year_loads_the_plan_years_sheets(empty_db, tmp_path):
    # Before: last year's sheets were read into this year's plan, doubling its measures
    # (and last year's analysis sheet could be compared against this year's counts).
    wb = _new()
    for year in (2024, 2025):
        _sheet(wb, f"Unga i riskzon {year}", [
            ["Otrygghet", "Få vuxna", f"Läxhjälp {year}: Två kvällar.", "Mål", year, "Chef"]])
    _sheet(wb, "Övrigt", [["Otrygghet", "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef"]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2] for m in _measures(empty_db)] == ["Läxhjälp 2025", "Nattvandring"]  # a sheet without a year is read
    assert ("Blad 'Unga i riskzon 2024' gäller 2024, inte planens år 2025, och lästes inte. Spara det årets blad "
            "i en egen arbetsbok och läs in den med --year 2024.") in report.lines


def test_years_in_sheet_names_without_the_plan_year_say_nothing(empty_db, tmp_path):
    # A plan for 2025 whose sheets were named when the template was made in 2024.
    wb = _new()
    _sheet(wb, "Unga 2024", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef"]])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2] for m in _measures(empty_db)] == ["Läxhjälp"]


def _xlsxwriter_plan(path: Path, extra) -> Path:
    """A one-area plan written by xlsxwriter (which writes text boxes), ``extra(ws)`` added."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("1. Unga i riskzon")
    ws.write("A1", UNGA)
    ws.write_row("A3", HEADER)
    ws.write_row("A4", ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", "Pågår"])
    extra(ws)
    book.close()
    return path


# 19811218-9876: made up, but a valid date and control digit (as in test_atgardsplan).
@pytest.mark.parametrize(("extra", "where"), [
    (lambda ws: ws.set_header("&CUpprättad av 811218-9876"), "sidhuvudet eller sidfoten"),
    (lambda ws: ws.set_footer("&L19811218 9876"), "sidhuvudet eller sidfoten"),
    (lambda ws: ws.insert_textbox("J2", "Kontaktperson: 811218-9876"), "en textruta eller figur"),
    (lambda ws: ws.data_validation("H4", {"validate": "list", "source": ["Pågår", "Klar"],
                                          "input_title": "Status", "input_message": "Frågor: 811218-9876"}),
     "en listruta (dataverifiering)"),
    # A link to a case system: the number in the address, or only in its screen tip.
    (lambda ws: ws.write_url("J4", "https://arende.example.se/visa?pnr=198112189876", string="Ärendet"),
     "en länk (hyperlänk)"),
    (lambda ws: ws.write_url("J4", "https://arende.example.se/visa?id=42", string="Ärendet",
                             tip="Ärende för 811218-9876"), "en länk (hyperlänk)"),
])
def test_a_personnummer_beside_the_cells_refuses_the_file(empty_db, tmp_path, extra, where):
    # Before: only cells, comments and sheet names were checked; a personnummer in the
    # header, a text box or a drop-down's message let the file load.
    message = refused(empty_db, _xlsxwriter_plan(tmp_path / "plan.xlsx", extra), options=OPTIONS)
    assert f"blad '1. Unga i riskzon', {where}" in message
    assert "9876" not in message


def test_text_beside_the_cells_without_a_personnummer_loads(empty_db, tmp_path):
    def extra(ws):
        ws.set_header("&CÅtgärdsplan 2025, sida &P av &N")
        ws.insert_textbox("J2", "Kontakt: 08-508 00 000, dnr 2025-123456")
        ws.data_validation("H4", {"validate": "list", "source": ["Pågår", "Klar"], "input_message": "Välj status"})
    _load(empty_db, _xlsxwriter_plan(tmp_path / "plan.xlsx", extra))
    assert [m[2] for m in _measures(empty_db)] == ["Läxhjälp"]


def test_a_status_shown_only_as_a_colour_is_reported_not_guessed(empty_db, tmp_path):
    # Before: the coloured cells were silently ignored; the coordinator saw 'ej bedömd'
    # and no word why. Without a legend in the workbook a colour is still not read (its
    # meaning is the workbook's own; test_atgardsplan_colours reads it by a legend), but
    # each such cell is named.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", None, None],
        [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", "250828: 12 pass.", None],
        [None, "Mörker", "Belysning: Nya lampor.", "Mål", 2025, "Chef", None, "Klar"],
    ])
    ws.cell(3, 8, "Status")
    ws["J2"] = "Grön, gul och röd markerar status."  # names colours but ties none to a status
    green, red = PatternFill("solid", fgColor="00B050"), PatternFill("solid", fgColor="FF0000")
    ws["H4"].fill = green
    ws["H5"].fill = red
    ws["H6"].fill = green  # coloured and written: the word is read
    ws["G6"].fill = PatternFill("solid", fgColor="FFFFFF")  # white is no colour
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [(m[2], m[3]) for m in _measures(empty_db)] == [
        ("Läxhjälp", "ej bedömd"), ("Nattvandring", "ej bedömd"), ("Belysning", "uppnådd")]
    assert ("Blad '1. Unga i riskzon': cell H4 och H5 visar statusen bara med färg; färger läses inte. "
            "Skriv statusen med ord (t.ex. Pågår, Klar, Ej påbörjad).") in report.lines


def test_a_date_that_lost_its_format_is_read_as_the_date(empty_db, tmp_path):
    # A date cell pasted from another workbook without its format shows Excel's day
    # number. Before: När was stored as '45747' and the follow-up as an undated VB
    # entry '45897'.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 45747, "Chef", 45897],
        [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", 250828],  # a year, a date as digits
    ])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT title, due FROM measure ORDER BY source_row") == [
        ("Läxhjälp", "2025-03-31"), ("Nattvandring", "2025")]
    assert [(str(d), r, t) for d, r, t in rows(
        empty_db, "SELECT followup_date, round, text FROM measure_followup ORDER BY followup_date")] == [
        ("2025-08-28", "T2", ""), ("2025-08-28", "T2", "")]


@pytest.mark.parametrize("header", [
    ["Identifierat problem", "Bakomliggande orsaker", "Insats", "Målsättning", "Tidsram", "Huvudansvarig",
     "Uppföljning"],
    ["Utmaning", "Orsak", "Aktivitet", "Operativa mål", "Tidsperiod", "Ansvarig", "Uppföljning"],
])
def test_other_words_for_the_header_columns(empty_db, tmp_path, header):
    # Before: no header row was found and the workbook was refused ("ingen flik har
    # åtgärdsplanens rubrikrad"), or, with an Åtgärd column, När, Vem and Mål were empty.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "60 deltagare", "HT 2025", "Enhetschef", "Pågår"]])
    ws["A1"] = f"Prioriterat område: {UNGA}"
    for c, text in enumerate(header, start=1):
        ws.cell(3, c, text)
    path = _save(wb, tmp_path / "plan.xlsx")
    report = _load(empty_db, path)
    assert rows(empty_db, "SELECT problem, cause, title, operational_goal, due, responsible, status FROM measure") == [
        ("Otrygghet", "Få vuxna", "Läxhjälp", "60 deltagare", "HT 2025", "Enhetschef", "påbörjad")]
    assert not any("kolumnen" in line for line in report.lines), report.lines


def test_a_header_two_rows_tall_is_no_measure(empty_db, tmp_path):
    # Header cells merged down over rows 3-4 (a tall header row, the text centred).
    # Before: row 4 inherited the header's words and was stored as a measure titled
    # 'Åtgärd' under the problem 'Problemområde'.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        [],
        ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", "VB: Genomförd."],
        [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef"],
    ])
    for col in "ABCDEFG":
        ws.merge_cells(f"{col}3:{col}4")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [(UNGA, "Otrygghet", "Läxhjälp", "uppnådd"), (UNGA, "Otrygghet", "Nattvandring",
                                                                                 "ej bedömd")]
    assert not any("upprepas" in line for line in report.lines)


def test_a_follow_up_column_headed_by_the_interim_or_annual_report(empty_db, tmp_path):
    # Before: 'Uppföljning delår' named no round and 'Årsredovisning' was no follow-up
    # round: the delår cell was an undated VB entry.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", "41 deltagare.", "58 deltagare."]])
    ws.cell(3, 7, "Uppföljning delår")
    ws.cell(3, 8, "Uppföljning årsredovisning")
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT round, text FROM measure_followup ORDER BY round") == [
        ("T2", "41 deltagare."), ("VB", "58 deltagare.")]


def test_a_dropped_measure_is_reported(empty_db, tmp_path):
    # Before: 'Utgår' in the Status column was 'statusen känns inte igen' and in the
    # follow-up nothing was said; the measure looked merely not assessed.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", "250415: Start.", "Utgår"],
        [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", "250828: Pågår.\nVB: Åtgärden stryks."],
        [None, "Mörker", "Belysning: Nya lampor.", "Mål", 2025, "Chef", "Utgår ur planen 2026, klar i år.", None],
    ])
    ws.cell(3, 8, "Status")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [(m[2], m[3]) for m in _measures(empty_db)] == [
        ("Läxhjälp", "ej bedömd"), ("Nattvandring", "påbörjad"), ("Belysning", "ej bedömd")]
    notes = [line for line in report.lines if "struken" in line]
    assert notes == [
        "Blad '1. Unga i riskzon', rad 4: åtgärden anges som struken; den sparades med statusen 'ej bedömd'. "
        "Ta bort raden om åtgärden inte ska följas upp.",
        "Blad '1. Unga i riskzon', rad 5: åtgärden anges som struken; den sparades med statusen 'påbörjad'. "
        "Ta bort raden om åtgärden inte ska följas upp.",
    ]
    assert not any("känns inte igen" in line for line in report.lines)


def test_a_personnummer_in_a_defined_name_refuses_the_file(empty_db, tmp_path):
    # Formler > Namnhanteraren: a name can stand for a text constant.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef"]])
    wb.defined_names["Kontakt"] = openpyxl.workbook.defined_name.DefinedName("Kontakt", attr_text='"19811218-9876"')
    message = refused(empty_db, _save(wb, tmp_path / "plan.xlsx"), options=OPTIONS)
    assert "Namnhanteraren" in message and "9876" not in message


def test_a_personnummer_in_the_document_properties_refuses_the_file(empty_db, tmp_path):
    # Before: the properties (Arkiv > Info: title, subject, keywords, comments) were not
    # checked and the file loaded.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef"]])
    wb.properties.keywords = "åtgärdsplan, ärende 811218-9876"
    message = refused(empty_db, _save(wb, tmp_path / "plan.xlsx"), options=OPTIONS)
    assert "arbetsbokens egenskaper (Arkiv > Info)" in message
    assert "9876" not in message


def test_a_numbering_column_and_an_atgardsansvarig_column_are_what_they_say(empty_db, tmp_path):
    # "Åtgärd nr" left of "Åtgärd" took the measure's role (titles "1.1", "1.2"), and
    # "Åtgärdsansvarig" was no responsible column.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "1.1", "Läxhjälp: Två kvällar.", "Mål", 2025, "Rektor",
                                      "VB: Åtgärden bedöms vara uppnådd."],
                                     [None, None, "1.2", "Nattvandring: Fredagar.", "Mål", 2025, "Fältgruppen"]],
           header=["Problemområde", "Orsak", "Åtgärd nr", "Åtgärd", "Operativa mål", "När", "Åtgärdsansvarig",
                   "Uppföljning"])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2:] for m in _measures(empty_db)] == [("Läxhjälp", "uppnådd"), ("Nattvandring", "ej bedömd")]
    assert [r[0] for r in rows(empty_db, "SELECT responsible FROM measure ORDER BY source_row")] == \
        ["Rektor", "Fältgruppen"]


@pytest.mark.parametrize("guidance", [
    ["Vilket problem har identifierats?", "Varför finns problemet?", "Vad ska göras och hur?", "Vad vill vi uppnå?",
     "När?", "Vem ansvarar?"],
    ["Exempel: Otrygghet i centrum", "Exempel: Få vuxna ute", "Exempel: Nattvandring: Fredagar.", "Exempel: Färre bråk",
     "Exempel: 2025", "Exempel: Fältgruppen"],
])
def test_a_templates_questions_or_example_under_the_header_are_no_measure(empty_db, tmp_path, guidance):
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [guidance, ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025,
                                                "Chef"]])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2] for m in _measures(empty_db)] == ["Läxhjälp"]


def test_a_column_without_a_header_of_its_own_is_named_when_its_text_is_not_read(empty_db, tmp_path):
    # A column with text and no header at all: its text was dropped without a word.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef",
                                      "250828: Tio deltagare.", None, "Glöm inte lokalen."]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    lines = " ".join(report.lines)
    assert "kolumn I (utan rubrik) har text men lästes inte" in lines
    assert "lokalen" not in lines  # named, never quoted


def test_the_columns_under_a_merged_header_are_read_by_their_own_headers(empty_db, tmp_path):
    # "Uppföljning" merged over G and H with "Status" | "Kommentar" under it: the status
    # was read from G and the comment, the follow-up itself, was dropped (only named).
    wb = _new()
    # Row 4 holds the sub-headers under the merged "Uppföljning"; the measures start on row 5.
    ws = _sheet(wb, "1. Unga i riskzon", [[],
                                          ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef",
                                           "Genomförd", "250828: Tio deltagare."],
                                          ["Otrygghet", "Få vuxna", "Nattvandring: Fredagar.", "Mål", 2025, "Chef",
                                           "Ej påbörjad", ""]])
    ws.merge_cells("G3:H3")
    ws["G4"], ws["H4"] = "Status", "Kommentar"
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert not any("lästes inte" in line for line in report.lines), report.lines
    assert [m[2:] for m in _measures(empty_db)] == [("Läxhjälp", "uppnådd"), ("Nattvandring", "ej uppnådd")]
    assert rows(empty_db, "SELECT followup_date, text FROM measure_followup") == [(date(2025, 8, 28), "Tio deltagare.")]


def test_a_first_data_row_under_a_merged_header_is_not_taken_for_sub_headers(empty_db, tmp_path):
    # No sub-headers: the row under the merged "Uppföljning" is the first measure's.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef",
                                           "250828: Tio deltagare.", "Pågår"]])
    ws.merge_cells("G3:H3")
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2] for m in _measures(empty_db)] == ["Läxhjälp"]


def test_a_status_column_saying_ej_bedomd_is_read_as_that(empty_db, tmp_path):
    # The fifth status in the plan's own words was "känns inte igen".
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", f"Insats {r}: Text.", "Mål", 2025, "Chef",
                                      "250828: Text.", status] for r, status in ((4, "Ej bedömd"), (5, "Pågår"))],
           header=[*HEADER, "Status"])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["ej bedömd", "påbörjad"]
    assert not any("känns inte igen" in line for line in report.lines)


def test_an_own_area_sheet_with_a_title_block_is_named_by_the_sheet(empty_db, tmp_path):
    # The title block above the table names the organisation and the plan, not the area:
    # the area was stored as "Farsta stadsdelsförvaltning".
    wb = _new()
    ws = _sheet(wb, "6. Våld i nära relationer", [["Våld i hemmet", "Få larmar", "Samtalsgrupp: Varje vecka.", "Mål",
                                                   2025, "Chef"]], first="Farsta stadsdelsförvaltning", header_row=4)
    ws["A2"] = "Åtgärdsplan 2025"
    ws["A3"] = "[Eget prioriterat område]"
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db)[0][0] == "Våld i nära relationer"


def test_a_sheet_of_examples_is_not_read_as_the_plan(empty_db, tmp_path):
    # A template's filled example ("Exempel"): its measures were stored as the plan's own.
    wb = _new()
    _sheet(wb, "Exempel", [["Otrygghet", "Få vuxna", "Fritidsgård: Öppet fredagar.", "Mål", 2025, "Chef"]])
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef"]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2] for m in _measures(empty_db)] == ["Läxhjälp"]
    assert "Blad 'Exempel' är ett exempel och lästes inte som åtgärder." in report.lines


def test_a_file_name_with_several_years_says_which_one_was_taken(empty_db, tmp_path):
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef"]])
    path = _save(wb, tmp_path / "Åtgärdsplan 2024-2026 Farsta.xlsx")
    [report] = ingest(empty_db, [path], options={k: v for k, v in OPTIONS.items() if k != "year"})
    assert report.status == "ok", report.lines
    assert any("nämner flera år (2024, 2026); planens år sattes till 2024" in line for line in report.lines)


def test_vem_is_the_responsible_column_beside_an_added_ansvarig_forvaltning(empty_db, tmp_path):
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Utbildning",
                                      "Rektor", "VB: Åtgärden bedöms vara uppnådd."]],
           header=["Problemområde", "Orsak", "Åtgärd", "Operativa mål", "När", "Ansvarig förvaltning", "Vem",
                   "Uppföljning"])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT responsible FROM measure")[0][0] == "Rektor"
    assert any("kolumn F ('Ansvarig förvaltning') har text men lästes inte" in line for line in report.lines)


@pytest.mark.parametrize(("name", "year", "warning"), [
    # A save date in the name is no plan year: the title's 2025 goes first (was 2026, and
    # every 2025 follow-up then fell in T1).
    ("Atgardsplan Farsta VB-version 2026-01-15.xlsx", 2025, None),
    ("Farsta 20260115.xlsx", 2025, None),
    # A year in the name that the title contradicts is taken, and the report says so.
    ("Atgardsplan Farsta 2026.xlsx", 2026, "filnamnet anger 2026 men titeln i arbetsboken 2025"),
])
def test_a_save_date_in_the_file_name_is_not_the_plans_year(empty_db, tmp_path, name, year, warning):
    from tests.test_atgardsplan import simple_workbook

    path = simple_workbook(tmp_path / name, title="Åtgärdsplan 2025")
    [report] = ingest(empty_db, [path], options={k: v for k, v in OPTIONS.items() if k != "year"})
    assert report.status == "ok", report.lines
    assert rows(empty_db, "SELECT year FROM plan") == [(year,)]
    assert (warning is None) == (not any("filnamnet anger" in line for line in report.lines))
    if warning:
        assert any(warning in line for line in report.lines)


def test_an_own_area_whose_description_mentions_a_standard_one_keeps_its_own_name(empty_db, tmp_path):
    # '7. Narkotika' with a description under its title that mentions "otrygga platser"
    # was filed under Otrygga och brottsutsatta platser, with no word.
    wb = _new()
    for title, a1, a2 in (("6. Våld i nära relationer", "[Eget prioriterat område]",
                           "Beskrivning: våldet drabbar barn som senare blir unga i riskzon; insatser samordnas."),
                          ("7. Narkotika", "Narkotika",
                           "Öppen narkotikaförsäljning skapar otrygga platser. Den sker kring centrum och skolor.")):
        ws = _sheet(wb, title, [["Försäljning", "Låg anmälningsbenägenhet", f"Kampanj {title[0]}: Två.", "Mål", 2025,
                                 "Socialtjänsten"]])
        ws["A1"], ws["A2"] = a1, a2
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert sorted(m[0] for m in _measures(empty_db)) == ["Narkotika", "Våld i nära relationer"]


def test_an_analysis_sheet_headed_with_the_plans_words_is_read_as_the_analysis(empty_db, tmp_path):
    # "Sammanställning" with the columns 'Prioriterat område', 'Problem', 'Orsaker',
    # 'Åtgärder' (no 'Antal'): its counts were stored as measures titled "1" and "0",
    # and the report said the analysis sheet was missing.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar.", "Mål", 2025,
                                      "Fritid"],
                                     [None, "Få vuxna ute", "Nattvandring: fredagar.", "Mål", 2025, "Fält"]])
    an = wb.create_sheet("Sammanställning")
    an.append(["Sammanställning över prioriterade områden"])
    an.append(["Prioriterat område", "Problem", "Orsaker", "Åtgärder"])
    an.append(["Unga i riskzon för destruktivt beteende", 1, 2, 2])
    an.append(["Otrygga och brottsutsatta platser", 0, 0, 0])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2] for m in _measures(empty_db)] == ["Läxhjälp", "Nattvandring"]
    assert "Antalen stämmer med analysbladet." in report.lines, report.lines


@pytest.mark.parametrize("titles", [
    ("1. Unga i riskzon", "1. Unga i riskzon (2)"),     # Excel's copy of a sheet, left visible
    ("Uppföljning april", "Uppföljning augusti"),       # a copy of the plan per follow-up
    ("T1 2025", "T2 2025"),
])
def test_a_copy_of_a_sheet_is_read_once(empty_db, tmp_path, titles):
    # Each copy's measures were stored again (four measures for two), and a sheet named
    # "T1 2025" became an own area called "T1 2025".
    wb = _new()
    for title, note in zip(titles, ("250415: Start.", "250905: Pågår. Åtgärden bedöms vara påbörjad."), strict=True):
        _sheet(wb, title, [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", note],
                           ["Otrygghet", "Få vuxna", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", note]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    measures = _measures(empty_db)
    assert [m[2] for m in measures] == ["Läxhjälp", "Nattvandring"]
    assert {m[3] for m in measures} == {"påbörjad"}  # the last sheet's, the latest follow-up
    assert all(not m[0].startswith(("T1", "T2", "Uppföljning")) for m in measures)
    if titles[1].endswith("(2)"):
        assert any(f"Blad '{titles[0]}' har samma åtgärder som blad '{titles[1]}'" in line for line in report.lines)
    else:
        # A sheet per follow-up round is read as rounds of the same measures (hunt 8):
        # each round's follow-up is kept, not only the latest sheet's.
        assert rows(empty_db, "SELECT round, count(*) FROM measure_followup GROUP BY round ORDER BY round") == [
            ("T1", 2), ("T2", 2)]
        assert any(line.startswith(f"Blad '{titles[0]}' (T1) och '{titles[1]}' (T2) är samma plan vid olika "
                                   "uppföljningar") for line in report.lines), report.lines


def test_checkboxes_in_columns_per_status_are_read_as_marks(empty_db, tmp_path):
    # 'Ej påbörjad' | 'Pågår' | 'Genomförd' with Excel checkboxes (TRUE/FALSE, shown as
    # SANT/FALSKT): every measure was 'ej bedömd' and the report said "statusen 'FALSKT'
    # känns inte igen".
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar.", "Mål", 2025, "Fritid", "250905: 41.",
         False, False, True],
        [None, "Få vuxna ute", "Nattvandring: fredagar.", "Mål", 2025, "Fält", "250905: Start.", False, True, False],
        [None, "Låg kunskap", "Föräldraträffar: fyra.", "Mål", 2025, "Polis", None, True, False, False],
        [None, "Få platser", "Sommarjobb: tjugo.", "Mål", 2025, "Kommun", None, False, False, False],
    ], header=[*HEADER, "Ej påbörjad", "Pågår", "Genomförd"])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2:] for m in _measures(empty_db)] == [("Läxhjälp", "uppnådd"), ("Nattvandring", "påbörjad"),
                                                   ("Föräldraträffar", "ej uppnådd"), ("Sommarjobb", "ej bedömd")]
    assert not any("känns inte igen" in line for line in report.lines), report.lines


@pytest.mark.parametrize("word", ["Fokusområde", "Område", "Insatsområde"])
def test_an_area_column_under_another_name_gives_each_rows_area(empty_db, tmp_path, word):
    # The areas in a first column headed 'Fokusområde' (not 'Prioriterat område'): the
    # column was reported as not read and every measure got the sheet's name as its area.
    wb = _new()
    _sheet(wb, "Åtgärder", [
        [UNGA, "Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar.", "Mål", 2025, "Fritid"],
        [None, None, "Få vuxna ute", "Nattvandring: fredagar.", "Mål", 2025, "Fält"],
        [OTRYGGA, "Otrygghet vid torget", "Dålig belysning", "Trygghetsvandring: två.", "Mål", 2025, "Samordnare"],
    ], header=[word, *HEADER[:6]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [(m[0], m[2]) for m in _measures(empty_db)] == [(UNGA, "Läxhjälp"), (UNGA, "Nattvandring"),
                                                          (OTRYGGA, "Trygghetsvandring")]
    assert not any("lästes inte" in line for line in report.lines), report.lines
