"""The plan's own sheet beside a sheet per follow-up round.

Many workbooks keep the plan as agreed on a sheet of its own ("Åtgärdsplan", "Plan 2025",
or the area sheets) and copy it at each follow-up ("Uppföljning T1", "Uppföljning T2",
"Tertial 2", "Uppföljning april"). The round sheets were read as rounds of each other
(docs/sources/atgardsplan.md, "A sheet per follow-up round"), but the plan sheet's
measures were read beside them as measures of their own: every measure was counted twice
on the Åtgärder page, once without any follow-up. The plan sheet is now the plan before
every round, its measures matched to the round sheets' by the rules used between round
sheets. Each test builds the workbook in code, loads it through the real loader and checks
what the coordinator sees: the page, the database and the load report.
"""

from __future__ import annotations

import pytest
from helpers import open_page, open_tab, rows

from tests.test_atgardsplan import HEADER, OTRYGGA, UNGA, _analysis
from tests.test_atgardsplan_hunt3 import _load, _new, _save, _sheet

pytestmark = pytest.mark.usefixtures("fast_apptest")

STOCKHOLM = {"niva": "Kommun", "omrade": "Stockholm"}


def _row(problem, cause, action, note=None, status=None):
    return [problem, cause, action, "Mål", "2025", "Fältgruppen", note, status]


def _laxhjalp(note=None, status=None):
    return _row("Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar i veckan", note, status)


def _nattvandring(note=None, status=None, title="Nattvandring"):
    return _row(None, "Få vuxna ute kvällstid", f"{title}: fredagar", note, status)


def _vandring(note=None, status=None):
    return _row("Otrygg centrummiljö", "Mörka platser", "Trygghetsvandring: med fastighetsägarna", note, status)


def _both_areas(notes=(None, None, None), statuses=(None, None, None)) -> list[list]:
    """The plan's table with two areas, each under a sub-heading naming it."""
    return [[UNGA], _laxhjalp(notes[0], statuses[0]), _nattvandring(notes[1], statuses[1]),
            [OTRYGGA], _vandring(notes[2], statuses[2])]


def _workbook(tmp_path, sheets: dict[str, list[list]], analysis=None, hidden=(), first="Åtgärdsplan Farsta 2025"):
    wb = _new()
    for title, table in sheets.items():
        ws = _sheet(wb, title, table, first=first, header=[*HEADER, "Status"])
        if title in hidden:
            ws.sheet_state = "hidden"
    if analysis:
        _analysis(wb, analysis)
    return _save(wb, tmp_path / "plan.xlsx")


def _measures(db) -> list[tuple]:
    return rows(db, "SELECT prioritised_area, title, status, source_sheet FROM measure "
                    "ORDER BY source_sheet, source_row")


def _rounds(db) -> list[tuple]:
    """Each measure's status at each round: what the Uppföljningar tab is made of."""
    return rows(db, "SELECT m.title, r.round, r.status FROM mart_measure_round AS r JOIN measure AS m "
                    "USING (measure_id) ORDER BY m.source_sheet, m.source_row, r.round_no")


def _plan_line(report) -> list[str]:
    return [line for line in report.lines if "är planen, och blad" in line]


PLAN_SHEETS = {
    "Åtgärdsplan": _both_areas(statuses=("Ej påbörjad", "Ej påbörjad", "Ej påbörjad")),
    "Uppföljning T1": _both_areas(("22 deltagare.", "Rekrytering av vuxna.", "Första vandringen i april."),
                                  ("Pågår", "Ej påbörjad", "Pågår")),
    "Uppföljning T2": _both_areas(("41 deltagare.", "Ute varje fredag.", "Tre vandringar."),
                                  ("Klar", "Pågår", "Pågår")),
}


