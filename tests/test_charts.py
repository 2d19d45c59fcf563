"""Figure builders, tested on their data: traces, values, colours, order, notes, alt text."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts, exports


@pytest.fixture(autouse=True)
def validate_figures(monkeypatch):
    """Figures are validated by Plotly in tests (the app skips it for speed)."""
    monkeypatch.setattr(charts, "VALIDATE", True)


def monthly(groups=("Farsta", "Kista"), months=6, start="2024-01-01"):
    dates = pd.date_range(start, periods=months, freq="MS")
    rows = [(g, d, 10 * (i + 1) + j) for i, g in enumerate(groups) for j, d in enumerate(dates)]
    df = pd.DataFrame(rows, columns=["area", "month", "n"])
    df["n"] = df["n"].astype("Int64")
    df["n_suppressed"] = False
    return df


def luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --- trend ----------------------------------------------------------------------------------


def test_trend_one_line_per_group_in_palette_order():
    fig = charts.trend(monthly(), "month", "n", "area", title="Våldsbrott", y_title="Antal")
    assert [t.name for t in fig.data] == ["Farsta", "Kista"]
    assert [t.line.color for t in fig.data] == list(charts.OKABE_ITO[:2])
    assert list(fig.data[0].y) == [10, 11, 12, 13, 14, 15]
    assert fig.layout.separators == ", "
    # The title is the page's text above the figure (components.chart), not drawn in it.
    assert fig.layout.meta["title"] == "Våldsbrott" and not fig.layout.title.text
    assert fig.layout.meta["note"] == ""
    assert "Farsta: från 10 (januari 2024) till 15 (juni 2024)" in fig.layout.meta["alt"]


def test_trend_suppressed_points_are_gaps_not_zeros():
    df = monthly()
    hidden = (df["area"] == "Kista") & (df["month"] == pd.Timestamp("2024-03-01"))
    df.loc[hidden, "n"] = pd.NA
    df.loc[hidden, "n_suppressed"] = True
    fig = charts.trend(df, "month", "n", "area", title="T", y_title="Antal")
    kista = fig.data[1]
    assert math.isnan(kista.y[2]) and kista.connectgaps is False
    assert 0 not in list(kista.y)
    assert kista.customdata[2][1] == ".."  # the hover says ".." for the hidden month
    assert "1 värde döljs" in fig.layout.meta["note"]
    # Said under the chart by the page, and in the exported image.
    spec = exports.export_figure(fig, title="T", caption="Urval: x.")
    assert any("1 värde döljs" in a["text"] for a in spec["layout"]["annotations"])


def test_trend_flag_hides_value_even_when_present():
    df = monthly(groups=("A",))
    df.loc[0, "n_suppressed"] = True  # number still there: the flag must win
    fig = charts.trend(df, "month", "n", title="T", y_title="Antal")
    assert math.isnan(fig.data[0].y[0])


def test_trend_empty_frame_says_so():
    fig = charts.trend(monthly().iloc[0:0], "month", "n", "area", title="T", y_title="Antal")
    assert len(fig.data) == 0
    assert "Inga uppgifter" in fig.layout.annotations[0].text


def test_indexed_trend_base_year_is_100():
    df = pd.DataFrame(
        {
            "area": ["A", "A", "A", "B", "B", "B"],
            "month": pd.to_datetime(["2023-01-01", "2023-02-01", "2024-01-01"] * 2),
            "n": [10, 30, 40, 0, 0, 5],
        }
    )
    values = charts.index_values(df, "month", "n", "area", 2023)
    a = values[values["area"] == "A"]["index"].tolist()
    assert a == pytest.approx([50.0, 150.0, 200.0])  # base = mean(10, 30) = 20
    assert values[values["area"] == "B"]["index"].isna().all()  # base 0: no index
    fig = charts.indexed_trend(df, "month", "n", "area", base_year=2023, title="Index", y_label="Antal")
    assert fig.layout.shapes[0].y0 == 100
    assert "2023 = 100" in fig.layout.yaxis.title.text


# --- measure status ---------------------------------------------------------------------------


def status_rows():
    return pd.DataFrame(
        {
            "area": ["Farsta", "Farsta", "Farsta", "Kista", "Kista"],
            "status": ["uppnådd", "påbörjad", "ej bedömd", "uppnådd", "ej uppnådd"],
            "n": [1, 2, 1, 3, 1],
        }
    )


def test_stacked_status_fixed_order_colours_and_shares():
    fig = charts.stacked_status(status_rows(), "area", title="Status")
    assert [t.name for t in fig.data] == list(charts.MEASURE_STATUSES)
    assert [t.marker.color for t in fig.data] == [charts.STATUS_COLOURS[s] for s in charts.MEASURE_STATUSES]
    assert list(fig.data[0].y) == ["Farsta", "Kista"]  # Kista (75 % uppnådd) drawn on top
    by_status = {t.name: list(t.x) for t in fig.data}
    assert by_status["uppnådd"] == pytest.approx([25.0, 75.0])
    assert by_status["delvis uppnådd"] == [0, 0]  # absent status: zero-width, still in the legend
    totals = np.sum([list(t.x) for t in fig.data], axis=0)
    assert totals == pytest.approx([100, 100])
    assert fig.layout.barmode == "stack"
    assert "Kista (75,0\u00a0%)" in fig.layout.meta["alt"]


def test_stacked_status_counts_mode_and_bad_status():
    fig = charts.stacked_status(status_rows(), "area", title="Status", shares=False)
    assert list(fig.data[0].x) == [1, 3]
    bad = status_rows().assign(status=["klar", "påbörjad", "ej bedömd", "uppnådd", "ej uppnådd"])
    with pytest.raises(ValueError, match="klar"):
        charts.stacked_status(bad, "area", title="Status")


def test_status_palette_is_ordered_in_greyscale():
    ordered = [luminance(charts.STATUS_COLOURS[s]) for s in charts.MEASURE_STATUSES[:4]]
    assert ordered == sorted(ordered)  # uppnådd darkest ... ej uppnådd lightest
    assert len({round(v, 2) for v in ordered}) == 4


def test_status_flow_nodes_and_links():
    df = pd.DataFrame(
        {
            "from_round": ["T1", "T1", "T2"],
            "to_round": ["T2", "T2", "VB"],
            "from_status": ["påbörjad", "påbörjad", "uppnådd"],
            "to_status": ["uppnådd", "påbörjad", "uppnådd"],
            "n": [3, 2, 3],
        }
    )
    fig = charts.status_flow(df, title="Flöde")
    sankey = fig.data[0]
    labels = list(sankey.node.customdata)
    assert set(labels) == {"T1: påbörjad", "T2: uppnådd", "T2: påbörjad", "VB: uppnådd"}
    # Each node shows its number of measures, so the picture reads without hovering.
    assert set(sankey.node.label) == {"T1: påbörjad (5)", "T2: uppnådd (3)", "T2: påbörjad (2)", "VB: uppnådd (3)"}
    links = {
        (labels[s], labels[t]): v
        for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value, strict=True)
    }
    assert links[("T1: påbörjad", "T2: uppnådd")] == 3
    assert links[("T2: uppnådd", "VB: uppnådd")] == 3
    assert "T1 → T2 → VB" in fig.layout.meta["alt"]
    assert "varav 5" in fig.layout.meta["alt"]  # 2 stayed påbörjad + 3 stayed uppnådd


# --- Poisson uncertainty --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (5, 1.6235, 11.668), (10, 4.795, 18.390), (100, 81.364, 121.627)],
)
def test_poisson_interval_garwood_values(count, lower, upper):
    lo, hi = charts.poisson_interval(count)
    assert lo == pytest.approx(lower, abs=2e-3)
    assert hi == pytest.approx(upper, abs=2e-3)


def test_poisson_interval_large_counts_and_bad_input():
    lo, hi = charts.poisson_interval(10_000)
    assert lo < 10_000 < hi
    assert hi - lo == pytest.approx(2 * 1.96 * 100, rel=0.01)  # normal limit for large counts
    with pytest.raises(ValueError):
        charts.poisson_interval(-1)


def test_change_within_chance():
    assert charts.change_within_chance(12, 10) is True
    assert charts.change_within_chance(40, 10) is False
    assert charts.change_within_chance(20, 10, exposure_ratio=2.0) is True  # twice the population
    assert charts.change_within_chance(0, 0) is True
    assert charts.change_within_chance(60_000, 50_000) is False  # large counts: normal approximation


def test_ranked_bars_rates_intervals_and_suppression():
    df = pd.DataFrame(
        {
            "name": ["Farsta", "Kista", "Rinkeby", "Skärholmen"],
            "n": pd.array([10, 100, None, 0], dtype="Int64"),
            "n_suppressed": [False, False, True, False],
            "pop": [50_000, 100_000, 40_000, 20_000],
            "prev": [9, 40, 3, 1],
        }
    )
    fig = charts.ranked_bars(
        df,
        "name",
        "n",
        population="pop",
        previous="prev",
        title="Rang",
        value_title="Per 100 000 invånare",
        highlight="Farsta",
    )
    bar = fig.data[0]
    assert list(bar.y) == ["Skärholmen ≈", "Farsta ≈", "Kista"]  # lowest first: Plotly draws it at the bottom
    assert list(bar.x) == pytest.approx([0.0, 20.0, 100.0])
    lo, hi = charts.poisson_interval(10)
    assert bar.error_x.array[1] == pytest.approx(hi * 2 - 20.0)
    assert bar.error_x.arrayminus[1] == pytest.approx(20.0 - lo * 2)
    assert list(bar.marker.color) == ["#0072B2", "#D55E00", "#0072B2"]
    assert "Rinkeby" in fig.layout.meta["note"] and "Rinkeby" not in "".join(bar.y)
    assert "högst Kista" in fig.layout.meta["alt"]


def test_every_builder_returns_a_figure_with_alt_text():
    figs = [
        charts.trend(monthly(), "month", "n", "area", title="T", y_title="Antal"),
        charts.stacked_status(status_rows(), "area", title="S"),
        charts.empty_figure("Tom"),
    ]
    for fig in figs:
        assert isinstance(fig, go.Figure)
        assert fig.layout.meta["alt"].strip()
        assert fig.layout.font.size >= 14  # readable on a projector


@pytest.mark.parametrize(("current", "previous", "ratio"),
                         [(0, 7, 1.0), (9, 3, 1.0), (30, 18, 1.0), (18, 30, 1.0), (25, 10, 2.0), (140, 100, 1.0),
                          (1200, 1100, 0.9), (40, 60, 1.5)])
def test_change_within_chance_is_the_exact_binomial_test(current, previous, ratio):
    # Independent reference in exact integers: two-sided test summing every outcome no more
    # likely than the observed one (ties included).
    import math
    from fractions import Fraction

    r = Fraction(ratio).limit_denominator(100)
    n, a, b = current + previous, r.numerator, r.denominator  # prob = a / (a + b)
    weight = [math.comb(n, i) * a**i * b ** (n - i) for i in range(n + 1)]
    p_value = Fraction(sum(w for w in weight if w <= weight[current]), (a + b) ** n)
    assert charts.change_within_chance(current, previous, ratio) is (p_value > Fraction(5, 100))


def test_a_figure_is_remembered_when_its_frame_comes_back_from_the_cache():
    # The figure of a page's first run is shared with the reruns, whose frames Streamlit's
    # cache unpickles (equal values, objects shared differently): built once, not per rerun.
    df = pd.DataFrame({"name": ["Malmö", "Lund"], "count": [120, 40], "population": [360000.0, 128000.0],
                       "value": pd.array([33.3, None], dtype="Float64"), "rank": pd.array([1, 2], dtype="Int64")})
    built = []

    def bars(frame, *, title):
        built.append(title)
        return charts.ranked_bars(frame, "name", "count", population="population", title=title, value_title="Per 100 000")

    first = charts.remembered(bars, df, title="Test: remembered across the cache")
    again = charts.remembered(bars, pickle.loads(pickle.dumps(df)), title="Test: remembered across the cache")
    assert again is first and len(built) == 1
    other = charts.remembered(bars, df.assign(count=[121, 40]), title="Test: remembered across the cache")
    assert other is not first and len(built) == 2


def test_trend_with_every_value_hidden_has_no_value_axis_but_says_why():
    # Stockholms län by sex hid every value beside a table of 2 318: plotly's empty 0-4
    # axis read as if the hidden values were small.
    df = monthly(groups=("A", "B"))
    df["n"] = pd.NA
    df["n_suppressed"] = True
    fig = charts.trend(df, "month", "n", "area", title="T", y_title="Antal")
    assert fig.layout.yaxis.showticklabels is False
    assert any(a.text == "Alla värden är dolda (röjandeskydd)" for a in fig.layout.annotations)


def test_trend_of_small_counts_has_whole_number_ticks_and_one_value_is_named_once():
    df = monthly(groups=("A",))
    df["n"] = 0
    df.loc[1:, "n_suppressed"] = True
    fig = charts.trend(df, "month", "n", title="T", y_title="Antal")
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tick0 == 0  # no 0,2 / 0,4 ticks
    assert not any("dolda (röjandeskydd)" in (a.text or "") for a in fig.layout.annotations)
    alt = fig.layout.meta["alt"]
    assert "från 0" not in alt and "0 (" in alt  # the one shown value, not "från 0 (…) till 0 (…)"


def test_the_export_draws_the_whole_title_above_the_plot_and_grows_by_its_lines():
    """On screen the title is the page's text (it wraps at the chart's width); the PNG/SVG
    draw it in full, in lines that fit the picture's width, and the image grows by its
    lines rather than squeezing the plot."""
    title = ("Händelser (alla händelsetyper), lokalpolisområden i Stockholm city, "
             "januari 2025 – december 2025, jämfört med samma månader ett år tidigare")
    fig = charts.figure([], charts.layout(title=title, alt="", height=400, note="Streckat: ett år tidigare."))
    assert not fig.layout.title.text and fig.layout.meta["title"] == title
    spec = exports.export_figure(fig, title=title, caption="Urval: x.")
    lines = spec["layout"]["title"]["text"].split("<br>")
    assert len(lines) == 2 and " ".join(lines) == title
    assert all(len(line) * exports.TITLE_CHAR_PX <= exports.EXPORT_WIDTH - 2 * exports.EXPORT_PAD for line in lines)
    one_line = exports.export_figure(fig, title="Händelser per månad", caption="Urval: x.")
    assert spec["layout"]["margin"]["t"] == one_line["layout"]["margin"]["t"] + charts.TITLE_LINE_PX
    assert spec["layout"]["height"] == one_line["layout"]["height"] + charts.TITLE_LINE_PX
    # The note the page shows under the chart heads the picture's caption.
    caption = next(a["text"] for a in spec["layout"]["annotations"] if a.get("name") == exports.CAPTION_NAME)
    assert caption.startswith("Streckat: ett år tidigare.") and caption.endswith("Urval: x.")
