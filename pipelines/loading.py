"""The load: one file, one transaction, every rejected row recorded, nothing twice.

A reader (one module per source format, in ``pipelines/readers``) turns a file into a
:class:`ReadResult`: frames for warehouse tables plus row-level rejections. This module
does the rest the same way for every source:

- the same bytes loaded twice add nothing (sha256 in ``load_log``);
- a file-level problem (:class:`FileRejected`, a personnummer) loads nothing;
- with ``strict=True`` any rejected row rejects the whole file;
- what a file accepts lands in one transaction with its ``load_log`` row and its
  ``rejected_row`` rows;
- where the reader says so, a corrected file (same name, new content) replaces what its
  earlier version loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import marts, personnummer, warehouse
from pipelines.geography import Gazetteer
from pipelines.personnummer import PersonnummerFound, contains_personnummer

log = logging.getLogger(__name__)

# Tables readers may fill, in insertion order, with how rows with an existing key are met.
#   "insert_new": keep the existing row (incident ids are stable across downloads)
#   "replace":    the newer load's row wins (INSERT OR REPLACE on the primary key)
#   "append":     plain insert (children of a replaced parent)
TABLES = {
    "population": "replace",
    "incident": "insert_new",
    "incident_version": "replace",
    "recruitment_signal": "replace",
    "plan": "replace",
    "measure": "replace",
    "measure_followup": "append",
    "plan_analysis": "append",
    "kolada_value": "replace",
    "bra_statistic": "replace",
}
# DuckDB's memory limit during a load. The process's peak RSS ends some 300-500 MiB above
# it (the interpreter, pandas, what DuckDB allocates outside its buffer pool): at 1 GiB a
# national load peaked at 1.3-1.5 GiB, at 768 MiB at 1.0-1.2 GiB, in the same time (three
# pairs of runs on a shared machine).
LOAD_MEMORY_LIMIT = "768MiB"
HAS_LOAD_ID = {"population", "incident", "recruitment_signal", "plan", "measure", "kolada_value", "bra_statistic"}


@dataclass
class Rejection:
    """One rejected row: where it is and why (never its content)."""

    row_number: int | None
    column: str | None
    reason: str


class FileRejected(Exception):
    """The whole file is refused. The message names the file, the place and what to do."""

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column, self.detail = file, row, column, message
        where = []
        if row is not None:
            where.append(f"rad {row}")
        if column:
            where.append(f"kolumn '{column}'")
        prefix = f"{file}: " + (", ".join(where) + ": " if where else "")
        super().__init__(prefix + message)


@dataclass
class ReadContext:
    """What a reader may use: the write session, area look-ups and the user's options."""

    con: duckdb.DuckDBPyConnection
    gazetteer: Gazetteer
    file_name: str
    options: dict = field(default_factory=dict)
    # A private folder for copies of the file (e.g. re-encoded), removed when the load ends.
    scratch_dir: Path | None = None


@dataclass
class ReadResult:
    """What a reader produced from one file.

    ``frames`` maps a table in :data:`TABLES` to a DataFrame with that table's column
    names (no ``load_id``), or to the name of a temporary table in ``ctx.con`` holding
    them (for bulk files read by DuckDB itself).
    """

    source_format: str
    primary_table: str
    frames: dict[str, pd.DataFrame | str]
    rejected: list[Rejection] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    replaces_earlier_version: bool = True
    replace_plans: list[str] = field(default_factory=list)  # plan_ids whose measures are replaced
    # Temporary views and tables the reader made (in this order dropped before the commit:
    # a temporary table still there at COMMIT is appended to the temporary database row by
    # row, which for a bulk file cost more than the insert itself).
    scratch: list[str] = field(default_factory=list)
    # Rows the primary table's frame offers, when the reader knows it without a count
    # (a bulk file's frame is a view that would re-read and re-join every row).
    offered: int | None = None
    # Stored incident ids the file holds a newer version of (polisen's updated notices):
    # their rows are deleted before the insert, so the file's version (if any) takes their place.
    supersedes: list[str] = field(default_factory=list)
    # For a bulk incident file: the rejections for the rows of ids the file gives more than
    # once with different content (found by the insert, which then stores none of them).
    repeated: Callable[[list[str]], list[Rejection]] | None = None


@dataclass
class LoadReport:
    file: str
    status: str  # ok | duplicate | rejected
    source_format: str | None = None
    rows_accepted: int = 0
    rows_rejected: int = 0
    load_id: int | None = None
    # For a table whose newer row wins ("replace"): how many of the file's keys were stored
    # before this load (their values now the file's) and how many were not. None otherwise.
    rows_replaced: int | None = None
    rows_new: int | None = None
    lines: list[str] = field(default_factory=list)
    # What the load changed, for the marts: table -> calendar months touched (incident) or
    # None (any row may have changed). See pipelines.marts.refresh.
    touched: dict[str, set | None] = field(default_factory=dict)

    def summary(self) -> str:
        if self.status == "duplicate":
            return f"{self.file}: redan inläst (samma innehåll), inget lades till."
        if self.status == "rejected":
            return self.lines[0] if self.lines else f"{self.file}: avvisad."
        head = (
            f"{self.file}: {self.source_format}, "
            f"{'1 rad inläst' if self.rows_accepted == 1 else f'{self.rows_accepted} rader inlästa'}, "
            f"{self.rows_rejected} avvisade (load_id {self.load_id})."
        )
        return "\n".join([head, *("  " + line for line in self.lines)])


