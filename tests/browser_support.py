"""Helpers for the browser journeys (tests/test_browser_journeys.py): the Streamlit server,
Chromium through Playwright, waiting for a run to finish, and reading what the page shows.

The journeys drive Debian's Chromium (``/usr/bin/chromium``, installed by ``make browser``);
Playwright's own browser downloads are not used. Without Chromium the journeys are skipped.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from bench.coldstart import free_port, http_get
from dashboard.__main__ import command as serve_command

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1366, "height": 768}

# WebGL for the pydeck maps needs SwiftShader in a headless browser without a GPU. The page
# itself is composited in software: composited through SwiftShader too, every page load
# cost the GPU process 2.5-5.5 s of CPU (Data, Översikt) against 0.2-1.4 s, the maps still
# drawn by WebGL. The rest keeps Chromium from calling home during the test.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-gpu-compositing",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

RUNNING = '[data-testid="stStatusWidget"]'
EXCEPTION = '[data-testid="stException"]'


def chromium_or_skip() -> str:
    """Debian's Chromium for the browser tests, or the test is skipped saying how to get it."""
    import pytest

    from bench.coldstart import chromium_path

    path = chromium_path()
    if path is None:
        pytest.skip("Chromium saknas (/usr/bin/chromium): installera med `make browser` "
                    "(apt-get install chromium) för att köra webbläsartesterna.")
    return path


@contextlib.contextmanager
def streamlit_server(db: Path, timeout: float = 60.0) -> Iterator[str]:
    """Serve the dashboard on ``db`` the way a user starts it; yields the base URL.

    The server's output goes to tests/artifacts/streamlit.log (read it when a journey fails).
    """
    port = free_port()
    env = {**os.environ, "LAGESBILD_DB": str(Path(db).resolve())}
    cmd = serve_command(port)
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "streamlit.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while http_get(f"{base}/_stcore/health", 0.5) != b"ok":
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit avslutades med kod {proc.returncode}; se {ARTIFACTS / 'streamlit.log'}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit svarade inte på {base}/_stcore/health inom {timeout:.0f} s")
            time.sleep(0.1)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


# One frame's duration (ms). SwiftShader draws WebGL maps on the CPU: while a map draws,
# frames take hundreds of ms and every click waits for them.
_FRAME = "() => new Promise(r => requestAnimationFrame(t0 => requestAnimationFrame(t1 => r(t1 - t0))))"


def settle(page, *, quiet_ms: int = 500, timeout: float = 90.0) -> None:
    """Wait until Streamlit has finished running the script and the page has drawn it: the
    app reports no script running and no running indicator for ``quiet_ms`` in a row, no
    element is left stale from the last run or still a placeholder (lazily loaded
    elements such as charts and maps), the page has its title, and frames are quick again
    (maps drawn)."""
    deadline = time.monotonic() + timeout
    quiet_since = None
    while True:
        busy = page.evaluate(
            """([running]) => {
                 const app = document.querySelector('[data-testid="stApp"]');
                 return !app || app.getAttribute('data-test-script-state') !== 'notRunning'
                   || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
                   || !!document.querySelector(running)
                   || !!document.querySelector('[data-stale="true"]')
                   || !!document.querySelector('[data-testid="stMain"] [data-testid="stSkeleton"]')
                   || !document.querySelector('[data-testid="stMain"] h1'); }""",
            [RUNNING],
        )
        now = time.monotonic()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif (now - quiet_since) * 1000 >= quiet_ms and page.evaluate(_FRAME) < 100:
            return
        if now > deadline:
            raise TimeoutError("Streamlit blev inte klar med sidan i tid")
        page.wait_for_timeout(100)


def wait_for_query(page, key: str, value: str | None, timeout: float = 90.0) -> None:
    """Wait until the address bar's query string has ``key=value`` (``None``: no ``key``)."""
    page.wait_for_function(
        """([key, value]) => { const v = new URLSearchParams(location.search).get(key);
                               return value === null ? v === null : v === value; }""",
        arg=[key, value], timeout=timeout * 1000)


def query(page) -> dict[str, list[str]]:
    """The page's query parameters as the browser holds them."""
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(page.url).query)


def _combobox(page, label: str):
    return page.get_by_role("combobox", name=label, exact=True)


def select(page, label: str, option: str) -> None:
    """Choose ``option`` in the selectbox labelled ``label`` as a user does: open, click."""
    _combobox(page, label).click()
    page.get_by_role("option", name=option, exact=True).click()


def choose(page, label: str, option: str) -> None:
    """Click ``option`` of the radio buttons labelled ``label``, as a user does."""
    page.get_by_role("radiogroup", name=label).get_by_text(option, exact=True).click()


def chosen(page, label: str) -> str:
    """The option the radio buttons labelled ``label`` have checked, as read (no-break
    spaces as spaces, without word joiners)."""
    group = page.get_by_role("radiogroup", name=label)
    text = group.locator("label:has(input:checked)").inner_text()
    return text.replace("\u00a0", " ").replace("\u2060", "").strip()


def selected(page, label: str) -> str:
    """The text a selectbox labelled ``label`` shows."""
    return _combobox(page, label).input_value().strip()


def metrics(page) -> dict[str, str]:
    """Headline figures: metric label -> the value as shown."""
    out = {}
    for m in page.locator('[data-testid="stMetric"]').all():
        out[m.locator('[data-testid="stMetricLabel"]').inner_text().strip()] = (
            m.locator('[data-testid="stMetricValue"]').inner_text().strip())
    return out


