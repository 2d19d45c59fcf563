"""``python -m dashboard [streamlit options]``: serve the dashboard, warmed while the browser loads.

This is ``streamlit run dashboard/app.py`` plus three things. Streamlit's start-up scan
of every installed package for custom components is skipped (the dashboard has none).
Once the server answers, a background thread warms the server in two steps:

1. at once, what every page's first lines need (the query layer, the database's first
   open, the sidebar's cached look-ups): light work, done while a browser is still
   loading Streamlit's JavaScript (about a second);
2. then what the pages' bodies need (pandas, plotly, pydeck, scipy, the page modules),
   but only once the first page has run, or nobody has asked for one within
   :data:`IDLE_BEFORE_REST` seconds. Run earlier, these imports took the CPU and the
   interpreter from both the browser's loading and the first page's script: its title
   came about a second later. Finally what is alive is frozen for the garbage
   collector, and the project's modules are byte-compiled for the next start
   (``PYTHONDONTWRITEBYTECODE`` may be set, as it is on the CI machines);
3. last, the recruitment signals' country-wide layers for the period choices, the
   default first (:func:`warm_signals`).

Then, every :data:`WATCH_SECONDS`, the thread looks for a newly published database (a
load while the server runs) and warms steps 1 and 3 again for it (:func:`rewarm_if_new`).

``streamlit run dashboard/app.py`` still works, only its first page is slower.
"""

from __future__ import annotations

import compileall
import gc
import logging
import socket
import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
ROOT = APP.parents[1]
# Seconds after the light warm-up that the heavy one waits for a first page to start.
IDLE_BEFORE_REST = 3.0
# Seconds between the warm-up thread's looks for a newly published database (a load while
# the server runs gives every cache a new key): the first visitor after a load then finds
# the caches warm too, not only the first after a start.
WATCH_SECONDS = 30.0

log = logging.getLogger("lagesbild.warmup")


def _port(argv: list[str]) -> int:
    """The port given on the command line (``--server.port N`` or ``=N``), else 8501."""
    for i, arg in enumerate(argv):
        if arg.startswith("--server.port="):
            return int(arg.split("=", 1)[1])
        if arg == "--server.port" and i + 1 < len(argv):
            return int(argv[i + 1])
    return 8501


def _wait_for_server(port: int, timeout: float = 60.0) -> bool:
    # Warming before the server answers would only compete with its start-up for the GIL.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def warm_first() -> None:
    """Fill what the sidebar and every page's first lines read: no pandas, no figures.

    Everything here is what a first visit would do anyway; a failure (no database yet)
    is left for that visit to report in its own words.
    """
    from dashboard import components, filters, queries  # noqa: F401
    from dashboard.queries import geo, incidents

    try:
        queries.data_status()
        key = geo.db_key()
        incidents.month_range()
        incidents.last_complete()
        geo.levels_available()
        incidents.types_present()
        geo.area_index(key)
        geo.within("polisregion", geo.RIKET)  # the link table, read whole once
    except Exception as exc:  # the first visit shows the error properly
        log.debug("warm-up stopped: %s", type(exc).__name__)


def warm_rest() -> None:
    """Import what the pages' bodies need: the frame, figure and map libraries, our modules."""
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import pydeck  # noqa: F401
    import scipy.special  # noqa: F401  (the comparison's intervals)

    # Streamlit looks for a leading emoji in the text of st.info, st.warning and the like
    # when it is not plain ASCII (Swedish text never is): its emoji table takes about a
    # second to load, once, and would otherwise fall on the first page that shows a notice.
    import streamlit.emojis  # noqa: F401

    from dashboard import charts, exports, maps  # noqa: F401
    from dashboard.queries import overview, signals  # noqa: F401


def warm_signals() -> None:
    """Protect the recruitment signals' country-wide layers for the period choices (the
    default, the last twelve whole months, first; then this year so far and last year):
    seconds of work that choosing a breakdown on Rekryteringssignaler would otherwise
    wait for."""
    from dashboard import periods
    from dashboard.queries import incidents, signals

    try:
        first, last = incidents.month_range()
        if first is None:
            return
        # The default period's country-wide layers per breakdown too: choosing a
        # breakdown is then a cache hit there.
        for i, months in enumerate(periods.quick_ranges(first, last, incidents.last_complete())):
            signals.warm(*months, layers=i == 0)
    except Exception as exc:  # the page shows the error properly
        log.debug("warm-up stopped: %s", type(exc).__name__)


def warm() -> None:
    """Both warm-up steps at once (the benchmark's in-process pages)."""
    warm_first()
    warm_rest()


def compile_project() -> None:
    """Byte-compile the project's modules where their cached bytecode is missing or stale."""
    for package in ("dashboard", "pipelines"):
        compileall.compile_dir(ROOT / package, quiet=2)


def settle() -> None:
    """Collect once and move everything alive now (modules, libraries, the warmed caches)
    out of the garbage collector's sight. A full collection otherwise walks all of it
    every few reruns, a pause of 80-190 ms in the middle of an interaction."""
    gc.collect()
    gc.freeze()


def published_version() -> str | None:
    """The version token of the database the dashboard reads (None: none yet)."""
    from dashboard import queries
    from pipelines import warehouse

    try:
        return warehouse.version(queries.db_file())
    except Exception as exc:  # a broken configuration: the pages say what is wrong
        log.debug("no database version: %s", type(exc).__name__)
        return None


def rewarm_if_new(warmed: str | None) -> str | None:
    """Warm again what :func:`warm_first` and :func:`warm_signals` fill when the published
    database is not the version ``warmed`` (a load published a new one since); return the
    version warmed now."""
    version = published_version()
    if version is None or version == warmed:
        return warmed
    log.debug("new database version: warming again")
    warm_first()
    warm_signals()
    return version


def _warm_when_up(port: int) -> None:
    from dashboard import startup

    if not _wait_for_server(port):
        return
    warmed = published_version()
    warm_first()
    if startup.run_started.wait(IDLE_BEFORE_REST):
        startup.run_finished.wait(60)
    warm_rest()
    settle()
    compile_project()
    warm_signals()
    while True:
        time.sleep(WATCH_SECONDS)
        warmed = rewarm_if_new(warmed)


def command(port: int) -> list[str]:
    """The command that serves the dashboard headless on 127.0.0.1:``port`` (tests, bench)."""
    return [sys.executable, "-m", "dashboard", "--server.headless", "true", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false"]


def skip_component_scan() -> None:
    """Make Streamlit skip its start-up scan for custom components.

    Streamlit reads the metadata of every installed package (about 270 here, 0.3-0.5 s
    before the server answers; each new AppTest repeats it) looking for custom
    components. The dashboard uses none; should it ever use one, delete this function.
    """
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:
        return
    if hasattr(manifest_scanner, "scan_component_manifests"):
        manifest_scanner.scan_component_manifests = lambda max_workers=None: []


def main(argv: list[str] | None = None) -> None:
    """Start the warm-up thread and run Streamlit's own ``streamlit run`` on the app."""
    args = list(sys.argv[1:] if argv is None else argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    threading.Thread(target=_warm_when_up, args=(_port(args),), name="lagesbild-warmup", daemon=True).start()
    skip_component_scan()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *args]
    cli.main()


if __name__ == "__main__":
    main()
