"""Browser journeys: what a person sees in Chromium, driven by Playwright.

The dashboard runs as a user starts it (``streamlit run dashboard/app.py``) on the small
demo warehouse of tests/conftest.py; values on screen are checked against that warehouse
with SQL. Every page is photographed into tests/artifacts/ (1366×768, one picture per
screenful) so a person can look at them after the run.

Needs Debian's Chromium (``make browser`` installs it); skipped without it.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from browser_support import (
    ARTIFACTS,
    EXCEPTION,
    VIEWPORT,
    DeckFrames,
    choose,
    chosen,
    click_map,
    grid_rows,
    hover_map,
    metrics,
    query,
    screenshots,
    select,
    selected,
    settle,
    streamlit_server,
    wait_for_query,
)
from helpers import swedish_number as number

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

# Sidebar entry -> the page's Swedish title and its address.
PAGES = [
    ("Översikt", "Översikt – lägesbild", "/"),
    ("Karta", "Karta", "/karta"),
    ("Åtgärder", "Åtgärder", "/atgarder"),
    ("Rekryteringssignaler", "Rekryteringssignaler", "/rekrytering"),
    ("Regional jämförelse", "Regional jämförelse", "/jamforelse"),
    ("Data", "Data", "/data"),
]
VIOLENCE = ("mord/dråp", "våldsbrott", "rån", "hot")  # "Våld" as the Översikt caption defines it



def open_app(page, server: str, path: str = "/") -> None:
    page.goto(server + path, wait_until="commit")
    settle(page)


def body_text(page) -> str:
    return page.locator("body").inner_text()


def assert_no_error(page) -> None:
    assert page.locator(EXCEPTION).count() == 0, page.locator(EXCEPTION).first.inner_text()
    text = body_text(page)
    assert "Error" not in text and "Traceback" not in text, text[:2000]


def violence(raw, region_code: str, start: date, end: date) -> int:
    """Violent incidents in a polisregion's län from ``start`` to before ``end``."""
    return raw.execute(
        f"""SELECT count(*) FROM incident WHERE incident_type IN ({", ".join("?" * len(VIOLENCE))})
            AND lan_code IN (SELECT area_code FROM area WHERE level = 'lan' AND parent_code = ?)
            AND occurred_at >= ? AND occurred_at < ?""",
        [*VIOLENCE, region_code, start, end]).fetchone()[0]


# --- 1. every page ------------------------------------------------------------------------------


def test_every_page_opens_from_the_sidebar_with_title_demo_notice_and_data_note(new_page, server, raw):
    page = new_page()
    open_app(page, server)
    # The tab's icon comes from the app itself (the machines it runs on may be offline).
    icon = page.eval_on_selector("link[rel~='icon']", "e => e.href")
    answer = page.request.get(icon)
    assert icon.startswith(server) and answer.ok and answer.headers["content-type"] == "image/png"
    last_incident = raw.execute("SELECT max(occurred_at)::DATE FROM incident").fetchone()[0]
    for entry, title, path in PAGES:
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=entry, exact=True).click()
        page.locator('[data-testid="stMain"] h1').filter(has_text=re.compile(f"^{re.escape(title)}$")).wait_for()
        settle(page)
        assert page.url.split("?")[0].rstrip("/") == (server + path).rstrip("/")
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == title
        # The demo notice at the top, and the data note at the end of the page.
        assert page.get_by_text("Demodata – syntetiska siffror").first.is_visible()
        note = page.locator(".st-key-data_note")
        assert note.count() == 1, f"{title}: ingen dataruta"
        note_text = note.inner_text()
        assert "Om uppgifterna" in note_text and "Demodata" in note_text
        assert f"händelser {last_incident.isoformat()}" in note_text, note_text
        assert_no_error(page)
        slug = path.strip("/") or "oversikt"
        shots = screenshots(page, f"page-{slug}")
        assert shots and all(p.stat().st_size > 10_000 for p in shots)
        assert_no_error(page)  # nothing broke while scrolling (maps and tables draw lazily)


# --- 2 and 3. filters in the URL, and a copied link -------------------------------------------------


