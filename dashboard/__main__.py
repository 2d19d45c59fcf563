"""``python -m dashboard [streamlit options]``: serve the dashboard, warmed while the browser loads.

This is ``streamlit run dashboard/app.py`` plus two things. Streamlit's start-up scan of
every installed package for custom components is skipped (the dashboard has none). And
once the server answers, a background thread imports what the pages need (pandas,
plotly, pydeck, the page modules) and opens the database, filling the shared caches the
sidebar reads, and then freezes what is alive for the garbage collector. A
browser spends the first second or two after the server is up loading Streamlit's
JavaScript; without the warm-up the first visitor's page then waits for the same
imports and the database's first open. ``streamlit run dashboard/app.py`` still works,
only its first page is slower.
"""

from __future__ import annotations

import gc
import logging
import socket
import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
ROOT = APP.parents[1]

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


def warm() -> None:
    """Import the pages' libraries and fill the caches the first page and sidebar read.

    Everything here is what a first visit would do anyway; a failure (no database yet)
    is left for that visit to report in its own words.
    """
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    import pydeck  # noqa: F401
    import scipy.special  # noqa: F401  (the comparison's intervals)

    from dashboard import charts, components, exports, maps, queries  # noqa: F401
    from dashboard.queries import geo, incidents, overview, signals  # noqa: F401

    try:
        queries.data_status()
        key = geo.db_key()
        incidents.month_range()
        geo.levels_available()
        incidents.types_present()
        geo.area_index(key)
    except Exception as exc:  # the first visit shows the error properly
        log.debug("warm-up stopped: %s", type(exc).__name__)


def settle() -> None:
    """Collect once and move everything alive now (modules, libraries, the warmed caches)
    out of the garbage collector's sight. A full collection otherwise walks all of it
    every few reruns, a pause of 80-190 ms in the middle of an interaction."""
    gc.collect()
    gc.freeze()


def _warm_when_up(port: int) -> None:
    if _wait_for_server(port):
        warm()
        settle()


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
