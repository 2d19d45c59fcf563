"""A prioritised area whose name was changed between a workbook's round sheets.

A plan kept in a sheet per follow-up round ("T1 2025", "Uppföljning aug") is read as the
rounds of the same measures (docs/sources/atgardsplan.md, "A sheet per follow-up round").
Coordinators retype an own area's name from one round to the next: "Hökarängen centrum"
becomes "Hökarängens centrum", "Hökarängen C" or "HÖKARÄNGEN CENTRUM". Before, each name
was an area of its own: the Åtgärder page showed two areas, each with part of the rounds.
As for a measure's edited title (tests/test_atgardsplan_renamed.py), the same measures
under a slightly changed name are one area, and the report names the names taken as one;
where unsure, the areas are kept apart and the report says so. Each test builds the
workbook in code, loads it through the real loader and checks what the coordinator sees.
"""

from __future__ import annotations

import pytest
from helpers import open_page, open_tab, rows

from tests.test_atgardsplan import HEADER, KRIMINELLA, UNGA, _analysis
from tests.test_atgardsplan_hunt3 import _load, _new, _save, _sheet

pytestmark = pytest.mark.usefixtures("fast_apptest")

CENTRUM = "Hökarängen centrum"


def _row(problem, cause, action, note, status=None):
    return [problem, cause, action, "Mål", "2025", "Fältgruppen", note, status]


def _measures(note: str, status: str | None = None, problem: str = "Otrygg centrummiljö") -> list[list]:
    return [_row(problem, "Mörka platser", "Trygghetsvandring: med fastighetsägarna", note, status),
            _row(None, "Få vuxna ute", "Nattvandring: fredagar", note, status)]


def _rounds(tmp_path, sheets: dict[str, tuple[str, list[list]]], analysis=None):
    """A workbook with a sheet per round: title -> (the area's name in A1, the table)."""
    wb = _new()
    for title, (area, table) in sheets.items():
        _sheet(wb, title, table, first=area, header=[*HEADER, "Status"])
    if analysis:
        _analysis(wb, analysis)
    return _save(wb, tmp_path / "plan.xlsx")


def _areas(db) -> list[tuple]:
    return rows(db, "SELECT prioritised_area, count(*) FROM measure GROUP BY ALL ORDER BY 1")


def _taken_as_one(report) -> list[str]:
    return [line for line in report.lines if "lästes som samma område" in line]


def _kept_apart(report) -> list[str]:
    return [line for line in report.lines if "kan vara samma område" in line]


@pytest.mark.parametrize(("earlier", "later", "stored", "how"), [
    (CENTRUM, "Hökarängens centrum", "Hökarängens centrum", "namnet rättat eller utökat"),  # the latest, as titles
    (CENTRUM, "Hökarängen C", CENTRUM, "namnet förkortat eller utskrivet"),  # written out, not the abbreviation
    (CENTRUM, "Hökarängen c.", CENTRUM, "namnet förkortat eller utskrivet"),
    ("Hökarängen C", "Hökarängen centr.", "Hökarängen centr.", "namnet förkortat eller utskrivet"),
    (CENTRUM, "Hökarängen", "Hökarängen", "namnet rättat eller utökat"),
    (CENTRUM, "HÖKARÄNGEN CENTRUM", CENTRUM, "samma namn skrivet på ett annat sätt"),  # not in capitals
    (CENTRUM, "Hökarängen – centrum", "Hökarängen – centrum", "samma namn skrivet på ett annat sätt"),
    ("Trygghet i Enskede-Årsta-Vantör", "Trygghet i EÅV", "Trygghet i Enskede-Årsta-Vantör",
     "namnet förkortat eller utskrivet"),
])
def test_an_area_renamed_between_round_sheets_is_one_area(empty_db, tmp_path, earlier, later, stored, how):
    path = _rounds(tmp_path, {"T1 2025": (earlier, _measures("Start i mars.")),
                              "T2 2025": (later, _measures("Fyra vandringar."))})
    report = _load(empty_db, path)
    assert _areas(empty_db) == [(stored, 2)]
    assert rows(empty_db, "SELECT prioritised_area, problems, causes, measures FROM plan_analysis") == [
        (stored, 1, 2, 2)]
    assert rows(empty_db, "SELECT count(*) FROM measure_followup") == [(4,)]
    assert _taken_as_one(report) == [
        f"Blad 'T2 2025': området '{later}' lästes som samma område som '{earlier}' på blad 'T1 2025' ({how}; 2 "
        "åtgärder står under båda namnen ('Trygghetsvandring', 'Nattvandring')); områdets åtgärder sparades under "
        f"'{stored}'. Kontrollera att det är samma område, och skriv gärna namnet likadant på alla blad."]
    assert report.lines[2].startswith("2 åtgärder i 1 prioriterade områden")


