"""The dashboard in a narrow window: a laptop's browser at half the screen (800 px wide,
sidebar open, about 480 px for the page), and a laptop's whole screen at 1280 px (about
820 px for the page). What a person reads there must not be cut.

Needs Debian's Chromium (``make browser`` installs it); skipped without it.
"""

from __future__ import annotations

import pytest
from browser_support import ARTIFACTS, EXCEPTION, screenshots, settle

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


# Every text a chart draws (title, legend entries, notes, tick labels) and every chart title
# the page writes above a chart, as the browser lays them out: what reaches past the chart's
# right or left edge (plotly clips it there: "…per månad – Region", "Ett år tidigare
# (januari 2024 – decemb"), and the page's titles wider than their box.
_CHART_TEXTS = """() => {
  const out = [];
  for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const box = chart.getBoundingClientRect();
    for (const t of chart.querySelectorAll('svg text')) {
      const r = t.getBoundingClientRect();
      const text = t.textContent.trim();
      if (text && r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1)) out.push(text);
    }
  }
  const main = document.querySelector('[data-testid="stMain"] .block-container')
            || document.querySelector('[data-testid="stMain"]');
  const right = main.getBoundingClientRect().right;
  const titles = Array.from(document.querySelectorAll('.lagesbild-chart-title')).map(e => {
    if (e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > right + 1) out.push(e.textContent);
    return e.textContent.trim();
  });
  return {cut: out, titles, charts: document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg').length};
}"""


@pytest.mark.parametrize("width", [800, 1280])
@pytest.mark.parametrize(("path", "title"), [
    ("/?niva=Polisregion&omrade=Region+V%C3%A4st", "Händelser per månad – Region Väst (polisregion)"),
    ("/atgarder?niva=Kommun&omrade=Botkyrka", "Åtgärdernas status per prioriterat område – Botkyrka, 2025"),
    ("/rekrytering?uppdelning=Signaltyp", "Rekryteringssignaler per månad och signaltyp, Hela landet"),
    ("/jamforelse?niva=Polisregion&omrade=Region+V%C3%A4st",
     "Händelser (alla händelsetyper), alla polisregioner i landet, januari 2025 – december 2025"),
    ("/jamforelse?niva=Kommun&omrade=Botkyrka&jmf_flik=Liknande+omr%C3%A5den",
     "Händelser (alla händelsetyper), index (2020 = 100): Botkyrka och liknande kommuner"),
], ids=["oversikt", "atgarder", "rekrytering", "jamforelse", "jamforelse-index"])
def test_chart_titles_and_legends_are_whole_in_a_narrow_and_a_wide_window(browser, server, path, title, width):
    """In an 800 px window Översikt's chart title read "Händelser per månad – Region" and its
    legend "Ett år tidigare (januari 2024 – decemb": plotly wraps neither. The titles are the
    page's text now, wrapped at the chart's width, and the legend's entries are short."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        page.goto(server + path, wait_until="commit")
        settle(page)
        assert page.locator(EXCEPTION).count() == 0
        page.locator('[data-testid="stPlotlyChart"] .main-svg').first.wait_for()
        found = page.evaluate(_CHART_TEXTS)
        screenshots(page, f"charts-{width}-" + (path.strip("/").split("?")[0] or "oversikt"), max_shots=3)
    finally:
        context.close()
    assert not found["cut"], f"avkortat vid {width} px: {found['cut']}"
    assert title in found["titles"]


# Each table's columns as laid out against the box they are drawn in (wider: it scrolls sideways).
_TABLE_WIDTHS = """() => Array.from(document.querySelectorAll('[data-testid="stDataFrame"]')).map(d => {
  const s = d.querySelector('.dvn-scroller') || d;
  return {header: Array.from(d.querySelectorAll('table[role=grid] th'), t => t.innerText.trim()),
          content: s.scrollWidth, box: s.clientWidth};
})"""


@pytest.mark.parametrize(("name", "path"), [
    ("polisregioner", "/jamforelse?niva=Polisregion&omrade=Region+V%C3%A4st"),
    ("lpo-signaler", "/jamforelse?niva=Lokalpolisomr%C3%A5de&omrade=S%C3%B6dermalm"
                     "&jmf_matt=Rekryteringssignaler+%28per+1+000+unga+12%E2%80%9317+%C3%A5r%29"),
    ("atgarder-och-utfall", "/jamforelse?niva=Polisregion&omrade=Region+V%C3%A4st"
                            "&jmf_flik=%C3%85tg%C3%A4rder+och+utfall"),
], ids=["polisregioner", "lpo-signaler", "atgarder-och-utfall"])
def test_the_comparison_tables_fit_a_1280_px_window(browser, server, name, path):
    """Jämförelse's side-by-side table took 915 px of the 818 px the page has at 1280 px (the
    sidebar open), so "Inom slumpens variation" and the change were out of sight."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        page.goto(server + path, wait_until="commit")
        settle(page)
        assert page.locator(EXCEPTION).count() == 0
        table = page.locator('[data-testid="stDataFrame"]').first
        table.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        tables = page.evaluate(_TABLE_WIDTHS)
        table.screenshot(path=ARTIFACTS / f"table-1280-jamforelse-{name}.png")
    finally:
        context.close()
    [first] = tables[:1]
    assert first["content"] <= first["box"] + 1, f"{first['content']} px i en ruta på {first['box']} px"
    assert "Inom slumpen" in first["header"], first["header"]


