"""Map builders on the reference geography: payload per level, colours, tooltips, selection."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dashboard import maps
from pipelines import geography


def level(geometry, name):
    return geometry[geometry["level"] == name].reset_index(drop=True)


def values_for(geo, seed=1):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"area_code": geo["area_code"], "n": rng.integers(10, 500, len(geo)).astype(float)})
    df["n_suppressed"] = False
    return df


@pytest.mark.parametrize("name", geography.LEVELS)
def test_map_payload_per_level_within_300_kb(geometry, name):
    size = maps.geojson_payload_size(geometry, name)
    assert 1_000 < size <= maps.PAYLOAD_LIMIT, f"{name}: {size} bytes"


def test_deck_json_is_compact_and_has_no_basemap(geometry):
    geo = level(geometry, "lan")
    deck = maps.area_layer(geo, values_for(geo), "n", "Antal")
    text = deck.to_json()
    assert "\n" not in text
    assert "Västra Götalands län" in text  # UTF-8 as it is, not \u00e4 (six bytes for two)
    spec = json.loads(text)
    assert spec["mapStyle"] == "__MAP_STYLE__"  # Streamlit draws no tiles for this sentinel
    assert "mapProvider" not in spec
    assert "legend" not in spec and "alt" not in spec  # page-side attributes stay out of the JSON
    assert [layer["id"] for layer in spec["layers"]] == [maps.AREA_LAYER]
    view = spec["initialViewState"]
    assert 55 < view["latitude"] < 69 and 11 < view["longitude"] < 24


def test_area_features_tooltip_fields_and_colours(geometry):
    geo = level(geometry, "lan")
    values = values_for(geo)
    top = values["n"].idxmax()
    hidden_code = values.loc[(top + 1) % len(values), "area_code"]
    values.loc[values["area_code"] == hidden_code, ["n", "n_suppressed"]] = [np.nan, True]
    values = values[values["area_code"] != geo["area_code"].iloc[-1]]  # one area without data
    deck = maps.area_layer(geo, values, "n", "Antal", decimals=0)
    features = {f["id"]: f["properties"] for f in deck.layers[0].data["features"]}
    assert set(features) == set(geo["area_code"])
    top_code = values.loc[top, "area_code"]
    shown = values["n"].notna().sum()
    assert features[top_code]["rank_text"] == f"1 av {shown}"
    assert features[top_code]["fill"][:3] == maps._rgba(maps.VIRIDIS_5[-1])[:3]  # highest class darkest
    assert features[hidden_code]["value_text"] == ".."
    assert features[hidden_code]["fill"] == maps.SUPPRESSED_RGBA
    assert features[hidden_code]["rank_text"] == "–"
    assert features[geo["area_code"].iloc[-1]]["value_text"] == "–"
    assert "{value_text}" in deck._tooltip["html"] and "{approx}" in deck._tooltip["html"]
    assert deck.legend[-1] == ("#C8C8C8", "dolt (..)")
    assert "1 område döljs" in deck.alt


def test_approximate_areas_marked(geometry):
    geo = level(geometry, "lpo")
    assert geo["approximate"].any(), "the reference LPOs include approximate (split-kommun) areas"
    deck = maps.area_layer(geo, values_for(geo), "n", "Antal")
    props = {f["id"]: f["properties"] for f in deck.layers[0].data["features"]}
    for code, approx in zip(geo["area_code"], geo["approximate"], strict=True):
        assert (props[code]["approx"] == maps.APPROX_NOTE) == bool(approx)
    outline = deck.layers[1]
    assert outline.id == maps.APPROX_LAYER
    assert len(outline.data["features"]) == int(geo["approximate"].sum())
    spec = json.loads(deck.to_json())
    # Streamlit's deck.gl JSON converter cannot resolve "@@type" class references.
    assert all("extensions" not in layer for layer in spec["layers"])
    assert spec["layers"][1]["getLineWidth"] > spec["layers"][0]["getLineWidth"]


def test_class_breaks_and_colours():
    breaks = maps.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert breaks[0] == 1 and breaks[-1] == 10 and breaks == sorted(breaks)
    assert maps.class_colours(breaks) == list(maps.VIRIDIS_5)
    assert maps.class_of(1, breaks) == 0 and maps.class_of(10, breaks) == len(breaks) - 2
    few = maps.class_breaks([3, 3, 7])
    assert len(maps.class_colours(few)) == len(few) - 1
    # One kommun's data on a national map: the areas with incidents must not share a
    # colour with the areas without (before, one class '0–1 016' coloured them all alike).
    one = maps.class_breaks([0, 0, 0, 0, 0, 0, 1016])
    assert maps.class_of(0, one) != maps.class_of(1016, one)
    assert [label for _, label in maps.legend_items(one, with_hidden=False)] == ["0", "0–1\u00a0016"]
    sparse = maps.class_breaks([0] * 280 + list(range(1, 11)))
    assert maps.class_of(0, sparse) == 0 and maps.class_of(1, sparse) == 1
    assert len({maps.class_of(x, sparse) for x in range(1, 11)}) >= 3  # the areas with data differ too
    div = maps.class_breaks([-10, -5, 2, 8, 20], diverging=True)
    assert 0.0 in div
    colours = maps.class_colours(div, diverging=True)
    negative = [c for i, c in enumerate(colours) if div[i + 1] <= 0]
    assert all(c in maps.DIVERGING_6[:3] for c in negative)  # decreases are blue


def test_selected_area_from_streamlit_state():
    state = {
        "selection": {
            "indices": {maps.AREA_LAYER: [3]},
            "objects": {maps.AREA_LAYER: [{"properties": {"area_code": "LPO-FARSTA"}}]},
        }
    }
    assert maps.selected_area(state) == "LPO-FARSTA"
    assert maps.selected_area({"selection": {"indices": {}, "objects": {}}}) is None
    assert maps.selected_area(None) is None


def test_selected_area_outlined(geometry):
    geo = level(geometry, "lan")
    deck = maps.area_layer(geo, values_for(geo), "n", "Antal", selected="01")
    assert deck.layers[-1].id == "selected-area"


def test_grid_cells_are_1km_squares_around_their_centres():
    cells = pd.DataFrame({"grid_cell": ["6740006580000", "6750006580000", "6740006581000"], "n": [12, 30, 7]})
    cells["n_suppressed"] = [False, False, True]
    deck = maps.grid_layer(cells)
    records = deck.layers[0].data
    assert [r["cell"] for r in records] == ["6740006580000", "6750006580000"]  # the flagged cell is dropped
    ring = np.asarray(records[0]["polygon"])
    lat, lon = geography.grid_cell_center_wgs84("6740006580000")
    assert ring[:4, 0].mean() == pytest.approx(lon, abs=1e-3)
    assert ring[:4, 1].mean() == pytest.approx(lat, abs=1e-3)
    assert (ring[:, 1].max() - ring[:, 1].min()) * 111_000 == pytest.approx(1000, rel=0.05)
    assert records[1]["n"] == "30"
    assert "2 rutor" in deck.alt


def legend_groups(fig) -> dict[str, list]:
    """The figure's area traces by legend entry (the first of each carries the entry)."""
    groups: dict[str, list] = {}
    for trace in fig.data:
        if trace.fill == "toself":
            groups.setdefault(trace.name, []).append(trace)
    return groups


