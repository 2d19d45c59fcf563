"""'Förändring (%)' meant the count's change on Översikt and the rate's on Jämförelse:
each header now says which, on screen and in the exports (Södermalm, October 2024 –
September 2025: the count fell 14,3 %, the rate per 100 000 15,7 %)."""

from __future__ import annotations

import json

import pytest
from helpers import chart_titles, open_page, open_tab
from helpers import swedish_number as number

pytestmark = pytest.mark.usefixtures("fast_apptest")

SODERMALM = {"niva": "Lokalpolisområde", "omrade": "Södermalm", "period": "Välj månader",
             "fran": "oktober 2024", "till": "september 2025"}


@pytest.fixture
def exported(monkeypatch):
    """The columns each download got, by its key."""
    from dashboard import exports

    recorded = {}
    monkeypatch.setattr(exports, "download_buttons", lambda key, **kwargs: recorded.setdefault(key, kwargs))
    return recorded


def table_with(at, column):
    [found] = [d.shown for d in at.dataframe if column in d.shown.columns]
    return found.set_index("Lokalpolisområde")


def test_overview_says_its_change_is_the_counts(demo_db, monkeypatch, exported):
    at = open_page(demo_db, "oversikt", monkeypatch, SODERMALM)
    table = table_with(at, "Förändring antal (%)")
    count, before = number(table.at["Södermalm", "Antal"]), number(table.at["Södermalm", "Ett år tidigare"])
    assert number(table.at["Södermalm", "Förändring antal (%)"]) == pytest.approx(
        round((count - before) / before * 100, 1))
    assert exported["oversikt_change_dl"]["columns"]["change_pct"] == "Förändring antal (%)"


def test_comparison_says_its_change_is_the_rates(demo_db, monkeypatch, exported):
    at = open_page(demo_db, "jamforelse", monkeypatch, SODERMALM)
    table = table_with(at, "Förändr. (%)")
    change = number(table.at["Södermalm", "Förändr. (%)"])
    value, before = number(table.at["Södermalm", "Värde"]), number(table.at["Södermalm", "Värde året innan"])
    assert change == pytest.approx((value - before) / before * 100, abs=0.5)  # the rates as shown, rounded
    count, count_before = number(table.at["Södermalm", "Antal"]), number(table.at["Södermalm", "Antal året innan"])
    assert change != pytest.approx((count - count_before) / count_before * 100, abs=0.5)  # not the count's
    assert "Förändring (%)" not in table.columns
    assert any("per 100 000 invånare" in c.value and "inte antalets" in c.value for c in at.caption)
    assert exported["jmf_bars_dl"]["columns"]["change_pct"] == "Förändring per 100 000 inv. (%)"
    open_tab(at, "jmf_flik", "Åtgärder och utfall")
    assert "Förändr. (%)" in [d for d in at.dataframe if "Planer" in d.shown.columns][0].value.columns
    assert exported["jmf_paired_dl"]["columns"]["change_pct"] == "Förändring per 100 000 inv. (%)"


def test_signals_name_their_own_unit(demo_db, monkeypatch, exported):
    open_page(demo_db, "jamforelse", monkeypatch, {**SODERMALM, "jmf_matt": "Rekryteringssignaler (per 1 000 unga "
                                                                             "12–17 år)"})
    assert exported["jmf_bars_dl"]["columns"]["change_pct"] == "Förändring per 1 000 unga (%)"


def test_measures_beside_outcomes_say_they_count_partly_achieved_too(demo_db, monkeypatch):
    """Översikt's and Karta's "Åtgärder uppnådda" count status uppnådd alone; the scatter
    plots uppnådd or delvis uppnådd, and its title, axes and caption say so."""
    at = open_tab(open_page(demo_db, "jamforelse", monkeypatch, SODERMALM), "jmf_flik", "Åtgärder och utfall")
    layout = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert chart_titles(at)[0].startswith("Åtgärder uppnådda eller delvis uppnådda och förändring")
    assert layout["xaxis"]["title"]["text"] == "Åtgärder uppnådda eller delvis uppnådda"
    assert layout["yaxis"]["title"]["text"] == "Förändring per 100 000 inv. mot året innan"
    assert any("Översikt och Karta räknar bara status uppnådd" in c.value for c in at.caption)
