"""The warehouse file: schema, the single writer, and safe publishing.

DuckDB allows one read-write process or many readers per file. To load while the
dashboard serves users, a writer never touches the published file: it copies it to a
private build file next to it, writes there, checkpoints, and publishes with an atomic
``os.replace``. Readers that already hold the old file keep a consistent view of it; the
next reader opens the new one. A writer killed at any moment leaves only a stray build
file, which the next writer removes. Writers are serialised by an ``flock`` on a lock file.

Readers must not use ``duckdb.connect(path)``: DuckDB caches database instances by path
and would hand back the replaced file. :func:`open_read_only` attaches the file to a
fresh in-memory instance instead, which always sees the file currently published.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

from pipelines.config import ROOT

SCHEMA_FILE = ROOT / "pipelines" / "sql" / "schema.sql"
BUILD_SUFFIX = ".building"


class WarehouseError(RuntimeError):
    """The database file is missing, locked or not a Lägesbild warehouse."""


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create any missing tables (idempotent)."""
    con.execute(SCHEMA_FILE.read_text(encoding="utf-8"))


def _lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def _build_path(db: Path) -> Path:
    return db.with_name(f"{db.name}{BUILD_SUFFIX}-{os.getpid()}")


def _remove_stale_builds(db: Path) -> None:
    for stale in db.parent.glob(f"{db.name}{BUILD_SUFFIX}-*"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def version(db: Path) -> str | None:
    """A token that changes whenever a new version of ``db`` is published."""
    try:
        st = os.stat(db)
    except FileNotFoundError:
        return None
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` (created if missing) for the block:
    another process asking for it waits until the block ends."""
    with open(lock_file, "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


@contextlib.contextmanager
def write_session(db: Path, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a read-write connection to a private copy of ``db``; publish it on success.

    With ``fresh=True`` the copy starts empty (a rebuild). On any exception the copy is
    discarded and the published file is untouched.
    """
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(_lock_path(db)):
        _remove_stale_builds(db)
        build = _build_path(db)
        flushing = None
        if db.exists() and not fresh:
            shutil.copyfile(db, build)
            flushing = _flush_in_background(build)
        con = duckdb.connect(str(build))
        try:
            apply_schema(con)
            yield con
            con.execute("CHECKPOINT")
            con.close()
            if flushing is not None:
                flushing.join()
            with open(build, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(build, db)
            dir_fd = os.open(db.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except BaseException:
            with contextlib.suppress(Exception):
                con.close()
            for leftover in (build, build.with_name(build.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
            raise


def _flush_in_background(path: Path) -> threading.Thread:
    """Start writing the fresh copy's pages to disk while the load works.

    The copy must reach the disk before it is published. Left to the end, that flush
    happened inside the first commit's log sync instead (the file system writes the
    copy's dirty pages first): half a second of waiting in an incremental month's load.
    The publish still syncs the file itself; this only starts the work early.
    """

    def flush() -> None:
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fdatasync(fd)
            finally:
                os.close(fd)

    thread = threading.Thread(target=flush, name="flush-build-copy", daemon=True)
    thread.start()
    return thread


def open_read_only(db: Path) -> duckdb.DuckDBPyConnection:
    """Open the published ``db`` read-only, bypassing DuckDB's per-path instance cache."""
    db = Path(db)
    if not db.exists():
        raise WarehouseError(f"Databasen {db} finns inte: kör 'python -m pipelines demo' först.")
    con = duckdb.connect(":memory:")
    path = str(db).replace("'", "''")
    try:
        con.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
    except duckdb.Error as exc:
        con.close()
        raise WarehouseError(f"Kan inte öppna {db}: {exc}") from exc
    con.execute("USE warehouse")
    return con