def _where(r: Rejection) -> str:
    """'rad 7, kolumn 'month': ' for a rejected row in a one-line message."""
    parts = ([f"rad {r.row_number}"] if r.row_number is not None else []) + (
        [f"kolumn '{r.column}'" if "'" not in r.column else r.column] if r.column else [])
    return ", ".join(parts) + ": " if parts else ""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# A file's sidecar: its name plus one of these, beside it (docs/sources/atgardsplan.md).
SIDECAR_SUFFIXES = (".toml", ".json")


def load_digest(path: Path, options: dict | None = None) -> str:
    """What makes two loads the same (``load_log.sha256``): the file's bytes, and with them
    its sidecar and the options given, when there are any. A workbook loaded again after
    its plan year was corrected in the sidecar or on the command line is a new load, not a
    duplicate; the same file loaded twice as it was still adds nothing."""
    digest = sha256_of(path)
    sidecars = [side for suffix in SIDECAR_SUFFIXES if (side := path.with_name(path.name + suffix)).is_file()]
    if not sidecars and not options:
        return digest
    h = hashlib.sha256(digest.encode())
    for side in sidecars:
        h.update(f"\0{side.name}\0{sha256_of(side)}".encode())
    if options:
        h.update(b"\0" + json.dumps(options, sort_keys=True, default=str, ensure_ascii=False).encode())
    return h.hexdigest()


def _count(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame | str) -> int:
    if isinstance(frame, str):
        return con.execute(f"SELECT count(*) FROM {frame}").fetchone()[0]
    return len(frame)


def _insert(con, table: str, frame: pd.DataFrame | str, load_id: int, conflicting: list[str] | None = None,
            kept: dict[int, int] | None = None) -> int:
    """Insert a frame into ``table`` by column name; return rows actually added. For an
    ``insert_new`` table, the ids the frame gives more than once with different content
    are stored in none of their versions and appended to ``conflicting``, and the earlier
    loads whose rows the frame offers again (kept, not added) go into ``kept`` (load id ->
    rows)."""
    mode = TABLES[table]
    source = frame if isinstance(frame, str) else "_frame"
    if not isinstance(frame, str):
        # DuckDB 2 refuses register() while an earlier execute() (a fetchone() count) is unfinished.
        con.complete()
        con.register("_frame", frame)
    load_col = ", $load_id AS load_id" if table in HAS_LOAD_ID else ""
    params = {"load_id": load_id} if table in HAS_LOAD_ID else {}
    before = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    try:
        if mode == "insert_new":
            # Insert first, then drop what must not stay (one pass over the file's rows; a
            # window or an anti-join over millions of rows costs more than the insert):
            # - an id the file repeats: one occurrence stays. Repeats are rare, so a
            #   distinct count of 64-bit hashes screens for them (equal counts prove none);
            # - an id stored by an earlier load: the stored row stays. Only the stored rows
            #   whose id the file offers are found (the file's ids are the hashed side).
            # Nothing is deleted when nothing repeats, which keeps DuckDB's bulk commit (a
            # delete among rows inserted in the same transaction makes it re-append them).
            con.execute(f"INSERT INTO {table} BY NAME SELECT *{load_col} FROM {source}", params).fetchall()
            mine = {"load_id": load_id}
            screen = con.execute(f"SELECT count(*) - count(DISTINCT hash(incident_id)) FROM {table} "
                                 "WHERE load_id = $load_id", mine).fetchone()[0]
            if screen and con.execute(f"SELECT count(*) - count(DISTINCT incident_id) FROM {table} "
                                      "WHERE load_id = $load_id", mine).fetchone()[0]:
                # An id given twice with another time, type or place: which row is right
                # cannot be told (the row kept was whichever the parallel insert put first),
                # so neither is stored and the reader names both rows.
                differ = [r[0] for r in con.execute(
                    f"SELECT incident_id FROM {table} WHERE load_id = $load_id GROUP BY incident_id HAVING "
                    "count(DISTINCT (occurred_at, incident_type, kommun_code, lpo_code, grid_cell, source)) > 1",
                    mine).fetchall()]
                if differ:
                    con.execute(f"DELETE FROM {table} WHERE load_id = $load_id AND list_contains($ids, incident_id)",
                                {**mine, "ids": differ}).fetchall()
                    if conflicting is not None:
                        conflicting += differ
                con.execute(f"""DELETE FROM {table} WHERE load_id = $load_id AND rowid NOT IN (
                                    SELECT min(rowid) FROM {table} WHERE load_id = $load_id GROUP BY incident_id)""",
                            mine).fetchall()
            if before:
                # A stored id equal to one of the file's lies between the file's least and
                # greatest id: with that range the zone maps skip most stored row groups
                # (ids grow with time in every source), instead of reading ten years of ids.
                lo, hi = con.execute(f"SELECT min(incident_id), max(incident_id) FROM {table} "
                                     "WHERE load_id = $load_id", mine).fetchone()
                stored = (f"SELECT incident_id FROM {table} WHERE load_id <> $load_id "
                          f"AND incident_id BETWEEN $lo AND $hi AND incident_id IN "
                          f"(SELECT incident_id FROM {table} WHERE load_id = $load_id)")
                span = {**mine, "lo": lo, "hi": hi}
                if lo is not None and con.execute(f"SELECT count(*) FROM ({stored})", span).fetchone()[0]:
                    if kept is not None:
                        # Which loads hold the rows kept: removing one of them would lose
                        # rows this file holds too (``remove`` refuses it alone).
                        kept.update(dict(con.execute(
                            f"SELECT load_id, count(*) FROM {table} WHERE load_id <> $load_id AND incident_id "
                            f"BETWEEN $lo AND $hi AND incident_id IN (SELECT incident_id FROM {table} "
                            "WHERE load_id = $load_id) GROUP BY load_id", span).fetchall()))
                    con.execute(f"DELETE FROM {table} WHERE load_id = $load_id AND incident_id IN ({stored})",
                                span).fetchall()
        elif mode == "replace":
            con.execute(f"INSERT OR REPLACE INTO {table} BY NAME SELECT *{load_col} FROM {source}", params)
        else:
            con.execute(f"INSERT INTO {table} BY NAME SELECT *{load_col} FROM {source}", params)
    finally:
        if not isinstance(frame, str):
            # After an error these fail too (the transaction is aborted) and would hide it.
            with contextlib.suppress(duckdb.Error):
                con.complete()  # the counts above leave their results open
                con.unregister("_frame")
    after = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return after - before


