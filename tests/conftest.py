"""Shared fixtures: a reference warehouse built once per session, copied per test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

# One BLAS thread per test process, set before numpy loads OpenBLAS (the xdist workers
# inherit it): with two workers on two cores, each library's own threads waited on each
# other, and the exact privacy checks' factorisations (tests/test_disclosure_joint.py's
# eigh of a month's 772 hidden cells) took 6.8 s instead of 0.3 s.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import pytest  # noqa: E402
from helpers import shown_cells  # noqa: E402
from streamlit.testing.v1.element_tree import Dataframe  # noqa: E402

from pipelines.build import build_reference_db  # noqa: E402

# A table's texts as the grid shows them (tests/helpers.py: shown_cells); ``.value`` holds
# the numbers a number column sorts by.
Dataframe.shown = property(shown_cells)

TEST_DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def waits(monkeypatch) -> list[float]:
    """The pauses a live API's client asked for (pipelines.fetch.sleep), recorded instead
    of slept: a test of a busy API (HTTP 429, 503, Retry-After) never waits for real."""
    asked: list[float] = []
    monkeypatch.setattr("pipelines.fetch.sleep", asked.append)
    return asked


# xdist_group under pytest 9.2 (tests/xdist_groups.py).
pytest_plugins = ["xdist_groups"]


@pytest.fixture(scope="session")
def reference_db_template(tmp_path_factory) -> Path:
    """A warehouse holding only the reference geography (built once)."""
    db = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    build_reference_db(db)
    return db


@pytest.fixture(scope="session")
def geometry(reference_db_template):
    """Every area's polygon in the reference warehouse: area_code, name, level,
    approximate, geojson (the map builders' input)."""
    import duckdb

    con = duckdb.connect(str(reference_db_template), read_only=True)
    try:
        return con.execute(
            "SELECT g.area_code, a.name, g.level, g.approximate, g.geojson "
            "FROM area_geometry g JOIN area a USING (area_code) ORDER BY g.area_code"
        ).df()
    finally:
        con.close()


@pytest.fixture
def empty_db(reference_db_template, tmp_path) -> Path:
    """A fresh copy of the reference warehouse for one test to load into."""
    db = tmp_path / "lagesbild.duckdb"
    shutil.copyfile(reference_db_template, db)
    return db


# The demo warehouse the dashboard tests read: small, seeded and with a fixed "today", so
# every value is the same on every run. Built once per test run (about 15 s, most of it
# publishing the signals' protected layers).
DEMO_SIZE = 20_000
DEMO_SEED = 7
DEMO_TODAY = "2026-01-15"  # data t.o.m. 2025-12-31


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Iterator[Path]:
    """A small demo warehouse (pipelines.demo) with every table and mart filled.

    Under xdist (``make test``: ``-n 3``) the workers share it: the first to need it builds
    it in the run's temporary folder, the other waits for it (a lock) and reads the same
    file, read-only as every test does (a test that changes a warehouse takes a copy).
    Each worker checks at the end of the run that the file is as it was built: a test
    that wrote to it fails the run there, instead of changing what later tests read."""
    import fcntl
    from datetime import date

    from pipelines.demo import build_demo

    run = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run = run.parent  # the workers' folders (popen-gw0, popen-gw1) are in the run's
    folder = run / "demo-shared"
    folder.mkdir(exist_ok=True)
    db, built = folder / "demo.duckdb", folder / "built"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not built.exists():
            for leftover in folder.glob("demo.duckdb*"):  # a build cut short
                leftover.unlink()
            build_demo(db, DEMO_SIZE, seed=DEMO_SEED, today=date.fromisoformat(DEMO_TODAY))
            built.write_text(_file_state(db))
        as_built = built.read_text()
    yield db
    assert _file_state(db) == as_built, f"{db} was written by a test: take a copy (shutil.copyfile) to change it"


def _file_state(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size} {stat.st_mtime_ns}"


@pytest.fixture(scope="session", autouse=True)
def fast_apptest():
    """Skip Streamlit's scan of every installed package for custom components, which each
    new AppTest repeats (1.1-1.7 s); the dashboard uses no custom components. For every
    test (a module that did not ask for it paid the scan per page run until one did)."""
    from streamlit.components.v2.component_manager import BidiComponentManager

    original = BidiComponentManager.discover_and_register_components
    BidiComponentManager.discover_and_register_components = lambda self, *a, **k: None
    yield
    BidiComponentManager.discover_and_register_components = original


@pytest.fixture(scope="module")
def raw(demo_db):
    """A plain read-only connection to the demo warehouse, for computing expected values."""
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    yield con
    con.close()


@pytest.fixture
def recorded(monkeypatch) -> dict:
    """What each page asks ``exports.download_buttons`` for (its keyword arguments: caption,
    frame, figure …), by the buttons' key; the buttons are still drawn."""
    from dashboard import exports

    calls: dict = {}
    original = exports.download_buttons

    def record(key, **kwargs):
        calls[key] = kwargs
        original(key, **kwargs)

    monkeypatch.setattr(exports, "download_buttons", record)
    return calls


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright for the browser tests (tests/browser_support.py),
    one per test module (skipped where missing)."""
    from browser_support import CHROMIUM_ARGS, chromium_or_skip

    path = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser):
    """Pages in fresh browser contexts (no shared cookies or storage; the tests' window
    unless ``viewport`` says otherwise, Swedish, downloads accepted), closed afterwards."""
    from browser_support import VIEWPORT

    contexts = []

    def make(viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or VIEWPORT, accept_downloads=True, locale="sv-SE")
        context.set_default_timeout(60_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def server(demo_db):
    """The dashboard served on the tests' demo database, one for the session (the browser
    modules share one xdist worker): a start and its first runs took 5-20 s per module.
    Chromium (``browser``) stays one per module: Playwright's event loop, left running,
    would stop the tests after them from running their own."""
    from browser_support import streamlit_server

    with streamlit_server(demo_db) as base:
        yield base
