"""Åtgärder's register and "står still" table with the column "Bedömd" (when each
status was assessed) in a 1366 px wide window, the sidebar open: every column stays in
sight, without scrolling sideways (tests/test_measure_assessed.py checks the values).

Needs Debian's Chromium (``make browser`` installs it); skipped without it.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from browser_support import ARTIFACTS, EXCEPTION, VIEWPORT, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

AREA = "/atgarder?niva=L%C3%A4n&omrade=Stockholms+l%C3%A4n"
_TABLE = """d => { const s = d.querySelector('.dvn-scroller') || d;
    return {header: Array.from(d.querySelectorAll('table[role=grid] th'), t => t.innerText.trim()),
            content: s.scrollWidth, box: s.clientWidth}; }"""


@pytest.mark.parametrize(("tab", "headings"), [
    ("Register", ["Åtgärd", "Status", "Bedömd", "Prioriterat område", "Organisation", "Planår", "Ansvarig",
                  "Uppföljningar"]),
    ("Står still", ["Organisation", "Planår", "Prioriterat område", "Åtgärd", "Status", "Bedömd", "I rad", "Sedan",
                    "Senast", "Ansvarig"]),
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