@pytest.mark.parametrize(("key", "path", "headings"), [
    ("oversikt_change", "/?niva=Polisomr%C3%A5de&omrade=Stockholm+syd",
     ["Lokalpolisområde", "Antal", "Året innan", "Förändr.", "%", "Per 100 000"]),
    ("oversikt_change", "/", ["Polisregion", "Antal", "Året innan", "Förändr.", "%", "Per 100 000"]),
    ("jmf_similar", "/jamforelse?niva=L%C3%A4n&omrade=Hallands+l%C3%A4n&jmf_flik=Liknande+omr%C3%A5den",
     ["Län", "Invånare", "12–17 år", "Per km²", "Avstånd"]),
    ("jmf_similar", "/jamforelse?niva=Lokalpolisomr%C3%A5de&omrade=S%C3%B6dermalm&jmf_flik=Liknande+omr%C3%A5den",
     ["Lokalpolisområde", "Invånare", "12–17 år", "Per km²", "Avstånd"]),
], ids=["oversikt-lpo", "oversikt-polisregioner", "jamforelse-lan", "jamforelse-lpo"])
def test_the_change_and_similar_areas_tables_fit_an_800_px_window(narrow_page, server, key, path, headings):
    """Översikt's "Vad förändrades mest" took 624 px and Jämförelse's similar areas 553 px of
    the 466 px an 800 px window gives the page: the change in per cent and the distance were
    out of sight. Short headings (the full wording as help) and narrow number columns fit."""
    page = narrow_page
    page.goto(server + path, wait_until="commit")
    settle(page)
    assert page.locator(EXCEPTION).count() == 0
    # The table is told apart by its last heading (a table's element carries no key).
    table = page.locator('[data-testid="stDataFrame"]').filter(
        has=page.locator("table[role=grid] th", has_text=headings[-1]))
    table.evaluate("d => d.scrollIntoView()")
    page.wait_for_timeout(500)
    found = table.evaluate("""d => { const s = d.querySelector('.dvn-scroller') || d;
        return {header: Array.from(d.querySelectorAll('table[role=grid] th'), t => t.innerText.trim()),
                content: s.scrollWidth, box: s.clientWidth}; }""")
    table.screenshot(path=ARTIFACTS / f"table-800-{key}-{path.split('omrade=')[-1][:12]}.png")
    assert found["content"] <= found["box"] + 1, f"{found['content']} px i en ruta på {found['box']} px"
    assert found["header"] == headings, found["header"]


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, NARROW], ids=["1366", "800"])
def test_the_screen_reader_toggle_fits_the_sidebar_below_the_filters(browser, server, viewport):
    """The sidebar's last setting, "Tabeller för skärmläsare", reads whole (its label not
    cut, its help icon inside the sidebar), below the filters, and the sidebar does not
    scroll sideways for it."""
    context = browser.new_context(viewport=viewport, locale="sv-SE")
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        page.goto(server + "/data?skarmlasare=1", wait_until="commit")
        settle(page)
        assert page.locator(EXCEPTION).count() == 0
        sidebar = page.locator('[data-testid="stSidebar"]')
        toggle = sidebar.locator('[data-testid="stCheckbox"]').filter(has_text="Tabeller för skärmläsare")
        toggle.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=ARTIFACTS / f"sidebar-skarmlasare-{viewport['width']}.png")
        layout = toggle.evaluate("""t => {
            const side = t.closest('[data-testid="stSidebarContent"]') || t.closest('[data-testid="stSidebar"]');
            const box = side.getBoundingClientRect();
            const label = t.querySelector('[data-testid="stWidgetLabel"]') || t.querySelector('label');
            const text = document.createRange(); text.selectNodeContents(label);
            const help = t.querySelector('[data-testid="stTooltipIcon"], [data-testid="stTooltipHoverTarget"]');
            const types = Array.from(document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stMultiSelect"]'));
            return {text: label.innerText.trim(), over: text.getBoundingClientRect().right - box.right,
                    help: help ? help.getBoundingClientRect().right - box.right : null,
                    below: types.length === 1 && types[0].getBoundingClientRect().bottom <= t.getBoundingClientRect().top,
                    sideways: side.scrollWidth - side.clientWidth,
                    checked: t.querySelector('input').checked}; }""")
        assert layout["text"] == "Tabeller för skärmläsare", layout
        assert layout["over"] <= 0 and layout["help"] is not None and layout["help"] <= 0, layout
        assert layout["below"] and layout["sideways"] <= 0 and layout["checked"], layout
    finally:
        context.close()