def test_choropleth_figure_for_export(geometry):
    geo = level(geometry, "lpo")
    values = values_for(geo)
    values.loc[0, ["n", "n_suppressed"]] = [np.nan, True]
    fig = maps.choropleth_figure(geo, values, "n", "Antal", title="Skjutningar per LPO")
    groups = legend_groups(fig)
    # Every area once, as a filled shape; each class one legend entry.
    assert sorted(t.meta["area_code"] for ts in groups.values() for t in ts) == sorted(geo["area_code"])
    assert all([t.showlegend for t in ts] == [True] + [False] * (len(ts) - 1) for ts in groups.values())
    [hidden] = groups["dolt (..)"]
    assert hidden.meta["area_code"] == values.loc[0, "area_code"]
    assert "Antal: .." in hidden.text and hidden.fillcolor == "#C8C8C8"
    name = geo.loc[geo["area_code"] == values.loc[1, "area_code"], "name"].iloc[0]
    shown = next(t for ts in groups.values() for t in ts if t.meta["area_code"] == values.loc[1, "area_code"])
    assert shown.text.startswith(f"<b>{name}</b>") and f"Antal: {int(values.loc[1, 'n'])}" in shown.text
    assert shown.hoveron == "fills" and shown.hoverinfo == "text"
    assert "ungefärlig gräns" in [t.name for t in fig.data]
    classes = [name for name in groups if name not in ("dolt (..)", "uppgift saknas")]
    assert sum(len(groups[c]) for c in classes) == len(geo) - 1
    assert fig.layout.meta["alt"].startswith("Karta över antal")


