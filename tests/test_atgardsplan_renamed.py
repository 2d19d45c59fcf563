"""A measure whose title was edited between a workbook's round sheets.

A plan kept in a sheet per follow-up round ("Uppföljning mars", "T2 2025") is read as the
rounds of the same measures (docs/sources/atgardsplan.md, "A sheet per follow-up round").
Coordinators edit a measure's title from one round to the next: a typo fixed, words added.
Before, such a measure was stored twice, once from each sheet, and its rounds were split
between the two. Each test builds the workbook in code, loads it through the real loader
and checks what the Åtgärder page would show and what the report tells the coordinator.
"""

from __future__ import annotations

import pytest
from helpers import rows

from tests.test_atgardsplan import HEADER
from tests.test_atgardsplan_hunt3 import _load, _new, _save, _sheet

ROUND_SHEETS = ("Uppföljning mars", "Uppföljning aug", "Uppföljning okt")


def _rounds(tmp_path, sheets: dict[str, list[list]]):
    wb = _new()
    for title, table in sheets.items():
        _sheet(wb, title, table, header=[*HEADER, "Status"])
    return _save(wb, tmp_path / "plan.xlsx")


def _row(problem, cause, action, note, status=None):
    return [problem, cause, action, "Mål", "2025", "Fältgruppen", note, status]


def _titles(db) -> list[tuple]:
    return rows(db, "SELECT title, source_sheet, source_row FROM measure ORDER BY source_sheet, source_row")


def test_a_title_edited_between_round_sheets_is_one_measure_with_every_round(empty_db, tmp_path):
    # Words added at T2 ("(fredag–lördag)") and a typo fixed at T3 ("Trygghetsvandirng").
    def sheet(fält: str, vandring: str, notes: tuple[str, str, str], statuses: tuple[str, str, str]):
        return [
            _row("Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar i veckan", notes[0], statuses[0]),
            _row(None, "Få vuxna ute kvällstid", f"{fält}: två fältassistenter ute", notes[1], statuses[1]),
            _row("Otrygg centrummiljö", "Mörka platser", f"{vandring}: med fastighetsägarna", notes[2], statuses[2]),
        ]

    path = _rounds(tmp_path, {
        "Uppföljning mars": sheet("Fältassistenter kvällstid", "Trygghetsvandirng",
                                  ("22 deltagare.", "Rekrytering pågår.", "Planerad till maj."),
                                  ("Pågår", "Ej påbörjad", "Ej påbörjad")),
        "Uppföljning aug": sheet("Fältassistenter kvällstid (fredag–lördag)", "Trygghetsvandirng",
                                 ("41 deltagare.", "Ute fredag och lördag.", "Första vandringen 12 juni."),
                                 ("Pågår", "Pågår", "Pågår")),
        "Uppföljning okt": sheet("Fältassistenter kvällstid (fredag–lördag)", "Trygghetsvandring",
                                 ("58 deltagare.", "Ute varje helg.", "Tre vandringar."),
                                 ("Klar", "Klar", "Pågår")),
    })
    report = _load(empty_db, path)
    assert _titles(empty_db) == [("Läxhjälp", "Uppföljning okt", 4),
                                 ("Fältassistenter kvällstid (fredag–lördag)", "Uppföljning okt", 5),
                                 ("Trygghetsvandring", "Uppföljning okt", 6)]
    # What the 'Uppföljningar' tab shows: each measure's status at each of the three rounds.
    assert rows(empty_db, "SELECT m.title, r.round, r.status FROM mart_measure_round AS r JOIN measure AS m "
                          "USING (measure_id) WHERE m.title <> 'Läxhjälp' ORDER BY m.source_row, r.round_no") == [
        ("Fältassistenter kvällstid (fredag–lördag)", "T1", "ej uppnådd"),
        ("Fältassistenter kvällstid (fredag–lördag)", "T2", "påbörjad"),
        ("Fältassistenter kvällstid (fredag–lördag)", "T3", "uppnådd"),
        ("Trygghetsvandring", "T1", "ej uppnådd"), ("Trygghetsvandring", "T2", "påbörjad"),
        ("Trygghetsvandring", "T3", "påbörjad")]
    assert rows(empty_db, "SELECT f.round, f.text FROM measure_followup AS f JOIN measure AS m USING (measure_id) "
                          "WHERE m.source_row = 5 ORDER BY f.round") == [
        ("T1", "Rekrytering pågår."), ("T2", "Ute fredag och lördag."), ("T3", "Ute varje helg.")]
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(2, 3, 3)]
    # The coordinator can check each title taken as the same measure.
    assert ("Blad 'Uppföljning aug', rad 5: åtgärden 'Fältassistenter kvällstid (fredag–lördag)' lästes som samma "
            "åtgärd som 'Fältassistenter kvällstid' på blad 'Uppföljning mars', rad 5 (samma område, samma problem, "
            "samma plats i tabellen; titeln rättad eller utökad). Kontrollera att det är samma åtgärd; har "
            "den gamla strukits och ersatts av en ny, låt den gamla raden stå kvar, så läses de som två."
            ) in report.lines
    assert [line.split(" (samma område")[0] for line in report.lines if "lästes som samma åtgärd" in line] == [
        "Blad 'Uppföljning aug', rad 5: åtgärden 'Fältassistenter kvällstid (fredag–lördag)' lästes som samma "
        "åtgärd som 'Fältassistenter kvällstid' på blad 'Uppföljning mars', rad 5",
        "Blad 'Uppföljning okt', rad 6: åtgärden 'Trygghetsvandring' lästes som samma åtgärd som "
        "'Trygghetsvandirng' på blad 'Uppföljning aug', rad 6"]
    assert not [line for line in report.lines if "finns inte på något senare" in line or "kan vara samma" in line]


