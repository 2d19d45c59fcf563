"""Exports, browser review 16: a caption states the disclosure rule only for what is under
disclosure control (recruitment signals); exports of incidents and measures say they are
shown without it, as their pages do."""

from __future__ import annotations

import pytest
from helpers import open_page, open_tab

from dashboard import components

pytestmark = pytest.mark.usefixtures("fast_apptest")

RULE = "Antal 1–4 och värden som kan räknas fram ur dem visas som .. (röjandeskydd)"
STOCKHOLMS_LAN = {"niva": "Län", "omrade": "Stockholms län"}


def captions(recorded) -> dict[str, str]:
    return {key: call["caption"] for key, call in recorded.items()}


def test_incident_exports_say_they_are_not_suppressed(demo_db, monkeypatch, recorded):
    open_page(demo_db, "oversikt", monkeypatch, STOCKHOLMS_LAN)
    found = captions(recorded)
    for key in ("oversikt_trend_dl", "oversikt_change_dl"):
        assert RULE not in found[key], found[key]
        assert components.INCIDENTS_UNPROTECTED in found[key], found[key]


def test_measure_exports_say_what_the_page_says(demo_db, monkeypatch, recorded):
    at = open_page(demo_db, "atgarder", monkeypatch, STOCKHOLMS_LAN)
    text = captions(recorded)["atgarder_status_dl"]
    assert RULE not in text and "röjandeskydd)" not in text
    assert components.MEASURES_UNPROTECTED in text
    assert any(components.MEASURES_UNPROTECTED in c.value for c in at.caption)  # the page's own words


def test_signal_exports_keep_the_rule(demo_db, monkeypatch, recorded):
    open_page(demo_db, "rekrytering", monkeypatch, STOCKHOLMS_LAN)
    for key in ("signal-trend", "signal-summary"):
        text = captions(recorded)[key]
        assert RULE in text and components.INCIDENTS_UNPROTECTED not in text, text


@pytest.mark.parametrize("metric, rule, sentences", [
    ("Antal händelser", False, [components.INCIDENTS_UNPROTECTED]),
    ("Andel åtgärder uppnådda (%)", False, [components.INCIDENTS_UNPROTECTED, components.MEASURES_UNPROTECTED]),
    # The table has the signals and, beside them, the incidents.
    ("Rekryteringssignaler", True, [components.INCIDENTS_UNPROTECTED]),
])
def test_a_map_export_states_the_rule_only_for_signals(demo_db, monkeypatch, recorded, metric, rule, sentences):
    open_page(demo_db, "karta", monkeypatch, {**STOCKHOLMS_LAN, "matt": metric})
    text = captions(recorded)["karta_table_dl"]
    assert (RULE in text) == rule, text
    assert all(s in text for s in sentences), text


def test_a_comparison_export_states_the_rule_only_for_signals(demo_db, monkeypatch, recorded):
    open_page(demo_db, "jamforelse", monkeypatch, {**STOCKHOLMS_LAN, "jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"})
    assert RULE in captions(recorded)["jmf_bars_dl"]
    recorded.clear()
    at = open_page(demo_db, "jamforelse", monkeypatch, STOCKHOLMS_LAN)
    text = captions(recorded)["jmf_bars_dl"]
    assert RULE not in text and components.INCIDENTS_UNPROTECTED in text, text
    open_tab(at, "jmf_flik", "Åtgärder och utfall")
    text = captions(recorded)["jmf_paired_dl"]
    assert RULE not in text and components.MEASURES_UNPROTECTED in text, text


def test_the_data_pages_tables_say_nothing_about_disclosure(demo_db, monkeypatch, recorded):
    open_page(demo_db, "data", monkeypatch, {})
    for key in ("data_loads_dl", "data_definitions_dl"):
        assert "röjandeskydd" not in captions(recorded)[key], captions(recorded)[key]


# --- a filtered table says so -------------------------------------------------------------------


def test_a_filtered_register_export_states_its_filters_and_how_many_it_holds(demo_db, monkeypatch, recorded):
    at = open_page(demo_db, "atgarder", monkeypatch, {
        "niva": "Polisregion", "omrade": "Region Stockholm", "atgarder_flik": "Register",
        "atgarder_search": "fältgrupp", "atgarder_statuses": ["uppnådd", "påbörjad"]})
    export = recorded["atgarder_register_dl"]
    shown = len(export["df"])
    [line] = [c.value for c in at.caption if " av " in c.value and c.value.split()[0].isdigit()]
    total = int(line.split(" av ")[1].split()[0].replace("\u00a0", ""))
    assert 0 < shown < total
    text = export["caption"]
    assert "sökning ”fältgrupp”" in text and "status: uppnådd, påbörjad" in text, text
    assert f"{shown} av {total} åtgärder" in text.replace("\u00a0", " "), text
    # Unfiltered, it says it holds them all.
    recorded.clear()
    open_page(demo_db, "atgarder", monkeypatch, {"niva": "Polisregion", "omrade": "Region Stockholm",
                                                 "atgarder_flik": "Register"})
    assert f"alla {total} åtgärder" in recorded["atgarder_register_dl"]["caption"].replace("\u00a0", " ")


def test_the_standing_still_export_says_what_it_left_out(demo_db, monkeypatch, recorded):
    open_page(demo_db, "atgarder", monkeypatch, {**STOCKHOLMS_LAN, "atgarder_flik": "Står still"})
    export = recorded["atgarder_stuck_dl"]
    assert "utan linjearbete" in export["caption"]
    assert f"{len(export['df'])} av " in export["caption"].replace("\u00a0", " ")


# --- headings and legends follow what is shown ------------------------------------------------


def test_the_status_heading_follows_the_split(demo_db, monkeypatch):
    at = open_page(demo_db, "atgarder", monkeypatch, STOCKHOLMS_LAN)
    assert "Status per prioriterat område" in [h.value for h in at.subheader]
    at = open_page(demo_db, "atgarder", monkeypatch, {**STOCKHOLMS_LAN, "atgarder_grouping": "Organisation"})
    headings = [h.value for h in at.subheader]
    assert "Status per organisation" in headings and "Status per prioriterat område" not in headings


def test_the_trend_legend_puts_the_chosen_period_first_in_the_main_colour(demo_db, monkeypatch):
    import json

    from dashboard import charts

    at = open_page(demo_db, "oversikt", monkeypatch, STOCKHOLMS_LAN)
    data = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    # Named briefly: a legend entry never wraps ("…(januari 2024 – december 2024)" was cut at 800 px).
    assert [t["name"] for t in data] == ["2025", "Ett år tidigare (2024)"]
    assert data[0]["line"]["color"] == charts.OKABE_ITO[0]
