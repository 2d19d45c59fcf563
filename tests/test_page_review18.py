"""What a fresh-eyes review (review 18) found on the pages, as a user reads them: the
region analyst comparing kommuner on recruitment signals, the kommun's coordinator
exporting tables for the annual lägesbild."""

from __future__ import annotations

import json

import pytest
from helpers import chart_note, open_page

pytestmark = pytest.mark.usefixtures("fast_apptest")

REGION_VAST = {"niva": "Polisregion", "omrade": "Region Väst"}
SIGNALS = {"jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"}


def bars(at) -> list[str]:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return [y for trace in spec["data"] for y in trace.get("y", [])]


def test_kommuner_on_signals_say_nothing_of_a_top_30_over_three_bars(demo_db, monkeypatch):
    """Region Väst's 55 kommuner on recruitment signals: three have signals of their own, the
    rest are recorded per lokalpolisområde. The chart draws three bars and must not say it
    shows "de 30 högsta värdena"."""
    at = open_page(demo_db, "jamforelse", monkeypatch, {**REGION_VAST, "jmf_niva": "Kommun", **SIGNALS})
    assert len(bars(at)) < 30
    captions = " ".join(c.value for c in at.caption)
    assert "högsta värdena" not in captions, captions


def test_kommuner_on_incidents_still_say_the_chart_shows_the_30_highest(demo_db, monkeypatch):
    """55 kommuner with incidents each: the chart is cut to 30 bars and says so."""
    at = open_page(demo_db, "jamforelse", monkeypatch, {**REGION_VAST, "jmf_niva": "Kommun"})
    # Region Väst is no kommun: no "(och det valda området)", which named nothing drawn.
    assert any("Diagrammet visar de 30 högsta värdena; tabellen har alla 55 kommuner." in c.value
               for c in at.caption)
    assert len(bars(at)) == 30


def test_a_long_list_of_areas_without_bars_ends_in_one_full_stop(demo_db, monkeypatch):
    """The chart's note names eight kommuner recorded per lokalpolisområde and "m.fl." for the
    rest: "Falkenberg m.fl.", not "Falkenberg m.fl.."."""
    at = open_page(demo_db, "jamforelse", monkeypatch, {**REGION_VAST, "jmf_niva": "Kommun", **SIGNALS})
    note = chart_note(at)
    listed = note.split("Registreras per lokalpolisområde (–): ")[1]
    assert listed.endswith(" m.fl."), listed
    assert "m.fl.." not in note
    assert len(listed.split(", ")) == 8


BOTKYRKA_LPO = {"niva": "Lokalpolisområde", "omrade": "Botkyrka"}


def test_signals_per_month_without_a_breakdown_have_no_column_saying_totalt(demo_db, monkeypatch, recorded):
    """Rekryteringssignaler, Totalt: the table per period and its exports are Månad, Antal,
    Per 1 000 – not a column "Totalt" repeating "Totalt" on every row. A breakdown keeps its
    column."""
    from dashboard import exports

    at = open_page(demo_db, "rekrytering", monkeypatch, BOTKYRKA_LPO)
    [per_period] = [d.shown for d in at.dataframe if "Månad" in d.shown.columns]
    assert per_period.columns.tolist() == ["Månad", "Antal", "Per 1 000 unga 12–17 år"]
    trend = recorded["signal-trend"]
    csv = exports.to_csv(trend["df"], trend["columns"]).decode("utf-8-sig").splitlines()
    assert csv[0] == "Månad;Antal;Per 1 000 unga 12–17 år"
    assert csv[1].startswith("januari 2025;")

    at = open_page(demo_db, "rekrytering", monkeypatch, {**BOTKYRKA_LPO, "uppdelning": "Kön", "tid": "År"})
    [per_period] = [d.shown for d in at.dataframe if "År" in d.shown.columns]
    assert per_period.columns.tolist() == ["År", "Kön", "Antal", "Per 1 000 unga 12–17 år"]


def test_the_table_of_what_changed_most_names_its_areas_and_months_in_the_export(demo_db, monkeypatch, recorded):
    """Översikt for Botkyrka ranks the kommuner in Stockholms län: the Excel file's title
    says so, with the months, not just "Vad förändrades mest"."""
    import io

    from openpyxl import load_workbook

    from dashboard import exports

    open_page(demo_db, "oversikt", monkeypatch, {"niva": "Kommun", "omrade": "Botkyrka"})
    change = recorded["oversikt_change_dl"]
    book = load_workbook(io.BytesIO(exports.to_xlsx(change["df"], change["columns"], title=change["title"],
                                                    caption=change["caption"])))
    sheet = book.active
    assert sheet["A1"].value == "Vad förändrades mest – kommuner i Stockholms län, januari 2025 – december 2025"
    assert sheet["A2"].value.startswith("Urval: Botkyrka (kommun) · januari 2025 – december 2025")
    assert [c.value for c in sheet[4]][:2] == ["Kommun", "Antal"]


