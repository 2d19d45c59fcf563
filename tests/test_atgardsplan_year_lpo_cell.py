"""The plan's year and LPO as the workbook itself writes them.

As for the kommun (tests/test_atgardsplan_kommun_cell.py): "År: 2025", "Planår" | "2025",
"Gäller 2025", or the year of a title line "Åtgärdsplan Ludvika kommun 2025" above an
area's table; "LPO: Farsta" or "Lokalpolisområde" | "Farsta". Before, such a workbook
named "plan.xlsx" without --year was refused ("planens år kunde inte avgöras"), an
"LPO:" cell was not read, and an own area's sheet took "År: 2025" for its name. Each test
builds the workbook in code and loads it through the real loader.
"""

from __future__ import annotations

import openpyxl
import pytest
from helpers import refused, rows

from pipelines.loading import ingest
from tests.test_atgardsplan_kommun_cell import _plan

LUDVIKA = "2085"


def _load(db, path, **options):
    [report] = ingest(db, [path], options=options)
    assert report.status == "ok", report.lines
    return report


def _warnings(report) -> list[str]:
    return [line for line in report.lines if line.startswith("Varning")]


def _plan_row(db) -> list[tuple]:
    return rows(db, "SELECT kommun_code, year, lpo_codes FROM plan")


# --- the year ----------------------------------------------------------------------------

@pytest.mark.parametrize(("above", "cover", "where"), [
    ([["År: 2025"]], None, "blad '1. Unga i riskzon', cell A2"),
    ([["Planår", "2025"]], None, "blad '1. Unga i riskzon', cell B2"),
    ([["Planår:", None, 2025]], None, "blad '1. Unga i riskzon', cell C2"),
    ([["Gäller 2025"]], None, "blad '1. Unga i riskzon', cell A2"),
    # A cover sheet's block of metadata, one line each in a cell.
    ([], [["Kommun: Ludvika\nLPO: Ludvika\nÅr: 2025"]], "blad 'Instruktion', cell A4"),
])
def test_a_year_cell_gives_the_plans_year(empty_db, tmp_path, above, cover, where):
    path = _plan(tmp_path / "plan.xlsx", above, cover=cover, title="Åtgärdsplan")
    report = _load(empty_db, path, kommun="Ludvika")
    assert _plan_row(empty_db) == [(LUDVIKA, 2025, ["LPO-LUDVIKA"])]
    assert report.lines[1].endswith(f"år – arbetsboken ({where}).")
    assert not _warnings(report)


def test_a_title_above_an_area_table_gives_the_year(empty_db, tmp_path):
    # The instructions sheet's title names no year; the area sheet's title does (and the
    # kommun), with the area's name under it.
    path = _plan(tmp_path / "plan.xlsx", [["Unga i riskzon för destruktivt beteende"]],
                 first="Åtgärdsplan Ludvika kommun 2025", title="Åtgärdsplan")
    report = _load(empty_db, path)
    assert _plan_row(empty_db) == [(LUDVIKA, 2025, ["LPO-LUDVIKA"])]
    assert "år – titeln i arbetsboken (blad '1. Unga i riskzon', cell A1)" in report.lines[1]
    assert not _warnings(report)


def test_a_two_year_plan_is_stored_as_its_first_year_with_a_warning(empty_db, tmp_path):
    # As a title "Åtgärdsplan 2025–2026" in the first cell is today.
    report = _load(empty_db, _plan(tmp_path / "plan.xlsx", [["År: 2025–2026"]], title="Åtgärdsplan"), kommun="2085")
    assert _plan_row(empty_db) == [(LUDVIKA, 2025, ["LPO-LUDVIKA"])]
    assert _warnings(report) == [
        "Varning: arbetsboken (blad '1. Unga i riskzon', cell A2) nämner flera år (2025, 2026); planens år sattes "
        "till 2025. Ange --year om planen gäller ett annat år."]
    # The same from a title line above an area's table; given its second year, neither
    # says otherwise.
    path = _plan(tmp_path / "plan2.xlsx", [["Unga i riskzon för destruktivt beteende"]],
                 first="Åtgärdsplan 2025–2026", title="Mall")
    report = _load(empty_db, path, kommun="2085")
    assert rows(empty_db, "SELECT year FROM plan WHERE source_file = 'plan2.xlsx'") == [(2025,)]
    assert _warnings(report) == [
        "Varning: titeln i arbetsboken (blad '1. Unga i riskzon', cell A1) nämner flera år (2025, 2026); planens "
        "år sattes till 2025. Ange --year om planen gäller ett annat år."]
    assert not _warnings(_load(empty_db, path, kommun="2085", year=2026))
    assert not _warnings(_load(empty_db, _plan(tmp_path / "plan.xlsx", [["År: 2025/26"]], title="Åtgärdsplan"),
                                   kommun="2085", year=2026))


