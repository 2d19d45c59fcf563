"""The query layer and the incident/population marts, checked against the raw tables."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pandas as pd
import pytest

from dashboard import queries
from dashboard.filters import Selection
from dashboard.queries import geo, incidents, signals
from pipelines import marts, warehouse

PERIOD = (date(2025, 3, 1), date(2025, 8, 1))


@pytest.fixture
def use_db(monkeypatch):
    def point(db):
        monkeypatch.setenv("LAGESBILD_DB", str(db))
        return db
    return point


@pytest.fixture(scope="module")
def raw(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    yield con
    con.close()


def sel(level="riket", code="SE", types=(), period=PERIOD) -> Selection:
    return Selection(level, code, period[0], period[1], tuple(types), geo.RIKET_NAME)


# --- the connection and the version ----------------------------------------------------------

def test_missing_database_raises_a_swedish_message_with_the_command(tmp_path, use_db):
    use_db(tmp_path / "saknas.duckdb")
    with pytest.raises(queries.DatabaseUnavailable, match="python -m pipelines demo"):
        queries.data_status()


def test_a_database_without_marts_is_unavailable(empty_db, use_db):
    with warehouse.write_session(empty_db) as con:
        con.execute("DROP TABLE IF EXISTS mart_incident_month")
    use_db(empty_db)
    with pytest.raises(queries.DatabaseUnavailable, match="sammanställningstabellerna"):
        queries.data_status()


def test_a_newly_published_database_is_read_on_the_next_call(demo_db, tmp_path, use_db):
    db = use_db(tmp_path / "lagesbild.duckdb")
    shutil.copyfile(demo_db, db)
    s = sel(types=("skottlossning",))
    before_key = queries.db_key()
    before = int(incidents.headline(s).set_index("group").at["skjutningar", "incidents"])
    assert "test" not in queries.facts()["incident_sources"]
    # The pipeline publishes a new version (atomic replace) with three more shootings.
    with warehouse.write_session(db) as con:
        con.execute("""INSERT INTO incident (incident_id, occurred_at, incident_type, kommun_code, lan_code,
                                             source, load_id)
                       SELECT 'test:' || i, TIMESTAMP '2025-04-10 12:00:00', 'skottlossning', '0180', '01',
                              'test', 99 FROM range(3) t(i)""")
        marts.refresh(con)
    assert queries.db_key() != before_key
    after = int(incidents.headline(s).set_index("group").at["skjutningar", "incidents"])
    assert after == before + 3
    # What the status line and the period choices read (remembered per version) is the new file's too.
    assert "test" in queries.facts()["incident_sources"]


def test_parameters_are_bound_not_formatted(demo_db, use_db):
    use_db(demo_db)
    hostile = "SE' OR '1'='1"
    df = queries.run("SELECT count(*) AS n FROM area WHERE area_code = $code", {"code": hostile, "unused": 1})
    assert df.iat[0, 0] == 0
    assert incidents.by_type(sel(code=hostile)).empty


def test_data_status_states_demo_sources_and_dates(demo_db, use_db):
    use_db(demo_db)
    status = queries.data_status()
    assert status["demo"] is True
    assert status["through"]["händelser"] == date(2025, 12, 31)
    assert any(s.startswith("händelser") for s in status["sources"])


def test_what_the_pages_say_the_database_holds_matches_its_tables(demo_db, raw, use_db):
    # The period choices, the incident types offered and the "data t.o.m." lines come from
    # one summary row (mart_status); each must say what the tables themselves hold.
    use_db(demo_db)
    (first, last, last_day, types), = raw.execute(
        """SELECT date_trunc('month', min(occurred_at))::DATE, date_trunc('month', max(occurred_at))::DATE,
                  max(occurred_at)::DATE, list(DISTINCT incident_type) FROM incident""").fetchall()
    assert incidents.month_range() == (first, last)
    assert set(incidents.types_present()) == set(types)
    assert queries.data_status()["through"]["händelser"] == last_day
    (s_first, s_last, sources), = raw.execute(
        "SELECT min(month), max(month), list(DISTINCT source ORDER BY source) FROM recruitment_signal").fetchall()
    assert signals.last_month() == s_last and signals._month_span(queries.db_key())[0] == s_first
    assert "rekryteringssignaler: " + ", ".join(sources) in queries.data_status()["sources"]
    (followup,), = raw.execute("SELECT max(followup_date) FROM measure_followup").fetchall()
    (plans,), = raw.execute("SELECT count(*) FROM plan").fetchall()
    assert queries.data_status()["through"]["åtgärdsuppföljning"] == followup
    assert f"åtgärdsplaner: {plans} planer" in queries.data_status()["sources"]


def test_a_database_without_incidents_offers_the_months_of_its_signals_and_plans(empty_db, tmp_path, use_db):
    with warehouse.write_session(empty_db) as con:
        con.execute("""INSERT INTO recruitment_signal VALUES
                           (DATE '2024-03-01', '0180', '12-14', 'M', 'skola', 'oro', 4, 1),
                           (DATE '2024-09-01', '0180', '12-14', 'M', 'skola', 'oro', 4, 1)""")
        marts.refresh(con)
    use_db(empty_db)
    assert incidents.month_range() == (None, None)
    assert queries.months_without_incidents() == (date(2024, 3, 1), date(2024, 9, 1))
    assert queries.data_status()["through"]["rekryteringssignaler"] == date(2024, 9, 30)


# --- the marts against the raw tables -------------------------------------------------------------

def test_every_incident_is_counted_once_per_level_or_reported_unplaced(raw):
    total = raw.execute("SELECT count(*) FROM incident").fetchone()[0]
    placed = dict(raw.execute("SELECT level, sum(incidents) FROM mart_incident_month GROUP BY level").fetchall())
    unplaced = dict(raw.execute("SELECT level, sum(incidents) FROM mart_incident_unplaced GROUP BY level").fetchall())
    for level in ("riket", "polisregion", "lan"):
        assert placed[level] == total
    for level in ("kommun", "lpo", "polisomrade"):
        assert placed[level] + unplaced.get(level, 0) == total


def test_lpo_counts_follow_lpo_code_or_the_only_lpo_of_the_kommun(raw):
    expected = raw.execute("""
        WITH single AS (SELECT kommun_code, min(lpo_code) AS lpo FROM lpo_kommun GROUP BY 1 HAVING count(*) = 1)
        SELECT coalesce(i.lpo_code, s.lpo) AS lpo, count(*) FROM incident i
        LEFT JOIN single s ON s.kommun_code = i.kommun_code
        WHERE coalesce(i.lpo_code, s.lpo) IS NOT NULL GROUP BY 1""").fetchall()
    got = dict(raw.execute("SELECT area_code, sum(incidents) FROM mart_incident_month WHERE level = 'lpo' "
                           "GROUP BY 1").fetchall())
    assert got == dict(expected)


def test_population_of_an_lpo_is_its_share_of_its_kommuner(raw):
    year = raw.execute("SELECT max(year) FROM population").fetchone()[0]
    expected = raw.execute("""SELECT sum(p.population * lk.share) FROM population p
                              JOIN lpo_kommun lk USING (kommun_code)
                              WHERE lk.lpo_code = 'LPO-FARSTA' AND p.year = ?""", [year]).fetchone()[0]
    got = raw.execute("SELECT population FROM mart_population WHERE area_code = 'LPO-FARSTA' AND year = ?",
                      [year]).fetchone()[0]
    assert got == pytest.approx(expected)
    young = raw.execute("""SELECT sum(population) FROM population WHERE kommun_code = '1280' AND year = ?
                           AND age_band IN ('12-14', '15-17')""", [year]).fetchone()[0]
    assert raw.execute("SELECT population_12_17 FROM mart_population WHERE area_code = '1280' AND year = ?",
                       [year]).fetchone()[0] == young


def test_area_link_lists_the_kommuner_of_a_lan_and_the_lpos_of_a_split_kommun(raw):
    kommuner = {r[0] for r in raw.execute("SELECT area_code FROM area WHERE parent_code = '12'").fetchall()}
    linked = {r[0] for r in raw.execute("SELECT area_code FROM mart_area_link WHERE level = 'kommun' "
                                        "AND within_code = '12'").fetchall()}
    assert linked == kommuner
    lpos = {r[0] for r in raw.execute("SELECT lpo_code FROM lpo_kommun WHERE kommun_code = '0180'").fetchall()}
    assert {r[0] for r in raw.execute("SELECT within_code FROM mart_area_link WHERE area_code = '0180' "
                                      "AND within_level = 'lpo'").fetchall()} == lpos


# --- the query functions ------------------------------------------------------------------------

def test_by_area_matches_the_raw_incidents(demo_db, raw, use_db):
    use_db(demo_db)
    s = sel("lan", "01", types=("våldsbrott", "rån"))
    codes = geo.scope("kommun", "lan", "01").codes
    got = incidents.by_area(s, "kommun", codes).set_index("area_code")
    expected = raw.execute("""
        SELECT kommun_code, count(*) FILTER (WHERE occurred_at >= '2025-03-01' AND occurred_at < '2025-09-01'),
               count(*) FILTER (WHERE occurred_at >= '2024-03-01' AND occurred_at < '2024-09-01')
        FROM incident WHERE lan_code = '01' AND kommun_code IS NOT NULL AND incident_type IN ('våldsbrott', 'rån')
        GROUP BY 1""").fetchall()
    assert len(got) == 26  # every kommun of Stockholms län, with or without incidents
    for kommun, now, before in expected:
        assert got.at[kommun, "incidents"] == now
        assert got.at[kommun, "incidents_prev"] == before
    pop = raw.execute("SELECT sum(population) FROM population WHERE kommun_code = '0180' AND year = 2025") \
        .fetchone()[0]
    assert got.at["0180", "per_100k"] == pytest.approx(got.at["0180", "incidents"] / pop * 100_000)


def test_monthly_has_every_month_and_the_year_before(demo_db, raw, use_db):
    use_db(demo_db)
    df = incidents.monthly(sel("polisregion", "SYD", types=("skottlossning", "explosion")))
    assert list(pd.to_datetime(df["month"]).dt.month) == [3, 4, 5, 6, 7, 8]
    expected = dict(raw.execute("""
        SELECT date_trunc('month', occurred_at)::DATE, count(*) FROM incident i JOIN area l ON l.area_code = i.lan_code
        WHERE l.parent_code = 'SYD' AND incident_type IN ('skottlossning', 'explosion')
        GROUP BY 1""").fetchall())
    for row in df.itertuples(index=False):
        month = pd.Timestamp(row.month).date()
        assert row.incidents == expected.get(month, 0)
        assert row.incidents_prev == expected.get(month.replace(year=month.year - 1), 0)


def test_scope_finer_same_and_coarser_levels(demo_db, use_db):
    use_db(demo_db)
    assert set(geo.scope("kommun", "lan", "12").codes) == set(geo.within("kommun", "12"))
    same = geo.scope("kommun", "kommun", "1280")  # siblings: the kommuner of Skåne
    assert "1280" in same.codes and same.within_code == "12"
    coarser = geo.scope("polisregion", "kommun", "1280")
    assert len(coarser.codes) == 7 and coarser.within_code == "SE"


def test_grid_cells_below_the_threshold_are_never_returned(demo_db, raw, use_db):
    use_db(demo_db)
    s = sel("lan", "01", period=(date(2024, 1, 1), date(2025, 12, 1)))
    cells = geo.grid(s)
    counts = dict(raw.execute("""SELECT grid_cell, count(*) FROM incident WHERE lan_code = '01'
                                 AND grid_cell IS NOT NULL AND occurred_at >= '2024-01-01' GROUP BY 1""").fetchall())
    assert not cells.frame.empty
    assert (cells.frame["incidents"] >= 5).all()
    for row in cells.frame.itertuples(index=False):
        assert counts[row.grid_cell] == row.incidents
    assert cells.hidden_cells == sum(1 for n in counts.values() if n < 5)


@pytest.mark.parametrize("level", ["polisregion", "polisomrade"])
def test_grid_cells_of_a_police_area_count_its_incidents(demo_db, raw, use_db, level):
    """A polisregion's grid map holds its län's incidents; a polisområde's those of its LPOs
    (an incident without an LPO in a kommun with only one LPO belongs to that LPO)."""
    use_db(demo_db)
    if level == "polisregion":
        code = raw.execute("SELECT parent_code FROM area WHERE area_code = '01'").fetchone()[0]
        inside = "i.lan_code IN (SELECT area_code FROM area WHERE parent_code = $code)"
    else:
        code = raw.execute("""SELECT a.parent_code FROM incident i JOIN area a ON a.area_code = i.lpo_code
                              GROUP BY 1 ORDER BY count(*) DESC LIMIT 1""").fetchone()[0]
        inside = """coalesce(i.lpo_code, (SELECT min(lpo_code) FROM lpo_kommun k WHERE k.kommun_code = i.kommun_code
                                         HAVING count(*) = 1))
                    IN (SELECT area_code FROM area WHERE parent_code = $code)"""
    cells = geo.grid(sel(level, code, period=(date(2024, 1, 1), date(2025, 12, 1))))
    counts = dict(raw.execute(f"""SELECT grid_cell, count(*) FROM incident AS i
                                  WHERE {inside} AND grid_cell IS NOT NULL AND occurred_at >= '2024-01-01'
                                  GROUP BY 1""", {"code": code}).fetchall())
    assert not cells.frame.empty
    assert {r.grid_cell: r.incidents for r in cells.frame.itertuples(index=False)} == \
        {c: n for c, n in counts.items() if n >= 5}


def test_unplaced_incidents_are_reported_for_the_lpo_level(demo_db, raw, use_db):
    use_db(demo_db)
    s = sel("kommun", "0180", period=(date(2016, 1, 1), date(2025, 12, 1)))
    got = incidents.unplaced(s, "lpo")
    expected = raw.execute("SELECT count(*) FROM incident WHERE kommun_code = '0180' AND lpo_code IS NULL") \
        .fetchone()[0]
    assert got.get("ej fördelade", 0) == expected
    note = incidents.unplaced_note(got, "lpo")
    assert (note is None) == (expected == 0 and not got.get("endast län"))


def test_shift_months_and_previous_period():
    assert incidents.shift_months(date(2025, 1, 1), -1) == date(2024, 12, 1)
    assert incidents.previous_period(date(2025, 3, 1), date(2025, 8, 1)) == (date(2024, 3, 1), date(2024, 8, 1))
