"""The benchmark harness on tiny data: children report their answer and peak memory, the
CSV export round-trips through the pipeline, load steps are timed and restored, and the
results table says PASS or FAIL against each target. No timing is asserted here: the
targets live in bench/results.md."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from bench import data, peer, report, timing
from bench.pages import percentile
from bench.proc import run_child
from pipelines import loading
from pipelines.loading import ingest

HEADER = "incident_id;occurred_at;incident_type;kommun_code;lpo_code;grid_cell;source\n"


def _incidents(path: Path) -> Path:
    rows = []
    for month in ("2024-01", "2024-02", "2024-03"):
        for i in range(4):
            rows.append(f"t:{month}:{i};{month}-{10 + i} 08:30:00;stöld;{('1280', '0580')[i % 2]};;;test\n")
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_percentile_is_the_nearest_rank():
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 50) == 10
    assert percentile(values, 95) == 19
    assert percentile([3.0], 95) == 3


def test_a_child_answers_with_its_result_and_peak_rss(tmp_path):
    csv = _incidents(tmp_path / "inc.csv")
    result = run_child("bench.load", "bare", str(csv), str(tmp_path / "bare.duckdb"))
    assert result.data["rows"] == 12
    assert result.peak_rss > 10 * 2**20  # a Python process with DuckDB loaded


def test_export_splits_off_the_last_month_and_reloads(empty_db, tmp_path):
    ingest(empty_db, [_incidents(tmp_path / "inc.csv")])
    counts = data.export_csv(empty_db, tmp_path / "full.csv", tmp_path / "month.csv")
    assert (counts["full_rows"], counts["month_rows"], counts["month"]) == (8, 4, "2024-03-01")
    again = tmp_path / "again.duckdb"
    again.write_bytes(empty_db.read_bytes())
    con = duckdb.connect(str(again))
    con.execute("DELETE FROM incident")
    con.execute("DELETE FROM load_log")
    con.close()
    reports = ingest(again, [tmp_path / "full.csv", tmp_path / "month.csv"])
    assert [r.rows_accepted for r in reports] == [8, 4]


def test_load_steps_are_timed_and_the_pipeline_restored(empty_db, tmp_path):
    original = loading._insert
    with timing.phases() as spent:
        ingest(empty_db, [_incidents(tmp_path / "inc.csv")])
    assert {"read+check", "insert", "marts", "total"} <= set(spent)
    assert spent["total"] >= spent["marts"] > 0
    assert loading._insert is original


def test_peer_ratio_is_peer_time_over_ours():
    ours = {"seconds": {"byt område": [0.01, 0.02, 0.03]}}
    theirs = {"seconds": {"byt område": [0.4, 0.5, 0.6]}}
    assert peer.compare(ours, theirs)["byt område"]["ratio"] == 25


def test_results_table_marks_each_target(tmp_path):
    figures = {
        "mode": "quick", "size": 1000, "seconds": 1.0, "load_before": os.getloadavg(),
        "load_after": os.getloadavg(), "data": {"month": "2024-03-01"},
        "machine": {"nproc": 2, "cpu": "x", "ram_gib": 1, "python": "3", "duckdb": "2", "streamlit": "1",
                    "pandas": "3", "date": "2026-01-01"},
        "load": {"rows": 10, "month_rows": 2, "bare_seconds": 1.0, "bare_peak_rss": 2**20, "pipeline_seconds": 1.2,
                 "pipeline_phases": {"total": 1.2}, "pipeline_peak_rss": 2 * 2**30, "pipeline_ok": True,
                 "ratio": 1.2, "db_bytes": 2**20, "incremental_seconds": 3.0, "incremental_max_seconds": 3.0,
                 "incremental_cli_seconds": 4.0, "incremental_phases": {"total": 3.0},
                 "incremental_peak_rss": 2**20, "incremental_ok": True},
    }
    figures["targets"] = report.evaluate(figures)
    verdicts = {row["what"]: row["pass"] for row in figures["targets"]}
    assert verdicts["Full inläsning / DuckDB read_csv (kvot)"] is True
    assert verdicts["Full inläsning, högsta RSS"] is False
    assert verdicts["En månad till (inkrementellt), ingest()"] is False
    out = tmp_path / "results.md"
    report.write_results(figures, out)
    text = out.read_text(encoding="utf-8")
    assert "| Full inläsning / DuckDB read_csv (kvot) | 1.20×" in text and "| PASS |" in text and "| FAIL |" in text


def test_a_period_of_the_users_own_is_reported_on_its_own_row():
    def timing(p95):
        return {"n": 5, "server_p50_ms": p95 / 2, "server_p95_ms": p95, "query_p50_ms": 1, "query_p95_ms": 2,
                "queries_per_rerun": 3}

    figures = {"layers": {"signal_seconds": 8.0, "signal_layers": 18, "month_seconds": 3.0, "month_layers": 6},
               "pages": {"pages": {"rekrytering": {"byt uppdelning": timing(90),
                                                   "uppdelning, egen period": timing(1900)}},
                         "n_errors": 0, "query_p95_ms": 5, "query_max_ms": 9, "n_queries": 10}}
    rows = {row["what"]: row for row in report.evaluate(figures)}
    assert rows["Sidinteraktion, servertid p95 (sämsta)"]["value"] == 90  # the quick periods' worst
    own = rows["Uppdelning för en egen period (summeras ur kalenderårens lager), servertid p95"]
    assert own["value"] == 1900 and own["pass"] is False
    layers = [row for what, row in rows.items() if what.startswith("Signallagren")]
    assert layers[0]["pass"] is None and "18 lager" in layers[0]["shown"]  # what it costs, no target


def test_the_quick_run_publishes_a_whole_year_and_two_months_of_a_growing_one(demo_db, tmp_path):
    # bench --quick's signal-layer step (bench/layers.py) runs on these periods only: one
    # of each kind the pipeline publishes (a calendar year, months of the year still growing).
    from datetime import date

    from bench.layers import keep_a_year_and_two_months
    from pipelines import published

    copy = tmp_path / "layers.duckdb"
    copy.write_bytes(demo_db.read_bytes())
    with duckdb.connect(str(copy)) as con:
        last = con.execute("SELECT max(month) FROM recruitment_signal").fetchone()[0]
        assert keep_a_year_and_two_months(con) == (date(last.year - 1, 1, 1), date(last.year, 2, 1))
        spans = sorted({(lo, hi) for _, lo, hi, _ in published.wanted(con)})
        assert spans == [(date(last.year - 1, 1, 1), date(last.year - 1, 12, 1)),
                         (date(last.year, 1, 1), date(last.year, 1, 1)), (date(last.year, 2, 1), date(last.year, 2, 1))]
        assert len(published.wanted(con)) == 6 and published.current(con)