def test_a_plan_sheet_beside_round_sheets_is_the_plan_and_each_measure_is_counted_once(
        empty_db, tmp_path, monkeypatch):
    path = _workbook(tmp_path, PLAN_SHEETS, analysis=[[UNGA, 1, 2, 2], [OTRYGGA, 1, 1, 1]])
    report = _load(empty_db, path)
    # Three measures, not nine: each from the latest round's sheet.
    assert _measures(empty_db) == [(UNGA, "Läxhjälp", "uppnådd", "Uppföljning T2"),
                                   (UNGA, "Nattvandring", "påbörjad", "Uppföljning T2"),
                                   (OTRYGGA, "Trygghetsvandring", "påbörjad", "Uppföljning T2")]
    assert _rounds(empty_db) == [
        ("Läxhjälp", "T1", "påbörjad"), ("Läxhjälp", "T2", "uppnådd"),
        ("Nattvandring", "T1", "ej uppnådd"), ("Nattvandring", "T2", "påbörjad"),
        ("Trygghetsvandring", "T1", "påbörjad"), ("Trygghetsvandring", "T2", "påbörjad")]
    assert rows(empty_db, "SELECT prioritised_area, problems, causes, measures FROM plan_analysis ORDER BY 1") == [
        (OTRYGGA, 1, 1, 1), (UNGA, 1, 2, 2)]
    assert "Antalen stämmer med analysbladet." in report.lines
    assert report.lines[2].startswith("3 åtgärder i 2 prioriterade områden")
    assert _plan_line(report) == [
        "Blad 'Åtgärdsplan' är planen, och blad 'Uppföljning T1' (T1) och 'Uppföljning T2' (T2) är uppföljningar av "
        "dess åtgärder: varje åtgärd lästes en gång, från det senaste bladet den står på, med uppföljningen från varje "
        "blad och med varje uppföljningsblads status som den uppföljningens; planens egen status gäller bara "
        "åtgärder som inget uppföljningsblad har."]
    assert not [line for line in report.lines if "finns inte på något" in line or "står inte i planen" in line]

    # The Åtgärder page: three measures, each area once, and each round's statuses.
    at = open_page(empty_db, "atgarder", monkeypatch, STOCKHOLM)
    assert any(c.value.startswith("1 plan från 1 organisation, planår 2025, med 3 åtgärder.") for c in at.caption)
    assert {m.label: m.value for m in at.metric} == {"Uppnådd": "1", "Delvis uppnådd": "0", "Påbörjad": "2",
                                                      "Ej uppnådd": "0", "Ej bedömd": "0"}
    [table] = [d.shown for d in at.dataframe if "Prioriterat område" in d.shown.columns]
    assert table[["Prioriterat område", "Åtgärder"]].values.tolist() == [[OTRYGGA, "1"], [UNGA, "2"]]
    open_tab(at, "atgarder_flik", "Uppföljningar")
    [by_round] = [d.shown for d in at.dataframe if list(d.shown.columns) == ["Uppföljning", "Status", "Åtgärder",
                                                                             "Andel"]]
    shown = by_round[by_round["Åtgärder"] != "0"][["Uppföljning", "Status", "Åtgärder"]].values.tolist()
    # Before: six measures more at each round, "ej bedömd" at T1 and "ej uppnådd" at T2.
    assert shown == [["T1", "påbörjad", "2"], ["T1", "ej uppnådd", "1"],
                     ["T2", "uppnådd", "1"], ["T2", "påbörjad", "2"]]


@pytest.mark.parametrize(("plan", "first", "second", "named"), [
    ("Plan 2025", "Tertial 1", "Tertial 2", ("T1", "T2")),
    ("Åtgärder", "Uppföljning april", "Uppföljning augusti", ("T1", "T2")),
    ("Åtgärdsplan", "Uppföljning T2", "Uppföljning T3", ("T2", "T3")),
    ("Plan", "Delår", "VB", ("T2", "VB")),
])
def test_plan_and_round_sheets_named_otherwise(empty_db, tmp_path, plan, first, second, named):
    # The round sheets' follow-up cells have no markers of their own: each is its sheet's round.
    path = _workbook(tmp_path, {plan: [_laxhjalp(), _nattvandring()],
                                first: [_laxhjalp("Start.", "Pågår"), _nattvandring("Planeras.", "Ej påbörjad")],
                                second: [_laxhjalp("Klart.", "Klar"), _nattvandring("Ute.", "Pågår")]}, first=UNGA)
    report = _load(empty_db, path)
    assert [m[1:] for m in _measures(empty_db)] == [("Läxhjälp", "uppnådd", second),
                                                    ("Nattvandring", "påbörjad", second)]
    assert rows(empty_db, "SELECT round, text FROM measure_followup ORDER BY round, text") == [
        (named[0], "Planeras."), (named[0], "Start."), (named[1], "Klart."), (named[1], "Ute.")]
    assert _plan_line(report)[0].startswith(f"Blad '{plan}' är planen, och blad '{first}' ({named[0]}) och "
                                            f"'{second}' ({named[1]}) är uppföljningar av dess åtgärder")


def test_area_sheets_as_the_plan_beside_round_sheets_holding_every_area(empty_db, tmp_path):
    # The plan is one sheet per area; each round sheet holds both areas under sub-headings.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [_laxhjalp(), _nattvandring()], first=UNGA, header=[*HEADER, "Status"])
    _sheet(wb, "2. Otrygga platser", [_vandring()], first=OTRYGGA, header=[*HEADER, "Status"])
    for title, status in (("Uppföljning T1", "Pågår"), ("Uppföljning T2", "Klar")):
        _sheet(wb, title, _both_areas(("a", "b", "c"), (status,) * 3), first="Uppföljning",
               header=[*HEADER, "Status"])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [(UNGA, "Läxhjälp", "uppnådd", "Uppföljning T2"),
                                   (UNGA, "Nattvandring", "uppnådd", "Uppföljning T2"),
                                   (OTRYGGA, "Trygghetsvandring", "uppnådd", "Uppföljning T2")]
    assert rows(empty_db, "SELECT prioritised_area, problems, causes, measures FROM plan_analysis ORDER BY 1") == [
        (OTRYGGA, 1, 1, 1), (UNGA, 1, 2, 2)]
    assert _plan_line(report)[0].startswith("Blad '1. Unga i riskzon' och '2. Otrygga platser' är planen, och blad "
                                            "'Uppföljning T1' (T1) och 'Uppföljning T2' (T2) är uppföljningar")


