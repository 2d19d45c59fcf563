"""What the pages say about hidden recruitment signals since every value is summed from the
calendar years' protected values (docs/disclosure.md, "Fixed publication periods"), read
as a user reads them on the tests' demo (signals through December 2025).

Found by a review walking the pages as an LPO safety coordinator, a regional analyst and a
länsstyrelse analyst.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers import open_page
from helpers import swedish_number as number

from dashboard.queries import signals

pytestmark = pytest.mark.usefixtures("fast_apptest")

DEC_NOV = {"period": "Välj månader", "fran": "december 2024", "till": "november 2025"}
YEARS_WHY = "delar ett kalenderår"


def _boxes(at) -> list[str]:
    """The boxes above the chart, as a user reads them (notices and warnings)."""
    return [e.value for e in (*at.info, *at.warning)]


def _hidden_share(at) -> float:
    """The share of the counts shown as ".." in "Hela perioden" and the table per period."""
    values = [str(v) for df in at.dataframe[:2] for v in df.shown["Antal"]]
    return values.count("..") / len(values)


def _lpo(demo_db, monkeypatch, name: str, months: dict, **params):
    return open_page(demo_db, "rekrytering", monkeypatch, {"niva": "Lokalpolisområde", "omrade": name, **months,
                                                           **params})


def test_an_lpo_without_signals_in_the_period_shows_0_for_the_whole_period(demo_db, raw, monkeypatch):
    # Härjedalen had no signals in March–August 2025: its trend showed 0 each month and
    # "Hela perioden" an empty table.
    assert raw.execute("""SELECT coalesce(sum(count), 0) FROM mart_signal
                          WHERE lpo_code = 'LPO-HARJEDALEN' AND month BETWEEN '2025-03-01' AND '2025-08-01'
                       """).fetchone()[0] == 0
    at = _lpo(demo_db, monkeypatch, "Härjedalen", {"period": "Välj månader", "fran": "mars 2025",
                                                   "till": "augusti 2025"})
    whole = at.dataframe[0].shown
    assert whole["Totalt"].tolist() == ["Totalt"] and whole["Antal"].tolist() == ["0"]
    assert set(at.dataframe[1].shown["Antal"]) == {"0"}


def test_a_sparse_lpo_across_the_turn_of_the_year_gets_two_boxes_above_its_chart(demo_db, raw, monkeypatch):
    # Boden, December 2024–November 2025: five boxes stood above the chart (the month and
    # the quarter steps, a warning, the calendar years, the cut years), the last saying
    # "Välj Månad", which the page had itself left and would leave again.
    at = _lpo(demo_db, monkeypatch, "Boden", DEC_NOV)
    boxes = _boxes(at)
    assert len(boxes) == 2, boxes
    grain, hiding = boxes
    # One box for the grain: both steps in one sentence, and the years the months cut.
    assert "per månad och per kvartal skulle döljas" in grain and "per år" in grain
    assert "2024 (dec) och 2025 (jan–nov) har färre månader" in grain
    assert "Välj Månad" not in " ".join(boxes)
    # One for what hides and what shows more: the year holding eleven of the twelve
    # months, not 2024–2025 (24 months, which the page offered).
    assert YEARS_WHY in hiding and "Välj hela 2025 eller en större geografi" in hiding
    assert at.dataframe[0].shown["Antal"].tolist() == [".."]
    labels = [b.label for b in at.button]
    assert "Visa hela 2025" in labels and "Visa hela 2024–2025" not in labels
    next(b for b in at.button if b.label == "Visa hela 2025").click()
    at.run()
    assert (at.query_params["fran"], at.query_params["till"]) == ("januari 2025", "december 2025")
    truth = raw.execute("""SELECT sum(count) FROM mart_signal
                           WHERE lpo_code = 'LPO-BODEN' AND month BETWEEN '2025-01-01' AND '2025-12-01'
                        """).fetchone()[0]
    assert number(at.dataframe[0].shown["Antal"].iloc[0]) == truth
    assert not [b for b in _boxes(at) if YEARS_WHY in b]


def test_a_period_the_user_shows_per_year_keeps_the_advice_to_choose_months(demo_db, monkeypatch):
    at = open_page(demo_db, "rekrytering", monkeypatch, {"niva": "Polisregion", "omrade": "Region Stockholm",
                                                         **DEC_NOV, "tid": "År"})
    cut = [b for b in _boxes(at) if "färre månader" in b]
    assert len(cut) == 1 and "Välj Månad" in cut[0]


def test_no_cut_year_notice_for_a_single_period(demo_db, monkeypatch):
    # Järva by source in March–August 2025 is shown per year: one period, "2025 (mar–aug)",
    # with no whole year beside it to be compared with.
    at = _lpo(demo_db, monkeypatch, "Järva", {"period": "Välj månader", "fran": "mars 2025",
                                              "till": "augusti 2025"}, uppdelning="Källa")
    assert at.dataframe[1].shown["År"].unique().tolist() == ["2025 (mar–aug)"]
    assert not [b for b in _boxes(at) if "färre månader" in b]


def test_whole_years_are_not_offered_where_they_hide_as_much(demo_db, monkeypatch):
    # Boden by sex: December–November hides 7 of its 9 counts, 2025 and 2024–2025 as many
    # or more. The page said "Hela 2024–2025 visar fler" and offered them all the same.
    at = _lpo(demo_db, monkeypatch, "Boden", DEC_NOV, uppdelning="Kön")
    chosen = _hidden_share(at)
    for fran, till in (("januari 2025", "december 2025"), ("januari 2024", "december 2025")):
        whole = _lpo(demo_db, monkeypatch, "Boden", {"period": "Välj månader", "fran": fran, "till": till},
                     uppdelning="Kön")
        assert _hidden_share(whole) >= chosen, (fran, till)
    assert not [b for b in _boxes(at) if YEARS_WHY in b]
    assert not [b.label for b in at.button if b.label.startswith("Visa hela")]
    assert "Välj en större geografi" in " ".join(w.value for w in at.warning)
    assert len(_boxes(at)) == 2


@pytest.mark.parametrize(("months", "offered"), [
    # Six months in each year: the later one.
    ({"fran": "juli 2024", "till": "juni 2025"}, "Visa hela 2025"),
    # More than twelve months: the years around them.
    ({"fran": "mars 2024", "till": "augusti 2025"}, "Visa hela 2024–2025"),
])
def test_the_years_offered_for_a_period_across_the_turn_of_the_year(demo_db, monkeypatch, months, offered):
    at = _lpo(demo_db, monkeypatch, "Boden", {"period": "Välj månader", **months})
    assert offered in [b.label for b in at.button]


def test_years_label_names_the_months_of_a_year_the_signals_do_not_fill():
    # The year the signals end in holds their months only: "hela 2025" would promise December.
    assert signals.years_label((date(2025, 1, 1), date(2025, 12, 1))) == "hela 2025"
    assert signals.years_label((date(2024, 1, 1), date(2025, 12, 1))) == "hela 2024–2025"
    assert signals.years_label((date(2025, 1, 1), date(2025, 10, 1))) == "januari 2025 – oktober 2025"


def test_oversikt_names_the_months_that_show_the_hidden_headline(demo_db, raw, monkeypatch):
    at = open_page(demo_db, "oversikt", monkeypatch, {"niva": "Lokalpolisområde", "omrade": "Boden", **DEC_NOV})
    card = next(m for m in at.metric if m.label == "Rekryteringssignaler")
    assert card.value == ".."
    note = next(c.value for c in at.caption if YEARS_WHY in c.value)
    assert "Välj januari 2025 – december 2025 under Period" in note
    at = open_page(demo_db, "oversikt", monkeypatch, {"niva": "Lokalpolisområde", "omrade": "Boden",
                                                      "period": "Välj månader", "fran": "januari 2025",
                                                      "till": "december 2025"})
    truth = raw.execute("""SELECT sum(count) FROM mart_signal
                           WHERE lpo_code = 'LPO-BODEN' AND month BETWEEN '2025-01-01' AND '2025-12-01'
                        """).fetchone()[0]
    assert number(next(m for m in at.metric if m.label == "Rekryteringssignaler").value) == truth
    # A headline shown across the turn of the year: nothing to explain.
    at = open_page(demo_db, "oversikt", monkeypatch, {"niva": "Lokalpolisområde", "omrade": "Järva", **DEC_NOV})
    assert not [c.value for c in at.caption if YEARS_WHY in c.value]


def test_jamforelse_says_why_signals_hide_across_the_turn_of_the_year(demo_db, monkeypatch, recorded):
    params = {"niva": "Polisområde", "omrade": "Norrbotten", "jmf_niva": "Lokalpolisområde",
              "jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"}
    at = open_page(demo_db, "jamforelse", monkeypatch, {**params, **DEC_NOV})
    table = at.dataframe[0].shown
    assert (table["Antal"] == "..").sum() >= 3
    note = next(i.value for i in at.info if YEARS_WHY in i.value)
    assert "Välj januari 2025 – december 2025 under Period" in note
    # The export says why, not where to click: a report's reader has no Period to choose under.
    caption = recorded["jmf_bars_dl"]["caption"]
    assert YEARS_WHY in caption and "under Period" not in caption
    # 2025 shows them, and the page has nothing to explain.
    at = open_page(demo_db, "jamforelse", monkeypatch, {**params, "period": "Välj månader",
                                                        "fran": "januari 2025", "till": "december 2025"})
    assert (at.dataframe[0].shown["Antal"] == "..").sum() < (table["Antal"] == "..").sum()
    assert not [i.value for i in at.info if YEARS_WHY in i.value]


def test_rekrytering_exports_say_why_values_hide_without_the_pages_instructions(demo_db, monkeypatch, recorded):
    at = open_page(demo_db, "rekrytering", monkeypatch, {"niva": "Lokalpolisområde", "omrade": "Boden", **DEC_NOV})
    on_screen = next(m.value for m in [*at.info, *at.warning] if YEARS_WHY in m.value)
    assert "Välj hela 2025" in on_screen or "visar fler" in on_screen  # beside its button on the page
    for key in ("signal-trend", "signal-summary"):
        caption = recorded[key]["caption"]
        assert YEARS_WHY in caption, key
        assert not any(words in caption for words in ("visar fler", "under Period", "Välj ")), caption


def test_karta_exports_say_why_signals_hide_without_the_pages_instructions(demo_db, monkeypatch, recorded):
    at = open_page(demo_db, "karta", monkeypatch, {**DEC_NOV, "karta_niva": "Lokalpolisområde",
                                                    "matt": "Rekryteringssignaler"})
    assert any(YEARS_WHY in i.value and "under Period" in i.value for i in at.info)  # on the page, what to choose
    caption = recorded["karta_table_dl"]["caption"]
    assert YEARS_WHY in caption
    assert not any(words in caption for words in ("visar fler", "under Period", "Välj ")), caption
