"""Build the marts the dashboard reads, by running ``pipelines/sql/mart_*.sql`` in order.

Each file holds one ``CREATE OR REPLACE TABLE mart_<topic> AS …`` statement, written as
import CTEs, logic CTEs and ``final``. Files run in name order, so a mart may read one
that sorts before it.

After a load only what the load touched is rebuilt (:func:`refresh` with ``changed``):

- a mart that exists and whose tables (those named after FROM or JOIN in its SQL, marts
  included) did not change is left as it is;
- a mart in :data:`BY_MONTH` whose only changed table is ``incident`` is refreshed for
  the touched months only: its own SQL runs over those months' incidents (a temporary
  table ``incident`` that shadows the warehouse's for the statement), and the mart's
  rows for those months are replaced. That is exact because each of these marts groups
  by the incident's calendar month: a month's rows depend on that month's incidents and
  on the reference tables, nothing else;
- every other affected mart is rebuilt whole (they are small).

A month of incidents into a national warehouse thus re-aggregates one month, not ten
years (``python -m bench`` measures it).
"""

from __future__ import annotations

import re
from datetime import date

import duckdb

from pipelines.config import ROOT

SQL_DIR = ROOT / "pipelines" / "sql"
# Marts whose rows for a calendar month ("month" column) depend only on that month's
# incidents (and the reference tables): they can be refreshed month by month.
BY_MONTH = ("mart_incident_month", "mart_incident_grid", "mart_incident_unplaced")
# Above this share of the fact table, one rebuild is cheaper than month-by-month work.
INCREMENTAL_MAX_SHARE = 0.25
_NAMES = re.compile(r"\b(?:FROM|JOIN)\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_HEADER = re.compile(r"CREATE\s+OR\s+REPLACE\s+TABLE\s+(mart_\w+)\s+AS", re.IGNORECASE)


def mart_files() -> list:
    return sorted(SQL_DIR.glob("mart_*.sql"))


def dependencies(sql: str) -> set[str]:
    """Names a mart reads (after FROM or JOIN; CTE names too, which is harmless)."""
    return {m.lower() for m in _NAMES.findall(re.sub(r"--[^\n]*", "", sql))}


def refresh(con: duckdb.DuckDBPyConnection, changed: dict[str, set[date] | None] | None = None) -> list[str]:
    """Rebuild the marts; return the names of those rebuilt or refreshed.

    ``changed`` maps each table a load wrote to the calendar months it touched (first
    days; only known for ``incident``) or None (anything may have changed). Without
    ``changed`` every mart is rebuilt.
    """
    built = []
    stale: set[str] = set(changed) if changed is not None else set()
    months = (changed or {}).get("incident")
    existing = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    for sql_file in mart_files():
        name = sql_file.stem
        sql = sql_file.read_text(encoding="utf-8")
        if changed is not None and name in existing:
            hit = dependencies(sql) & stale
            if not hit:
                continue
            if name in BY_MONTH and hit == {"incident"} and months is not None and _small_enough(con, months):
                _refresh_months(con, name, sql, sorted(months))
                stale.add(name)
                built.append(name)
                continue
        stale.add(name)
        con.execute(sql)
        built.append(name)
    return built


def _small_enough(con: duckdb.DuckDBPyConnection, months: set[date]) -> bool:
    if not months:
        return True
    touched = con.execute(
        """SELECT count(*) FROM incident
           WHERE occurred_at >= $lo AND occurred_at < $hi + INTERVAL 1 MONTH
             AND list_contains($months, date_trunc('month', occurred_at)::DATE)""",
        {"months": sorted(months), "lo": min(months), "hi": max(months)}).fetchone()[0]
    total = con.execute("SELECT count(*) FROM incident").fetchone()[0]
    return touched <= INCREMENTAL_MAX_SHARE * max(total, 1)


def _refresh_months(con: duckdb.DuckDBPyConnection, name: str, sql: str, months: list[date]) -> None:
    """Replace ``name``'s rows for ``months`` with its own SQL run over those months only."""
    catalog = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    facts = f'"{catalog}".main.incident'
    params = {"months": months, "lo": months[0], "hi": months[-1]} if months else None
    try:
        if months:
            # Zone maps skip the row groups outside [lo, hi]: a month reads a month.
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE incident AS
                    SELECT * FROM {facts}
                    WHERE occurred_at >= $lo AND occurred_at < $hi + INTERVAL 1 MONTH
                      AND list_contains($months, date_trunc('month', occurred_at)::DATE)""", params)
        else:
            con.execute(f"CREATE OR REPLACE TEMP TABLE incident AS SELECT * FROM {facts} LIMIT 0")
        con.execute(_HEADER.sub("CREATE OR REPLACE TEMP TABLE _mart_part AS", sql, count=1))
        if months:
            con.execute(f'DELETE FROM "{catalog}".main.{name} WHERE list_contains($months, month)',
                        {"months": months})
        con.execute(f'INSERT INTO "{catalog}".main.{name} BY NAME SELECT * FROM _mart_part')
    finally:
        con.execute("DROP TABLE IF EXISTS temp.main.incident")
        con.execute("DROP TABLE IF EXISTS temp.main._mart_part")
