"""The plan's kommun as the workbook itself writes it.

Many plans carry their metadata above the table or on a cover sheet: "Kommun: Ludvika",
"Kommun" in one cell and the name in the next, or a title "Åtgärdsplan Ludvika kommun
2025" above an area's table. Before, only the options, a sidecar, the file name and the
first sheet's first cell were read, so such a workbook named "plan.xlsx" was refused
("kommunen kunde inte avgöras"), and an own area's sheet took "Kommun: Ludvika" for its
name. Each test builds the workbook in code and loads it through the real loader.
"""

from __future__ import annotations

import openpyxl
import pytest
from helpers import refused, rows

from pipelines.loading import ingest
from tests.test_atgardsplan import HEADER, UNGA
from tests.test_atgardsplan_hunt3 import _new, _save

LUDVIKA, SMEDJEBACKEN, STOCKHOLM = "2085", "2061", "0180"
MEASURES = [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare", "2025", "Fritid",
             "VB: Pågår"]]


def _plan(path, above: list[list], first: str | None = UNGA, cover: list[list] | None = None,
          title: str = "Åtgärdsplan 2025", sheet: str = "1. Unga i riskzon"):
    """A workbook: the instructions sheet (``title`` in A1, then ``cover``'s rows from row
    3), and an area sheet with ``first`` in A1, ``above`` from row 2, the header under it."""
    wb = _new()
    wb["Instruktion"]["A1"] = title
    for r, row in enumerate(cover or [], start=4):
        for c, value in enumerate(row, start=1):
            wb["Instruktion"].cell(r, c, value)
    ws = wb.create_sheet(sheet)
    if first:
        ws["A1"] = first
    for r, row in enumerate(above, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    header_row = len(above) + 3
    for c, text in enumerate(HEADER, start=1):
        ws.cell(header_row, c, text)
    for r, row in enumerate(MEASURES, start=header_row + 1):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    return _save(wb, path)


def _load(db, path, **options):
    [report] = ingest(db, [path], options={"year": 2025, **options})
    assert report.status == "ok", report.lines
    return report


def _plan_row(db) -> list[tuple]:
    return rows(db, "SELECT kommun_code, kommun_codes, organisation, lpo_codes FROM plan")


@pytest.mark.parametrize(("above", "cover", "where"), [
    ([["Kommun: Ludvika"]], None, "blad '1. Unga i riskzon', cell A2"),
    ([["Kommun", "Ludvika kommun"]], None, "blad '1. Unga i riskzon', cell B2"),
    ([["Kommun:", None, "2085"]], None, "blad '1. Unga i riskzon', cell C2"),
    # A cover sheet's block of metadata, one line each in a cell.
    ([], [["Kommun: Ludvika\nLPO: Ludvika\nÅr: 2025"]], "blad 'Instruktion', cell A4"),
])
def test_a_kommun_cell_gives_the_plans_kommun(empty_db, tmp_path, above, cover, where):
    report = _load(empty_db, _plan(tmp_path / "plan.xlsx", above, cover=cover))
    assert _plan_row(empty_db) == [(LUDVIKA, [LUDVIKA], "Ludvika kommun", ["LPO-LUDVIKA"])]
    assert f"kommun – arbetsboken ({where})" in report.lines[1]
    assert not [line for line in report.lines if line.startswith("Varning")]


def test_a_title_above_an_area_table_gives_the_kommun(empty_db, tmp_path):
    # The instructions sheet says only "Åtgärdsplan 2025"; the area sheet's title names
    # the kommun, and the area's name stands under it.
    path = _plan(tmp_path / "plan.xlsx", [[UNGA]], first="Åtgärdsplan Ludvika kommun 2025")
    report = _load(empty_db, path)
    assert _plan_row(empty_db) == [(LUDVIKA, [LUDVIKA], "Ludvika kommun", ["LPO-LUDVIKA"])]
    assert "kommun – titeln i arbetsboken (blad '1. Unga i riskzon', cell A1)" in report.lines[1]
    assert rows(empty_db, "SELECT DISTINCT prioritised_area FROM measure") == [(UNGA,)]


def test_a_given_kommun_wins_over_the_cell_and_the_report_says_so(empty_db, tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [["Kommun:", "Ludvika"]])
    report = _load(empty_db, path, kommun="0180", lpo=["Farsta"])
    assert _plan_row(empty_db) == [(STOCKHOLM, [STOCKHOLM], "Stockholms kommun", ["LPO-FARSTA"])]
    assert ("Varning: arbetsboken anger kommunen Ludvika (2085) (blad '1. Unga i riskzon', cell B2), men planen "
            "sparades för Stockholm (0180) enligt kommandoradens flaggor. Kontrollera vilken som är rätt."
            ) in report.lines
    # The same from a sidecar; and no line when the cell agrees with the option.
    path.with_name("plan.xlsx.toml").write_text('kommun = "0180"\n', encoding="utf-8")
    report = _load(empty_db, path)
    assert [line for line in report.lines if line.startswith("Varning")] == [
        "Varning: arbetsboken anger kommunen Ludvika (2085) (blad '1. Unga i riskzon', cell B2), men planen sparades "
        "för Stockholm (0180) enligt sidofilen plan.xlsx.toml. Kontrollera vilken som är rätt."]
    report = _load(empty_db, path, kommun="Ludvika")
    assert not [line for line in report.lines if line.startswith("Varning")]


def test_the_cell_wins_over_the_file_name_and_the_report_says_so(empty_db, tmp_path):
    # A neighbour's plan reused as the template: the file name still names Smedjebacken.
    report = _load(empty_db, _plan(tmp_path / "Åtgärdsplan Smedjebacken 2025.xlsx", [["Kommun: Ludvika"]]))
    assert _plan_row(empty_db) == [(LUDVIKA, [LUDVIKA], "Ludvika kommun", ["LPO-LUDVIKA"])]
    assert ("Varning: filnamnet nämner kommunen Smedjebacken (2061), men planen sparades för Ludvika (2085) enligt "
            "arbetsboken (blad '1. Unga i riskzon', cell A2). Kontrollera vilken som är rätt.") in report.lines


def test_a_shared_plans_kommun_cells(empty_db, tmp_path):
    # One cell naming both kommuner: the shared plan, as --kommun "Ludvika och Smedjebacken".
    report = _load(empty_db, _plan(tmp_path / "plan.xlsx", [["Kommuner: Ludvika och Smedjebacken"]]))
    assert _plan_row(empty_db) == [(LUDVIKA, [LUDVIKA, SMEDJEBACKEN], "Ludvika kommun och Smedjebackens kommun",
                                    ["LPO-LUDVIKA"])]
    assert not [line for line in report.lines if line.startswith("Varning")]
    # A cell per kommun (the cover names one, the area sheet the other): their shared plan,
    # said as a warning, as a file name naming both is.
    path = _plan(tmp_path / "plan2.xlsx", [["Kommun", "Smedjebacken"]], cover=[["Kommun: Ludvika"]])
    report = _load(empty_db, path)
    assert rows(empty_db, "SELECT kommun_codes FROM plan WHERE source_file = 'plan2.xlsx'") == [
        ([LUDVIKA, SMEDJEBACKEN],)]
    assert ("Varning: arbetsboken anger olika kommuner (Ludvika (2085) i blad 'Instruktion', cell A4; Smedjebacken "
            "(2061) i blad '1. Unga i riskzon', cell B2); planen sparades som deras gemensamma. Ange --kommun om den "
            "bara gäller en av dem.") in report.lines
    # Given as shared, a cell naming one of its kommuner is no conflict.
    report = _load(empty_db, path, kommun="Ludvika och Smedjebacken")
    assert not [line for line in report.lines if line.startswith("Varning")]


def test_an_own_areas_sheet_is_not_named_after_the_kommun_cell(empty_db, tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [["Kommun", "Ludvika"], ["Våld i nära relationer"]],
                 first="[Eget prioriterat område]", sheet="6. Eget område")
    _load(empty_db, path)
    assert rows(empty_db, "SELECT DISTINCT prioritised_area FROM measure") == [("Våld i nära relationer",)]


def test_a_kommun_cell_naming_no_kommun_is_named_in_the_refusal(empty_db, tmp_path):
    message = refused(empty_db, _plan(tmp_path / "plan.xlsx", [["Kommun: Ludvka"]]), options={"year": 2025})
    assert message == ("plan.xlsx: kommunen kunde inte avgöras (blad '1. Unga i riskzon', cell A2 ('Ludvka') är ingen "
                       "kommun som känns igen). Ange den med --kommun (t.ex. --kommun 0180) eller i en sidofil "
                       "plan.xlsx.toml.")
    # A template's placeholder is no kommun and is not named, the guidance on an
    # instructions sheet is no title, and an example sheet is not the plan's.
    path = _plan(tmp_path / "mall.xlsx", [], cover=[["Kommun: [Ange kommunens namn]"],
                                                    ["Mallen är framtagen av Falu kommun"]])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Exempel på ifyllnad")["A1"] = "Kommun: Ludvika"
    wb.save(path)
    assert refused(empty_db, path, options={"year": 2025}) == (
        "mall.xlsx: kommunen kunde inte avgöras. Ange den med --kommun (t.ex. --kommun 0180) eller i en sidofil "
        "mall.xlsx.toml.")


def test_the_file_name_wins_over_a_title_naming_another_kommun_and_the_report_says_so(empty_db, tmp_path):
    path = _plan(tmp_path / "Åtgärdsplan Smedjebacken 2025.xlsx", [], title="Åtgärdsplan Ludvika kommun 2025")
    report = _load(empty_db, path)
    assert _plan_row(empty_db) == [(SMEDJEBACKEN, [SMEDJEBACKEN], "Smedjebackens kommun", ["LPO-LUDVIKA"])]
    assert ("Varning: titeln i arbetsboken (blad 'Instruktion', cell A1) nämner kommunen Ludvika (2085), men planen "
            "sparades för Smedjebacken (2061) enligt filnamnet. Kontrollera vilken som är rätt.") in report.lines
