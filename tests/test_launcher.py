"""``python -m dashboard``: the launcher's port parsing and its warm-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import __main__ as launcher

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("argv", "port"), [
    ([], 8501),
    (["--server.port", "9000"], 9000),
    (["--server.headless", "true", "--server.port=8123"], 8123),
])
def test_port_follows_the_command_line(argv, port):
    assert launcher._port(argv) == port


def test_warm_up_fills_the_caches_the_first_page_reads(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    import streamlit as st

    from dashboard import queries
    from dashboard.queries import geo, incidents

    st.cache_data.clear()
    launcher.warm()
    # Warmed functions answer from their caches: a query now would fail the test.
    monkeypatch.setattr(queries, "connection", lambda *a, **k: pytest.fail("warm cache ran a query"))
    assert queries.data_status()["loads"] >= 0
    assert incidents.month_range()[0] <= incidents.month_range()[1]
    assert geo.levels_available()


def test_warm_up_without_a_database_leaves_the_error_to_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(tmp_path / "saknas.duckdb"))
    launcher.warm()  # no exception: the first visit shows the Swedish message instead


def test_served_command_runs_the_launcher():
    cmd = launcher.command(8600)
    assert cmd[1:3] == ["-m", "dashboard"] and "8600" in cmd


def test_the_light_warm_up_step_leaves_pandas_and_the_figures_unimported(demo_db):
    # The first step runs while a browser loads Streamlit's JavaScript; the heavy imports
    # wait for the first page (dashboard/__main__.py). Checked in a fresh interpreter
    # (plotly is not in the list: Streamlit itself imports it).
    code = ("import sys; from dashboard.__main__ import warm_first; warm_first(); "
            "print(sorted(m for m in ('pandas', 'pydeck', 'scipy', 'dashboard.charts') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "LAGESBILD_DB": str(demo_db)},
                         capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"


def test_the_app_tells_the_warm_up_when_its_first_page_has_run(demo_db, monkeypatch, fast_apptest):
    from streamlit.testing.v1 import AppTest

    from dashboard import startup

    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    startup.run_started.clear()
    startup.run_finished.clear()
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert startup.run_started.is_set() and startup.run_finished.is_set()


def _quick_months(choice: str):
    """The months with signals the sidebar's quick period ``choice`` reads."""
    from dashboard import filters
    from dashboard.queries import incidents, signals

    first, last = incidents.month_range()
    complete = incidents.last_complete()
    end = complete if complete is not None and first <= complete < last else last
    return signals._months_read(*filters.preset_range(choice, first, end))


def _nothing_left_to_do(monkeypatch, why: str = "the layers were not warmed") -> None:
    """From here on, a read of the database or a layer summed fails the test."""
    from dashboard import queries
    from dashboard.queries import signals

    monkeypatch.setattr(queries, "connection", lambda *a, **k: pytest.fail(why))
    monkeypatch.setattr(signals, "period_layer", lambda *a, **k: pytest.fail("the layer was not summed"))


def test_the_signal_warm_up_covers_every_period_choice(demo_db, monkeypatch):
    # Choosing a breakdown on Rekryteringssignaler for any of the sidebar's period choices
    # finds the country-wide layers ready (seconds of work otherwise).
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    import streamlit as st

    from dashboard import filters, queries, signal_layers
    from dashboard.queries import signals

    st.cache_data.clear()
    launcher.warm_signals()
    choices = [c for c in filters.PERIODS if c != filters.CUSTOM]
    months_of = {choice: _quick_months(choice) for choice in choices}
    key = queries.db_key()
    monkeypatch.setattr(queries, "connection", lambda *a, **k: pytest.fail("the layers were not warmed"))
    assert len(choices) == 3
    first_signal, last_signal = signals._month_span(key)
    for choice in choices:
        months = months_of[choice]
        # Every period is summed from the calendar years' layers: those it touches are read.
        for lo, hi in signal_layers.publication_spans(*months, first_signal, last_signal):
            for chain in signals.CHAINS:
                for dimension in (None, *signal_layers.DIMENSIONS):
                    assert signals._base(key, chain, lo, hi, dimension), (choice, chain, dimension)
        for grain in signal_layers.GRAINS:
            for dimension in (None, *signal_layers.DIMENSIONS):
                assert signals._layer(key, "police", *months, grain, dimension)


