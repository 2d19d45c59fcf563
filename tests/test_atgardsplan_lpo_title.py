"""The plan's LPO as a title line of the workbook names it.

Many plans name their LPO only in a title: "Åtgärdsplan 2025 – Enskede-Årsta-Vantör och
LPO Farsta", "… LPO Globen och LPO Farsta", or a line "LPO Globen och LPO Farsta" above
an area's table, with no "LPO:" cell and no --lpo. The kommun and the year were read from
such titles already; the LPO was not, so a Stockholm plan was stored without an LPO and
counted on no LPO's page. Each test builds the workbook in code and loads it through the
real loader (tests/test_atgardsplan_year_lpo_cell.py has the "LPO:" cell).
"""

from __future__ import annotations

import openpyxl
import pytest
from helpers import open_page, rows

from tests.test_atgardsplan_kommun_cell import _plan
from tests.test_atgardsplan_year_lpo_cell import _load, _warnings

pytestmark = pytest.mark.usefixtures("fast_apptest")

EAV = "Enskede-Årsta-Vantör stadsdelsförvaltning"


def _lpos(db) -> list[tuple]:
    return rows(db, "SELECT kommun_code, organisation, lpo_codes, year FROM plan")


@pytest.mark.parametrize(("first", "title", "lpos", "where"), [
    # The workbook's title, the first sheet's first cell.
    (None, "Åtgärdsplan 2025 – Enskede-Årsta-Vantör och LPO Farsta", ["LPO-FARSTA"], "blad 'Instruktion', cell A1"),
    (None, "Åtgärdsplan 2025 – Enskede-Årsta-Vantör, LPO Globen och LPO Farsta", ["LPO-GLOBEN", "LPO-FARSTA"],
     "blad 'Instruktion', cell A1"),
    (None, "ÅTGÄRDSPLAN 2025  ENSKEDE-ÅRSTA-VANTÖR   LOKALPOLISOMRÅDENA FARSTA OCH GLOBEN",
     ["LPO-FARSTA", "LPO-GLOBEN"], "blad 'Instruktion', cell A1"),
    (None, "Åtgärdsplan 2025 Enskede-Årsta-Vantör / LPO Farsta/Globen", ["LPO-FARSTA", "LPO-GLOBEN"],
     "blad 'Instruktion', cell A1"),
    # A title line above an area's table, the area's name under it.
    ("Åtgärdsplan 2025 för Enskede-Årsta-Vantör stadsdelsförvaltning och lokalpolisområde Globen",
     "Mall", ["LPO-GLOBEN"], "blad '1. Unga i riskzon', cell A1"),
])
def test_a_title_line_gives_the_plans_lpo(empty_db, tmp_path, first, title, lpos, where):
    path = _plan(tmp_path / "plan.xlsx", [["Unga i riskzon för destruktivt beteende"]] if first else [],
                 first=first or "Unga i riskzon för destruktivt beteende", title=title)
    report = _load(empty_db, path)
    assert _lpos(empty_db) == [("0180", EAV, lpos, 2025)]
    assert f"LPO – titeln i arbetsboken ({where})" in report.lines[1]
    assert not _warnings(report)


def test_a_line_of_its_own_above_the_table_names_the_lpo_and_is_no_areas_name(empty_db, tmp_path):
    # An own area's sheet: its name, then the plan's LPOs on a line of their own.
    path = _plan(tmp_path / "plan.xlsx", [["LPO Globen och LPO Farsta"], ["Hökarängen centrum"]],
                 first="[Eget prioriterat område]", sheet="6. Eget område", title="Åtgärdsplan 2025")
    report = _load(empty_db, path, kommun="0180")
    assert _lpos(empty_db) == [("0180", "Stockholms kommun", ["LPO-GLOBEN", "LPO-FARSTA"], 2025)]
    assert "LPO – titeln i arbetsboken (blad '6. Eget område', cell A2)" in report.lines[1]
    assert rows(empty_db, "SELECT DISTINCT prioritised_area FROM measure") == [("Hökarängen centrum",)]


def test_the_plan_is_counted_on_the_lpos_page_of_the_atgarder_page(empty_db, tmp_path, monkeypatch):
    # What the coordinator checks: the plan is LPO Farsta's, and not LPO Globen's.
    _load(empty_db, _plan(tmp_path / "plan.xlsx", [], title="Åtgärdsplan 2025 – Enskede-Årsta-Vantör och LPO Farsta"))
    farsta = open_page(empty_db, "atgarder", monkeypatch, {"niva": "Lokalpolisområde", "omrade": "Farsta"})
    assert [c.value for c in farsta.caption if c.value.startswith("1 plan från 1 organisation, planår 2025, med 1 "
                                                                   "åtgärd.")]
    globen = open_page(empty_db, "atgarder", monkeypatch, {"niva": "Lokalpolisområde", "omrade": "Globen"})
    assert [i.value for i in globen.info if i.value.startswith("Inga åtgärdsplaner för planår 2025 i Globen.")]


