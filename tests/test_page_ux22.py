"""Tables as a user reads and sorts them (session 22): number columns right-aligned, a
change with its sign ("+12", "−3", the minus sign U+2212), hidden values still "..",
the exports' numbers numeric. Åtgärder's "Bedömd", a date column the grid sorts by time:
tests/test_measure_assessed.py and tests/test_browser_assessed.py."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from helpers import open_page
from helpers import swedish_number as number

pytestmark = pytest.mark.usefixtures("fast_apptest")

MINUS = "\u2212"


def _table(at, header: str):
    """The dataframe element with a column ``header``."""
    [element] = [d for d in at.dataframe if header in d.shown.columns]
    return element


def _config(element) -> dict:
    return json.loads(element.proto.columns or "{}")


def _aligned_right(element) -> set[str]:
    return {h for h, c in _config(element).items() if c.get("alignment") == "right"}


def _signed_as_shown(text: str, value: float) -> None:
    """A change's text has its sign: "+" above 0, the minus sign below, none at 0."""
    assert "-" not in text, text  # never a hyphen-minus for a negative number
    if value > 0:
        assert text.startswith("+"), (text, value)
    elif value < 0:
        assert text.startswith(MINUS), (text, value)
    else:
        assert text[0].isdigit(), (text, value)
    assert number(text) == pytest.approx(value, abs=0.051)


def test_what_changed_most_shows_signed_right_aligned_numbers_and_exports_numbers(demo_db, monkeypatch, recorded):
    at = open_page(demo_db, "oversikt", monkeypatch, {"niva": "Län", "omrade": "Skåne län",
                                                      "period": "Föregående år"})
    element = _table(at, "Förändring antal")
    shown = element.shown
    exported = recorded["oversikt_change_dl"]["df"]
    # The export keeps numbers (the same rows, in the same order).
    for column in ("incidents", "incidents_prev", "change", "change_pct", "per_100k"):
        assert pd.api.types.is_numeric_dtype(exported[column]), column
    assert len(shown) == len(exported) > 0
    signs = set()
    for text, pct_text, change, pct in zip(shown["Förändring antal"], shown["Förändring antal (%)"],
                                           exported["change"], exported["change_pct"], strict=True):
        _signed_as_shown(text, float(change))
        if not pd.isna(pct):
            _signed_as_shown(pct_text.replace("\xa0%", ""), round(float(pct), 1))
        signs.add((float(change) > 0) - (float(change) < 0))
    assert {1, -1} <= signs, "the demo's Skåne has kommuner both up and down"
    # Numbers right-aligned, the names not; each column keeps its short heading and help.
    assert _aligned_right(element) == {"Antal", "Ett år tidigare", "Förändring antal", "Förändring antal (%)",
                                       "Per 100 000 invånare"}
    config = _config(element)
    assert config["Förändring antal"]["label"] == "Förändr." and config["Förändring antal"]["help"]


def test_karta_change_table_is_signed_and_right_aligned(demo_db, monkeypatch, recorded):
    at = open_page(demo_db, "karta", monkeypatch, {"niva": "Polisregion", "omrade": "Region Syd",
                                                   "karta_niva": "Kommun",
                                                   "matt": "Förändring mot ett år tidigare (%)"})
    label = "Förändring mot ett år tidigare (%)"
    element = _table(at, label)
    shown = element.shown.set_index("Kommun")
    exported = recorded["karta_table_dl"]["df"].set_index("name")
    assert pd.api.types.is_numeric_dtype(exported["value"])
    negatives = 0
    for name, value in exported["value"].items():
        if pd.isna(value):
            assert shown.at[name, label] == "–"
            continue
        _signed_as_shown(shown.at[name, label].replace("\xa0%", ""), round(float(value), 1))
        negatives += float(value) < 0
    assert negatives, "some kommun of Region Syd has fewer incidents than a year earlier"
    assert {label, "Rang", "Antal händelser", "Händelser ett år tidigare", "Befolkning"} <= _aligned_right(element)
    assert "Kommun" not in _aligned_right(element)


def test_hidden_signal_counts_still_show_as_two_dots_in_a_right_aligned_column(demo_db, monkeypatch):
    at = open_page(demo_db, "karta", monkeypatch, {"karta_niva": "Lokalpolisområde", "matt": "Rekryteringssignaler"})
    element = _table(at, "Rekryteringssignaler")
    values = element.shown["Rekryteringssignaler"].tolist()
    assert ".." in values, "the demo hides some LPO's signals"
    assert "Rekryteringssignaler" in _aligned_right(element)


def test_recruitment_summary_numbers_are_right_aligned(demo_db, monkeypatch):
    at = open_page(demo_db, "rekrytering", monkeypatch, {"niva": "Lokalpolisområde", "omrade": "Farsta"})
    summary = _table(at, "Andel")  # the whole period
    assert {"Antal", "Andel", "Per 1 000 unga 12–17 år"} == _aligned_right(summary)
    [per_period] = [d for d in at.dataframe if "Per 1 000 unga 12–17 år" in d.shown.columns and d is not summary
                    and "Andel" not in d.value.columns]
    assert {"Antal", "Per 1 000 unga 12–17 år"} == _aligned_right(per_period)


def test_jamforelse_change_is_signed_and_the_interval_right_aligned(demo_db, monkeypatch, recorded):
    at = open_page(demo_db, "jamforelse", monkeypatch, {"niva": "Kommun", "omrade": "Botkyrka"})
    element = _table(at, "Förändr. (%)")
    shown = element.shown
    name = shown.columns[1]
    exported = recorded["jmf_bars_dl"]["df"].set_index("name")
    assert pd.api.types.is_numeric_dtype(exported["change_pct"])
    negatives = 0
    for area, text in zip(shown[name], shown["Förändr. (%)"], strict=True):
        value = exported.at[area, "change_pct"]
        if pd.isna(value):
            assert text in ("–", ".."), (area, text)
            continue
        _signed_as_shown(text, round(float(value), 1))
        negatives += float(value) < 0
    assert negatives
    assert {"Rang", "Antal", "Värde", "95 % intervall", "Antal året innan", "Värde året innan",
            "Förändr. (%)"} <= _aligned_right(element)
    assert not _aligned_right(element) & {name, "Inom slumpen"}


def test_data_page_counts_are_right_aligned(demo_db, monkeypatch):
    at = open_page(demo_db, "data", monkeypatch, {})
    element = _table(at, "Rader")
    assert "Rader" in _aligned_right(element) and "Källa" not in _aligned_right(element)
