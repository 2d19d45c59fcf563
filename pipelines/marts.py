"""Build the marts the dashboard reads, by running ``pipelines/sql/mart_*.sql`` in order.

Each file holds one ``CREATE OR REPLACE TABLE mart_<topic> AS …`` statement, written as
import CTEs, logic CTEs and ``final``. Files run in name order, so a mart may read one
that sorts before it.
"""

from __future__ import annotations

import duckdb

from pipelines.config import ROOT

SQL_DIR = ROOT / "pipelines" / "sql"


def mart_files() -> list:
    return sorted(SQL_DIR.glob("mart_*.sql"))


def refresh(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Rebuild every mart; return their names."""
    built = []
    for sql_file in mart_files():
        con.execute(sql_file.read_text(encoding="utf-8"))
        built.append(sql_file.stem)
    return built