def test_a_measure_replaced_by_another_is_not_merged_and_a_near_title_is_kept_apart_and_named(empty_db, tmp_path):
    # At T2 the Friday night walks moved to Saturdays (the same measure, or a new one?),
    # and the parents' evenings were replaced by sports evenings (another measure).
    path = _rounds(tmp_path, {
        "T1 2025": [_row("Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "Start i mars."),
                    _row(None, "Få vuxna ute", "Nattvandring fredagar: föräldrar", "Fyra vandringar."),
                    _row(None, "Svagt föräldraskap", "Föräldraträffar: en gång i månaden", "Två träffar.")],
        "T2 2025": [_row("Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "41 deltagare."),
                    _row(None, "Få vuxna ute", "Nattvandring lördagar: föräldrar", "Sex vandringar."),
                    _row(None, "Svagt föräldraskap", "Idrottskvällar: fri idrott i hallen", "Startar i höst.")],
    })
    report = _load(empty_db, path)
    assert _titles(empty_db) == [("Nattvandring fredagar", "T1 2025", 5), ("Föräldraträffar", "T1 2025", 6),
                                 ("Läxhjälp", "T2 2025", 4), ("Nattvandring lördagar", "T2 2025", 5),
                                 ("Idrottskvällar", "T2 2025", 6)]
    assert not [line for line in report.lines if "lästes som samma åtgärd" in line]
    assert [line for line in report.lines if "kan vara samma" in line] == [
        "Blad 'T2 2025', rad 5: åtgärden 'Nattvandring lördagar' kan vara samma åtgärd som 'Nattvandring fredagar' "
        "på blad 'T1 2025', rad 5, men titlarna skiljer sig mer än en rättelse eller ett tillägg; de lästes som två "
        "åtgärder. Är det samma åtgärd, skriv problemet och titeln likadant på båda bladen."]
    assert ("Blad 'T1 2025': åtgärderna på rad 5 ('Nattvandring fredagar') och 6 ('Föräldraträffar') finns inte på "
            "något senare uppföljningsblad och lästes in från detta blad. Kontrollera om de har fått en annan titel "
            "eller strukits.") in report.lines


def test_two_edits_of_one_title_or_an_edit_under_another_problem_are_kept_apart(empty_db, tmp_path):
    # 'Läxhjälp' became two measures at T2 (which one is the old?); 'Fältassistenter'
    # stands under another problem at T2.
    path = _rounds(tmp_path, {
        "T1 2025": [_row("Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "Start i mars."),
                    _row("Otrygg centrummiljö", "Få vuxna ute", "Fältassistenter: två", "Rekrytering.")],
        "T2 2025": [_row("Tidig debut", "Svag skolanknytning", "Läxhjälp i skolan: två kvällar", "20 deltagare."),
                    _row(None, "Svag skolanknytning", "Läxhjälp på biblioteket: lördagar", "Start i maj."),
                    _row("Narkotikaförsäljning vid stationen", "Få vuxna ute", "Fältassistenter kvällstid: två",
                         "Ute varje fredag.")],
    })
    report = _load(empty_db, path)
    assert len(_titles(empty_db)) == 5  # nothing merged
    doubts = [line for line in report.lines if "kan vara samma" in line]
    assert [line.split(" men ")[1].split(";")[0] for line in doubts] == [
        "fler än en åtgärd passar", "fler än en åtgärd passar", "den står under ett annat problem"]
    assert doubts[2].startswith("Blad 'T2 2025', rad 6: åtgärden 'Fältassistenter kvällstid' kan vara samma åtgärd "
                                "som 'Fältassistenter' på blad 'T1 2025', rad 5, men")


def test_a_problem_whose_typo_was_fixed_keeps_its_measures(empty_db, tmp_path):
    path = _rounds(tmp_path, {
        "T1 2025": [_row("Tidig debutt i kriminalitet", "Svag skolanknytning", "Läxhjälp: två kvällar", "Start.",
                         "Pågår"),
                    _row(None, "Få vuxna ute", "Nattvandring: fredagar", "Fyra vandringar.", "Pågår")],
        "T2 2025": [_row("Tidig debut i kriminalitet", "Svag skolanknytning", "Läxhjälp: två kvällar", "41.", "Klar"),
                    _row(None, "Få vuxna ute", "Nattvandring: fredagar", "Sex vandringar.", "Klar")],
    })
    report = _load(empty_db, path)
    assert rows(empty_db, "SELECT problem, title, status, source_sheet FROM measure ORDER BY source_row") == [
        ("Tidig debut i kriminalitet", "Läxhjälp", "uppnådd", "T2 2025"),
        ("Tidig debut i kriminalitet", "Nattvandring", "uppnådd", "T2 2025")]
    assert rows(empty_db, "SELECT count(*) FROM measure_followup") == [(4,)]
    assert ("Blad 'T2 2025', rad 4: åtgärden 'Läxhjälp' lästes som samma åtgärd som 'Läxhjälp' på blad 'T1 2025', "
            "rad 4 (samma område, problemet ändrat från 'Tidig debutt i kriminalitet' till 'Tidig debut i "
            "kriminalitet', samma plats i tabellen; samma titel). Kontrollera att det är samma åtgärd; har den gamla "
            "strukits och ersatts av en ny, låt den gamla raden stå kvar, så läses de som två.") in report.lines


@pytest.mark.parametrize(("before", "after", "same"), [
    ("Fältassistenter kvällstid", "Fältassistenter kvällstid (fredag–lördag)", True),  # words added
    ("Nattvandirng", "Nattvandring", True),  # a typo fixed
    ("Samverkan skola-socialtjänst", "Samverkan Skola – socialtjänst", True),  # case and punctuation
    ("Läxhjälp", "Läxhjälp i skolan", True),
    ("Stöd till föräldrar", "Stöd för föräldrar", True),  # a small word swapped
    ("Läxhjälp", "Nattvandring", False),  # another measure in its place
    ("Trygghetsvandring i Hagsätra", "Trygghetsvandring i Rågsved", False),  # another place
    ("Föräldrastöd ABC", "Föräldrastöd Cope", False),  # another programme
    ("Insats T1", "Insats T2", False),  # digits are never a typo
    ("Nattvandring", "Nattvandring med föräldrar på helger", False),  # more added than kept
])
def test_which_title_edits_make_the_same_measure(empty_db, tmp_path, before, after, same):
    path = _rounds(tmp_path, {
        "T1 2025": [_row("Tidig debut", "Svag skolanknytning", f"{before}: beskrivning", "Start i mars."),
                    _row(None, "Få vuxna ute", "Fältgrupp: kvällar", "Ute.")],
        "T2 2025": [_row("Tidig debut", "Svag skolanknytning", f"{after}: beskrivning", "41 deltagare."),
                    _row(None, "Få vuxna ute", "Fältgrupp: kvällar", "Ute varje kväll.")],
    })
    _load(empty_db, path)
    assert rows(empty_db, "SELECT count(*) FROM measure") == [(2 if same else 3,)]


def test_an_old_row_left_beside_its_replacement_keeps_them_two_measures(empty_db, tmp_path):
    # What the report advises when two titles taken as one measure are not: leave the old
    # row on the later sheet (struck), and the new one is a measure of its own.
    path = _rounds(tmp_path, {
        "T1 2025": [_row("Tidig debut", "Få vuxna ute", "Fältassistenter kvällstid: två", "Start.", "Pågår")],
        "T2 2025": [_row("Tidig debut", "Få vuxna ute", "Fältassistenter kvällstid: två", "Upphör.", "Utgår"),
                    _row(None, "Få vuxna ute", "Fältassistenter kvällstid (fredag–lördag): fyra", "Start.", "Pågår")],
    })
    report = _load(empty_db, path)
    assert _titles(empty_db) == [("Fältassistenter kvällstid", "T2 2025", 4),
                                 ("Fältassistenter kvällstid (fredag–lördag)", "T2 2025", 5)]
    assert not [line for line in report.lines if "samma åtgärd som" in line]
