"""Action-plan workbooks as municipalities fill them in: the fifth input hunt.

Conditional formatting on the status column (a colour rule on status words, an icon set
on a status written as 1, 2, 3), a visible sheet of drop-down lists, and a workbook laid
out the way a kommun's own template is (a cover sheet with the logo, a change log, frozen
panes, a filter, a print area, drop-downs, a 'Kommentar' column between the follow-up
columns). Each test loads such a workbook into a fresh database and checks what the
coordinator would see.
"""

from __future__ import annotations

import io

import pytest
from helpers import rows
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule, IconSetRule
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from tests.test_atgardsplan import UNGA
from tests.test_atgardsplan_hunt3 import _load, _measures, _new, _save, _sheet
from tests.test_atgardsplan_hunt4 import GREEN, ROWS, YELLOW, _lists_sheet

THREE = [
    ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", "250828: 40 deltagare."],
    [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", "250828: 12 pass."],
    [None, "Mörker", "Belysning: Lampor.", "Mål", 2025, "Chef", "250828: Beställt."],
]
LEGEND = "Färgförklaring: Grön = genomförd, gul = pågår, röd = ej påbörjad"


def _status_sheet(wb, statuses: list) -> object:
    """An area sheet with a Status column H holding ``statuses``, one per measure."""
    ws = _sheet(wb, "1. Unga i riskzon", [row + [s] for row, s in zip(THREE, statuses, strict=True)])
    ws.cell(3, 8, "Status")
    return ws


# --- conditional formatting on the status column -------------------------------------------

@pytest.mark.parametrize(("kind", "values", "reverse", "expected"), [
    # The measures' statuses are 3, 2 and 1. Thresholds as numbers: 1 is red, 2 yellow, 3 green.
    ("num", [1, 2, 3], False, ["uppnådd", "påbörjad", "ej uppnådd"]),
    # Excel's default when an icon set is picked: 0, 33 and 67 per cent of the range.
    ("percent", [0, 33, 67], False, ["uppnådd", "påbörjad", "ej uppnådd"]),
    # "Omvänd ikonordning": here 1 is the best, green.
    ("percent", [0, 33, 67], True, ["ej uppnådd", "påbörjad", "uppnådd"]),
])
def test_a_status_as_a_number_with_traffic_light_icons_is_read_by_the_legend(
        empty_db, tmp_path, kind, values, reverse, expected):
    # Before: "statusen '3' känns inte igen" for every measure, and each was 'ej bedömd'
    # though the coordinator sees a green, a yellow and a red light and the legend says
    # what they mean. The icon's colour follows from the rule, the status from the legend.
    wb = _new()
    wb["Instruktion"]["A5"] = LEGEND
    ws = _status_sheet(wb, [3, 2, 1])
    ws.conditional_formatting.add("H4:H40", IconSetRule("3TrafficLights1", kind, values, reverse=reverse))
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == expected
    assert not any("känns inte igen" in line for line in report.lines), report.lines
    assert any(line.startswith("Blad '1. Unga i riskzon': statusen lästes från färgen i cell H4 (")
               for line in report.lines), report.lines


def test_traffic_light_icons_without_a_legend_are_named_not_guessed(empty_db, tmp_path):
    # Green means done in most workbooks, but not in all: without a legend nothing is
    # guessed, and the report says why the status is missing.
    wb = _new()
    ws = _status_sheet(wb, [3, 2, 1])
    ws.conditional_formatting.add("H4:H40", IconSetRule("3TrafficLights1", "num", [1, 2, 3]))
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["ej bedömd"] * 3
    assert ("Blad '1. Unga i riskzon': cell H4, H5 och H6 visar statusen bara med färg; färger läses inte. "
            "Skriv statusen med ord (t.ex. Pågår, Klar, Ej påbörjad).") in report.lines
    assert not any("känns inte igen" in line for line in report.lines), report.lines


def test_icons_without_a_colour_are_named_as_icons(empty_db, tmp_path):
    # Stars or grey arrows say nothing a legend of colours could read.
    wb = _new()
    wb["Instruktion"]["A5"] = LEGEND
    ws = _status_sheet(wb, [3, 2, 1])
    ws.conditional_formatting.add("H4:H40", IconSetRule("3ArrowsGray", "num", [1, 2, 3]))
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["ej bedömd"] * 3
    assert ("Blad '1. Unga i riskzon': cell H4, H5 och H6 visar statusen som ett tal med ikoner (villkorsstyrd "
            "formatering); ikonerna läses inte. Skriv statusen med ord (t.ex. Pågår, Klar, Ej påbörjad).") \
        in report.lines


def test_a_number_without_icons_is_still_not_recognised(empty_db, tmp_path):
    wb = _new()
    wb["Instruktion"]["A5"] = LEGEND
    _status_sheet(wb, [3, 2, 1])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["ej bedömd"] * 3
    assert ("Blad '1. Unga i riskzon', cell H4: statusen '3' känns inte igen; statusen togs från uppföljningen."
            in report.lines)


def test_status_words_coloured_by_conditional_formatting_keep_their_words(empty_db, tmp_path):
    # The usual template: a drop-down of words, each coloured by a rule. The word is the
    # status; the rule's colour adds nothing and is not reported as a colour-only status.
    wb = _new()
    ws = _status_sheet(wb, ["Klar", "Pågår", "Ej påbörjad"])
    for word, colour in (("Klar", "00B050"), ("Pågår", "FFFF00"), ("Ej påbörjad", "FF0000")):
        ws.conditional_formatting.add("H4:H40", CellIsRule(operator="equal", formula=[f'"{word}"'],
                                                           fill=PatternFill("solid", bgColor=colour)))
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "påbörjad", "ej uppnådd"]
    assert not any("färg" in line for line in report.lines), report.lines