def test_approximate_outline_is_drawn_alike_on_screen_and_in_the_image(geometry):
    # The note said "Streckad kontur", the screen drew a thick solid line and the image a
    # dotted one: the same line now, named the same way.
    geo = level(geometry, "lpo")
    assert geo["approximate"].any()
    deck = maps.area_layer(geo, values_for(geo), "n", "Antal")
    [screen] = [layer for layer in json.loads(deck.to_json())["layers"] if layer["id"] == maps.APPROX_LAYER]
    fig = maps.choropleth_figure(geo, values_for(geo), "n", "Antal", title="LPO")
    [image] = [t for t in fig.data if t.name == "ungefärlig gräns"]
    assert image.line.dash in (None, "solid")
    assert image.line.width == screen["getLineWidth"] == maps.APPROX_LINE_PX
    assert maps._rgba(image.line.color, 255) == screen["getLineColor"]
    assert maps.APPROX_OUTLINE.lower().startswith("tjock mörk")
    assert not fig.layout.meta["note"]  # no second wording inside the image: the caption carries the page's


def test_choropleth_figure_needs_no_network(geometry):
    # Plotly's geo maps fetch their base map (world_110m.json) from cdn.plot.ly, even
    # hidden: offline the preview showed only its legend. The figure has no geo subplot.
    geo = level(geometry, "kommun")
    fig = maps.choropleth_figure(geo, values_for(geo), "n", "Antal", title="Kommuner")
    spec = fig.to_dict()
    assert {t["type"] for t in spec["data"]} == {"scatter"}
    assert "geo" not in spec["layout"] and "mapbox" not in spec["layout"] and "map" not in spec["layout"]
    assert spec["layout"]["yaxis"]["scaleanchor"] == "x" and spec["layout"]["xaxis"]["visible"] is False
    # The areas' own coordinates: Sweden, in longitude and Web Mercator northing.
    xs = [x for t in spec["data"] for x in t["x"] if x is not None]
    ys = [y for t in spec["data"] for y in t["y"] if y is not None]
    assert 10 < min(xs) < max(xs) < 25
    assert maps._mercator_y(np.array([55.0]))[0] < min(ys) < max(ys) < maps._mercator_y(np.array([70.0]))[0]


def test_a_hole_in_an_area_stays_open_in_the_figure():
    # One path per area, filled by the nonzero rule: the hole must turn the other way.
    square = [[15.0, 60.0], [15.0, 61.0], [16.0, 61.0], [16.0, 60.0], [15.0, 60.0]]  # clockwise
    hole = [[15.4, 60.4], [15.6, 60.4], [15.6, 60.6], [15.4, 60.6], [15.4, 60.4]]  # anticlockwise
    text = json.dumps({"type": "Polygon", "coordinates": [square, hole]})
    xs, ys = maps._shape_xy(text)
    split = xs.index(None)

    def turn(x, y):
        return sum(x[i] * y[i + 1] - x[i + 1] * y[i] for i in range(len(x) - 1))

    assert turn(xs[:split], ys[:split]) > 0 > turn(xs[split + 1:], ys[split + 1:])


