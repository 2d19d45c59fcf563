"""The action-plan workbook reader (atgardsplan-xlsx), on workbooks built here in code.

The fixtures imitate what users send: an instructions sheet, area sheets whose header
row moves, merged problem and measure cells, an extra description column, a renamed
own-area sheet, a misspelt area, follow-up notes in every variant, and an analysis
sheet whose numbers do not always agree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from helpers import refused

from pipelines import warehouse
from pipelines.geography import Gazetteer
from pipelines.loading import FileRejected, ReadContext, ingest
from pipelines.personnummer import PersonnummerFound
from pipelines.readers import atgardsplan, followup

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["Problemområde", "Orsak", "Åtgärd", "Operativa mål", "När", "Vem", "Uppföljning"]
INSTRUCTION = [
    "Ange identifierat problemområde eller utmaning här",
    "Beskriv orsaken till problemet, kan vara flera, gör då flera separata åtgärder.",
    "Koppla åtgärd mot respektive orsak. Beskriv tydligt vad som ska göras.",
    "Koppla operativa mål till varje åtgärd.",
    "Ange tid för när åtgärden ska vara genomförd (alt linjearbete).",
    "Ange vem som ansvarar för åtgärden.",
    "Beskriv vad som har genomförts. Denna kolumn fylls i i samband med uppföljning.",
]
OPTIONS = {"organisation": "Farsta stadsdelsförvaltning", "kommun": "0180", "lpo": ["Farsta"], "year": 2025}
UNGA = "Unga i riskzon för destruktivt beteende"
OTRYGGA = "Otrygga och brottsutsatta platser"
SYSTEM = "Systemhotande brottslighet"
KRIMINELLA = "Kriminella miljöer och livsstilar"

LAXHJALP_NOTE = (
    "250415: Start i mars, 22 deltagare.\n"
    "250905: 41 deltagare. VB: Läxhjälpen har nått 58 unika deltagare. Åtgärden bedöms\n"
    "vara delvis uppnådd."
)


def _table(ws, top: int, left: int, rows: list[list], instruction: bool = True) -> int:
    """Write header, instruction row and data rows from (top, left); return first data row."""
    for i, h in enumerate(HEADER):
        ws.cell(top, left + i, h)
    r = top + 1
    if instruction:
        for i, text in enumerate(INSTRUCTION):
            ws.cell(r, left + i, text)
        r += 1
    for offset, row in enumerate(rows):
        for i, value in enumerate(row):
            if value is not None:
                ws.cell(r + offset, left + i, value)
    return r


def _merge(ws, col: int, first: int, last: int) -> None:
    ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)


def _instructions(wb, title="Åtgärdsplan 2025"):
    ws = wb.active
    ws.title = "Instruktion"
    ws["A1"] = title
    ws["A3"] = "Enligt lag (2023:196) ska kommunen ta fram en lägesbild och åtgärder per område."


def _analysis(wb, rows):
    ws = wb.create_sheet("Analys")
    ws["A1"] = "Sammanställning över prioriterade områden"
    for i, h in enumerate(["Prioriterat område", "Antal problem", "Antal identifierade orsaker", "Antal åtgärder"]):
        ws.cell(2, i + 1, h)
    for r, row in enumerate(rows, start=3):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)


def build_standard(path: Path, unga_measures_stated: int = 5) -> Path:
    """The messy standard workbook every test below reads (see the module docstring)."""
    wb = openpyxl.Workbook()
    _instructions(wb)

    # 1. The template layout; a measure merged over three causes; line work.
    ws = wb.create_sheet("1. Unga i riskzon")
    ws["A1"] = UNGA
    first = _table(ws, 3, 1, [
        ["Tidig debut i normbrytande beteende", "Svag anknytning till skolan",
         "Läxhjälp: Fritidsgården erbjuder läxhjälp två kvällar i veckan.", "60 deltagare", 2025,
         "Enhetschef fritid", LAXHJALP_NOTE],
        [None, "Få trygga vuxna i kvällsmiljön", "Nattvandring: Föräldrar nattvandrar fredagar kl 21:00.",
         "Varje fredag", "2025 och löpande", "Fältassistenter",
         "250905: Genomförs varje fredag. Arbetet bedöms ha förbättrat närvaron.\nVB: Åtgärden bedöms vara uppnådd."],
        ["Rekrytering via sociala medier", "Låg kunskap hos föräldrar",
         "Föräldraträffar: Riktade föräldramöten med kommunpolis.", "Fyra träffar", "T2",
         "Kommunpolisen i Globen", "250905: Två träffar. VB: Åtgärden bedöms vara påbörjad."],
        [None, "Otrygga uppväxtmiljöer", None, None, None, None, None],
        [None, "Äldre syskon i kriminella nätverk", None, None, None, None, None],
        [None, "Linjearbete som är av fortsatt prioritet för att omhänderta unga i riskzon",
         "Sociala insatsgrupper: Fortsatt arbete i SIG.", "Eventuella avvikelser lyfts i OLG", "I linjen",
         "Enhetschef BoU", "Eventuella avvikelser lyfts i OLG unga i riskzon."],
    ])
    _merge(ws, 1, first, first + 1)
    _merge(ws, 1, first + 2, first + 5)
    for col in (3, 4, 5, 6, 7):
        _merge(ws, col, first + 2, first + 4)

    # 2. Header lower down, the description as a merged row above it, messy header
    #    texts, an extra column, no instruction row.
    ws = wb.create_sheet("2. Otrygga platser")
    ws["A1"] = "Prioriterat område: Otrygga och brottsutsatta platser"
    ws["A3"] = "Beskrivning: platser där boende känner sig otrygga, enligt trygghetsmätningen."
    ws.merge_cells("A3:G4")
    _table(ws, 7, 1, [
        ["Otrygghet vid centrumtorget", "Dålig belysning",
         "Trygghetsvandring: Vandring med boende och fastighetsägare.", "En vandring per halvår", "T2+VB",
         "Trygghetssamordnare",
         "250420: Vandring genomförd.\n251110: Åtgärden bedöms vara påbörjad.\n"
         "VB: Åtgärden bedöms ur ett processperspektiv vara uppnådd."],
        [None, "Öppen droghandel", "Platssamverkan: Samverkan med centrumägaren.", "Gemensam åtgärdslista",
         "Vid behov", "Kommunpolisen", "250905: Ingen resurs tillsatt. Åtgärden bedöms vara ej uppnådd."],
    ], instruction=False)
    for c, text in enumerate([" problemområde ", "ORSAK", "Åtgärd\n(koppla till orsak)", "Operativa  mål",
                              "När?", "Vem ansvarar", "Uppföljning T1–T3 och VB", "Kommentar"], start=1):
        ws.cell(7, c, text)
    ws["H8"] = "intern notering"
    _merge(ws, 1, 8, 9)

    # 3. An extra first column with the area's (misspelt) name merged down the table.
    ws = wb.create_sheet("3. Systemhot")
    ws["A3"] = "Prioriterat område"
    first = _table(ws, 3, 2, [
        ["Oseriösa utförare", "Bristande avtalsuppföljning", "Avtalsuppföljning: Oanmälda besök hos utförare.",
         "Tio besök", 2025, "Avdelningschef",
         "250828: Rekrytering pågår. Metoden bedöms även vara relevant för andra förvaltningar."],
    ])
    ws.cell(first, 1, "Systemhotade brottslighet\nFörvaltningen ser risker i upphandlingar.")
    _merge(ws, 1, first, first + 3)

    # 4. An empty standard area.
    ws = wb.create_sheet("4. Brottsoffer")
    ws["A1"] = "Särskilt utsatta och sårbara brottsoffer"
    _table(ws, 3, 1, [])

    # 5. Entries written newest first: the latest date wins, not the last line.
    ws = wb.create_sheet("5. Krim")
    ws["A1"] = KRIMINELLA
    _table(ws, 2, 1, [
        ["Nyrekrytering till gäng", "Skolfrånvaro", "Skolsociala team: Team på tre skolor.", "Tre skolor", 2025,
         "Avdelningschef IoF", "251120: Bedöms vara delvis\nuppnådd\n250828: Åtgärden bedöms vara påbörjad."],
    ])

    # 6. The own-area template, renamed and filled in.
    ws = wb.create_sheet("6. Våld i nära relationer")
    ws["A1"] = "[Eget prioriterat område]"
    _table(ws, 3, 1, [
        ["Våld i nära relationer ökar", "Låg kännedom om stöd", "Informationsinsats: Kampanj i centrum.",
         "Två kampanjer", 2025, "Trygghetssamordnare", ""],
    ])

    _analysis(wb, [
        [UNGA, 2, 6, unga_measures_stated],
        [OTRYGGA, 1, 2, 2],
        [SYSTEM, 1, 1, 1],
        ["Särskilt utsatta och sårbara brottsoffer", 0, 0, 0],
        [KRIMINELLA, 1, 1, 1],
        ["[Eget prioriterat område]", 1, 1, 1],
    ])
    wb.save(path)
    return path


def simple_workbook(path: Path, note: str = "250828: Pågår.", title: str = "Åtgärdsplan 2025",
                    extra=None) -> Path:
    """One area, one measure: for metadata and rejection tests."""
    wb = openpyxl.Workbook()
    _instructions(wb, title)
    ws = wb.create_sheet("1. Unga")
    ws["A1"] = UNGA
    _table(ws, 3, 1, [["Problem", "Orsak A", "Fritid: Öppna fritidsgården.", "Mål", 2025, "Chef", note]])
    if extra:
        extra(wb)
    wb.save(path)
    return path


def _rows(db: Path, sql: str, params=None):
    con = warehouse.open_read_only(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def read_plan(reference_db_template):
    """Read a workbook without loading it: (frames, report), for checks on what a reader returns."""
    con = warehouse.open_read_only(reference_db_template)
    gazetteer = Gazetteer.from_connection(con)

    def read(path: Path, options: dict | None = None):
        ctx = ReadContext(con=con, gazetteer=gazetteer, file_name=path.name, options=options or {})
        result = atgardsplan.read(path, ctx)
        return result.frames, result.report

    yield read
    con.close()


@pytest.fixture(scope="module")
def loaded(reference_db_template, tmp_path_factory):
    """The standard workbook loaded once; tests below only read from it."""
    tmp = tmp_path_factory.mktemp("atgardsplan")
    db = tmp / "lagesbild.duckdb"
    shutil.copyfile(reference_db_template, db)
    path = build_standard(tmp / "plan.xlsx")
    [report] = ingest(db, [path], options=OPTIONS)
    assert report.status == "ok", report.lines
    return db, report


# --- the standard workbook -------------------------------------------------------------------

def test_measures_per_area_and_merged_measure_counted_once(loaded):
    db, report = loaded
    assert report.source_format == "atgardsplan-xlsx"
    per_area = dict(_rows(db, "SELECT prioritised_area, count(*) FROM measure GROUP BY 1"))
    assert per_area == {UNGA: 4, OTRYGGA: 2, SYSTEM: 1, KRIMINELLA: 1, "Våld i nära relationer": 1}
    [(cause, goal, due, who)] = _rows(
        db, "SELECT cause, operational_goal, due, responsible FROM measure WHERE title = 'Föräldraträffar'")
    assert cause.split("\n") == ["Låg kunskap hos föräldrar", "Otrygga uppväxtmiljöer",
                                 "Äldre syskon i kriminella nätverk"]
    assert (goal, due, who) == ("Fyra träffar", "T2", "Kommunpolisen i Globen")


def test_problems_inherit_from_merged_cells(loaded):
    db, _ = loaded
    problems = dict(_rows(db, "SELECT title, problem FROM measure WHERE prioritised_area = $a", {"a": UNGA}))
    assert problems == {
        "Läxhjälp": "Tidig debut i normbrytande beteende",
        "Nattvandring": "Tidig debut i normbrytande beteende",
        "Föräldraträffar": "Rekrytering via sociala medier",
        "Sociala insatsgrupper": "Rekrytering via sociala medier",
    }


def test_title_is_text_before_the_first_colon_and_description_is_the_cell(loaded):
    db, _ = loaded
    [(title, description)] = _rows(db, "SELECT title, description FROM measure WHERE title LIKE 'Natt%'")
    # "kl 21:00" holds a colon too; only a colon that ends a label makes the title.
    assert title == "Nattvandring"
    assert description == "Nattvandring: Föräldrar nattvandrar fredagar kl 21:00."


def test_line_work_is_a_measure_and_flagged(loaded):
    db, _ = loaded
    rows = _rows(db, "SELECT title, due, status FROM measure WHERE is_line_work")
    assert rows == [("Sociala insatsgrupper", "I linjen", "ej bedömd")]


def test_due_kept_as_written(loaded):
    db, _ = loaded
    dues = dict(_rows(db, "SELECT title, due FROM measure"))
    assert dues["Läxhjälp"] == "2025"
    assert dues["Nattvandring"] == "2025 och löpande"
    assert dues["Trygghetsvandring"] == "T2+VB"
    assert dues["Platssamverkan"] == "Vid behov"


def test_header_lower_down_with_description_row_and_extra_column(loaded):
    db, _ = loaded
    rows = _rows(db, "SELECT title, problem, cause, responsible, source_sheet, source_row FROM measure "
                     "WHERE prioritised_area = $a ORDER BY source_row", {"a": OTRYGGA})
    assert rows == [
        ("Trygghetsvandring", "Otrygghet vid centrumtorget", "Dålig belysning", "Trygghetssamordnare",
         "2. Otrygga platser", 8),
        ("Platssamverkan", "Otrygghet vid centrumtorget", "Öppen droghandel", "Kommunpolisen",
         "2. Otrygga platser", 9),
    ]


def test_extra_description_column_and_misspelt_area(loaded):
    db, _ = loaded
    [(area, problem, status)] = _rows(db, "SELECT prioritised_area, problem, status FROM measure "
                                          "WHERE title = 'Avtalsuppföljning'")
    assert (area, problem) == (SYSTEM, "Oseriösa utförare")
    # "bedöms även vara relevant" is no assessment.
    assert status == "ej bedömd"


def test_followup_entries_rounds_and_statuses(loaded):
    db, _ = loaded
    rows = _rows(db, """SELECT f.followup_date, f.round, f.status, f.text FROM measure_followup f
                        JOIN measure m USING (measure_id) WHERE m.title = 'Läxhjälp'
                        ORDER BY f.followup_date NULLS LAST""")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (date(2025, 4, 15), "T1", "ej bedömd"),
        (date(2025, 9, 5), "T2", "ej bedömd"),
        (None, "VB", "delvis uppnådd"),
    ]
    assert rows[2][3].startswith("Läxhjälpen har nått 58")


def test_measure_status_is_the_latest_assessment(loaded):
    db, _ = loaded
    status = dict(_rows(db, "SELECT title, status FROM measure"))
    assert status["Läxhjälp"] == "delvis uppnådd"          # wrapped over a line break
    assert status["Nattvandring"] == "uppnådd"            # "bedöms ha förbättrat" is ignored
    assert status["Föräldraträffar"] == "påbörjad"
    assert status["Trygghetsvandring"] == "uppnådd"       # T3 påbörjad, then VB uppnådd
    assert status["Platssamverkan"] == "ej uppnådd"
    assert status["Skolsociala team"] == "delvis uppnådd"  # 251120 beats 250828 written below it
    assert status["Informationsinsats"] == "ej bedömd"     # empty follow-up cell


def test_renamed_own_area_sheet(loaded):
    db, report = loaded
    [(area, n)] = _rows(db, "SELECT prioritised_area, count(*) FROM measure WHERE title = 'Informationsinsats' "
                            "GROUP BY 1")
    assert area == "Våld i nära relationer"
    assert any("eget prioriterat område 'Våld i nära relationer'" in line for line in report.lines)


def test_analysis_counts_compared_and_difference_reported(loaded):
    db, report = loaded
    rows = {r[0]: r[1:] for r in _rows(db, """SELECT prioritised_area, problems, causes, measures,
        sheet_problems, sheet_causes, sheet_measures FROM plan_analysis""")}
    assert rows[UNGA] == (2, 6, 4, 2, 6, 5)
    assert rows[OTRYGGA] == (1, 2, 2, 1, 2, 2)
    assert rows["Särskilt utsatta och sårbara brottsoffer"] == (0, 0, 0, 0, 0, 0)
    # The analysis sheet keeps the template's name for the own area.
    assert rows["Våld i nära relationer"] == (1, 1, 1, 1, 1, 1)
    differences = [line for line in report.lines if line.startswith("Analysbladet anger")]
    assert differences == [f"Analysbladet anger 5 åtgärder för {UNGA}, inläsningen fann 4."]


def test_counts_agree_when_the_sheet_is_right(read_plan, tmp_path):
    _, report = read_plan(build_standard(tmp_path / "plan.xlsx", unga_measures_stated=4), OPTIONS)
    assert "Antalen stämmer med analysbladet." in report
    assert not [line for line in report if line.startswith("Analysbladet anger")]


def test_plan_row_from_options(loaded):
    db, report = loaded
    [(plan_id, org, kommun, lpos, year, source, meta)] = _rows(
        db, "SELECT plan_id, organisation, kommun_code, lpo_codes, year, source_file, metadata_from FROM plan")
    assert (org, kommun, lpos, year, source) == ("Farsta stadsdelsförvaltning", "0180", ["LPO-FARSTA"], 2025,
                                                 "plan.xlsx")
    assert plan_id.startswith("0180-") and plan_id.endswith("-2025")
    assert "kommandoradens flaggor" in meta
    measure_plans = {r[0] for r in _rows(db, "SELECT DISTINCT plan_id FROM measure")}
    assert measure_plans == {plan_id}


def test_loading_a_corrected_file_replaces_the_plan(empty_db, tmp_path):
    path = build_standard(tmp_path / "plan.xlsx")
    ingest(empty_db, [path], options=OPTIONS)
    simple_workbook(path)
    [report] = ingest(empty_db, [path], options=OPTIONS)
    assert report.status == "ok"
    assert _rows(empty_db, "SELECT count(*) FROM measure")[0][0] == 1
    assert _rows(empty_db, "SELECT count(*) FROM plan")[0][0] == 1
    assert _rows(empty_db, "SELECT count(*) FROM plan_analysis")[0][0] == 1


# --- own-area template, sheets without a header --------------------------------------------

def test_empty_own_area_template_is_skipped_and_reported(empty_db, tmp_path):
    def extra(wb):
        ws = wb.create_sheet("6. Eget prioriterat område")
        ws["A1"] = "[Eget prioriterat område]"
        _table(ws, 3, 1, [])
    path = simple_workbook(tmp_path / "plan.xlsx", extra=extra)
    [report] = ingest(empty_db, [path], options=OPTIONS)
    assert report.status == "ok"
    assert any("'6. Eget prioriterat område' (eget prioriterat område) är inte ifyllt" in line
               for line in report.lines)
    assert _rows(empty_db, "SELECT DISTINCT prioritised_area FROM measure") == [(UNGA,)]
    assert "Analysbladet saknas" in " ".join(report.lines)


def test_filled_template_without_a_name_is_the_own_area(read_plan, tmp_path):
    def extra(wb):
        ws = wb.create_sheet("Eget prioriterat område")
        ws["A1"] = "[Eget prioriterat område]"
        _table(ws, 3, 1, [["P", "O", "Egen åtgärd: text", None, None, None, None]])
    frames, _ = read_plan(simple_workbook(tmp_path / "plan.xlsx", extra=extra), OPTIONS)
    measures = frames["measure"].set_index("title")
    assert measures.loc["Egen åtgärd", "prioritised_area"] == "Eget prioriterat område"


def test_row_without_measure_but_with_followup_is_rejected_row(empty_db, tmp_path):
    def extra(wb):
        ws = wb["1. Unga"]
        ws["A6"], ws["B6"], ws["G6"] = "Problem 2", "Orsak B", "250828: något gjordes"
    path = simple_workbook(tmp_path / "plan.xlsx", extra=extra)
    [report] = ingest(empty_db, [path], options=OPTIONS)
    assert report.status == "ok" and report.rows_rejected == 1
    [(row, column)] = _rows(empty_db, 'SELECT row_number, "column" FROM rejected_row')
    assert row == 6 and "1. Unga" in column and "Åtgärd" in column


def test_markup_is_kept_as_plain_text(read_plan, tmp_path):
    def extra(wb):
        wb["1. Unga"]["C5"] = "<img src=x onerror=alert(1)>: <script>alert(2)</script>"
    frames, _ = read_plan(simple_workbook(tmp_path / "plan.xlsx", extra=extra), OPTIONS)
    assert frames["measure"][["title", "description"]].values.tolist() == [
        ["<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>: <script>alert(2)</script>"]]


# --- metadata ---------------------------------------------------------------------------

def test_metadata_from_sidecar(empty_db, tmp_path):
    path = simple_workbook(tmp_path / "plan.xlsx")
    (tmp_path / "plan.xlsx.toml").write_text(
        'organisation = "Enskede-Årsta-Vantör stadsdelsförvaltning"\nkommun = "Stockholm"\n'
        'lpo = ["Farsta", "Globen"]\nyear = 2024\n', "utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    [(org, kommun, lpos, year)] = _rows(empty_db, "SELECT organisation, kommun_code, lpo_codes, year FROM plan")
    assert (org, kommun, sorted(lpos), year) == (
        "Enskede-Årsta-Vantör stadsdelsförvaltning", "0180", ["LPO-FARSTA", "LPO-GLOBEN"], 2024)
    assert "sidofilen plan.xlsx.toml" in report.lines[1]


def test_a_corrected_sidecar_or_option_reloads_the_same_workbook(empty_db, tmp_path):
    # A coordinator fixes the plan's year in the sidecar (or on the command line) and loads
    # the unchanged workbook again: the correction is what the database must show, once.
    path = simple_workbook(tmp_path / "plan.xlsx")
    side = tmp_path / "plan.xlsx.toml"
    side.write_text('organisation = "Farsta stadsdelsförvaltning"\nkommun = "0180"\nyear = 2024\n', "utf-8")
    assert ingest(empty_db, [path])[0].status == "ok"
    assert ingest(empty_db, [path])[0].status == "duplicate"
    side.write_text('organisation = "Farsta stadsdelsförvaltning"\nkommun = "0180"\nyear = 2025\n', "utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _rows(empty_db, "SELECT year FROM plan") == [(2025,)]
    [report] = ingest(empty_db, [path], options={"year": 2026})
    assert report.status == "ok", report.summary()
    assert _rows(empty_db, "SELECT year FROM plan") == [(2026,)]
    assert ingest(empty_db, [path], options={"year": 2026})[0].status == "duplicate"
    measures = _rows(empty_db, "SELECT count(*) FROM measure")[0][0]
    assert measures == len(_rows(empty_db, "SELECT DISTINCT title, prioritised_area FROM measure"))


def test_options_win_over_sidecar_per_field(read_plan, tmp_path):
    path = simple_workbook(tmp_path / "plan.xlsx")
    (tmp_path / "plan.xlsx.json").write_text('{"organisation": "Från sidofil", "kommun": "0180", "year": 2024}')
    frames, _ = read_plan(path, {"year": 2025})
    [plan] = frames["plan"].to_dict("records")
    assert (plan["organisation"], plan["year"]) == ("Från sidofil", 2025)
    meta = plan["metadata_from"]
    assert "år: kommandoradens flaggor" in meta and "kommun: sidofilen plan.xlsx.json" in meta


def test_unknown_sidecar_key_is_an_error(empty_db, tmp_path):
    path = simple_workbook(tmp_path / "plan.xlsx")
    (tmp_path / "plan.xlsx.toml").write_text('kommun = "0180"\nyear = 2025\nlpos = ["Farsta"]\n', "utf-8")
    message = refused(empty_db, path)
    assert "okänd nyckel 'lpos'" in message


@pytest.mark.parametrize(("suffix", "encoding"), [(".toml", "utf-8-sig"), (".toml", "cp1252"), (".json", "utf-8-sig")])
def test_sidecar_saved_by_notepad(read_plan, tmp_path, suffix, encoding):
    # Notepad saves "UTF-8 med BOM" or ANSI (Windows-1252) as often as plain UTF-8.
    path = simple_workbook(tmp_path / "plan.xlsx")
    text = ('organisation = "Skärholmens stadsdelsförvaltning"\nkommun = "0180"\nyear = 2025\n' if suffix == ".toml"
            else '{"organisation": "Skärholmens stadsdelsförvaltning", "kommun": "0180", "year": 2025}')
    (tmp_path / f"plan.xlsx{suffix}").write_bytes(text.encode(encoding))
    frames, _ = read_plan(path)
    assert frames["plan"][["organisation", "kommun_code", "year"]].values.tolist() == [
        ["Skärholmens stadsdelsförvaltning", "0180", 2025]]


def test_personnummer_in_the_organisation_option_or_sidecar_rejects_the_file(empty_db, tmp_path):
    path = simple_workbook(tmp_path / "plan.xlsx")
    message = refused(empty_db, path, options={**OPTIONS, "organisation": "Farsta, kontakt 121212-1212"})
    assert "organisationen" in message and "1212" not in message
    (tmp_path / "plan.xlsx.toml").write_text('organisation = "Farsta 121212-1212"\nkommun = "0180"\nyear = 2025\n')
    assert "1212" not in refused(empty_db, path)


def test_metadata_from_file_name_and_title(empty_db, tmp_path):
    path = simple_workbook(tmp_path / "Skarpnäck åtgärdsplan.xlsx", title="Åtgärdsplan 2025")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    [(org, kommun, year)] = _rows(empty_db, "SELECT organisation, kommun_code, year FROM plan")
    assert (org, kommun, year) == ("Skarpnäck stadsdelsförvaltning", "0180", 2025)
    assert "kommun – filnamnet" in report.lines[1] and "år – titeln i arbetsboken" in report.lines[1]


def test_kommun_from_file_name(read_plan, tmp_path):
    frames, _ = read_plan(simple_workbook(tmp_path / "Atgardsplan_Malmö_2024.xlsx", title="Åtgärdsplan"))
    assert frames["plan"][["organisation", "kommun_code", "year"]].values.tolist() == [["Malmö kommun", "1280", 2024]]


def test_missing_kommun_or_year_tells_the_user_what_to_pass(empty_db, tmp_path):
    path = simple_workbook(tmp_path / "plan.xlsx", title="Åtgärdsplan")
    [report] = ingest(empty_db, [path], options={"year": 2025})
    assert report.status == "rejected" and "--kommun" in report.lines[0]
    [report] = ingest(empty_db, [path], options={"kommun": "0180"})
    assert report.status == "rejected" and "--year" in report.lines[0]


def test_unknown_lpo_is_a_warning(read_plan, tmp_path):
    frames, report = read_plan(simple_workbook(tmp_path / "plan.xlsx"), {**OPTIONS, "lpo": ["Farsta", "Atlantis"]})
    assert any("'Atlantis' känns inte igen" in line for line in report)
    assert frames["plan"]["lpo_codes"].tolist() == [["LPO-FARSTA"]]


def test_a_header_repeated_inside_the_table_is_no_measure(read_plan, tmp_path):
    # A block copied with its header and instruction row to add a second problem: the
    # repeated rows are not measures titled "Åtgärd" and "Koppla åtgärd mot …".
    def extra(wb):
        ws = wb["1. Unga"]
        _table(ws, 7, 1, [["Problem 2", "Orsak B", "Nattvandring: Fredagar.", "Mål", "T2", "Fält",
                           "VB: Åtgärden bedöms vara uppnådd."]])
    frames, report = read_plan(simple_workbook(tmp_path / "plan.xlsx", extra=extra), OPTIONS)
    measures = frames["measure"].sort_values("source_row")
    assert measures["title"].tolist() == ["Fritid", "Nattvandring"]
    assert measures["source_row"].tolist() == [5, 9]
    assert measures["status"].tolist()[1] == "uppnådd"
    assert any("rad 7" in line and "rubrikraden" in line for line in report)


def test_a_measure_whose_cells_start_with_header_words_is_read(read_plan, tmp_path):
    # "Problematisk …", "Orsakerna …", "Insatser …" start as the header's words do: the
    # row was taken for a repeated header and the measure lost without a rejected row.
    def extra(wb):
        _table(wb["1. Unga"], 7, 1, [["Problematisk skolfrånvaro bland unga", "Orsakerna är flera: otrygghet.",
                                      "Insatser för ökad skolnärvaro: Mentorer på högstadiet.", "Mål", "T2",
                                      "Rektor", "VB: Åtgärden bedöms vara påbörjad."]])
    frames, report = read_plan(simple_workbook(tmp_path / "plan.xlsx", extra=extra), OPTIONS)
    measures = frames["measure"].sort_values("source_row")
    assert measures["title"].tolist() == ["Fritid", "Insatser för ökad skolnärvaro"]
    assert measures["status"].tolist()[1] == "påbörjad"
    assert not any("rubrikraden upprepas på rad 9" in line for line in report)  # row 7 is the copied header


def test_text_pasted_on_a_mac_or_mangled_by_windows_1252_reads_as_it_shows(read_plan, tmp_path, empty_db):
    # Every text decomposed (NFD: 'å' as 'a' and a ring, as macOS pastes it), a status
    # with a zero-width space after it, and a C1 control for a Windows-1252 dash: before,
    # the headers were not recognised, and then neither the status nor the follow-up.
    import unicodedata

    def extra(wb):
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.value = unicodedata.normalize("NFD", cell.value)
        ws = wb["1. Unga"]
        ws["G5"] = unicodedata.normalize("NFD", "250828\x96 Läget följs. VB: Åtgärden bedöms vara påbörjad.")

    path = simple_workbook(tmp_path / "plan.xlsx", extra=extra)
    frames, _ = read_plan(path, OPTIONS)
    [measure] = frames["measure"].to_dict("records")
    assert measure["title"] == "Fritid" and measure["status"] == "påbörjad"
    assert "\x96" not in " ".join(frames["measure_followup"]["text"].astype(str))


# --- rejections -------------------------------------------------------------------------

def test_personnummer_in_a_followup_note_rejects_the_file(empty_db, tmp_path):
    # 19811218-9876 is a made-up but valid personnummer (date and control digit).
    path = simple_workbook(tmp_path / "plan.xlsx", note="250828: Samtal med 811218-9876 om läget.")
    message = refused(empty_db, path, options=OPTIONS)
    assert "blad '1. Unga', cell G5" in message
    assert "9876" not in message


def test_personnummer_in_the_analysis_sheet_as_a_number(read_plan, tmp_path):
    def extra(wb):
        wb.create_sheet("Analys")["D9"] = 198112189876
    with pytest.raises(PersonnummerFound, match="blad 'Analys', cell D9"):
        read_plan(simple_workbook(tmp_path / "plan.xlsx", extra=extra), OPTIONS)


def test_personnummer_typed_as_a_number_that_lost_its_leading_zero(read_plan, tmp_path):
    # A child born 2008 (080512-1233, valid date and control digit) typed into a number
    # cell: Excel keeps 805121233, nine digits. The young people the plans are about were
    # born 2001-2009 as often as not, so the lost zero is put back before the check.
    def extra(wb):
        wb["1. Unga"]["H5"] = 805121233
    with pytest.raises(PersonnummerFound, match="blad '1. Unga', cell H5"):
        read_plan(simple_workbook(tmp_path / "plan.xlsx", extra=extra), OPTIONS)


def test_a_nine_digit_number_that_is_no_personnummer_is_kept(read_plan, tmp_path):
    def extra(wb):
        wb["1. Unga"]["H5"] = 805121234  # control digit wrong
        wb["1. Unga"]["H6"] = "805121233"  # text keeps its zeros: nine digits typed as text are no number
    frames, _ = read_plan(simple_workbook(tmp_path / "plan.xlsx", extra=extra), OPTIONS)
    assert len(frames["measure"]) == 1


@pytest.mark.parametrize(("content", "expected"), [
    (b"Problemomrade;Orsak;Atgard\nx;y;z\n", "inte en Excel-arbetsbok"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64,
     "lösenordsskyddad"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "Workbook".encode("utf-16-le") + b"\x00" * 64,
     "äldre Excel-fil (.xls)"),
])
def test_files_that_are_no_workbook_get_a_clear_error(empty_db, tmp_path, content, expected):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(content)
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith("plan.xlsx: ") and expected in message


def test_damaged_workbook(read_plan, tmp_path):
    good = simple_workbook(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "plan.xlsx"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(FileRejected, match="skadad"):
        read_plan(path, OPTIONS)


def test_other_workbooks_are_not_taken_for_a_plan(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Region", "Brottskategori", "År", "Antal"])
    wb.active.append(["Stockholms län", "Misshandel", 2024, 1234])
    wb.save(tmp_path / "bra.xlsx")
    path = tmp_path / "bra.xlsx"
    assert atgardsplan.sniff(path, path.read_bytes()[:65536]) is None
    plan = simple_workbook(tmp_path / "plan.xlsx")
    assert atgardsplan.sniff(plan, plan.read_bytes()[:65536]) == "atgardsplan-xlsx"


def test_no_area_sheet_is_rejected(read_plan, tmp_path):
    wb = openpyxl.Workbook()
    _instructions(wb)
    ws = wb.create_sheet("Blad2")
    ws.append(["Problemområde", "Kommentar"])  # the words for sniffing, not the header
    ws.append(["Orsak", "Åtgärd"])
    wb.save(tmp_path / "plan.xlsx")
    with pytest.raises(FileRejected, match="rubrikrad"):
        read_plan(tmp_path / "plan.xlsx", OPTIONS)


# --- workbooks written by Excel-like tools: formulas, formatted empty rows -----------------

def _rewrite(path: Path, part: str, change) -> None:
    with zipfile.ZipFile(path) as zf:
        data = {name: zf.read(name) for name in zf.namelist()}
    data[part] = change(data[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, content in data.items():
            zf.writestr(name, content)


def _add_formatted_empty_rows(path: Path, part: str, first: int, last: int) -> None:
    """Rows with bordered but empty cells, as a template formatted far down has them."""
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" s="1"/><c r="G{r}" s="1"/></row>'
        for r in range(first, last + 1)
    )
    _rewrite(path, part, lambda xml: xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>"))


def test_formula_values_and_100000_formatted_empty_rows(empty_db, tmp_path):
    path = tmp_path / "plan.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Instruktion").write("A1", "Åtgärdsplan 2025")
    ws = wb.add_worksheet("1. Unga i riskzon")
    border = wb.add_format({"border": 1})
    ws.write("A1", UNGA)
    ws.write_row("A3", HEADER)
    ws.write_row("A4", ["Problem", "Orsak", "Fritid: Öppet hus.", "Mål", "2025", "Chef", "251001: Pågår."])
    ws.write_row("A5", ["Problem", "Orsak 2", "Simskola: Kurser.", "Mål", "2025", "Chef",
                        "VB: Åtgärden bedöms vara uppnådd."])
    ws.merge_range("A4:A5", "Problem", border)
    an = wb.add_worksheet("Analys")
    an.write_row("A1", ["Prioriterat område", "Antal problem", "Antal identifierade orsaker", "Antal åtgärder"])
    an.write("A2", UNGA)
    an.write_formula("B2", "=COUNTA('1. Unga i riskzon'!A4:A5)", None, 1)
    an.write_formula("C2", "=COUNTA('1. Unga i riskzon'!B4:B5)", None, 2)
    an.write_formula("D2", "=COUNTA('1. Unga i riskzon'!C4:C5)", None, 3)
    wb.close()
    _add_formatted_empty_rows(path, "xl/worksheets/sheet2.xml", first=6, last=100_005)
    start = time.perf_counter()
    [report] = ingest(empty_db, [path], options=OPTIONS)
    assert time.perf_counter() - start < 10
    assert report.status == "ok", report.lines
    assert _rows(empty_db, "SELECT problems, causes, measures, sheet_problems, sheet_causes, sheet_measures "
                           "FROM plan_analysis") == [(1, 2, 2, 1, 2, 3)]
    assert f"Analysbladet anger 3 åtgärder för {UNGA}, inläsningen fann 2." in report.lines
    assert _rows(empty_db, "SELECT round FROM measure_followup ORDER BY round") == [("T3",), ("VB",)]


def test_formulas_without_saved_values_are_reported(read_plan, tmp_path):
    def extra(wb):
        an = wb.create_sheet("Analys")
        an.append(["Prioriterat område", "Antal problem", "Antal orsaker", "Antal åtgärder"])
        an.append([UNGA, "=COUNTA('1. Unga'!A5)", "=COUNTA('1. Unga'!B5)", "=COUNTA('1. Unga'!C5)"])
    frames, report = read_plan(simple_workbook(tmp_path / "plan.xlsx", extra=extra), OPTIONS)
    assert any("formler utan sparade värden" in line for line in report)
    assert frames["plan_analysis"]["sheet_measures"].isna().all()
    assert frames["plan_analysis"]["measures"].tolist() == [1]


def test_huge_cell_is_cut_and_reported(read_plan, tmp_path):
    path = simple_workbook(tmp_path / "plan.xlsx")
    # openpyxl refuses to write more than Excel allows; patch the shared string afterwards.
    long_text = "Fritid: " + "lång text " * 8000
    _rewrite(path, "xl/worksheets/sheet2.xml",
             lambda xml: xml.replace("Fritid: Öppna fritidsgården.".encode(), long_text.encode()))
    frames, report = read_plan(path, OPTIONS)
    [measure] = frames["measure"].to_dict("records")
    assert measure["title"] == "Fritid" and len(measure["description"]) == atgardsplan.MAX_TEXT
    assert any("kortades" in line for line in report)


# --- the follow-up cell on its own ---------------------------------------------------------

@pytest.mark.parametrize(("text", "status"), [
    ("Åtgärden bedöms vara uppnådd.", "uppnådd"),
    ("Åtgärden bedöms vara delvis uppnådd.", "delvis uppnådd"),
    ("Åtgärden bedöms vara påbörjad.", "påbörjad"),
    ("Åtgärden bedöms vara ej uppnådd.", "ej uppnådd"),
    ("Åtgärden bedöms inte vara uppnådd.", "ej uppnådd"),
    ("Åtgärden bedöms ur ett processperspektiv vara uppnådd.", "uppnådd"),
    ("Åtgärden bedöms\nvara delvis\nuppnådd.", "delvis uppnådd"),
    ("Bedöms vara delvis uppnådd", "delvis uppnådd"),
    ("Målet bedöms vara uppnått.", "uppnådd"),
    ("Bedömning: påbörjad", "påbörjad"),
    ("Arbetet bedöms ha förbättrat tryggheten.", None),
    ("Metoden bedöms även vara relevant för skolan.", None),
    ("Insatsen bedöms kunna vara uppnådd till hösten.", None),
    ("Deltagarna har uppnått målen, vilket bedöms positivt.", None),
    ("Åtgärden bedöms vara påbörjad. Vid årets slut bedöms den vara uppnådd.", "uppnådd"),
    # an entry that is nothing but the status, as a drop-down list or a hurried hand writes it
    ("Uppnådd", "uppnådd"),
    ("Delvis uppnådd.", "delvis uppnådd"),
    ("  ej påbörjad ", "ej uppnådd"),
    ("Påbörjad!", "påbörjad"),
    ("Uppnådd delvis genom nya medel.", None),  # a sentence, not the status alone
    ("Påbörjad i mars, fortsätter.", None),
    # a negation or "delvis" between "bedöms" and "vara" (before, the status came out
    # the opposite way: 'uppnådd')
    ("Sammantaget bedöms åtgärden inte vara uppnådd.", "ej uppnådd"),
    ("Åtgärden bedöms därför inte vara uppnådd.", "ej uppnådd"),
    ("Åtgärden bedöms i dagsläget inte vara uppnådd.", "ej uppnådd"),
    ("Åtgärden bedöms ännu inte vara påbörjad.", "ej uppnådd"),
    ("Åtgärden bedöms delvis vara uppnådd.", "delvis uppnådd"),
    ("Åtgärden bedöms till viss del vara uppnådd.", "delvis uppnådd"),
    ("Åtgärden bedöms vara ej helt uppnådd.", "delvis uppnådd"),
])
def test_assessment_sentence(text, status):
    assert followup.assessment(text) == status


def test_a_status_word_alone_after_its_marker_assesses_the_entry():
    entries = followup.parse("250828: Påbörjad\nVB: Delvis uppnådd.", 2025)
    assert [(e.round, e.status) for e in entries] == [("T2", "påbörjad"), ("VB", "delvis uppnådd")]
    assert followup.latest_status(entries, 2025) == "delvis uppnådd"


@pytest.mark.parametrize(("day", "plan_year", "expected"), [
    (date(2025, 1, 10), 2025, "T1"), (date(2025, 4, 30), 2025, "T1"),
    (date(2025, 5, 1), 2025, "T2"), (date(2025, 8, 28), 2025, "T2"), (date(2025, 9, 30), 2025, "T2"),
    (date(2025, 10, 1), 2025, "T3"), (date(2025, 11, 20), 2025, "T3"),
    (date(2026, 1, 15), 2025, "T3"), (date(2024, 12, 15), 2025, "T1"),
])
def test_round_of_a_date(day, plan_year, expected):
    assert followup.round_for_date(day, plan_year) == expected


def test_followup_markers():
    entries = followup.parse(
        "Inledande text.\n250415: Start.\nT2: Halvvägs.\n251120 : Klart. Vb 2025: Åtgärden bedöms vara uppnådd.\n"
        "Kontakt 123456: ingen datummarkör (ogiltigt datum).", 2025)
    assert [(e.followup_date, e.round, e.status) for e in entries] == [
        (date(2025, 4, 15), "T1", "ej bedömd"),
        (None, "T2", "ej bedömd"),
        (date(2025, 11, 20), "T3", "ej bedömd"),
        (None, "VB", "uppnådd"),
    ]
    assert entries[0].text == "Inledande text.\nStart."
    assert entries[3].text.endswith("Kontakt 123456: ingen datummarkör (ogiltigt datum).")


def test_cell_without_markers_is_one_vb_entry_and_no_assessment_is_ej_bedomd():
    [entry] = followup.parse("Eventuella avvikelser lyfts i OLG.", 2025)
    assert (entry.followup_date, entry.round, entry.status) == (None, "VB", "ej bedömd")
    assert followup.latest_status([entry]) == "ej bedömd"
    assert followup.parse("   ", 2025) == []


def test_latest_assessment_wins_by_date_not_position():
    entries = followup.parse("T3: Åtgärden bedöms vara påbörjad.\n250415: Åtgärden bedöms vara uppnådd.", 2025)
    assert followup.latest_status(entries, 2025) == "påbörjad"



def test_newest_first_with_day_month_and_a_two_digit_year():
    # "20/11-25:" was no marker: the whole cell one entry, and its last sentence (the
    # older one, written below) decided the status.
    entries = followup.parse("20/11-25: Åtgärden bedöms vara uppnådd.\n28/8-25: Åtgärden bedöms vara påbörjad.",
                             2025)
    assert [(e.followup_date.isoformat(), e.round) for e in entries] == [("2025-11-20", "T3"), ("2025-08-28", "T2")]
    assert followup.latest_status(entries, 2025) == "uppnådd"


@pytest.mark.parametrize(("text", "round_"), [
    ("t2: Åtgärden bedöms vara påbörjad.", "T2"),  # written in haste, lower case
    ("vb: Åtgärden bedöms vara påbörjad.", "VB"),
    ("T2 (aug): Åtgärden bedöms vara påbörjad.", "T2"),  # the round with its month
    ("Uppföljning T3 (nov): Åtgärden bedöms vara påbörjad.", "T3"),
])
def test_round_markers_as_people_write_them(text, round_):
    [entry] = followup.parse(text, 2025)
    assert (entry.round, entry.status, entry.text) == (round_, "påbörjad", "Åtgärden bedöms vara påbörjad.")


# --- the command line ------------------------------------------------------------------

def test_cli_ingest_with_plan_options(empty_db, tmp_path):
    path = build_standard(tmp_path / "plan.xlsx", unga_measures_stated=4)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "ingest", str(path), "--db", str(empty_db),
         "--organisation", "Enskede-Årsta-Vantör stadsdelsförvaltning", "--kommun", "0180",
         "--lpo", "Farsta", "--lpo", "Globen", "--year", "2025"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "plan.xlsx: atgardsplan-xlsx, 9 rader inlästa, 0 avvisade" in out
    assert "Plan: Enskede-Årsta-Vantör stadsdelsförvaltning, kommun Stockholm (0180), " \
           "LPO LPO-FARSTA, LPO-GLOBEN, år 2025." in out
    assert "Antalen stämmer med analysbladet." in out


def test_prioriterat_omrade_as_the_problem_column_and_an_example_on_the_instructions_sheet(read_plan, tmp_path):
    wb = openpyxl.Workbook()
    _instructions(wb)
    _table(wb.active, 5, 1, [["Exempel", "Exempelorsak", "Exempelåtgärd: visas bara som exempel", None, None, None, None]])
    ws = wb.create_sheet("Otrygga platser")
    ws.append(["Prioriterat område", "Orsaker", "Åtgärder", "Operativt mål", "När?", "Ansvarig", "Uppföljning",
               "Närmare beskrivning"])
    ws.append(["Otrygg tunnelbaneuppgång", "Mörkt", "Belysning: Byt armaturer.", "Klart i maj", "T1", "Fastighet",
               "250410: Klart. Åtgärden bedöms vara uppnådd.", "ingen del av planen"])
    wb.save(tmp_path / "plan.xlsx")
    frames, _ = read_plan(tmp_path / "plan.xlsx", OPTIONS)
    [m] = frames["measure"].to_dict("records")
    assert (m["prioritised_area"], m["problem"], m["title"], m["due"], m["status"]) == (
        OTRYGGA, "Otrygg tunnelbaneuppgång", "Belysning", "T1", "uppnådd")


def test_documented_status_examples_hold():
    doc = (ROOT / "docs" / "sources" / "atgardsplan.md").read_text("utf-8")
    table = doc.split("| text | status |", 1)[1].split("\n\n", 1)[0]
    rows = [line.strip("|").split("|") for line in table.strip().splitlines()[1:]]
    assert len(rows) >= 10
    for text, status in rows:
        expected = None if status.strip() == "(none)" else status.strip()
        assert followup.assessment(text.strip()) == expected, text


def test_too_many_cells_and_zip_bomb_are_refused_before_unpacking(read_plan, tmp_path, monkeypatch):
    # The limits are lowered so that the test writes kilobytes, not hundreds of megabytes.
    monkeypatch.setattr(atgardsplan, "MAX_CELLS", 1000)
    monkeypatch.setattr(atgardsplan, "MAX_UNCOMPRESSED", 5 << 20)
    many = simple_workbook(tmp_path / "many.xlsx")
    cells = b'<row r="%d"><c r="A%d"><v>1</v></c></row>'
    _rewrite(many, "xl/worksheets/sheet2.xml", lambda xml: xml.replace(
        b"</sheetData>", b"".join(cells % (r, r) for r in range(100, 1100)) + b"</sheetData>"))
    with pytest.raises(FileRejected, match="över 1 000 ifyllda celler"):
        read_plan(many, OPTIONS)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (6 << 20))
    assert atgardsplan.sniff(bomb, bomb.read_bytes()[:65536]) == "atgardsplan-xlsx"
    with pytest.raises(FileRejected, match="för stor"):
        read_plan(bomb, OPTIONS)


def test_kommun_from_a_file_name_without_swedish_letters(read_plan, tmp_path):
    frames, _ = read_plan(simple_workbook(tmp_path / "plan_Tyreso_2025.xlsx"))
    assert frames["plan"][["organisation", "kommun_code"]].values.tolist() == [["Tyresö kommun", "0138"]]


@pytest.mark.parametrize(("name", "organisation"), [
    ("atgardsplan_Enskede-Arsta-Vantor_2025.xlsx", "Enskede-Årsta-Vantör stadsdelsförvaltning"),
    ("Atgardsplan Skarpnack 2025.xlsx", "Skarpnäck stadsdelsförvaltning"),
    ("plan_Hagersten_Alvsjo_2025.xlsx", "Hägersten-Älvsjö stadsdelsförvaltning"),
])
def test_district_from_a_file_name_without_swedish_letters(read_plan, tmp_path, name, organisation):
    frames, _ = read_plan(simple_workbook(tmp_path / name))
    assert frames["plan"][["organisation", "kommun_code"]].values.tolist() == [[organisation, "0180"]]


def test_a_date_opening_a_line_is_a_marker_without_its_colon():
    entries = followup.parse("250415 Start i mars, 22 deltagare.\n250905 – 41 deltagare. Åtgärden bedöms vara "
                             "delvis uppnådd.\nMötet 251001 flyttades.", 2025)
    assert [(e.followup_date, e.round, e.status) for e in entries] == [
        (date(2025, 4, 15), "T1", "ej bedömd"),
        (date(2025, 9, 5), "T2", "delvis uppnådd"),
    ]
    assert entries[0].text == "Start i mars, 22 deltagare."
    assert entries[1].text.endswith("Mötet 251001 flyttades.")  # a date inside a sentence stays text
    # Six digits that are no date open a line as text, and "250828:" is still one marker.
    assert [e.round for e in followup.parse("123456 kronor beviljades.", 2025)] == ["VB"]
    assert [(e.followup_date, e.text) for e in followup.parse("250828 : Klart.", 2025)] == [(date(2025, 8, 28), "Klart.")]


def test_two_kommuners_plans_saved_under_one_name_are_both_kept(empty_db, tmp_path):
    # Every kommun's workbook is "Åtgärdsplan bob 2025.xlsx": the second one loaded
    # deleted the first kommun's plan, with no word.
    for kommun, org in (("0180", "Farsta stadsdelsförvaltning"), ("1280", "Malmö stad")):
        folder = tmp_path / kommun
        folder.mkdir()
        path = simple_workbook(folder / "Åtgärdsplan bob 2025.xlsx")
        if kommun == "1280":  # another plan: other measures
            wb = openpyxl.load_workbook(path)
            for ws in wb.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        if isinstance(cell.value, str) and ":" in cell.value:
                            cell.value = "Malmö: " + cell.value
            wb.save(path)
        [report] = ingest(empty_db, [path], options={"organisation": org, "kommun": kommun, "year": 2025})
        assert report.status == "ok", report.lines
    assert _rows(empty_db, "SELECT kommun_code FROM plan ORDER BY 1") == [("0180",), ("1280",)]
    assert "har andra uppgifter" in " ".join(report.lines)
