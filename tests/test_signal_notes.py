"""What the pages say about hidden recruitment signals since every value is summed from the
calendar years' protected values (docs/disclosure.md, "Fixed publication periods"), read
as a user reads them on the tests' demo (signals through December 2025).

Found by a review walking the pages as an LPO safety coordinator, a regional analyst and a
länsstyrelse analyst.
"""

from __future__ import annotations

import pytest
from helpers import open_page

pytestmark = pytest.mark.usefixtures("fast_apptest")

DEC_NOV = {"period": "Välj månader", "fran": "december 2024", "till": "november 2025"}
YEARS_WHY = "delar ett kalenderår"


def _boxes(at) -> list[str]:
    """The boxes above the chart, as a user reads them (notices and warnings)."""
    return [e.value for e in (*at.info, *at.warning)]


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
    whole = at.dataframe[0].value
    assert whole["Totalt"].tolist() == ["Totalt"] and whole["Antal"].tolist() == ["0"]
    assert set(at.dataframe[1].value["Antal"]) == {"0"}


def test_a_sparse_lpo_across_the_turn_of_the_year_gets_two_boxes_above_its_chart(demo_db, monkeypatch):
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
    # One for what hides, with its buttons.
    assert YEARS_WHY in hiding and "en större geografi" in hiding
    assert at.dataframe[0].value["Antal"].tolist() == [".."]
    assert any(b.label.startswith("Visa hela") for b in at.button)


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
    assert at.dataframe[1].value["År"].unique().tolist() == ["2025 (mar–aug)"]
    assert not [b for b in _boxes(at) if "färre månader" in b]
