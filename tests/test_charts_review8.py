"""Review 8 of the exported figures: Swedish month names on monthly axes, the alt text's
sentences, and legend classes of counts that do not overlap."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard import charts, exports, maps


@pytest.fixture(autouse=True)
def validate_figures(monkeypatch):
    """Figures are validated by Plotly in tests (the app skips it for speed)."""
    monkeypatch.setattr(charts, "VALIDATE", True)


def months(n: int, start: str = "2024-11-01", groups=(None,)) -> pd.DataFrame:
    dates = pd.date_range(start, periods=n, freq="MS")
    rows = [(g, d, 10 + i + j) for j, g in enumerate(groups) for i, d in enumerate(dates)]
    df = pd.DataFrame(rows, columns=["area", "month", "n"])
    df["n"] = df["n"].astype("Int64")
    return df


def tick_texts(svg: bytes) -> list[str]:
    """The x axis' tick labels as drawn in an exported SVG."""
    return re.findall(r'class="xtick"[^>]*>.*?>([^<]*)</text>', svg.decode("utf-8"))


# --- 1. month names on the time axis -------------------------------------------------------------


def test_monthly_axes_name_months_in_swedish():
    trend = charts.trend(months(14), "month", "n", title="Brott", y_title="Antal")
    indexed = charts.indexed_trend(months(14, groups=("Farsta", "Kista")), "month", "n", "area", base_year=2025,
                                   title="Index", y_label="Brott")
    for fig in (trend, indexed):
        axis = fig.layout.xaxis
        assert axis.tickformat == "%b %Y"  # plotly's English abbreviation, renamed below
        assert axis.labelalias["Nov 2025"] == "nov 2025"
        assert axis.labelalias["May 2025"] == "maj 2025"
        assert axis.labelalias["Oct 2024"] == "okt 2024"
        assert axis.hoverformat == "%b %Y"


def test_yearly_index_keeps_years_on_its_axis():
    fig = charts.indexed_trend(months(36, start="2023-01-01"), "month", "n",
                               base_year=2023, title="Index", y_label="Brott", yearly=True)
    assert fig.layout.xaxis.tickformat == "%Y"
    assert fig.layout.xaxis.dtick == "M12"


@pytest.fixture(scope="module")
def renderer():
    if exports.browser_path() is None:
        pytest.skip("Chromium saknas (/usr/bin/chromium eller BROWSER_PATH): bildexport kan inte testas")
    return exports.renderer()


@pytest.mark.parametrize("n", [5, 14, 40])
def test_exported_svg_names_each_month_once_in_swedish(renderer, n):
    fig = charts.trend(months(n), "month", "n", title="Brott", y_title="Antal")
    ticks = tick_texts(exports.to_svg(fig, title="Brott", caption="Källa: test"))
    assert ticks
    swedish = re.compile(r"^(jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec) \d{4}$")
    assert all(swedish.match(t) for t in ticks), ticks  # not "2025-11", not "Nov 2025"
    assert len(ticks) == len(set(ticks)), ticks  # a short series: no month named twice


# --- 2. the alt text's sentences -------------------------------------------------------------------


def test_alt_text_of_one_line_starts_its_summary_with_a_capital():
    alt = charts.trend(months(3), "month", "n", title="Brott", y_title="Antal").layout.meta["alt"]
    assert "1 linje. Från 10 (november 2024) till 12 (januari 2025)." in alt
    assert ". från" not in alt


def test_alt_text_of_one_hidden_line_starts_with_a_capital():
    df = months(2)
    df["n"] = pd.array([None, None], dtype="Int64")
    df["n_suppressed"] = True  # hidden by disclosure control ("..")
    alt = charts.trend(df, "month", "n", title="Brott", y_title="Antal").layout.meta["alt"]
    assert "1 linje. Alla värden dolda." in alt
    # Values that are merely missing are not said to be hidden.
    alt = charts.trend(df.drop(columns="n_suppressed"), "month", "n", title="Brott", y_title="Antal").layout.meta["alt"]
    assert "1 linje. Inga värden." in alt and "dold" not in alt


# --- 3. legend classes of counts ----------------------------------------------------------------


COUNTS = [3, 4, 5, 5, 5, 6, 6, 7, 8, 8, 9, 12, 15, 22, 40]


def ranges(labels: list[str]) -> list[tuple[int, int]]:
    out = []
    for label in labels:
        lo, _, hi = label.replace("\u00a0", "").partition("–")
        out.append((int(lo), int(hi or lo)))
    return out


def test_grid_legend_classes_do_not_overlap_and_hold_every_count_once():
    cells = pd.DataFrame({"grid_cell": [f"{674000 + 1000 * i}6580000" for i in range(len(COUNTS))], "n": COUNTS})
    deck = maps.grid_layer(cells)
    labels = [label for _, label in deck.legend]
    assert labels == ["3–5", "6", "7–8", "9–12", "13–40"]  # was "3–5", "5–6", "6–8", "8–13", "13–40"
    bounds = ranges(labels)
    colour_of = {tuple(maps._rgba(colour, 210)): bound for (colour, _), bound in zip(deck.legend, bounds, strict=True)}
    for record, n in zip(deck.layers[0].data, COUNTS, strict=True):
        holding = [b for b in bounds if b[0] <= n <= b[1]]
        assert len(holding) == 1, (n, labels)
        assert colour_of[tuple(record["fill"])] == holding[0]  # the square's colour is that class's


@pytest.mark.parametrize("values", [COUNTS, [0] * 40 + list(range(1, 30)), [1, 1, 2, 2, 2, 3, 9, 9, 10, 11, 50],
                                    list(range(0, 1000, 7))])
def test_every_count_falls_in_exactly_one_legend_class(values):
    breaks = maps.class_breaks(values, integers=True)
    bounds = ranges([label for _, label in maps.legend_items(breaks, with_hidden=False, integers=True)])
    for n in range(min(values), max(values) + 1):
        holding = [i for i, (lo, hi) in enumerate(bounds) if lo <= n <= hi]
        assert holding == [maps.class_of(n, breaks)], (n, bounds)


def test_area_map_of_counts_has_whole_number_classes_and_rates_keep_theirs():
    geo = pd.DataFrame({"area_code": [f"A{i}" for i in range(len(COUNTS))], "name": [f"Område {i}" for i in
                                                                                      range(len(COUNTS))]})
    counts = maps.area_values(geo, geo.assign(value=[float(n) for n in COUNTS]), "value")
    labels = [label for _, label in maps._area_legend(counts, decimals=0, diverging=False)]
    assert labels == ["3–5", "6", "7–8", "9–12", "13–40"]
    rates = maps.area_values(geo, geo.assign(value=[n + 0.5 for n in COUNTS]), "value", decimals=1)
    assert rates.attrs["breaks"][-1] == 40.5  # a rate's limits are not rounded
