"""Journey 21: three users walked in a real browser (a regional bob council member on
Översikt and Karta, a länsstyrelse analyst on Jämförelse, a municipal safety coordinator
exporting from Rekryteringssignaler and Åtgärder into a Word lägesbild). What they
stumbled over, checked where a page or an export shows it."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from helpers import open_page

from dashboard import charts, exports

pytestmark = pytest.mark.usefixtures("fast_apptest")

STATUS_TITLE = "Åtgärdernas status per prioriterat område – Botkyrka, 2025–2026"


@pytest.fixture(scope="module")
def renderer():
    if exports.browser_path() is None:
        pytest.skip("Chromium saknas: bildexport kan inte testas")
    return exports.renderer()


def drawn_title_bottom(svg: str) -> float:
    """Where the picture's title ends (px from the top): plotly places a one-line title by
    its middle (dy 0.35em), so it ends half its font size under its y."""
    found = re.search(r'<text class="gtitle"[^>]* y="([\d.]+)"[^>]*font-size: ([\d.]+)px', svg)
    assert found, "no title drawn"
    return float(found.group(1)) + float(found.group(2)) / 2


def drawn_legend_top(svg: str) -> float:
    found = re.search(r'<g class="legend"[^>]*transform="translate\([-\d.]+,([-\d.]+)\)"', svg)
    assert found, "no legend drawn"
    return float(found.group(1))


def test_the_status_chart_picture_keeps_its_legend_under_the_title(renderer):
    # Åtgärder's status per prioriterat område, as the coordinator pastes it into Word: the
    # legend's five statuses take two rows above the plot, taller than the top margin, and
    # were drawn across the title ("uppnådd" over "område – Botkyrka").
    statuses = list(charts.MEASURE_STATUSES)
    df = pd.DataFrame({"category": ["Eget prioriterat område"] * 5 + ["Särskilt utsatta och sårbara brottsoffer"] * 5,
                       "status": statuses * 2, "n": [3, 1, 0, 0, 0, 0, 0, 2, 1, 2]})
    fig = charts.stacked_status(df, "category", title=STATUS_TITLE)
    svg = exports.to_svg(fig, title=STATUS_TITLE, caption="Urval: Botkyrka, planår 2025–2026.").decode()
    assert drawn_legend_top(svg) >= drawn_title_bottom(svg), "the legend runs over the title"


# --- Karta: the population note says what the map's level does --------------------------------

PER_100K = "Händelser per 100 000 invånare"


@pytest.mark.parametrize(("level", "apportioned"), [("Kommun", False), ("Lokalpolisområde", True)])
def test_the_rate_maps_population_note_speaks_of_apportioning_only_where_it_happens(
        demo_db, monkeypatch, recorded, level, apportioned):
    # Region Väst's kommuner per 100 000: the map's caption said LPOs sharing a kommun get
    # its population "efter befolkningsandel (lpo_kommun.share)": a table's name, on a map
    # of kommuner, whose population is SCB's own.
    open_page(demo_db, "karta", monkeypatch, {"niva": "Län", "omrade": "Stockholms län", "karta_niva": level,
                                              "matt": PER_100K})
    caption = recorded["karta_table_dl"]["caption"]
    assert re.search(r"Befolkning \d{4} \(31 december\)\.", caption), caption
    assert "lpo_kommun" not in caption and "share" not in caption
    assert ("uppskattad" in caption) is apportioned, caption


# --- Jämförelse: what an export of the comparison is, when pasted into a report ----------------

VASTRA_GOTALAND_2025 = {"niva": "Län", "omrade": "Västra Götalands län", "period": "Föregående år",
                        "jmf_niva": "Kommun"}


def test_the_comparisons_exports_say_what_the_value_is_and_that_the_chart_is_cut(demo_db, monkeypatch, recorded):
    # The länsstyrelse analyst's kommuner in Västra Götaland: the picture showed 30 bars under
    # a title naming "kommuner i Västra Götalands län" (49 of them), and the table's "Värde"
    # said nowhere that it is per 100 000 invånare.
    at = open_page(demo_db, "jamforelse", monkeypatch, VASTRA_GOTALAND_2025)
    export = recorded["jmf_bars_dl"]
    areas = len(export["df"])
    drawn = {y for trace in export["fig"].to_dict()["data"] for y in trace.get("y", [])}
    assert len(drawn) == 30 < areas
    caption = export["caption"]
    assert f"Diagrammet visar de 30 högsta värdena; tabellen har alla {areas} kommuner." in caption, caption
    assert "Värde: händelser (alla händelsetyper), per 100 000 invånare." in caption, caption
    # On the page the län is no kommun: nothing claims it is drawn beside the 30.
    assert not any("det valda området" in c.value for c in at.caption)


def test_a_selected_kommun_beyond_the_30_is_named_as_drawn_beside_them(demo_db, monkeypatch, recorded):
    open_page(demo_db, "jamforelse", monkeypatch, VASTRA_GOTALAND_2025)
    lowest = recorded["jmf_bars_dl"]["df"].sort_values("rank")["name"].iloc[-1]  # ranked beyond the 30
    open_page(demo_db, "jamforelse", monkeypatch, {**VASTRA_GOTALAND_2025, "niva": "Kommun", "omrade": lowest})
    assert f"Diagrammet visar de 30 högsta värdena (och {lowest}); tabellen har alla" \
        in recorded["jmf_bars_dl"]["caption"]


def test_the_comparison_level_follows_the_sidebar_until_one_is_chosen_here(demo_db, monkeypatch):
    # The analyst opens Jämförelse on the whole country (polisregioner), then picks
    # Västra Götalands län in the sidebar: the page went on comparing polisregioner.
    at = open_page(demo_db, "jamforelse", monkeypatch, {"period": "Föregående år"})
    assert at.selectbox(key="jmf_niva").value == "polisregion"
    at.selectbox(key="niva").set_value("lan").run()
    at.selectbox(key="omrade").set_value("14").run()  # Västra Götalands län
    assert not at.exception
    assert at.selectbox(key="jmf_niva").value == "lan"
    assert any(h.value == "Län sida vid sida" for h in at.subheader)
    # A level chosen on the page stays when the area changes.
    at.selectbox(key="jmf_niva").set_value("kommun").run()
    at.selectbox(key="omrade").set_value("13").run()  # Hallands län
    assert at.selectbox(key="jmf_niva").value == "kommun"
    assert any(h.value == "Kommuner sida vid sida" for h in at.subheader)


# --- Åtgärder: the export names the area with its level ------------------------------------------

@pytest.mark.parametrize(("level", "named"), [("Kommun", "Botkyrka (kommun)"),
                                              ("Lokalpolisområde", "Botkyrka (lokalpolisområde)")])
def test_a_measures_export_says_whether_botkyrka_is_the_kommun_or_the_lpo(demo_db, monkeypatch, recorded,
                                                                          level, named):
    # "Urval: Botkyrka, planår …" in the coordinator's Word document: the kommun's plans, or
    # those of the lokalpolisområde (which also covers Salem)? Every other page says which.
    open_page(demo_db, "atgarder", monkeypatch, {"niva": level, "omrade": "Botkyrka"})
    captions = {key: call["caption"] for key, call in recorded.items()}
    assert captions, "no export on the page"
    for key, caption in captions.items():
        assert caption.startswith(f"Urval: {named}, planår "), (key, caption)


def test_the_measures_beside_outcomes_export_names_its_areas_and_period(demo_db, monkeypatch, recorded):
    # Its title was "…, kommuner": pasted into a report, neither which kommuner nor which year.
    from dashboard import formatting as fmt

    at = open_page(demo_db, "jamforelse", monkeypatch, {**VASTRA_GOTALAND_2025, "jmf_flik": "Åtgärder och utfall"})
    sel = at.session_state["_selection"]
    title = recorded["jmf_paired_dl"]["title"]
    assert title.endswith(f", kommuner i Västra Götalands län, {fmt.period(sel.start, sel.end)}"), title


# --- Översikt: a change that chance could explain is not coloured as an alarm -----------------

def test_headline_changes_within_chance_are_grey_and_say_so(demo_db, monkeypatch):
    # Region Bergslagen's explosions, 4 becoming 5, were a red "+1 (+25,0 %)" beside the
    # våld of the whole country: the council member reads both as rises to act on.
    from helpers import swedish_number as number
    from scipy.stats import binomtest
    from streamlit.proto.Metric_pb2 import Metric as MetricProto

    seen = set()
    for params in ({}, {"niva": "Polisregion", "omrade": "Region Bergslagen"}, {"niva": "Kommun", "omrade": "Botkyrka"}):
        at = open_page(demo_db, "oversikt", monkeypatch, params)
        for card in at.metric:
            if not card.delta or card.delta.startswith("±") or "p.e." in card.delta or card.value in ("..", "–"):
                continue
            now = int(number(card.value))
            before = now - int(number(card.delta.split(" (")[0]))
            chance = bool(binomtest(now, now + before, 0.5).pvalue >= 0.05)
            seen.add(chance)
            grey = card.proto.color == MetricProto.MetricColor.GRAY
            assert grey is chance, (params, card.label, card.value, card.delta)
            assert ("slumpens variation" in card.help) is chance, (card.label, card.help)
        captions = " ".join(c.value for c in at.caption)
        assert ("En förändring i grått ligger inom slumpens variation" in captions) is any(
            c.proto.color == MetricProto.MetricColor.GRAY and "slump" in c.help for c in at.metric)
    assert seen == {True, False}, "both a change within chance and one beyond it were to be seen"


@pytest.mark.parametrize(("params", "label"), [
    ({}, "Händelser (alla händelsetyper, per 100 000 invånare)"),
    ({"typ": "skottlossning"}, "Händelser (valda typer, per 100 000 invånare)"),
    # A link written with the earlier label, no types chosen, still opens that measure.
    ({"jmf_matt": "Händelser (valda typer, per 100 000 invånare)"}, "Händelser (alla händelsetyper, per 100 000 invånare)"),
])
def test_the_first_measure_says_all_incident_types_when_none_are_chosen(demo_db, monkeypatch, params, label):
    # "Händelser (valda typer, …)" stood in 'Mått' while the sidebar chose no type: the
    # analyst looked for a filter she had not set.
    at = open_page(demo_db, "jamforelse", monkeypatch, {**VASTRA_GOTALAND_2025, **params})
    measure = at.selectbox(key="jmf_matt")
    assert measure.value == "incidents:urval"
    assert measure.format_func(measure.value) == label
