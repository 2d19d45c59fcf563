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
