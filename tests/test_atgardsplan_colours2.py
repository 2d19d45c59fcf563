"""Two loose ends of the action plan's colour legend, as a coordinator meets them.

1. The legend typed into the table's own columns under the last measure ("Grön =
   genomförd" in the Åtgärd column, a coloured cell beside "Pågår", often after an empty
   row and under "Förklaring:") is the legend, not a measure, a problem or a cause.
2. A measure over several rows whose status cells carry different colours gets no
   status from them when the colours give different statuses, and the report names
   the cells.

Each test builds the workbook with openpyxl, loads it into a fresh database and checks
the measures, the counts and the report.
"""

from __future__ import annotations

import pytest
from helpers import rows

from tests.test_atgardsplan_colours import ROWS, UNGA_SHEET, _plan, _statuses, fill
from tests.test_atgardsplan_hunt3 import _load, _new, _save, _sheet

READ_BY_COLOUR = (f"Blad '{UNGA_SHEET}': statusen lästes från färgen i cell H4 (grön), H5 (gul) och H6 (röd) "
                  "enligt färgförklaringen.")
THREE_STATUSES = [("Läxhjälp", "uppnådd"), ("Nattvandring", "påbörjad"), ("Belysning", "ej uppnådd")]


def _counts(db) -> list[tuple]:
    return rows(db, "SELECT problems, causes, measures FROM plan_analysis")


# --- 1. a legend under the table, in the table's own columns -----------------------------

def _words_in_the_measure_column(wb, ws):
    # After an empty row (7), one colour a row in the Åtgärd column.
    ws["C8"] = "Grön = genomförd"
    ws["C9"] = "Gul = pågår"
    ws["C10"] = "Röd = ej påbörjad"


def _headed_words_in_the_problem_column(wb, ws):
    ws["A8"] = "Förklaring:"
    ws["C9"] = "Grönt: genomförd"
    ws["C10"] = "Gult – pågår"
    ws["C11"] = "Rött – ej startad"


def _one_cell_directly_under_the_last_measure(wb, ws):
    ws["C7"] = "Grön = klar, gul = pågår, röd = ej påbörjad"


def _lines_in_the_problem_column(wb, ws):
    ws["A8"] = "Förklaring:\nGrönt: genomförd\nGult – pågår\nRöd – ej startad"


def _swatches_beside_words(wb, ws):
    ws["C8"] = "Teckenförklaring"
    for row, (rgb, words) in enumerate((("00B050", "Genomförd"), ("FFFF00", "Pågår"), ("FF0000", "Ej påbörjad")),
                                       start=9):
        ws.cell(row, 2).fill = fill(rgb)
        ws.cell(row, 3, words)


def _words_in_their_own_colour(wb, ws):
    for row, (rgb, words) in enumerate((("00B050", "Genomförd"), ("FFFF00", "Pågår"), ("FF0000", "Ej påbörjad")),
                                       start=8):
        ws.cell(row, 3, words).fill = fill(rgb)


@pytest.mark.parametrize("legend", [_words_in_the_measure_column, _headed_words_in_the_problem_column,
                                    _one_cell_directly_under_the_last_measure, _lines_in_the_problem_column,
                                    _swatches_beside_words, _words_in_their_own_colour])
def test_a_legend_under_the_table_is_the_legend_not_a_measure(empty_db, tmp_path, legend):
    # Before: each legend row was a measure of its own ('Grön = genomförd', 'Pågår', …)
    # or a problem, so Åtgärder showed it and the counts were off.
    report = _load(empty_db, _save(_plan(legend), tmp_path / "plan.xlsx"))
    assert _statuses(empty_db) == THREE_STATUSES
    assert _counts(empty_db) == [(1, 3, 3)]
    assert READ_BY_COLOUR in report.lines
    assert any(line.startswith("3 åtgärder i 1 prioriterade områden") for line in report.lines)
    assert report.rows_rejected == 0
    assert any(line.startswith(f"Blad '{UNGA_SHEET}': rad ") and "färgförklaring" in line
               and "lästes inte som åtgärder" in line for line in report.lines)


def test_the_report_names_the_legend_rows(empty_db, tmp_path):
    report = _load(empty_db, _save(_plan(_headed_words_in_the_problem_column), tmp_path / "plan.xlsx"))
    assert (f"Blad '{UNGA_SHEET}': rad 8, 9, 10 och 11 är en färgförklaring och lästes inte som åtgärder."
            in report.lines)