# --- a visible sheet of drop-down lists -----------------------------------------------------

def test_a_visible_list_sheet_with_coloured_status_words_is_a_legend(empty_db, tmp_path):
    # Decided: 'Genomförd' on green on a sheet the coordinator sees says what green means,
    # as a sheet called 'Förklaring' with the same cells does (hunt 4). The report says
    # where the legend was found, and that the sheet gave only that.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [r[:6] + [None, None] for r in ROWS])
    ws.cell(3, 8, "Status")
    ws["H4"].fill, ws["H5"].fill = GREEN, YELLOW
    _lists_sheet(wb).sheet_state = "visible"
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "påbörjad"]
    assert ("Färgförklaringen i arbetsboken: gul = påbörjad (blad 'Listor', cell A3), "
            "grön = uppnådd (blad 'Listor', cell A4).") in report.lines
    assert "Blad 'Listor' har ingen rubrikrad; bara dess färgförklaring lästes." in report.lines


def test_a_visible_list_sheet_of_words_only_is_no_legend(empty_db, tmp_path):
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [r[:6] + [None, None] for r in ROWS])
    ws.cell(3, 8, "Status")
    ws["H4"].fill = GREEN
    lists = _lists_sheet(wb)
    lists.sheet_state = "visible"
    lists["A3"].fill = lists["A4"].fill = PatternFill()
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["ej bedömd", "ej bedömd"]
    assert any(line.startswith("Blad '1. Unga i riskzon': cell H4 visar statusen bara med färg")
               for line in report.lines), report.lines
    assert "Blad 'Listor' har ingen rubrikrad och lästes inte." in report.lines


def test_a_visible_list_sheet_that_contradicts_the_legend_reads_no_colour(empty_db, tmp_path):
    # The list sheet colours 'Genomförd' green, the legend says green is 'pågår': the
    # workbook contradicts itself, so green is not read and the report says where.
    wb = _new()
    wb["Instruktion"]["A5"] = "Grön = pågår"
    ws = _sheet(wb, "1. Unga i riskzon", [r[:6] + [None, None] for r in ROWS])
    ws.cell(3, 8, "Status")
    ws["H4"].fill = GREEN
    _lists_sheet(wb).sheet_state = "visible"
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["ej bedömd", "ej bedömd"]
    assert any(line.startswith("Färgförklaringen ger färgen grön olika betydelser") for line in report.lines)


# --- a kommun's own template ------------------------------------------------------------------

def _logo() -> Image:
    from PIL import Image as Picture
    buffer = io.BytesIO()
    Picture.new("RGB", (60, 30), "navy").save(buffer, "PNG")
    buffer.seek(0)
    return Image(buffer)


