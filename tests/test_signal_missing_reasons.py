"""Whether a recruitment-signal count is hidden (..), missing (–, and why) or counted is one
rule in the query layer (signals.area_cells): Översikt's headline reads it for riket and
every level, as Karta and Jämförelse do."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from helpers import open_page

from dashboard import filters
from dashboard.queries import signals

pytestmark = pytest.mark.usefixtures("fast_apptest")

YEAR_2025 = {"period": "Välj månader", "fran": "januari 2025", "till": "december 2025"}
YEAR_2018 = {"period": "Välj månader", "fran": "januari 2018", "till": "december 2018"}  # before the signals


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
