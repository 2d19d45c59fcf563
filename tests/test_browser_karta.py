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


def distinct_colours(png: bytes) -> int:
    """How many colours a screenshot holds (an empty map: one or two)."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def test_the_map_and_its_legend_fit_the_first_screen_at_1366_by_768(browser, server):
    # At 1366 × 768 the legend under a 560 px map was below the fold: the map's colours
    # could not be read without scrolling away from them.
    context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        page.goto(server + SKANE_CHANGE, wait_until="commit")
        settle(page)
        deck = page.locator('[data-testid="stDeckGlJsonChart"]').first
        # The legend: the page's HTML with colour swatches (maps.legend_html).
        legend = page.locator('[data-testid="stMain"] .stHtml:has(span[style*="border:1px solid #888"])').first
        deck.locator("canvas").first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "karta-1366x768.png"))
        height = page.viewport_size["height"]
        assert height == 768
        map_box, legend_box = deck.bounding_box(), legend.bounding_box()
        assert map_box["height"] >= 380 and map_box["y"] + map_box["height"] <= height, map_box
        assert 0 <= legend_box["y"] and legend_box["y"] + legend_box["height"] <= height, legend_box
        assert "inom slumpen" in legend.inner_text()  # the grey of the changes chance could give, named
        # The map is drawn (WebGL through SwiftShader in this headless browser), not a blank box,
        # and the notice for a browser without WebGL stays hidden.
        assert distinct_colours(deck.screenshot()) > 3
        assert not page.locator(".lagesbild-no-webgl").first.is_visible()
        assert page.locator(EXCEPTION).count() == 0
    finally:
        context.close()


def test_a_browser_without_webgl_says_so_and_the_image_shows_the_map(browser, server):
    # Without WebGL (turned off in the browser's settings or by an organisation's policy)
    # deck.gl draws nothing: the map was a silent white box.
    from browser_support import CHROMIUM_ARGS, chromium_or_skip

    without = browser.browser_type.launch(executable_path=chromium_or_skip(), args=[*CHROMIUM_ARGS, "--disable-3d-apis"])
    page = without.new_page(viewport=VIEWPORT, locale="sv-SE")
    page.set_default_timeout(60_000)
    try:
        assert page.evaluate("() => !document.createElement('canvas').getContext('webgl2')")
        chart = show_image(page, server, SKANE_CHANGE)
        page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollIntoView()")
        notice = page.locator(".lagesbild-no-webgl").first
        notice.wait_for(state="visible")
        box = notice.bounding_box()
        assert box["y"] + box["height"] <= page.viewport_size["height"]  # on the first screen, beside the map
        assert "WebGL" in notice.inner_text() and "Karta som bild" in notice.inner_text()
        # … and what it points to is drawn without WebGL.
        chart.scroll_into_view_if_needed()
        assert chart.locator(".scatterlayer path.js-fill").count() > 10
        chart.screenshot(path=str(ARTIFACTS / "karta-utan-webgl-bild.png"))
    finally:
        without.close()
