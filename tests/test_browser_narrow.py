"""The dashboard in a narrow window: a laptop's browser at half the screen (800 px wide,
sidebar open, about 480 px for the page). What a person reads there must not be cut.

Needs Debian's Chromium (``make browser`` installs it); skipped without it.
"""

from __future__ import annotations

import pytest
from browser_support import EXCEPTION, screenshots, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

NARROW = {"width": 800, "height": 900}

# Each card's label and figures as the browser lays them out: the texts wider than their box
# (the browser then shows them cut with an ellipsis: "Skjut…", "1 …"), and whether the card
# reaches past the page's right edge.
_CARDS = """() => {
  const main = document.querySelector('[data-testid="stMain"] .block-container')
            || document.querySelector('[data-testid="stMain"]');
  const right = main.getBoundingClientRect().right;
  return Array.from(document.querySelectorAll('[data-testid="stMetric"]')).map(card => {
    const cut = Array.from(card.querySelectorAll('*'))
      .filter(e => getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1)
      .map(e => e.textContent.trim());
    return {label: card.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
            value: card.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
            cut, outside: card.getBoundingClientRect().right > right + 1};
  });
}"""


@pytest.fixture
def narrow_page(browser):
    context = browser.new_context(viewport=NARROW, locale="sv-SE")
    context.set_default_timeout(60_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(("path", "labels"), [
    ("/?niva=Polisregion&omrade=Region+V%C3%A4st",
     ["Skjutningar", "Explosioner", "Våld", "Rekryteringssignaler", "Åtgärder uppnådda"]),
    ("/atgarder?niva=Kommun&omrade=Botkyrka",
     ["Uppnådd", "Delvis uppnådd", "Påbörjad", "Ej uppnådd", "Ej bedömd"]),
    ("/jamforelse?niva=Polisregion&omrade=Region+V%C3%A4st",
     ["Ökat mer än slumpen förklarar", "Minskat mer än slumpen förklarar", "Inom slumpens variation"]),
], ids=["oversikt", "atgarder", "jamforelse"])
def test_headline_cards_show_their_whole_labels_and_figures_in_a_narrow_window(narrow_page, server, path, labels):
    page = narrow_page
    page.goto(server + path, wait_until="commit")
    settle(page)
    assert page.locator(EXCEPTION).count() == 0
    cards = page.evaluate(_CARDS)
    screenshots(page, "narrow-" + (path.strip("/").split("?")[0] or "oversikt"), max_shots=2)
    assert [c["label"] for c in cards] == labels
    for card in cards:
        # In five columns of 90 px the figures read "1 …" and the labels "Skjut…".
        assert not card["cut"], f"{card['label']}: {card['cut']} visas avkortat"
        assert not card["outside"], f"{card['label']} går utanför sidan"
        assert card["value"] and "…" not in card["value"]
