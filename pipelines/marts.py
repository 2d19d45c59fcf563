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

Each build records the sha256 of the mart's SQL file in ``built_mart``. A mart whose
file has changed since (:func:`outdated`: a newer version of Lägesbild over an older
database) is rebuilt whole by the next refresh; until then the dashboard refuses it
with the command that rebuilds it (``python -m pipelines marts``).

A full build of a :data:`BY_MONTH` mart runs the same SQL over a few million incidents
at a time (whole months, :data:`CHUNK_ROWS`) and appends the chunks in month order: each statement's hash tables and sort stay in memory
(the load's memory limit made one ten-year statement spill a gigabyte to disk), and the
mart ends up ordered by month, so the pages' month filters skip whole row groups.
Incidents are shown to the mart SQL through a temporary view ``incident`` over the
chosen months (no copy of them is made).
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import date

import duckdb

from pipelines import published
from pipelines.config import ROOT

SQL_DIR = ROOT / "pipelines" / "sql"
# Marts whose rows for a calendar month ("month" column) depend only on that month's
# incidents (and the reference tables): they can be refreshed month by month.
BY_MONTH = ("mart_incident_month", "mart_incident_grid", "mart_incident_unplaced")
# Above this share of the fact table, one rebuild is cheaper than month-by-month work.
INCREMENTAL_MAX_SHARE = 0.25
# Incidents per statement in a full build of a BY_MONTH mart: fewer and a statement's hash
# tables spill to disk under the load's memory limit; many more small statements and their
# fixed cost (about 0.1 s each) shows (one statement up to this size).
CHUNK_ROWS = 2_500_000
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
    # A mart built from other SQL (an earlier version) is rebuilt whole: refreshing some
    # of its months would mix rows of two versions, or insert rows it cannot hold.
    existing -= set(outdated(con))
    for sql_file in mart_files():
        name = sql_file.stem
        sql = sql_file.read_text(encoding="utf-8")
        if changed is not None and name in existing:
            hit = dependencies(sql) & stale
            if not hit:
                continue
            if name in BY_MONTH and hit == {"incident"} and months is not None and _small_enough(con, months):
                _refresh_months(con, name, sql, sorted(months))
                _record(con, name)
                stale.add(name)
                built.append(name)
                continue
        stale.add(name)
        if name in BY_MONTH:
            _build_in_chunks(con, name, sql)
        else:
            con.execute(sql)
        _record(con, name)
        built.append(name)
    # The signals' protected layers, one per calendar year (pipelines/published.py): they
    # move with the signals only.
    published.refresh(con, signals_changed=changed is None or "mart_signal" in built)
    return built


def outdated(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Marts in the database not built from the SQL this version has: their recorded
    digest (table ``built_mart``) differs from their file's, or none is recorded (a
    database from before the record). Two small queries; works on a read-only connection."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    recorded = dict(con.execute("SELECT mart, sql_sha256 FROM built_mart").fetchall()) if "built_mart" in tables else {}
    return [name for name, digest in digests().items() if name in tables and recorded.get(name) != digest]


def missing(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Marts this version has that the database lacks (added since it was built)."""
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    return [name for name in digests() if name not in tables]


@functools.cache
def digests() -> dict[str, str]:
    """Each mart's name and the sha256 of its SQL file (the files do not change while a process runs)."""
    return {f.stem: hashlib.sha256(f.read_bytes()).hexdigest() for f in mart_files()}


def _record(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute("INSERT OR REPLACE INTO built_mart VALUES ($name, $digest, now()::TIMESTAMP)",
                {"name": name, "digest": digests()[name]})


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


def _facts(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """The warehouse's catalog (quoted) and its fact table, named so a temp view cannot shadow it."""
    catalog = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    return f'"{catalog}"', f'"{catalog}".main.incident'


def _show_months(con: duckdb.DuckDBPyConnection, facts: str, lo: date, hi: date, months: list[date] | None) -> None:
    """Point the temporary view ``incident`` at the incidents of [lo, hi] (and of ``months``)."""
    # A view cannot hold bound parameters; variables are folded into constants when the
    # view is planned, so the zone maps still skip the row groups outside [lo, hi].
    con.execute("SET VARIABLE mart_lo = $lo", {"lo": lo})
    con.execute("SET VARIABLE mart_hi = $hi", {"hi": hi})
    con.execute("SET VARIABLE mart_months = $months", {"months": months or []})
    pick = "AND list_contains(getvariable('mart_months'), date_trunc('month', occurred_at)::DATE)" if months else ""
    con.execute(f"""CREATE OR REPLACE TEMP VIEW incident AS
                    SELECT * FROM {facts}
                    WHERE occurred_at >= getvariable('mart_lo')
                      AND occurred_at < getvariable('mart_hi') + INTERVAL 1 MONTH {pick}""")


def _hide_months(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP VIEW IF EXISTS temp.main.incident")
    for var in ("mart_lo", "mart_hi", "mart_months"):
        con.execute(f"RESET VARIABLE {var}")


def _build_in_chunks(con: duckdb.DuckDBPyConnection, name: str, sql: str) -> None:
    """Build ``name`` from scratch, about CHUNK_ROWS incidents per statement, in month order."""
    catalog, facts = _facts(con)
    rows, first, last = con.execute(f"SELECT count(*), min(occurred_at), max(occurred_at) FROM {facts}").fetchone()
    if not rows or rows <= CHUNK_ROWS:
        con.execute(sql)  # one statement (an empty table when there are no incidents)
        return
    lo = date(first.year, first.month, 1)
    end = date(last.year, last.month, 1)
    span = (end.year - lo.year) * 12 + end.month - lo.month + 1
    step = max(1, span * CHUNK_ROWS // rows)  # months per statement, assuming an even spread
    target = f"{catalog}.main.{name}"
    created = False
    try:
        while lo <= end:
            hi = _add_months(lo, step - 1)
            _show_months(con, facts, lo, min(hi, end), None)
            if not created:
                con.execute(_HEADER.sub(f"CREATE OR REPLACE TABLE {target} AS", sql, count=1))
                created = True
            else:
                con.execute(_HEADER.sub(f"INSERT INTO {target} BY NAME", sql, count=1))
            lo = _add_months(hi, 1)
    finally:
        _hide_months(con)


def _add_months(d: date, n: int) -> date:
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def _refresh_months(con: duckdb.DuckDBPyConnection, name: str, sql: str, months: list[date]) -> None:
    """Replace ``name``'s rows for ``months`` with its own SQL run over those months only."""
    catalog, facts = _facts(con)
    target = f"{catalog}.main.{name}"
    if not months:
        return  # no month touched: nothing to replace
    try:
        _show_months(con, facts, months[0], months[-1], months)
        con.execute(f"DELETE FROM {target} WHERE list_contains($months, month)", {"months": months})
        con.execute(_HEADER.sub(f"INSERT INTO {target} BY NAME", sql, count=1))
    finally:
        _hide_months(con)
