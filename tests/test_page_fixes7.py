"""Page fixes users noticed: Rekrytering at a kommun that signals recorded per LPO cannot
reach shows – (missing), not 0; one missing-population message on Jämförelse and Karta;
Åtgärder's register forgets the clicked row when its content changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import loaded, open_page

pytestmark = pytest.mark.usefixtures("fast_apptest")

PERIOD = {"period": "Välj månader", "fran": "januari 2025", "till": "mars 2025"}


@pytest.fixture
def nacka_signals(empty_db, tmp_path) -> Path:
    """Signals recorded only for LPO Nacka, which covers Nacka, Tyresö and Värmdö."""
    lines = ["month;area_code;age_band;sex;source;signal_type;count"]
    lines += [f"2025-{m:02d};LPO-NACKA;15-17;M;{source};rekryteringsförsök;{10 + m}"
              for m in range(1, 4) for source in ("polis", "skola")]
    return loaded(empty_db, tmp_path, "signaler.csv", lines)


def cells(at, column: str) -> list[str]:
    return [v for frame in at.dataframe if column in frame.shown for v in frame.shown[column].tolist()]


def test_a_kommun_signals_cannot_reach_shows_no_zero(nacka_signals, monkeypatch):
    at = open_page(nacka_signals, "rekrytering", monkeypatch, {**PERIOD, "niva": "Kommun", "omrade": "Tyresö"})
    assert not at.dataframe and not at.get("plotly_chart"), "a table or trend of zeros was drawn"
    assert not at.get("download_button"), "exports of empty rows were offered"
    note = next((i.value for i in at.info if "registreras per lokalpolisområde" in i.value), None)
    assert note is not None, [i.value for i in at.info]
    assert "Tyresö ingår i lokalpolisområdet Nacka, som också täcker Nacka och Värmdö" in note
    assert "inga egna siffror (de saknas; de är inte 0)" in note
    # The way forward: the LPO that holds Tyresö's signals.
    [button] = [b for b in at.button if b.key == "signal_recorded_in"]
    assert button.label == "Visa lokalpolisområdet Nacka"
    button.click().run()
    assert at.session_state["omrade"] == "LPO-NACKA" and at.session_state["niva"] == "lpo"
    assert "72" in cells(at, "Antal")  # Nacka's signals, (11 + 12 + 13) from each of two sources


def test_the_lpo_itself_shows_its_signals(nacka_signals, monkeypatch):
    at = open_page(nacka_signals, "rekrytering", monkeypatch,
                   {**PERIOD, "niva": "Lokalpolisområde", "omrade": "Nacka"})
    assert "72" in cells(at, "Antal")  # (11 + 12 + 13) from each of two sources
    assert at.get("plotly_chart")
    assert not any("ingen kurva" in i.value for i in at.info)


# --- Åtgärder: the register's selection follows its content ---------------------------------

STOCKHOLMS_LAN = {"niva": "Län", "omrade": "Stockholms län"}   # the default period: 2025's months
REGISTER = {**STOCKHOLMS_LAN, "atgarder_flik": "Register"}     # a link to the register's tab
ANALYSIS = {**STOCKHOLMS_LAN, "atgarder_flik": "Analysbladet"}


@pytest.fixture(scope="module")
def next_year_db(demo_db, tmp_path_factory) -> Path:
    """The demo warehouse plus Tyresö's plan for 2026, so the page offers a later plan year."""
    from test_page_atgarder_next_year import NEXT_YEAR_PLAN

    folder = tmp_path_factory.mktemp("fixes7_next_year")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    return loaded(db, folder, "atgarder-2026.csv", NEXT_YEAR_PLAN)


