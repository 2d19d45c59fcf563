"""Most kommuner have no recruitment signals of their own: the signals are recorded per
lokalpolisområde, and an LPO covering several kommuner cannot be split between them.
Jämförelse names those kommuner as such, apart from the ones disclosure control hides,
and when no kommun has a value it leads to the LPOs instead of drawing an empty chart
(Rekryteringssignaler's own case: tests/test_page_fixes7.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import chart_note, open_page

from dashboard import charts

pytestmark = pytest.mark.usefixtures("fast_apptest")

SIGNALS = {"jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"}


def test_bars_name_missing_areas_apart_from_hidden_ones():
    df = pd.DataFrame({"name": ["Berg", "Härjedalen", "Östersund", "Krokom"],
                       "count": pd.array([None, None, 40, None], dtype="Int64"),
                       "count_suppressed": [False, True, False, False],
                       "population": [1000.0, 900.0, 6000.0, 1500.0]})
    fig = charts.ranked_bars(df, "name", "count", population="population", per=1000, title="Signaler",
                             value_title="Per 1 000", missing_label="Registreras per lokalpolisområde")
    note = fig.layout.meta["note"]  # said under the chart (components.chart) and in the export
    assert "Dolda (..): Härjedalen." in note
    assert "Registreras per lokalpolisområde (–): Berg, Krokom." in note
    assert "1 område döljs av röjandeskydd. 2 områden saknar värde." in fig.layout.meta["alt"]


def test_kommuner_without_signals_of_their_own_are_not_called_hidden(demo_db, monkeypatch):
    at = open_page(demo_db, "jamforelse", monkeypatch, {"niva": "Kommun", "omrade": "Haninge", **SIGNALS})
    note = chart_note(at)
    per_lpo = note.split("Registreras per lokalpolisområde (–): ")[1]
    assert "Haninge" in per_lpo
    assert "Haninge" not in note.split("Registreras per lokalpolisområde")[0]  # not among "Dolda (..)"


def test_a_level_without_any_value_leads_to_the_lpos(demo_db, monkeypatch):
    at = open_page(demo_db, "jamforelse", monkeypatch, {"niva": "Kommun", "omrade": "Östersund", **SIGNALS})
    assert not at.get("plotly_chart"), "an empty chart was drawn"
    note = next(i.value for i in at.info if "registreras per lokalpolisområde" in i.value)
    assert "7 av 8 kommuner" in note and "Härjedalen döljs (..)" in note
    [button] = [b for b in at.button if b.key == "jmf_to_lpo"]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="jmf_niva").value == "lpo"
    assert any("Lokalpolisområden sida vid sida" in h.value for h in at.subheader)
