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

import functools
import re
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import streamlit as st

from dashboard import lazy, periods
from pipelines import config, warehouse

pd = lazy.module("pandas")  # imported on the first query that returns a DataFrame

# Marts every page relies on; a database built before they existed is treated like a
# missing one (the user rebuilds it with the same command).
REQUIRED_MARTS = ("mart_area_link", "mart_incident_month", "mart_incident_source", "mart_incident_unplaced",
                  "mart_incident_grid", "mart_population", "mart_status")
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


# Streamlit's cache hashes a call's arguments and, for st.cache_data, unpickles a copy of
# the value on every call: about 0.1-0.3 ms each. The few things that depend on the
# database version alone (its connection, the area links, what it holds) are asked for
# dozens of times per rerun (a change of level on Översikt made some 130 such calls), so
# they are also remembered here, by version, for the two versions asked for last.
_MEMOS: list[dict] = []
_MEMO_LOCK = threading.Lock()


def by_version(fn):
    """``fn``, whose first argument is a database key and whose others are few and alike for
    every session (a level), remembered in a plain dict as well as in Streamlit's cache,
    for the two versions asked for last. Its value is shared by every caller: it must not
    be mutated (MappingProxyType, tuples)."""
    memo: dict = {}  # version -> {arguments: value}
    _MEMOS.append(memo)

    @functools.wraps(fn)
    def remembered(version, *args):
        try:
            return memo[version][args]
        except KeyError:
            pass
        value = fn(version, *args)
        with _MEMO_LOCK:  # sessions run in threads of their own
            if version not in memo and len(memo) >= 2:  # an older version's: asked for no more
                del memo[next(iter(memo))]
            memo.setdefault(version, {})[args] = value
        return value

    return remembered


def forget() -> None:
    """Drop what :func:`by_version` remembered (with ``st.cache_data.clear()``, as the
    benchmark's empty-cache runs do: otherwise they would not start empty)."""
    with _MEMO_LOCK:
        for memo in _MEMOS:
            memo.clear()


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(path: str, token: str) -> duckdb.DuckDBPyConnection:
    # ``token`` is only part of the cache key: a new published version gets a new
    # connection; max_entries lets the previous one go once no session uses it.
    del token
    return warehouse.open_read_only(Path(path))


def connection(key: tuple[str, str] | None = None) -> duckdb.DuckDBPyConnection:
    """The shared read-only connection for ``key`` (default: the current version)."""
    try:
        return _connection_of(key or db_key())
    except warehouse.WarehouseError as exc:
        raise DatabaseUnavailable(str(exc)) from exc


@by_version
def _connection_of(key: tuple[str, str]) -> duckdb.DuckDBPyConnection:
    return _connection(*key)


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
        frame: bool | str = True) -> pd.DataFrame | list[tuple]:
    """Run ``sql`` with bound ``params`` on this thread's cursor (see ``_CURSORS``) and
    return a DataFrame (with ``frame=False`` plain tuples; see :func:`rows`).

    ``frame="arrow"``: a DataFrame made through Arrow, about twice as fast as DuckDB's own
    for many text cells (no Python object per cell), with other types for some columns:
    a DATE is datetime64[ms], an integer column with NULLs is float with NaN, a DECIMAL
    or HUGEINT an object. Only for callers that read those columns either way
    (the published signal layers' cells: :func:`dashboard.signal_layers.published_spans`)."""
    cur = _cursor(connection(key))
    try:
        if frame == "arrow":
            return cur.sql(sql, params=_used(sql, params)).to_arrow_table().to_pandas(date_as_object=False)
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


# mart_status's columns, read as one row (pipelines/sql/mart_status.sql says what each holds).
STATUS_FACTS = ("incident_first_month", "incident_last_month", "incident_last_day", "incident_sources",
                "incident_types", "signal_first_month", "signal_last_month", "signal_sources", "population_year",
                "population_sources", "followup_last", "plans", "plan_first_year", "plan_last_year")


@st.cache_data(max_entries=8, show_spinner=False)
def _status(key: tuple[str, str]) -> dict:
    tables = {r[0] for r in rows("SELECT table_name FROM information_schema.tables "
                                 "WHERE table_catalog = 'warehouse'", key=key)}
    missing = [m for m in REQUIRED_MARTS if m not in tables]
    from pipelines import marts  # a mart built by an earlier version: its columns differ

    outdated = marts.outdated(_cursor(connection(key)))
    info = dict(rows("SELECT key, value FROM dataset_info", key=key)) if "dataset_info" in tables else {}
    loads = rows("SELECT count(*) FROM load_log", key=key)[0][0] if "load_log" in tables else 0
    held = dict.fromkeys(STATUS_FACTS)
    if "mart_status" not in missing and "mart_status" not in outdated:
        # What the warehouse holds, worked out once per load by the pipeline (one row).
        held.update(zip(STATUS_FACTS, rows(f"SELECT {', '.join(STATUS_FACTS)} FROM mart_status", key=key)[0],
                         strict=True))
    # The database's own "data t.o.m." when it states one (the demo does), as a date.
    held["stated_through"] = _iso_date(info.get("data_tom"))
    through: dict[str, date | None] = {}
    sources: list[str] = []
    if held["incident_last_day"] is not None:
        sources.append("händelser: " + ", ".join(held["incident_sources"]))
        through["händelser"] = as_date(held["incident_last_day"])
    if held["signal_last_month"] is not None:
        through["rekryteringssignaler"] = _month_end(as_date(held["signal_last_month"]))
        sources.append("rekryteringssignaler: " + ", ".join(held["signal_sources"]))
    if held["population_year"] is not None:
        through["befolkning"] = date(int(held["population_year"]), 12, 31)
        sources.append("befolkning: " + ", ".join(held["population_sources"]))
    if held["followup_last"] is not None:
        through["åtgärdsuppföljning"] = as_date(held["followup_last"])
        sources.append(f"åtgärdsplaner: {held['plans']} planer")
    return {
        "demo": info.get("demo") == "true",
        "info": info,
        "through": through,
        "sources": sources,
        "loads": int(loads or 0),
        "missing_marts": missing,
        "outdated_marts": outdated,
        "tables": sorted(tables),
        "facts": held,
    }


