"""Marts after a load: refreshing only what the load touched gives the same tables as a
full rebuild, and marts whose tables did not change are left alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from pipelines import marts
from pipelines.loading import ingest

HEADER = "incident_id;occurred_at;incident_type;kommun_code;lpo_code;grid_cell;source\n"
INCIDENT_MARTS = ("mart_incident_month", "mart_incident_grid", "mart_incident_unplaced", "mart_incident_source",
                  "mart_status")


def _csv(path: Path, rows: list[tuple]) -> Path:
    path.write_text(HEADER + "".join(";".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _rows(prefix: str, months: list[str], n: int = 6) -> list[tuple]:
    out = []
    places = [("1280", "", "6160006170000"), ("0180", "", ""), ("0580", "", "5370006475000"), ("2480", "", "")]
    types = ["stöld", "skottlossning", "våldsbrott"]
    for m in months:
        for i in range(n):
            kommun, lpo, cell = places[i % len(places)]
            out.append((f"{prefix}:{m}:{i}", f"{m}-{1 + i:02d} 12:00:00", types[i % 3], kommun, lpo, cell, "test"))
    return out


def _table(db: Path, name: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
    finally:
        con.close()


def _month_refreshes(monkeypatch) -> list[str]:
    """Always refresh by month (tiny files touch most of their table) and record it."""
    calls: list[str] = []
    original = marts._refresh_months
    monkeypatch.setattr(marts, "INCREMENTAL_MAX_SHARE", 1.0)
    monkeypatch.setattr(marts, "_refresh_months", lambda con, name, *a: (calls.append(name), original(con, name, *a)))
    return calls


def _full_rebuild(db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    marts.refresh(con)
    con.close()
    return copy


def test_a_new_month_refreshes_to_the_same_marts_as_a_rebuild(empty_db, tmp_path, monkeypatch):
    calls = _month_refreshes(monkeypatch)
    ingest(empty_db, [_csv(tmp_path / "jan-mar.csv", _rows("a", ["2024-01", "2024-02", "2024-03"]))])
    assert calls == []  # the first load builds the marts
    ingest(empty_db, [_csv(tmp_path / "mar-apr.csv", _rows("b", ["2024-03", "2024-04"], n=5))])
    assert sorted(calls) == ["mart_incident_grid", "mart_incident_month", "mart_incident_unplaced"]
    rebuilt = _full_rebuild(empty_db, tmp_path)
    for name in INCIDENT_MARTS:
        assert _table(empty_db, name) == _table(rebuilt, name), name
    months = {r[2]: r[4] for r in _table(empty_db, "mart_incident_month") if r[0] == "riket" and r[3] == "stöld"}
    assert sum(months.values()) == 2 * 3 + 2 * 2  # two stöld rows per month in file a, two in file b


def test_a_corrected_file_refreshes_the_months_it_no_longer_has(empty_db, tmp_path, monkeypatch):
    ingest(empty_db, [_csv(tmp_path / "older.csv", _rows("o", ["2024-04"]))])
    f = _csv(tmp_path / "events.csv", _rows("c", ["2024-05", "2024-06"]))
    calls = _month_refreshes(monkeypatch)
    ingest(empty_db, [f])
    _csv(f, _rows("c", ["2024-06"]))  # the corrected file drops May
    ingest(empty_db, [f])
    assert "mart_incident_month" in calls
    rebuilt = _full_rebuild(empty_db, tmp_path)
    for name in INCIDENT_MARTS:
        assert _table(empty_db, name) == _table(rebuilt, name), name
    assert not [r for r in _table(empty_db, "mart_incident_month") if str(r[2]).startswith("2024-05")]


def test_an_incident_load_leaves_the_other_marts_alone(empty_db, tmp_path):
    ingest(empty_db, [_csv(tmp_path / "one.csv", _rows("d", ["2024-01"]))])
    con = duckdb.connect(str(empty_db))
    try:
        built = marts.refresh(con, {"incident": {__import__("datetime").date(2024, 1, 1)}})
    finally:
        con.close()
    assert "mart_incident_month" in built and "mart_incident_source" in built
    assert not [b for b in built if b.startswith(("mart_measure", "mart_signal", "mart_population"))]


def test_dependencies_are_the_names_after_from_and_join():
    sql = """-- reads FROM nothing in this comment
    CREATE OR REPLACE TABLE mart_x AS WITH a AS (SELECT * FROM incident JOIN area ON true)
    SELECT * FROM a LEFT JOIN mart_area_link AS l USING (x)"""
    assert marts.dependencies(sql) == {"incident", "area", "a", "mart_area_link"}


def test_an_incident_repeated_in_a_file_or_already_stored_counts_once(empty_db, tmp_path):
    first = ingest(empty_db, [_csv(tmp_path / "a.csv", _rows("e", ["2024-02"], n=4))])[0]
    rows = _rows("e", ["2024-02"], n=4)[:2] + _rows("f", ["2024-02"], n=3) + _rows("f", ["2024-02"], n=1)
    second = ingest(empty_db, [_csv(tmp_path / "b.csv", rows)])[0]
    assert (first.rows_accepted, second.rows_accepted) == (4, 3)  # 2 stored before, 1 repeated in b
    assert "3 rader fanns redan" in second.summary()
    riket = [r for r in _table(empty_db, "mart_incident_month") if r[0] == "riket"]
    assert sum(r[4] for r in riket) == 7


def test_a_full_build_in_chunks_equals_one_statement_and_is_in_month_order(empty_db, tmp_path, monkeypatch):
    monkeypatch.setattr(marts, "CHUNK_ROWS", 10)  # several chunks even for a small file
    # Three years (more than one chunk) and the three grid spellings of one cell
    # (13 digits, 7 digits N-first, "1kmN…E…"), which must count as the same cell.
    rows = _rows("y", ["2022-11", "2023-06", "2024-01", "2024-12"])
    rows += [("s:1", "2023-06-02 10:00:00", "stöld", "1280", "", "6160006170000", "test"),
             ("s:2", "2023-06-03 10:00:00", "stöld", "1280", "", "6170616", "test"),
             ("s:3", "2023-06-04 10:00:00", "stöld", "1280", "", "1kmN6170E616", "test")]
    ingest(empty_db, [_csv(tmp_path / "years.csv", rows)])
    con = duckdb.connect(str(empty_db))
    try:
        sql = (marts.SQL_DIR / "mart_incident_grid.sql").read_text(encoding="utf-8")
        con.execute(marts._HEADER.sub("CREATE OR REPLACE TEMP TABLE one_statement AS", sql, count=1))
        chunked = con.execute("SELECT * FROM main.mart_incident_grid").fetchall()
        whole = con.execute("SELECT * FROM one_statement").fetchall()
        cell = con.execute("""SELECT sum(incidents) FROM main.mart_incident_grid WHERE month = DATE '2023-06-01'
                              AND incident_type = 'stöld' AND cell = 6160006170000""").fetchone()[0]
    finally:
        con.close()
    assert sorted(chunked, key=repr) == sorted(whole, key=repr)
    months = [r[0] for r in chunked]
    assert months == sorted(months)
    # _rows puts one stöld per month in cell 6160006170000 (i = 0), plus the three spellings
    assert cell == 1 + 3


def _age_grid_mart(db: Path) -> None:
    """Make the grid mart what an earlier version built: grid_cell as text, from other SQL."""
    con = duckdb.connect(str(db))
    try:
        con.execute("""CREATE OR REPLACE TABLE mart_incident_grid AS
                       SELECT * EXCLUDE (cell), lpad(cell::VARCHAR, 13, '0') AS grid_cell
                       FROM mart_incident_grid""")
        con.execute("UPDATE built_mart SET sql_sha256 = sha256('its earlier SQL') WHERE mart = 'mart_incident_grid'")
    finally:
        con.close()


def test_a_mart_built_by_an_earlier_version_is_rebuilt_by_the_next_load_and_by_the_command(empty_db, tmp_path):
    from pipelines.__main__ import main

    ingest(empty_db, [_csv(tmp_path / "a.csv", _rows("a", ["2024-01", "2024-02"]))])
    fresh = _table(empty_db, "mart_incident_grid")
    _age_grid_mart(empty_db)
    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        assert marts.outdated(con) == ["mart_incident_grid"]
    finally:
        con.close()
    # One month more: refreshing that month alone would insert rows the old table cannot hold.
    (report,) = ingest(empty_db, [_csv(tmp_path / "b.csv", _rows("b", ["2024-03"]))])
    assert report.status == "ok"
    assert len(_table(empty_db, "mart_incident_grid")) > len(fresh)
    _age_grid_mart(empty_db)
    assert main(["marts", "--db", str(empty_db)]) == 0
    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        assert marts.outdated(con) == []
    finally:
        con.close()


def test_the_dashboard_names_the_command_for_a_mart_from_an_earlier_version(empty_db, tmp_path, monkeypatch):
    import pytest
    import streamlit as st

    from dashboard import queries

    ingest(empty_db, [_csv(tmp_path / "a.csv", _rows("a", ["2024-01"]))])
    _age_grid_mart(empty_db)
    monkeypatch.setenv("LAGESBILD_DB", str(empty_db))
    st.cache_data.clear()
    with pytest.raises(queries.DatabaseUnavailable, match="python -m pipelines marts"):
        queries.data_status()


def _unavailable_page(db: Path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from pipelines.config import ROOT

    monkeypatch.setenv("LAGESBILD_DB", str(db))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    return at


def test_the_page_gives_the_marts_command_not_a_demo_build_for_an_outdated_database(
        empty_db, tmp_path, monkeypatch, fast_apptest):
    ingest(empty_db, [_csv(tmp_path / "a.csv", _rows("a", ["2024-01"]))])
    _age_grid_mart(empty_db)
    at = _unavailable_page(empty_db, monkeypatch)
    assert "äldre version" in at.error[0].value
    assert [c.value for c in at.code] == ["python -m pipelines marts"]
    assert "demodata" not in " ".join(m.value for m in at.markdown)


def test_the_page_offers_a_demo_build_when_there_is_no_database(tmp_path, monkeypatch, fast_apptest):
    at = _unavailable_page(tmp_path / "saknas.duckdb", monkeypatch)
    assert "finns inte" in at.error[0].value
    assert [c.value for c in at.code] == ["python -m pipelines demo --size quick"]


def test_a_database_from_before_the_record_has_every_mart_outdated_until_make_run_mends_it(empty_db, tmp_path, capsys):
    from argparse import Namespace

    from pipelines.demo import main as demo_main

    ingest(empty_db, [_csv(tmp_path / "a.csv", _rows("a", ["2024-01"]))])
    con = duckdb.connect(str(empty_db))
    try:
        con.execute("DROP TABLE built_mart")  # as a database built before the digests were recorded
    finally:
        con.close()
    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        assert marts.outdated(con) == sorted(marts.digests())
    finally:
        con.close()
    # `make run` runs `demo --if-missing`: the database stays, its marts are rebuilt
    assert demo_main(Namespace(db=str(empty_db), if_missing=True, size="quick", seed=42)) == 0
    assert f"{len(marts.digests())} sammanställningstabeller" in capsys.readouterr().out
    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        assert marts.outdated(con) == []
        assert con.execute("SELECT count(*) FROM incident").fetchone()[0] == 6
    finally:
        con.close()


def test_a_database_from_before_a_new_mart_gets_it_from_make_run(empty_db, tmp_path, capsys):
    from argparse import Namespace

    from pipelines.demo import main as demo_main

    ingest(empty_db, [_csv(tmp_path / "a.csv", _rows("a", ["2024-01"]))])
    con = duckdb.connect(str(empty_db))
    try:
        con.execute("DROP TABLE mart_status")  # as a database built before mart_status existed
        assert marts.missing(con) == ["mart_status"] and marts.outdated(con) == []
    finally:
        con.close()
    assert demo_main(Namespace(db=str(empty_db), if_missing=True, size="quick", seed=42)) == 0
    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        assert marts.missing(con) == []
        assert con.execute("SELECT incident_first_month FROM mart_status").fetchone()[0].isoformat() == "2024-01-01"
    finally:
        con.close()


def test_a_changed_mart_sql_makes_that_mart_outdated(empty_db, tmp_path, monkeypatch):
    ingest(empty_db, [_csv(tmp_path / "a.csv", _rows("a", ["2024-01"]))])
    changed = dict(marts.digests(), mart_incident_source="the digest of a newer SQL file")
    monkeypatch.setattr(marts, "digests", lambda: changed)
    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        assert marts.outdated(con) == ["mart_incident_source"]
    finally:
        con.close()
