"""Action-plan workbooks as municipalities fill them in: the eighth input hunt.

Each test builds, small and in code, what real workbooks do that the reader got wrong
(a row that says "Se ovan" but carries a cause and a follow-up of its own, an embedded
document holding a personnummer, a sheet per follow-up round, a status that hedges, a
plan shared by several kommuner), loads it through the real loader into a fresh
database and checks what the coordinator would check: what landed, what the report
says, or the refusal and that the database is unchanged.
"""

from __future__ import annotations

from helpers import rows

from tests.test_atgardsplan import OTRYGGA, UNGA
from tests.test_atgardsplan_hunt3 import _load, _new, _save, _sheet

# --- 1. a row that continues the measure above -------------------------------------------------


def test_a_row_saying_se_ovan_continues_the_measure_above(empty_db, tmp_path):
    # Before: rows 5, 6 and 8 were skipped as "no measure of their own": the causes
    # Trångboddhet and Brist på vuxna, the T2 follow-up and the second unit were lost.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Skolfrånvaro", "Svag skolanknytning", "Läxhjälp: två kvällar i veckan", "60 deltagare", "2025", "Fritid",
         "250415: Start i mars."],
        [None, "Trångboddhet", "Se ovan", "Se ovan", None, None, "250905: 41 deltagare. Åtgärden bedöms vara påbörjad."],
        [None, "Brist på vuxna förebilder", "Samma åtgärd som ovan", None, None, "Skola", None],
        ["Otrygghet i centrum", "Mörka platser", "Belysning: fler armaturer", "10 armaturer", "2025", "Teknik",
         "VB: Åtgärden bedöms vara uppnådd."],
        [None, "Få vuxna ute", '"', None, None, None, None],
    ])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT source_row, cause, operational_goal, responsible, status FROM measure "
                          "ORDER BY source_row") == [
        (4, "Svag skolanknytning\nTrångboddhet\nBrist på vuxna förebilder", "60 deltagare", "Fritid\nSkola",
         "påbörjad"),
        (7, "Mörka platser\nFå vuxna ute", "10 armaturer", "Teknik", "uppnådd"),
    ]
    assert rows(empty_db, "SELECT round, text FROM measure_followup WHERE measure_id LIKE '%:4' "
                          "ORDER BY followup_date") == [
        ("T1", "Start i mars."), ("T2", "41 deltagare. Åtgärden bedöms vara påbörjad.")]
    # Each cause counts once, each measure once (as the analysis sheet counts them).
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(2, 5, 2)]
    assert ("Blad '1. Unga i riskzon': kolumn C hänvisar på rad 5, 6 ('Se ovan', 'Samma åtgärd som ovan') till "
            "åtgärden på rad 4, rad 8 ('\"') till åtgärden på rad 7; raderna lästes som en del av den åtgärden, med "
            "sina orsaker, uppföljningar och övriga uppgifter.") in report.lines
    assert not any("ingen egen åtgärd" in line for line in report.lines), report.lines


def test_se_nedan_joins_the_measure_below_and_a_pointer_with_nothing_to_point_at_is_no_measure(empty_db, tmp_path):
    wb = _new()
    _sheet(wb, "2. Otrygga platser", [
        ["Otrygghet vid torget", "Dålig belysning", "Se ovan", None, None, None, "250415: Inventering gjord."],
        [None, "Nedskräpning", "Se nedan", None, None, None, None],
        [None, "Droghandel", "Platssamverkan: med fastighetsägare och polis", "Åtgärdslista", "2025", "TS",
         "250905: Pågår"],
    ], first=OTRYGGA)
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT source_row, cause FROM measure") == [(6, "Nedskräpning\nDroghandel")]
    # The first row points above the table: nothing to continue. It has a follow-up but
    # says it has no measure of its own, so it is counted as a cause and reported.
    assert ("Blad '2. Otrygga platser': rad 4 har ingen egen åtgärd i kolumn C ('Se ovan') och lästes inte som "
            "åtgärder. Skriv åtgärden, eller slå ihop cellen med åtgärden ovan om raden hör till den.") in report.lines
    assert any("rad 5 ('Se nedan') till åtgärden på rad 6" in line for line in report.lines), report.lines