def grid_rows(frame) -> list[list[str]]:
    """The header and the rendered rows of an st.dataframe (its accessible grid table),
    read in one call (a call per cell took seconds for a table of kommuner)."""
    rows = frame.locator("table[role=grid]").evaluate_all(
        """tables => tables.flatMap(t => Array.from(t.querySelectorAll('tr'),
               r => Array.from(r.querySelectorAll('th, td'), c => c.innerText)))""")
    return [[text.replace("\u00a0", " ").strip() for text in row] for row in rows]


def accessible_rows(page, frame) -> list[list[str]]:
    """The header and the rows in sight of an st.dataframe as assistive technology gets
    them: the accessible names Chromium computes for the cells of the grid's accessible
    table (its accessibility tree, through the DevTools protocol), row by row."""
    grids = page.locator("table[role=grid]")
    index = grids.evaluate_all("(all, one) => all.indexOf(one)", frame.locator("table[role=grid]").element_handle())
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        tables = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "table[role=grid]"})["nodeIds"]
        backend = cdp.send("DOM.describeNode", {"nodeId": tables[index]})["node"]["backendNodeId"]
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    by_id = {n["nodeId"]: n for n in nodes}
    [table] = [n for n in nodes if n.get("backendDOMNodeId") == backend]

    def role(node) -> str:
        return node.get("role", {}).get("value", "")

    def below(node, roles):  # the nodes of these roles under ``node``, in order
        for child in (by_id[c] for c in node.get("childIds", []) if c in by_id):
            if role(child) in roles:
                yield child
            else:
                yield from below(child, roles)

    return [[cell.get("name", {}).get("value", "") for cell in below(row, {"columnheader", "gridcell"})]
            for row in below(table, {"row"})]


def screenshots(page, name: str, *, max_shots: int = 6) -> list[Path]:
    """Viewport screenshots of the whole main area, scrolling down one screen at a time
    (full-page screenshots can hang with WebGL); tests/artifacts/<name>-<n>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    scroller = """() => { const main = document.querySelector('[data-testid="stMain"]');
        const cands = [main, document.querySelector('[data-testid="stAppViewContainer"]'),
                       document.scrollingElement];
        return cands.find(e => e && e.scrollHeight > e.clientHeight + 2 &&
                          getComputedStyle(e).overflowY !== 'visible') || document.scrollingElement; }"""
    page.evaluate(f"() => ({scroller})().scrollTo(0, 0)")
    page.wait_for_timeout(200)
    paths = []
    for i in range(max_shots):
        path = ARTIFACTS / f"{name}-{i + 1}.png"
        page.screenshot(path=path)
        paths.append(path)
        moved = page.evaluate(f"""() => {{ const s = ({scroller})(); const before = s.scrollTop;
            s.scrollBy(0, s.clientHeight - 80); return s.scrollTop - before; }}""")
        if moved <= 0:
            break
        page.wait_for_timeout(250)  # lets the maps and grids draw what scrolled into view
    page.evaluate(f"() => ({scroller})().scrollTo(0, 0)")
    return paths


class DeckFrames:
    """Collects what the server sends over Streamlit's websocket, to read the pydeck maps'
    initial view states exactly as the browser received them."""

    _VIEW = re.compile(rb'"initialViewState"\s*:\s*(\{[^{}]*\})')

    def __init__(self, page):
        self.frames: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._keep))

    def _keep(self, payload) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode())

    def view_states(self) -> list[dict]:
        """Every view state received so far, oldest first."""
        return [json.loads(m.group(1)) for f in self.frames for m in self._VIEW.finditer(f)]

    def pixel(self, page, lat: float, lon: float) -> tuple[float, float]:
        """The page pixel of a point on the page's (first) map, as last drawn: the map
        scrolled into view and its canvas drawn first."""
        deck = page.locator('[data-testid="stDeckGlJsonChart"]').first
        canvas = deck.locator("canvas").first
        canvas.wait_for()
        deck.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        return pixel_of(lon, lat, self.view_states()[-1], canvas.bounding_box())


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator as a fraction of the world (0..1 from west/north)."""
    x = (lon + 180.0) / 360.0
    y = (1.0 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2.0
    return x, y


def pixel_of(lon: float, lat: float, view: dict, box: dict) -> tuple[float, float]:
    """The page pixel of a point on a deck.gl map with ``view`` (latitude, longitude,
    zoom; deck.gl's world is 512 px wide at zoom 0) drawn in the canvas ``box``."""
    world = 512.0 * 2.0 ** float(view.get("zoom", 0))
    cx, cy = _mercator(float(view["longitude"]), float(view["latitude"]))
    px, py = _mercator(lon, lat)
    return box["x"] + box["width"] / 2 + (px - cx) * world, box["y"] + box["height"] / 2 + (py - cy) * world


def hover_map(page, x: float, y: float, name: str) -> str:
    """Point at a map pixel and wait for the tooltip naming ``name``; returns its text."""
    page.mouse.move(x, y)
    tooltip = page.locator(".deck-tooltip").filter(has_text=name)
    tooltip.wait_for()
    return tooltip.inner_text()


def click_map(page, x: float, y: float, name: str) -> str:
    """Click the area ``name`` on a map as a user does: point at it, see its tooltip, click.
    Returns the tooltip's text.

    deck.gl ignores a click that follows the hover's own redraw too closely, so the
    click waits until the highlighted map has been drawn (frames are quick again)."""
    text = hover_map(page, x, y, name)
    deadline = time.monotonic() + 30
    while page.evaluate(_FRAME) >= 100 and time.monotonic() < deadline:
        pass
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    # On a loaded machine a click can still land inside a redraw and be dropped; a user
    # would click again, and so does the test (once the page shows no rerun under way).
    for _ in range(2):
        try:
            page.wait_for_function("() => new URLSearchParams(location.search).has('omrade')", timeout=15_000)
            break
        except PlaywrightTimeoutError:
            settle(page)
            page.mouse.click(x, y)
    return text