def test_a_kommuns_own_template_with_cover_log_panes_filter_and_a_comment_column(empty_db, tmp_path):
    wb = _new()
    cover = wb["Instruktion"]
    cover.title = "Framsida"
    cover.add_image(_logo(), "F1")
    cover["A5"] = "Tyresö kommun i samverkan med lokalpolisområde Nacka. Beslutad 2025-02-10."
    log = wb.create_sheet("Ändringslogg")
    for line in (["Version", "Datum", "Ändring", "Av"], [1, "2025-02-10", "Första version", "Anna"],
                 [2, "2025-08-28", "Uppföljning T2 inlagd", "Anna"]):
        log.append(line)
    ws = wb.create_sheet("1. Unga i riskzon")
    ws["A1"] = UNGA
    for c, text in enumerate(["Problemområde", "Orsak", "Åtgärd", "Operativa mål", "När", "Vem",
                              "Uppföljning T1", "Kommentar", "Uppföljning T2", "Status"], start=1):
        ws.cell(3, c, text)
    for r, line in enumerate([
        ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", "Start i mars.",
         "Fråga Anna om lokalen", "41 deltagare.", "Klar"],
        [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", "Planering.", None, "12 pass.",
         "Pågår"],
    ], start=4):
        for c, value in enumerate(line, start=1):
            if value is not None:
                ws.cell(r, c, value)
    ws.freeze_panes = "C4"
    ws.auto_filter.ref = "A3:J5"
    ws.print_area = "A1:J5"
    ws.print_title_rows = "3:3"
    choice = DataValidation(type="list", formula1='"Ej påbörjad,Pågår,Klar"', allow_blank=True)
    ws.add_data_validation(choice)
    choice.add("J4:J200")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [(UNGA, "Otrygghet", "Läxhjälp", "uppnådd"),
                                   (UNGA, "Otrygghet", "Nattvandring", "påbörjad")]
    # The two follow-up rounds are read; the comment between them is no follow-up.
    assert rows(empty_db, "SELECT round, text FROM measure_followup ORDER BY measure_id, round") == [
        ("T1", "Start i mars."), ("T2", "41 deltagare."), ("T1", "Planering."), ("T2", "12 pass.")]
    # ... but the coordinator is told it was not read, without its text.
    assert ("Blad '1. Unga i riskzon': kolumn H ('Kommentar') har text men lästes inte; den hör inte till "
            "planens kolumner.") in report.lines
    assert not any("Fråga Anna" in line for line in report.lines)
    assert "Blad 'Ändringslogg' har ingen rubrikrad och lästes inte." in report.lines
    assert not any("Framsida" in line for line in report.lines), report.lines


# --- a drop-down's options as templates write them ---------------------------------------------

@pytest.mark.parametrize(("options", "expected"), [
    # Numbered options keep the list in order in the drop-down.
    (["3. Genomförd", "2 - Pågår", "1) Ej påbörjad"], ["uppnådd", "påbörjad", "ej uppnådd"]),
    (["(3) Klar", "2 – Pågår", "1.Ej startad"], ["uppnådd", "påbörjad", "ej uppnådd"]),
    # A coloured sign before or after the word: the word is the status.
    (["🟢 Genomförd", "🟡 Pågår", "🔴 Ej påbörjad"], ["uppnådd", "påbörjad", "ej uppnådd"]),
    (["Klar ✅", "Pågår ⏳", "Ej påbörjad ❌"], ["uppnådd", "påbörjad", "ej uppnådd"]),
])
def test_numbered_or_marked_drop_down_options_are_read(empty_db, tmp_path, options, expected):
    # Before: "statusen '3. Genomförd' känns inte igen" for each, and the status came from
    # the follow-up text ('ej bedömd' here).
    wb = _new()
    _status_sheet(wb, options)
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == expected
    assert not any("känns inte igen" in line for line in report.lines), report.lines