def test_a_given_year_wins_over_the_cell_and_the_report_says_so(empty_db, tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [["År:", "2024"]], title="Åtgärdsplan")
    report = _load(empty_db, path, kommun="Ludvika", year=2025)
    assert _plan_row(empty_db) == [(LUDVIKA, 2025, ["LPO-LUDVIKA"])]
    assert _warnings(report) == [
        "Varning: arbetsboken anger året 2024 (blad '1. Unga i riskzon', cell B2), men planen sparades för 2025 "
        "enligt kommandoradens flaggor. Kontrollera vilket som är rätt."]
    # The same from a sidecar; and no line when the cell agrees with the option.
    path.with_name("plan.xlsx.toml").write_text('kommun = "2085"\nyear = 2025\n', encoding="utf-8")
    assert _warnings(_load(empty_db, path)) == [
        "Varning: arbetsboken anger året 2024 (blad '1. Unga i riskzon', cell B2), men planen sparades för 2025 "
        "enligt sidofilen plan.xlsx.toml. Kontrollera vilket som är rätt."]
    assert not _warnings(_load(empty_db, path, year=2024))


def test_a_given_year_wins_over_the_title_and_the_report_says_so(empty_db, tmp_path):
    # A template carried over from last year: its title still says 2024.
    report = _load(empty_db, _plan(tmp_path / "plan.xlsx", [], title="Åtgärdsplan 2024"), kommun="2085", year=2025)
    assert _warnings(report) == [
        "Varning: titeln i arbetsboken (blad 'Instruktion', cell A1) nämner året 2024, men planen sparades för "
        "2025 enligt kommandoradens flaggor. Kontrollera vilket som är rätt."]


def test_the_cell_wins_over_the_file_name_and_the_report_says_so(empty_db, tmp_path):
    # Last year's file saved again with this year's plan in it.
    path = _plan(tmp_path / "Åtgärdsplan Ludvika 2024.xlsx", [["År: 2025"]], title="Åtgärdsplan")
    report = _load(empty_db, path)
    assert _plan_row(empty_db) == [(LUDVIKA, 2025, ["LPO-LUDVIKA"])]
    assert _warnings(report) == [
        "Varning: filnamnet nämner året 2024, men planen sparades för 2025 enligt arbetsboken (blad '1. Unga i "
        "riskzon', cell A2). Kontrollera vilket som är rätt."]


def test_year_cells_naming_different_years_decide_nothing(empty_db, tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [["År: 2025"]], cover=[["År: 2024"]], title="Åtgärdsplan")
    assert refused(empty_db, path, options={"kommun": "2085"}) == (
        "plan.xlsx: planens år kunde inte avgöras (arbetsboken anger olika år: 2024 i blad 'Instruktion', cell A4; "
        "2025 i blad '1. Unga i riskzon', cell A2). Ange det med --year (t.ex. --year 2025) eller i en sidofil "
        "plan.xlsx.toml.")
    # The file name decides, and the cell naming another year is reported.
    path = path.rename(tmp_path / "Åtgärdsplan 2025.xlsx")
    report = _load(empty_db, path, kommun="2085")
    assert _plan_row(empty_db) == [(LUDVIKA, 2025, ["LPO-LUDVIKA"])]
    assert _warnings(report) == [
        "Varning: arbetsboken anger året 2024 (blad 'Instruktion', cell A4), men planen sparades för 2025 enligt "
        "filnamnet. Kontrollera vilket som är rätt."]


def test_placeholders_examples_and_guidance_give_no_year(empty_db, tmp_path):
    path = _plan(tmp_path / "mall.xlsx", [["År:", "ÅÅÅÅ"], ["Gäller för alla enheter"]], title="Åtgärdsplan",
                 cover=[["Planår: [Ange år]"], ["Skriv t.ex. Åtgärdsplan Ludvika kommun 2025"]])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Exempel på ifyllnad")["A1"] = "År: 2025"
    wb.save(path)
    assert refused(empty_db, path, options={"kommun": "2085"}) == (
        "mall.xlsx: planens år kunde inte avgöras. Ange det med --year (t.ex. --year 2025) eller i en sidofil "
        "mall.xlsx.toml.")
    # A year cell whose text is no year is named in the refusal.
    path = _plan(tmp_path / "plan.xlsx", [["År: i år"]], title="Åtgärdsplan")
    assert refused(empty_db, path, options={"kommun": "2085"}) == (
        "plan.xlsx: planens år kunde inte avgöras (blad '1. Unga i riskzon', cell A2 ('i år') är inget årtal). "
        "Ange det med --year (t.ex. --year 2025) eller i en sidofil plan.xlsx.toml.")


