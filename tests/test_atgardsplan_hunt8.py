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

from tests.test_atgardsplan import OTRYGGA
from tests.test_atgardsplan_hunt3 import _load, _measures, _new, _save, _sheet

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


# --- 4. a status that hedges -------------------------------------------------------------------

OTHER = "Skriv en status om en annan menas."
UNCLEAR = "Skriv en tydlig status (t.ex. Pågår, Klar, Ej påbörjad)."
HEDGING = [
    # (Status cell, stored status, what the report says about the cell)
    ("Pågår/klar", "påbörjad",
     f"kan läsas som påbörjad eller uppnådd; den lästes som den minst gynnsamma, 'påbörjad'. {OTHER}"),
    ("Klar (delvis)", "delvis uppnådd",
     f"kan läsas som delvis uppnådd eller uppnådd; den lästes som den minst gynnsamma, 'delvis uppnådd'. {OTHER}"),
    ("Ej påbörjad?", "ej uppnådd", f"lästes försiktigt som 'ej uppnådd', den status den nämner. {OTHER}"),
    ("Påbörjad men pausad", "påbörjad", f"lästes försiktigt som 'påbörjad', den status den nämner. {OTHER}"),
    # Done, in doubt: the cell does not decide; the follow-up's own assessment does.
    ("Klar?", "uppnådd", f"är osäker (uppnådd?) och lästes inte; statusen togs från uppföljningen. {UNCLEAR}"),
    # 'Delvis klar' is no hedge: it is the table's 'delvis uppnådd', read without a note.
    ("Delvis klar", "delvis uppnådd", None),
]


def test_a_hedging_status_is_read_as_the_least_favourable_it_can_mean_and_reported(empty_db, tmp_path):
    # Before: each but 'Delvis klar' was "not recognised" and the status was taken from
    # the follow-up, which here says 'uppnådd': a measure whose own Status cell says
    # 'Pågår/klar' or 'Ej påbörjad?' was stored as achieved.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        [f"Problem {i}", f"Orsak {i}", f"Åtgärd {i}: text", "Mål", "2025", "Chef",
         "VB: Åtgärden bedöms vara uppnådd.", status] for i, (status, _, _) in enumerate(HEDGING)])
    ws.cell(3, 8, "Status")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == [stored for _, stored, _ in HEDGING]
    for row, (status, _, said) in enumerate(HEDGING, start=4):
        lines = [line for line in report.lines if line.startswith(f"Blad '1. Unga i riskzon', cell H{row}: ")]
        assert lines == ([f"Blad '1. Unga i riskzon', cell H{row}: statusen '{status}' {said}"] if said else [])


def test_an_assessment_naming_two_statuses_is_read_as_the_least_favourable(empty_db, tmp_path):
    # Before: 'bedöms vara uppnådd/påbörjad' was 'uppnådd', the first word.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Skolfrånvaro", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare", "2025", "Fritid",
         "250905: 41 deltagare.\nVB: Åtgärden bedöms vara uppnådd/påbörjad."]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT status FROM measure") == [("påbörjad",)]
    assert rows(empty_db, "SELECT round, status FROM measure_followup ORDER BY round") == [
        ("T2", "ej bedömd"), ("VB", "påbörjad")]
    assert ("Blad '1. Unga i riskzon', rad 4: uppföljningen bedömer åtgärden som påbörjad eller uppnådd; posten "
            "lästes som den minst gynnsamma, 'påbörjad'.") in report.lines