def test_measures_that_start_with_a_colour_word_stay_measures(empty_db, tmp_path):
    wb = _new()
    ws = _sheet(wb, UNGA_SHEET, ROWS + [
        [None, "Otrygga parker", "Grönområden: fler vuxna ute kvällstid.", None, None, None, None, None],
        [None, "Få fritidsaktiviteter", "Röda korset: läxhjälp två kvällar.", None, None, None, None, None],
        [None, "Mörker", "Gul – väst till alla nattvandrare.", None, None, None, None, None],
        [None, "Otrygghet", "Grön = genomförd", "Mål", 2025, "Chef", None, None],  # a row with more: data
    ])
    ws.cell(3, 8, "Status")
    ws["C12"] = "Grön = genomförd, gul = pågår, röd = ej påbörjad"
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [title for title, _ in _statuses(empty_db)] == [
        "Läxhjälp", "Nattvandring", "Belysning", "Grönområden", "Röda korset", "Gul – väst till alla nattvandrare",
        "Grön = genomförd"]
    assert f"Blad '{UNGA_SHEET}': rad 12 är en färgförklaring och lästes inte som åtgärder." in report.lines


def test_a_heading_alone_without_a_legend_under_it_stays_what_it_was(empty_db, tmp_path):
    # "Förklaring" with no legend under it is no legend heading: the row is read as before
    # (a problem on a row of its own).
    def legend(wb, ws):
        ws["A8"] = "Förklaring"
    report = _load(empty_db, _save(_plan(legend), tmp_path / "plan.xlsx"))
    assert _counts(empty_db) == [(2, 3, 3)]
    assert not any("färgförklaring och lästes inte" in line for line in report.lines)


# --- 2. a measure whose status cells carry different colours ------------------------------

def _merged_measure(status_fills: tuple[str, str], legend: str):
    """Läxhjälp answers two causes (C4:C5 merged); its status cells H4 and H5 are filled."""
    wb = _new()
    ws = _sheet(wb, UNGA_SHEET, [ROWS[0], [None, "Droghandel", None, None, None, None, None, None], ROWS[2]])
    ws.cell(3, 8, "Status")
    ws.merge_cells("C4:C5")
    for row, rgb in zip((4, 5), status_fills, strict=True):
        ws.cell(row, 8).fill = fill(rgb)
    ws["H6"].fill = fill("FF0000")
    ws["J2"] = legend
    return wb


@pytest.mark.parametrize(("second", "family"), [("FFFF00", "gul"), ("4472C4", "blå")])  # blue: not in the legend
def test_status_cells_of_one_measure_in_colours_that_disagree_give_no_status(empty_db, tmp_path, second, family):
    # Before: the first cell's colour (green) was used and the other one ignored.
    wb = _merged_measure(("00B050", second), "Grön = genomförd, gul = pågår, röd = ej påbörjad")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _statuses(empty_db) == [("Läxhjälp", "ej bedömd"), ("Belysning", "ej uppnådd")]
    assert (f"Blad '{UNGA_SHEET}', rad 4: åtgärdens statusceller har färger med olika betydelse i "
            f"färgförklaringen (H4 grön, H5 {family}); statusen lästes inte från färgen. Ge cellerna samma färg "
            "eller skriv statusen med ord.") in report.lines
    assert f"Blad '{UNGA_SHEET}': statusen lästes från färgen i cell H6 (röd) enligt färgförklaringen." \
        in report.lines


@pytest.mark.parametrize(("fills", "legend"), [
    (("00B050", "92D050"), "Grön = genomförd, röd = ej påbörjad"),  # two greens: one colour
    (("00B050", "FFFF00"), "Grön = genomförd, gul = klar, röd = ej påbörjad"),  # two colours, one status
])
def test_status_cells_that_agree_on_the_status_give_it(empty_db, tmp_path, fills, legend):
    report = _load(empty_db, _save(_merged_measure(fills, legend), tmp_path / "plan.xlsx"))
    assert _statuses(empty_db) == [("Läxhjälp", "uppnådd"), ("Belysning", "ej uppnådd")]
    assert not any("olika betydelse" in line for line in report.lines)