def facts(key: tuple[str, str] | None = None) -> dict:
    """What the warehouse holds (mart_status's columns by name; None or [] when it holds
    none of a kind), and ``stated_through``: the "data t.o.m." date the database states,
    else None. Cached with the data status, so any number of calls per rerun cost
    nothing more. ``key`` defaults to the current version."""
    return _facts(key or db_key())


@by_version
def _facts(key: tuple[str, str]):
    from types import MappingProxyType

    return MappingProxyType(dict(_status(key)["facts"]))


# The months each source has data for: mart_status's first and last month of it.
_COVERED = {"händelser": ("incident_first_month", "incident_last_month"),
            "rekryteringssignaler": ("signal_first_month", "signal_last_month")}


def coverage(source: str, key: tuple[str, str] | None = None) -> tuple[date | None, date | None]:
    """The first and last month (first days) ``source`` ("händelser",
    "rekryteringssignaler") has data for, or (None, None) without any.

    The one rule for months outside them, which every page follows through
    :func:`covered` and :func:`reaches_back`: they are missing (–), never 0, and no
    change is worked out against them (a year before the first signal compared with
    nothing read as a significant rise everywhere)."""
    first, last = (facts(key)[column] for column in _COVERED[source])
    if first is None or last is None:
        return None, None
    return as_date(first), as_date(last)


def covered(source: str, start: date, end: date) -> tuple[date, date] | None:
    """The months of ``start``–``end`` that ``source`` has data for, or None when it has
    none of them (the period's figures are then missing, not 0)."""
    return periods.months_within(start, end, *coverage(source))


def reaches_back(source: str, start: date) -> bool:
    """Whether ``source`` has the whole of the same months a year before a period that
    starts with ``start``; without them no change against a year earlier is shown."""
    return periods.reaches_back(start, coverage(source)[0])


def coverage_text(source: str) -> str:
    """'rekryteringssignaler finns från januari 2019 till och med december 2025' (or
    '… finns inte i databasen'): the months a note names when a period or comparison
    falls outside them."""
    from dashboard import formatting as fmt

    first, last = coverage(source)
    if first is None:
        return f"{source} finns inte i databasen"
    return f"{source} finns från {fmt.month(first)} till och med {fmt.month(last)}"


def months_without_incidents() -> tuple[date | None, date | None]:
    """For a database without incidents: the first and last month of its recruitment
    signals and plan years (a plan year not yet over ends this month), or (None, None)."""
    held = facts()
    this_month = date.today().replace(day=1)
    firsts = [as_date(held["signal_first_month"])] if held["signal_first_month"] else []
    lasts = [as_date(held["signal_last_month"])] if held["signal_last_month"] else []
    if held["plan_first_year"] is not None:
        firsts.append(date(int(held["plan_first_year"]), 1, 1))
        # a plan year not yet over: up to now
        lasts.append(min(date(int(held["plan_last_year"]), 12, 1), this_month))
    if not firsts:
        return None, None
    return min(firsts), max(max(lasts), min(firsts))


def _iso_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


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


# How a source, as the warehouse stores it, is named in an export's "Källa" (others as
# they are stored: a file's own source column, SCB, the signals' reporting bodies).
SOURCE_NAMES = {"polisen": "Polisen (polisen.se)", "egen fil": "egna filer"}
# The kinds of data an export can hold, and mart_status's list of each one's sources.
_SOURCE_FACTS = {"händelser": "incident_sources", "rekryteringssignaler": "signal_sources",
                 "befolkning": "population_sources"}
# Official statistics: the kind is the source.
_STATISTICS = {"kolada": "Kolada", "bra": "Brå"}


def sources(kinds, key: tuple[str, str] | None = None) -> list[str]:
    """What each kind of data in ``kinds`` ("händelser", "rekryteringssignaler",
    "befolkning", "kolada", "bra") comes from, as the warehouse records it, in the order
    given: ``["händelser: Polisen (polisen.se)", "befolkning: SCB"]``. A kind the
    warehouse holds none of is left out; the demo's own source ("demo") is not named, so
    a demo kind is named alone ("händelser"), and the caller says it is demo data.
    The action plans' workbooks are named by :func:`dashboard.queries.measures.workbooks`."""
    held = facts(key)
    out = []
    for kind in dict.fromkeys(kinds):
        if kind in _STATISTICS:
            out.append(_STATISTICS[kind])
            continue
        stored = list(held[_SOURCE_FACTS[kind]] or [])
        if not stored:
            continue
        if kind == "rekryteringssignaler":  # the reporting bodies in their usual order
            from pipelines.categories import SIGNAL_SOURCES

            stored.sort(key=lambda s: (SIGNAL_SOURCES.index(s) if s in SIGNAL_SOURCES else len(SIGNAL_SOURCES), s))
        named = [SOURCE_NAMES.get(s, s) for s in stored if s != "demo"]
        out.append(f"{kind}: {', '.join(named)}" if named else kind)
    return out
