"""The recruitment signals' protected layers for the publication periods, published with the marts.

Every signal value a page shows is a sum of the values of fixed publication periods: one
per calendar year, its months and the year protected together, and one per month of the
year still growing (:func:`dashboard.signal_layers.publication_spans`,
:func:`dashboard.signal_layers.derive`). Their period × category layers
(:func:`dashboard.signal_layers.breakdown_layers`) take seconds of CPU to protect for a
year of months: too slow to compute when a user chooses a breakdown. So, after each
load, the pipeline protects them once, every publication period at month grain, in both
area hierarchies, and stores them:

- ``mart_signal_layer``: one row per layer (chain, months, grain, breakdown) with how it
  was protected and the :func:`dashboard.signal_layers.fingerprint` of the code and
  threshold that protected it;
- ``mart_signal_layer_cell``: its published cells, hidden values as NULL. The counts it
  hides are not stored: the table holds only what the pages may show;
- ``mart_signal_shown``: every value a release has shown (the cells' rows with their
  counts, one row per value, both hierarchies), so that a later one can be compared with
  all of them, not only the last (:func:`dashboard.signal_layers.earlier_cells`).

A page reads them when their fingerprint is its own (:func:`dashboard.signal_layers.
published_layers`) and protects a year itself otherwise (a database built by another
version). A load that leaves the signals as they were keeps the layers (incidents do
not move them); a load of signals protects again the publication periods whose signals
it changed (:func:`sources`), keeping what the release before it published of the same
months (:func:`dashboard.signal_layers.earlier_cells`):
what it hid stays hidden and what it showed stays shown, so two releases together tell
nothing either does not (docs/disclosure.md, "Releases").
"""

from __future__ import annotations

import logging
from datetime import date

import duckdb

log = logging.getLogger(__name__)