@pytest.mark.parametrize("grain", ["Månad", "År"])
def test_the_text_under_the_rate_chart_says_what_the_rate_is_of(demo_db, monkeypatch, grain):
    """The caption under the chart (its alt text) for the rate per 1 000: "Linjediagram över
    signaler per 1 000 unga 12–17 år per månad …", not "Linjediagram över per 1 000 …"."""
    at = open_page(demo_db, "rekrytering", monkeypatch,
                   {**REGION_VAST, "matt_signal": "Per 1 000 unga 12–17 år", "tid": grain})
    # One year (År) is drawn as bars: "Stapeldiagram över signaler per …".
    kind = "Stapeldiagram" if grain == "År" else "Linjediagram"
    [alt] = [c.value for c in at.caption if c.value.startswith(kind)]
    assert alt.startswith(f"{kind} över signaler per 1 000 unga 12–17 år per "), alt


def test_the_index_chart_of_similar_areas_exports_the_index_it_draws(demo_db, monkeypatch, recorded):
    """Liknande områden, Västra Götalands län and its similar län on recruitment signals: the
    export under the chart titled "index (2020 = 100)" has the index column, equal to the
    plotted lines, and names the population the rate is per (12–17 year olds)."""
    import io

    import pandas as pd

    from dashboard import exports

    at = open_page(demo_db, "jamforelse", monkeypatch,
                   {**REGION_VAST, "jmf_niva": "Län", **SIGNALS, "jmf_flik": "Liknande områden"})
    export = recorded["jmf_index_dl"]
    assert "index (2020 = 100)" in export["title"]
    table = pd.read_csv(io.BytesIO(exports.to_csv(export["df"], export["columns"])), sep=";",
                        encoding="utf-8-sig", decimal=",", dtype={"År": str})
    assert table.columns.tolist() == ["Län", "År", "Antal", "Unga 12–17 år", "Värde", "Index (2020 = 100)"]
    vg = table[table["Län"] == "Västra Götalands län"].set_index("År")["Index (2020 = 100)"]
    assert vg["2020"] == 100
    assert at.get("plotly_chart")
    [line] = [t for t in export["fig"].data if t.name == "Västra Götalands län"]   # the chart on the page
    drawn = {str(x)[:4]: round(float(y), 2) for x, y in zip(line.x, line.y, strict=True)}
    assert drawn == vg.to_dict()


def test_the_map_table_says_whose_figure_a_year_earlier_it_shows(demo_db, monkeypatch, recorded):
    """Karta on recruitment signals: the table beside them has the incidents a year earlier,
    headed as such (a bare "Ett år tidigare" next to "Rekryteringssignaler" read as the
    signals a year earlier), on screen and in the export."""
    at = open_page(demo_db, "karta", monkeypatch, {"niva": "Polisområde", "omrade": "Stockholm syd",
                                                   "matt": "Rekryteringssignaler"})
    [table] = [d.shown for d in at.dataframe if "Rekryteringssignaler" in d.shown.columns]
    assert table.columns.tolist() == ["Lokalpolisområde", "Rekryteringssignaler", "Rang", "Antal händelser",
                                      "Händelser ett år tidigare", "Befolkning"]
    assert recorded["karta_table_dl"]["columns"]["incidents_prev"] == "Händelser ett år tidigare"


def test_the_flow_between_follow_ups_names_each_node_s_number_of_measures(demo_db, monkeypatch, recorded):
    """Åtgärder, Uppföljningar, Botkyrka 2025: the picture the coordinator pastes has no hover;
    each node says how many measures it holds, and the latest round's equal the Status tab's
    cards (2 uppnådd, 3 delvis uppnådd, 3 påbörjad, 3 ej bedömd of 11)."""
    from helpers import open_tab

    at = open_page(demo_db, "atgarder", monkeypatch, {"niva": "Kommun", "omrade": "Botkyrka"})
    cards = {m.label.lower(): m.value for m in at.metric}
    open_tab(at, "atgarder_flik", "Uppföljningar")
    sankey = recorded["atgarder_flow_dl"]["fig"].data[0]
    latest = {label.removeprefix("T2: ") for label in sankey.node.label if label.startswith("T2: ")}
    assert latest == {f"{status} ({n})" for status, n in cards.items() if n != "0"}, (latest, cards)
