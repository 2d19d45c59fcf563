"""When a measure's status was assessed: the follow-up entry that holds the latest
assessment (its date, or the VB summary), shown as "Bedömd" beside the status in
Åtgärder's register and "står still" table and in their exports.

The workbook is built here, as a coordinator fills it in; it is loaded as a user loads it
and checked in the warehouse, on the page and in the downloaded table.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from helpers import open_page, open_tab, rows

from dashboard import exports
from pipelines import marts
from pipelines.loading import ingest
from pipelines.readers import followup
from tests.test_atgardsplan import HEADER, OPTIONS, UNGA, _instructions

STOCKHOLMS_LAN_2025 = {"niva": "Län", "omrade": "Stockholms län", "period": "Välj månader",
                       "fran": "januari 2025", "till": "december 2025"}

# (Åtgärd, Uppföljning, Status column) -> the status and when it was assessed.
MEASURES = [
    ("Kvällsläxhjälp Hökarängen: tre kvällar i veckan",
     "250415: Start i mars.\n250828: 41 deltagare. Åtgärden bedöms vara delvis uppnådd.", None,
     "delvis uppnådd", "2025-08-28"),
    ("Fältgrupp Sköndal: kvällstid",
     "250415: Åtgärden bedöms vara påbörjad.\nVB: Fältgruppen har mött 300 unga. Åtgärden bedöms vara uppnådd.", None,
     "uppnådd", "VB 2025"),
    ("Linjearbete Farsta: ordinarie verksamhet", "Eventuella avvikelser lyfts i OLG.", None,
     "ej bedömd", None),
    # A date that is no date (30 February): the entry keeps its assessment, without a date;
    # before, its text and assessment were the 15 April entry's.
    ("Trygghetsvandring Farsta strand: med föreningar",
     "250415: Första vandringen.\n250230: Åtgärden bedöms vara påbörjad.", None,
     "påbörjad", "T1 2025"),
    # Written newest first: the latest by date stands.
    ("Nattvandring Fagersjö: helger",
     "251120: Åtgärden bedöms vara delvis uppnådd.\n250828: Åtgärden bedöms vara påbörjad.", None,
     "delvis uppnådd", "2025-11-20"),
    # "99" in a 2025 plan is 1999 (a slip), not 2099, which sorted after every entry and won.
    ("Föräldraträffar Larsboda: en gång i månaden",
     "990415: Åtgärden bedöms vara uppnådd.\n250828: Åtgärden bedöms vara påbörjad.", None,
     "påbörjad", "2025-08-28"),
    ("Samtalsgrupp Gubbängen: för unga i riskzon",
     "250415: Åtgärden bedöms vara påbörjad.\n250905: Åtgärden bedöms vara påbörjad.", None,
     "påbörjad", "2025-09-05"),
    # The Status column wins over the text, and no entry says when it was so judged.
    ("Mötesplats Tallkrogen: öppen fritid", "250828: Åtgärden bedöms vara påbörjad.", "Klar",
     "uppnådd", None),
]


def _workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    _instructions(wb)
    ws = wb.create_sheet("1. Unga i riskzon")
    ws["A1"] = UNGA
    for c, text in enumerate([*HEADER, "Status"], start=1):
        ws.cell(3, c, text)
    for r, (measure, note, status, *_) in enumerate(MEASURES, start=4):
        values = ["Unga rekryteras", f"Orsak {r}", measure, "Fler unga i skola", "2025", "Fritidsenheten", note, status]
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c, value)
    wb.save(path)
    return path


def _title(measure: str) -> str:
    return measure.split(":")[0]


@pytest.fixture
def loaded_plan(empty_db, tmp_path):
    [report] = ingest(empty_db, [_workbook(tmp_path / "plan.xlsx")], options=OPTIONS)
    assert report.status == "ok", report.lines
    return empty_db, report


def test_each_measure_is_shown_with_when_its_status_was_assessed(loaded_plan):
    db, _ = loaded_plan
    got = dict((t, (s, a)) for t, s, a in rows(db, "SELECT title, status, assessed FROM mart_measure"))
    assert got == {_title(m): (status, when) for m, _, _, status, when in MEASURES}
    # The date is a date and the round is kept beside it, for sorting and filtering.
    assert rows(db, "SELECT assessed_date, assessed_round FROM mart_measure WHERE title = 'Fältgrupp Sköndal'") == [
        (None, "VB")]
    assert rows(db, "SELECT assessed_date, assessed_round FROM mart_measure WHERE title = 'Nattvandring Fagersjö'") \
        == [(date(2025, 11, 20), "T3")]


def test_a_date_that_is_no_date_leaves_the_entry_undated_and_is_reported(loaded_plan):
    db, report = loaded_plan
    assert rows(db, """SELECT f.followup_date, f.round, f.text, f.status FROM measure_followup f
                       JOIN measure m USING (measure_id) WHERE m.title = 'Trygghetsvandring Farsta strand'
                       ORDER BY f.rowid""") == [
        (date(2025, 4, 15), "T1", "Första vandringen.", "ej bedömd"),
        (None, "T1", "Åtgärden bedöms vara påbörjad.", "påbörjad"),
    ]
    assert any("'250230' är inget datum" in line and "rad 7" in line for line in report.lines), report.lines
    # A two-digit year far from the plan's is read in the nearest century.
    assert rows(db, """SELECT f.followup_date FROM measure_followup f JOIN measure m USING (measure_id)
                       WHERE m.title = 'Föräldraträffar Larsboda' ORDER BY f.rowid""") == [
        (date(1999, 4, 15),), (date(2025, 8, 28),)]


@pytest.mark.parametrize(("text", "expected"), [
    # a day that is no day: the month still gives the round
    ("250230: Bedöms vara påbörjad.", [(None, "T1", "påbörjad", "250230")]),
    # a month that is no month: the round of the entry before it
    ("250828: Start.\n251340: Bedöms vara uppnådd.", [(date(2025, 8, 28), "T2", "ej bedömd", ""),
                                                      (None, "T2", "uppnådd", "251340")]),
    ("2025-02-30: Bedöms vara påbörjad.", [(None, "T1", "påbörjad", "2025-02-30")]),
    # at a line's start without a colon, as dates are
    ("250415 Start\n250231 Bedöms vara påbörjad", [(date(2025, 4, 15), "T1", "ej bedömd", ""),
                                                  (None, "T1", "påbörjad", "250231")]),
    # six digits that are not meant as a date stay text
    ("Kontakt 123456: ingen.", [(None, "VB", "ej bedömd", "")]),
    ("250000 kronor beviljades.", [(None, "VB", "ej bedömd", "")]),
    ("260115: Bedöms vara uppnådd.", [(date(2026, 1, 15), "T3", "uppnådd", "")]),
    ("28/8-99: Bedöms vara påbörjad.", [(date(1999, 8, 28), "T1", "påbörjad", "")]),
])
def test_follow_up_dates_in_the_plan_years_context(text, expected):
    assert [(e.followup_date, e.round, e.status, e.bad_date) for e in followup.parse(text, 2025)] == expected


def test_an_older_warehouse_gets_the_column_from_marts(loaded_plan, tmp_path):
    # A warehouse built by the version before: its mart_measure has no "assessed". The
    # dashboard refuses the outdated mart until `python -m pipelines marts` (or the next
    # load) rebuilds it from the follow-ups already stored; no workbook is read again.
    db, _ = loaded_plan
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE OR REPLACE TABLE mart_measure AS "
                    "SELECT * EXCLUDE (assessed_date, assessed_round, assessed) FROM mart_measure")
        con.execute("UPDATE built_mart SET sql_sha256 = 'before' WHERE mart = 'mart_measure'")
        assert "mart_measure" in marts.outdated(con)
        marts.refresh(con, changed={})
        assert marts.outdated(con) == []
        assert con.execute("SELECT assessed FROM mart_measure WHERE title = 'Kvällsläxhjälp Hökarängen'").fetchall() \
            == [("2025-08-28",)]


# --- the page -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def page_db(demo_db, tmp_path_factory):
    """The demo warehouse plus the workbook above, loaded for Farsta as a user loads it."""
    folder = tmp_path_factory.mktemp("assessed")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    [report] = ingest(db, [_workbook(folder / "plan.xlsx")], options=OPTIONS)
    assert report.status == "ok", report.lines
    return db


@pytest.fixture
def recorded(monkeypatch):
    found = {}
    monkeypatch.setattr(exports, "download_buttons", lambda key, **kwargs: found.__setitem__(key, kwargs))
    return found


def _register(at):
    return [d.shown for d in at.dataframe if d.key == "atgarder_register"][0]


def _csv(call) -> list[dict]:
    text = exports.to_csv(call["df"], call["columns"]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _xlsx(call) -> list[dict]:
    ws = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(call["df"], call["columns"], title=call["title"],
                                                           caption=call["caption"]))).active
    header = [c.value for c in ws[4]]
    return [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=5)]


def test_the_register_shows_and_filters_by_when_each_status_was_assessed(page_db, monkeypatch, recorded):
    at = open_page(page_db, "atgarder", monkeypatch, STOCKHOLMS_LAN_2025)
    open_tab(at, "atgarder_flik", "Register")
    at.text_input(key="atgarder_search").set_value("Nattvandring Fagersjö").run()
    shown = _register(at)
    assert shown.columns.tolist()[:4] == ["Åtgärd", "Status", "Bedömd", "Bedömd i"]
    assert shown[["Åtgärd", "Status", "Bedömd", "Bedömd i"]].values.tolist() == [
        ["Nattvandring Fagersjö", "delvis uppnådd", date(2025, 11, 20), "T3 2025"]]
    # The picked measure says it too.
    at.session_state["atgarder_register"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("status nu: delvis uppnådd (bedömd 2025-11-20)" in t.value for t in at.text)
    # Filtered by the round of assessment: the VB's measures of the plan, ours among them.
    at.text_input(key="atgarder_search").set_value("Sköndal").run()
    filter_ = at.multiselect(key="atgarder_assessed")
    assert "VB 2025" in filter_.options and "Utan tidpunkt" in filter_.options
    filter_.set_value(["VB 2025"]).run()
    # The VB entry has no date: "Bedömd" is empty ("–" on screen) and "Bedömd i" says when.
    assert _register(at)[["Åtgärd", "Bedömd", "Bedömd i"]].values.tolist() == [["Fältgrupp Sköndal", None, "VB 2025"]]
    filter_.set_value(["T3 2025"]).run()
    assert _register(at).empty
    # The export has the column and names the filter.
    call = recorded["atgarder_register_dl"]
    assert "bedömd i: T3 2025" in call["caption"]


def test_the_register_export_has_the_assessment_time(page_db, monkeypatch, recorded):
    at = open_page(page_db, "atgarder", monkeypatch, STOCKHOLMS_LAN_2025)
    open_tab(at, "atgarder_flik", "Register")
    at.text_input(key="atgarder_search").set_value("Farsta").run()
    call = recorded["atgarder_register_dl"]
    by_title = {r["Åtgärd"]: r for r in _csv(call)}
    # An undated entry: no date, its round and plan year under "Bedömd i".
    assert (by_title["Trygghetsvandring Farsta strand"]["Bedömd"],
            by_title["Trygghetsvandring Farsta strand"]["Bedömd i"]) == ("", "T1 2025")
    assert (by_title["Linjearbete Farsta"]["Bedömd"], by_title["Linjearbete Farsta"]["Bedömd i"]) == ("", "")
    in_xlsx = {r["Åtgärd"]: r for r in _xlsx(call)}
    assert in_xlsx["Trygghetsvandring Farsta strand"]["Bedömd i"] == "T1 2025"
    assert in_xlsx["Trygghetsvandring Farsta strand"]["Bedömd"] in (None, "")
    assert in_xlsx["Linjearbete Farsta"]["Bedömd"] in (None, "")
    # A dated one: ISO in the CSV, in Excel a date, which sorts by time.
    at.text_input(key="atgarder_search").set_value("Nattvandring Fagersjö").run()
    call = recorded["atgarder_register_dl"]
    [row] = _csv(call)
    assert (row["Bedömd"], row["Bedömd i"]) == ("2025-11-20", "T3 2025")
    [row] = _xlsx(call)
    assert (row["Bedömd"], row["Bedömd i"]) == (datetime(2025, 11, 20), "T3 2025")


def test_the_stuck_table_and_its_export_show_when_the_status_was_assessed(page_db, monkeypatch, recorded):
    at = open_page(page_db, "atgarder", monkeypatch, STOCKHOLMS_LAN_2025)
    open_tab(at, "atgarder_flik", "Står still")
    [stuck] = [d.shown for d in at.dataframe if "Sedan" in d.shown.columns]   # only selectable tables have keys
    assert stuck.columns.tolist()[4:7] == ["Status", "Bedömd", "Bedömd i"]
    mine = stuck[stuck["Åtgärd"] == "Samtalsgrupp Gubbängen"]
    assert mine[["Status", "Bedömd", "Bedömd i"]].values.tolist() == [["påbörjad", date(2025, 9, 5), "T2 2025"]]
    call = recorded["atgarder_stuck_dl"]
    exported = {r["Åtgärd"]: r for r in _csv(call)}
    assert (exported["Samtalsgrupp Gubbängen"]["Bedömd"], exported["Samtalsgrupp Gubbängen"]["Bedömd i"]) \
        == ("2025-09-05", "T2 2025")
    assert {r["Åtgärd"]: r["Bedömd"] for r in _xlsx(call)}["Samtalsgrupp Gubbängen"] == datetime(2025, 9, 5)


@pytest.mark.parametrize(("tab", "key_column"), [("Register", "Uppföljningar"), ("Står still", "Sedan")],
                         ids=["register", "star-still"])
def test_assessed_is_a_date_column_beside_the_round(page_db, monkeypatch, tab, key_column):
    at = open_page(page_db, "atgarder", monkeypatch, STOCKHOLMS_LAN_2025)
    open_tab(at, "atgarder_flik", tab)
    [element] = [d for d in at.dataframe if key_column in d.shown.columns]
    shown = element.shown
    # A date (or empty), never text: the grid sorts a date column by time, where as text
    # "VB 2025" and "T2 2025" sorted after every date (tests/test_browser_assessed.py clicks it).
    assert json.loads(element.proto.columns)["Bedömd"]["type_config"]["type"] == "date"
    timed = [(w, r) for w, r in zip(shown["Bedömd"], shown["Bedömd i"], strict=True) if r != "–"]
    dated = [(w, r) for w, r in timed if w is not None and not pd.isna(w)]
    assert dated and all(isinstance(w, date) for w, _ in dated)
    # An undated or unassessed row shows "–" there, as any missing value does.
    assert element.proto.placeholder == "–"
    # Every date lies in the round named beside it, as the filter's help says ("T2": May–September).
    tertial = {"T1": (1, 4), "T2": (5, 9), "T3": (10, 12)}
    for when, round_ in dated:
        name, year = round_.split(" ")
        assert name in tertial and when.year == int(year) and tertial[name][0] <= when.month <= tertial[name][1], \
            (when, round_)
    # The undated assessments have their round alone: the VB summary, and the workbook's undated T1.
    undated = {r for w, r in timed if w is None or pd.isna(w)}
    assert {"VB 2025", "T1 2025"} <= undated if tab == "Register" else undated <= {"VB 2025", "T1 2025", "T2 2025",
                                                                                    "T3 2025"}