def _delete_loads(con, load_ids: list[int], status: str = "replaced") -> dict[str, int]:
    """Remove what earlier loads added (for a corrected file that replaces them, or for
    ``remove``) and mark them ``status`` in the load log; return rows deleted per table."""
    if not load_ids:
        return {}
    ids = {"ids": load_ids}
    deleted = {}
    plans = [r[0] for r in con.execute("SELECT plan_id FROM plan WHERE list_contains($ids, load_id)", ids).fetchall()]
    if plans:
        deleted["measure"] = con.execute("SELECT count(*) FROM measure WHERE list_contains(?, plan_id)",
                                         [plans]).fetchone()[0]
        deleted["plan"] = len(plans)
    _delete_plans(con, plans)
    for table in sorted(HAS_LOAD_ID - {"plan", "measure"}):
        deleted[table] = len(con.execute(f"DELETE FROM {table} WHERE list_contains($ids, load_id) RETURNING 1",
                                         ids).fetchall())
    con.execute("UPDATE load_log SET status = $status WHERE list_contains($ids, load_id)", {**ids, "status": status})
    return {table: n for table, n in deleted.items() if n}


def _delete_plans(con, plan_ids: list[str]) -> None:
    if not plan_ids:
        return
    p = {"p": plan_ids}
    con.execute(
        "DELETE FROM measure_followup WHERE measure_id IN (SELECT measure_id FROM measure WHERE list_contains($p, plan_id))",
        p,
    )
    con.execute("DELETE FROM measure WHERE list_contains($p, plan_id)", p)
    con.execute("DELETE FROM plan_analysis WHERE list_contains($p, plan_id)", p)
    con.execute("DELETE FROM plan WHERE list_contains($p, plan_id)", p)


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    strict: bool = False,
    fmt: str | None = None,
    options: dict | None = None,
) -> LoadReport:
    """Load one file inside the current write session, as one transaction."""
    path = Path(path)
    name = path.name
    # The name is stored (load_log, plan), logged and shown: one that holds a personnummer
    # is refused before anything is read, and named with the number masked.
    if contains_personnummer(name):
        shown = personnummer.mask(name)
        return LoadReport(shown, "rejected", lines=[
            f"{shown}: filnamnet innehåller ett personnummer eller samordningsnummer. Filen lästes inte in. "
            "Byt namn på filen och läs in den igen."])
    try:
        seen = _identity(path)
        digest = load_digest(path, options)
    except OSError as exc:
        # A workbook open in Excel on Windows (a file share, WSL) is locked against reading;
        # a file may also lack read permission. Named in Swedish, never a traceback.
        return LoadReport(name, "rejected", lines=[
            f"{name}: filen kan inte läsas ({type(exc).__name__}). Den kan vara öppen i Excel (som låser den) "
            "eller sakna läsbehörighet: stäng den i Excel, eller kopiera den, och läs in den igen."])
    if con.execute("SELECT 1 FROM load_log WHERE sha256 = ? AND status = 'ok'", [digest]).fetchone():
        return LoadReport(name, "duplicate")
    with tempfile.TemporaryDirectory(prefix="lagesbild-load-") as scratch_dir:
        return _load(con, path, digest, seen, Path(scratch_dir), strict, fmt, options)


