"""The query layer: the one way pages read the warehouse.

- One read-only connection per published database version, held in
  ``st.cache_resource`` keyed by (path, version token). When the pipeline publishes a
  new file (atomic replace), ``pipelines.warehouse.version`` changes, so the next
  interaction opens the new file and every cached result keyed by the old token is
  simply never asked for again.
- :func:`run` executes SQL with bound parameters only, on a cursor of the calling
  thread's own (thread safe: Streamlit serves sessions from several threads).
- Topic modules (``incidents``, ``geo``, ``signals``, ``measures``…) hold the
  ``st.cache_data`` functions. They take :func:`db_key` plus small hashable filter
  values, never DataFrames, and the DataFrames they return must not be mutated.
"""

from __future__ import annotations

import re
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import streamlit as st

from dashboard import lazy
from pipelines import config, warehouse

pd = lazy.module("pandas")  # imported on the first query that returns a DataFrame

# Marts every page relies on; a database built before they existed is treated like a
# missing one (the user rebuilds it with the same command).
REQUIRED_MARTS = ("mart_area_link", "mart_incident_month", "mart_incident_source", "mart_incident_unplaced",
                  "mart_incident_grid", "mart_population")
BUILD_COMMAND = "python -m pipelines demo"
MARTS_COMMAND = "python -m pipelines marts"
_PARAM = re.compile(r"\$([A-Za-z_]\w*)")


class DatabaseUnavailable(RuntimeError):
    """No usable warehouse: missing, unreadable, or its marts missing or outdated.
    ``command`` is what mends it (shown on the page, ready to copy)."""

    def __init__(self, message: str, command: str = BUILD_COMMAND):
        super().__init__(message)
        self.command = command


def db_file() -> Path:
    """The database the dashboard reads ($LAGESBILD_DB or the configured default)."""
    return config.db_path()


def db_key() -> tuple[str, str]:
    """(path, version token) of the published database; part of every cache key."""
    path = db_file()
    token = warehouse.version(path)
    if token is None:
        raise DatabaseUnavailable(
            f"Databasen {path} finns inte. Bygg den med demodata: `{BUILD_COMMAND}` "
            f"(eller läs in egna filer med `python -m pipelines ingest FIL…`)."
        )
    return str(path), token


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, token: str) -> duckdb.DuckDBPyConnection:
    # ``token`` is only part of the cache key: a new published version gets a new
    # connection; max_entries lets the previous one go once no session uses it.
    del token
    return warehouse.open_read_only(Path(path))