def test_text_that_only_mentions_an_lpo_names_none(empty_db, tmp_path):
    # A measure's text, a description above the table, the instructions' guidance, an
    # example sheet, a contact line, a line saying when the plan was changed, and the
    # lists behind a drop-down all mention an LPO; none says whose plan it is.
    path = _plan(tmp_path / "plan.xlsx", [
        ["Beskrivning: otryggheten kring Farsta centrum. Polisen i LPO Globen ser en ökning."],
        ["Kontaktperson: Anna Berg, kommunpolis LPO Globen"],
        ["Reviderad 2025-06-01 efter dialog med LPO Globen"],
    ], title="Åtgärdsplan 2025 Enskede-Årsta-Vantör", cover=[["Skriv titeln, t.ex. Åtgärdsplan 2025 – LPO Farsta"]])
    wb = openpyxl.load_workbook(path)
    area = wb["1. Unga i riskzon"]
    for c, value in enumerate(["Otrygghet i centrum", "Få vuxna ute", "Samverkan med LPO Globen: gemensamma "
                               "trygghetsvandringar", "Mål", "2025", "Polisen", "VB: Pågår"], start=1):
        area.cell(8, c, value)
    wb.create_sheet("Exempel på ifyllnad")["A1"] = "Åtgärdsplan 2025 – Skarpnäck och LPO Farsta"
    lists = wb.create_sheet("Listor")
    lists.sheet_state = "hidden"
    for r, name in enumerate(("LPO Farsta", "LPO Globen", "LPO Skärholmen"), start=1):
        lists.cell(r, 1, name)
    wb.save(path)
    report = _load(empty_db, path)
    assert _lpos(empty_db) == [("0180", EAV, [], 2025)]
    assert "LPO – inte angivet" in report.lines[1]
    assert not _warnings(report)


def test_a_given_lpo_or_an_lpo_cell_wins_over_the_title_and_the_report_says_so(empty_db, tmp_path):
    title = "Åtgärdsplan 2025 – Enskede-Årsta-Vantör och LPO Farsta"
    path = _plan(tmp_path / "plan.xlsx", [], title=title)
    report = _load(empty_db, path, lpo=["Globen"])
    assert _lpos(empty_db) == [("0180", EAV, ["LPO-GLOBEN"], 2025)]
    assert _warnings(report) == [
        "Varning: titeln i arbetsboken nämner lokalpolisområdet Farsta (LPO-FARSTA) (blad 'Instruktion', cell A1), "
        "men planen sparades för Globen (LPO-GLOBEN) enligt kommandoradens flaggor. Kontrollera vilket som är rätt."]
    assert not _warnings(_load(empty_db, path, lpo=["Globen", "Farsta"]))
    # An "LPO:" cell says it in the workbook itself: it goes before the title.
    report = _load(empty_db, _plan(tmp_path / "plan2.xlsx", [["LPO: Globen"]], title=title))
    assert rows(empty_db, "SELECT lpo_codes FROM plan WHERE source_file = 'plan2.xlsx'") == [(["LPO-GLOBEN"],)]
    assert _warnings(report) == [
        "Varning: titeln i arbetsboken nämner lokalpolisområdet Farsta (LPO-FARSTA) (blad 'Instruktion', cell A1), "
        "men planen sparades för Globen (LPO-GLOBEN) enligt arbetsboken (blad '1. Unga i riskzon', cell A2). "
        "Kontrollera vilket som är rätt."]


def test_a_title_naming_another_kommuns_lpo_or_no_lpo_is_reported_and_left_out(empty_db, tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [], title="Åtgärdsplan 2025 Ludvika kommun och LPO Borlänge")
    report = _load(empty_db, path)
    # Ludvika's only LPO, as without the title.
    assert _lpos(empty_db) == [("2085", "Ludvika kommun", ["LPO-LUDVIKA"], 2025)]
    assert _warnings(report) == [
        "Varning: titeln i arbetsboken (blad 'Instruktion', cell A1) nämner lokalpolisområdet Borlänge "
        "(LPO-BORLANGE), som inte ligger i Ludvika (2085); det sparades inte med planen. Ange det med --lpo om "
        "planen gäller det."]
    report = _load(empty_db, _plan(tmp_path / "plan2.xlsx", [], title="Åtgärdsplan 2025 Enskede-Årsta-Vantör och LPO Syd"))
    assert rows(empty_db, "SELECT lpo_codes FROM plan WHERE source_file = 'plan2.xlsx'") == [([],)]
    assert _warnings(report) == [
        "Varning: titeln i arbetsboken (blad 'Instruktion', cell A1) nämner lokalpolisområdet 'Syd', som inte känns "
        "igen; det sparades inte med planen. Kontrollera namnet, eller ange det med --lpo."]


def test_a_sheet_per_lpo_says_more_than_the_title(empty_db, tmp_path):
    # The title names one of the LPOs whose sheets the workbook keeps: the sheets' LPOs are
    # the plan's, without a warning; a title naming an LPO with no sheet is reported.
    for title, warnings in (("Åtgärdsplan 2025 – Enskede-Årsta-Vantör och LPO Farsta", []),
                            ("Åtgärdsplan 2025 – Enskede-Årsta-Vantör och LPO Skärholmen", [
                                "Varning: titeln i arbetsboken nämner lokalpolisområdet Skärholmen (LPO-SKARHOLMEN) "
                                "(blad 'Instruktion', cell A1), men planen sparades för Farsta (LPO-FARSTA) och "
                                "Globen (LPO-GLOBEN) enligt bladens namn. Kontrollera vilket som är rätt."])):
        path = _plan(tmp_path / "plan.xlsx", [], title=title, sheet="LPO Farsta")
        wb = openpyxl.load_workbook(path)
        globen = wb.copy_worksheet(wb["LPO Farsta"])
        globen.title = "LPO Globen"
        globen["C4"] = "Nattvandring: fredagar"
        wb.save(path)
        report = _load(empty_db, path)
        assert _lpos(empty_db) == [("0180", EAV, ["LPO-FARSTA", "LPO-GLOBEN"], 2025)]
        assert "LPO – bladens namn" in report.lines[1]
        assert _warnings(report) == warnings