def _identity(path: Path) -> tuple[int, int]:
    """Size and modification time: a file that changes while it is loaded is refused (what
    was read would not be the file whose sha256 is recorded)."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _load(con, path: Path, digest: str, seen: tuple[int, int], scratch_dir: Path, strict: bool,
          fmt: str | None, options: dict | None) -> LoadReport:
    from pipelines import readers

    name = path.name
    con.execute("BEGIN TRANSACTION")
    try:
        reader = readers.choose(path, fmt)
        ctx = ReadContext(con=con, gazetteer=Gazetteer.from_connection(con), file_name=name, options=options or {},
                          scratch_dir=scratch_dir)
        result = reader.read(path, ctx)
        if strict and result.rejected:
            first = result.rejected[0]
            raise FileRejected(
                name,
                f"{first.reason} (--strict: {len(result.rejected)} rader avvisade, inget lästes in)",
                first.row_number,
                first.column,
            )
        primary = result.frames.get(result.primary_table)
        # Counted once: for a bulk file the frame is a view that re-reads every row.
        if result.offered is not None:
            offered = result.offered
        else:
            offered = 0 if primary is None else _count(con, primary)
        if offered == 0 and not result.supersedes:  # a file of updates that only remove stored rows loads
            if not result.rejected:
                # What the reader says about the file: why it skipped every row (only län and
                # riket, only totals) where it did.
                said = " ".join(line.rstrip(".") + "." for line in result.report)
                raise FileRejected(name, "filen innehåller inga datarader att läsa in (bara rubriker, tomma rader "
                                         "eller rader som hoppas över)." + (f" {said}" if said else "")
                                   + " Kontrollera att rätt fil valdes och att den sparades färdigt.")
            raise FileRejected(name, f"ingen rad kunde läsas in ({len(result.rejected)} avvisade), till exempel "
                               + "; ".join(_where(r) + r.reason for r in result.rejected[:3])
                               + ". Rätta raderna och läs in filen igen.")

        load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM load_log").fetchone()[0]
        # Counted before an earlier version of the file is deleted, so that a re-fetch of
        # the same answer reads as replaced values, not as new rows.
        new_replaced = (_new_and_replaced(con, result.primary_table, primary)
                        if TABLES.get(result.primary_table) == "replace" and primary is not None else (None, None))
        earlier: list[int] = []
        version_lines: list[str] = []
        # What this load replaces, which removing it again would not bring back (load_replaced).
        replaced: list[str] = []
        if result.replaces_earlier_version:
            revised, said = _earlier_version(con, name, result.primary_table, primary)
            earlier = _years_outside(con, revised, result.primary_table, primary, said)
            version_lines = list(said.values())
            replaced += [said[i] for i in revised]
        replaced += [f"planen för {org} {year} (inläsning {plan_load})" for org, year, plan_load in con.execute(
            "SELECT organisation, year, load_id FROM plan WHERE list_contains(?, plan_id) AND NOT list_contains(?, load_id)",
            [result.replace_plans, earlier]).fetchall()]
        touched = _touched_by_deleting(con, earlier, result.replace_plans)
        _delete_loads(con, earlier)
        _delete_plans(con, result.replace_plans)
        if result.supersedes:
            if touched.get("incident", set()) is not None:
                touched["incident"] = touched.get("incident", set()) | _incident_months(
                    con, "list_contains(?, incident_id)", [result.supersedes])
            older = con.execute("DELETE FROM incident WHERE list_contains(?, incident_id) RETURNING 1",
                                [result.supersedes]).fetchall()
            if older:
                replaced.append(f"{len(older)} lagrade händelser i en äldre version")

        added = {}
        conflicting: list[str] = []
        kept: dict[int, int] = {}
        for table in TABLES:
            if table in result.frames:
                added[table] = _insert(con, table, result.frames[table], load_id, conflicting, kept)
        accepted = added.get(result.primary_table, 0)
        if conflicting:
            repeated = (result.repeated(conflicting) if result.repeated else
                        [Rejection(None, "incident_id", "id:t står flera gånger i filen med olika innehåll; "
                                                        "ingen av raderna lästes in")])
            if strict:
                raise FileRejected(name, f"{repeated[0].reason} (--strict: inget lästes in)",
                                   repeated[0].row_number, repeated[0].column)
            offered -= len(repeated)
            result.rejected = sorted([*result.rejected, *repeated], key=lambda r: r.row_number or 0)
            if offered <= 0 and not result.supersedes:
                raise FileRejected(name, f"ingen rad kunde läsas in ({len(result.rejected)} avvisade), till exempel "
                                   + "; ".join(_where(r) + r.reason for r in result.rejected[:3])
                                   + ". Rätta raderna och läs in filen igen.")
        if result.supersedes:  # a superseded row the file offers again is replaced, not new
            renewed = con.execute("SELECT count(*) FROM incident WHERE load_id = ? AND list_contains(?, incident_id)",
                                  [load_id, result.supersedes]).fetchone()[0]
            new_replaced = (accepted - renewed, renewed)
        for table in added:
            if table == "incident":
                touched.setdefault("incident", set())
                if touched["incident"] is not None:
                    touched["incident"] |= _incident_months(con, "load_id = ?", [load_id])
            else:
                touched[table] = None
        lines = list(result.report) + version_lines + _cut_off(path, result.source_format)
        if new_replaced[1] and not result.supersedes:  # the reader names what it superseded
            lines.append(f"{new_replaced[1]} rader ersatte lagrade värden med samma nyckel.")
            replaced.append(f"{new_replaced[1]} lagrade värden i {result.primary_table} med samma nyckel")
        elif offered > accepted and (new_replaced[1] is None or result.supersedes):
            lines.append(f"{offered - accepted} rader fanns redan och lades inte till igen.")
        if result.rejected:
            # One insert from a frame: executemany costs seconds for tens of thousands of rows.
            rejected = pd.DataFrame({
                "load_id": pd.Series([load_id] * len(result.rejected), dtype="int64"),
                "row_number": pd.Series([r.row_number for r in result.rejected], dtype="Int64"),
                "column": pd.Series([r.column for r in result.rejected], dtype="object"),
                "reason": pd.Series([r.reason for r in result.rejected], dtype="object"),
            })
            con.complete()
            con.register("_rejected", rejected)
            con.execute('INSERT INTO rejected_row (load_id, row_number, "column", reason) '
                        'SELECT load_id, row_number, "column", reason FROM _rejected')
            con.unregister("_rejected")
            n = len(result.rejected)
            lines.append(f"{n} {'rad' if n == 1 else 'rader'} avvisades; se tabellen rejected_row (load_id {load_id}).")
        con.execute(
            """INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, 'ok', ?)""",
            [load_id, name, digest, result.source_format, datetime.now().replace(microsecond=0),
             accepted, len(result.rejected), " | ".join(lines)[:4000]],
        )
        if replaced:
            con.executemany("INSERT INTO load_replaced VALUES (?, ?)", [[load_id, r] for r in replaced])
        if kept:
            con.executemany("INSERT INTO load_shared VALUES (?, ?, ?)",
                            [[load_id, earlier_load, n] for earlier_load, n in sorted(kept.items())])
        # Loads from here on record what they replace; for those before (a warehouse built by
        # an earlier version) `remove` goes by their report instead.
        con.execute("INSERT INTO dataset_info VALUES ('replacements_recorded_from', ?) ON CONFLICT DO NOTHING",
                    [str(load_id)])
        for scratch in result.scratch:
            kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_catalog = 'temp' "
                               "AND table_name = ?", [scratch]).fetchone()
            if kind:
                con.execute(f"DROP {'VIEW' if kind[0] == 'VIEW' else 'TABLE'} temp.main.{scratch}")
        if _identity(path) != seen:
            raise FileRejected(name, "filen ändrades medan den lästes in. Vänta tills den är färdigsparad "
                                     "och läs in den igen.")
        con.execute("COMMIT")
    except PersonnummerFound as exc:
        con.execute("ROLLBACK")
        return LoadReport(name, "rejected", lines=[str(exc)])
    except FileRejected as exc:
        con.execute("ROLLBACK")
        return LoadReport(name, "rejected", lines=[str(exc)])
    except Exception as exc:
        # A reader's or the database's own error on something in this file: the file is
        # refused and named, the other files of the command still load. Only the error's
        # type and where it arose are logged (its text may quote a cell of the file).
        con.execute("ROLLBACK")
        frame = exc.__traceback__
        while frame and frame.tb_next:
            frame = frame.tb_next
        where = f"{Path(frame.tb_frame.f_code.co_filename).name}:{frame.tb_lineno}" if frame else "?"
        log.error("oväntat fel (%s, %s) vid inläsningen av en fil", type(exc).__name__, where)
        return LoadReport(name, "rejected", lines=[str(FileRejected(
            name, f"oväntat fel vid inläsningen ({type(exc).__name__}, {where}); inget lästes in från filen. "
                  "Kontrollera att filen är en export från källan och inte ändrad för hand, och rapportera felet "
                  "(typ och plats ovan, inte filens innehåll) om den är det."))])
    except BaseException:
        con.execute("ROLLBACK")
        raise
    log.info("loaded %s as %s: %d accepted, %d rejected", name, result.source_format, accepted, len(result.rejected))
    return LoadReport(name, "ok", result.source_format, accepted, len(result.rejected), load_id,
                      rows_replaced=new_replaced[1], rows_new=new_replaced[0], lines=lines, touched=touched)


# A file with the name of an earlier one is a corrected version of it when at least this
# share of the earlier one's rows have a key the new one has too.
SAME_DATASET_SHARE = 0.5


def _earlier_version(con, name: str, table: str,
                    frame: pd.DataFrame | str | None) -> tuple[list[int], dict[int, str]]:
    """The earlier loads of a file named ``name`` that this one is a corrected version of
    (their rows are then removed before this one's are added), and what the report says
    about each earlier load (load id -> line).

    A browser saves many downloads under one name ("2023.json", "export.csv", every
    kommun's "Åtgärdsplan bob 2025.xlsx"): only a file that shares most of an earlier
    one's keys (:data:`SAME_DATASET_SHARE`) replaces it. One with other data (another KPI,
    other years or kommuner) is added beside it, and the report says so."""
    loads = [r[0] for r in con.execute("SELECT load_id FROM load_log WHERE source_file = ? AND status = 'ok' "
                                       "ORDER BY load_id", [name]).fetchall()]
    if not loads or frame is None:
        return [], {}
    replaced, said = [], {}
    for load_id in loads:
        rows, shared = _shared_keys(con, table, frame, load_id)
        if rows == 0 or shared >= SAME_DATASET_SHARE * rows:
            replaced.append(load_id)
            said[load_id] = f"Ersätter den tidigare versionen av {name} (inläsning {load_id}, {rows} rader i {table})."
        else:
            said[load_id] = (f"En tidigare fil med samma namn (inläsning {load_id}) har andra uppgifter ({shared} av "
                             f"{rows} rader har samma nyckel som i den här filen); den ligger kvar och den här läggs "
                             "till.")
    return replaced, said


# Yearly statistics: a download of other years (SCB's or Kolada's last five years, a
# window that moves) revises the years it holds and leaves the others.
_YEARLY = ("population", "kolada_value", "bra_statistic")


def _years_outside(con, earlier: list[int], table: str, frame, said: dict[int, str]) -> list[int]:
    """``earlier`` without the loads of yearly statistics that hold years the new version
    does not: their rows of the new version's years are removed here, the other years
    kept (the load stays 'ok'), and the report's line about such a load (``said``, from
    :func:`_earlier_version`) says both. Returns the loads to remove whole."""
    if table not in _YEARLY or not earlier:
        return earlier
    with _readable(con, frame) as source:
        years = sorted(r[0] for r in con.execute(f"SELECT DISTINCT year FROM {source}").fetchall())
    whole = []
    for load_id in earlier:
        outside = sorted(r[0] for r in con.execute(
            f"SELECT DISTINCT year FROM {table} WHERE load_id = ? AND NOT list_contains(?, year)",
            [load_id, years]).fetchall())
        if not outside:
            whole.append(load_id)
            continue
        revised = sorted(r[0] for r in con.execute(
            f"DELETE FROM {table} WHERE load_id = ? AND list_contains(?, year) RETURNING year",
            [load_id, years]).fetchall())
        said[load_id] = (f"Ersätter åren {_years(revised)} från inläsning {load_id}; "
                         f"{_years(outside)} finns inte i den här filen och ligger kvar.")
    return whole


def _years(years: list[int]) -> str:
    """'2020', '2020 och 2021' or '2020, 2021 och 2022'."""
    names = [str(y) for y in dict.fromkeys(years)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} och {names[-1]}"


def _key_columns(con, table: str) -> list[str]:
    """The columns that name a row of ``table``: its primary key (an incident: its id)."""
    if table == "incident":
        return ["incident_id"]
    [keys] = con.execute("SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? "
                         "AND constraint_type = 'PRIMARY KEY'", [table]).fetchall()[0]
    return list(keys)


# What makes two rows the same data when their keys carry the file's metadata: a measure's
# id holds its plan's (kommun, organisation, year), which a corrected sidecar changes.
_SAME_DATA = {"measure": ["prioritised_area", "title"]}


def _shared_keys(con, table: str, frame: pd.DataFrame | str, load_id: int) -> tuple[int, int]:
    """(rows load ``load_id`` has in ``table``, how many of them have a key ``frame`` has,
    or for a measure the same area and title)."""
    keys = _SAME_DATA.get(table) or _key_columns(con, table)
    columns = ", ".join(f'"{k}"' for k in keys)
    with _readable(con, frame) as source:
        # Neither a key nor an area or title has NULLs, so a shared one is one whose first
        # column joined.
        return con.execute(
            f'SELECT count(*), count(f."{keys[0]}") FROM {table} AS t LEFT JOIN (SELECT DISTINCT {columns} '
            f"FROM {source}) AS f USING ({columns}) WHERE t.load_id = ?", [load_id]).fetchone()


@contextlib.contextmanager
def _readable(con, frame: pd.DataFrame | str):
    """The name a query reads ``frame`` by: a temporary table's own, or the DataFrame's,
    registered for the query and unregistered after it."""
    if isinstance(frame, str):
        yield frame
        return
    con.complete()
    con.register("_offered", frame)
    try:
        yield "_offered"
    finally:
        # After an error these fail too (the transaction is aborted) and would hide it.
        with contextlib.suppress(duckdb.Error):
            con.complete()  # fetchone() leaves the result open
            con.unregister("_offered")


def _cut_off(path: Path, source_format: str) -> list[str]:
    """A report line when a text table does not end with a line break: every program that
    saves CSV ends its last row with one, so the file may have been cut off while it was
    saved or copied, and its last row (a number cut short, '2175;21') read as if whole."""
    if not source_format.endswith("-csv"):
        return []
    with open(path, "rb") as fh:
        # Excel's Unicode text is UTF-16: its line break is two bytes.
        width = 2 if fh.read(2) in (b"\xff\xfe", b"\xfe\xff") else 1
        fh.seek(0, 2)
        if fh.tell() < width:
            return []
        fh.seek(-width, 2)
        last = fh.read(width).strip(b"\x00")
    if last in (b"\n", b"\r"):
        return []
    return ["Filen slutar mitt på en rad (utan radbrytning): om den avbröts när den sparades eller kopierades kan "
            "sista raden vara ofullständig. Jämför sista raden med källan, eller ladda ned filen igen."]


def _new_and_replaced(con, table: str, frame: pd.DataFrame | str) -> tuple[int, int]:
    """(keys of the frame not stored in ``table``, keys already stored) by its primary key."""
    keys = _key_columns(con, table)
    columns = ", ".join(f'"{k}"' for k in keys)
    with _readable(con, frame) as source:
        # A primary key has no NULLs, so a stored key is one whose first column joined.
        return con.execute(
            f'SELECT count(*) - count(t."{keys[0]}"), count(t."{keys[0]}") FROM (SELECT DISTINCT {columns} '
            f"FROM {source}) AS f LEFT JOIN {table} AS t USING ({columns})").fetchone()


def _incident_months(con, where: str, params: list) -> set:
    """Calendar months (first days) of the incidents matching ``where``."""
    return {r[0] for r in con.execute(
        f"SELECT DISTINCT date_trunc('month', occurred_at)::DATE FROM incident WHERE {where}", params).fetchall()}


def _touched_by_deleting(con, load_ids: list[int], plan_ids: list[str]) -> dict[str, set | None]:
    """What removing earlier loads and replaced plans changes (before it is removed)."""
    touched: dict[str, set | None] = {}
    if load_ids:
        touched["incident"] = _incident_months(con, "list_contains(?, load_id)", [load_ids])
        for table in HAS_LOAD_ID - {"incident"}:
            touched[table] = None
        touched.update(measure_followup=None, plan_analysis=None, load_log=None)
    if plan_ids:
        touched.update(plan=None, measure=None, measure_followup=None, plan_analysis=None)
    return touched


def _merge_touched(reports: list[LoadReport]) -> dict[str, set | None]:
    merged: dict[str, set | None] = {"load_log": None, "rejected_row": None}
    for r in reports:
        for table, months in r.touched.items():
            if months is None or merged.get(table, set()) is None:
                merged[table] = None
            else:
                merged[table] = merged.get(table, set()) | months
    return merged


# What a folder holds besides the files to load: the operating system's own files and
# the lock file Excel keeps beside a workbook it has open ('~$plan.xlsx').
_NOT_DATA = re.compile(r"^(?:\.|~\$)|^(?:thumbs\.db|desktop\.ini)$", re.IGNORECASE)


def files_in(folder: Path) -> list[Path]:
    """The files a folder given to ``ingest`` holds, by name: a länsstyrelse keeps its
    kommuner's plans, or a month's exports, in one folder. Not its subfolders, hidden and
    system files, Excel's lock files, or a file's sidecar (``plan.xlsx.toml``, read with
    ``plan.xlsx``)."""
    found = sorted((p for p in folder.iterdir() if p.is_file() and not _NOT_DATA.search(p.name)),
                   key=lambda p: p.name.casefold())
    names = {p.name for p in found}
    return [p for p in found
            if not any(p.name.endswith(s) and p.name[:-len(s)] in names for s in SIDECAR_SUFFIXES)]


def ingest(
    db: Path,
    files: list[Path],
    strict: bool = False,
    fmt: str | None = None,
    options: dict | None = None,
) -> list[LoadReport]:
    """Load files into ``db`` and publish the result once, with marts refreshed."""
    reports: list[LoadReport] = []
    try:
        with warehouse.write_session(db) as con:
            # A bulk file is staged in temporary tables; above this DuckDB spills them to
            # disk instead of growing (15 M incident rows stay well within 1.5 GiB RSS).
            con.execute("SET memory_limit = $limit", {"limit": LOAD_MEMORY_LIMIT})
            for path in files:
                given = files_in(Path(path)) if Path(path).is_dir() else [Path(path)]
                if not given:
                    reports.append(LoadReport(Path(path).name, "rejected",
                                              lines=[f"{path}: mappen innehåller inga filer att läsa in."]))
                    continue
                for file in given:
                    if not file.is_file():
                        reports.append(LoadReport(file.name, "rejected", lines=[f"{file}: filen finns inte."]))
                        continue
                    reports.append(load_file(con, file, strict=strict, fmt=fmt, options=options))
            if not any(r.status == "ok" for r in reports):
                raise _NothingToPublish
            # One transaction for all the marts: each statement committed on its own wrote
            # and synced the write-ahead log again (most of an incremental month's marts).
            con.execute("BEGIN TRANSACTION")
            marts.refresh(con, _merge_touched([r for r in reports if r.status == "ok"]))
            con.execute("COMMIT")
    except _NothingToPublish:
        pass  # the published file is left exactly as it was
    return reports


# Phrases of the report a load made before loads recorded what they replace
# (load_replaced): a line with one of them says it replaced stored data.
_REPLACED_SAID = ("ersatte lagrade värden", "Ersätter den tidigare versionen", "Ersätter åren",
                  "ersattes av en uppdaterad version", "lagrade händelser togs bort")
# Formats whose rows another load of the same format may have offered too: such a load
# kept the stored row and added nothing, so removing the stored one would lose it.
_KEPT_STORED = ("incident",)
_KEPT_SAID = "rader fanns redan och lades inte till igen"


@dataclass
class RemoveReport:
    load_ids: list[int]
    ok: bool
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return "\n".join(self.lines)


def remove(db: Path, load_ids: list[int]) -> RemoveReport:
    """Take out what the loads ``load_ids`` added, in one transaction with the marts, and
    mark them 'removed' in the load log (their rejected rows stay as a record).

    Refused, with nothing changed, for a load that is not there or not loaded ('replaced',
    'removed'), for one that replaced stored data (removing it would not bring that back:
    loading the right file replaces it instead), and for an incident load followed by a
    load of the same format not also removed (events both offered are stored under the
    first only). The same file may be loaded again afterwards."""
    wanted = sorted(dict.fromkeys(int(i) for i in load_ids))
    # Checked on the published file first: a refusal then costs no copy of the warehouse
    # (hundreds of MB nationally). One built before load_replaced existed is checked in
    # the write session, where the schema is brought up to date; so is every removal, under
    # the lock, in case a load came in between.
    try:
        con = warehouse.open_read_only(db)
    except warehouse.WarehouseError as exc:
        return RemoveReport(wanted, False, [str(exc)])
    try:
        problems = _removal_problems(con, wanted)[0]
    except duckdb.CatalogException:
        problems = []
    finally:
        con.close()
    if problems:
        return RemoveReport(wanted, False, problems)
    try:
        return _remove(db, wanted)
    except _Refused as refused:
        return RemoveReport(wanted, False, refused.problems)


def _remove(db: Path, wanted: list[int]) -> RemoveReport:
    with warehouse.write_session(db) as con:
        problems, found = _removal_problems(con, wanted)
        if problems:
            raise _Refused(problems)
        touched = _touched_by_deleting(con, wanted, [])
        con.execute("BEGIN TRANSACTION")
        if con.execute("SELECT count(*) FROM incident_version").fetchone()[0]:
            # An event's recorded version without the event reads as "removed by a later
            # version" (readers.polisen): it goes with the event.
            con.execute("DELETE FROM incident_version WHERE incident_id IN "
                        "(SELECT incident_id FROM incident WHERE list_contains(?, load_id))", [wanted])
        deleted = _delete_loads(con, wanted, status="removed")
        stamp = datetime.now().replace(microsecond=0)
        con.execute("UPDATE load_log SET message = concat_ws(' | ', message, ?) WHERE list_contains(?, load_id)",
                    [f"Borttagen {stamp:%Y-%m-%d %H:%M} (python -m pipelines remove).", wanted])
        marts.refresh(con, touched)
        con.execute("COMMIT")
    names = ", ".join(f"{i} ({found[i][0]})" for i in wanted)
    rows = ", ".join(f"{n} rader ur {t}" for t, n in deleted.items()) or "inga rader låg kvar"
    log.info("removed loads %s", wanted)
    return RemoveReport(wanted, True, [
        f"Borttagen: inläsning {names}; {rows}. Sammanställningarna är uppdaterade.",
        "Samma fil kan läsas in igen."])


def _removal_problems(con, wanted: list[int]) -> tuple[list[str], dict[int, tuple]]:
    """Why the loads ``wanted`` cannot be removed (empty: they can), and their load_log
    rows (load id -> source_file, source_format, status, message)."""
    problems: list[str] = []
    found = {r[0]: r[1:] for r in con.execute(
        "SELECT load_id, source_file, source_format, status, message FROM load_log "
        "WHERE list_contains(?, load_id)", [wanted]).fetchall()}
    recorded = con.execute("SELECT value FROM dataset_info WHERE key = 'replacements_recorded_from'").fetchone()
    recorded_from = int(recorded[0]) if recorded else None
    removable = [i for i in wanted if i in found and found[i][2] == "ok"]
    for load_id in wanted:
        if load_id not in found:
            problems.append(f"Inläsning {load_id} finns inte (se python -m pipelines status eller sidan Data).")
            continue
        name, _, status, message = found[load_id]
        if status != "ok":
            problems.append(f"Inläsning {load_id} ({name}) är redan "
                            + ("borttagen." if status == "removed" else "ersatt av en senare version av filen."))
            continue
        replaced = [r[0] for r in con.execute("SELECT replaced FROM load_replaced WHERE load_id = ?",
                                              [load_id]).fetchall()]
        if recorded_from is None or load_id < recorded_from:
            replaced += [line.strip() for line in (message or "").split(" | ")
                         if any(phrase in line for phrase in _REPLACED_SAID)]
        if replaced:
            problems.append(f"Inläsning {load_id} ({name}) ersatte lagrade uppgifter som en borttagning inte "
                            f"tar tillbaka: {'; '.join(replaced)}. Läs in den rätta filen i stället; den "
                            "ersätter uppgifterna.")
            continue
        # Later loads that offered rows of this one again (kept under this one): recorded
        # from `recorded_from` on; before that, any later load of the same format may have.
        later = [(i, f) for i, f in con.execute(
            "SELECT DISTINCT l.load_id, l.source_file FROM load_shared AS s JOIN load_log AS l USING (load_id) "
            "WHERE s.earlier_load_id = ? AND l.status = 'ok' AND NOT list_contains(?, l.load_id) ORDER BY 1",
            [load_id, wanted]).fetchall()]
        if not later and (recorded_from is None or load_id < recorded_from) and any(
                t in _KEPT_STORED for t in _tables_of(con, load_id)):
            # Before that record: a later load whose report says rows were there already.
            later = con.execute(
                "SELECT load_id, source_file FROM load_log WHERE load_id > ? AND status = 'ok' "
                "AND contains(message, ?) AND NOT list_contains(?, load_id) AND (? IS NULL OR load_id < ?) "
                "ORDER BY load_id", [load_id, _KEPT_SAID, wanted, recorded_from, recorded_from]).fetchall()
        if later:
            problems.append(
                f"Inläsning {load_id} ({name}) har rader som också fanns i senare inläsningar: "
                f"{', '.join(f'{i} ({f})' for i, f in later)}. De ligger bara under den första och skulle "
                "försvinna ur databasen. Ta bort inläsningarna samtidigt (python -m pipelines remove "
                f"{' '.join(str(i) for i in sorted({*removable, *(i for i, _ in later)}))}) och läs in de rätta "
                "filerna igen.")
    return problems, found


def _tables_of(con, load_id: int) -> list[str]:
    """The tables holding rows of a load."""
    return [t for t in sorted(HAS_LOAD_ID)
            if con.execute(f"SELECT 1 FROM {t} WHERE load_id = ? LIMIT 1", [load_id]).fetchone()]


class _Refused(Exception):
    """Aborts a removal (the published file is left as it was); carries the reasons."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


class _NothingToPublish(Exception):
    """Aborts a write session whose files were all duplicates or rejected."""
