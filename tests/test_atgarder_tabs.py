"""Åtgärder in lazy tabs: five tabs bound to the URL (atgarder_flik), of which only the
chosen one runs its queries, figures, tables and downloads (issue 6: a new area computed
all five sections, about 60 ms more per interaction at national scale)."""

from __future__ import annotations

import duckdb
import pytest
from helpers import open_page, open_tab

from dashboard.queries import measures

pytestmark = pytest.mark.usefixtures("fast_apptest")

STOCKHOLMS_LAN = {"niva": "Län", "omrade": "Stockholms län"}   # the default period: 2025's months
TABS = ["Status", "Uppföljningar", "Står still", "Analysbladet", "Register"]
# The queries each tab runs (the plan years and the register above the tabs run for all).
TAB_QUERIES = {"Status": {"status_views"}, "Uppföljningar": {"flow", "round_status"}, "Står still": {"stuck"},
               "Analysbladet": {"analysis_views"}, "Register": {"search_register"}}
# What a person sees first in each tab.
TAB_HEADINGS = {"Status": "Status per prioriterat område", "Uppföljningar": "Förflyttning mellan uppföljningarna",
                "Står still": "Åtgärder som står still", "Analysbladet": "Analysbladet: problem, orsaker och åtgärder",
                "Register": "Åtgärdsregister"}


@pytest.fixture
def called(monkeypatch) -> list[str]:
    """The names of the tabs' queries the page calls, in order (each still runs)."""
    names: list[str] = []
    for name in set().union(*TAB_QUERIES.values()):
        original = getattr(measures, name)

        def counting(*args, _name=name, _original=original, **kwargs):
            names.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(measures, name, counting)
    return names


def headings(at) -> list[str]:
    return [h.value for h in at.subheader if h.value in TAB_HEADINGS.values()]


def keys(at, kind: str) -> set[str]:
    return {e.key for e in at.get(kind) if getattr(e, "key", None)}


def test_the_tabs_are_there_and_the_first_shows_the_status(demo_db, monkeypatch, recorded):
    at = open_page(demo_db, "atgarder", monkeypatch, STOCKHOLMS_LAN)
    assert [t.label for t in at.tabs] == TABS
    assert at.session_state["atgarder_flik"] == "Status"
    assert headings(at) == ["Status per prioriterat område"]
    assert len(at.metric) == 5                                   # one per status
    assert [e for e in at.get("plotly_chart")], "no status chart"
    assert "atgarder_search" not in keys(at, "text_input")       # no register
    assert not [d for d in at.dataframe if d.key == "atgarder_register"]
    assert set(recorded) == {"atgarder_status_dl"}               # only this tab's downloads
    # Above and below the tabs, whatever the tab: the plans counted, the data note.
    assert any(" planer från " in c.value and "åtgärder" in c.value for c in at.caption)
    assert any("inte personer" in c.value for c in at.caption)


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_runs_its_own_queries_and_no_others(demo_db, monkeypatch, called, recorded, tab):
    at = open_page(demo_db, "atgarder", monkeypatch, STOCKHOLMS_LAN)
    called.clear()
    recorded.clear()
    open_tab(at, "atgarder_flik", tab)
    assert headings(at) == [TAB_HEADINGS[tab]]
    assert set(called) == TAB_QUERIES[tab], called
    # Downloads only for the tab shown (the analysis sheet's and the history's only when
    # there is something to download).
    own = {"Status": {"atgarder_status_dl"}, "Uppföljningar": {"atgarder_flow_dl"},
           "Står still": {"atgarder_stuck_dl"}, "Analysbladet": {"atgarder_analysis_dl"},
           "Register": {"atgarder_register_dl"}}[tab]
    assert set(recorded) == own, set(recorded)


def test_each_tab_shows_its_content(demo_db, monkeypatch):
    at = open_page(demo_db, "atgarder", monkeypatch, STOCKHOLMS_LAN)
    open_tab(at, "atgarder_flik", "Uppföljningar")
    assert not at.metric
    assert any("Uppföljning" in d.shown.columns and "Andel" in d.shown.columns for d in at.dataframe)
    assert any(c.value.startswith("T1–T3 är årets tertialuppföljningar") for c in at.caption)
    open_tab(at, "atgarder_flik", "Står still")
    assert at.toggle(key="atgarder_stuck_linework").value is False
    assert any("Sedan" in d.shown.columns for d in at.dataframe)
    open_tab(at, "atgarder_flik", "Analysbladet")
    assert at.success or at.warning or at.info                    # the sheets agree, differ or are missing
    assert any("Med skillnad" in d.shown.columns for d in at.dataframe)
    open_tab(at, "atgarder_flik", "Register")
    assert "atgarder_search" in keys(at, "text_input")
    assert [d for d in at.dataframe if d.key == "atgarder_register"]
    open_tab(at, "atgarder_flik", "Status")
    assert len(at.metric) == 5 and headings(at) == ["Status per prioriterat område"]


def test_a_link_opens_the_register_with_its_search(demo_db, monkeypatch):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        (title,) = con.execute("""SELECT m.title FROM measure m JOIN plan p USING (plan_id)
                                  JOIN area k ON k.area_code = p.kommun_code
                                  WHERE k.parent_code = '01' AND p.year = 2025 AND m.title NOT LIKE 'Linjearbete%'
                                  ORDER BY m.measure_id LIMIT 1""").fetchone()
    at = open_page(demo_db, "atgarder", monkeypatch,
                   {**STOCKHOLMS_LAN, "atgarder_flik": "Register", "atgarder_search": title})
    assert at.session_state["atgarder_flik"] == "Register"
    assert at.text_input(key="atgarder_search").value == title
    [register] = [d.shown for d in at.dataframe if d.key == "atgarder_register"]
    assert len(register) >= 1 and (register["Åtgärd"] == title).all()
    assert not at.metric                                          # the status tab did not run


def test_an_unknown_tab_in_a_link_opens_the_first(demo_db, monkeypatch):
    at = open_page(demo_db, "atgarder", monkeypatch, {**STOCKHOLMS_LAN, "atgarder_flik": "Karta"})
    assert at.session_state["atgarder_flik"] == "Status"
    assert headings(at) == ["Status per prioriterat område"]


def test_choices_in_a_closed_tab_are_kept(demo_db, monkeypatch):
    at = open_page(demo_db, "atgarder", monkeypatch, {**STOCKHOLMS_LAN, "atgarder_flik": "Står still"})
    at.toggle(key="atgarder_stuck_linework").set_value(True).run()
    open_tab(at, "atgarder_flik", "Register")
    at.text_input(key="atgarder_search").set_value("fältgrupp").run()
    searched = len([d.shown for d in at.dataframe if d.key == "atgarder_register"][0])
    open_tab(at, "atgarder_flik", "Status")
    at.segmented_control(key="atgarder_status_view").set_value("share").run()
    open_tab(at, "atgarder_flik", "Står still")
    assert at.toggle(key="atgarder_stuck_linework").value is True
    open_tab(at, "atgarder_flik", "Register")
    assert at.text_input(key="atgarder_search").value == "fältgrupp"
    assert len([d.shown for d in at.dataframe if d.key == "atgarder_register"][0]) == searched
    open_tab(at, "atgarder_flik", "Status")
    assert at.segmented_control(key="atgarder_status_view").value == "share"