def test_one_round_sheet_beside_the_plan_is_its_follow_up(empty_db, tmp_path):
    path = _workbook(tmp_path, {"Plan 2025": [_laxhjalp(status="Ej påbörjad"), _nattvandring(status="Ej påbörjad")],
                                "Uppföljning april": [_laxhjalp("22 deltagare."), _nattvandring("Fyra vandringar.",
                                                                                                "Pågår")]},
                     first=UNGA)
    report = _load(empty_db, path)
    # The round's text assesses nothing and its status cell is empty: not assessed at T1,
    # and not the plan's "Ej påbörjad" either (the plan's status is no follow-up's).
    assert [m[1:3] for m in _measures(empty_db)] == [("Läxhjälp", "ej bedömd"), ("Nattvandring", "påbörjad")]
    assert _rounds(empty_db) == [("Läxhjälp", "T1", "ej bedömd"), ("Nattvandring", "T1", "påbörjad")]
    assert _plan_line(report) == [
        "Blad 'Plan 2025' är planen, och blad 'Uppföljning april' (T1) är en uppföljning av dess åtgärder: varje "
        "åtgärd lästes en gång, från det senaste bladet den står på, med uppföljningen från varje blad och med varje "
        "uppföljningsblads status som den uppföljningens; planens egen status gäller bara åtgärder som inget "
        "uppföljningsblad har."]


def test_round_sheets_listing_only_the_measures_that_changed(empty_db, tmp_path):
    # T1 lists the one measure that started, T2 two; a measure added at T2 is not in the plan.
    path = _workbook(tmp_path, {
        "Åtgärdsplan": [_laxhjalp(status="Ej påbörjad"), _nattvandring(status="Ej påbörjad"),
                        _row(None, "Låg kunskap", "Föräldraträffar: fyra per år", None, "Ej påbörjad")],
        "Uppföljning T1": [_laxhjalp("Start i mars.", "Pågår")],
        "Uppföljning T2": [_laxhjalp("41 deltagare.", "Klar"), _nattvandring("Ute varje fredag.", "Pågår"),
                           _row(None, "Få sommarjobb", "Sommarjobb: tjugo platser", "Tolv anställda.", "Pågår")],
    }, first=UNGA)
    report = _load(empty_db, path)
    assert _measures(empty_db) == [(UNGA, "Läxhjälp", "uppnådd", "Uppföljning T2"),
                                   (UNGA, "Nattvandring", "påbörjad", "Uppföljning T2"),
                                   (UNGA, "Sommarjobb", "påbörjad", "Uppföljning T2"),
                                   # on the plan only: its planned status
                                   (UNGA, "Föräldraträffar", "ej uppnådd", "Åtgärdsplan")]
    assert _rounds(empty_db)[:4] == [("Läxhjälp", "T1", "påbörjad"), ("Läxhjälp", "T2", "uppnådd"),
                                     ("Nattvandring", "T1", "ej bedömd"), ("Nattvandring", "T2", "påbörjad")]
    # The plan's counts of problems and causes (T2 lacks one of its measures), and every measure.
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(1, 3, 4)]
    assert ("Blad 'Åtgärdsplan': åtgärden på rad 6 ('Föräldraträffar') finns inte på något uppföljningsblad och "
            "lästes in från planen. Kontrollera om den har fått en annan titel på uppföljningsbladen eller inte har "
            "följts upp.") in report.lines
    assert ("Blad 'Uppföljning T2': åtgärden på rad 6 ('Sommarjobb') står inte i planen (blad 'Åtgärdsplan') och "
            "lästes in som en ny åtgärd. Kontrollera om den står i planen under en annan titel.") in report.lines


def test_a_title_edited_since_the_plan_is_the_same_measure(empty_db, tmp_path):
    path = _workbook(tmp_path, {
        "Åtgärdsplan": [_laxhjalp(), _nattvandring(title="Nattvandirng")],
        "Uppföljning T1": [_laxhjalp("Start.", "Pågår"), _nattvandring("Fyra.", "Pågår", title="Nattvandring")],
        "Uppföljning T2": [_laxhjalp("Klart.", "Klar"),
                           _nattvandring("Sex.", "Klar", title="Nattvandring med föräldrar")],
    }, first=UNGA)
    report = _load(empty_db, path)
    assert [m[1] for m in _measures(empty_db)] == ["Läxhjälp", "Nattvandring med föräldrar"]
    assert [line.split(" (samma område")[0] for line in report.lines if "lästes som samma åtgärd" in line] == [
        "Blad 'Uppföljning T1', rad 5: åtgärden 'Nattvandring' lästes som samma åtgärd som 'Nattvandirng' på blad "
        "'Åtgärdsplan', rad 5",
        "Blad 'Uppföljning T2', rad 5: åtgärden 'Nattvandring med föräldrar' lästes som samma åtgärd som "
        "'Nattvandring' på blad 'Uppföljning T1', rad 5"]


