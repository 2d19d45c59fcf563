"""The shared filters: defaults, links that reopen a view, and bad links that fall back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import as_read
from streamlit.testing.v1 import AppTest

from dashboard import filters

pytestmark = pytest.mark.usefixtures("fast_apptest")

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
# The Data page run on its own draws the same filters (and is the cheapest page). AppTest
# reruns of the whole multipage app skip the frame (it runs pages/ as separate scripts),
# so interactions are tested on a page file.
PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "data.py")


def run_app(db: Path, monkeypatch, params: dict | None = None) -> AppTest:
    """The app with URL parameters, on the Data page (the filters are the same on every
    page; Data is the cheapest page to draw)."""
    monkeypatch.setenv("LAGESBILD_DB", str(db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def selection(at: AppTest) -> filters.Selection:
    return at.session_state["_selection"]


def notices(at: AppTest) -> list[str]:
    return [t.value for t in at.toast]


# --- pure helpers ---------------------------------------------------------------------------

def test_preset_ranges_are_relative_to_the_last_month_with_data():
    first, last = date(2016, 1, 1), date(2025, 10, 1)
    assert filters.preset_range(filters.LAST_12, first, last) == (date(2024, 11, 1), date(2025, 10, 1))
    assert filters.preset_range(filters.YEAR_TO_DATE, first, last) == (date(2025, 1, 1), date(2025, 10, 1))
    assert filters.preset_range(filters.PREVIOUS_YEAR, first, last) == (date(2024, 1, 1), date(2024, 12, 1))


def test_preset_ranges_never_leave_the_data():
    first, last = date(2025, 6, 1), date(2025, 9, 1)
    assert filters.preset_range(filters.LAST_12, first, last) == (first, last)
    start, end = filters.preset_range(filters.PREVIOUS_YEAR, first, last)
    assert first <= start <= end <= last


def test_month_options_cover_every_month():
    months = filters.month_options(date(2024, 11, 1), date(2025, 2, 1))
    assert months == [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]


# --- the sidebar in the app -------------------------------------------------------------------

def test_default_view_is_the_whole_country_for_the_last_twelve_months(demo_db, monkeypatch):
    at = run_app(demo_db, monkeypatch)
    sel = selection(at)
    assert (sel.area_level, sel.area_code) == ("riket", "SE")
    assert (sel.start, sel.end) == (date(2025, 1, 1), date(2025, 12, 1))  # demo data end in Dec 2025
    assert sel.incident_types == ()
    assert not notices(at)


def test_a_link_reopens_area_period_and_types(demo_db, monkeypatch):
    at = run_app(demo_db, monkeypatch, {
        "niva": "Län", "omrade": "Skåne län", "period": "Välj månader", "fran": "mars 2023",
        "till": "juni 2024", "typ": ["skottlossning", "explosion"],
    })
    sel = selection(at)
    assert (sel.area_level, sel.area_code, sel.area_name) == ("lan", "12", "Skåne län")
    assert (sel.start, sel.end) == (date(2023, 3, 1), date(2024, 6, 1))
    assert set(sel.incident_types) == {"skottlossning", "explosion"}
    assert at.selectbox(key="omrade").value == "12"
    assert not notices(at)


def test_quick_choices_name_their_months(demo_db, monkeypatch):
    """The quick periods count from the last month with data, which their names did not
    say: each names its months under its name, computed from the data (the demo's end with
    December 2025)."""
    at = run_app(demo_db, monkeypatch)
    radio = at.radio(key="period")
    assert radio.options == ["Senaste 12 månaderna", "Hittills i år", "Föregående år", "Välj månader"]
    assert [as_read(c) for c in radio.proto.captions] == ["jan–dec 2025", "jan–dec 2025", "2024", ""]
    assert radio.value == filters.LAST_12


def test_the_months_follow_the_data():
    first, last = date(2016, 1, 1), date(2025, 10, 1)
    assert [as_read(filters.periods.quick_months(c, first, last)) for c in filters.PERIODS] == [
        "nov 2024–okt 2025", "jan–okt 2025", "2024", ""]
    # Data beginning in March 2025: the months there are, not twelve.
    assert as_read(filters.periods.quick_months(filters.LAST_12, date(2025, 3, 1), last)) == "mar–okt 2025"
    assert as_read(filters.periods.quick_months(filters.YEAR_TO_DATE, first, date(2026, 1, 1))) == "jan 2026"


@pytest.mark.parametrize("given", [
    "Föregående år",
    "Föregående år (2023)",  # copied before a month was loaded
    "Föregående år (2024)",  # the label the sidebar wrote until ux20
    "föregående år",
    "foregaende",  # a short key, written by hand
])
def test_a_link_naming_a_quick_choice_opens_it_and_the_address_holds_its_plain_name(demo_db, monkeypatch,
                                                                                      given):
    """The address holds the choice's plain name ("?period=Föregående år"), which stays the
    same as data are added; links in the forms written before (with the months) or by hand
    open the choice with the data's months now, and the address is rewritten to the name."""
    at = run_app(demo_db, monkeypatch, {"period": given})
    sel = selection(at)
    assert (sel.start, sel.end) == (date(2024, 1, 1), date(2024, 12, 1))
    assert at.query_params["period"] == "Föregående år"
    assert not notices(at)


