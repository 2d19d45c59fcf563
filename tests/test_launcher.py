"""``python -m dashboard``: the launcher's port parsing and its warm-up."""

from __future__ import annotations

import pytest

from dashboard import __main__ as launcher


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