def test_a_round_sheet_of_last_year_is_not_this_plans_round(empty_db, tmp_path):
    # Last year's annual follow-up kept beside this year's rounds: before, it was read as
    # the latest round (VB), and its 2024 statuses were the measures' statuses.
    path = _workbook(tmp_path, {
        "Åtgärdsplan": [_laxhjalp(), _nattvandring()],
        "Uppföljning VB 2024": [_laxhjalp("VB: Klart förra året.", "Klar"), _nattvandring("VB: Klart.", "Klar")],
        "Uppföljning T1": [_laxhjalp("Start.", "Pågår"), _nattvandring("Planeras.", "Ej påbörjad")],
        "Uppföljning T2": [_laxhjalp("Fler.", "Pågår"), _nattvandring("Ute.", "Pågår")],
    }, first=UNGA)
    report = _load(empty_db, path)
    assert [m[1:] for m in _measures(empty_db)] == [("Läxhjälp", "påbörjad", "Uppföljning T2"),
                                                    ("Nattvandring", "påbörjad", "Uppföljning T2")]
    assert rows(empty_db, "SELECT DISTINCT round FROM measure_followup ORDER BY 1") == [("T1",), ("T2",)]
    assert ("Blad 'Uppföljning VB 2024' gäller 2024, inte planens år 2025, och lästes inte. Spara det årets blad i "
            "en egen arbetsbok och läs in den med --year 2024.") in report.lines


def test_round_sheets_all_of_another_year_are_not_taken_as_this_plans_rounds(empty_db, tmp_path):
    # Which year? The plan sheet names none and the option says 2025: read as before.
    path = _workbook(tmp_path, {"Åtgärdsplan": [_laxhjalp(), _nattvandring()],
                                "T1 2024": [_laxhjalp("Start.", "Pågår"), _nattvandring("Start.", "Pågår")],
                                "T2 2024": [_laxhjalp("Klart.", "Klar"), _nattvandring("Ute.", "Pågår")]},
                     first=UNGA)
    report = _load(empty_db, path)
    assert [m[1::2] for m in _measures(empty_db)] == [("Läxhjälp", "T2 2024"), ("Nattvandring", "T2 2024"),
                                                      ("Läxhjälp", "Åtgärdsplan"), ("Nattvandring", "Åtgärdsplan")]
    assert ("Uppföljningsbladen 'T1 2024' och 'T2 2024' gäller 2024, inte planens år 2025; blad 'Åtgärdsplan' "
            "lästes därför inte som planen de följer upp, utan som förut, för sig (samma åtgärd kan räknas mer än en "
            "gång). Kontrollera planens år.") in report.lines
    assert not _plan_line(report)


def test_a_hidden_old_copy_of_the_plan_is_read_as_before_and_named(empty_db, tmp_path):
    sheets = {"Åtgärdsplan": [_laxhjalp(), _nattvandring()], "Gammal plan": [_laxhjalp(), _nattvandring()],
              "Uppföljning T1": [_laxhjalp("Start.", "Pågår"), _nattvandring("Start.", "Pågår")],
              "Uppföljning T2": [_laxhjalp("Klart.", "Klar"), _nattvandring("Ute.", "Pågår")]}
    report = _load(empty_db, _workbook(tmp_path, sheets, hidden=("Gammal plan",), first=UNGA))
    # The visible plan is the plan; the hidden sheet is read on its own, as before.
    assert [m[1::2] for m in _measures(empty_db)] == [("Läxhjälp", "Gammal plan"), ("Nattvandring", "Gammal plan"),
                                                      ("Läxhjälp", "Uppföljning T2"), ("Nattvandring", "Uppföljning T2")]
    assert ("Blad 'Gammal plan' är dolt och har samma åtgärder som planen på blad 'Åtgärdsplan'; det lästes som "
            "förut, för sig, och dess åtgärder räknas en gång till. Ta bort bladet om det är en gammal version av "
            "planen.") in report.lines
    assert _plan_line(report)[0].startswith("Blad 'Åtgärdsplan' är planen")


def test_a_hidden_plan_sheet_is_the_plan_when_it_is_the_only_one(empty_db, tmp_path):
    sheets = {"Åtgärdsplan": [_laxhjalp(), _nattvandring()],
              "Uppföljning T1": [_laxhjalp("Start.", "Pågår"), _nattvandring("Start.", "Pågår")],
              "Uppföljning T2": [_laxhjalp("Klart.", "Klar"), _nattvandring("Ute.", "Pågår")]}
    report = _load(empty_db, _workbook(tmp_path, sheets, hidden=("Åtgärdsplan",), first=UNGA))
    assert [m[1::2] for m in _measures(empty_db)] == [("Läxhjälp", "Uppföljning T2"),
                                                      ("Nattvandring", "Uppföljning T2")]
    assert _plan_line(report)[0].startswith("Blad 'Åtgärdsplan' är planen")