def test_a_link_copied_with_the_old_labels_invisible_characters_opens_its_choice(demo_db, monkeypatch):
    """Until ux20 the address held the label with no-break spaces and a word joiner, which a
    copied link carried percent-encoded ("Hittills%C2%A0i%C2%A0%C3%A5r…" as the browser
    decodes it). Such a link opens the choice, and the address then reads plainly."""
    at = run_app(demo_db, monkeypatch, {"period": "Hittills i år (jan–\u2060okt\u00a02025)"})
    sel = selection(at)
    assert (sel.start, sel.end) == (date(2025, 1, 1), date(2025, 12, 1))
    assert at.query_params["period"] == "Hittills i år"
    assert "\u00a0" not in at.query_params["period"] and "\u2060" not in at.query_params["period"]
    assert not notices(at)


def test_quick_choice_previous_year(demo_db, monkeypatch):
    at = run_app(demo_db, monkeypatch, {"period": "Föregående år", "niva": "Lokalpolisområde",
                                        "omrade": "Farsta"})
    sel = selection(at)
    assert (sel.start, sel.end) == (date(2024, 1, 1), date(2024, 12, 1))
    assert (sel.area_level, sel.area_code) == ("lpo", "LPO-FARSTA")


@pytest.mark.parametrize("params, bad", [
    ({"niva": "Galax"}, "Galax"),
    ({"niva": "Kommun", "omrade": "Atlantis"}, "Atlantis"),
    ({"niva": "Polisområde"}, "polisområde men inget område"),
])
def test_a_link_naming_no_area_opens_the_whole_country_with_a_notice(demo_db, monkeypatch, params, bad):
    # Not the first area of a list (Ale, Blekinge), which would look like the area asked for.
    at = run_app(demo_db, monkeypatch, params)
    sel = selection(at)
    assert (sel.area_level, sel.area_code) == ("riket", "SE")
    assert any(bad in text for text in notices(at)), notices(at)
    assert not at.error


@pytest.mark.parametrize("params, shown", [
    ({"niva": "Polisområde", "omrade": "Region Mitt"}, ("polisregion", "MITT", "Polisregion", "Region Mitt")),
    ({"niva": "Lokalpolisområde", "omrade": "Gävleborg"}, ("polisomrade", "PO-GAVLEBORG", "Polisområde", "Gävleborg")),
    ({"niva": "Kommun", "omrade": "Skåne län"}, ("lan", "12", "Län", "Skåne län")),
    ({"omrade": "Region Mitt"}, ("polisregion", "MITT", "Polisregion", "Region Mitt")),
])
def test_an_area_not_on_the_links_level_opens_on_its_own_level(demo_db, monkeypatch, params, shown):
    """The step Back goes to after a click on the map names the new level with the old
    area: it opens the old area, on its own level (the police level nearest the one
    named: Gävleborg the polisområde, not Gävleborgs län)."""
    at = run_app(demo_db, monkeypatch, params)
    sel = selection(at)
    assert (sel.area_level, sel.area_code) == shown[:2]
    assert (at.query_params["niva"], at.query_params["omrade"]) in (([shown[2]], [shown[3]]), shown[2:])
    assert not notices(at)


@pytest.mark.parametrize("start, level, area", [
    ({"niva": "Polisregion", "omrade": "Region Mitt"}, "kommun", "Arboga"),        # the first kommun in it
    ({"niva": "Polisområde", "omrade": "Gävleborg"}, "polisregion", "Region Mitt"),  # the region holding it
    ({"niva": "Kommun", "omrade": "Malmö"}, "lan", "Skåne län"),
])
def test_changing_the_level_keeps_to_the_place_shown(demo_db, monkeypatch, start, level, area):
    at = run_app(demo_db, monkeypatch, start)
    at.selectbox(key="niva").set_value(level).run()
    sel = selection(at)
    assert (sel.area_level, sel.area_name) == (level, area)
    assert not notices(at)


