"""The demo generator: what a user of the demo database would check.

One small demo database (100 000 incidents) is built once through the CLI and shared by
the tests; a second build checks that the same seed gives the same data.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipelines import demo, marts, warehouse
from pipelines.__main__ import main as cli
from pipelines.categories import (
    INCIDENT_TYPES,
    MEASURE_STATUSES,
    OWN_AREA,
    POPULATION_AGE_BANDS,
    PRIORITISED_AREAS,
    SIGNAL_AGE_BANDS,
    SIGNAL_SOURCES,
    SIGNAL_TYPES,
)
from pipelines.personnummer import contains_personnummer

# The whole module runs on one xdist worker, so that the demo built by the command line (cli_demo_db, about 30 s)
# is built once, not once on each worker (--dist loadgroup spreads ungrouped tests over both).
pytestmark = pytest.mark.xdist_group("test_demo")

SIZE = 100_000  # small enough to build in seconds, big enough that every kommun gets incidents
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cli_demo_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    assert cli(["demo", "--db", str(db), "--size", str(SIZE)]) == 0
    return db


@pytest.fixture(scope="module")
def con(cli_demo_db):
    c = warehouse.open_read_only(cli_demo_db)
    yield c
    c.close()


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchone()[0]


def test_cli_builds_and_status_lists_the_tables(cli_demo_db, capsys):
    capsys.readouterr()
    assert cli(["status", "--db", str(cli_demo_db)]) == 0
    out = capsys.readouterr().out
    assert "DEMODATA" in out
    for table in ("population", "incident", "recruitment_signal", "plan", "measure", "measure_followup"):
        assert re.search(rf"^\s+{table}\s+[1-9][\d ]*$", out, re.M), table


def test_if_missing_does_not_rebuild(cli_demo_db, capsys):
    before = cli_demo_db.stat().st_mtime_ns
    capsys.readouterr()
    assert cli(["demo", "--db", str(cli_demo_db), "--if-missing"]) == 0
    assert "finns redan" in capsys.readouterr().out
    assert cli_demo_db.stat().st_mtime_ns == before


def test_bad_size_is_one_line_and_nonzero(tmp_path, capsys):
    db = tmp_path / "x.duckdb"
    assert cli(["demo", "--db", str(db), "--size", "stor"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--size" in err
    assert not db.exists()


def test_parse_size():
    assert demo.parse_size("quick") == 1_000_000
    assert demo.parse_size("national") == 15_000_000
    assert demo.parse_size("20_000") == 20_000
    for bad in ("0", "-5", "huge", ""):
        with pytest.raises(demo.DemoError):
            demo.parse_size(bad)


def _fingerprint(con) -> dict[str, tuple]:
    queries = {
        "incident": "SELECT count(*), sum(hash(incident_id, occurred_at, incident_type, kommun_code, lpo_code, grid_cell)) FROM incident",
        "population": "SELECT count(*), sum(hash(kommun_code, year, age_band, sex, population)) FROM population",
        "recruitment_signal": "SELECT count(*), sum(hash(month, area_code, age_band, sex, source, signal_type, count)) FROM recruitment_signal",
        "measure": "SELECT count(*), sum(hash(measure_id, title, problem, cause, due, responsible, status)) FROM measure",
        "measure_followup": "SELECT count(*), sum(hash(measure_id, round, followup_date, text, status)) FROM measure_followup",
    }
    return {table: con.execute(sql).fetchone() for table, sql in queries.items()}


def test_same_seed_gives_the_same_data(con):
    import duckdb

    from pipelines import build

    info = dict(con.execute("SELECT key, value FROM dataset_info").fetchall())
    # Regenerate as of the same day (so the same end month) into a scratch warehouse.
    today = date.fromisoformat(info["data_tom"]) + timedelta(days=1)
    scratch = duckdb.connect()
    warehouse.apply_schema(scratch)
    build.load_reference(scratch, with_geometry=False)
    demo.generate(scratch, SIZE, seed=42, today=today)
    assert _fingerprint(scratch) == _fingerprint(con)


def test_different_seed_gives_different_data(con):
    frames = [demo.population_frame(demo.load_geo(con, seed), [2024], seed)[0] for seed in (1, 2)]
    assert not frames[0]["population"].equals(frames[1]["population"])
    stories = [demo.plant_stories(demo.load_geo(con, seed), demo._months(date(2016, 1, 1), date(2026, 1, 1)), seed)
               for seed in (1, 2)]
    assert [s.area_code for s in stories[0]] != [s.area_code for s in stories[1]]


def test_every_table_the_dashboard_reads_has_rows(con):
    for table in ("area", "lpo_kommun", "area_geometry", "population", "incident", "recruitment_signal", "plan",
                  "measure", "measure_followup", "plan_analysis", "load_log", "dataset_info"):
        assert one(con, f"SELECT count(*) FROM {table}") > 0, table
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {f.stem for f in marts.mart_files()} <= tables


def test_everything_is_marked_as_demo(con):
    info = dict(con.execute("SELECT key, value FROM dataset_info").fetchall())
    assert info["demo"] == "true" and info["demo_seed"] == "42" and info["demo_size"] == str(SIZE)
    assert json.loads(info["demo_trends"])
    assert one(con, "SELECT count(*) FROM incident WHERE source <> 'demo' OR incident_id NOT LIKE 'demo:%'") == 0
    assert one(con, "SELECT count(*) FROM population WHERE source <> 'demo'") == 0
    assert one(con, "SELECT count(*) FROM plan WHERE plan_id NOT LIKE 'demo:%'") == 0
    assert one(con, "SELECT count(*) FROM load_log WHERE source_format <> 'demo'") == 0
    assert one(con, "SELECT count(*) FROM incident") == SIZE
    assert one(con, "SELECT count(DISTINCT incident_id) FROM incident") == SIZE


def test_ten_years_of_incidents_up_to_data_tom(con):
    data_tom = date.fromisoformat(one(con, "SELECT value FROM dataset_info WHERE key = 'data_tom'"))
    first, last = con.execute("SELECT min(occurred_at), max(occurred_at) FROM incident").fetchone()
    assert first.date() <= date(2016, 1, 31)
    assert data_tom - timedelta(days=3) <= last.date() <= data_tom
    assert (data_tom - first.date()).days >= 10 * 365
    months = one(con, "SELECT count(DISTINCT date_trunc('month', occurred_at)) FROM incident")
    assert months == (data_tom.year - 2016) * 12 + data_tom.month
    assert set(r[0] for r in con.execute("SELECT DISTINCT incident_type FROM incident").fetchall()) == set(INCIDENT_TYPES)


def test_every_kommun_has_incidents_and_population(con):
    missing = one(con, """SELECT count(*) FROM area a WHERE level = 'kommun'
                          AND NOT EXISTS (SELECT 1 FROM incident i WHERE i.kommun_code = a.area_code)""")
    assert missing == 0
    years = [r[0] for r in con.execute("SELECT DISTINCT year(occurred_at) FROM incident ORDER BY 1").fetchall()]
    per = con.execute("""SELECT count(DISTINCT kommun_code || year || age_band || sex) FROM population
                         WHERE year BETWEEN ? AND ?""", [years[0], years[-1]]).fetchone()[0]
    assert per == 290 * len(years) * len(POPULATION_AGE_BANDS) * 2
    total = one(con, "SELECT sum(population) FROM population WHERE year = 2023")
    assert 10_000_000 < total < 11_000_000


def test_incidents_per_capita_grow_with_population(con):
    rows = con.execute("""
        WITH n AS (SELECT kommun_code, count(*) AS n,
                          count(*) FILTER (WHERE incident_type IN ('skottlossning', 'explosion')) AS gang
                   FROM incident WHERE kommun_code IS NOT NULL GROUP BY 1),
             p AS (SELECT kommun_code, sum(population) AS pop FROM population WHERE year = 2023 GROUP BY 1)
        SELECT pop, n, gang FROM n JOIN p USING (kommun_code)""").fetchall()
    xs = [math.log(p) for p, _, _ in rows]
    ys = [n / p for p, n, _ in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    corr = cov / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))
    assert corr > 0.3
    big = sum(g for p, _, g in rows if p >= 200_000) / sum(p for p, _, _ in rows if p >= 200_000)
    small = sum(g for p, _, g in rows if p < 50_000) / sum(p for p, _, _ in rows if p < 50_000)
    assert big > 2 * small  # shootings and explosions concentrate in the big cities


def test_violence_peaks_in_summer_and_on_weekend_nights(con):
    by_month = dict(con.execute("""SELECT month(occurred_at), count(*) FROM incident
                                   WHERE incident_type IN ('våldsbrott', 'hot', 'rån') GROUP BY 1""").fetchall())
    assert by_month[7] > 1.15 * by_month[2]
    weekend_night = one(con, """SELECT avg(CASE WHEN dayofweek(occurred_at) IN (5, 6) THEN 1 ELSE 0 END)
                                FROM incident WHERE incident_type = 'våldsbrott'""")
    assert weekend_night > 2 / 7 + 0.03


def test_planted_improvement_shows_in_the_data(con):
    trends = json.loads(one(con, "SELECT value FROM dataset_info WHERE key = 'demo_trends'"))
    story = next(t for t in trends if t["kind"] == "förbättring")
    column = "lpo_code" if story["area_code"].startswith("LPO-") else "kommun_code"
    before, after = con.execute(f"""
        SELECT count(*) FILTER (WHERE year(occurred_at) BETWEEN 2019 AND 2022) / 4,
               count(*) FILTER (WHERE year(occurred_at) = 2025)
        FROM incident WHERE {column} = ? AND list_contains(?, incident_type)""",
                                [story["area_code"], story["types"]]).fetchone()
    national_before, national_after = con.execute("""
        SELECT count(*) FILTER (WHERE year(occurred_at) BETWEEN 2019 AND 2022) / 4,
               count(*) FILTER (WHERE year(occurred_at) = 2025)
        FROM incident WHERE list_contains(?, incident_type)""", [story["types"]]).fetchone()
    assert after / before < 0.85 * national_after / national_before


def test_split_kommun_incidents_get_lpos_by_population_share(con):
    rows = con.execute("""
        SELECT i.lpo_code, count(*) / sum(count(*)) OVER () AS got, any_value(lk.share) AS share
        FROM incident i JOIN lpo_kommun lk ON lk.lpo_code = i.lpo_code AND lk.kommun_code = i.kommun_code
        WHERE i.kommun_code = '0180' AND i.incident_type IN ('stöld', 'bedrägeri', 'övrigt', 'inbrott')
        GROUP BY 1""").fetchall()
    assert len(rows) == one(con, "SELECT count(*) FROM lpo_kommun WHERE kommun_code = '0180'") > 1
    for lpo, got, share in rows:
        assert abs(got - share) < 0.6 * share, lpo
    # An incident without a place in a split kommun is never given an LPO.
    assert one(con, "SELECT count(*) FROM incident WHERE kommun_code = '0180' AND grid_cell IS NULL "
                    "AND lpo_code IS NOT NULL") == 0


def test_grid_cells_are_scb_1km_cells_inside_the_kommun(con):
    from pipelines import geography

    share = one(con, "SELECT avg(CASE WHEN grid_cell IS NULL THEN 0 ELSE 1 END) FROM incident")
    assert share > 0.7
    sample = con.execute("""SELECT kommun_code, grid_cell FROM incident
                            WHERE grid_cell IS NOT NULL AND kommun_code IS NOT NULL
                            USING SAMPLE 300 ROWS (reservoir, 7)""").fetchall()
    inside = 0
    for kommun, cell in sample:
        lat, lon = geography.grid_cell_center_wgs84(cell)
        here = geography.kommun_at(lat, lon)
        # A cell on the border may have its centre in the neighbour; the cell must touch the kommun.
        inside += here == kommun
    assert inside / len(sample) > 0.9


def test_signals_per_lpo_with_small_counts(con):
    lpos = one(con, "SELECT count(*) FROM area WHERE level = 'lpo'")
    with_signals = one(con, """SELECT count(DISTINCT area_code) FROM recruitment_signal
                               WHERE area_code IN (SELECT area_code FROM area WHERE level = 'lpo')""")
    assert with_signals == lpos
    assert one(con, "SELECT min(count) FROM recruitment_signal") >= 1  # zeros are not stored
    small = one(con, "SELECT avg(CASE WHEN count BETWEEN 1 AND 4 THEN 1 ELSE 0 END) FROM recruitment_signal")
    assert small > 0.5
    assert one(con, "SELECT max(count) FROM recruitment_signal") >= 5
    values = {col: {r[0] for r in con.execute(f"SELECT DISTINCT {col} FROM recruitment_signal").fetchall()}
              for col in ("age_band", "sex", "source", "signal_type")}
    assert values == {"age_band": set(SIGNAL_AGE_BANDS), "sex": {"M", "K", "X"},
                      "source": set(SIGNAL_SOURCES), "signal_type": set(SIGNAL_TYPES)}
    boys = one(con, "SELECT sum(count) FILTER (WHERE sex = 'M') / sum(count) FROM recruitment_signal")
    assert boys > 0.6
    # Big-city LPOs report more per month than rural ones.
    top = con.execute("""SELECT a.name FROM recruitment_signal s JOIN area a ON a.area_code = s.area_code
                         GROUP BY 1 ORDER BY sum(count) DESC LIMIT 10""").fetchall()
    assert any(re.search(r"Göteborg|Malmö|Stockholm|Järva|Södertälje|Skärholmen|Norrmalm|Botkyrka", n) for (n,) in top)


def test_plans_measures_and_statuses(con):
    assert one(con, "SELECT count(DISTINCT organisation) FROM plan") >= 40
    assert one(con, "SELECT count(*) FROM plan WHERE organisation LIKE '%stadsdelsförvaltning'") > 0
    eav = one(con, "SELECT lpo_codes FROM plan WHERE organisation = 'Enskede-Årsta-Vantör stadsdelsförvaltning' LIMIT 1")
    assert len(eav) == 2
    assert {r[0] for r in con.execute("SELECT DISTINCT year FROM plan").fetchall()} == {2024, 2025, 2026}
    areas = {r[0] for r in con.execute("SELECT DISTINCT prioritised_area FROM measure").fetchall()}
    assert areas == set(PRIORITISED_AREAS) | {OWN_AREA}
    assert {r[0] for r in con.execute("SELECT DISTINCT status FROM measure").fetchall()} == set(MEASURE_STATUSES)
    line = con.execute("SELECT count(*), count(*) FILTER (WHERE lower(due) = 'i linjen') FROM measure "
                       "WHERE is_line_work").fetchone()
    assert line[0] > 0 and line[0] == line[1]
    # The analysis sheet's counts agree with the measures stored.
    assert one(con, """SELECT count(*) FROM plan_analysis a
                       LEFT JOIN (SELECT plan_id, prioritised_area, count(*) AS n FROM measure GROUP BY 1, 2) m
                       USING (plan_id, prioritised_area) WHERE a.measures IS DISTINCT FROM m.n""") == 0


def test_followup_rounds_move_statuses(con):
    rounds = con.execute("""SELECT p.year, min(n), max(n) FROM (
                               SELECT measure_id, count(*) AS n FROM measure_followup GROUP BY 1) f
                            JOIN measure m USING (measure_id) JOIN plan p USING (plan_id) GROUP BY 1""").fetchall()
    for year, low, high in rounds:
        if year < 2026:
            assert low >= 2 and high <= 3
    # measure.status is the latest *assessment* (see the test below), not the last round's.
    moves = con.execute("""
        SELECT count(*) FILTER (WHERE a.status <> b.status), count(*) FILTER (WHERE a.status = b.status)
        FROM measure_followup a JOIN measure_followup b
          ON a.measure_id = b.measure_id AND a.round = 'T1' AND b.round = 'T2'""").fetchone()
    assert moves[0] > 0.2 * sum(moves) and moves[1] > 0.2 * sum(moves)


def test_followup_texts_look_like_the_workbooks(con):
    for rnd, when, text, status in con.execute("SELECT round, followup_date, text, status FROM measure_followup").fetchall():
        if rnd == "VB":
            assert text.startswith("VB: ")
        else:
            assert text.startswith(when.strftime("%y%m%d") + ": ")
        assessed = re.search(r"bedöms (?:ur ett processperspektiv )?vara (uppnådd|delvis uppnådd|påbörjad|ej uppnådd)\.", text)
        assert (assessed.group(1) if assessed else "ej bedömd") == status


def test_no_personal_data_in_any_text(con):
    texts = con.execute("""SELECT text FROM measure_followup UNION ALL
                           SELECT concat_ws(' ', problem, cause, title, description, operational_goal, responsible)
                           FROM measure""").fetchall()
    assert not any(contains_personnummer(t) for (t,) in texts)


def test_docs_describe_the_demo():
    text = (ROOT / "docs" / "demo.md").read_text(encoding="utf-8")
    for needle in ("--size", "--seed", "--if-missing", "--db", "quick", "national", "kommun_population.csv",
                   "demo_trends", "approximate", "Zero counts are not stored"):
        assert needle in text, needle


def test_without_lpo_reference_signals_are_per_kommun():
    import duckdb

    from pipelines import build, geography

    full = geography.load_reference()
    ref = geography.Reference(polisregion=full.polisregion, lan=full.lan, kommun=full.kommun)
    scratch = duckdb.connect()
    warehouse.apply_schema(scratch)
    build.load_reference(scratch, ref=ref, with_geometry=False)
    demo.generate(scratch, 5_000, seed=3)
    assert one(scratch, "SELECT count(*) FROM incident WHERE lpo_code IS NOT NULL") == 0
    assert one(scratch, "SELECT count(*) FROM incident WHERE grid_cell IS NOT NULL") > 3_000
    codes = {r[0] for r in scratch.execute("SELECT DISTINCT area_code FROM recruitment_signal").fetchall()}
    assert codes and codes <= set(full.kommun["kommun_code"])
    assert one(scratch, "SELECT count(*) FROM plan WHERE len(lpo_codes) > 0") == 0


def test_measure_status_is_the_latest_assessment_like_the_importer(con):
    mismatched = con.execute("""
        WITH last_assessed AS (
            SELECT measure_id, arg_max(status, CASE round WHEN 'T1' THEN 1 WHEN 'T2' THEN 2 WHEN 'T3' THEN 3 ELSE 4 END)
                   FILTER (WHERE status <> 'ej bedömd') AS status
            FROM measure_followup GROUP BY measure_id)
        SELECT count(*) FROM measure m LEFT JOIN last_assessed l USING (measure_id)
        WHERE m.status <> coalesce(l.status, 'ej bedömd')""").fetchone()[0]
    assert mismatched == 0