def pick_first_row(at):
    at.session_state["atgarder_register"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "**Vald åtgärd**" in [m.value for m in at.markdown], "picking a row opened nothing"


def opened(at) -> bool:
    return "**Vald åtgärd**" in [m.value for m in at.markdown]


def test_a_new_plan_year_forgets_the_picked_row(next_year_db, monkeypatch):
    at = open_page(next_year_db, "atgarder", monkeypatch, REGISTER)
    pick_first_row(at)
    [choice] = [s for s in at.segmented_control if s.key == "planar"]
    choice.set_value("2026").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not opened(at), [t.value for t in at.text]  # not 2026's first measure
    assert at.session_state["atgarder_register"]["selection"]["rows"] == []


def test_a_new_search_forgets_the_picked_row(next_year_db, monkeypatch):
    at = open_page(next_year_db, "atgarder", monkeypatch, REGISTER)
    pick_first_row(at)
    at.multiselect(key="atgarder_statuses").set_value(["uppnådd"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not opened(at), [t.value for t in at.text]
    # A rerun that changes nothing keeps the row the user picked.
    pick_first_row(at)
    at.run()
    assert opened(at)


# --- one missing-population message ---------------------------------------------------------

def test_karta_and_jamforelse_say_the_population_is_missing_in_the_same_words(empty_db, tmp_path, monkeypatch):
    lines = ["incident_id;occurred_at;incident_type;kommun_code"]
    lines += [f"t{i};2025-03-{20 + i} 12:00;skadegörelse;0138" for i in range(12)]  # to the last day: a whole month
    db = loaded(empty_db, tmp_path, "tyreso.csv", lines)  # incidents, no SCB population
    params = {"period": "Välj månader", "fran": "mars 2025", "till": "mars 2025"}
    karta = open_page(db, "karta", monkeypatch, params)
    karta.selectbox(key="matt").set_value("per100k").run()
    [said] = [i.value for i in karta.info if "saknar befolkning" in i.value]
    assert said.startswith("7 av 7 områden saknar befolkning") and "fetch scb" in said, said  # the 7 polisregioner
    assert any(said in c.value for c in karta.caption), "the table's export lacks it"
    jamforelse = open_page(db, "jamforelse", monkeypatch, params)
    assert any(said in c.value for c in jamforelse.caption), [c.value for c in jamforelse.caption if "saknar" in c.value]


# --- wide tables at 1366 px -------------------------------------------------------------------

def test_the_register_leaves_descriptions_to_the_export_and_the_picked_row(next_year_db, monkeypatch):
    from dashboard import exports

    recorded = {}
    original = exports.download_buttons

    def record(key, **kwargs):
        recorded[key] = kwargs
        original(key, **kwargs)

    monkeypatch.setattr(exports, "download_buttons", record)
    at = open_page(next_year_db, "atgarder", monkeypatch, REGISTER)
    [register] = [d.shown for d in at.dataframe if d.key == "atgarder_register"]
    assert "Beskrivning" not in register.columns and "Åtgärd" in register.columns  # it scrolled sideways
    export = recorded["atgarder_register_dl"]
    assert export["columns"]["description"] == "Beskrivning" and "description" in export["df"]
    described = export["df"]["description"].fillna("").str.len() > 0
    row = int(described.to_numpy().argmax())
    at.session_state["atgarder_register"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert export["df"]["description"].iloc[row] in [t.value for t in at.text]


def test_the_comparison_table_keeps_full_headers_in_its_export(empty_db, tmp_path, monkeypatch):
    from dashboard import exports

    recorded = {}
    monkeypatch.setattr(exports, "download_buttons", lambda key, **kwargs: recorded.setdefault(key, kwargs))
    lines = ["incident_id;occurred_at;incident_type;kommun_code"]
    lines += [f"t{y}-{i};{y}-03-{20 + i} 12:00;skadegörelse;0138" for y in (2024, 2025) for i in range(12)]
    db = loaded(empty_db, tmp_path, "tyreso.csv", lines)
    at = open_page(db, "jamforelse", monkeypatch, {"period": "Välj månader", "fran": "mars 2025", "till": "mars 2025"})
    shown = at.dataframe[0].shown.columns.tolist()
    assert "95 % intervall" in shown, shown  # one column on screen ("18,2–24,2"), two in the export
    columns = recorded["jmf_bars_dl"]["columns"]
    assert columns["low"] == "95 % intervall, från" and columns["high"] == "95 % intervall, till"


def test_the_analysis_table_has_short_headers_on_screen_and_long_ones_in_the_export(next_year_db, monkeypatch):
    from dashboard import exports

    recorded = {}
    monkeypatch.setattr(exports, "download_buttons", lambda key, **kwargs: recorded.setdefault(key, kwargs))
    at = open_page(next_year_db, "atgarder", monkeypatch, ANALYSIS)
    per_area = [d.shown for d in at.dataframe if "Prioriterat område" in d.shown and "Planer" in d.shown]
    assert per_area, [d.shown.columns.tolist() for d in at.dataframe]
    assert {"Problem", "Problem (blad)", "Med skillnad"} <= set(per_area[0].columns), per_area[0].columns.tolist()
    assert any("(blad)" in c.value and "analysblad" in c.value for c in at.caption)  # says what they mean
    columns = recorded["atgarder_analysis_dl"]["columns"]
    assert columns["problems"] == "Problem (inläst)" and columns["sheet_problems"] == "Problem (analysbladet)"
