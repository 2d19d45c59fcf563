"""Whether a recruitment-signal count is hidden (..), missing (–, and why) or counted is one
rule in the query layer (signals.area_cells): Översikt's headline reads it for riket and
every level, as Karta and Jämförelse do, and Jämförelse's bars name each missing area by
its own reason."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from helpers import chart_note, open_page

from dashboard import charts, filters
from dashboard.queries import signals

pytestmark = pytest.mark.usefixtures("fast_apptest")

YEAR_2025 = {"period": "Välj månader", "fran": "januari 2025", "till": "december 2025"}
YEAR_2018 = {"period": "Välj månader", "fran": "januari 2018", "till": "december 2018"}  # before the signals
SIGNALS = {"jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"}


def signal_metric(at):
    return next(m for m in at.metric if m.label == "Rekryteringssignaler")


def number(text: str) -> int:
    return int(text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-"))


@pytest.mark.parametrize(("params", "shown"), [
    # Haninge and Tyresö: recorded per LPO (each covering other kommuner too), not none.
    ({"niva": "Kommun", "omrade": "Haninge", **YEAR_2025}, "–"),
    ({"niva": "Kommun", "omrade": "Tyresö", **YEAR_2025}, "–"),
    # Two signals in 2025: hidden on both hierarchies.
    ({"niva": "Kommun", "omrade": "Härjedalen", **YEAR_2025}, ".."),
    ({"niva": "Lokalpolisområde", "omrade": "Härjedalen", **YEAR_2025}, ".."),
    # No month with signals: missing for every area, riket too.
    ({"niva": "Kommun", "omrade": "Stockholm", **YEAR_2018}, "–"),
    ({"niva": "Kommun", "omrade": "Haninge", **YEAR_2018}, "–"),
    (YEAR_2018, "–"),
])
def test_the_overview_headline_is_hidden_or_missing(demo_db, monkeypatch, params, shown):
    metric = signal_metric(open_page(demo_db, "oversikt", monkeypatch, params))
    assert metric.value == shown and not metric.delta, (metric.value, metric.delta)


@pytest.mark.parametrize(("params", "where"), [
    (YEAR_2025, "TRUE"),
    ({"niva": "Kommun", "omrade": "Stockholm", **YEAR_2025}, "kommun_code = '0180'"),
])
def test_the_overview_headline_counts_the_others(demo_db, monkeypatch, raw, params, where):
    metric = signal_metric(open_page(demo_db, "oversikt", monkeypatch, params))
    now, before = (raw.execute(f"SELECT sum(count) FROM mart_signal WHERE {where} AND year(month) = ?",
                               [year]).fetchone()[0] for year in (2025, 2024))
    assert number(metric.value) == now
    assert number(metric.delta.split(" (")[0]) == now - before


@pytest.fixture
def on_demo(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))


@pytest.mark.parametrize(("start", "end"), [(date(2025, 1, 1), date(2025, 12, 1)),
                                            (date(2018, 1, 1), date(2018, 12, 1))])
@pytest.mark.parametrize("code", ["0136", "0138", "2361", "0180", "2582"])  # Haninge, Tyresö, Härjedalen, …
def test_the_headline_and_every_area_count_agree(on_demo, start, end, code):
    # One rule: the headline's kommun is the map's and Jämförelse's kommun.
    headline = signals.signal_total_counts(filters.Selection("kommun", code, start, end))["nu"]
    row = signals.area_counts("kommun", start, end).set_index("area_code").loc[code]
    assert (pd.isna(headline[0]), headline[1], headline[2]) == (pd.isna(row["count"]), row["count_suppressed"],
                                                                row["count_missing"])
    if not pd.isna(headline[0]):
        assert headline[0] == row["count"]


def test_missing_bars_are_named_by_their_own_reason():
    df = pd.DataFrame({"name": ["Berg", "Härjedalen", "Östersund", "Krokom", "Åre"],
                       "count": pd.array([None, None, 40, None, None], dtype="Int64"),
                       "count_suppressed": [False, True, False, False, False],
                       "count_missing": [signals.PER_LPO, None, None, signals.OUTSIDE_MONTHS, None],
                       "population": [1000.0, 900.0, 6000.0, 1500.0, 1200.0]})
    fig = charts.ranked_bars(df, "name", "count", population="population", per=1000, title="Signaler",
                             value_title="Per 1 000", missing_reason="count_missing",
                             reason_labels=signals.MISSING_LABELS)
    note = fig.layout.meta["note"]  # said under the chart (components.chart) and in the export
    assert "Dolda (..): Härjedalen." in note
    assert "Registreras per lokalpolisområde (–): Berg." in note
    assert "Inga månader med signaler (–): Krokom." in note
    assert "Saknas (–): Åre." in note  # no reason given
    assert "1 område döljs av röjandeskydd. 3 områden saknar värde." in fig.layout.meta["alt"]


def test_jamforelse_names_no_kommun_per_lpo_before_the_signals(demo_db, monkeypatch):
    at = open_page(demo_db, "jamforelse", monkeypatch, {"niva": "Kommun", "omrade": "Haninge", **YEAR_2018,
                                                        **SIGNALS})
    assert not at.get("plotly_chart")  # no bars at all: the page says when the signals begin
    [said] = [i.value for i in at.info if "Rekryteringssignaler finns" in i.value]
    assert "efter den valda perioden" in said and "lokalpolisområde" not in said
    # The same kommun in 2025: its signals are recorded per LPO, and the bars say so.
    at = open_page(demo_db, "jamforelse", monkeypatch, {"niva": "Kommun", "omrade": "Haninge", **YEAR_2025,
                                                        **SIGNALS})
    assert "Haninge" in chart_note(at).split("Registreras per lokalpolisområde (–): ")[1]
