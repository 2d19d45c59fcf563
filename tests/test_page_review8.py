"""Page fixes from walking the users' journeys in Chromium (review 8).

- The sidebar's Från and Till months were cut to "septe" and "okto" (two boxes side by
  side, 54 px inside): an analyst could not read the period chosen.
- Rekryteringssignaler and Åtgärder said "· skottlossning" under their titles, and
  Rekryteringssignaler in its exports' "Urval", though incident types filter neither.
- Rekryteringssignaler's downloads were named by the area's code and no period
  ("rekryteringssignaler-01.csv"), Översikt's and Karta's by no period, so downloads for
  other areas or months overwrote them.
- Översikt's headline said "0 ±0" recruitment signals for a kommun signals cannot reach
  (Tyresö, recorded in LPO Nacka), where Rekryteringssignaler says – (saknas), inte 0.
- The register's filters on Åtgärder were not in the address, so a shared link lost them.
- A quarterly signal chart said "per månad januari 2025 – oktober 2025" under it, with
  ticks on months no quarter starts with ("2025-03").
- Karta's level and measure could be changed in the 1 km view, where they change nothing.
- Notes quoted with typewriter quotes ("..") instead of Swedish ones (”..”).
- Data named the sidebar's area and period under its title, then said it ignores them.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from helpers import open_page, open_tab

pytestmark = pytest.mark.usefixtures("fast_apptest")

STOCKHOLM_Q1 = {"niva": "Län", "omrade": "Stockholms län", "period": "Välj månader",
                "fran": "januari 2025", "till": "mars 2025"}
SHOOTINGS = {**STOCKHOLM_Q1, "typ": "skottlossning"}


def header_line(at) -> str:
    """The caption under the page title (the selection line)."""
    return at.caption[0].value


def download_names(at) -> list[str]:
    # Each button's tooltip names the file it gives ("Ladda ner <name>").
    return [b.proto.help.removeprefix("Ladda ner ") for b in at.get("download_button")]


@pytest.mark.parametrize("page", ["rekrytering", "atgarder"])
def test_pages_the_incident_types_do_not_filter_do_not_name_them(demo_db, monkeypatch, page):
    at = open_page(demo_db, page, monkeypatch, SHOOTINGS)
    line = header_line(at)
    assert "Stockholms län" in line and "januari 2025 – mars 2025" in line, line
    assert "skottlossning" not in line, line
    assert "Händelsetyperna i urvalet gäller inte den här sidan." in line, line


def test_without_chosen_types_the_line_says_nothing_about_them(demo_db, monkeypatch):
    at = open_page(demo_db, "rekrytering", monkeypatch, STOCKHOLM_Q1)
    line = header_line(at)
    assert "händelsetyp" not in line.lower(), line


def test_the_incident_pages_still_name_the_chosen_types(demo_db, monkeypatch):
    at = open_page(demo_db, "oversikt", monkeypatch, SHOOTINGS)
    assert "skottlossning" in header_line(at)


def test_signal_exports_leave_the_incident_types_out_of_their_caption(demo_db, monkeypatch):
    from dashboard import exports

    seen: list[str] = []
    original = exports.caption

    def recording(**kwargs):
        seen.append(kwargs["filters"])
        return original(**kwargs)

    monkeypatch.setattr(exports, "caption", recording)
    open_page(demo_db, "rekrytering", monkeypatch, SHOOTINGS)
    assert seen and all("skottlossning" not in f and "Stockholms län" in f for f in seen), seen


def test_signal_downloads_are_named_by_area_and_months(demo_db, monkeypatch):
    at = open_page(demo_db, "rekrytering", monkeypatch, STOCKHOLM_Q1)
    names = download_names(at)
    # The grain shown and the breakdown, so that each view's files are kept apart. Totalt
    # is shown per month (its months are shown); by a breakdown most of them would hide.
    assert "rekryteringssignaler-per-manad-stockholms-lan-2025-01-2025-03.csv" in names, names
    assert "rekryteringssignaler-hela-perioden-totalt-stockholms-lan-2025-01-2025-03.xlsx" in names, names
    other = download_names(open_page(demo_db, "rekrytering", monkeypatch,
                                     {**STOCKHOLM_Q1, "omrade": "Skåne län"}))
    assert not set(names) & set(other), "two areas' downloads share a file name"
    by_source = download_names(open_page(demo_db, "rekrytering", monkeypatch, {**STOCKHOLM_Q1, "uppdelning": "Källa"}))
    assert not set(names) & set(by_source), "two breakdowns' downloads share a file name"


@pytest.mark.parametrize("page", ["oversikt", "karta"])
def test_incident_downloads_name_the_months_so_two_periods_do_not_overwrite(demo_db, monkeypatch, page):
    first = download_names(open_page(demo_db, page, monkeypatch, STOCKHOLM_Q1))
    second = download_names(open_page(demo_db, page, monkeypatch, {**STOCKHOLM_Q1, "fran": "april 2025",
                                                                     "till": "juni 2025"}))
    assert first and all(n.rsplit(".", 1)[0].endswith("stockholms-lan-2025-01-2025-03") for n in first), first
    assert not set(first) & set(second), "two periods' downloads share a file name"


def test_a_long_title_keeps_its_months_in_the_file_name():
    from dashboard import components, filters

    sel = filters.Selection("lpo", "X", date(2025, 1, 1), date(2025, 3, 1))
    name = components.file_name("Antal händelser, lokalpolisområden i polisområde Storgöteborg och " * 3, sel)
    assert len(name) <= 80 and name.endswith("-2025-01-2025-03"), name


# --- Översikt: a kommun signals cannot reach ------------------------------------------------


def signal_metric(at):
    return next(m for m in at.metric if m.label == "Rekryteringssignaler")


def test_overview_shows_no_zero_signals_for_a_kommun_signals_cannot_reach(demo_db, monkeypatch):
    # Tyresö's signals are recorded for LPO Nacka (Nacka, Tyresö, Värmdö): not none, unknown,
    # as Rekryteringssignaler says for the same kommun.
    at = open_page(demo_db, "oversikt", monkeypatch, {"niva": "Kommun", "omrade": "Tyresö"})
    metric = signal_metric(at)
    assert metric.value == "–" and not metric.delta, (metric.value, metric.delta)
    assert any("lokalpolisområdet Nacka" in c.value for c in at.caption)
    signal_page = open_page(demo_db, "rekrytering", monkeypatch, {"niva": "Kommun", "omrade": "Tyresö"})
    assert any("inga egna siffror (de saknas; de är inte 0)" in i.value for i in signal_page.info)


def test_overview_still_counts_a_kommun_with_its_own_signals(demo_db, monkeypatch, raw):
    (name,) = raw.execute("""SELECT a.name FROM mart_signal m JOIN area a ON a.area_code = m.kommun_code
                             GROUP BY a.name ORDER BY sum(m.count) DESC LIMIT 1""").fetchone()
    at = open_page(demo_db, "oversikt", monkeypatch, {"niva": "Kommun", "omrade": name})
    assert signal_metric(at).value not in ("–", "0"), (name, signal_metric(at).value)


# --- Åtgärder: the register's filters in the link -------------------------------------------

STOCKHOLMS_LAN = {"niva": "Län", "omrade": "Stockholms län"}


def register(at):
    return next(d.shown for d in at.dataframe if "Uppföljningar" in d.shown.columns)


def test_a_link_opens_the_register_filtered_and_the_status_split_as_shared(demo_db, monkeypatch):
    register_tab = {**STOCKHOLMS_LAN, "atgarder_flik": "Register"}
    whole = register(open_page(demo_db, "atgarder", monkeypatch, register_tab))
    at = open_page(demo_db, "atgarder", monkeypatch, {**register_tab, "atgarder_statuses": "ej uppnådd",
                                                      "atgarder_grouping": "Organisation"})
    shown = register(at)
    assert 0 < len(shown) < len(whole), (len(shown), len(whole))
    assert set(shown["Status"]) == {"ej uppnådd"}
    assert at.multiselect(key="atgarder_statuses").value == ["ej uppnådd"]
    # The first table with a total per row is the status table under the chart, in the
    # Status tab: the link's split is kept while the register's tab was open.
    open_tab(at, "atgarder_flik", "Status")
    firsts = [d.shown.columns[0] for d in at.dataframe if "Åtgärder" in d.shown.columns]
    assert firsts[0] == "Organisation", firsts


# --- Rekryteringssignaler per quarter and year -----------------------------------------------

YEAR_2025 = {"period": "Välj månader", "fran": "januari 2025", "till": "december 2025"}


def chart_alt(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Linjediagram"))


def test_a_quarterly_signal_chart_names_quarters_not_months(demo_db, monkeypatch):
    import json

    at = open_page(demo_db, "rekrytering", monkeypatch, {**YEAR_2025, "tid": "Kvartal"})
    alt = chart_alt(at)
    assert "per kvartal" in alt and "kvartal 4 2025" in alt, alt
    assert "månad" not in alt and "oktober" not in alt, alt
    axis = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]
    assert axis.get("ticktext") == [f"kvartal {q} 2025" for q in range(1, 5)], axis


def test_a_yearly_signal_chart_names_years_with_an_en_dash(demo_db, monkeypatch):
    at = open_page(demo_db, "rekrytering", monkeypatch, {"period": "Välj månader", "fran": "januari 2023",
                                                         "till": "december 2025", "tid": "År"})
    alt = chart_alt(at)
    assert "per år, 2023–2025" in alt and "januari" not in alt, alt


# --- Karta: choices that do nothing in the 1 km view ------------------------------------------


def test_the_map_level_and_measure_are_greyed_out_for_the_1_km_squares(demo_db, monkeypatch):
    tyreso = {"niva": "Kommun", "omrade": "Tyresö"}
    squares = open_page(demo_db, "karta", monkeypatch, {**tyreso, "vy": "1 km-rutor"})
    for key in ("matt", "karta_niva"):
        box = squares.selectbox(key=key)
        assert box.disabled and "alltid antal händelser" in box.help, key
    areas = open_page(demo_db, "karta", monkeypatch, tyreso)
    assert not areas.selectbox(key="matt").disabled and not areas.selectbox(key="karta_niva").disabled


# --- Swedish quotation marks ----------------------------------------------------------------


@pytest.mark.parametrize("suppressed", [0, 3])
def test_the_data_note_quotes_the_suppression_mark_the_swedish_way(demo_db, monkeypatch, suppressed):
    from dashboard import components

    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    [line] = [t for t in components.data_note_text({}, suppressed=suppressed) if t.startswith("Röjandeskydd")]
    assert "”..”" in line and '"' not in line, line


def test_the_overview_captions_use_swedish_quotation_marks(demo_db, monkeypatch):
    at = open_page(demo_db, "oversikt", monkeypatch, STOCKHOLM_Q1)
    straight = [c.value for c in at.caption if '"' in c.value]
    assert not straight, straight


def test_the_data_page_names_no_selection_it_ignores(demo_db, monkeypatch):
    at = open_page(demo_db, "data", monkeypatch, STOCKHOLM_Q1)
    line = header_line(at)
    assert "påverkar inte den här sidan" in line, line
    assert not any("Stockholms län" in c.value or "mars 2025" in c.value for c in at.main.caption), \
        [c.value for c in at.main.caption]


# --- in Chromium ------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("browser")
def test_chosen_months_can_be_read_and_the_signal_export_is_named_for_them(new_page, server):
    import openpyxl
    from browser_support import settle

    link = ("/rekrytering?niva=L%C3%A4n&omrade=Stockholms+l%C3%A4n&period=V%C3%A4lj+m%C3%A5nader"
            "&fran=september+2025&till=oktober+2025&typ=skottlossning")
    page = new_page()
    page.goto(server + link, wait_until="commit")
    settle(page, timeout=180)  # slow on a busy host
    for label, month in (("Från", "september 2025"), ("Till", "oktober 2025")):
        box = page.get_by_role("combobox", name=label, exact=True)
        value, needed, shown = box.evaluate("e => [e.value, e.scrollWidth, e.clientWidth]")
        assert value == month
        assert needed <= shown, f"{label}: '{month}' needs {needed} px, the box shows {shown}"

    header = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first.inner_text()
    assert "skottlossning" not in header and "gäller inte den här sidan" in header, header

    button = page.locator('[data-testid="stDownloadButton"]').filter(has_text="Excel").first
    with page.expect_download() as download:
        button.click()
    name = download.value.suggested_filename
    # Named by the grain shown (per month since the län is a view of the police
    # areas: per year before), the area and the months chosen.
    assert re.fullmatch(r"rekryteringssignaler-per-(manad|kvartal|ar)-stockholms-lan-2025-09-2025-10\.xlsx",
                        name), name
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    caption = sheet["A2"].value
    assert "Stockholms län" in caption and "skottlossning" not in caption, caption


def test_the_area_is_named_with_its_level_once():
    # "Botkyrka" is a kommun and a lokalpolisområde, so the level is said; "Stockholms län
    # (län)" said it twice (and its file names read "stockholms-lan-lan").
    from dashboard import filters

    def label(level, name):
        return filters.Selection(level, "X", date(2025, 1, 1), date(2025, 3, 1), area_name=name).area_label

    assert label("kommun", "Botkyrka") == "Botkyrka (kommun)"
    assert label("lpo", "Botkyrka") == "Botkyrka (lokalpolisområde)"
    assert label("lan", "Stockholms län") == "Stockholms län"
    assert label("polisomrade", "Polisområde Dalarna") == "Polisområde Dalarna"
    assert label("polisregion", "Region Väst") == "Region Väst (polisregion)"
    assert label("riket", "Hela landet") == "Hela landet"