def test_same_inputs_reuse_the_deck_and_any_change_rebuilds_it(geometry):
    geo = level(geometry, "lan")
    values = values_for(geo)
    first = maps.area_layer(geo, values, "n", "Antal", selected="01")
    again = maps.area_layer(geo.copy(), values.copy(), "n", "Antal", selected="01")
    assert again is not first and again.to_json() == first.to_json()

    def fill_of(deck, code):
        layer = json.loads(deck.to_json())["layers"][0]
        return next(f["properties"] for f in layer["data"]["features"] if f["id"] == code)

    changed = values.copy()
    changed.loc[changed["area_code"] == "01", "n"] = 123_456.0
    assert fill_of(maps.area_layer(geo, changed, "n", "Antal", selected="01"), "01")["value_text"] == "123\xa0456"
    hidden = values.copy()
    hidden.loc[hidden["area_code"] == "01", "n_suppressed"] = True
    assert fill_of(maps.area_layer(geo, hidden, "n", "Antal", selected="01"), "01")["value_text"] == ".."
    assert json.loads(maps.area_layer(geo, values, "n", "Antal", selected="03").to_json()) != json.loads(
        first.to_json())  # another selected outline
    # A caller changing its copy (a view, say) changes only its own JSON.
    again.initial_view_state = maps.view_for_bounds((11.0, 55.0, 12.0, 56.0))
    assert again.to_json() != first.to_json()
    assert maps.area_layer(geo, values, "n", "Antal", selected="01").to_json() == first.to_json()


def test_legend_names_the_grey_only_when_something_is_hidden(geometry):
    geo = level(geometry, "polisregion")
    shown = values_for(geo)
    deck = maps.area_layer(geo, shown, "n", "Antal")
    assert all(label != "dolt (..)" for _, label in deck.legend)
    hidden = shown.copy()
    hidden["n_suppressed"] = [True] + [False] * (len(hidden) - 1)
    hidden.loc[hidden.index[0], "n"] = float("nan")
    deck = maps.area_layer(geo, hidden, "n", "Antal")
    assert deck.legend[-1][1] == "dolt (..)"


def test_no_change_is_neither_decrease_nor_increase_on_the_change_map(geometry):
    # 3 incidents both years is 0 %: before, it took the lightest decrease's blue.
    geo = level(geometry, "polisregion")
    codes = geo["area_code"].tolist()
    values = pd.DataFrame({"area_code": codes, "change_pct": [-10.0, -3.0, 0.0, 0.0, 5.0, 12.0, 20.0]})
    table = maps.area_values(geo, values, "change_pct", decimals=1, diverging=True)
    colours = dict(zip(table["area_code"], table["colour"], strict=True))
    assert colours[codes[2]] == colours[codes[3]] == maps.UNCHANGED[0]
    assert colours[codes[1]] in maps.DIVERGING_6[:3] and colours[codes[4]] in maps.DIVERGING_6[3:]
    labels = [label for _, label in maps._area_legend(table, decimals=1, diverging=True)]
    decreases = sum(1 for label in labels if label.startswith("-"))
    assert labels.index(maps.UNCHANGED[1]) == decreases  # between the decreases and the increases
    # The classes beside it stop short of 0, and say so ("…–0" beside "0 (oförändrat)" read
    # as if a 0 could be either).
    beside = labels[decreases - 1], labels[decreases + 1]
    assert beside[0].endswith(" till under 0") and beside[1].startswith("över 0 till ")
    assert not any(label.endswith("–0") or label.startswith("0–") for label in labels)
    assert all(" till " in label for label in labels if label != maps.UNCHANGED[1])   # not "-8,1–-3,2"
    figure = maps.choropleth_figure(geo, values, "change_pct", "Förändring (%)", title="Förändring",
                                    decimals=1, diverging=True)
    unchanged = legend_groups(figure)[maps.UNCHANGED[1]]
    assert sorted(t.meta["area_code"] for t in unchanged) == sorted(codes[2:4])