def _beside(other: str) -> dict[str, list[list]]:
    """The plan, another sheet with the same measures, and two round sheets."""
    return {"Åtgärdsplan": [_laxhjalp(), _nattvandring()], other: [_laxhjalp(), _nattvandring()],
            "Uppföljning T1": [_laxhjalp("Start.", "Pågår"), _nattvandring("Start.", "Pågår")],
            "Uppföljning T2": [_laxhjalp("Klart.", "Klar"), _nattvandring("Ute.", "Pågår")]}


def test_two_visible_sheets_that_could_each_be_the_plan_are_read_as_before(empty_db, tmp_path):
    report = _load(empty_db, _workbook(tmp_path, _beside("Åtgärdsplan reviderad"), first=UNGA))
    assert rows(empty_db, "SELECT source_sheet, count(*) FROM measure GROUP BY 1 ORDER BY 1") == [
        ("Uppföljning T2", 2), ("Åtgärdsplan", 2), ("Åtgärdsplan reviderad", 2)]
    assert ("Blad 'Åtgärdsplan' och 'Åtgärdsplan reviderad' har samma åtgärder och står bredvid uppföljningsbladen "
            "'Uppföljning T1' och 'Uppföljning T2'; det går inte att avgöra vilket som är planen, så bladen lästes som "
            "förut, var för sig (samma åtgärd kan räknas mer än en gång). Ta bort det som inte är planen, eller ge det "
            "ett namn som säger vilken uppföljning det är.") in report.lines
    assert not _plan_line(report)


def test_a_sheet_named_as_a_follow_up_for_no_round_is_not_the_plan(empty_db, tmp_path):
    # "Uppföljning": the latest follow-up, or all of them? 'Åtgärdsplan' is the plan, and
    # 'Uppföljning' is read on its own, as before.
    report = _load(empty_db, _workbook(tmp_path, _beside("Uppföljning"), first=UNGA))
    assert rows(empty_db, "SELECT source_sheet, count(*) FROM measure GROUP BY 1 ORDER BY 1") == [
        ("Uppföljning", 2), ("Uppföljning T2", 2)]
    assert ("Blad 'Uppföljning' har samma åtgärder som uppföljningsbladen 'Uppföljning T1' och 'Uppföljning T2', men "
            "namnet säger att det är en uppföljning, inte vilken; det lästes som förut, för sig, och inte som planen "
            "(samma åtgärd kan räknas mer än en gång). Ge bladet uppföljningens namn (\"Uppföljning T3\", \"VB\") "
            "eller planens (\"Åtgärdsplan\").") in report.lines
    assert _plan_line(report)[0].startswith("Blad 'Åtgärdsplan' är planen")


def test_the_plans_follow_up_copied_to_a_round_sheet_is_one_entry(empty_db, tmp_path):
    # T1 was written in the plan's cells, then the plan copied to 'Uppföljning T1'; a
    # planning note in the plan's cell no round sheet has is kept and named.
    path = _workbook(tmp_path, {
        "Åtgärdsplan": [_laxhjalp("Start i mars, 22 deltagare."), _nattvandring("Planerad start i maj.")],
        "Uppföljning T1": [_laxhjalp("Start i mars, 22 deltagare.", "Pågår"), _nattvandring("Rekrytering.")],
        "Uppföljning T2": [_laxhjalp("41 deltagare.", "Klar"), _nattvandring("Ute varje fredag.", "Pågår")],
    }, first=UNGA)
    report = _load(empty_db, path)
    assert rows(empty_db, "SELECT m.title, f.round, f.text FROM measure_followup AS f JOIN measure AS m "
                          "USING (measure_id) ORDER BY m.source_row, f.round") == [
        ("Läxhjälp", "T1", "Start i mars, 22 deltagare."), ("Läxhjälp", "T2", "41 deltagare."),
        ("Nattvandring", "T1", "Planerad start i maj."), ("Nattvandring", "T1", "Rekrytering."),
        ("Nattvandring", "T2", "Ute varje fredag.")]
    assert ("Blad 'Åtgärdsplan' (planen): uppföljningen på rad 5 står inte på något uppföljningsblad och har inget "
            "datum eller uppföljning framför; den lästes in som uppföljningen T1 (det första uppföljningsbladet, "
            "'Uppföljning T1'), eftersom planen kommer före varje uppföljning, och inte som årets sammanfattning (VB). "
            "Hör texten till en annan uppföljning, skriv den framför texten (\"T2:\", \"VB:\"); är den ingen "
            "uppföljning, flytta den till en annan kolumn.") in report.lines