LAYER = "mart_signal_layer"
CELL = "mart_signal_layer_cell"
SHOWN = "mart_signal_shown"
# A cell's identity in CELL and SHOWN (with its count, the row SHOWN keeps).
_CELL_KEY = ("chain", "start_month", "end_month", "dimension", "area1", "area2", "area3", "period", "category", "grouping")
_KEY = ("chain", "start_month", "end_month", "grain")


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The two tables, empty, where they are missing."""
    con.execute(f"""CREATE TABLE IF NOT EXISTS {LAYER} (
        chain VARCHAR NOT NULL, start_month DATE NOT NULL, end_month DATE NOT NULL, grain VARCHAR NOT NULL,
        dimension VARCHAR NOT NULL, threshold INTEGER NOT NULL, primary_count INTEGER NOT NULL,
        secondary_count INTEGER NOT NULL, suppressed_share DOUBLE NOT NULL, groupings VARCHAR NOT NULL,
        notes VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, source VARCHAR,
        PRIMARY KEY (chain, start_month, end_month, grain, dimension))""")
    # A warehouse from before the column: its layers have no source (they are protected
    # again at the next signal load).
    con.execute(f"ALTER TABLE {LAYER} ADD COLUMN IF NOT EXISTS source VARCHAR")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {CELL} (
        chain VARCHAR NOT NULL, start_month DATE NOT NULL, end_month DATE NOT NULL, grain VARCHAR NOT NULL,
        dimension VARCHAR NOT NULL, position BIGINT NOT NULL, area1 VARCHAR, area2 VARCHAR, area3 VARCHAR,
        period VARCHAR, category VARCHAR, grouping VARCHAR NOT NULL, count BIGINT, reason VARCHAR)""")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {SHOWN} (
        chain VARCHAR NOT NULL, start_month DATE NOT NULL, end_month DATE NOT NULL, dimension VARCHAR NOT NULL, area1 VARCHAR,
        area2 VARCHAR, area3 VARCHAR, period VARCHAR, category VARCHAR, grouping VARCHAR NOT NULL,
        count BIGINT NOT NULL)""")


def wanted(con: duckdb.DuckDBPyConnection) -> list[tuple[str, date, date, str]]:
    """(chain, first month, last month, grain) of every layer the pages read: each
    publication period's (a calendar year's months with signals,
    :func:`dashboard.signal_layers.publication_spans`) at month grain, in both hierarchies.
    Every period a page shows is summed from them."""
    row = con.execute("SELECT signal_first_month, signal_last_month FROM mart_status").fetchone()
    if row is None or row[0] is None or row[1] is None:
        return []
    from dashboard import signal_layers

    first, last = (value.date() if hasattr(value, "date") else value for value in row)
    return [(chain, lo, hi, "month") for lo, hi in signal_layers.publication_spans(first, last, first, last)
            for chain in signal_layers.CHAINS]


def current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the published layers are exactly what :func:`refresh` would publish now
    (works on a read-only connection)."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if LAYER not in tables:
        return False
    want = wanted(con)
    if not want:
        return con.execute(f"SELECT count(*) FROM {LAYER}").fetchone()[0] == 0

    from dashboard import signal_layers

    have = con.execute(f"SELECT DISTINCT {', '.join(_KEY)}, fingerprint FROM {LAYER}").fetchall()
    return sorted(have) == sorted((*k, signal_layers.fingerprint()) for k in want)


def sources(con: duckdb.DuckDBPyConnection, spans) -> dict[tuple[date, date], str]:
    """A digest of the signals each span (first month, last month) sums up: its rows of
    mart_signal, in any order. Everything a span's layers are protected from is in them
    (with the earlier releases' cells of the same months), so a span whose digest is the
    one its layers were published with would be protected to the same cells again."""
    spans = sorted(set(spans))
    if not spans:
        return {}
    values = ", ".join(f"(DATE '{lo.isoformat()}', DATE '{hi.isoformat()}')" for lo, hi in spans)
    rows = con.execute(f"""SELECT s.lo, s.hi, count(m.month), coalesce(sum(hash(m)::HUGEINT), 0)
                           FROM (VALUES {values}) AS s(lo, hi)
                           LEFT JOIN mart_signal AS m ON m.month BETWEEN s.lo AND s.hi
                           GROUP BY ALL""").fetchall()
    return {(_day(lo), _day(hi)): f"{n}:{total}" for lo, hi, n, total in rows}


def _day(value) -> date:
    return value.date() if hasattr(value, "date") else value


def refresh(con: duckdb.DuckDBPyConnection, signals_changed: bool = True, *, every: bool = False) -> list[tuple]:
    """Publish the layers :func:`wanted` asks for and drop the others; return the keys
    protected now. A layer already published by this code (its fingerprint) is kept; when
    ``signals_changed`` (mart_signal was rebuilt), only if the signals of its months are
    the ones it was published from (:func:`sources`): a late delivery for August
    protects August's year again, not every year. ``every``: protect every layer again
    (the benchmark's measure of a full publication)."""
    create_tables(con)
    want = wanted(con)
    if not want:
        con.execute(f"DELETE FROM {CELL}")
        con.execute(f"DELETE FROM {LAYER}")
        return []
    import pandas as pd  # not at import: the dashboard's first page reads marts without pandas

    from dashboard import signal_layers

    digest = sources(con, [(lo, hi) for _, lo, hi, _ in want])
    have = {(*key[:4], key[4]) for key in con.execute(
        f"SELECT DISTINCT {', '.join(_KEY)}, source FROM {LAYER} WHERE fingerprint = ?",
        [signal_layers.fingerprint()]).fetchall()}
    if every:
        keep = set()
    elif signals_changed:
        keep = {k for k in want if (*k, digest[k[1:3]]) in have}
    else:
        keep = {k[:4] for k in have} & set(want)
    todo = [k for k in want if k not in keep]
    # What the release before this one published: a year protected again keeps what it
    # showed and hid of the police layers (signal_layers.earlier_cells), and the values it
    # showed of the administrative ones (views of the police ones) are compared with the
    # new counts too. And every value an earlier release showed: one that changed by a
    # small count since any of them is hidden, not only since the last (a removal after
    # an addition).
    # Read before the layers protected again are deleted, and only the rows within each
    # span (all that earlier_cells uses of them): the tables hold every release's.
    key = ", ".join(_CELL_KEY)

    def earlier(chain: str, start: date, end: date) -> dict:
        cells, shown = (con.execute(f"""SELECT {key}, count FROM {table} WHERE chain = $chain
                                        AND start_month >= $start AND end_month <= $end"""
                                    + (" AND grain = 'month'" if table == CELL else ""),
                                    {"chain": chain, "start": start, "end": end}).df()
                        for table in (CELL, SHOWN))
        return signal_layers.earlier_cells(cells, start, end, shown, chain)

    given = {(start, end): (earlier("police", start, end), earlier("admin", start, end))
             for chain, start, end, _ in todo if chain == "police"}

    kept = pd.DataFrame(sorted(keep), columns=list(_KEY)).astype(
        {"chain": str, "start_month": "datetime64[s]", "end_month": "datetime64[s]", "grain": str})
    con.register("_kept", kept)
    for table in (CELL, LAYER):
        con.execute(f"""DELETE FROM {table} t WHERE NOT EXISTS (
                            SELECT 1 FROM _kept k WHERE {' AND '.join(f'k.{c} = t.{c}' for c in _KEY)})""")
    con.unregister("_kept")
    if not todo:
        return []

    def run_sql(sql: str, params=None):
        # On the load's own connection: a cursor is another connection, which would not
        # see the signals this load has not committed yet.
        return con.execute(sql, params or {}).df()

    police: dict[tuple, dict] = {}
    for chain, start, end, grain in sorted(todo, key=lambda k: k[0] != "police"):
        layers_of = (None, *signal_layers.DIMENSIONS)  # the national layer and each breakdown's
        if chain == "police":
            layers = signal_layers.police_layers(run_sql, start, end, grain, given=given[(start, end)][0],
                                                 given_admin=given[(start, end)][1])
            police[(start, end, grain)] = layers
        else:
            # The police layers of this load, else the ones kept from an earlier one.
            source = (police.get((start, end, grain))
                      or signal_layers.published_layers(run_sql, "police", start, end, grain, layers_of)
                      or signal_layers.police_layers(run_sql, start, end, grain))
            layers = {d: signal_layers.admin_view(run_sql, layer, start, end, grain) for d, layer in source.items()}
        meta, cells = signal_layers.layer_frames(chain, layers)
        meta["source"] = digest[(start, end)]
        for frame, table in ((meta, LAYER), (cells, CELL)):
            frame.insert(0, "grain", grain)
            frame.insert(0, "end_month", end)
            frame.insert(0, "start_month", start)
            frame.insert(0, "chain", chain)
            con.register("_published", frame)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _published")
            con.unregister("_published")
    _remember_shown(con)
    log.info("%d skyddade signallager publicerade, %d oförändrade", len(todo), len(keep))
    return todo


def _remember_shown(con: duckdb.DuckDBPyConnection) -> None:
    """Add the values this release shows to :data:`SHOWN` (the ones not there yet)."""
    key = ", ".join(_CELL_KEY)
    con.execute(f"""INSERT INTO {SHOWN} ({key}, count)
                    SELECT {key}, count FROM {CELL}
                    WHERE grain = 'month' AND count IS NOT NULL
                    EXCEPT SELECT {key}, count FROM {SHOWN}""")

