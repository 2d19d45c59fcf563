"""Cold start and the dashboard's memory: ``streamlit run`` to the first rendered page.

The server is started as a user starts it (``python -m dashboard``, which ``make run``
uses); the clock runs until Chromium (driven by
Playwright, the system's ``/usr/bin/chromium``) shows the first page's title. Without a
browser the figure is the health endpoint answering plus the first page's HTML, and the
table says so. The browser then opens every page once, and the server's peak RSS
(VmHWM) is read from /proc before it is stopped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.proc import ROOT, vm_hwm
from dashboard.__main__ import command as serve_command

FIRST_TITLE = "Översikt – lägesbild"
PAGE_PATHS = ("karta", "atgarder", "rekrytering", "jamforelse", "data")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_path() -> str | None:
    """The system's Chromium ($BROWSER_PATH, /usr/bin/chromium or on $PATH), or None."""
    for candidate in (os.environ.get("BROWSER_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def http_get(url: str, timeout: float = 1.0) -> bytes | None:
    """The body at ``url``, or None while nothing answers there."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read()
    except OSError:
        return None


def measure(db: Path, timeout: float = 120.0) -> dict:
    """Seconds from spawn to the first page rendered, health time, and the server's peak RSS.

    The browser is started before the clock (a user's browser is already open).
    """
    browser = chromium_path()
    if browser is None:
        return _serve(db, timeout, None)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=browser, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            return _serve(db, timeout, b)
        finally:
            b.close()


def _serve(db: Path, timeout: float, b) -> dict:
    port = free_port()
    env = {**os.environ, "LAGESBILD_DB": str(db.resolve()), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    cmd = serve_command(port)
    base = f"http://127.0.0.1:{port}"
    result: dict = {"browser": None}
    page = b.new_page(viewport={"width": 1366, "height": 768}) if b is not None else None
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while time.perf_counter() - started < timeout:
            if http_get(f"{base}/_stcore/health", 0.5) == b"ok":
                break
            if proc.poll() is not None:
                raise RuntimeError("streamlit avslutades: " + proc.stderr.read().decode()[-1000:])
            time.sleep(0.02)
        result["health_seconds"] = time.perf_counter() - started
        if page is None:
            http_get(base + "/", 5)
            result["first_page_seconds"] = time.perf_counter() - started
            result["method"] = "health + HTML (ingen Chromium)"
        else:
            result.update(_browse(base, page, started, timeout))
    finally:
        hwm = vm_hwm(proc.pid)  # read before it exits (ru_maxrss would include our own RSS at fork)
        proc.send_signal(signal.SIGTERM)
        rusage = None
        with contextlib.suppress(ChildProcessError):
            deadline = time.time() + 20
            while time.time() < deadline:
                pid, _status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid == proc.pid:
                    rusage = usage
                    break
                time.sleep(0.05)
            else:
                proc.kill()
                _pid, _status, rusage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped above: keep Popen from waiting again
        result["peak_rss"] = hwm or (rusage.ru_maxrss * 1024 if rusage else None)
    return result


def _browse(base: str, page, started: float, timeout: float) -> dict:
    out: dict = {"method": "Chromium (Playwright, startad före klockan) tills sidans rubrik syns"}
    page.goto(base + "/", wait_until="commit", timeout=timeout * 1000)
    page.get_by_role("heading", name=FIRST_TITLE).first.wait_for(timeout=timeout * 1000)
    out["first_page_seconds"] = time.perf_counter() - started
    out["browser"] = "chromium"
    # Every page once, so the server's peak RSS covers what a session touches.
    visits = {}
    for path in PAGE_PATHS:
        t0 = time.perf_counter()
        page.goto(f"{base}/{path}", wait_until="commit", timeout=timeout * 1000)
        page.locator("h1").first.wait_for(timeout=timeout * 1000)
        page.wait_for_timeout(300)
        visits[path] = time.perf_counter() - t0
    out["page_visit_seconds"] = visits
    return out


if __name__ == "__main__":  # manual check: python -m bench.coldstart DB
    print(measure(Path(sys.argv[1])))
