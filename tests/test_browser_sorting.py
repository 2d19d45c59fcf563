"""A click on a number column's heading sorts the table by the numbers, as a person expects:
Karta's table of kommuner by population (as texts "10 234" came before "9 876", and
Stockholm was nowhere near the top), and by recruitment signals, where the hidden ("..")
and the missing ("–") values sort together below every number, never between them.

The grid is drawn on a canvas; its accessible table holds the rows in sight in the order
shown, with the values the grid sorts by (a number column's numbers; a hidden or missing
value as -Infinity, drawn on screen as ".." or "–": tests/test_table_sorting.py checks
the texts). Needs Debian's Chromium (``make browser`` installs it); skipped without it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from browser_support import ARTIFACTS, EXCEPTION, grid_rows, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

KOMMUNER = "/karta?" + urlencode({"karta_niva": "Kommun", "matt": "Rekryteringssignaler"})


def _number(text: str) -> float:
    return float("-inf") if text == "-Infinity" else float(text)


def _heading_x(page, grid, header: str) -> float:
    """Where to click the heading ``header``, found as a person finds it: by clicking.
    The accessible table has no positions, so the heading row is clicked along until the
    grid marks ``header`` as the sorted one ("↑ Befolkning")."""
    box = grid.locator("canvas").first.bounding_box()
    for x in range(int(box["x"]) + 30, int(box["x"] + box["width"]) - 10, 60):
        page.mouse.click(x, box["y"] + 17)  # the heading row is 35 px high
        page.wait_for_timeout(400)
        if f"↑ {header}" in grid_rows(grid)[0]:
            return x
    raise AssertionError(f"ingen kolumnrubrik {header!r} bland {grid_rows(grid)[0]}")


def _click(page, grid, x: float) -> list[list[str]]:
    """Click the heading row at ``x`` once more (the other direction); the rows in sight."""
    box = grid.locator("canvas").first.bounding_box()
    page.mouse.click(x, box["y"] + 17)
    page.wait_for_timeout(400)
    page.mouse.move(box["x"] + 10, box["y"] + box["height"] - 10)
    return grid_rows(grid)


def test_a_click_on_a_number_heading_sorts_by_the_numbers(new_page, server):
    page = new_page()
    page.goto(server + KOMMUNER, wait_until="commit")
    settle(page)
    assert page.locator(EXCEPTION).count() == 0
    page.get_by_text("Tabell: rekryteringssignaler", exact=False).first.click()
    settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').filter(
        has=page.locator("table[role=grid] th", has_text="Befolkning"))
    grid.evaluate("d => d.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(500)
    # The grid's own toolbar offers no CSV of those numbers (its -Infinity for ".."):
    # the table's Excel and CSV buttons are the exports.
    grid.hover()
    page.wait_for_timeout(500)
    tools = page.locator('[data-testid="stElementToolbar"] button').evaluate_all(
        "bs => bs.map(b => b.getAttribute('aria-label') || b.title || b.innerText)")
    header, *_ = grid_rows(grid)
    people = header.index("Befolkning")
    signals = header.index("Rekryteringssignaler")
    name = header.index("Kommun")
    x = _heading_x(page, grid, "Befolkning")
    rising = grid_rows(grid)
    falling = _click(page, grid, x)
    page.screenshot(path=ARTIFACTS / "sortering-befolkning.png")
    x = _heading_x(page, grid, "Rekryteringssignaler")
    signals_rising = grid_rows(grid)
    page.screenshot(path=ARTIFACTS / "sortering-signaler.png")
    signals_falling = _click(page, grid, x)

    assert any("Search" in t for t in tools) and not any("Download" in t for t in tools), tools
    assert rising[0][people].startswith("↑") and falling[0][people].startswith("↓")
    small = [_number(r[people]) for r in rising[1:]]
    large = [_number(r[people]) for r in falling[1:]]
    assert len(small) >= 8 and small == sorted(small), small
    assert large == sorted(large, reverse=True), large
    # The three largest kommuner first; as texts "99 …" came before "975 …".
    assert [r[name] for r in falling[1:4]] == ["Stockholm", "Göteborg", "Malmö"], falling[1:4]
    # Hidden and missing values (-Infinity) first when rising, before every number...
    low = [_number(r[signals]) for r in signals_rising[1:]]
    assert low == sorted(low), low
    assert low[0] == float("-inf"), low
    # ... and never among the largest when falling.
    high = [_number(r[signals]) for r in signals_falling[1:]]
    assert high == sorted(high, reverse=True) and float("-inf") not in high, high
