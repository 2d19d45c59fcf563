"""What a load adds to publish the recruitment signals' protected layers, one per
calendar year (pipelines/published.py), on a copy of the benchmark's demo warehouse.

``python -m bench.layers --db DEMO`` answers (bench.proc.answer) with:

- every year protected again (as after a first signal file): seconds and layers;
- after a late delivery for one month (only its year protected again): seconds and layers;
- after a month of incidents (the signals' years do not move: nothing is protected
  again): seconds and layers, found by moving the warehouse's last incident month one
  month on.

The demo's incremental load in ``bench.load`` has no signals, so it does not include this.

``--quick`` (``python -m bench --quick``) first keeps only one whole calendar year of
signals and the first two months of the next (a year still growing, published month by
month) in the copy, loaded as a signal file would be (the marts rebuilt and the other
periods' layers dropped, untimed), so the same three steps run on 6 layers instead of
one per period with signals (34 nationally). The layers do not grow with the incidents:
the quick run would otherwise spend as long here as the national one.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from bench.proc import answer


def keep_a_year_and_two_months(con: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    """Keep the signals of the calendar year before the last one with signals and of the
    first two months of the last (as far as they go), and load them as a signal file would
    (the marts and the published layers brought up to date: the kept periods' layers
    stay, the others go). Returns the first and last month kept."""
    from pipelines import marts

    last = con.execute("SELECT max(month) FROM recruitment_signal").fetchone()[0]
    first, end = date(last.year - 1, 1, 1), min(last, date(last.year, 2, 1))
    con.execute("DELETE FROM recruitment_signal WHERE month < ? OR month > ?", [first, end])
    marts.refresh(con, {"recruitment_signal": None})
    return first, end


def measure(db: Path, quick: bool = False) -> dict:
    from pipelines import marts, published

    with tempfile.TemporaryDirectory(dir=db.parent) as tmp:
        copy = Path(tmp) / "layers.duckdb"
        shutil.copyfile(db, copy)
        con = duckdb.connect(str(copy))
        try:
            kept = keep_a_year_and_two_months(con) if quick else None
            con.execute("BEGIN TRANSACTION")
            started = time.perf_counter()
            every = published.refresh(con, every=True)
            signal_seconds = time.perf_counter() - started
            con.execute("""UPDATE mart_status SET
                               incident_last_month = (incident_last_month + INTERVAL 1 MONTH)::DATE,
                               incident_last_day = (date_trunc('month', incident_last_day)
                                                    + INTERVAL 2 MONTH - INTERVAL 1 DAY)::DATE""")
            con.execute("DELETE FROM dataset_info WHERE key = 'data_tom'")
            started = time.perf_counter()
            moved = published.refresh(con, signals_changed=False)
            month_seconds = time.perf_counter() - started
            # A late delivery: one more signal in one month of the first year with signals
            # (a load rebuilds mart_signal; only that year's layers are protected again).
            con.execute("""UPDATE recruitment_signal SET count = count + 1 WHERE rowid = (
                               SELECT min(rowid) FROM recruitment_signal
                               WHERE month = (SELECT min(month) FROM recruitment_signal))""")
            con.execute(marts.SQL_DIR.joinpath("mart_signal.sql").read_text(encoding="utf-8"))
            started = time.perf_counter()
            late = published.refresh(con, signals_changed=True)
            late_seconds = time.perf_counter() - started
            con.execute("ROLLBACK")
        finally:
            con.close()
    return {"signal_seconds": signal_seconds, "signal_layers": len(every),
            "month_seconds": month_seconds, "month_layers": len(moved),
            "late_seconds": late_seconds, "late_layers": len(late),
            "signal_months": [m.isoformat() for m in kept] if kept else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--quick", action="store_true",
                        help="only a year of signals and two months of the next (keep_a_year_and_two_months)")
    args = parser.parse_args()
    answer(measure(args.db, args.quick))


if __name__ == "__main__":
    main()
