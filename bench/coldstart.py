"""Cold start and the dashboard's memory: ``streamlit run`` to the first rendered page.

The server is started as a user starts it (``python -m dashboard``, which ``make run``
uses); the clock runs until the first page's title is in the page Chromium (driven by
Playwright, the system's ``/usr/bin/chromium``) shows. That moment is read from the page
itself (a MutationObserver notes when the heading arrives, on the machine's own clock):
Playwright's polling for the heading noticed it 0.1-0.3 s later on this machine, which
is the harness, not the dashboard. Its time is reported beside it. Without a browser
the figure is the health endpoint answering plus the first page's HTML, and the table
says so.

The machine is shared and one start swings by a second, so the server is started
:data:`STARTS` times (a new process and a new browser page each time) and the median is
the figure (``python -m bench --quick``, which keeps the bench from rotting: once). On
the last start the browser opens every page once, and the server's peak RSS (VmHWM) is
read from /proc before it is stopped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.proc import ROOT, vm_hwm
from dashboard.__main__ import command as serve_command

FIRST_TITLE = "Översikt – lägesbild"
PAGE_PATHS = ("karta", "atgarder", "rekrytering", "jamforelse", "data")
STARTS = 3
# Notes (epoch ms) when the first page's title enters the document.
TITLE_WATCH = """
window.__lagesbildTitle = null;
new MutationObserver((_, observer) => {
  for (const h of document.querySelectorAll('h1')) {
    if (h.textContent.includes(%s)) {
      window.__lagesbildTitle = performance.timeOrigin + performance.now();
      observer.disconnect();
      return;
    }
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


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


def measure(db: Path, timeout: float = 120.0, starts: int = STARTS) -> dict:
    """Seconds from spawn to the first page rendered (median of ``starts``), health time,
    and the server's peak RSS.

    The browser is started before the clock (a user's browser is already open); each
    start gets a new page with an empty cache.
    """
    browser = chromium_path()
    if browser is None:
        runs = [_serve(db, timeout, None, visit=i == starts - 1) for i in range(starts)]
    else:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=browser, args=["--no-sandbox", "--disable-dev-shm-usage"])
            try:
                runs = []
                for i in range(starts):
                    context = b.new_context(viewport={"width": 1366, "height": 768})
                    try:
                        runs.append(_serve(db, timeout, context, visit=i == starts - 1, starts=starts))
                    finally:
                        context.close()
            finally:
                b.close()
    result = dict(runs[-1])
    for key in ("first_page_seconds", "health_seconds", "title_seen_seconds"):
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            result[key] = statistics.median(values)
    result["first_page_runs"] = [r["first_page_seconds"] for r in runs]
    return result


def _serve(db: Path, timeout: float, context, visit: bool, starts: int = STARTS) -> dict:
    port = free_port()
    env = {**os.environ, "LAGESBILD_DB": str(db.resolve()), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    cmd = serve_command(port)
    base = f"http://127.0.0.1:{port}"
    result: dict = {"browser": None}
    page = context.new_page() if context is not None else None
    if page is not None:
        page.add_init_script(TITLE_WATCH % repr(FIRST_TITLE))
    started = time.perf_counter()
    started_epoch = time.time()
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
            result.update(_browse(base, page, started, started_epoch, timeout, visit, starts))
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


def _browse(base: str, page, started: float, started_epoch: float, timeout: float, visit: bool,
            starts: int = STARTS) -> dict:
    each = (f"median av {starts} starter, ny process och tom webbläsarcache varje gång" if starts > 1
            else "en start, ny process och tom webbläsarcache")
    out: dict = {"method": f"Chromium (Playwright, startad före klockan) tills sidans rubrik finns i sidan; {each}"}
    page.goto(base + "/", wait_until="commit", timeout=timeout * 1000)
    page.get_by_role("heading", name=FIRST_TITLE).first.wait_for(timeout=timeout * 1000)
    out["title_seen_seconds"] = time.perf_counter() - started
    arrived = page.evaluate("window.__lagesbildTitle")
    out["first_page_seconds"] = arrived / 1000 - started_epoch if arrived else out["title_seen_seconds"]
    out["browser"] = "chromium"
    if not visit:
        return out
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