@pytest.mark.parametrize("params", [
    {"niva": "kommun", "omrade": "1280"},           # codes, as another system's link writes them
    {"niva": "KOMMUN", "omrade": "malmö"},          # a name typed in another case
    {"niva": "Kommun", "omrade": " Malmö "},
    {"omrade": "1280"},                             # the area's code alone
])
def test_a_link_may_name_the_level_and_area_by_code_or_in_any_case(demo_db, monkeypatch, params):
    at = run_app(demo_db, monkeypatch, params)
    sel = selection(at)
    assert (sel.area_level, sel.area_code, sel.area_name) == ("kommun", "1280", "Malmö")
    assert not notices(at)
    # The address is then the one a link copied from the app has.
    assert (at.query_params["niva"], at.query_params["omrade"]) in ((["Kommun"], ["Malmö"]), ("Kommun", "Malmö"))


def test_month_outside_the_data_falls_back_with_a_notice(demo_db, monkeypatch):
    at = run_app(demo_db, monkeypatch, {"period": "Välj månader", "fran": "mars 1999", "till": "maj 2025"})
    sel = selection(at)
    assert sel.end == date(2025, 5, 1)
    assert sel.start >= date(2016, 1, 1)
    assert any("mars 1999" in t for t in notices(at))


def test_bad_date_text_and_unknown_type_fall_back(demo_db, monkeypatch):
    at = run_app(demo_db, monkeypatch, {"period": "igår", "typ": ["skottlossning", "ufo"]})
    sel = selection(at)
    assert (sel.start, sel.end) == (date(2025, 1, 1), date(2025, 12, 1))
    assert sel.incident_types == ("skottlossning",)
    texts = notices(at)
    assert any("igår" in t for t in texts) and any("ufo" in t for t in texts)


def test_reversed_months_are_swapped(demo_db, monkeypatch):
    at = run_app(demo_db, monkeypatch, {"period": "Välj månader", "fran": "juni 2024", "till": "mars 2024"})
    sel = selection(at)
    assert (sel.start, sel.end) == (date(2024, 3, 1), date(2024, 6, 1))
    assert any("bytt plats" in t for t in notices(at))


def test_changing_the_level_offers_that_levels_areas(demo_db, monkeypatch):
    at = run_app(demo_db, monkeypatch)
    at.selectbox(key="niva").set_value("kommun").run()
    area = at.selectbox(key="omrade")
    assert "Malmö" in area.options and "Skåne län" not in area.options
    area.set_value("1280").run()
    sel = selection(at)
    assert (sel.area_level, sel.area_code, sel.area_name) == ("kommun", "1280", "Malmö")


def test_switching_to_custom_months_keeps_the_range(demo_db, monkeypatch):
    at = run_app(demo_db, monkeypatch, {"period": "Föregående år"})
    at.radio(key="period").set_value(filters.CUSTOM).run()
    sel = selection(at)
    assert (sel.start, sel.end) == (date(2024, 1, 1), date(2024, 12, 1))
    assert at.selectbox(key="fran").value == date(2024, 1, 1)


def test_the_whole_app_draws_the_filters_and_the_default_page(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["niva"] = "Polisregion"
    at.query_params["omrade"] = "Region Syd"
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Översikt – lägesbild"]
    assert (selection(at).area_level, selection(at).area_code) == ("polisregion", "SYD")


def test_missing_database_shows_the_build_command(tmp_path, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(tmp_path / "finns-inte.duckdb"))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception
    assert any("finns inte" in e.value for e in at.error)
    assert any("python -m pipelines demo" in c.value for c in at.code)


def test_an_address_changed_under_the_widgets_is_read_as_its_own_level(demo_db, monkeypatch):
    """Back from a map click: the widgets show the clicked area, the address the step
    between (the new level with the old area); the page shows the old area."""
    at = run_app(demo_db, monkeypatch, {"niva": "Polisområde", "omrade": "Gävleborg"})
    at.query_params["omrade"] = "Region Mitt"
    at.run()
    sel = selection(at)
    assert (sel.area_level, sel.area_code) == ("polisregion", "MITT")
    assert not notices(at)


def test_back_to_the_step_between_a_click_on_the_whole_country_and_its_area_shows_the_country(demo_db, monkeypatch):
    """Back from a click on the whole country's map: the address is the step Streamlit
    recorded between (the new level, no area yet). Before, the page said "Länken anger
    nivån polisregion men inget område" about a link the user never opened."""
    at = run_app(demo_db, monkeypatch, {"niva": "Polisregion", "omrade": "Region Mitt"})
    del at.query_params["omrade"]
    at.run()
    sel = selection(at)
    assert (sel.area_level, sel.area_code) == ("riket", "SE")
    assert not notices(at) and not at.warning