def test_changed_filters_go_to_the_url_and_a_copied_link_reopens_the_same_view(new_page, server, raw):
    page = new_page()
    open_app(page, server)
    country = metrics(page)

    select(page, "Geografisk nivå", "Polisregion")
    wait_for_query(page, "niva", "Polisregion")
    settle(page)
    select(page, "Område", "Region Syd")
    wait_for_query(page, "omrade", "Region Syd")
    settle(page)
    shown = metrics(page)
    expected = violence(raw, "SYD", date(2025, 1, 1), date(2026, 1, 1))
    assert number(shown["Våld"]) == expected
    assert number(country["Våld"]) != expected  # the figure did change with the filter
    assert "Region Syd (polisregion) · januari 2025 – december 2025" in body_text(page)

    # The quick choices name their months under their names (the demo's data end with
    # December 2025); the address holds the plain name, without the no-break spaces that
    # hold the months together on screen.
    assert chosen(page, "Period") == "Senaste 12 månaderna"
    lines = page.get_by_role("radiogroup", name="Period").inner_text().replace("\u00a0", " ").replace("\u2060", "")
    assert [line for line in lines.splitlines() if line.strip()] == [
        "Senaste 12 månaderna", "jan–dec 2025", "Hittills i år", "jan–dec 2025", "Föregående år", "2024",
        "Välj månader"], lines
    choose(page, "Period", "Föregående år")
    wait_for_query(page, "period", "Föregående år")
    assert "%C2%A0" not in page.url and "%E2%81%A0" not in page.url, page.url
    settle(page)
    shown = metrics(page)
    assert number(shown["Våld"]) == violence(raw, "SYD", date(2024, 1, 1), date(2025, 1, 1))
    assert "januari 2024 – december 2024" in body_text(page)
    assert_no_error(page)
    screenshots(page, "journey-filter-region-syd", max_shots=1)

    # The link, pasted into another browser (a new context shares nothing with this one).
    link = page.url
    other = new_page()
    open_app(other, server, link.removeprefix(server))
    assert selected(other, "Geografisk nivå") == "Polisregion"
    assert selected(other, "Område") == "Region Syd"
    assert chosen(other, "Period") == "Föregående år"
    assert metrics(other) == shown
    assert other.url == link
    assert_no_error(other)
    screenshots(other, "journey-copied-link", max_shots=1)


# --- 4. the map drills down ----------------------------------------------------------------------------


def test_clicking_an_area_on_the_map_selects_it_and_shows_its_children(new_page, server, raw):
    page = new_page()
    frames = DeckFrames(page)
    open_app(page, server, "/karta")
    lat, lon = raw.execute("""SELECT centroid_lat, centroid_lon FROM area_geometry WHERE area_code = 'NORD'""").fetchone()
    x, y = frames.pixel(page, lat, lon)

    # Hovering names the area (the tooltip), then a click selects it.
    tip = click_map(page, x, y, "Region Nord")
    assert "Antal händelser" in tip and "Rang" in tip
    wait_for_query(page, "omrade", "Region Nord")
    settle(page)
    assert query(page) == {"niva": ["Polisregion"], "omrade": ["Region Nord"]}
    assert selected(page, "Geografisk nivå") == "Polisregion"
    assert selected(page, "Område") == "Region Nord"
    page.get_by_text("Antal händelser, polisområden i Region Nord", exact=True).wait_for()

    # The map now shows Region Nord's polisområden: the table lists exactly them, and
    # hovering one of them on the redrawn map names it.
    children = raw.execute(
        """SELECT a.name, g.centroid_lat, g.centroid_lon FROM area a JOIN area_geometry g USING (area_code)
           WHERE a.level = 'polisomrade' AND a.parent_code = 'NORD' ORDER BY a.name""").fetchall()
    page.locator('[data-testid="stExpander"] summary').filter(has_text="Tabell").click()
    grid = page.locator('[data-testid="stExpander"] [data-testid="stDataFrame"]').first
    grid.locator("table[role=grid]").wait_for(state="attached")
    rows = grid_rows(grid)
    assert rows[0][0] == "Polisområde"
    assert sorted(r[0] for r in rows[1:]) == [c[0] for c in children]

    name, lat, lon = max(children, key=lambda c: c[1])  # the northernmost: Norrbotten
    x, y = frames.pixel(page, lat, lon)
    hover_map(page, x, y, name)
    assert_no_error(page)
    page.screenshot(path=ARTIFACTS / "journey-map-drilldown.png")


