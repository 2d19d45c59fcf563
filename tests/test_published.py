"""The recruitment signals' layers the pipeline publishes for the publication periods
(pipelines/published.py): one per calendar year at month grain, the same as the pages
would compute, never a hidden value in them, and read by the page instead of computed,
whatever period a user chooses."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pandas as pd
import pytest
from helpers import open_page

from dashboard import signal_layers, suppression
from pipelines import marts, published, warehouse


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def _run(con):
    return lambda sql, params=None: con.execute(sql, params or {}).df()


def _keys(con) -> set[tuple]:
    return set(con.execute("SELECT DISTINCT chain, start_month, end_month, grain FROM mart_signal_layer").fetchall())


def _years(con) -> list[tuple[date, date]]:
    first, last = con.execute("SELECT min(month), max(month) FROM mart_signal").fetchone()
    return signal_layers.publication_spans(first, last, first, last)


def test_every_calendar_year_with_signals_is_published_at_month_grain_in_both_hierarchies(con):
    years = _years(con)
    # The demo's signals run 2019-2025 (data t.o.m. 2025-12-31): seven whole years.
    assert years == [(date(y, 1, 1), date(y, 12, 1)) for y in range(2019, 2026)]
    assert _keys(con) == {(chain, *span, "month") for span in years for chain in ("police", "admin")}
    assert published.current(con)


def test_the_launchers_warm_up_reads_only_published_years(demo_db, monkeypatch, con):
    from dashboard import __main__ as launcher
    from dashboard.queries import signals

    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    asked = []
    monkeypatch.setattr(signals, "warm", lambda start, end, **_: asked.append(signals._months_read(start, end)))
    launcher.warm_signals()
    first, last = con.execute("SELECT min(month), max(month) FROM mart_signal").fetchone()
    spans = {span for start, end in asked for span in signal_layers.publication_spans(start, end, first, last)}
    assert asked and spans <= {(s, e) for _, s, e, _ in _keys(con)}


@pytest.mark.parametrize("chain,start,end,grain", [
    ("police", date(2025, 1, 1), date(2025, 12, 1), "month"),
    ("police", date(2019, 1, 1), date(2019, 12, 1), "month"),
    ("admin", date(2025, 1, 1), date(2025, 12, 1), "month"),
])
def test_a_published_layer_is_the_layer_the_page_would_compute(con, chain, start, end, grain):
    stored = signal_layers.published_layers(_run(con), chain, start, end, grain)
    police = signal_layers.police_layers(_run(con), start, end, grain)
    computed = {d: police[d] if chain == "police" else signal_layers.admin_view(_run(con), police[d], start, end, grain)
                for d in signal_layers.DIMENSIONS}
    assert stored is not None and list(stored) == list(computed)
    # The national layer (area × month with the year's totals, no breakdown) too.
    stored[None] = signal_layers.published_layers(_run(con), chain, start, end, grain, (None,))[None]
    computed[None] = police[None] if chain == "police" else signal_layers.admin_view(_run(con), police[None], start,
                                                                                     end, grain)
    for d in (None, *signal_layers.DIMENSIONS):
        a, b = stored[d], computed[d]
        pd.testing.assert_frame_equal(a.cells, b.cells)
        assert (a.dims, a.groupings, a.threshold, a.primary, a.secondary, a.suppressed_share, a.notes) == \
               (b.dims, b.groupings, b.threshold, b.primary, b.secondary, b.suppressed_share, b.notes)
        assert a.suppressed > 0  # the demo has small counts everywhere: a real check


@pytest.mark.parametrize("chain", ["police", "admin"])
def test_the_pages_fast_reader_gives_the_same_layers(con, demo_db, monkeypatch, chain):
    # The pages read the published cells through Arrow (queries.run(frame="arrow"): a
    # month is a date object there, a hidden count a NaN); each layer must come out as
    # the DataFrame reading gives it, in the year still growing's months read at once too.
    from functools import partial

    from dashboard import queries

    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    fast = partial(queries.run, frame="arrow")
    spans = _years(con) + [(date(2025, m, 1), date(2025, m, 1)) for m in (1, 2)]
    for dimensions in ((None,), tuple(signal_layers.DIMENSIONS)):
        slow = signal_layers.published_spans(_run(con), chain, spans, "month", dimensions)
        quick = signal_layers.published_spans(_run(con), chain, spans, "month", dimensions, read_cells=fast)
        assert list(quick) == list(slow) and len(slow) == 7  # the seven years (no month of 2025 is published)
        for span, layers in slow.items():
            for d, layer in layers.items():
                got = quick[span][d]
                pd.testing.assert_frame_equal(got.cells, layer.cells)
                assert got.suppressed == layer.suppressed > 0


@pytest.mark.parametrize("chain,grain", [("police", "month"), ("admin", "month")])
def test_one_breakdown_computed_alone_is_the_one_published_with_all_four(con, chain, grain):
    # A page protects only the breakdown it shows where the pipeline did not publish a
    # year (a database of another version); the pipeline publishes all four at once.
    # Either way a breakdown's cells are the same.
    start, end = date(2025, 1, 1), date(2025, 12, 1)
    for d in signal_layers.DIMENSIONS:
        alone = signal_layers.breakdown_layers(_run(con), chain, start, end, grain, dimensions=(d,))[1]
        stored = signal_layers.published_layers(_run(con), chain, start, end, grain, (d,))
        assert list(alone) == list(stored) == [d]
        pd.testing.assert_frame_equal(alone[d].cells, stored[d].cells)
        assert (alone[d].primary, alone[d].secondary) == (stored[d].primary, stored[d].secondary)


def test_the_published_cells_hold_no_hidden_and_no_small_value(con):
    t = suppression.threshold()
    assert con.execute("SELECT count(*) FROM mart_signal_layer_cell WHERE count BETWEEN 1 AND ?",
                       [t - 1]).fetchone()[0] == 0
    hidden = con.execute("SELECT count(*) FROM mart_signal_layer_cell WHERE count IS NULL").fetchone()[0]
    reasons = con.execute("SELECT count(*) FROM mart_signal_layer_cell WHERE reason IS NOT NULL").fetchone()[0]
    assert hidden == reasons > 1000


def test_another_threshold_or_code_is_not_read(con, monkeypatch):
    run = _run(con)
    key = ("police", date(2025, 1, 1), date(2025, 12, 1), "month")
    assert signal_layers.published_layers(run, *key) is not None
    monkeypatch.setattr(suppression, "threshold", lambda: 6)
    assert signal_layers.published_layers(run, *key) is None
    assert not published.current(con)
    monkeypatch.undo()
    monkeypatch.setattr(signal_layers, "_code_digest", lambda: "another version")
    assert signal_layers.published_layers(run, *key) is None
    # Only the calendar years are published.
    assert signal_layers.published_layers(run, "police", date(2025, 2, 1), date(2025, 12, 1), "month") is None


def test_a_database_from_before_the_tables_still_works(demo_db, tmp_path):
    db = tmp_path / "old.duckdb"
    shutil.copyfile(demo_db, db)
    with duckdb.connect(str(db)) as c:
        c.execute("DROP TABLE mart_signal_layer")
        c.execute("DROP TABLE mart_signal_layer_cell")
    with warehouse.open_read_only(db) as c:
        assert signal_layers.published_layers(_run(c), "police", date(2025, 1, 1), date(2025, 12, 1), "month") is None
        assert not published.current(c)


def test_a_refresh_protects_only_what_is_missing_or_changed(demo_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, db)
    gone = ("police", date(2024, 1, 1), date(2024, 12, 1), "month")
    with warehouse.write_session(db) as c:
        assert published.refresh(c, signals_changed=False) == []  # as it was: nothing to do
        for table in ("mart_signal_layer", "mart_signal_layer_cell"):
            c.execute(f"DELETE FROM {table} WHERE chain = ? AND start_month = ? AND end_month = ? AND grain = ?",
                      list(gone))
        assert published.refresh(c, signals_changed=False) == [gone]
        assert published.current(c)
        # Signals loaded again as they were: nothing to protect again.
        assert published.refresh(c, signals_changed=True) == []
        # Signals changed in one year: that year's layers again, in both hierarchies.
        c.execute("""UPDATE recruitment_signal SET count = count + 1 WHERE rowid = (
                         SELECT min(rowid) FROM recruitment_signal WHERE month = DATE '2022-03-01')""")
        c.execute(open(marts.SQL_DIR / "mart_signal.sql", encoding="utf-8").read())
        changed = (date(2022, 1, 1), date(2022, 12, 1))
        assert sorted(published.refresh(c, signals_changed=True)) == [("admin", *changed, "month"),
                                                                      ("police", *changed, "month")]
        assert published.current(c)
        # Every layer again when asked (the benchmark's full publication), here of one year's
        # signals (seven years took 25 s): the other years' layers go, 2025's are kept, then
        # protected again.
        c.execute("DELETE FROM recruitment_signal WHERE month < DATE '2025-01-01'")
        marts.refresh(c, {"recruitment_signal": None})
        assert _keys(c) == {(chain, date(2025, 1, 1), date(2025, 12, 1), "month") for chain in ("police", "admin")}
        assert sorted(published.refresh(c, every=True)) == sorted(_keys(c))


def test_a_signal_load_republishes_and_the_same_file_twice_adds_nothing(demo_db, tmp_path, monkeypatch):
    from helpers import digest

    from pipelines.loading import ingest

    db = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, db)
    before = warehouse.open_read_only(db)
    try:
        old = before.execute("""SELECT count FROM mart_signal_layer_cell
                                WHERE chain = 'police' AND grain = 'month' AND start_month = '2025-01-01'
                                  AND dimension = 'sex' AND grouping = 'sex' AND category = 'K'""").fetchone()
    finally:
        before.close()
    path = tmp_path / "signaler.csv"
    path.write_text("month;area_code;age_band;sex;source;signal_type;count\n"
                    "2025-06;LPO-BORLANGE;15-17;K;skola;rekryteringsförsök;40\n", encoding="utf-8")
    protected = []
    police_layers = signal_layers.police_layers

    def spy(run_sql, start, end, *args, **kwargs):
        protected.append((start, end))
        return police_layers(run_sql, start, end, *args, **kwargs)

    monkeypatch.setattr(signal_layers, "police_layers", spy)
    [report] = ingest(db, [path])
    assert report.status == "ok", report.summary()
    # A delivery for June 2025 protects 2025 again, not the six years before it.
    assert protected == [(date(2025, 1, 1), date(2025, 12, 1))]
    with warehouse.open_read_only(db) as c:
        assert published.current(c)
        new = c.execute("""SELECT count FROM mart_signal_layer_cell
                           WHERE chain = 'police' AND grain = 'month' AND start_month = '2025-01-01'
                             AND dimension = 'sex' AND grouping = 'sex' AND category = 'K'""").fetchone()
        truth = c.execute("""SELECT sum(count) FROM mart_signal
                             WHERE sex = 'K' AND month BETWEEN '2025-01-01' AND '2025-12-01'""").fetchone()
    # The country's girls in 2025 as the signals now have them (a later load of the same
    # month, area and breakdown replaces the count).
    assert new[0] == truth[0] != old[0]
    after = digest(db)
    [again] = ingest(db, [path])
    assert again.status == "duplicate" and digest(db) == after


def test_the_page_reads_the_published_layers_for_any_period(demo_db, monkeypatch):
    # Every period is summed from the published calendar years: a period of the user's
    # own is protected nowhere, on the page or in the pipeline.
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        raise AssertionError("protected on the page")

    from dashboard.queries import signals

    monkeypatch.setattr(signal_layers, "breakdown_layers", counted)
    monkeypatch.setattr(suppression, "protect", counted)
    monkeypatch.setattr(suppression, "protect_hierarchy", counted)
    signals._base.clear()
    at = open_page(demo_db, "rekrytering", monkeypatch, {"niva": "Lokalpolisområde", "omrade": "Borlänge"})
    at.session_state["uppdelning"] = "sex"
    at.run()
    assert not at.exception and calls == []
    assert any("Flickor" in frame.shown.to_string() for frame in at.dataframe)  # the breakdown is shown
    at.session_state["period"] = "Välj månader"
    at.session_state["fran"] = date(2024, 5, 1)
    at.session_state["till"] = date(2025, 2, 1)
    at.run()
    assert not at.exception and calls == []
    assert any("Flickor" in frame.shown.to_string() for frame in at.dataframe)


def test_make_run_brings_layers_of_an_earlier_version_up_to_date(demo_db, tmp_path, capsys):
    from argparse import Namespace

    from pipelines.demo import main as demo_main

    db = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, db)
    with duckdb.connect(str(db)) as c:
        c.execute("UPDATE mart_signal_layer SET fingerprint = 'an earlier version' WHERE start_month = '2024-01-01'")
    with warehouse.open_read_only(db) as c:
        assert not published.current(c)
    # `make run` runs `demo --if-missing`: the database stays, the layers are protected again.
    assert demo_main(Namespace(db=str(db), if_missing=True, size="quick", seed=42)) == 0
    assert "skyddade lager från en äldre version skyddades på nytt" in capsys.readouterr().out
    with warehouse.open_read_only(db) as c:
        assert published.current(c)
        assert c.execute("SELECT count(DISTINCT fingerprint) FROM mart_signal_layer").fetchone()[0] == 1


def test_a_missing_administrative_layer_is_derived_from_the_kept_police_one(demo_db, tmp_path, monkeypatch):
    # Only the administrative view is gone: it is a view of the police layer, which the
    # database keeps, so nothing is protected again.
    db = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, db)
    gone = ("admin", date(2025, 1, 1), date(2025, 12, 1), "month")
    monkeypatch.setattr(signal_layers, "breakdown_layers",
                        lambda *a, **k: pytest.fail("the police layer was protected again"))
    with warehouse.write_session(db) as c:
        for table in ("mart_signal_layer", "mart_signal_layer_cell"):
            c.execute(f"DELETE FROM {table} WHERE chain = ? AND start_month = ? AND end_month = ? AND grain = ?",
                      list(gone))
        assert published.refresh(c, signals_changed=False) == [gone]
        assert published.current(c)
        stored = signal_layers.published_layers(_run(c), *gone)
    monkeypatch.undo()
    with warehouse.open_read_only(db) as c:
        computed = signal_layers.breakdown_layers(_run(c), *gone)[1]
    for d in signal_layers.DIMENSIONS:
        pd.testing.assert_frame_equal(stored[d].cells, computed[d].cells)