def test_the_plans_own_text_makes_no_year_end_round_and_does_not_outweigh_the_rounds(
        empty_db, tmp_path, monkeypatch):
    # The plan's follow-up cells hold text no round sheet repeats, without markers: an
    # assessment written when the plan was agreed, a planning note, and the note of a
    # measure no round sheet has. Before, each was an undated year-end entry (VB): the
    # Uppföljningar tab got a VB round no sheet has, every measure 'ej bedömd' or carried
    # there, and the plan's "bedöms vara uppnådd", sorting last, outweighed T1 and T2.
    path = _workbook(tmp_path, {
        "Åtgärdsplan": [_laxhjalp("Åtgärden bedöms vara uppnådd."), _nattvandring("Planerad start i maj."),
                        _row(None, "Låg kunskap", "Föräldraträffar: fyra per år", "Inbjudan skickad.")],
        "Uppföljning T1": [_laxhjalp("22 deltagare.", "Pågår"), _nattvandring("Rekrytering.", "Ej påbörjad")],
        "Uppföljning T2": [_laxhjalp("41 deltagare."), _nattvandring("Ute varje fredag.", "Pågår")],
    }, first=UNGA)
    report = _load(empty_db, path)
    assert rows(empty_db, "SELECT DISTINCT round FROM measure_followup ORDER BY 1") == [("T1",), ("T2",)]
    assert [m[1:3] for m in _measures(empty_db)] == [("Läxhjälp", "påbörjad"), ("Nattvandring", "påbörjad"),
                                                     ("Föräldraträffar", "ej bedömd")]
    assert _rounds(empty_db) == [("Läxhjälp", "T1", "påbörjad"), ("Läxhjälp", "T2", "påbörjad"),
                                 ("Nattvandring", "T1", "ej uppnådd"), ("Nattvandring", "T2", "påbörjad"),
                                 ("Föräldraträffar", "T1", "ej bedömd"), ("Föräldraträffar", "T2", "ej bedömd")]
    assert any(line.startswith("Blad 'Åtgärdsplan' (planen): uppföljningen på rad 4, 5 och 6 står inte på något "
                               "uppföljningsblad och har inget datum eller uppföljning framför; den lästes in som "
                               "uppföljningen T1") for line in report.lines)
    # The Uppföljningar tab: the two rounds the workbook has, no VB column.
    at = open_page(empty_db, "atgarder", monkeypatch, STOCKHOLM)
    open_tab(at, "atgarder_flik", "Uppföljningar")
    [by_round] = [d.shown for d in at.dataframe if list(d.shown.columns) == ["Uppföljning", "Status", "Åtgärder",
                                                                             "Andel"]]
    assert sorted(set(by_round["Uppföljning"])) == ["T1", "T2"]


def test_one_round_sheet_with_other_measures_than_the_area_sheets_is_read_as_before(empty_db, tmp_path):
    # 'Uppföljning T2' shares no measure with the other sheet: it is no follow-up of it,
    # and its cells without markers are undated year-end entries, as before.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [_laxhjalp(), _nattvandring()], first=UNGA, header=[*HEADER, "Status"])
    _sheet(wb, "Uppföljning T2", [_vandring("Tre vandringar.", "Pågår")], first=OTRYGGA, header=[*HEADER, "Status"])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[:2] + m[3:] for m in _measures(empty_db)] == [
        (UNGA, "Läxhjälp", "1. Unga i riskzon"), (UNGA, "Nattvandring", "1. Unga i riskzon"),
        (OTRYGGA, "Trygghetsvandring", "Uppföljning T2")]
    assert rows(empty_db, "SELECT round, followup_date FROM measure_followup") == [("VB", None)]
    assert not _plan_line(report) and not [line for line in report.lines if "samma plan vid olika" in line]


def test_a_sheet_per_lpo_beside_round_sheets_is_read_as_before(empty_db, tmp_path):
    # The LPO sheets' names say whose each measure is; a round sheet's would not.
    path = _workbook(tmp_path, {"LPO Farsta": [_laxhjalp()], "LPO Globen": [_vandring()],
                                "Uppföljning T1": [_laxhjalp("Start.", "Pågår"), _vandring("Start.", "Pågår")],
                                "Uppföljning T2": [_laxhjalp("Klart.", "Klar"), _vandring("Ute.", "Pågår")]},
                     first=UNGA)
    report = _load(empty_db, path)
    assert rows(empty_db, "SELECT source_sheet, count(*) FROM measure GROUP BY 1 ORDER BY 1") == [
        ("LPO Farsta", 1), ("LPO Globen", 1), ("Uppföljning T2", 2)]
    assert any(line.startswith("Blad 'LPO Farsta' och 'LPO Globen' har åtgärder som står på uppföljningsbladen "
                               "'Uppföljning T1' och 'Uppföljning T2', men är ett blad per lokalpolisområde; de "
                               "lästes som förut") for line in report.lines)


# --- the plan's titles retyped on the round sheets ------------------------------------------

def _measure(cause, action, note=None, status=None, who="Fältgruppen", due="2025", goal="Fler unga klarar skolan"):
    """A measure row; the problem is written on a table's first row (_table), the rows below continue it."""
    return [None, cause, action, goal, due, who, note, status]


