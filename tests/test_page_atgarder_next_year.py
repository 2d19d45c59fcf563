"""Åtgärder: next year's action plan, loaded before any data of that year, can be opened.

The demo's incidents end in December 2025, so no period reaches plan year 2026. A 2026
plan for Tyresö (Stockholms län) is loaded into a copy of the demo; the page then says
there are plans for 2026 and offers the plan year, bound to the URL, without changing
the shared period.
"""

from __future__ import annotations

import shutil

import duckdb
import pytest
from helpers import loaded, open_tab, swedish_number
from helpers import open_page as open_any_page

from dashboard import exports

pytestmark = pytest.mark.usefixtures("fast_apptest")

STOCKHOLMS_LAN = {"niva": "Län", "omrade": "Stockholms län"}   # the default period: 2025's months
NEXT_YEAR_PLAN = [
    "organisation;kommun_code;year;prioritised_area;title;status",
    "Tyresö kommun;0138;2026;Unga i riskzon för destruktivt beteende;Fältgrupp kvällstid 2026;påbörjad",
    "Tyresö kommun;0138;2026;Unga i riskzon för destruktivt beteende;Läxhjälp 2026;uppnådd",
    "Tyresö kommun;0138;2026;Otrygga och brottsutsatta platser;Belysning i centrum 2026;påbörjad",
]
LAN_2025 = """FROM measure m JOIN plan p USING (plan_id) JOIN area k ON k.area_code = p.kommun_code
              WHERE k.parent_code = '01' AND p.year = 2025"""