def test_a_line_saying_when_the_plan_was_adopted_gives_no_year(empty_db, tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [["Antagen av Ludvika kommun 2024-12-10"]], title="Åtgärdsplan")
    message = refused(empty_db, path, options={"kommun": "2085"})
    assert message.startswith("plan.xlsx: planens år kunde inte avgöras.")


# --- the LPO -----------------------------------------------------------------------------

@pytest.mark.parametrize(("above", "lpos", "where"), [
    ([["LPO: Farsta"]], ["LPO-FARSTA"], "blad '1. Unga i riskzon', cell A2"),
    ([["Lokalpolisområde", "LPO Farsta"]], ["LPO-FARSTA"], "blad '1. Unga i riskzon', cell B2"),
    ([["Lokalpolisområden: Farsta och Globen"]], ["LPO-FARSTA", "LPO-GLOBEN"], "blad '1. Unga i riskzon', cell A2"),
    ([["LPO:", "Farsta, Globen"]], ["LPO-FARSTA", "LPO-GLOBEN"], "blad '1. Unga i riskzon', cell B2"),
])
def test_an_lpo_cell_gives_the_plans_lpo(empty_db, tmp_path, above, lpos, where):
    # Stockholm has many LPOs: without the cell the plan would have none.
    report = _load(empty_db, _plan(tmp_path / "plan.xlsx", above), kommun="0180")
    assert _plan_row(empty_db) == [("0180", 2025, lpos)]
    assert f"LPO – arbetsboken ({where})" in report.lines[1]
    assert not _warnings(report)


def test_lpo_cells_on_the_cover_and_above_a_table_add_up(empty_db, tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [["LPO: Globen"]], cover=[["Kommun: Stockholm\nLPO: Farsta\nÅr: 2025"]],
                 title="Åtgärdsplan")
    report = _load(empty_db, path)
    assert _plan_row(empty_db) == [("0180", 2025, ["LPO-FARSTA", "LPO-GLOBEN"])]
    assert ("LPO – arbetsboken (blad 'Instruktion', cell A4; blad '1. Unga i riskzon', cell A2); "
            "år – arbetsboken (blad 'Instruktion', cell A4).") in report.lines[1]


def test_a_given_lpo_wins_over_the_cell_and_the_report_says_so(empty_db, tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [["LPO: Farsta"]])
    report = _load(empty_db, path, kommun="0180", lpo=["Globen"])
    assert _plan_row(empty_db) == [("0180", 2025, ["LPO-GLOBEN"])]
    assert _warnings(report) == [
        "Varning: arbetsboken anger lokalpolisområdet Farsta (LPO-FARSTA) (blad '1. Unga i riskzon', cell A2), men "
        "planen sparades för Globen (LPO-GLOBEN) enligt kommandoradens flaggor. Kontrollera vilket som är rätt."]
    # One of the given LPOs is no conflict.
    assert not _warnings(_load(empty_db, path, kommun="0180", lpo=["Globen", "Farsta"]))


def test_an_lpo_cell_naming_no_lpo_is_reported_and_left_out(empty_db, tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [["LPO: Farsta och Globn"]])
    report = _load(empty_db, path, kommun="0180")
    assert _plan_row(empty_db) == [("0180", 2025, ["LPO-FARSTA"])]
    assert _warnings(report) == [
        "Varning: lokalpolisområdet 'Globn' (blad '1. Unga i riskzon', cell A2) känns inte igen och sparades inte "
        "med planen. Kontrollera namnet, eller ange det med --lpo."]
    # A placeholder, and an example sheet's cell, are not the plan's: Ludvika's only LPO.
    path = _plan(tmp_path / "mall.xlsx", [["LPO:", "[Ange lokalpolisområde]"]])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Exempel på ifyllnad")["A1"] = "LPO: Borlänge"
    wb.save(path)
    report = _load(empty_db, path, kommun="2085")
    assert rows(empty_db, "SELECT lpo_codes FROM plan WHERE source_file = 'mall.xlsx'") == [(["LPO-LUDVIKA"],)]
    assert not _warnings(report)


def test_an_own_areas_sheet_is_not_named_after_the_year_or_lpo_cell(empty_db, tmp_path):
    path = _plan(tmp_path / "plan.xlsx", [["År: 2025"], ["LPO", "Farsta"], ["Våld i nära relationer"]],
                 first="[Eget prioriterat område]", sheet="6. Eget område")
    _load(empty_db, path, kommun="0180")
    assert rows(empty_db, "SELECT DISTINCT prioritised_area FROM measure") == [("Våld i nära relationer",)]
