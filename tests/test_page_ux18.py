"""Small defects a review in the browser found on the pages (ux18), checked as a user reads
them on the tests' demo database."""

from __future__ import annotations

import pytest
from helpers import open_page

pytestmark = pytest.mark.usefixtures("fast_apptest")

BOTKYRKA = {"niva": "Lokalpolisområde", "omrade": "Botkyrka"}
SIGNALS = {"jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"}


def header_line(at) -> str:
    """The caption under the page title (the selection line)."""
    return at.caption[0].value


def test_comparisons_header_names_the_measure_compared(demo_db, monkeypatch):
    """Jämförelse on recruitment signals said "· alla händelsetyper" above them (the line
    was drawn before the measure was chosen). It names the measure; incident types
    appear only with the measure they filter."""
    at = open_page(demo_db, "jamforelse", monkeypatch, {**BOTKYRKA, **SIGNALS})
    line = header_line(at)
    assert line == "Botkyrka (lokalpolisområde) · januari 2025 – december 2025 · Rekryteringssignaler", line

    at = open_page(demo_db, "jamforelse", monkeypatch, BOTKYRKA)
    assert header_line(at).endswith(" · Händelser (alla händelsetyper)"), header_line(at)

    at = open_page(demo_db, "jamforelse", monkeypatch, {**BOTKYRKA, **SIGNALS, "typ": "skottlossning"})
    line = header_line(at)
    assert "skottlossning" not in line and line.endswith("Händelsetyperna i urvalet gäller inte måttet."), line


def test_comparison_says_its_method_of_uncertainty_once(demo_db, monkeypatch):
    """The note on random variation ("Osäkerhet: … inom slumpens variation …") stood twice on
    Jämförelse: under the chart and in "Om uppgifterna". Once is enough; the chart still says
    what its whiskers and "≈" mean."""

    at = open_page(demo_db, "jamforelse", monkeypatch, {**BOTKYRKA, **SIGNALS})
    texts = [c.value for c in at.caption] + [m.value for m in at.markdown]
    assert sum("Osäkerhet: antalen behandlas som Poissonfördelade" in t for t in texts) == 1, texts
    assert at.get("plotly_chart")
    assert any("≈ = förändringen mot året innan kan vara slump" in t for t in texts), texts


def test_a_whole_periods_rate_reads_the_same_on_signals_and_comparison(demo_db, monkeypatch):
    """Botkyrka's recruitment signals per 1 000 aged 12–17 over 2025 read 21,45 on
    Rekryteringssignaler ("Hela perioden") and 21,4 on Jämförelse: one rate, one decimal on
    both pages."""
    at = open_page(demo_db, "rekrytering", monkeypatch, BOTKYRKA)
    [whole] = [d.shown for d in at.dataframe if "Andel" in d.shown.columns]
    on_signals = whole["Per 1 000 unga 12–17 år"].iat[0]

    at = open_page(demo_db, "jamforelse", monkeypatch, {**BOTKYRKA, **SIGNALS})
    [side_by_side] = [d.shown for d in at.dataframe if "Rang" in d.shown.columns]
    on_comparison = side_by_side.loc[side_by_side["Lokalpolisområde"] == "Botkyrka", "Värde"].iat[0]
    assert on_signals == on_comparison, (on_signals, on_comparison)
    assert len(on_signals.split(",")[1]) == 1, on_signals


def test_signals_of_a_single_year_are_drawn_as_bars_in_the_figure_and_its_export(demo_db, monkeypatch, recorded):
    """Rekryteringssignaler per year for 2025 alone: its "trend" was one lone dot (one per
    sex) over an empty time axis. One period is drawn as bars with their values, named by
    the year, on the page and in the SVG export."""
    import json

    from dashboard import exports

    at = open_page(demo_db, "rekrytering", monkeypatch, {**BOTKYRKA, "tid": "År", "uppdelning": "Kön"})
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["type"] for t in spec["data"]] == ["bar"] * 3
    assert [t["name"] for t in spec["data"]] == ["Pojkar", "Flickor", "Okänt kön"]
    assert spec["layout"]["xaxis"]["ticktext"] == ["2025"]
    [alt] = [c.value for c in at.caption if "diagram över" in c.value]
    assert alt.startswith("Stapeldiagram över antal signaler per år, 2025, 3 staplar."), alt

    if exports.browser_path() is None:
        pytest.skip("Chromium saknas: bildexporten kan inte prövas")
    trend = recorded["signal-trend"]
    svg = exports.to_svg(trend["fig"], title=trend["title"], caption=trend["caption"]).decode("utf-8")
    assert svg.count('class="trace bars"') == 3, svg[:2000]
    assert ">2025</text>" in svg


def test_signals_over_several_months_are_still_lines(demo_db, monkeypatch):
    at = open_page(demo_db, "rekrytering", monkeypatch, BOTKYRKA)
    spec = __import__("json").loads(at.get("plotly_chart")[0].proto.spec)
    assert {t["type"] for t in spec["data"]} == {"scatter"}


@pytest.mark.parametrize(("tab", "key", "start"), [
    ("Register", "atgarder_register_dl", "Åtgärdsregister – Botkyrka"),
    ("Står still", "atgarder_stuck_dl", "Åtgärder som står still – Botkyrka"),
    ("Analysbladet", "atgarder_analysis_dl", "Analysbladet – Botkyrka"),
])
def test_measure_exports_name_their_plan_year_in_the_title(demo_db, monkeypatch, recorded, tab, key, start):
    """The register's, standing-still's and analysis sheet's exports had no period in their
    title (only in the caption), unlike Status and Uppföljningar: "…, 2025"."""
    open_page(demo_db, "atgarder", monkeypatch, {**BOTKYRKA, "atgarder_flik": tab})
    assert recorded[key]["title"] == f"{start}, 2025", recorded[key]["title"]


def test_the_maps_table_export_names_its_period_in_the_title(demo_db, monkeypatch, recorded):
    """Karta's table (and map image) export: "Händelser per 100 000 invånare, …, januari 2025 –
    december 2025", as the heading above the map says; the file name keeps the months once."""
    open_page(demo_db, "karta", monkeypatch, BOTKYRKA)
    export = recorded["karta_table_dl"]
    assert export["title"].endswith(", januari 2025 – december 2025"), export["title"]
    assert export["filename"].endswith("-2025-01-2025-12") and "januari" not in export["filename"], export["filename"]
