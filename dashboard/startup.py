"""What the launcher's warm-up learns from the app: whether a first page has started or
finished running (``dashboard/__main__.py`` waits on these; ``app.py`` sets them)."""

from __future__ import annotations

import threading

run_started = threading.Event()
run_finished = threading.Event()