def _table(*measures: list) -> list[list]:
    """Rows under the problem 'Tidig debut', written on the first."""
    return [["Tidig debut", *measures[0][1:]], *measures[1:]]


def test_a_plan_whose_every_title_was_retyped_on_the_round_sheets_is_linked_by_cause_and_place(
        empty_db, tmp_path, monkeypatch):
    # The follow-up template shortens each title: no title of the plan stands on a round
    # sheet. Before, the plan sheet was read as measures of its own beside the rounds':
    # four measures instead of two, the plan's two 'ej bedömd', and no word of it in the report.
    path = _workbook(tmp_path, {
        "Åtgärdsplan": _table(
            _measure("Svag skolanknytning", "Läxhjälp: två kvällar i veckan på biblioteket"),
            _measure("Få vuxna ute kvällstid", "Nattvandring: fredagar", who="Föreningar")),
        "Uppföljning T1": _table(
            _measure("Svag skolanknytning", "Studiestöd efter skolan", "22 deltagare.", "Pågår"),
            _measure("Få vuxna ute kvällstid", "Vuxna på stan", "Rekrytering.", "Ej påbörjad", who="Föreningar")),
        "Uppföljning T2": _table(
            _measure("Svag skolanknytning", "Studiestöd efter skolan", "41 deltagare.", "Klar"),
            _measure("Få vuxna ute kvällstid", "Vuxna på stan", "Ute varje fredag.", "Pågår", who="Föreningar")),
    }, first=UNGA)
    report = _load(empty_db, path)
    assert _measures(empty_db) == [(UNGA, "Studiestöd efter skolan", "uppnådd", "Uppföljning T2"),
                                   (UNGA, "Vuxna på stan", "påbörjad", "Uppföljning T2")]
    assert _rounds(empty_db) == [("Studiestöd efter skolan", "T1", "påbörjad"),
                                 ("Studiestöd efter skolan", "T2", "uppnådd"),
                                 ("Vuxna på stan", "T1", "ej uppnådd"), ("Vuxna på stan", "T2", "påbörjad")]
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(1, 2, 2)]
    assert _plan_line(report)[0].startswith("Blad 'Åtgärdsplan' är planen, och blad 'Uppföljning T1' (T1) och "
                                            "'Uppföljning T2' (T2) är uppföljningar av dess åtgärder")
    assert ("Blad 'Uppföljning T1', rad 4: åtgärden 'Studiestöd efter skolan' lästes som samma åtgärd som 'Läxhjälp' "
            "i planen (blad 'Åtgärdsplan', rad 4): titeln är omskriven, men de har samma område, problem och orsak, "
            "står på samma plats i tabellen och har samma ansvarig ('Fältgruppen') och samma operativa mål ('Fler "
            "unga klarar skolan'). Kontrollera att det är samma åtgärd; har planens åtgärd ersatts av en ny, låt "
            "planens rad stå kvar på uppföljningsbladet (t.ex. med \"Utgår\"), så läses de som två.") in report.lines
    assert any(line.startswith("Blad 'Uppföljning T1', rad 5: åtgärden 'Vuxna på stan' lästes som samma åtgärd som "
                               "'Nattvandring' i planen") for line in report.lines)
    assert not [line for line in report.lines if "finns inte på något" in line or "står inte i planen" in line]
    at = open_page(empty_db, "atgarder", monkeypatch, STOCKHOLM)
    assert any(c.value.startswith("1 plan från 1 organisation, planår 2025, med 2 åtgärder.") for c in at.caption)


def test_a_title_retyped_beside_titles_kept_is_linked_by_the_words_in_common(empty_db, tmp_path):
    # Neither responsible nor goal filled in: the words the two Åtgärd cells share say it.
    def bare(cause, action, note=None):
        return _measure(cause, action, note, who=None, due=None, goal=None)

    path = _workbook(tmp_path, {
        "Åtgärdsplan": _table(bare("Svag skolanknytning", "Läxhjälp: två kvällar i veckan på biblioteket"),
                              bare("Få vuxna ute kvällstid", "Nattvandring: fredagar")),
        "Uppföljning T1": _table(bare("Svag skolanknytning", "Studiestöd: två kvällar i veckan på biblioteket", "a"),
                                 bare("Få vuxna ute kvällstid", "Nattvandring: fredagar", "Ute.")),
    }, first=UNGA)
    report = _load(empty_db, path)
    assert [m[1::2] for m in _measures(empty_db)] == [("Studiestöd", "Uppföljning T1"),
                                                      ("Nattvandring", "Uppföljning T1")]
    assert any(line.startswith("Blad 'Uppföljning T1', rad 4: åtgärden 'Studiestöd' lästes som samma åtgärd som "
                               "'Läxhjälp' i planen") and "och har ord gemensamma i åtgärdstexten ('kvällar', 'veckan', "
               "'biblioteket')." in line for line in report.lines)