def test_no_change_and_no_data_look_different_and_both_are_named(geometry):
    # "0 (oförändrat)" and "uppgift saknas" had the same near-white: areas looked like holes.
    geo = level(geometry, "polisregion")
    codes = geo["area_code"].tolist()
    values = pd.DataFrame({"area_code": codes[:-1],
                           "change_pct": pd.array([-10.0, 0.0, None, 5.0, 12.0, 20.0], dtype="Float64")})
    table = maps.area_values(geo, values, "change_pct", decimals=1, diverging=True)
    colours = dict(zip(table["area_code"], table["colour"], strict=True))
    assert colours[codes[1]] == maps.UNCHANGED[0]
    assert not isinstance(colours[codes[2]], str) and not isinstance(colours[codes[-1]], str)  # NA, no row
    legend = maps._area_legend(table, decimals=1, diverging=True)
    assert maps.UNCHANGED in legend and maps.NO_DATA in legend
    assert len({colour for colour, _ in legend}) == len(legend)  # every entry its own colour
    assert maps.UNCHANGED[0].upper() not in ("#FFFFFF", "#F5F5F5", "#F7F7F7", maps.SUPPRESSED[0])
    # On screen the areas without data are outlined (white on white is no area at all) …
    deck = maps.area_layer(geo, values, "change_pct", "Förändring (%)", decimals=1, diverging=True)
    assert deck.legend == legend
    [outlines] = [layer for layer in json.loads(deck.to_json())["layers"] if layer["id"] == maps.MISSING_LAYER]
    assert len(outlines["data"]["features"]) == 2
    # … and in the image: same legend, same colours, the missing areas with a grey line.
    fig = maps.choropleth_figure(geo, values, "change_pct", "Förändring (%)", title="F", decimals=1, diverging=True)
    groups = legend_groups(fig)
    assert [(ts[0].fillcolor, name) for name, ts in groups.items()] == legend
    assert {t.meta["area_code"] for t in groups[maps.NO_DATA[1]]} == {codes[2], codes[-1]}
    assert all(t.line.color != "white" for t in groups[maps.NO_DATA[1]])


def test_a_change_from_zero_is_named_not_missing(geometry):
    # Höör went from 0 to 3 incidents: no percentage, but not "uppgift saknas" either.
    geo = level(geometry, "polisregion")
    codes = geo["area_code"].tolist()
    values = pd.DataFrame({"area_code": codes, "change_pct": pd.array([-10.0, 5.0, None, None, None, 12.0, 20.0],
                                                                      dtype="Float64"),
                           "change_pct_state": [None, None, "new", "zero", None, None, None]})
    table = maps.area_values(geo, values, "change_pct", decimals=1, diverging=True).set_index("area_code")
    assert table.at[codes[2], "value_text"] == "ny (från 0)" and table.at[codes[2], "colour"] == maps.NEW_FROM_ZERO[0]
    assert table.at[codes[3], "value_text"] == "0 båda åren" and table.at[codes[3], "colour"] == maps.UNCHANGED[0]
    assert table.at[codes[4], "value_text"] == "–" and not isinstance(table.at[codes[4], "colour"], str)
    assert (table.loc[codes[2:5], "rank_text"] == "–").all()  # no percentage, no rank
    legend = maps._area_legend(table.reset_index(), decimals=1, diverging=True)
    assert [item for item in legend if item[0] in (maps.NEW_FROM_ZERO[0], maps.UNCHANGED[0], maps.NO_DATA[0])] == [
        maps.UNCHANGED, maps.NEW_FROM_ZERO, maps.NO_DATA]
    fig = maps.choropleth_figure(geo, values, "change_pct", "Förändring (%)", title="F", decimals=1, diverging=True)
    [new] = legend_groups(fig)[maps.NEW_FROM_ZERO[1]]
    assert "ny (från 0)" in new.text


def test_grid_map_draws_the_areas_outline_under_its_squares_and_fits_the_area(geometry):
    kommuner = level(geometry, "kommun")
    outlines = maps.area_outlines(kommuner, "0180")
    assert outlines["role"].tolist()[0] == "area" and outlines["area_code"].tolist()[0] == "0180"
    neighbours = set(outlines.loc[outlines["role"] == "neighbour", "name"])
    assert {"Solna", "Nacka", "Huddinge"} <= neighbours and "Malmö" not in neighbours
    cells = pd.DataFrame({"grid_cell": ["6740006580000", "6750006580000"], "n": [5, 9]})
    deck = maps.grid_layer(cells, outlines=outlines)
    spec = json.loads(deck.to_json())
    assert [layer["id"] for layer in spec["layers"]] == [maps.CONTEXT_LAYER, maps.GRID_LAYER]
    # The view holds all of Stockholm, not only the two squares (zoomed in on them before).
    west, south, east, north = maps._parse(outlines["geojson"].iloc[0])[1]
    view = spec["initialViewState"]
    assert west < view["longitude"] < east and south < view["latitude"] < north
    assert view["zoom"] < 11
    fig = maps.choropleth_figure(
        pd.DataFrame({"area_code": ["a"], "name": ["Ruta a"],
                      "geojson": [json.dumps({"type": "Polygon", "coordinates": [maps.cell_polygons(["6740006580000"])[0]]})]}),
        pd.DataFrame({"area_code": ["a"], "n": [5]}), "n", "Antal", title="Rutor", outlines=outlines)
    roles = [(t.meta or {}).get("outline") for t in fig.data]
    assert roles[-1] is None and roles.count("area") == 1 and roles.count("neighbour") == len(neighbours)
    assert fig.layout.xaxis.range[0] < west and fig.layout.xaxis.range[1] > east