def test_back_after_a_click_on_the_map_shows_the_area_before_the_click(new_page, server, raw):
    """A click changes the level and the area; Back shows the view before it (level and area
    together), never another level's first area with a warning."""
    page = new_page()
    frames = DeckFrames(page)
    open_app(page, server, "/karta?niva=Polisregion&omrade=Region+Mitt")
    lat, lon = raw.execute("""SELECT centroid_lat, centroid_lon FROM area_geometry
                              WHERE area_code = 'PO-GAVLEBORG'""").fetchone()
    x, y = frames.pixel(page, lat, lon)
    click_map(page, x, y, "Gävleborg")
    wait_for_query(page, "omrade", "Gävleborg")
    settle(page)
    assert query(page) == {"niva": ["Polisområde"], "omrade": ["Gävleborg"]}

    page.go_back(wait_until="commit")
    wait_for_query(page, "niva", "Polisregion")
    settle(page)
    assert query(page) == {"niva": ["Polisregion"], "omrade": ["Region Mitt"]}
    assert (selected(page, "Geografisk nivå"), selected(page, "Område")) == ("Polisregion", "Region Mitt")
    page.get_by_text("Antal händelser, polisområden i Region Mitt", exact=True).wait_for()
    assert page.locator('[data-testid="stAlert"]').filter(has_text="finns inte").count() == 0

    page.go_forward(wait_until="commit")
    wait_for_query(page, "omrade", "Gävleborg")
    settle(page)
    assert (selected(page, "Geografisk nivå"), selected(page, "Område")) == ("Polisområde", "Gävleborg")
    assert_no_error(page)


def test_back_after_a_click_on_the_whole_countrys_map_shows_the_whole_country(new_page, server, raw):
    """From the whole country a click sets a level and an area. Streamlit records the level
    first, so one Back lands on an address naming the level alone: it shows the whole
    country, as before the click, and no notice about a link ("Länken anger nivån
    polisregion men inget område") that the user never opened."""
    page = new_page()
    frames = DeckFrames(page)
    open_app(page, server, "/karta")
    lat, lon = raw.execute("SELECT centroid_lat, centroid_lon FROM area_geometry WHERE area_code = 'MITT'").fetchone()
    x, y = frames.pixel(page, lat, lon)
    click_map(page, x, y, "Region Mitt")
    wait_for_query(page, "omrade", "Region Mitt")
    settle(page)
    page.get_by_text("Antal händelser, polisområden i Region Mitt", exact=True).wait_for()

    page.go_back(wait_until="commit")
    wait_for_query(page, "niva", None)
    settle(page)
    assert query(page) == {}
    assert selected(page, "Geografisk nivå") == "Riket"
    page.get_by_text("Antal händelser, alla polisregioner i landet", exact=True).wait_for()
    assert "Länken" not in body_text(page)
    assert_no_error(page)


# --- 5. downloads ------------------------------------------------------------------------------