def test_the_warm_up_sums_the_default_periods_layers_for_every_breakdown(demo_db, monkeypatch):
    # Switching the breakdown on Rekryteringssignaler in the period the page opens with
    # finds the country-wide layers summed, in both hierarchies.
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    import streamlit as st

    from dashboard import filters, queries, signal_layers
    from dashboard.queries import signals

    st.cache_data.clear()
    launcher.warm_signals()
    months = _quick_months(filters.PERIODS[0])
    key = queries.db_key()
    _nothing_left_to_do(monkeypatch)
    for chain in signals.CHAINS:
        for dimension in (None, *signal_layers.DIMENSIONS):
            assert signals._layer(key, chain, *months, "month", dimension)
        # Without a breakdown also per quarter and year (an area whose months mostly hide is
        # shown in them), and for the whole years the page may offer instead.
        for grain in ("quarter", "year"):
            assert signals._layer(key, chain, *months, grain, None)
    # A default period across the turn of a year (here it is a whole year): the years the
    # page may offer instead are summed too.
    from datetime import date

    monkeypatch.undo()
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    signals.warm(date(2024, 6, 1), date(2025, 5, 1), layers=True)
    years = signals._year_choices(date(2024, 6, 1), date(2025, 5, 1))
    assert years
    _nothing_left_to_do(monkeypatch)
    for chain in signals.CHAINS:
        for lo, hi in years:
            assert signals._layer(key, chain, lo, hi, "month", None)


def test_the_warm_up_sums_every_areas_totals_for_the_overviews_headline(demo_db, monkeypatch):
    # Översikt's signal card for an area of any level (either hierarchy: LPO or kommun),
    # the period and the same months a year earlier, needs no layer summed once warmed.
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    import streamlit as st

    from dashboard import filters, queries
    from dashboard.queries import signals

    st.cache_data.clear()
    queries.forget()
    launcher.warm_signals()
    months = _quick_months(filters.PERIODS[0])
    key = queries.db_key()
    earlier = tuple(signals.year_earlier(m) for m in months)
    assert signals.months_within(*earlier, *signals._month_span(key)) is not None  # the demo reaches back
    _nothing_left_to_do(monkeypatch)
    for chain in signals.CHAINS:
        for lo, hi in (months, earlier):
            assert signals._totals(key, chain, lo, hi)


def test_a_database_published_while_the_server_runs_is_warmed_for_too(demo_db, tmp_path, monkeypatch):
    # A load while the server runs gives every cache a new key: the warm-up thread sees the
    # new version and warms again, so the first visitor after the load does not wait for
    # the signal layers either.
    import shutil

    import streamlit as st

    from dashboard import filters, queries, signal_layers
    from dashboard.queries import signals
    from pipelines import warehouse

    db = tmp_path / "served.duckdb"
    shutil.copyfile(demo_db, db)
    monkeypatch.setenv("LAGESBILD_DB", str(db))
    st.cache_data.clear()
    warmed = launcher.published_version()
    with monkeypatch.context() as m:  # nothing new: nothing warmed
        m.setattr(launcher, "warm_signals", lambda: pytest.fail("warmed again without a new version"))
        assert launcher.rewarm_if_new(warmed) == warmed
    with warehouse.write_session(db) as con:  # a load publishes a new version
        con.execute("SELECT 1")
    assert launcher.published_version() != warmed
    assert launcher.rewarm_if_new(warmed) == launcher.published_version()
    months = _quick_months(filters.PERIODS[0])
    key = queries.db_key()
    _nothing_left_to_do(monkeypatch, "the new version was not warmed")
    for chain in signals.CHAINS:
        for dimension in (None, *signal_layers.DIMENSIONS):
            assert signals._layer(key, chain, *months, "month", dimension)