def test_changes_chance_could_give_are_grey_and_the_classes_are_the_others(geometry):
    # Seven regions: -40 % and +35 % that chance could not give, the rest could.
    geo = level(geometry, "polisregion")
    codes = geo["area_code"].tolist()
    values = pd.DataFrame({"area_code": codes,
                           "change_pct": pd.array([-40.0, -3.0, 0.0, 2.0, 35.0, None, 8.0], dtype="Float64"),
                           "change_pct_state": [None, None, None, None, None, "new", None],
                           "chance": ["nej", "ja", "ja", "ja", "nej", "ja", "ja"]})
    table = maps.area_values(geo, values, "change_pct", decimals=1, diverging=True,
                             within_chance="chance").set_index("area_code")
    grey = [codes[i] for i in (1, 2, 3, 5, 6)]
    assert table.loc[grey, "within_chance"].all() and not table.loc[[codes[0], codes[4]], "within_chance"].any()
    assert (table.loc[grey, "colour"] == maps.WITHIN_CHANCE[0]).all()
    assert table.at[codes[5], "value_text"] == "ny (från 0)"  # still says what it is
    assert table.at[codes[0], "colour"] in maps.DIVERGING_6[:3] and table.at[codes[4], "colour"] in maps.DIVERGING_6[3:]
    assert table.at[codes[3], "value_text"] == "2,0" and table.at[codes[3], "rank_text"] == "3 av 6"
    # The legend: the two coloured changes' classes with "inom slumpen" between them, and no
    # "oförändrat" or "ny (från 0)" that no area is drawn in.
    legend = maps._area_legend(table.reset_index(), decimals=1, diverging=True)
    assert legend == [(maps.DIVERGING_6[2], "-40,0 till under 0"), maps.WITHIN_CHANCE,
                      (maps.DIVERGING_6[3], "över 0 till 35,0")]
    deck = maps.area_layer(geo, values, "change_pct", "Förändring (%)", decimals=1, diverging=True,
                           within_chance="chance")
    features = {f["id"]: f["properties"] for f in deck.layers[0].data["features"]}
    assert features[codes[1]]["chance"] == maps.CHANCE_NOTE and features[codes[0]]["chance"] == ""
    assert "{chance}" in deck._tooltip["html"] and deck.legend == legend
    assert "5 områden har en förändring inom slumpens variation" in deck.alt
    # Without the verdicts the same values are coloured as before (the cached deck is not reused).
    plain = maps.area_layer(geo, values, "change_pct", "Förändring (%)", decimals=1, diverging=True)
    assert "chance" not in plain.layers[0].data["features"][1]["properties"]
    assert maps.WITHIN_CHANCE not in plain.legend and maps.UNCHANGED in plain.legend
    fig = maps.choropleth_figure(geo, values, "change_pct", "Förändring (%)", title="F", decimals=1, diverging=True,
                                 within_chance="chance")
    groups = legend_groups(fig)
    assert {t.meta["area_code"] for t in groups["inom slumpen"]} == set(grey)
    assert all("inom slumpen" in t.text for t in groups["inom slumpen"])


def test_change_map_marking_chance_stays_within_300_kb(geometry):
    # Every kommun with its verdict and the tooltip's note: still within issue 6's limit.
    geo = level(geometry, "kommun")
    values = pd.DataFrame({"area_code": geo["area_code"],
                           "value": np.linspace(-80, 120, len(geo)).round(1),
                           "within_chance": ["ja" if i % 3 else "nej" for i in range(len(geo))]})
    deck = maps.area_layer(geo, values, "value", "Förändring mot ett år tidigare (%)", decimals=1, diverging=True,
                           within_chance="within_chance")
    assert sum(f["properties"]["chance"] == maps.CHANCE_NOTE for f in deck.layers[0].data["features"]) > 100
    assert maps.payload_bytes(deck) <= maps.PAYLOAD_LIMIT
