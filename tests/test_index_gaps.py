"""An indexed trend's gaps: a line missing because its base year's value is 0 was called
"döljs av röjandeskydd" (the export had every count), and the featured kommun had no
line at all. The note now gives the real reason and another base year, only values that
disclosure control hides are counted as hidden, and the chosen area's line is drawn."""

from __future__ import annotations

import base64
import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from helpers import open_page

from dashboard import charts

pytestmark = pytest.mark.usefixtures("fast_apptest")

LIKNANDE = {"niva": "Län", "omrade": "Stockholms län", "jmf_niva": "Kommun", "jmf_flik": "Liknande områden"}


def yearly(values: dict[str, list], hidden: dict[str, list] | None = None) -> pd.DataFrame:
    rows = []
    for area, counts in values.items():
        for i, n in enumerate(counts):
            rows.append({"area": area, "date": date(2020 + i, 1, 1), "n": n,
                         "n_suppressed": bool((hidden or {}).get(area, [False] * len(counts))[i])})
    return pd.DataFrame(rows).astype({"n": "Int64"})


def note(fig) -> str:
    """The note said under the chart (components.chart) and drawn in its export."""
    return fig.layout.meta["note"]


def test_a_base_year_of_zero_is_named_as_the_reason_not_suppression():
    df = yearly({"Vaxholm": [0, 2, 4], "Salem": [3, 0, 6], "Lomma": [5, 5, 5]})
    fig = charts.indexed_trend(df, "date", "n", "area", base_year=2020, title="Index", y_label="Antal", yearly=True)
    text = note(fig)
    assert "röjandeskydd" not in text
    assert "Ingen linje för Vaxholm: värdet för basåret 2020 är 0 eller saknas" in text
    assert "Välj ett annat basår, till exempel 2022." in text  # the year every area has a value above 0
    vaxholm = next(t for t in fig.data if t.name == "Vaxholm")
    assert all(pd.isna(v) for v in vaxholm.y)
    assert not any(pd.isna(v) for v in next(t for t in fig.data if t.name == "Salem").y)


def test_only_hidden_values_are_counted_as_hidden():
    df = yearly({"Vaxholm": [0, 2, 4], "Salem": [3, 1, 6]}, hidden={"Salem": [False, True, False]})
    fig = charts.indexed_trend(df, "date", "n", "area", base_year=2020, title="Index", y_label="Antal", yearly=True)
    text = note(fig)
    assert "Luckor i linjen är värden som döljs av röjandeskydd (..). 1 värde döljs." in text
    assert "Ingen linje för Vaxholm" in text
    salem = next(t for t in fig.data if t.name == "Salem")
    assert [row[1] for row in salem.customdata] == ["100", "..", "200"]


def test_a_hidden_base_year_is_said_to_be_hidden():
    df = yearly({"Vaxholm": [3, 2, 4], "Salem": [3, 8, 6]}, hidden={"Vaxholm": [True, False, False]})
    fig = charts.indexed_trend(df, "date", "n", "area", base_year=2020, title="Index", y_label="Antal", yearly=True)
    assert "Ingen linje för Vaxholm: värdet för basåret 2020 döljs av röjandeskydd." in note(fig)


def values(y) -> list:
    """A trace's values as sent to the browser (a typed array is sent as base64 'bdata')."""
    if isinstance(y, dict):
        y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
    return [None if v is None or math.isnan(v) else v for v in y]


def lines(at) -> tuple[dict[str, list], str]:
    """The drawn chart's lines (name -> values, None where there is no point) and the page's
    captions, its note among them."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    text = " ".join(c.value for c in at.caption)
    return {t["name"]: values(t["y"]) for t in spec["data"]}, text


def test_the_chosen_kommun_is_drawn_and_a_base_year_that_leaves_it_out_says_why(demo_db, monkeypatch):
    at = open_page(demo_db, "jamforelse", monkeypatch, LIKNANDE)
    chosen = at.selectbox(key="jmf_omrade_kommun").value
    drawn, text = lines(at)
    assert any(v is not None for v in drawn[at.selectbox(key="jmf_omrade_kommun").format_func(chosen)])
    assert "röjandeskydd" not in text
    # 2020: Vaxholm and Oxelösund had no incidents that year, so no index.
    at.selectbox(key="jmf_basar").set_value(2020).run()
    drawn, text = lines(at)
    assert all(v is None for v in drawn["Vaxholm"])
    assert "Ingen linje för Oxelösund och Vaxholm: värdet för basåret 2020 är 0 eller saknas" in text
    assert "röjandeskydd" not in text


def test_a_shared_link_restores_the_chosen_area_number_and_base_year(demo_db, monkeypatch):
    """The Liknande områden choices are in the URL (the browser writes them there when
    they change), so a copied link opens the same view: not Vaxholm, 5 areas and 2019."""
    linked = open_page(demo_db, "jamforelse", monkeypatch,
                       {**LIKNANDE, "jmf_omrade_kommun": "Haninge", "jmf_k": "3", "jmf_basar": "2022"})
    assert linked.selectbox(key="jmf_omrade_kommun").value == "0136"
    assert linked.number_input(key="jmf_k").value == 3
    assert linked.selectbox(key="jmf_basar").value == 2022
    similar = next(d.shown for d in linked.dataframe if "Avstånd (0 = samma)" in d.shown.columns)
    assert similar["Kommun"].iat[0] == "Haninge" and len(similar) == 4
    drawn, _ = lines(linked)
    assert "Haninge" in drawn