@pytest.fixture(scope="module")
def next_year_db(demo_db, tmp_path_factory):
    """The demo warehouse plus Tyresö's plan for 2026, loaded as a user loads it."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM plan WHERE year > 2025").fetchone()[0] == 0
    folder = tmp_path_factory.mktemp("atgarder_next_year")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    return loaded(db, folder, "atgarder-2026.csv", NEXT_YEAR_PLAN)


@pytest.fixture(scope="module")
def raw(next_year_db):
    con = duckdb.connect(str(next_year_db), read_only=True)
    yield con
    con.close()


def open_page(db, monkeypatch, params):
    return open_any_page(db, "atgarder", monkeypatch, params)


def metrics(at) -> dict[str, int]:
    return {m.label.lower(): int(swedish_number(m.value)) for m in at.metric}


def plan_caption(at) -> str:
    found = [c.value for c in at.caption if " plan" in c.value and "åtgärd" in c.value and "planår" in c.value]
    assert found, [c.value for c in at.caption]
    return found[0]


def register(at):
    """The register, in its tab (chosen here as a click does)."""
    open_tab(at, "atgarder_flik", "Register")
    return [d.shown for d in at.dataframe if d.key == "atgarder_register"][0]


def plan_year_choice(at):
    return [s for s in at.segmented_control if s.key == "planar"]


def test_without_later_plans_there_is_no_choice_or_notice(demo_db, monkeypatch):
    at = open_page(demo_db, monkeypatch, STOCKHOLMS_LAN)
    assert plan_year_choice(at) == []
    assert not [i.value for i in at.info if "Det finns åtgärdsplaner" in i.value]
    assert "planår 2025" in plan_caption(at)


def test_the_default_view_is_the_periods_plan_years(next_year_db, raw, monkeypatch):
    at = open_page(next_year_db, monkeypatch, STOCKHOLMS_LAN)
    notices = [i.value for i in at.info if "Det finns åtgärdsplaner" in i.value]
    assert notices and "planår 2026 i Stockholms län" in notices[0], [i.value for i in at.info]
    [choice] = plan_year_choice(at)
    assert choice.options == ["2025", "2026"]
    assert choice.value == "2025"
    expected = raw.execute(f"SELECT count(*) {LAN_2025}").fetchone()[0]
    assert sum(metrics(at).values()) == expected
    assert "planår 2025" in plan_caption(at)
    assert set(register(at)["Planår"]) == {"2025"}
    assert any("2025" in c.value for c in at.sidebar.caption)    # the shared period is unchanged


def test_next_years_plan_is_reachable_and_counted(next_year_db, monkeypatch):
    recorded = []
    original = exports.download_buttons

    def record(key, **kwargs):
        recorded.append((key, kwargs))
        original(key, **kwargs)

    monkeypatch.setattr(exports, "download_buttons", record)
    at = open_page(next_year_db, monkeypatch, STOCKHOLMS_LAN)
    [choice] = plan_year_choice(at)
    recorded.clear()
    choice.set_value("2026").run()
    assert not at.exception, [e.value for e in at.exception]

    shown = metrics(at)
    assert shown["påbörjad"] == 2 and shown["uppnådd"] == 1 and sum(shown.values()) == 3
    assert plan_caption(at).startswith("1 plan från 1 organisation, planår 2026, med 3 åtgärder")
    assert sorted(register(at)["Åtgärd"]) == ["Belysning i centrum 2026", "Fältgrupp kvällstid 2026",
                                               "Läxhjälp 2026"]
    assert set(register(at)["Planår"]) == {"2026"}
    assert any("Visar planår 2026" in i.value for i in at.info)
    # Every export says which plan years it holds (each tab's, opened in turn); the
    # register's holds 2026's measures.
    for tab in ("Uppföljningar", "Står still", "Analysbladet"):
        open_tab(at, "atgarder_flik", tab)
    assert {"atgarder_status_dl", "atgarder_flow_dl", "atgarder_stuck_dl", "atgarder_register_dl"} <= \
        {key for key, _ in recorded}
    for key, kwargs in recorded:
        assert "planår 2026" in kwargs["caption"], key
        assert "2025" not in kwargs["title"], key
    register_export = dict(recorded)["atgarder_register_dl"]["df"]
    assert set(register_export["year"]) == {2026} and len(register_export) == 3


def test_the_plan_year_is_kept_in_the_link(next_year_db, monkeypatch):
    at = open_page(next_year_db, monkeypatch, {**STOCKHOLMS_LAN, "planar": "2026"})
    [choice] = plan_year_choice(at)
    assert choice.value == "2026"
    assert sum(metrics(at).values()) == 3
    assert "planår 2026" in plan_caption(at)


def test_an_unknown_plan_year_in_the_link_shows_the_period(next_year_db, raw, monkeypatch):
    at = open_page(next_year_db, monkeypatch, {**STOCKHOLMS_LAN, "planar": "2031"})
    assert any("Okänt planår '2031'" in t.value for t in at.toast), [t.value for t in at.toast]
    assert sum(metrics(at).values()) == raw.execute(f"SELECT count(*) {LAN_2025}").fetchone()[0]
    assert "planår 2025" in plan_caption(at)


def test_an_area_without_the_later_plan_shows_no_choice(next_year_db, monkeypatch):
    # Skåne has no 2026 plan: no notice there, though Tyresö has one.
    at = open_page(next_year_db, monkeypatch, {"niva": "Län", "omrade": "Skåne län"})
    assert plan_year_choice(at) == []
    assert not [i.value for i in at.info if "Det finns åtgärdsplaner" in i.value]


def test_a_kommun_whose_first_plan_is_next_years_finds_it(next_year_db, monkeypatch):
    # Tyresö has no plan in the demo's years: the page says so, points to the later plan
    # year and opens it.
    at = open_page(next_year_db, monkeypatch, {"niva": "Kommun", "omrade": "Tyresö"})
    empty = [i.value for i in at.info if "Inga åtgärdsplaner för planår 2025 i Tyresö" in i.value]
    assert empty and "senare planår" in empty[0], [i.value for i in at.info]
    assert any("planår 2026 i Tyresö" in i.value for i in at.info)
    [choice] = plan_year_choice(at)
    choice.set_value("2026").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [i.value for i in at.info if "Inga åtgärdsplaner" in i.value]
    assert plan_caption(at).startswith("1 plan från 1 organisation, planår 2026, med 3 åtgärder")
    assert sum(metrics(at).values()) == 3


def test_a_plan_year_link_where_none_is_offered_is_named_once(next_year_db, monkeypatch):
    # A link to Tyresö's 2026 plan, opened for Skåne (no later plans): the page says so
    # once, drops the parameter and shows the period's plan years.
    at = open_page(next_year_db, monkeypatch, {"niva": "Län", "omrade": "Skåne län", "planar": "2026"})
    assert any("Planår '2026' i länken" in t.value for t in at.toast), [t.value for t in at.toast]
    assert "planar" not in at.query_params
    assert "planår 2025" in plan_caption(at)
    at.run()
    assert not at.exception
    assert not [t.value for t in at.toast if "Planår '2026'" in t.value]


def test_choosing_an_area_without_later_plans_after_one_with_them(next_year_db, monkeypatch):
    # Stockholms län opened at plan year 2026, then Skåne chosen: Skåne's 2025 plans, and
    # no error for the plan-year parameter the previous view left in the address.
    at = open_page(next_year_db, monkeypatch, {**STOCKHOLMS_LAN, "planar": "2026"})
    assert "planår 2026" in plan_caption(at)
    at.selectbox(key="omrade").set_value("12").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.caption[0].value.startswith("Skåne län"), at.caption[0].value
    assert plan_year_choice(at) == []
    assert "planår 2025" in plan_caption(at)