def test_extra_spaces_in_an_areas_name_are_no_other_name(empty_db, tmp_path):
    path = _rounds(tmp_path, {"T1 2025": (CENTRUM, _measures("Start i mars.")),
                              "T2 2025": ("  Hökarängen\u00a0 centrum ", _measures("Fyra vandringar."))})
    report = _load(empty_db, path)
    assert _areas(empty_db) == [(CENTRUM, 2)]
    assert not _taken_as_one(report) and not _kept_apart(report)


def test_the_renamed_area_is_one_row_on_the_atgarder_page_with_every_round(empty_db, tmp_path, monkeypatch):
    # Three rounds, three spellings; a standard area beside it keeps its name.
    def sheet(name: str, note: str, status: str):
        return (name, _measures(note, status) + [
            [UNGA], _row("Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", note, status)])

    path = _rounds(tmp_path, {"Uppföljning mars": sheet(f"Prioriterat område 6: {CENTRUM}", "Start.", "Ej påbörjad"),
                              "Uppföljning aug": sheet("Prioriterat område 6: Hökarängen C", "Pågår.", "Pågår"),
                              "Uppföljning okt": sheet("Prioriterat område 6: Hökarängens centrum", "Klart.", "Klar")})
    report = _load(empty_db, path)
    assert _areas(empty_db) == [("Hökarängens centrum", 2), (UNGA, 1)]
    assert [line.split(" (")[0] for line in _taken_as_one(report)] == [
        "Blad 'Uppföljning aug': området 'Hökarängen C' lästes som samma område som 'Hökarängen centrum' på blad "
        "'Uppföljning mars'",
        # The earlier name closest to it is named.
        "Blad 'Uppföljning okt': området 'Hökarängens centrum' lästes som samma område som 'Hökarängen centrum' på "
        "blad 'Uppföljning mars'"]
    # The 'Uppföljningar' tab's data: each measure of the area at each of the three rounds.
    assert rows(empty_db, "SELECT m.prioritised_area, m.title, r.round, r.status FROM mart_measure_round AS r "
                          "JOIN measure AS m USING (measure_id) WHERE m.prioritised_area <> ? "
                          "ORDER BY m.source_row, r.round_no", [UNGA]) == [
        ("Hökarängens centrum", "Trygghetsvandring", "T1", "ej uppnådd"),
        ("Hökarängens centrum", "Trygghetsvandring", "T2", "påbörjad"),
        ("Hökarängens centrum", "Trygghetsvandring", "T3", "uppnådd"),
        ("Hökarängens centrum", "Nattvandring", "T1", "ej uppnådd"),
        ("Hökarängens centrum", "Nattvandring", "T2", "påbörjad"),
        ("Hökarängens centrum", "Nattvandring", "T3", "uppnådd")]
    # The Status tab: one row per area, the renamed one once with both its measures.
    at = open_page(empty_db, "atgarder", monkeypatch, {"niva": "Kommun", "omrade": "Stockholm"})
    [table] = [d.shown for d in at.dataframe if "Prioriterat område" in d.shown.columns]
    assert table[["Prioriterat område", "Åtgärder", "Uppnådd"]].values.tolist() == [
        ["Hökarängens centrum", "2", "2"], [UNGA, "1", "1"]]
    register = [d.shown for d in open_tab(at, "atgarder_flik", "Register").dataframe
                if d.key == "atgarder_register"][0]
    assert sorted(set(register["Prioriterat område"])) == ["Hökarängens centrum", UNGA]


