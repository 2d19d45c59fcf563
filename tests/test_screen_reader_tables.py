"""The sidebar's "Tabeller för skärmläsare" (``skarmlasare`` in the URL): with it on,
every table is sent as the texts the screen shows, so a screen reader reads "1 234", ".."
and "–" where the grid's number columns read "1234" and "-Infinity" (docs/exports.md,
"What a screen reader reads"); a heading click then sorts as text. Off by default, and the
exports do not change. tests/test_browser_sorting.py checks what Chromium reads."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import filters

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"
LOW = float("-inf")
KOMMUNER = {"karta_niva": "Kommun", "matt": "Rekryteringssignaler"}


def _page(db, monkeypatch, name: str, params: dict) -> AppTest:
    monkeypatch.setenv("LAGESBILD_DB", str(db))
    at = AppTest.from_file(str(PAGES / name), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _is_text(table: pd.DataFrame) -> bool:
    return not any(pd.api.types.is_numeric_dtype(table[c]) for c in table.columns)


def test_karta_table_carries_the_texts_shown_with_the_setting_and_numbers_without(demo_db, monkeypatch):
    sorting = _page(demo_db, monkeypatch, "karta.py", KOMMUNER).dataframe[0]
    reading = _page(demo_db, monkeypatch, "karta.py", {**KOMMUNER, "skarmlasare": "true"}).dataframe[0]

    # Off (the default): numbers the grid sorts by, a hidden or missing value -Infinity.
    signals = sorting.value["Rekryteringssignaler"]
    assert pd.api.types.is_numeric_dtype(signals) and (signals == LOW).any()
    # On: the very texts the screen showed, ".." and "–" among them, and no number left.
    texts = reading.value
    assert _is_text(texts), texts.dtypes
    assert texts.equals(sorting.shown), (texts.head(), sorting.shown.head())
    assert {"..", "–"} <= set(texts["Rekryteringssignaler"])
    assert any("\u00a0" in t for t in texts["Befolkning"])  # "10 234", as on screen
    # No Styler: what the grid holds is what it draws (and reads aloud).
    assert not reading.proto.arrow_data.styler.display_values
    # The number columns stay right-aligned, now as text columns.
    config = json.loads(reading.proto.columns)
    for header in ("Rekryteringssignaler", "Befolkning", "Antal händelser", "Rang"):
        assert config[header]["alignment"] == "right", (header, config[header])
        assert config[header]["type_config"]["type"] == "text", (header, config[header])


def test_every_table_on_a_page_follows_the_setting(demo_db, monkeypatch):
    """Jämförelse's first tab (areas side by side) and Rekryteringssignaler's tables too."""
    for name, params in (("jamforelse.py", {}), ("rekrytering.py", {}), ("oversikt.py", {})):
        off = _page(demo_db, monkeypatch, name, params).dataframe
        on = _page(demo_db, monkeypatch, name, {**params, "skarmlasare": "true"}).dataframe
        assert off and len(on) == len(off), name
        assert any(not _is_text(t.value) for t in off), name
        for sorted_table, read_table in zip(off, on, strict=True):
            assert _is_text(read_table.value), (name, read_table.value.dtypes)
            assert read_table.value.equals(sorted_table.shown), name


def test_a_missing_assessment_date_reads_as_the_dash_it_shows(demo_db, monkeypatch):
    """Åtgärder's register: "Bedömd" is a date column (sorting by time), drawn "–" when
    the entry has no date but read as an empty cell; with the setting it is the text."""
    params = {"atgarder_flik": "Register"}
    [off] = [d for d in _page(demo_db, monkeypatch, "atgarder.py", params).dataframe if d.key == "atgarder_register"]
    [on] = [d for d in _page(demo_db, monkeypatch, "atgarder.py", {**params, "skarmlasare": "1"}).dataframe
            if d.key == "atgarder_register"]
    dates = off.value["Bedömd"]
    assert dates.isna().any() and dates.notna().any()
    read = on.value["Bedömd"].tolist()
    assert read == [d.isoformat() if pd.notna(d) else "–" for d in dates.tolist()]
    config = json.loads(on.proto.columns)
    assert config["Bedömd"]["type_config"]["type"] == "text" and config["Bedömd"]["width"] == 84


@pytest.mark.parametrize("given", ["1", "ja", "På", "true", "TRUE"])
def test_the_setting_is_read_back_from_the_link(demo_db, monkeypatch, given):
    at = _page(demo_db, monkeypatch, "data.py", {"skarmlasare": given})
    assert at.toggle(key=filters.KEY_SCREEN_READER).value is True
    assert at.query_params[filters.KEY_SCREEN_READER] in ("true", ["true"], "TRUE", ["TRUE"])
    assert all(_is_text(t.value) for t in at.dataframe)
    assert not at.warning and not at.toast


@pytest.mark.parametrize("given", ["kanske", "2"])
def test_a_bad_value_in_the_link_falls_back_with_a_notice(demo_db, monkeypatch, given):
    at = _page(demo_db, monkeypatch, "data.py", {"skarmlasare": given})
    assert at.toggle(key=filters.KEY_SCREEN_READER).value is False
    notice = f"Okänt värde '{given}' för tabeller för skärmläsare i länken; tabellerna visas som vanligt."
    assert [w.value for w in at.warning] == [notice] and [t.value for t in at.toast] == [notice]
    assert filters.KEY_SCREEN_READER not in at.query_params  # Streamlit drops what the toggle cannot read
    assert any(not _is_text(t.value) for t in at.dataframe)


def test_the_setting_is_off_by_default_and_the_toggle_turns_it_on(demo_db, monkeypatch):
    """(The browser writes a bound widget's value to the URL: tests/test_browser_sorting.py.)"""
    at = _page(demo_db, monkeypatch, "data.py", {})
    toggle = at.toggle(key=filters.KEY_SCREEN_READER)
    assert toggle.value is False and toggle.label == "Tabeller för skärmläsare"
    assert "skärmläsare" in toggle.help and "..” (dolt värde)" in toggle.help
    assert filters.KEY_SCREEN_READER not in at.query_params
    assert any(not _is_text(t.value) for t in at.dataframe)
    toggle.set_value(True).run()
    assert not at.exception
    assert all(_is_text(t.value) for t in at.dataframe)
