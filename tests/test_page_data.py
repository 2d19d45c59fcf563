"""Data: sources, load history, rejected rows per load and the definitions."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipelines.loading import ingest

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "data.py")
CSV = """incident_id;occurred_at;incident_type;kommun_code;lpo_code;grid_cell;source
t-1;2025-11-01 21:14:05;skottlossning;0180;LPO-FARSTA;;testlogg
t-2;2025-11-02 02:10;explosion;9999;;;testlogg
t-3;igår;explosion;1280;;;testlogg
"""


@pytest.fixture(scope="module")
def loaded_db(demo_db, tmp_path_factory) -> Path:
    """The demo warehouse plus one user file with two rejected rows."""
    db = tmp_path_factory.mktemp("data_page") / "lagesbild.duckdb"
    shutil.copyfile(demo_db, db)
    path = db.parent / "handelser.csv"
    path.write_text(CSV, encoding="utf-8")
    reports = ingest(db, [path])
    assert reports[0].status == "ok" and reports[0].rows_rejected == 2
    return db


@pytest.fixture
def page(loaded_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(loaded_db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


COLUMNS = {  # each table on the page, told apart by its headers
    "data_sources": ["Data", "Källa", "Rader", "Från", "Till"],
    "data_loads": ["Inläsning", "Fil", "Format", "Inläst", "Inlästa rader", "Avvisade rader", "Status",
                   "Meddelande"],
    "data_rejected_summary": ["Inläsning", "Fil", "Orsak", "Rader"],
    "data_rejected": ["Rad", "Kolumn", "Orsak"],
    "data_definitions": ["Indikator", "Definition", "Källa", "Enhet"],
    "data_tables": ["Tabell", "Innehåll", "Rader (ca)", "Kolumner"],
    "data_columns": ["Kolumn", "Typ"],
}


def frame(at: AppTest, name: str):
    return next(d.shown for d in at.dataframe if list(d.shown.columns) == COLUMNS[name])


def test_sources_count_the_rows_of_each_kind_of_data(page, loaded_db):
    con = duckdb.connect(str(loaded_db), read_only=True)
    incidents = dict(con.execute("SELECT source, count(*) FROM incident GROUP BY 1").fetchall())
    plans = con.execute("SELECT count(*) FROM plan").fetchone()[0]
    con.close()
    sources = frame(page, "data_sources")
    rows = {(r.Data, r.Källa): int(r.Rader.replace("\xa0", "")) for r in sources.itertuples(index=False)}
    for source, n in incidents.items():
        assert rows[("Händelser", source)] == n
    assert next(v for (d, _), v in rows.items() if d == "Åtgärdsplaner") == plans


def test_load_history_lists_every_load_newest_first(page, loaded_db):
    con = duckdb.connect(str(loaded_db), read_only=True)
    expected = con.execute("SELECT load_id, source_file, rows_accepted, rows_rejected FROM load_log "
                           "ORDER BY load_id DESC").fetchall()
    con.close()
    loads = frame(page, "data_loads")
    assert len(loads) == len(expected)
    first = loads.iloc[0]
    assert (int(first["Inläsning"]), first["Fil"]) == (expected[0][0], "handelser.csv")
    assert (int(first["Inlästa rader"]), int(first["Avvisade rader"])) == (1, 2)


def test_rejected_rows_show_row_column_and_reason(page, loaded_db):
    con = duckdb.connect(str(loaded_db), read_only=True)
    expected = con.execute("""SELECT row_number, "column", reason FROM rejected_row
                              WHERE load_id = (SELECT max(load_id) FROM load_log) ORDER BY row_number""").fetchall()
    con.close()
    rows = frame(page, "data_rejected")
    assert [(int(r.Rad), r.Kolumn, r.Orsak) for r in rows.itertuples(index=False)] == \
        [(int(a), b, c) for a, b, c in expected]
    summary = frame(page, "data_rejected_summary")
    assert int(summary["Rader"].astype(int).sum()) == len(expected)


def test_definitions_cover_every_indicator_the_pages_show(page):
    names = set(frame(page, "data_definitions")["Indikator"])
    for indicator in ("Skjutningar", "Explosioner", "Våld", "Händelser per 100 000 invånare",
                      "Händelser per 1 000 unga 12–17 år", "Förändring mot ett år tidigare",
                      "Rekryteringssignaler", "Andel åtgärder uppnådda", "Ej fördelade händelser",
                      "Röjandeskydd (..)", "1 km-ruta"):
        assert indicator in names


def test_tables_are_documented(page):
    tables = frame(page, "data_tables")
    listed = set(tables["Tabell"])
    assert {"incident", "load_log", "rejected_row", "mart_incident_month", "mart_population"} <= listed
    described = dict(zip(tables["Tabell"], tables["Innehåll"], strict=True))
    assert not [name for name, text in described.items() if not text], "tabeller utan beskrivning"
    columns = frame(page, "data_columns")
    assert len(columns) > 0


def test_data_note_says_demo_and_data_tom(page):
    text = " ".join(c.value for c in page.caption)
    assert "Demodata – syntetiska siffror" in text
    assert "Data t.o.m.: händelser 2025-12-31" in text


def test_rejected_rows_export_is_dated_by_its_load(loaded_db, monkeypatch, recorded):
    """The export of a load's rejected rows said "Data t.o.m." with the incidents' last day;
    it names when that load was made, as the load history shows it."""
    monkeypatch.setenv("LAGESBILD_DB", str(loaded_db))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    con = duckdb.connect(str(loaded_db), read_only=True)
    [(load_id, loaded_at)] = con.execute("SELECT load_id, loaded_at FROM load_log "
                                         "WHERE load_id = (SELECT max(load_id) FROM load_log)").fetchall()
    con.close()
    caption = recorded["data_rejected_dl"]["caption"]
    assert caption.startswith(f"De avvisade raderna i inläsning {load_id} ")
    assert f"Inläst {loaded_at:%Y-%m-%d %H:%M}." in caption and "Data t.o.m." not in caption, caption