def connection(key: tuple[str, str] | None = None) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection for ``key`` (default: the current version)."""
    path, token = key or db_key()
    try:
        return _connection(path, token)
    except warehouse.WarehouseError as exc:
        raise DatabaseUnavailable(str(exc)) from exc


def _used(sql: str, params: dict | list | None) -> dict | list:
    # DuckDB refuses named parameters the statement does not use; topic modules build one
    # parameter dict per filter and share it between statements.
    if isinstance(params, dict):
        names = set(_PARAM.findall(sql))
        return {k: v for k, v in params.items() if k in names}
    return params or []


# One cursor per thread and connection. Streamlit runs each script run in a thread of its
# own, so a page's queries share one cursor, one after another, and no two threads ever
# share one. A fresh cursor and its "USE warehouse" cost ~0.9 ms per query (a new area on
# Översikt asks 8 queries). The cursor goes with its thread, or when the connection changes.
_CURSORS = threading.local()


def _cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    held = getattr(_CURSORS, "held", None)
    if held is not None and held[0] is con:
        return held[1]
    if held is not None:
        held[1].close()  # a newly published database: the old file's cursor goes
    cur = con.cursor()
    try:
        cur.execute("USE warehouse")
    except BaseException:
        cur.close()
        raise
    _CURSORS.held = (con, cur)
    return cur


def _drop_cursor() -> None:
    held = getattr(_CURSORS, "held", None)
    _CURSORS.held = None
    if held is not None:
        held[1].close()


def run(sql: str, params: dict | list | None = None, key: tuple[str, str] | None = None, *,
        frame: bool = True) -> pd.DataFrame | list[tuple]:
    """Run ``sql`` with bound ``params`` on this thread's cursor (see ``_CURSORS``) and
    return a DataFrame (with ``frame=False`` plain tuples; see :func:`rows`)."""
    cur = _cursor(connection(key))
    try:
        result = cur.execute(sql, _used(sql, params))
        return result.df() if frame else result.fetchall()
    except BaseException:
        _drop_cursor()  # whatever state a failed statement left, the next query starts afresh
        raise


def rows(sql: str, params: dict | list | None = None, key: tuple[str, str] | None = None) -> list[tuple]:
    """Run ``sql`` like :func:`run` and return plain tuples (no pandas: the database
    check and the sidebar use this, so the first page's title needs no pandas). Goes
    through ``run``, so whatever wraps ``run`` (the benchmark's timer) sees these too."""
    return run(sql, params, key, frame=False)


@st.cache_data(max_entries=8, show_spinner=False)
def _status(key: tuple[str, str]) -> dict:
    tables = {r[0] for r in rows("SELECT table_name FROM information_schema.tables "
                                 "WHERE table_catalog = 'warehouse'", key=key)}
    missing = [m for m in REQUIRED_MARTS if m not in tables]
    from pipelines import marts  # a mart built by an earlier version: its columns differ

    outdated = marts.outdated(_cursor(connection(key)))
    info = dict(rows("SELECT key, value FROM dataset_info", key=key)) if "dataset_info" in tables else {}
    through: dict[str, date | None] = {}
    sources: list[str] = []
    if "mart_incident_source" in tables:
        inc = rows("SELECT source, last FROM mart_incident_source ORDER BY n DESC", key=key)
        if inc:
            sources.append("händelser: " + ", ".join(r[0] for r in inc))
            through["händelser"] = as_date(max(r[1] for r in inc))
    if "recruitment_signal" in tables:
        ((last,),) = rows("SELECT max(month) FROM recruitment_signal", key=key)
        if last is not None:
            month = as_date(last)
            through["rekryteringssignaler"] = _month_end(month)
            sources.append("rekryteringssignaler: " + ", ".join(
                r[0] for r in rows("SELECT DISTINCT source FROM recruitment_signal ORDER BY 1", key=key)))
    if "population" in tables:
        ((year, src),) = rows("SELECT max(year) AS year, string_agg(DISTINCT source, ', ') AS src FROM population",
                              key=key)
        if year is not None:
            through["befolkning"] = date(int(year), 12, 31)
            sources.append(f"befolkning: {src}")
    if "measure_followup" in tables:
        ((last,),) = rows("SELECT max(followup_date) FROM measure_followup", key=key)
        if last is not None:
            through["åtgärdsuppföljning"] = as_date(last)
            ((n_plans,),) = rows("SELECT count(*) FROM plan", key=key)
            sources.append(f"åtgärdsplaner: {n_plans} planer")
    loads = rows("SELECT count(*) FROM load_log", key=key)[0][0] if "load_log" in tables else 0
    return {
        "demo": info.get("demo") == "true",
        "info": info,
        "through": through,
        "sources": sources,
        "loads": int(loads or 0),
        "missing_marts": missing,
        "outdated_marts": outdated,
        "tables": sorted(tables),
    }


@st.cache_data(max_entries=4, show_spinner=False)
def _other_months(key: tuple[str, str]) -> tuple[date | None, date | None]:
    ((s_first, s_last),) = rows("SELECT min(month), max(month) FROM recruitment_signal", key=key)
    ((p_first, p_last),) = rows("SELECT min(year), max(year) FROM plan", key=key)
    this_month = date.today().replace(day=1)
    firsts = [as_date(s_first)] if s_first else []
    lasts = [as_date(s_last)] if s_last else []
    if p_first is not None:
        firsts.append(date(int(p_first), 1, 1))
        lasts.append(min(date(int(p_last), 12, 1), this_month))  # a plan year not yet over: up to now
    if not firsts:
        return None, None
    return min(firsts), max(max(lasts), min(firsts))


def months_without_incidents() -> tuple[date | None, date | None]:
    """For a database without incidents: the first and last month of its recruitment
    signals and plan years (a plan year not yet over ends this month), or (None, None)."""
    return _other_months(db_key())


def as_date(value) -> date:
    """A DuckDB DATE (datetime.date) or TIMESTAMP (datetime.datetime) as a date."""
    return value.date() if isinstance(value, datetime) else value


def floats(values):
    """A numeric column (Series or array) as a float64 NumPy array, NaN where missing or
    not a number. Plain NumPy numbers and pandas' nullable arrays are converted directly
    (pd.to_numeric only adds its overhead for them)."""
    import numpy as np

    array = values.array if isinstance(values, pd.Series) else values
    if isinstance(array, pd.arrays.NumpyExtensionArray):
        array = array.to_numpy()
    if isinstance(array, np.ndarray) and array.dtype.kind in "biuf":
        return array.astype(float)
    if isinstance(array, (pd.arrays.IntegerArray, pd.arrays.FloatingArray)):
        return array.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(pd.Series(array), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _month_end(d: date) -> date:
    following = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return following - timedelta(days=1)


def data_status() -> dict:
    """What the database holds: demo flag, "data t.o.m." per kind of data, sources, loads.

    Raises :class:`DatabaseUnavailable` when there is no usable database.
    """
    key = db_key()
    try:
        status = _status(key)
    except duckdb.Error as exc:
        raise DatabaseUnavailable(f"Databasen {key[0]} kan inte läsas: {exc}. "
                                  f"Bygg om den: `{BUILD_COMMAND}`.") from exc
    if status["missing_marts"]:
        raise DatabaseUnavailable(
            f"Databasen {key[0]} saknar sammanställningstabellerna ({', '.join(status['missing_marts'])}). "
            f"Bygg dem (inläst data behålls): `{MARTS_COMMAND}`.", MARTS_COMMAND)
    if status["outdated_marts"]:
        raise DatabaseUnavailable(
            f"Sammanställningstabellerna i {key[0]} ({', '.join(status['outdated_marts'])}) är byggda av en "
            f"äldre version av Lägesbild. Bygg om dem (inläst data behålls): `{MARTS_COMMAND}`.", MARTS_COMMAND)
    return status
