"""A measure's status shown only as a fill colour (trafikljus) in an action-plan workbook.

Many kommuner mark the status green, yellow or red and explain the colours in a legend
somewhere in the workbook ("Grön = genomförd", a coloured cell beside "Pågår", often on a
"Förklaring" sheet or under the table). Each test builds such a workbook with openpyxl,
loads it into a fresh database and checks the statuses and the report a coordinator
reads: which cells were read by colour, by which legend, and which were not.
"""

from __future__ import annotations

import pytest
from openpyxl.styles import Color, PatternFill

from pipelines.readers.atgardsplan import hue_family
from tests.test_atgardsplan_hunt3 import _load, _measures, _new, _save, _sheet

UNGA_SHEET = "1. Unga i riskzon"
ROWS = [
    ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", None, None],
    [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", "250828: 12 pass.", None],
    [None, "Mörker", "Belysning: Nya lampor.", "Mål", 2025, "Chef", None, None],
]


def fill(rgb: str) -> PatternFill:
    return PatternFill("solid", fgColor=rgb)


def _plan(legend=None, status_fills=("92D050", "FFFF00", "C00000")):
    """The three measures above with a Status column (H) whose cells are only coloured,
    and ``legend(wb, ws)`` drawing the workbook's legend."""
    wb = _new()
    ws = _sheet(wb, UNGA_SHEET, ROWS)
    ws.cell(3, 8, "Status")
    for row, rgb in zip((4, 5, 6), status_fills, strict=True):
        ws.cell(row, 8).fill = rgb if isinstance(rgb, PatternFill) else fill(rgb)
    if legend:
        legend(wb, ws)
    return wb


def _statuses(db) -> list[tuple[str, str]]:
    return [(m[2], m[3]) for m in _measures(db)]


def _legend_sheet(wb, ws):
    sheet = wb.create_sheet("Förklaring")
    sheet["B1"] = "Färgkoder för status"
    for row, (rgb, words) in enumerate((("00B050", "Genomförd"), ("FFC000", "Pågår/påbörjad"),
                                        ("FF0000", "Ej påbörjad")), start=2):
        sheet.cell(row, 2).fill = fill(rgb)
        sheet.cell(row, 3, words)


def _legend_in_words_one_cell(wb, ws):
    ws["J2"] = "Grön = klar, gul = pågår, röd = ej påbörjad"


def _legend_in_words_lines(wb, ws):
    ws["A10"] = "Förklaring:\nGrönt: genomförd\nGult – pågår\nRöd – ej startad"


def _legend_in_sentences(wb, ws):
    ws["B10"] = "Grön – Åtgärden är genomförd"
    ws["B11"] = "Gul – Arbetet pågår"
    ws["B12"] = "Röd – Åtgärden är inte påbörjad"


def _legend_words_in_their_own_colour(wb, ws):
    sheet = wb.create_sheet("Instruktion status")
    for row, (rgb, words) in enumerate((("00B050", "Genomförd"), ("FFFF00", "Pågår"), ("FF0000", "Ej påbörjad")),
                                       start=2):
        sheet.cell(row, 1, words).fill = fill(rgb)


def _legend_merged_swatches(wb, ws):
    for row, (rgb, words) in enumerate((("00B050", "Klar"), ("FFFF00", "Pågår"), ("FF0000", "Ej startad")), start=9):
        ws.cell(row, 10).fill = fill(rgb)
        ws.merge_cells(start_row=row, start_column=10, end_row=row, end_column=11)
        ws.cell(row, 12, words)


def _legend_words_left_of_colour(wb, ws):
    for row, (words, rgb) in enumerate((("Klar", "00B050"), ("Pågår", "FFFF00"), ("Ej påbörjad", "FF0000")),
                                       start=9):
        ws.cell(row, 10, words)
        ws.cell(row, 11).fill = fill(rgb)


@pytest.mark.parametrize("legend", [_legend_sheet, _legend_in_words_one_cell, _legend_in_words_lines,
                                    _legend_in_sentences, _legend_words_in_their_own_colour,
                                    _legend_merged_swatches, _legend_words_left_of_colour])
def test_a_colour_only_status_is_read_by_the_workbooks_legend(empty_db, tmp_path, legend):
    # Before: all three stayed 'ej bedömd', whatever the legend said. The greens differ
    # from the legend's own (92D050 against 00B050), as they do in real files.
    report = _load(empty_db, _save(_plan(legend), tmp_path / "plan.xlsx"))
    assert _statuses(empty_db) == [("Läxhjälp", "uppnådd"), ("Nattvandring", "påbörjad"),
                                   ("Belysning", "ej uppnådd")]
    assert (f"Blad '{UNGA_SHEET}': statusen lästes från färgen i cell H4 (grön), H5 (gul) och H6 (röd) "
            "enligt färgförklaringen.") in report.lines
    assert not any("färger läses inte" in line for line in report.lines)


def test_the_report_names_the_legend_by_sheet_and_cell(empty_db, tmp_path):
    report = _load(empty_db, _save(_plan(_legend_sheet), tmp_path / "plan.xlsx"))
    assert ("Färgförklaringen i arbetsboken: grön = uppnådd (blad 'Förklaring', cell B2), "
            "gul = påbörjad (blad 'Förklaring', cell B3), "
            "röd = ej uppnådd (blad 'Förklaring', cell B4).") in report.lines


def test_theme_colours_are_read_from_the_workbooks_theme(empty_db, tmp_path):
    # "Grön, dekorfärg 3, ljusare 40 %" in the theme openpyxl writes (Office 2007's:
    # accent3 9BBB59 is green, accent6 F79646 orange; in today's Office theme accent6 is
    # green): the file's own theme decides.
    def legend(wb, ws):
        ws["A10"] = "Grön = genomförd"
        ws["A11"] = "Orange = pågår"
    green = PatternFill("solid", fgColor=Color(theme=6, tint=0.3999))
    orange = PatternFill("solid", fgColor=Color(theme=9))
    report = _load(empty_db, _save(_plan(legend, (green, orange, "FF0000")), tmp_path / "plan.xlsx"))
    assert _statuses(empty_db) == [("Läxhjälp", "uppnådd"), ("Nattvandring", "påbörjad"),
                                   ("Belysning", "ej bedömd")]
    # Red is not in this legend: named, not guessed.
    assert (f"Blad '{UNGA_SHEET}': cell H6 visar statusen bara med en färg som färgförklaringen inte tar upp "
            "(röd); statusen lästes inte från färgen. Skriv statusen med ord eller lägg till färgen i "
            "förklaringen.") in report.lines


def test_a_coloured_follow_up_cell_gives_the_status_when_its_text_assesses_nothing(empty_db, tmp_path):
    wb = _new()
    ws = _sheet(wb, UNGA_SHEET, [
        ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", None],
        [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", "VB: Åtgärden bedöms vara påbörjad."],
    ])
    ws["G4"].fill = fill("00B050")
    ws["G5"].fill = fill("00B050")  # the follow-up's words win over its colour
    ws["A10"] = "Grön = genomförd"
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _statuses(empty_db) == [("Läxhjälp", "uppnådd"), ("Nattvandring", "påbörjad")]


def test_a_coloured_follow_up_cell_with_text_that_assesses_nothing_gives_its_status(empty_db, tmp_path):
    # Narrative on yellow and on red, with a legend on the sheet: only an empty cell's
    # colour was read, so both were 'ej bedömd' with no word (hunt 4).
    wb = _new()
    ws = _sheet(wb, UNGA_SHEET, [
        ["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", "250905: 41 deltagare."],
        [None, "Droghandel", "Nattvandring: Fredagar.", "Mål", 2025, "Chef", "250905: Svårt att få vuxna."],
    ])
    ws["G4"].fill = fill("FFFF00")
    ws["G5"].fill = fill("C00000")
    ws["A10"], ws["A11"] = "Gul = pågår", "Röd = ej påbörjad"
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _statuses(empty_db) == [("Läxhjälp", "påbörjad"), ("Nattvandring", "ej uppnådd")]
    assert any("statusen lästes från färgen i cell G4 (gul) och G5 (röd)" in line for line in report.lines)


def test_a_measures_own_coloured_status_beside_a_word_is_no_legend(empty_db, tmp_path):
    # H4 is red next to the follow-up 'Pågår' on the same measure's row: that is the
    # measure's data, not a legend saying red means "pågår".
    wb = _new()
    ws = _sheet(wb, UNGA_SHEET, [["Otrygghet", "Få vuxna", "Läxhjälp: Två kvällar.", "Mål", 2025, "Chef", "Pågår"]])
    ws.cell(3, 8, "Status")
    ws["H4"].fill = fill("FF0000")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _statuses(empty_db) == [("Läxhjälp", "påbörjad")]
    assert (f"Blad '{UNGA_SHEET}': cell H4 visar statusen bara med färg; färger läses inte. "
            "Skriv statusen med ord (t.ex. Pågår, Klar, Ej påbörjad).") in report.lines


@pytest.mark.parametrize("with_legend", [True, False])
def test_a_colour_written_as_a_word_in_the_status_column_is_read_by_the_legend(empty_db, tmp_path, with_legend):
    # Before: "Grön" was reported as a status not recognised, whatever the legend said.
    wb = _new()
    ws = _sheet(wb, UNGA_SHEET, [row[:7] + [word] for row, word in zip(ROWS, ("Grön", "gul", "Röd."), strict=True)])
    ws.cell(3, 8, "Status")
    if with_legend:
        ws["A10"] = "Grön = klar, gul = pågår, röd = ej påbörjad"
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    if with_legend:
        assert _statuses(empty_db) == [("Läxhjälp", "uppnådd"), ("Nattvandring", "påbörjad"),
                                       ("Belysning", "ej uppnådd")]
        assert (f"Blad '{UNGA_SHEET}': statusen lästes från färgen i cell H4 (grön), H5 (gul) och H6 (röd) "
                "enligt färgförklaringen.") in report.lines
    else:
        assert _statuses(empty_db) == [("Läxhjälp", "ej bedömd"), ("Nattvandring", "ej bedömd"),
                                       ("Belysning", "ej bedömd")]
        assert (f"Blad '{UNGA_SHEET}': cell H4, H5 och H6 visar statusen bara med färg; färger läses inte. "
                "Skriv statusen med ord (t.ex. Pågår, Klar, Ej påbörjad).") in report.lines


def test_a_templates_default_status_in_a_colour_is_no_legend(empty_db, tmp_path):
    # The template's Status column is filled down its empty rows with "Ej påbörjad" on
    # the column's green: that says nothing about what green means.
    def legend(wb, ws):
        for row in (8, 9, 10):
            ws.cell(row, 8, "Ej påbörjad").fill = fill("92D050")
    report = _load(empty_db, _save(_plan(legend), tmp_path / "plan.xlsx"))
    assert _statuses(empty_db) == [("Läxhjälp", "ej bedömd"), ("Nattvandring", "ej bedömd"),
                                   ("Belysning", "ej bedömd")]
    assert (f"Blad '{UNGA_SHEET}': cell H4, H5 och H6 visar statusen bara med färg; färger läses inte. "
            "Skriv statusen med ord (t.ex. Pågår, Klar, Ej påbörjad).") in report.lines


def test_a_legend_that_gives_a_colour_two_meanings_is_not_used_for_it(empty_db, tmp_path):
    def legend(wb, ws):
        ws["A10"] = "Grön = genomförd, gul = pågår, röd = ej påbörjad"
        ws["A12"] = "Grön = pågår"
    report = _load(empty_db, _save(_plan(legend), tmp_path / "plan.xlsx"))
    assert _statuses(empty_db) == [("Läxhjälp", "ej bedömd"), ("Nattvandring", "påbörjad"),
                                   ("Belysning", "ej uppnådd")]
    assert ("Färgförklaringen ger färgen grön olika betydelser: uppnådd (blad '1. Unga i riskzon', cell A10); "
            "påbörjad (blad '1. Unga i riskzon', cell A12). Den färgen lästes inte.") in report.lines


@pytest.mark.parametrize(("rgb", "family"), [
    ("00B050", "grön"), ("92D050", "grön"), ("C6EFCE", "grön"), ("E2EFDA", "grön"),  # Excel's greens, 'Bra'
    ("FFFF00", "gul"), ("FFC000", "gul"), ("FFEB9C", "gul"),  # yellow, gold, 'Neutral'
    ("ED7D31", "orange"), ("F4B084", "orange"),
    ("FF0000", "röd"), ("C00000", "röd"), ("FFC7CE", "röd"),  # red, dark red, 'Dålig'
    ("4472C4", "blå"), ("D9D9D9", "grå"), ("FFFFFF", "vit"), ("000000", "svart"),
])
def test_fills_are_grouped_by_the_colour_a_person_names(rgb, family):
    assert hue_family(rgb) == family