@pytest.mark.parametrize("legend", [True, False])
def test_a_coloured_circle_alone_is_a_colour(empty_db, tmp_path, legend):
    # "🟢" chosen from the drop-down is a colour, as the word "Grön" is: read by the
    # legend, and without one named, never guessed.
    wb = _new()
    if legend:
        wb["Instruktion"]["A5"] = LEGEND
    _status_sheet(wb, ["🟢", "🟡", "🔴"])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == (
        ["uppnådd", "påbörjad", "ej uppnådd"] if legend else ["ej bedömd"] * 3)
    assert not any("känns inte igen" in line for line in report.lines), report.lines
    if not legend:
        assert any(line.startswith("Blad '1. Unga i riskzon': cell H4, H5 och H6 visar statusen bara med färg")
                   for line in report.lines), report.lines


@pytest.mark.parametrize(("option", "status", "said"), [
    # No option, but a status word among other words: read cautiously (hunt 8), never as
    # a better status than the word, and reported; 'Genomförd' with words around it may
    # be qualified by them, so the cell does not decide.
    ("2025 Pågår", "påbörjad", "lästes försiktigt som 'påbörjad'"),
    ("3 Genomförd i mars med 20 deltagare", "ej bedömd", "är osäker (uppnådd?) och lästes inte"),
    ("🟢 Arbetet pågår.", "påbörjad", "lästes försiktigt som 'påbörjad'"),
])
def test_what_only_looks_like_an_option_is_still_not_an_option(empty_db, tmp_path, option, status, said):
    wb = _new()
    _status_sheet(wb, [option, "Pågår", "Pågår"])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)][0] == status
    assert any("cell H4: statusen" in line and said in line for line in report.lines), report.lines


# --- a status written as a number, explained in its column's header ------------------------------

@pytest.mark.parametrize("header", [
    "Status\n1 = Ej påbörjad\n2 = Pågår\n3 = Genomförd",
    "Status (1 = ej påbörjad, 2 = pågår, 3 = klar)",
    "Status 1–3\n1: Ej startad. 2: Pågår. 3: Genomförd.",
])
def test_numbers_explained_in_the_status_header_are_read(empty_db, tmp_path, header):
    # Before: "statusen '3' känns inte igen" for each measure. The column's own header
    # says what each number means, so nothing is guessed.
    wb = _new()
    ws = _status_sheet(wb, [3, 2, 1])
    ws.cell(3, 8, header)
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "påbörjad", "ej uppnådd"]
    assert not any("känns inte igen" in line for line in report.lines), report.lines
    assert ("Blad '1. Unga i riskzon': statusen lästes från talen i kolumn H enligt rubriken "
            "(1 = ej uppnådd, 2 = påbörjad, 3 = uppnådd).") in report.lines


def test_numbers_with_icons_explained_in_the_header_need_no_colour_legend(empty_db, tmp_path):
    wb = _new()
    ws = _status_sheet(wb, [3, 2, 1])
    ws.cell(3, 8, "Status\n1 = Ej påbörjad\n2 = Pågår\n3 = Genomförd")
    ws.conditional_formatting.add("H4:H40", IconSetRule("3TrafficLights1", "num", [1, 2, 3]))
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "påbörjad", "ej uppnådd"]
    assert not any("färg" in line for line in report.lines), report.lines


def test_a_number_the_header_does_not_explain_is_not_recognised(empty_db, tmp_path):
    wb = _new()
    ws = _status_sheet(wb, [4, 2, "Klar"])
    ws.cell(3, 8, "Status\n1 = Ej påbörjad\n2 = Pågår\n3 = Genomförd")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["ej bedömd", "påbörjad", "uppnådd"]
    assert ("Blad '1. Unga i riskzon', cell H4: statusen '4' känns inte igen; statusen togs från uppföljningen."
            in report.lines)


# --- what the Åtgärder page shows for a measure whose status is not in its follow-up text ------

def test_the_last_rounds_status_is_the_measures_status(empty_db, tmp_path):
    # The entries keep their own assessment ('ej bedömd': "40 deltagare." assesses
    # nothing), the measure's status is the Status column's 'Klar'. The page's "status nu"
    # says uppnådd; its round table, flow chart and "står still" list read the mart,
    # which should agree at the plan's last round, as its own comment promises.
    import duckdb

    from pipelines import marts
    wb = _new()
    _status_sheet(wb, ["Klar", "Pågår", None])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    with duckdb.connect(str(empty_db)) as con:
        marts.refresh(con)
        got = con.execute("""SELECT m.title, m.status, arg_max(r.status, r.round_no) FROM mart_measure_round r
                             JOIN measure m USING (measure_id) GROUP BY m.source_row, m.title, m.status
                             ORDER BY m.source_row""").fetchall()
    assert rows(empty_db, "SELECT DISTINCT status FROM measure_followup") == [("ej bedömd",)]
    assert got == [("Läxhjälp", "uppnådd", "uppnådd"), ("Nattvandring", "påbörjad", "påbörjad"),
                   ("Belysning", "ej bedömd", "ej bedömd")]


