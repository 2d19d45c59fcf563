"""Karta in Chromium: what only the browser shows (the map image's preview on a closed
network, the 1 km squares with their area's outline).

Needs Debian's Chromium (``make browser`` installs it); skipped without it.
"""

from __future__ import annotations

import pytest
from browser_support import ARTIFACTS, EXCEPTION, VIEWPORT, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

SKANE_CHANGE = "/karta?niva=L%C3%A4n&omrade=Sk%C3%A5ne+l%C3%A4n&matt=F%C3%B6r%C3%A4ndring+mot+ett+%C3%A5r+tidigare+(%25)"



@pytest.fixture
def offline_page(browser, server):
    """A page on a closed network: only the dashboard's own server answers; every other
    request is refused and its address kept in ``page.refused``."""
    context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    context.set_default_timeout(60_000)
    refused: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(server) or url.startswith(("data:", "blob:")):
            return r.continue_()
        refused.append(url)
        return r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.refused = refused
    yield page
    context.close()


def show_image(page, server: str, path: str):
    """Open ``path`` and turn on "Karta som bild"; the Plotly preview, drawn."""
    page.goto(server + path, wait_until="commit")
    settle(page)
    page.locator('[data-testid="stMain"] label').filter(has_text="Karta som bild").first.click()
    settle(page)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    chart.locator(".scatterlayer path.js-fill").first.wait_for(state="attached")
    return chart


def test_the_map_image_preview_draws_its_areas_without_network(offline_page, server, raw):
    page = offline_page
    chart = show_image(page, server, SKANE_CHANGE)
    chart.screenshot(path=str(ARTIFACTS / "karta-bild-offline.png"))
    kommuner = raw.execute("SELECT count(*) FROM area WHERE level = 'kommun' AND parent_code = '12'").fetchone()[0]
    assert chart.locator(".scatterlayer path.js-fill").count() == kommuner  # every kommun drawn as a filled shape
    assert not [url for url in page.refused if "plot.ly" in url], page.refused
    # Its hover names the area under the pointer, with value and rank.
    box = chart.locator(".scatterlayer path.js-fill").nth(kommuner // 2).bounding_box()
    names = {n for (n,) in raw.execute("SELECT name FROM area WHERE level = 'kommun' AND parent_code = '12'").fetchall()}
    for dx, dy in ((0.5, 0.5), (0.4, 0.6), (0.6, 0.4), (0.5, 0.3), (0.5, 0.7)):
        page.mouse.move(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        hover = chart.locator(".hoverlayer .hovertext")
        if hover.count():
            break
    text = hover.first.text_content()
    assert "Rang:" in text and any(name in text for name in names), text
    assert page.locator(EXCEPTION).count() == 0


def test_the_squares_image_preview_draws_the_areas_outline_under_them(offline_page, server, raw):
    # 8 squares floated on white, with no outline, on screen and in the PNG.
    page = offline_page
    chart = show_image(page, server, "/karta?niva=Kommun&omrade=Stockholm&vy=1+km-rutor")
    chart.screenshot(path=str(ARTIFACTS / "karta-rutor-bild.png"))
    squares = raw.execute("""SELECT count(*) FROM (SELECT grid_cell FROM incident WHERE kommun_code = '0180'
                             AND grid_cell IS NOT NULL AND occurred_at >= DATE '2025-01-01'
                             AND occurred_at < DATE '2026-01-01' GROUP BY 1 HAVING count(*) >= 5)""").fetchone()[0]
    fills = chart.locator(".scatterlayer path.js-fill").count()
    assert squares and fills > squares + 1  # the squares, Stockholm and its neighbours
    # Stockholm's dark outline is drawn.
    strokes = chart.locator(".scatterlayer path.js-line").evaluate_all(
        "paths => paths.map(p => getComputedStyle(p).stroke)")
    assert "rgb(60, 60, 60)" in strokes, strokes
    assert not [url for url in page.refused if "plot.ly" in url], page.refused