def test_several_measures_under_one_cause_retyped_are_linked_in_their_order(empty_db, tmp_path):
    cause = "Svag skolanknytning"
    path = _workbook(tmp_path, {
        "Åtgärdsplan": _table(_measure(cause, "Läxhjälp"), _measure(cause, "Mentorer"), _measure(cause, "Idrott")),
        "Uppföljning T1": _table(_measure(cause, "Studiestöd", "a"), _measure(cause, "Förebilder", "b"),
                                 _measure(cause, "Fotboll", "c")),
    }, first=UNGA)
    report = _load(empty_db, path)
    assert [m[1] for m in _measures(empty_db)] == ["Studiestöd", "Förebilder", "Fotboll"]
    assert [line.split(" i planen")[0] for line in report.lines if "lästes som samma åtgärd" in line] == [
        "Blad 'Uppföljning T1', rad 4: åtgärden 'Studiestöd' lästes som samma åtgärd som 'Läxhjälp'",
        "Blad 'Uppföljning T1', rad 5: åtgärden 'Förebilder' lästes som samma åtgärd som 'Mentorer'",
        "Blad 'Uppföljning T1', rad 6: åtgärden 'Fotboll' lästes som samma åtgärd som 'Idrott'"]


def test_a_retyped_plan_with_another_responsible_is_kept_apart_and_the_report_says_why(empty_db, tmp_path):
    path = _workbook(tmp_path, {
        "Åtgärdsplan": _table(_measure("Svag skolanknytning", "Läxhjälp"),
                              _measure("Få vuxna ute kvällstid", "Nattvandring")),
        "Uppföljning T1": _table(_measure("Svag skolanknytning", "Studiestöd", "a", who="Skolan"),
                                 _measure("Få vuxna ute kvällstid", "Vuxna på stan", "b", who="Polisen")),
        "Uppföljning T2": _table(_measure("Svag skolanknytning", "Studiestöd", "c", who="Skolan"),
                                 _measure("Få vuxna ute kvällstid", "Vuxna på stan", "d", who="Polisen")),
    }, first=UNGA)
    report = _load(empty_db, path)
    # Read as before: the plan's two measures on their own beside the rounds'.
    assert rows(empty_db, "SELECT source_sheet, count(*) FROM measure GROUP BY 1 ORDER BY 1") == [
        ("Uppföljning T2", 2), ("Åtgärdsplan", 2)]
    assert ("Blad 'Åtgärdsplan' kan vara planen som uppföljningsbladen 'Uppföljning T1' och 'Uppföljning T2' följer "
            "upp: åtgärden på rad 4 ('Läxhjälp') har samma område, problem och orsak som 'Studiestöd' på blad "
            "'Uppföljning T1', rad 4, men titeln är omskriven och ansvarig (Vem) skiljer sig. Bladet lästes som förut, "
            "för sig (samma åtgärd kan räknas mer än en gång). Är det samma åtgärder, skriv titlarna likadant i planen "
            "och på uppföljningsbladen.") in report.lines
    assert not _plan_line(report)


@pytest.mark.parametrize(("t1", "why"), [
    # In another order than in the plan: the place is all a retyped title has.
    ([_measure("Få vuxna ute kvällstid", "Vuxna på stan", "a"), _measure("Svag skolanknytning", "Studiestöd", "b")],
     "titeln är omskriven och åtgärderna står i en annan ordning"),
    # The time changed: perhaps another measure.
    ([_measure("Svag skolanknytning", "Studiestöd", "a", due="T3"), _measure("Få vuxna ute kvällstid", "Nattvandring")],
     "titeln är omskriven och tid (När) skiljer sig"),
    # Nothing but the problem and cause in common.
    ([_measure("Svag skolanknytning", "Studiestöd", "a", who=None, goal=None, due=None),
      _measure("Få vuxna ute kvällstid", "Nattvandring")],
     "titeln är omskriven och inget annat än problemet och orsaken är detsamma (varken ansvarig, operativt mål "
     "eller ord i åtgärdstexten)"),
])
def test_a_retyped_title_the_reader_is_unsure_of_is_kept_apart(empty_db, tmp_path, t1, why):
    laxhjalp = _measure("Svag skolanknytning", "Läxhjälp", who=t1[0][5], goal=t1[0][3], due=t1[0][4] and "2025")
    plan = _table(laxhjalp, _measure("Få vuxna ute kvällstid", "Nattvandring"))
    report = _load(empty_db, _workbook(tmp_path, {"Åtgärdsplan": plan, "Uppföljning T1": _table(*t1)}, first=UNGA))
    doubts = [line for line in report.lines if "kan vara samma åtgärd som 'Läxhjälp'" in line]
    assert len(doubts) == 1, report.lines
    assert f", men {why}; de lästes som två åtgärder." in doubts[0]
    assert {"Läxhjälp", "Studiestöd"} <= {m[1] for m in _measures(empty_db)}
