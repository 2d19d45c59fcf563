"""Åtgärder's register and "står still" table with the columns "Bedömd" and "Bedömd i"
(when each status was assessed) in a 1366 px wide window, the sidebar open: every column
stays in sight, without scrolling sideways (tests/test_measure_assessed.py checks the
values); and a click on "Bedömd" sorts the register by time.

Needs Debian's Chromium (``make browser`` installs it); skipped without it.
"""

from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest
from browser_support import ARTIFACTS, EXCEPTION, VIEWPORT, grid_rows, settle, streamlit_server
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from pipelines.loading import ingest
from tests.test_atgardsplan import OPTIONS
from tests.test_measure_assessed import _workbook

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

AREA = "/atgarder?niva=L%C3%A4n&omrade=Stockholms+l%C3%A4n"
_TABLE = """d => { const s = d.querySelector('.dvn-scroller') || d;
    return {header: Array.from(d.querySelectorAll('table[role=grid] th'), t => t.innerText.trim()),
            content: s.scrollWidth, box: s.clientWidth}; }"""


@pytest.mark.parametrize(("tab", "headings"), [
    ("Register", ["Åtgärd", "Status", "Bedömd", "Bedömd i", "Prioriterat område", "Organisation", "Planår",
                  "Ansvarig", "Uppföljningar"]),
    ("Står still", ["Organisation", "Planår", "Prioriterat område", "Åtgärd", "Status", "Bedömd", "Bedömd i", "I rad",
                    "Sedan", "Senast", "Ansvarig"]),
], ids=["register", "star-still"])
def test_the_tables_with_the_assessment_time_fit_a_1366_px_window(browser, server, tab, headings):
    context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        page.goto(f"{server}{AREA}&atgarder_flik={quote(tab)}", wait_until="commit")
        settle(page)
        assert page.locator(EXCEPTION).count() == 0
        table = page.locator('[data-testid="stDataFrame"]').filter(
            has=page.locator("table[role=grid] th", has_text="Bedömd"))
        table.evaluate("d => d.scrollIntoView()")
        page.wait_for_timeout(500)
        found = table.evaluate(_TABLE)
        page.screenshot(path=ARTIFACTS / f"atgarder-bedomd-1366-{tab.replace(' ', '-').lower()}.png")
    finally:
        context.close()
    assert found["header"] == headings, found["header"]
    assert found["content"] <= found["box"] + 1, f"{found['content']} px i en ruta på {found['box']} px"


@pytest.fixture(scope="module")
def farsta_server(demo_db, tmp_path_factory):
    """The demo plus tests/test_measure_assessed.py's workbook for Farsta, whose follow-ups
    have dates, an undated VB summary and an undated T1 entry, served."""
    folder = tmp_path_factory.mktemp("assessed-browser")
    db = folder / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    [report] = ingest(db, [_workbook(folder / "plan.xlsx")], options=OPTIONS)
    assert report.status == "ok", report.lines
    with streamlit_server(db) as base:
        yield base


def _click_header(page, grid, help_text: str, x: float | None = None) -> float:
    """Click a column's heading as a person does; returns where. The grid is drawn on a
    canvas, its accessible table has no positions: the heading is found by its help, which
    shows when the pointer rests on it (``x``: where it was found before, clicked again)."""
    box = grid.locator("canvas").first.bounding_box()
    y = box["y"] + 17  # the heading row is 35 px high
    tip = page.get_by_text(help_text)
    # Every 40 px: "Bedömd" is 84 px wide (atgarder.ASSESSED_COLUMNS), so it is hovered at least twice
    # (each stop waits up to the tooltip's delay).
    for stop in ([x] if x is not None else range(int(box["x"]) + 20, int(box["x"] + box["width"]), 40)):
        if x is None:
            page.mouse.move(stop, y)
            try:
                tip.first.wait_for(state="visible", timeout=900)
            except PlaywrightTimeoutError:
                continue
        page.mouse.click(stop, y)
        page.wait_for_timeout(500)
        page.mouse.move(box["x"] + 10, box["y"] + box["height"] - 10)  # away: the tooltip goes
        return stop
    raise AssertionError(f"ingen kolumnrubrik med hjälptexten {help_text!r}")


HELP = "När statusen bedömdes"  # the start of the help of "Bedömd"


def test_a_click_on_bedomd_sorts_the_register_by_time(browser, farsta_server):
    context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    context.set_default_timeout(60_000)
    page = context.new_page()
    org = quote(OPTIONS["organisation"])
    try:
        page.goto(f"{farsta_server}{AREA}&atgarder_flik=Register&atgarder_orgs={org}", wait_until="commit")
        settle(page)
        assert page.locator(EXCEPTION).count() == 0
        grid = page.locator('[data-testid="stDataFrame"]').filter(
            has=page.locator("table[role=grid] th", has_text="Uppföljningar"))
        grid.evaluate("d => d.scrollIntoView({block: 'center'})")  # not under the app's top bar
        page.wait_for_timeout(500)
        header, *rows = grid_rows(grid)
        col = header.index("Bedömd")
        assert len(rows) >= 8
        x = _click_header(page, grid, HELP)  # ascending
        ascending = [r[col] for r in grid_rows(grid)[1:]]
        _click_header(page, grid, HELP, x)  # descending: the same heading again
        descending_rows = grid_rows(grid)[1:]
        page.screenshot(path=ARTIFACTS / "atgarder-bedomd-sorted.png")
    finally:
        context.close()
    # The grid's accessible table holds the rows in sight (ten of them), in the order shown;
    # it has no text for a missing date (on screen "–", and "Bedömd i" says when).
    descending = [r[col] for r in descending_rows]

    def by_time(value: str) -> tuple:
        return (value != "", value)

    # Oldest first, the rows without a date before them; then newest first. As text, "VB
    # 2025" and "T1 2025" sorted after every date and came first here.
    assert ascending == sorted(ascending, key=by_time), ascending
    assert descending == sorted(descending, key=by_time, reverse=True), descending
    assert descending[0] == "2025-11-20" and ascending[0] == "", (ascending, descending)