def test_png_and_xlsx_downloads_open_with_the_numbers_on_screen(new_page, server, raw, tmp_path):
    from openpyxl import load_workbook
    from PIL import Image

    page = new_page()
    open_app(page, server)
    button = page.locator(".st-key-oversikt_trend_dl-png").get_by_role("button", name="PNG").filter(visible=True)
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=90_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".png")
    png = Path(download.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        width, height = image.size
    assert 1000 <= width <= 5000 and 600 <= height <= 5000, (width, height)
    (ARTIFACTS / "download-oversikt-trend.png").write_bytes(png)

    # Recruitment signals for a small area by sex: some values are hidden on screen.
    open_app(page, server, "/rekrytering?niva=Polisomr%C3%A5de&omrade=J%C3%A4mtland&uppdelning=K%C3%B6n")
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.locator("table[role=grid]").wait_for(state="attached")
    screen = grid_rows(grid)
    assert screen[0] == ["Kön", "Antal", "Andel", "Per 1 000 unga 12–17 år"]
    # The grid's accessible table holds the values the grid sorts by: a number column's
    # numbers, a hidden or missing value as -Infinity (drawn ".." or "–" on screen;
    # tests/test_table_sorting.py checks the texts drawn).
    assert any("-Infinity" in row for row in screen[1:]), screen
    button = page.locator(".st-key-signal-summary-excel").get_by_role("button", name="Excel").filter(visible=True)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    book = load_workbook(target, read_only=True)
    cells = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert cells[0][0] == "Rekryteringssignaler, hela perioden, Jämtland (polisområde), januari 2025 – december 2025"
    header_at = next(i for i, r in enumerate(cells) if r and r[0] == "Kön")
    assert [c for c in cells[header_at] if c is not None] == screen[0]
    # The table's columns (the caption above is merged over empty columns beside it).
    body = [r[:len(screen[0])] for r in cells[header_at + 1:] if any(c is not None for c in r)]
    assert len(body) == len(screen) - 1
    for row, shown in zip(body, screen[1:], strict=True):
        assert row[0] == shown[0]
        for heading, cell, text in zip(screen[0][1:], row[1:], shown[1:], strict=True):
            if text == "-Infinity":  # hidden or missing
                assert cell in ("..", None, "–")
            elif text.endswith("%") or heading == "Andel":  # a share: the fraction or the percentage
                assert cell * 100 == pytest.approx(number(text), abs=0.05) or cell == pytest.approx(
                    number(text), abs=0.05)
            else:
                assert cell == pytest.approx(number(text), abs=0.005)

    # And the boys' count on screen is the warehouse's.
    boys = next(r for r in screen[1:] if r[0] == "Pojkar")
    expected = raw.execute(
        """SELECT sum(count) FROM recruitment_signal WHERE sex = 'M' AND month >= DATE '2025-01-01'
           AND month < DATE '2026-01-01'
           AND area_code IN (SELECT area_code FROM area WHERE level = 'lpo' AND parent_code = 'PO-JAMTLAND')"""
    ).fetchone()[0]
    assert number(boys[1]) == expected
    assert_no_error(page)


# --- 5b. pages in tabs --------------------------------------------------------------------------


def tab(page, label: str):
    return page.locator('[data-testid="stMain"] [role="tab"]').filter(has_text=label).first


def test_a_tab_opens_its_view_goes_to_the_url_and_a_link_reopens_it(new_page, server, raw):
    """Jämförelse and Åtgärder compute only the chosen tab: a click shows its content, the
    address keeps it, and the link opens the same tab with the same choices."""
    page = new_page()
    open_app(page, server, "/jamforelse?niva=L%C3%A4n&omrade=Stockholms+l%C3%A4n")
    assert tab(page, "Sida vid sida").get_attribute("aria-selected") == "true"
    assert page.get_by_text("Antal liknande").count() == 0          # the closed tab is not drawn
    tab(page, "Liknande områden").click()
    wait_for_query(page, "jmf_flik", "Liknande områden")
    settle(page)
    page.get_by_text("Antal liknande").first.wait_for()
    grid = page.locator('[data-testid="stDataFrame"]').first
    header = grid_rows(grid)[0]
    assert "Avstånd" in header and "Invånare" in header  # short headings, the full wording as help
    assert_no_error(page)
    screenshots(page, "journey-jamforelse-tab", max_shots=1)

    other = new_page()
    open_app(other, server, page.url.removeprefix(server))
    assert tab(other, "Liknande områden").get_attribute("aria-selected") == "true"
    other.get_by_text("Antal liknande").first.wait_for()
    assert_no_error(other)

    # Åtgärder: the register in its tab, with a search, from a link.
    measures = raw.execute("SELECT count(*) FROM measure m JOIN plan p USING (plan_id) "
                           "WHERE p.kommun_code IN (SELECT area_code FROM area WHERE parent_code = '01')"
                           " AND p.year = 2025").fetchone()[0]
    atg = new_page()
    open_app(atg, server, "/atgarder?niva=L%C3%A4n&omrade=Stockholms+l%C3%A4n")
    tab(atg, "Register").click()
    wait_for_query(atg, "atgarder_flik", "Register")
    settle(atg)
    caption = atg.get_by_text(re.compile(r"av [\d\s\u00a0]+ åtgärder\. Markera en rad")).first
    caption.wait_for()
    assert number(caption.inner_text().split(" av ")[1].split(" åtgärder")[0]) == measures
    assert atg.locator('[data-testid="stPlotlyChart"]').count() == 0   # the status chart's tab is closed
    assert_no_error(atg)
    screenshots(atg, "journey-atgarder-register-tab", max_shots=1)


def test_the_similar_areas_choices_go_to_the_url_and_a_link_restores_them(new_page, server):
    """Liknande områden: the area compared, the number of similar areas and the base year
    are in the address, so the copied link opens Haninge, 3 areas and 2022 (it opened
    Vaxholm, 5 and 2020)."""
    page = new_page()
    open_app(page, server, "/jamforelse?niva=L%C3%A4n&omrade=Stockholms+l%C3%A4n&jmf_niva=Kommun"
                           "&jmf_flik=Liknande+omr%C3%A5den")
    page.get_by_text("Antal liknande").first.wait_for()
    page.get_by_role("combobox", name="Kommun att jämföra", exact=True).click()
    page.keyboard.type("Haninge")  # the list of 290 shows a few at a time: typing finds it
    page.get_by_role("option", name="Haninge", exact=True).click()
    wait_for_query(page, "jmf_omrade_kommun", "Haninge")
    settle(page)
    k = page.get_by_role("spinbutton", name="Antal liknande")
    k.fill("3")
    k.press("Enter")
    wait_for_query(page, "jmf_k", "3")
    settle(page)
    select(page, "Basår (= 100)", "2022")
    wait_for_query(page, "jmf_basar", "2022")
    settle(page)

    other = new_page()
    open_app(other, server, page.url.removeprefix(server))
    other.get_by_text("Antal liknande").first.wait_for()
    assert selected(other, "Kommun att jämföra") == "Haninge"
    assert other.get_by_role("spinbutton", name="Antal liknande").input_value() == "3"
    assert selected(other, "Basår (= 100)") == "2022"
    # The chart's title (the page's text above the chart) names the choices.
    other.wait_for_function("""() => Array.from(document.querySelectorAll('.lagesbild-chart-title'),
        t => t.textContent).some(t => t.includes('index (2022 = 100): Haninge och liknande kommuner'))""",
                            timeout=60_000)
    assert_no_error(other)


# --- 5b. Swedish all through --------------------------------------------------------------------


def test_the_start_page_by_its_name_and_the_chart_toolbar_are_in_swedish(new_page, server):
    """/oversikt opens the start page without Streamlit's English "Page not found" dialog;
    the charts' toolbar and the select boxes' placeholders are Swedish. (Streamlit's own
    toolbar on tables and charts, "Fullscreen", "Search", has no translation.)"""
    page = new_page()
    open_app(page, server, "/oversikt?niva=Polisregion&omrade=Region+Mitt")
    page.wait_for_timeout(1000)  # the dialog came with the first run
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Översikt – lägesbild"
    assert selected(page, "Område") == "Region Mitt"
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.scroll_into_view_if_needed()
    chart.hover()
    titles = page.evaluate("() => Array.from(document.querySelectorAll('.modebar-btn'), b => b.dataset.title)")
    assert "Zooma" in titles and "Återställ axlarna" in titles
    assert not {"Zoom", "Pan", "Autoscale", "Reset axes"} & set(titles)
    # No camera: its picture had no title, note or caption (the PNG button under the chart has).
    assert not {"Download plot as a PNG", "Ladda ner diagrammet som PNG"} & set(titles)
    placeholders = page.evaluate("""() => Array.from(document.querySelectorAll(
        '[data-testid="stSelectbox"] input'), i => i.placeholder)""")
    assert placeholders and "Choose an option" not in placeholders, placeholders
    assert_no_error(page)


def test_titles_and_labels_read_in_full_at_1280_px(browser, server):
    """At 1280 × 720 a long chart title wraps within its chart's width (it ended "…januari
    2025 – decembe") and the headline cards' labels are whole ("Rekryteringssigna…")."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="sv-SE")
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        open_app(page, server, "/?niva=Lokalpolisomr%C3%A5de&omrade=S%C3%B6dermalm")
        # The label's text against the box it is drawn in (the box ends it with "…").
        cut = page.evaluate("""() => Array.from(document.querySelectorAll('[data-testid="stMetricLabel"]'), l => {
            const box = l.querySelector('.stMarkdownEllipsis') || l, text = document.createRange();
            text.selectNodeContents(box);
            return [box.innerText, text.getBoundingClientRect().width - box.getBoundingClientRect().width]; })
            .filter(([, over]) => over > 0.01).map(([label]) => label)""")
        assert cut == [], cut
        open_app(page, server, "/jamforelse?niva=Lokalpolisomr%C3%A5de&omrade=S%C3%B6dermalm")
        chart = page.locator('[data-testid="stPlotlyChart"]').first
        chart.scroll_into_view_if_needed()
        # The chart's title is the page's text above it, within the chart's width.
        inside = chart.evaluate("""c => { const box = c.getBoundingClientRect();
            const titles = Array.from(document.querySelectorAll('.lagesbild-chart-title'));
            return titles.length > 0 && titles.map(t => t.getBoundingClientRect())
                        .every(r => r.width > 0 && r.left >= box.left - 1 && r.right <= box.right + 1); }""")
        assert inside
        page.screenshot(path=ARTIFACTS / "journey-1280-jamforelse.png")
    finally:
        context.close()


# --- 6. a bad link -------------------------------------------------------------------------------


def test_a_bad_url_parameter_falls_back_with_a_notice(new_page, server):
    page = new_page()
    open_app(page, server, "/?niva=Polisregion&omrade=Atlantis")
    notice = page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]')
    notice.filter(has_text="Atlantis").wait_for()
    assert "finns inte" in notice.inner_text() and "hela landet" in notice.inner_text()
    # The whole country, not the level's first area (which would pass for the one asked for).
    assert (selected(page, "Geografisk nivå"), selected(page, "Område")) == ("Riket", "Hela landet")
    wait_for_query(page, "omrade", None)  # the address is the one the view has
    assert query(page) == {}
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Översikt – lägesbild"
    assert len(metrics(page)) == 5
    assert_no_error(page)
    page.screenshot(path=ARTIFACTS / "journey-bad-link.png")


def test_a_link_naming_the_area_by_its_code_opens_it_and_reads_as_the_app_writes_it(new_page, server, raw):
    # A länsstyrelse intranet or a report links by code: "?niva=polisregion&omrade=syd".
    page = new_page()
    open_app(page, server, "/?niva=polisregion&omrade=syd")
    wait_for_query(page, "omrade", "Region Syd")
    settle(page)
    assert selected(page, "Geografisk nivå") == "Polisregion"
    assert selected(page, "Område") == "Region Syd"
    assert number(metrics(page)["Våld"]) == violence(raw, "SYD", date(2025, 1, 1), date(2026, 1, 1))
    assert page.url.endswith("/?niva=Polisregion&omrade=Region+Syd")  # as a copied link has it
    assert not page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').count()
    assert_no_error(page)


# --- a link opened first after a restart -----------------------------------------------------------


def test_a_link_opened_first_after_a_restart_shows_the_dashboard_frame(browser, demo_db):
    with streamlit_server(demo_db) as fresh:
        context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
        context.set_default_timeout(60_000)
        try:
            page = context.new_page()
            open_app(page, fresh, "/karta?niva=Polisregion&omrade=Region+Syd")
            nav = page.locator('[data-testid="stSidebarNav"]').get_by_role("link")
            assert [n.inner_text().split("\n")[-1].strip() for n in nav.all()] == [p[0] for p in PAGES]
            assert selected(page, "Område") == "Region Syd"
            page.screenshot(path=ARTIFACTS / "journey-link-after-restart.png")
        finally:
            context.close()