def test_a_column_numbering_the_measures_is_not_reported(empty_db, tmp_path):
    # 'Nr' with 1, 2, 3 loses no text: no report line about it (a 'Kommentar' column is
    # named, see the kommun template above).
    wb = _new()
    ws = _status_sheet(wb, ["Klar", "Pågår", "Pågår"])
    ws.cell(3, 9, "Nr")
    for r, n in ((4, 1), (5, 2), (6, "2.1")):
        ws.cell(r, 9, n)
    ws.cell(3, 10, "Kostnad")
    ws.cell(5, 10, "Ingår i budget")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert not any("('Nr')" in line for line in report.lines), report.lines
    assert ("Blad '1. Unga i riskzon': kolumn J ('Kostnad') har text men lästes inte; den hör inte till "
            "planens kolumner.") in report.lines


# --- follow-up columns named by their date ---------------------------------------------------------

@pytest.mark.parametrize(("headers", "expected"), [
    # Before: no round from these headers, so each cell was an undated VB entry.
    (["Uppföljning 2025-04-30", "Uppföljning 2025-08-31"],
     [("2025-04-30", "T1", "Start i mars."), ("2025-08-31", "T2", "41 deltagare.")]),
    (["Uppföljning 250430", "Uppföljning 250831"],
     [("2025-04-30", "T1", "Start i mars."), ("2025-08-31", "T2", "41 deltagare.")]),
    (["Uppföljning 30/4", "Uppföljning 31/8"],
     [("2025-04-30", "T1", "Start i mars."), ("2025-08-31", "T2", "41 deltagare.")]),
    # Numbered as in a cell ("Uppföljning 1:" is T1).
    (["Uppföljning 1", "Uppföljning 2"], [(None, "T1", "Start i mars."), (None, "T2", "41 deltagare.")]),
])
def test_follow_up_columns_named_by_their_date(empty_db, tmp_path, headers, expected):
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef",
                                           "Start i mars.", "41 deltagare."]])
    for c, header in enumerate(headers, start=7):
        ws.cell(3, c, header)
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    got = rows(empty_db, "SELECT followup_date, round, text FROM measure_followup ORDER BY round")
    assert [(str(d) if d else None, r, t) for d, r, t in got] == expected


def test_a_header_naming_every_round_still_names_none(empty_db, tmp_path):
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef",
                                           "Eventuella avvikelser lyfts i OLG."]])
    ws.cell(3, 7, "Uppföljning T1–T3 och VB")
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT followup_date, round, text FROM measure_followup") == [
        (None, "VB", "Eventuella avvikelser lyfts i OLG.")]


@pytest.mark.parametrize("placeholder", ["Välj status", "- Välj -", "Välj…", "Välj i listan", "[Välj]"])
def test_a_drop_downs_placeholder_is_no_status(empty_db, tmp_path, placeholder):
    # Before: "statusen 'Välj status' känns inte igen" for every measure not yet assessed.
    # The placeholder says nothing: the follow-up text (or a colour) gives the status.
    wb = _new()
    ws = _status_sheet(wb, [placeholder, placeholder, "Klar"])
    ws["G4"] = "VB: Åtgärden bedöms vara påbörjad."
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["påbörjad", "ej bedömd", "uppnådd"]
    assert not any("känns inte igen" in line for line in report.lines), report.lines


def test_a_coloured_placeholder_is_read_by_the_legend(empty_db, tmp_path):
    wb = _new()
    wb["Instruktion"]["A5"] = LEGEND
    ws = _status_sheet(wb, ["Välj status", "Välj status", "Klar"])
    ws["H4"].fill = GREEN
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "ej bedömd", "uppnådd"]
