"""Recruitment signals arrive later than incidents (social services and schools report
after the police): the months after the last signal are missing, not zero. Rekrytering,
Översikt and Karta show the period's months that have signals and say so."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from helpers import open_page
from helpers import swedish_number as number

from pipelines import marts, warehouse

# The whole module runs on one xdist worker, so that the demo with signals to August (about 8 s)
# is built once, not once on each worker (--dist loadgroup spreads ungrouped tests over both).
pytestmark = [pytest.mark.usefixtures("fast_apptest"), pytest.mark.xdist_group("test_signal_lag")]

# The demo's incidents and signals run to December 2025; here the signals stop in August.
LAST_SIGNAL = "2025-08-01"
PERIOD = {"period": "Välj månader", "fran": "mars 2025", "till": "december 2025"}


@pytest.fixture(scope="module")
def lagging_db(demo_db, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("lag") / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    with warehouse.write_session(db) as con:
        con.execute(f"DELETE FROM recruitment_signal WHERE month > DATE '{LAST_SIGNAL}'")
        marts.refresh(con)
    return db


def signals_between(db: Path, start: str, end: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT sum(count) FROM recruitment_signal WHERE month BETWEEN ? AND ?",
                           [start, end]).fetchone()[0]


def test_the_trend_ends_at_the_last_month_with_signals(lagging_db, monkeypatch):
    at = open_page(lagging_db, "rekrytering", monkeypatch, PERIOD)
    assert any("till och med augusti 2025" in i.value for i in at.info), [i.value for i in at.info]
    per_period = next(df.shown for df in at.dataframe if "Månad" in df.shown.columns)
    assert per_period["Månad"].tolist()[-1] == "augusti 2025"  # no months of zeros after it
    whole = next(df.shown for df in at.dataframe if "Andel" in df.shown.columns)
    assert number(whole["Antal"].iloc[0]) == signals_between(lagging_db, "2025-03-01", LAST_SIGNAL)


def test_the_overview_compares_the_same_months_a_year_earlier(lagging_db, monkeypatch):
    at = open_page(lagging_db, "oversikt", monkeypatch, PERIOD)
    metric = next(m for m in at.metric if m.label == "Rekryteringssignaler")
    now = signals_between(lagging_db, "2025-03-01", LAST_SIGNAL)
    before = signals_between(lagging_db, "2024-03-01", "2024-08-01")
    assert number(metric.value) == now
    assert number(metric.delta.split(" (")[0]) == now - before
    assert any("till och med augusti 2025" in c.value for c in at.caption)


def test_a_period_after_the_last_signal_shows_no_zeros(lagging_db, monkeypatch):
    params = {**PERIOD, "fran": "oktober 2025"}
    at = open_page(lagging_db, "rekrytering", monkeypatch, params)
    assert any("före den valda perioden" in i.value for i in at.info)
    assert not at.dataframe  # no table of zeros
    overview = open_page(lagging_db, "oversikt", monkeypatch, params)
    metric = next(m for m in overview.metric if m.label == "Rekryteringssignaler")
    assert metric.value == "–" and not metric.delta


def test_the_map_says_the_signals_end_early(lagging_db, monkeypatch):
    at = open_page(lagging_db, "karta", monkeypatch, {**PERIOD, "matt": "Rekryteringssignaler"})
    assert any("till och med augusti 2025" in i.value for i in at.info), [i.value for i in at.info]


def test_a_database_without_signals_says_so_instead_of_zeros(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    with warehouse.write_session(db) as con:
        con.execute("DELETE FROM recruitment_signal")
        marts.refresh(con)
    at = open_page(db, "rekrytering", monkeypatch, PERIOD)
    assert any("inga rekryteringssignaler" in i.value for i in at.info), [i.value for i in at.info]
    assert not at.dataframe
    overview = open_page(db, "oversikt", monkeypatch, PERIOD)
    metric = next(m for m in overview.metric if m.label == "Rekryteringssignaler")
    assert metric.value == "–" and not metric.delta
