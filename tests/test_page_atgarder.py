"""Åtgärder: status counts against SQL on the plan tables, the register search, a row
opening its follow-up history, and a hostile title shown as text."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines import marts, warehouse

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "atgarder.py")
STOCKHOLMS_LAN = {"niva": "Län", "omrade": "Stockholms län", "period": "Välj månader",
                  "fran": "januari 2025", "till": "december 2025"}
XSS = "<img src=x onerror=alert(1)>"
REGISTER_TAB = {"atgarder_flik": "Register"}   # a link to the register's tab


@pytest.fixture(scope="module")
def page_db(demo_db, tmp_path_factory):
    """The demo warehouse plus one measure with a hostile title in a Stockholm plan."""
    db = tmp_path_factory.mktemp("atgarder") / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    with warehouse.write_session(db) as con:
        plan_id = con.execute("SELECT plan_id FROM plan WHERE kommun_code = '0180' AND year = 2025 "
                              "ORDER BY plan_id LIMIT 1").fetchone()[0]
        con.execute("""INSERT INTO measure (measure_id, plan_id, prioritised_area, title, description, responsible,
                                            is_line_work, status, load_id)
                       VALUES ('xss-1', ?, 'Otrygga och brottsutsatta platser', ?, '**fet** [länk](http://x)',
                               'Testaren', FALSE, 'påbörjad', 1)""", [plan_id, XSS])
        con.execute("""INSERT INTO measure_followup VALUES ('xss-1', DATE '2025-04-20', 'T1', '250420: start', 'påbörjad'),
                                                           ('xss-1', DATE '2025-09-02', 'T2', ?, 'ej bedömd')""",
                    [f"250902: {XSS}"])
        marts.refresh(con)
    return db


@pytest.fixture(scope="module")
def raw(page_db):
    con = duckdb.connect(str(page_db), read_only=True)
    yield con
    con.close()


def open_page(db, params) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    return at


@pytest.fixture(scope="module")
def stockholm(page_db):
    mp = pytest.MonkeyPatch()
    mp.setenv("LAGESBILD_DB", str(page_db))
    at = open_page(page_db, STOCKHOLMS_LAN)
    at.run()
    yield at
    mp.undo()


def number(text: str) -> int:
    return int(text.replace("\xa0", "").replace(" ", ""))


def by_key(at, key):
    found = [d for d in at.dataframe if d.key == key]
    assert found, f"ingen tabell {key}"
    return found[0].shown


def table_with(at, column):
    """The first table with a column headed ``column`` (only selectable tables carry keys)."""
    found = [d.shown for d in at.dataframe if column in d.shown.columns]
    assert found, f"ingen tabell med kolumnen {column}"
    return found[0]


LAN_PLANS = """FROM measure m JOIN plan p USING (plan_id) JOIN area k ON k.area_code = p.kommun_code
               WHERE k.parent_code = '01' AND p.year = 2025"""


def test_page_runs_and_states_its_data(stockholm):
    assert not stockholm.exception, [e.value for e in stockholm.exception]
    assert stockholm.title[0].value == "Åtgärder"
    captions = " ".join(c.value for c in stockholm.caption)
    assert "Demodata" in captions and "åtgärdsuppföljning" in captions
    assert "inte personer" in captions                  # why nothing is suppressed here
    assert "ej bedömd" in captions                      # the carry rule is stated


def test_status_metrics_match_sql(stockholm, raw):
    expected = dict(raw.execute(f"SELECT m.status, count(*) {LAN_PLANS} GROUP BY 1").fetchall())
    shown = {m.label.lower(): number(m.value) for m in stockholm.metric}
    for status in ("uppnådd", "delvis uppnådd", "påbörjad", "ej uppnådd", "ej bedömd"):
        assert shown[status] == expected.get(status, 0), status
    assert sum(shown.values()) == raw.execute(f"SELECT count(*) {LAN_PLANS}").fetchone()[0]


def test_status_table_per_area_matches_sql(stockholm, raw):
    table = table_with(stockholm, "Ej bedömd").set_index("Prioriterat område")
    expected = raw.execute(f"""SELECT m.prioritised_area, count(*) AS n,
                                      count(*) FILTER (WHERE m.status = 'ej bedömd') AS ej
                               {LAN_PLANS} GROUP BY 1""").fetchall()
    assert len(table) == len(expected)
    for area, n, ej in expected:
        assert number(table.at[area, "Åtgärder"]) == n
        assert number(table.at[area, "Ej bedömd"]) == ej


def test_search_finds_a_measure_and_its_history_opens(page_db, raw, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(page_db))
    (title,) = raw.execute(f"""SELECT m.title {LAN_PLANS}
                                 AND m.title NOT LIKE 'Linjearbete%' AND m.measure_id <> 'xss-1'
                                 ORDER BY m.measure_id LIMIT 1""").fetchone()
    at = open_page(page_db, {**STOCKHOLMS_LAN, **REGISTER_TAB})
    at.run()
    at.text_input(key="atgarder_search").set_value(title).run()
    register = by_key(at, "atgarder_register")
    assert len(register) >= 1 and (register["Åtgärd"] == title).all()
    row = register.index[register["Åtgärd"] == title][0]
    ids = raw.execute(f"SELECT m.measure_id {LAN_PLANS} AND m.title = ? ORDER BY ALL", [title]).fetchall()
    at.session_state["atgarder_register"] = {"selection": {"rows": [int(row)], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    history = table_with(at, "Bedömning i texten")
    shown_title = [t.value for t in at.text if t.value == title]
    assert shown_title
    # the history is one of the measures with that title, entry for entry
    candidates = [raw.execute("SELECT count(*) FROM measure_followup WHERE measure_id = ?", [i]).fetchone()[0]
                  for (i,) in ids]
    assert len(history) in candidates
    assert set(history["Uppföljning"]) <= {"T1", "T2", "T3", "VB"}


def test_hostile_title_is_shown_as_text(page_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(page_db))
    at = open_page(page_db, {**STOCKHOLMS_LAN, **REGISTER_TAB})
    at.run()
    at.text_input(key="atgarder_search").set_value("onerror").run()
    register = by_key(at, "atgarder_register")
    assert register["Åtgärd"].tolist() == [XSS]
    at.session_state["atgarder_register"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    texts = [t.value for t in at.text]
    assert XSS in texts                                   # st.text: shown literally
    assert "**fet** [länk](http://x)" in texts           # Markdown in data is not rendered either
    history = table_with(at, "Bedömning i texten")
    assert history["Text"].tolist()[-1] == f"250902: {XSS}"
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("<img" in r or "**fet**" in r for r in rendered)


def test_empty_selection_says_so(page_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(page_db))
    at = open_page(page_db, {**STOCKHOLMS_LAN, "fran": "januari 2017", "till": "december 2017"})
    at.run()
    assert not at.exception
    assert any("Inga åtgärdsplaner" in i.value for i in at.info)


def test_a_database_with_only_an_action_plan_shows_the_plan(empty_db, tmp_path, monkeypatch):
    # A kommun that loads only its own plan (no incidents yet) opens Åtgärder and sees it:
    # the period comes from the data there is, not from today's date.
    from pipelines.loading import ingest

    plan = tmp_path / "atgarder.csv"
    plan.write_text("organisation;kommun_code;year;prioritised_area;title;status\n"
                    "Tyresö kommun;0138;2025;Unga i riskzon för destruktivt beteende;Fältgrupp;påbörjad\n"
                    "Tyresö kommun;0138;2025;Otrygga och brottsutsatta platser;Belysning;uppnådd\n", encoding="utf-8")
    [report] = ingest(empty_db, [plan])
    assert report.status == "ok", report.summary()
    monkeypatch.setenv("LAGESBILD_DB", str(empty_db))
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.run()
    assert not at.exception
    assert not [i.value for i in at.info if "Inga åtgärdsplaner" in i.value]
    assert any("2025" in c.value for c in at.sidebar.caption), [c.value for c in at.sidebar.caption]
    assert any(c.value.startswith("1 plan från 1 organisation, planår 2025, med 2 åtgärder")
               for c in at.caption), [c.value for c in at.caption][:3]
