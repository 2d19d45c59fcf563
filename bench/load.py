"""Load benchmarks: the pipeline's full load and an incremental month, against DuckDB's
bare ``CREATE TABLE … AS SELECT * FROM read_csv(…)`` of the same file.

Parent side: :func:`measure`. Child side (``python -m bench.load bare|ingest …``): one
load per process, so each has its own peak RSS.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import time
from pathlib import Path

from bench.data import Dataset
from bench.proc import answer, run_child


def _remove_db(db: Path) -> None:
    for p in [db, *db.parent.glob(db.name + ".*")]:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _warm(path: Path) -> None:
    # Both contenders read the file from the page cache, not the first from disk.
    with open(path, "rb") as fh:
        while fh.read(1 << 24):
            pass


def measure(ds: Dataset, incremental_reps: int = 3, log=print) -> dict:
    """Time the bare read, the full load and the incremental month; peak RSS of each."""
    folder = ds.folder
    bare_db, loaded, incr = folder / "bare.duckdb", folder / "loaded.duckdb", folder / "incremental.duckdb"
    _warm(ds.full_csv)
    _warm(ds.month_csv)

    log("laddning: DuckDB read_csv …")
    _remove_db(bare_db)
    bare = run_child("bench.load", "bare", str(ds.full_csv), str(bare_db))
    _remove_db(bare_db)

    log("laddning: pipelinens fulla inläsning …")
    _remove_db(loaded)
    shutil.copyfile(ds.reference_db, loaded)
    full = run_child("bench.load", "ingest", str(loaded), str(ds.full_csv))

    log("laddning: en månad till (inkrementellt) …")
    incr_runs = []
    for _ in range(incremental_reps):
        _remove_db(incr)
        shutil.copyfile(loaded, incr)
        incr_runs.append(run_child("bench.load", "ingest", str(incr), str(ds.month_csv)))
    _remove_db(incr)
    incr_seconds = [r.data["seconds"] for r in incr_runs]
    return {
        "rows": ds.full_rows,
        "month_rows": ds.month_rows,
        "bare_seconds": bare.data["seconds"],
        "bare_peak_rss": bare.peak_rss,
        "pipeline_seconds": full.data["seconds"],
        "pipeline_phases": full.data["phases"],
        "pipeline_peak_rss": full.peak_rss,
        "pipeline_ok": full.data["ok"],
        "ratio": full.data["seconds"] / bare.data["seconds"],
        "db_bytes": loaded.stat().st_size,
        "incremental_seconds": statistics.median(incr_seconds),
        "incremental_max_seconds": max(incr_seconds),
        "incremental_cli_seconds": statistics.median(r.seconds for r in incr_runs),
        "incremental_phases": incr_runs[len(incr_runs) // 2].data["phases"],
        "incremental_peak_rss": max(r.peak_rss for r in incr_runs),
        "incremental_ok": all(r.data["ok"] for r in incr_runs),
    }


# --- child side ------------------------------------------------------------------------------


def _bare(csv: Path, db: Path) -> dict:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(db))
    path = str(csv).replace("'", "''")
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()  # a checkpoint: the table is on disk, as the pipeline's is
    return {"seconds": time.perf_counter() - started, "rows": rows}


def _ingest(db: Path, files: list[Path]) -> dict:
    from bench.timing import phases
    from pipelines.loading import ingest

    with phases() as spent:
        started = time.perf_counter()
        reports = ingest(db, files)
        seconds = time.perf_counter() - started
    ok = all(r.status == "ok" for r in reports) and _consistent(db)
    return {"seconds": seconds, "phases": spent, "ok": ok,
            "reports": [r.summary() for r in reports], "accepted": sum(r.rows_accepted for r in reports)}


def _consistent(db: Path) -> bool:
    """The marts agree with the fact table after the load (incremental refresh included)."""
    from pipelines import warehouse

    con = warehouse.open_read_only(db)
    try:
        facts = con.execute("""SELECT date_trunc('month', occurred_at)::DATE AS month, count(*) AS n
                               FROM incident GROUP BY ALL""").fetchall()
        mart = con.execute("""SELECT month, sum(incidents)::BIGINT FROM mart_incident_month
                              WHERE level = 'riket' GROUP BY ALL""").fetchall()
        return sorted(facts) == sorted(mart)
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("task", choices=["bare", "ingest"])
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args()
    if args.task == "bare":
        answer(_bare(args.paths[0], args.paths[1]))
    else:
        answer(_ingest(args.paths[0], args.paths[1:]))


if __name__ == "__main__":
    main()