def test_an_own_area_named_at_a_later_round_is_the_unnamed_one(empty_db, tmp_path):
    path = _rounds(tmp_path, {"T1 2025": ("[Eget prioriterat område]", _measures("Start i mars.")),
                              "T2 2025": (CENTRUM, _measures("Fyra vandringar."))})
    report = _load(empty_db, path)
    assert _areas(empty_db) == [(CENTRUM, 2)]
    assert [line.split(" (")[1].split(";")[0] for line in _taken_as_one(report)] == [
        "det tidigare bladet hade inget eget namn"]


def test_the_analysis_sheet_may_name_the_area_by_its_earlier_name(empty_db, tmp_path):
    path = _rounds(tmp_path, {"T1 2025": (CENTRUM, _measures("Start i mars.")),
                              "T2 2025": ("Hökarängens centrum", _measures("Fyra vandringar."))},
                   analysis=[[CENTRUM, 1, 2, 2]])
    report = _load(empty_db, path)
    assert rows(empty_db, "SELECT * EXCLUDE (plan_id) FROM plan_analysis") == [
        ("Hökarängens centrum", 1, 2, 2, 1, 2, 2)]
    assert "Antalen stämmer med analysbladet." in report.lines


@pytest.mark.parametrize(("later", "areas", "why"), [
    # The same measures, but a name more than retyped: perhaps the same area, perhaps not.
    ({"Centrala Hökarängen": _measures("Fyra vandringar.")}, [("Centrala Hökarängen", 2), (CENTRUM, 2)],
     ["namnen skiljer sig mer än en rättelse eller förkortning, fast 2 åtgärder står under båda"]),
    # A name retyped, but none of its measures stood under the earlier one.
    ({"Hökarängens centrum": _measures("Ny.", problem="Skolfrånvaro")}, [(CENTRUM, 2), ("Hökarängens centrum", 2)],
     ["ingen av åtgärderna står under båda namnen med samma problem och titel"]),
    # Two new names both fit the earlier one: which is it?
    ({"Hökarängen C": _measures("Fyra vandringar."), "Hökarängens centrum": _measures("Två vandringar.")},
     [("Hökarängen C", 2), (CENTRUM, 2), ("Hökarängens centrum", 2)],
     ["fler än ett område passar", "fler än ett område passar"]),
])
def test_where_unsure_the_areas_are_kept_apart_and_the_report_says_so(empty_db, tmp_path, later, areas, why):
    table = []
    for name, measures in later.items():
        table += [[f"Prioriterat område: {name}"], *measures]
    path = _rounds(tmp_path, {"T1 2025": (CENTRUM, _measures("Start i mars.")), "T2 2025": ("Mall", table)})
    report = _load(empty_db, path)
    assert _areas(empty_db) == areas
    assert not _taken_as_one(report)
    lines = _kept_apart(report)
    assert [line.split(", men ")[1].split(";")[0] for line in lines] == why
    assert lines[0].startswith(f"Blad 'T2 2025': området '{next(iter(later))}' kan vara samma område som "
                               f"'{CENTRUM}' på blad 'T1 2025', men ")
    assert lines[0].endswith("; de lästes som två områden. Är det samma område, skriv namnet likadant på alla blad.")


def test_two_standard_areas_are_never_one(empty_db, tmp_path):
    # A measure moved from one of the five areas to another between rounds.
    path = _rounds(tmp_path, {"T1 2025": (UNGA, _measures("Start i mars.")),
                              "T2 2025": (KRIMINELLA, _measures("Fyra vandringar."))})
    report = _load(empty_db, path)
    assert _areas(empty_db) == [(KRIMINELLA, 2), (UNGA, 2)]
    assert not _taken_as_one(report) and not _kept_apart(report)
