"""Pure map builders: area choropleths and 1 km grid maps as pydeck decks, and the same
choropleth as a Plotly figure for PNG/SVG export.

- No basemap: ``map_provider=None`` gives Streamlit no tile style, so nothing is fetched
  from the network; the areas themselves cover Sweden.
- Colours: five classes (quantile breaks) of viridis, light = low, dark = high, which
  reads for every kind of colour blindness and in greyscale. Suppressed values are a
  light grey, areas without data white with a grey outline ("uppgift saknas"), so that
  neither looks like a value; the legend names each that the map holds.
- Approximate boundaries (LPOs cut from shared kommuner) are drawn with a thicker dark
  outline and say "(ungefärlig gräns)" in the tooltip.
- The area layer has the id ``AREA_LAYER`` and every feature carries its ``area_code``, so
  a page reads the clicked area with ``selected_area(st.pydeck_chart(deck,
  on_select="rerun", selection_mode="single-object", key=...))``.
- Decks serialise compactly (``Deck``): pydeck indents its JSON, which would more than
  double the bytes sent per map; ``payload_bytes`` measures what is sent.
"""

from __future__ import annotations

import copy
import html
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import orjson
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from pydeck.bindings import deck as _pydeck_deck
from pydeck.bindings.json_tools import default_serialize

from dashboard import charts
from dashboard import formatting as fmt
from dashboard.queries import floats

AREA_LAYER = "areas"
APPROX_LAYER = "approximate-outlines"
MISSING_LAYER = "missing-outlines"
CONTEXT_LAYER = "area-outlines"  # under the 1 km squares: the selected area and its neighbours
GRID_LAYER = "grid"
PAYLOAD_LIMIT = 300_000  # bytes of map data per level (issue 6)

# viridis at five evenly spaced points, reversed so that more is darker.
VIRIDIS_5 = ("#FDE725", "#5EC962", "#21918C", "#3B528B", "#440154")
# A colour-blind-safe diverging scale (blue = fewer, orange = more) for changes around 0.
DIVERGING_6 = ("#2166AC", "#67A9CF", "#D1E5F0", "#FDDBC7", "#EF8A62", "#B2182B")
# On a diverging (change) scale, exactly no change: neither a decrease's blue nor an
# increase's red (0 is the upper limit of the lightest decrease class). A light grey, not
# near-white: that is an area without data (NO_DATA), and the two looked alike.
UNCHANGED = ("#D9D9D9", "0 (oförändrat)")
# A change from 0 has no percentage, but it is not missing either: its own colour.
NEW_FROM_ZERO = ("#7B3294", "ny (från 0)")
# A change chance could give (Jämförelse's exact test, charts.change_within_chance): the
# grey of no change, as Översikt greys such a card's change, so that a reader of the map
# alone does not read a deep red into 34 incidents against 50. No change at all is within
# chance too, so on a map that knows which changes are, this entry takes UNCHANGED's place
# between the decreases and the increases; the tooltip keeps the value and says so.
WITHIN_CHANCE = (UNCHANGED[0], "inom slumpen")
CHANCE_NOTE = " – inom slumpen"
SUPPRESSED = ("#C8C8C8", "dolt (..)")
NO_DATA = ("#FFFFFF", "uppgift saknas")
SUPPRESSED_RGBA = [200, 200, 200, 220]
NO_DATA_RGBA = [255, 255, 255, 255]
NO_DATA_LINE_RGBA = [140, 140, 140, 255]
LINE_RGBA = [255, 255, 255, 255]
APPROX_LINE_RGBA = [40, 40, 40, 255]
APPROX_LINE_PX = 2.5
APPROX_NOTE = " (ungefärlig gräns)"
# What the approximate outline looks like, in the page's note and the export's caption: the
# screen and the image draw the same solid line (deck.gl cannot dash it here, see below).
APPROX_OUTLINE = "Tjock mörk kontur"

# pydeck's Deck() asks has_jupyter_extra() five times per deck, and each time Python tries
# to import pydeck's Jupyter widget (ipywidgets, not installed here) again: a failed import
# is not remembered, so every deck spent ~10 ms searching the import path. Whether the
# widget can be imported does not change while the server runs: asked once per process.
# (A pydeck without the function, or with its own cache, is left as it is.)
_asks_jupyter = getattr(_pydeck_deck, "has_jupyter_extra", None)
if callable(_asks_jupyter) and not hasattr(_asks_jupyter, "cache_info"):
    _pydeck_deck.has_jupyter_extra = lru_cache(maxsize=1)(_asks_jupyter)

VIEW_WIDTH_PX = 900
VIEW_HEIGHT_PX = 560


class Deck(pdk.Deck):
    """A ``pydeck.Deck`` whose JSON is compact (pydeck's own ``to_json`` indents it), and
    which carries its legend (``legend``: [(colour, label)]) and alt text (``alt``) for the
    page, outside the JSON sent to the browser.

    The JSON is kept once made (a kommun map is a quarter of a megabyte of coordinates);
    setting any attribute forgets it. Nested objects (a layer's data, the view state)
    must not be changed in place after the first ``to_json``."""

    _LOCAL = ("legend", "alt", "_json")

    def __init__(self, *args, legend: list[tuple[str, str]] | None = None, alt: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.legend = legend or []
        self.alt = alt

    def __setattr__(self, name, value):
        if name != "_json":
            self.__dict__["_json"] = None
        super().__setattr__(name, value)

    def to_json(self):
        cached = self.__dict__.get("_json")
        if cached is not None:
            return cached
        spec = default_serialize(self)
        for key in self._LOCAL:
            spec.pop(key, None)
        # orjson: a kommun map's JSON took ~20 ms with the json module, on every new map.
        # The same document (keys sorted, compact); a NaN becomes null, which JSON.parse
        # in the browser accepts and json's bare NaN is not.
        text = orjson.dumps(spec, default=default_serialize,
                            option=orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()
        self.__dict__["_json"] = text
        return text


def payload_bytes(deck: pdk.Deck) -> int:
    """Bytes of the deck's JSON, i.e. what ``st.pydeck_chart`` sends to the browser."""
    return len(deck.to_json().encode("utf-8"))


# --- colours ----------------------------------------------------------------------------------


def _hex(rgba: Sequence[int]) -> str:
    return "#" + "".join(f"{int(c):02X}" for c in rgba[:3])


def _rgba(hex_colour: str, alpha: int = 230) -> list[int]:
    h = hex_colour.lstrip("#")
    return [int(h[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


def class_breaks(values: Sequence[float], k: int = 5, *, diverging: bool = False,
                 integers: bool = False) -> list[float]:
    """Class limits ``[b0, b1, ..., bn]`` for the shown values: quantile breaks (at most
    ``k`` classes, fewer when there are few distinct values). Diverging scales put a break
    at 0 so that decreases and increases never share a colour. ``integers`` (the values
    are counts) gives whole-number limits (:func:`_whole_breaks`)."""
    v = np.asarray([x for x in values if x is not None and not math.isnan(x)], dtype=float)
    if v.size == 0:
        return []
    breaks = _quantile_breaks(v, k, diverging=diverging)
    return _whole_breaks(breaks) if integers else breaks


def _whole_breaks(breaks: list[float]) -> list[float]:
    """Quantile limits rounded down to whole numbers, for counts.

    A class is right-closed (``class_of``), and for a whole number ``n <= b`` exactly when
    ``n <= floor(b)``: every count keeps its class. A class left with no whole number in it
    ((6.2, 6.8]) is dropped; the first two limits stay even when equal (a class of the
    smallest value alone)."""
    whole = [float(math.floor(b)) for b in breaks]
    kept = whole[:2]
    for b in whole[2:]:
        if b > kept[-1]:
            kept.append(b)
    return kept


def _quantile_breaks(v: np.ndarray, k: int, *, diverging: bool) -> list[float]:
    if diverging:
        half = len(DIVERGING_6) // 2
        neg, pos = v[v < 0], v[v > 0]
        # At most `half` classes on each side of 0: lower limits below, upper limits above.
        low = np.unique(np.quantile(neg, np.linspace(0, 1, half + 1)[:-1])).tolist() if neg.size else []
        high = np.unique(np.quantile(pos, np.linspace(0, 1, half + 1)[1:])).tolist() if pos.size else []
        return [float(b) for b in sorted(set(low) | {0.0} | set(high))]
    distinct = np.unique(v)
    if distinct.size <= k:
        # A class per value; the first holds only the smallest (limits [d0, d0, d1, ...]).
        return [float(distinct[0])] + [float(x) for x in distinct]
    breaks = np.unique(np.quantile(v, np.linspace(0, 1, k + 1)))
    if breaks.size - 1 < k:
        # Many equal values took several quantiles: typically zeros, where most areas had
        # none (a kommun's own data on a national map). Before, they merged every area into
        # one or two classes and the areas with data looked like the rest. Now the smallest
        # value is a class of its own and the values above it share the other classes.
        rest = v[v > distinct[0]]
        upper = np.unique(np.quantile(rest, np.linspace(0, 1, k)))[1:]
        breaks = np.concatenate([[distinct[0], distinct[0]], upper])
    return [float(b) for b in breaks]


def classes_of(values, breaks: Sequence[float]) -> np.ndarray:
    """Index of the class holding each of ``values`` (right-closed classes; the first
    includes its minimum)."""
    values = np.asarray(values, dtype=float)
    if len(breaks) < 2:
        return np.zeros(values.shape, dtype=np.int64)
    return np.minimum(np.searchsorted(np.asarray(breaks[1:-1]), values, side="left"), len(breaks) - 2)


def class_of(value: float, breaks: Sequence[float]) -> int:
    """Index of the class holding ``value`` (:func:`classes_of` for one value)."""
    return int(classes_of([value], breaks)[0])


def decrease_classes(breaks: Sequence[float]) -> int:
    """How many classes of a diverging scale lie at or below 0 (the decreases)."""
    return sum(1 for i in range(len(breaks) - 1) if breaks[i + 1] <= 0)


def class_colours(breaks: Sequence[float], *, diverging: bool = False) -> list[str]:
    """One colour per class: viridis steps, or the diverging scale split at 0."""
    n = max(1, len(breaks) - 1)
    if diverging:
        below = decrease_classes(breaks)
        above = n - below
        half = len(DIVERGING_6) // 2
        return list(DIVERGING_6[half - below : half]) + list(DIVERGING_6[half : half + above])
    if n >= len(VIRIDIS_5):
        return list(VIRIDIS_5[:n])
    idx = np.linspace(0, len(VIRIDIS_5) - 1, n).round().astype(int) if n > 1 else [2]
    return [VIRIDIS_5[i] for i in idx]


def legend_items(
    breaks: Sequence[float], *, decimals: int = 0, diverging: bool = False, with_hidden: bool = True,
    integers: bool = False,
) -> list[tuple[str, str]]:
    """``[(colour, "12–30"), ...]`` plus, with ``with_hidden``, the grey for suppressed values.

    Classes are right-closed, so with ``integers`` (counts, whole-number ``breaks``) a class
    after the first starts one above its lower limit: "5–6", "7–8" rather than "5–6",
    "6–8", where a reader could not tell the class of a 6. On a diverging scale the classes
    read "-8,1 till -3,2" (not "-8,1–-3,2"), and those next to 0 say that they stop short
    of it ("-3,2 till under 0", "över 0 till 4,4"): a change of 0 has a colour of its own
    (:data:`UNCHANGED`)."""
    colours = class_colours(breaks, diverging=diverging)
    items = []
    for i, colour in enumerate(colours):
        lo, hi = breaks[i], breaks[min(i + 1, len(breaks) - 1)]
        if integers and i > 0:
            lo += 1
        if lo == hi:
            label = fmt.number(lo, decimals)
        elif diverging:  # "-8,1–-3,2" read badly; 0 itself is "oförändrat" (UNCHANGED)
            low = "över 0" if lo == 0 else fmt.number(lo, decimals)
            label = f"{low} till {'under 0' if hi == 0 else fmt.number(hi, decimals)}"
        else:
            label = f"{fmt.number(lo, decimals)}–{fmt.number(hi, decimals)}"
        items.append((colour, label))
    if with_hidden:
        items.append(SUPPRESSED)
    return items


def legend_html(title: str, items: Sequence[tuple[str, str]], *, vertical: bool = False) -> str:
    """A small HTML legend for ``st.html`` under a deck (the items in a row that wraps), or
    ``vertical`` beside it (one item a line, in a narrow column)."""
    item = "display:flex;margin-right:0" if vertical else "display:inline-flex;margin-right:14px"
    cells = "".join(
        f'<span style="{item};align-items:center">'
        f'<span style="flex:none;width:18px;height:14px;background:{c};border:1px solid #888;margin-right:5px"></span>'
        f"{html.escape(label)}</span>"
        for c, label in items
    )
    head = f"<b>{html.escape(title)}</b><br>" if title else ""  # no title: the page's heading names the map
    return f'<div class="lagesbild-legend" style="font-size:15px;line-height:1.9">{head}{cells}</div>'


# --- geometry -----------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _parse(geojson: str) -> tuple[dict, tuple[float, float, float, float]]:
    """Geometry dict and bounding box (min lon, min lat, max lon, max lat); cached by text."""
    geom = json.loads(geojson)
    coords = np.asarray(list(_points(geom["coordinates"])), dtype=float)
    lon, lat = coords[:, 0], coords[:, 1]
    return geom, (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))


def _points(c):
    if c and isinstance(c[0], int | float):
        yield c
        return
    for part in c:
        yield from _points(part)


def _bbox(boxes: Sequence[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    arr = np.asarray(boxes, dtype=float)
    return float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()), float(arr[:, 3].max())


def view_for_bounds(
    bbox: tuple[float, float, float, float], width: int = VIEW_WIDTH_PX, height: int = VIEW_HEIGHT_PX
) -> pdk.ViewState:
    """A view centred on ``bbox`` at the largest zoom that shows all of it (Web Mercator)."""
    west, south, east, north = bbox

    def merc(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(east - west, 1e-4)
    y_span = max(merc(north) - merc(south), 1e-6)
    zoom_x = math.log2(width / 512 * 360 / lon_span)  # deck.gl: the world is 512 px wide at zoom 0
    zoom_y = math.log2(height / 512 * 2 * math.pi / y_span)
    zoom = max(0.0, min(zoom_x, zoom_y) - 0.25)
    mid_y = (merc(north) + merc(south)) / 2
    lat = math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)
    return pdk.ViewState(latitude=round(lat, 5), longitude=round((west + east) / 2, 5), zoom=round(zoom, 2))


# --- area values --------------------------------------------------------------------------------


def area_values(
    geo_df: pd.DataFrame, values_df: pd.DataFrame, metric: str, *, decimals: int = 0, diverging: bool = False,
    within_chance: str | None = None,
) -> pd.DataFrame:
    """One row per area of ``geo_df`` with its value, display text, rank, class and colour.

    Columns: area_code, name, approximate, value (float, NaN when hidden or missing),
    suppressed, value_text ("1 234,5", ".." or "–"), rank (1 = highest shown value),
    rank_text ("3 av 21"), colour (hex; missing (not a str) when missing). Areas without a row in
    ``values_df`` are missing.

    A change without a value can say why in ``<metric>_state``: "new" (from 0: no
    percentage; :data:`NEW_FROM_ZERO`) or "zero" (0 both years: unchanged, no percentage;
    drawn as :data:`UNCHANGED`). Such areas have no rank, but neither are they missing.

    ``within_chance`` names a column of ``values_df`` saying (True or "ja") which changes
    chance could give: those areas are drawn in :data:`WITHIN_CHANCE`'s grey, keep their
    value and rank, and have ``within_chance`` True.
    """
    geo = geo_df.reset_index(drop=True)
    codes = geo["area_code"].tolist()
    # Each area's row in values_df (its first, as drop_duplicates keeps), -1 when it has
    # none: looked up by position instead of set_index/reindex per column (~8 ms for the
    # kommuner; the same values).
    first: dict = {}
    for i, code in enumerate(values_df["area_code"].tolist()):
        first.setdefault(code, i)
    at = np.array([first.get(c, -1) for c in codes], dtype=np.int64)
    found = at >= 0
    present = found.tolist()
    hidden = np.zeros(len(codes), dtype=bool)
    hidden[found] = fmt.suppressed_mask(values_df, metric).fillna(False).astype(bool).to_numpy()[at[found]]
    value = np.full(len(codes), np.nan)
    numbers = pd.to_numeric(values_df[metric], errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    value[found & ~hidden] = numbers[at[found & ~hidden]]
    hidden = pd.Series(hidden)
    names = geo["name"].tolist() if "name" in geo.columns else None
    if names is None and "name" in values_df.columns:
        column = values_df["name"].tolist()
        names = [column[i] if i >= 0 else None for i in at.tolist()]
    names = [n if isinstance(n, str) and n else c for n, c in zip(names or codes, codes, strict=True)]
    shown = ~np.isnan(value)
    ranks = np.full(len(codes), np.nan)
    if shown.any():
        ranks[shown] = pd.Series(value[shown]).rank(ascending=False, method="min").to_numpy()
    n_shown = int(shown.sum())
    chance = np.zeros(len(codes), dtype=bool)
    marks_chance = within_chance is not None and within_chance in values_df.columns
    if marks_chance:
        verdicts = values_df[within_chance].to_numpy(dtype=object)[at[found]].tolist()
        chance[found] = [v is True or v == "ja" or (isinstance(v, np.bool_) and bool(v)) for v in verdicts]
        chance &= ~hidden.to_numpy()
    # The classes are those of the changes drawn in colour: a change chance could give is
    # grey, and a legend naming classes no area is drawn in would be read as values.
    coloured = shown & ~chance
    # Counts (whole numbers shown without decimals) get whole-number classes that do not
    # overlap in the legend; rates and changes keep their quantile limits.
    integers = bool(decimals == 0 and not diverging and (value[shown] == np.floor(value[shown])).all())
    breaks = class_breaks(value[coloured].tolist(), diverging=diverging, integers=integers)
    colours = class_colours(breaks, diverging=diverging) if breaks else []
    # Texts and colours per area from whole columns: a number is formatted once per
    # distinct value and the classes found at once (classes_of), where a
    # loop over the areas cost ~5 ms for the kommuner on every new map.
    value_text = np.where(hidden.to_numpy(), fmt.SUPPRESSED, fmt.MISSING).astype(object)
    distinct, where = np.unique(value[shown], return_inverse=True)
    value_text[shown] = np.array([fmt.number(v, decimals) for v in distinct.tolist()], dtype=object)[where]
    rank_text = np.full(len(codes), fmt.MISSING, dtype=object)
    rank_text[shown] = [f"{r} av {n_shown}" for r in ranks[shown].astype(np.int64).tolist()]
    colour = np.where(hidden.to_numpy(), SUPPRESSED[0], None).astype(object)
    if colours:
        colour[coloured] = np.asarray(colours, dtype=object)[classes_of(value[coloured], breaks)]
        if diverging:
            colour[coloured & (value == 0)] = UNCHANGED[0]
    unchanged = bool(diverging and (value[coloured] == 0).any())
    if f"{metric}_state" in values_df.columns:
        state = np.full(len(codes), None, dtype=object)
        state[found] = values_df[f"{metric}_state"].to_numpy(dtype=object)[at[found]]
        for name, (fill, text) in (("new", NEW_FROM_ZERO), ("zero", (UNCHANGED[0], "0 båda åren"))):
            where = (state == name) & ~shown & ~hidden.to_numpy()
            value_text[where] = text
            colour[where] = fill
            unchanged = unchanged or (name == "zero" and bool((where & ~chance).any()))
    # Grey where chance could give the change: a value, a change from 0 or 0 both years
    # (an area without a change, missing, keeps its white).
    chance &= np.array([isinstance(c, str) for c in colour.tolist()], dtype=bool) | shown
    colour[chance] = WITHIN_CHANCE[0]
    out = pd.DataFrame(
        {
            "area_code": codes,
            "name": names,
            "approximate": geo["approximate"].astype(bool).tolist() if "approximate" in geo.columns else False,
            "value": value,
            "suppressed": hidden.to_numpy(),
            "present": present,
            "value_text": value_text.tolist(),
            "rank": ranks,
            "rank_text": rank_text.tolist(),
            "colour": colour.tolist(),
            "within_chance": chance,
        }
    )
    out.attrs["breaks"] = breaks
    out.attrs["integers"] = integers
    out.attrs["unchanged"] = unchanged
    out.attrs["chance"] = marks_chance
    return out


def _area_legend(table: pd.DataFrame, *, decimals: int, diverging: bool) -> list[tuple[str, str]]:
    """The map's legend: its classes (with "0 (oförändrat)", or "inom slumpen" where the map
    marks the changes chance could give, between a change map's decreases and increases),
    then whichever of "ny (från 0)", "uppgift saknas" and "dolt (..)" it holds, so that
    every colour drawn is named."""
    breaks = table.attrs["breaks"]
    items = legend_items(breaks, decimals=decimals, diverging=diverging, with_hidden=False,
                         integers=table.attrs["integers"]) if breaks else []
    if table.attrs.get("chance") and table["within_chance"].any():
        items = _with_unchanged(items, breaks, WITHIN_CHANCE)
    elif table.attrs.get("unchanged"):
        items = _with_unchanged(items, breaks)
    colours = table["colour"].tolist()
    if NEW_FROM_ZERO[0] in colours:
        items.append(NEW_FROM_ZERO)
    suppressed = table["suppressed"].to_numpy(dtype=bool)
    if any(not isinstance(c, str) and not h for c, h in zip(colours, suppressed, strict=True)):
        items.append(NO_DATA)
    if suppressed.any():
        items.append(SUPPRESSED)
    return items


def _with_unchanged(items: list[tuple[str, str]], breaks: Sequence[float],
                    entry: tuple[str, str] = UNCHANGED) -> list[tuple[str, str]]:
    """Legend items with ``entry`` (:data:`UNCHANGED`) between the decreases and the increases."""
    below = decrease_classes(breaks) if breaks else 0
    return [*items[:below], entry, *items[below:]]


def _feature_collection(geo_df: pd.DataFrame, table: pd.DataFrame) -> tuple[dict, list]:
    # Whole columns as lists and one fill per colour: iterating the frame's rows (its
    # Arrow-backed text columns an element at a time) and parsing each row's hex colour
    # cost ~6 ms for the kommuner on every new map.
    fills: dict[tuple, list[int]] = {}

    def fill_of(suppressed: bool, colour, approximate: bool) -> list[int]:
        if suppressed:
            return SUPPRESSED_RGBA
        if not isinstance(colour, str):
            return NO_DATA_RGBA
        found = fills.get((colour, approximate))
        if found is None:
            found = fills[colour, approximate] = _rgba(colour, 190 if approximate else 225)
        return found

    columns = zip(geo_df["geojson"].tolist(), table["area_code"].tolist(), table["name"].tolist(),
                  table["value_text"].tolist(), table["rank_text"].tolist(), table["approximate"].tolist(),
                  table["suppressed"].tolist(), table["colour"].tolist(), table["within_chance"].tolist(), strict=True)
    marks_chance = bool(table.attrs.get("chance"))
    features, boxes = [], []
    for text, code, name, value_text, rank_text, approximate, suppressed, colour, chance in columns:
        geom, box = _parse(text)
        boxes.append(box)
        properties = {
            "area_code": code,
            "name": name,
            "value_text": value_text,
            "rank_text": rank_text,
            "approx": APPROX_NOTE if approximate else "",
            "fill": fill_of(suppressed, colour, approximate),
        }
        if marks_chance:  # the tooltip's {chance}: a few bytes per area, only on a change map
            properties["chance"] = CHANCE_NOTE if chance else ""
        features.append({"type": "Feature", "id": code, "geometry": geom, "properties": properties})
    return {"type": "FeatureCollection", "features": features}, boxes


# Built area decks by content (see area_layer): a page rerun that shows the same map
# (another widget changed, or a cached query answered) reuses the deck and its JSON.
_DECKS: OrderedDict[tuple, Deck] = OrderedDict()
_DECKS_MAX = 48
_DECKS_LOCK = threading.Lock()


def _content_key(geo_df: pd.DataFrame, values_df: pd.DataFrame, metric: str, args: tuple) -> tuple:
    """Everything ``area_layer`` reads: the polygons and names exactly, the values' columns
    it uses by a 64-bit hash per row (NA-aware)."""
    geo_cols = [c for c in ("area_code", "name", "approximate") if c in geo_df.columns]
    used = [c for c in ("area_code", "name", metric, f"{metric}_suppressed", "suppressed", f"{metric}_state",
                        *args[-1:]) if isinstance(c, str) and c in values_df.columns]
    rows = pd.util.hash_pandas_object(values_df[used], index=False).to_numpy().tobytes() if len(values_df) else b""
    return (
        tuple(tuple(geo_df[c].tolist()) for c in geo_cols),
        tuple(geo_df["geojson"].tolist()),
        tuple(used),
        tuple(str(values_df[c].dtype) for c in used),
        rows,
        metric,
        args,
    )


def area_layer(
    geo_df: pd.DataFrame,
    values_df: pd.DataFrame,
    metric: str = "value",
    label: str = "Värde",
    *,
    decimals: int = 0,
    diverging: bool = False,
    selected: str | None = None,
    height: int = VIEW_HEIGHT_PX,
    width: int = VIEW_WIDTH_PX,
    within_chance: str | None = None,
) -> pdk.Deck:
    """A choropleth deck of ``metric`` over the areas in ``geo_df`` (rows of the
    area_geometry table: area_code, name, level, approximate, geojson).

    ``values_df`` has area_code, the metric and optionally ``<metric>_suppressed`` (or
    ``suppressed``). The tooltip gives name, value (".." when suppressed), rank and
    "(ungefärlig gräns)" for approximate areas; ``selected`` outlines one area. The view
    fits the areas in a map ``width`` × ``height`` pixels. ``within_chance``: the column
    saying which changes chance could give (:func:`area_values`), greyed and so named.

    Decks are remembered by content (the last few dozen): the same inputs give a copy of
    the deck already built, JSON included, instead of building and serialising again.
    """
    key = _content_key(geo_df, values_df, metric, (label, decimals, diverging, selected, height, width,
                                                   within_chance))
    with _DECKS_LOCK:
        hit = _DECKS.get(key)
        if hit is not None:
            _DECKS.move_to_end(key)
    if hit is None:
        hit = _build_area_layer(geo_df, values_df, metric, label, decimals=decimals, diverging=diverging,
                                selected=selected, height=height, width=width, within_chance=within_chance)
        hit.to_json()  # made once here; st.pydeck_chart then reuses it
        with _DECKS_LOCK:
            _DECKS[key] = hit
            while len(_DECKS) > _DECKS_MAX:
                _DECKS.popitem(last=False)
    return copy.copy(hit)  # a caller setting an attribute changes (and re-serialises) its own copy



def _outline_layer(features: list[dict], layer_id: str, colour, width: float) -> pdk.Layer:
    """The outlines (no fill, not pickable) of ``features``' geometries as one layer."""
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": f["geometry"]} for f in features]},
        id=layer_id,
        pickable=False,
        stroked=True,
        filled=False,
        get_line_color=colour,
        line_width_units="'pixels'",  # quoted: pydeck would make a bare string an expression
        get_line_width=width,
    )

def _build_area_layer(
    geo_df: pd.DataFrame,
    values_df: pd.DataFrame,
    metric: str,
    label: str,
    *,
    decimals: int,
    diverging: bool,
    selected: str | None,
    height: int,
    width: int,
    within_chance: str | None = None,
) -> Deck:
    table = area_values(geo_df, values_df, metric, decimals=decimals, diverging=diverging,
                        within_chance=within_chance)
    collection, boxes = _feature_collection(geo_df.reset_index(drop=True), table)
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            collection,
            id=AREA_LAYER,
            pickable=True,
            stroked=True,
            filled=True,
            get_fill_color="properties.fill",  # pydeck adds the "@@=" itself
            get_line_color=LINE_RGBA,
            line_width_units="'pixels'",  # quoted: pydeck would make a bare string an expression
            get_line_width=1,
            auto_highlight=True,
            highlight_color=[255, 255, 255, 90],
        )
    ]
    missing = [f for f, c, h in zip(collection["features"], table["colour"].tolist(), table["suppressed"].tolist(),
                                    strict=True) if not isinstance(c, str) and not h]
    if missing:
        # A white area without data needs an outline to be seen as an area at all.
        layers.append(_outline_layer(missing, MISSING_LAYER, NO_DATA_LINE_RGBA, 1.2))
    approx = [f for f in collection["features"] if f["properties"]["approx"]]
    if approx:
        # A dashed line would need deck.gl's PathStyleExtension, which Streamlit's JSON
        # converter does not resolve ("Unexpected '@'"): a distinct, thicker outline marks
        # approximate boundaries instead, and the tooltip says so.
        layers.append(_outline_layer(approx, APPROX_LAYER, APPROX_LINE_RGBA, APPROX_LINE_PX))
    if selected is not None:
        chosen = [f for f in collection["features"] if f["id"] == selected]
        if chosen:
            layers.append(
                pdk.Layer(
                    "GeoJsonLayer",
                    {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": chosen[0]["geometry"]}]},
                    id="selected-area",
                    pickable=False,
                    stroked=True,
                    filled=False,
                    get_line_color=[213, 94, 0, 255],
                    line_width_units="'pixels'",  # quoted: pydeck would make a bare string an expression
                    get_line_width=4,
                )
            )
    tooltip = {
        "html": ("<b>{name}</b>{approx}<br/>" + html.escape(label) + ": <b>{value_text}</b>"
                 + ("{chance}" if table.attrs["chance"] else "") + "<br/>Rang: {rank_text}"),
        "style": {"fontSize": "15px", "backgroundColor": "#222222", "color": "white"},
    }
    view = (
        view_for_bounds(_bbox(boxes), width=width, height=height)
        if boxes
        else pdk.ViewState(latitude=62.5, longitude=16.5, zoom=3.6)
    )
    return Deck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip=tooltip,
        legend=_area_legend(table, decimals=decimals, diverging=diverging),
        alt=area_alt(table, label, decimals),
    )


def area_alt(table: pd.DataFrame, label: str, decimals: int = 0) -> str:
    """A sentence describing the choropleth, for screen readers (st.pydeck_chart(alt=...))."""
    # The highest and lowest shown value by pandas' own descending sort (the same NumPy
    # steps as sort_values, so ties fall the same way), without building the sorted frame
    # (~4 ms on every new map).
    values = floats(table["value"])
    shown = np.flatnonzero(~np.isnan(values))[::-1]
    n_hidden = int(table["suppressed"].sum())
    if not len(shown):
        return f"Karta över {len(table)} områden; {label.lower()} saknas eller döljs för alla."
    order = shown[values[shown].argsort(kind="quicksort")][::-1]
    names = table["name"].to_numpy(dtype=object)
    top, low = order[0], order[-1]
    text = (
        f"Karta över {label[:1].lower() + label[1:]} i {len(table)} områden: högst {names[top]} "
        f"({fmt.number(values[top], decimals)}), lägst {names[low]} ({fmt.number(values[low], decimals)})."
    )
    if n_hidden:
        text += f" {n_hidden} {'område döljs' if n_hidden == 1 else 'områden döljs'} av röjandeskydd."
    if "within_chance" in table.columns and (n_chance := int(table["within_chance"].sum())):
        text += (f" {n_chance} {'område har' if n_chance == 1 else 'områden har'} en förändring inom slumpens "
                 "variation, i grått.")
    return text


def selected_area(state, layer_id: str = AREA_LAYER) -> str | None:
    """The area code clicked in ``st.pydeck_chart(..., on_select="rerun")``, or None."""
    if not state:
        return None
    selection = state.get("selection") if isinstance(state, dict) else getattr(state, "selection", None)
    if not selection:
        return None
    objects = selection.get("objects") if isinstance(selection, dict) else getattr(selection, "objects", None)
    chosen = (objects or {}).get(layer_id) or []
    if not chosen:
        return None
    obj = chosen[0]
    props = obj.get("properties") or {}
    return props.get("area_code") or obj.get("id")


def geojson_payload_size(geo_df: pd.DataFrame, level: str | None = None) -> int:
    """Bytes of the map data sent for one level (the area deck with placeholder values).

    Must stay within ``PAYLOAD_LIMIT`` (300 KB); geometry arrives simplified and rounded
    from the pipeline, and ``Deck`` writes compact JSON.
    """
    geo = geo_df if level is None else geo_df[geo_df["level"] == level]
    values = pd.DataFrame({"area_code": geo["area_code"], "value": np.arange(len(geo), dtype=float) * 1234.5})
    return payload_bytes(area_layer(geo, values, "value", "Antal per 100 000 invånare", decimals=1))


# --- grid ---------------------------------------------------------------------------------------


def cell_polygons(cell_ids: Sequence[str]) -> list[list[list[float]]]:
    """Corner rings (WGS 84, 5 decimals) of 1 km SWEREF 99 TM cells."""
    from pipelines import geography

    ids = list(cell_ids)
    if not ids:
        return []
    corners = np.asarray([geography.parse_grid_cell(c) for c in ids], dtype=float)
    size = geography.GRID_SIZE_M
    offsets = np.array([[0, 0], [size, 0], [size, size], [0, size], [0, 0]], dtype=float)
    pts = (corners[:, None, :] + offsets[None, :, :]).reshape(-1, 2)
    transformer = geography._to_web()
    lon, lat = transformer.transform(pts[:, 0], pts[:, 1])
    ring = np.round(np.stack([lon, lat], axis=1), 5).reshape(len(ids), 5, 2)
    return ring.tolist()


# The selected area and its neighbours under the squares: the area white with a dark
# outline, the neighbours light grey, so a square is seen where it lies.
AREA_FILL = "#FFFFFF"
AREA_LINE = "#3C3C3C"
NEIGHBOUR_FILL = "#EBEBEB"
NEIGHBOUR_LINE = "#B4B4B4"


def area_outlines(geo_df: pd.DataFrame, code: str) -> pd.DataFrame:
    """The area ``code`` and its neighbours among ``geo_df``'s areas (one level's
    polygons): area_code, name, geojson, role ("area" or "neighbour"), the area first.
    A neighbour is any area whose bounding box meets the area's (the areas around it;
    cheap, and a few more do no harm: they are drawn faintly and cut at the view)."""
    geo = geo_df.reset_index(drop=True)
    at = geo.index[geo["area_code"] == code]
    if not len(at):
        return pd.DataFrame(columns=["area_code", "name", "geojson", "role"])
    texts = geo["geojson"].tolist()
    west, south, east, north = _parse(texts[at[0]])[1]
    near = [j for j, text in enumerate(texts) if j != at[0] and _meets(_parse(text)[1], (west, south, east, north))]
    rows = geo.iloc[[at[0], *near]]
    return pd.DataFrame({"area_code": rows["area_code"].tolist(), "name": rows["name"].tolist(),
                         "geojson": rows["geojson"].tolist(), "role": ["area"] + ["neighbour"] * len(near)})


def _meets(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _context_layer(outlines: pd.DataFrame) -> pdk.Layer:
    features = [
        {"type": "Feature", "geometry": _parse(text)[0],
         "properties": {"fill": _rgba(AREA_FILL if role == "area" else NEIGHBOUR_FILL, 255),
                        "line": _rgba(AREA_LINE if role == "area" else NEIGHBOUR_LINE, 255),
                        "width": 2.5 if role == "area" else 1}}
        # Neighbours first, so the area's outline is drawn over theirs.
        for text, role in sorted(zip(outlines["geojson"].tolist(), outlines["role"].tolist(), strict=True),
                                 key=lambda pair: pair[1] == "area")
    ]
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        id=CONTEXT_LAYER,
        pickable=False,
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        line_width_units="'pixels'",  # quoted: pydeck would make a bare string an expression
        get_line_width="properties.width",
    )


def grid_layer(
    cells_df: pd.DataFrame,
    *,
    cell: str = "grid_cell",
    count: str = "n",
    label: str = "Antal händelser",
    height: int = VIEW_HEIGHT_PX,
    width: int = VIEW_WIDTH_PX,
    outlines: pd.DataFrame | None = None,
) -> pdk.Deck:
    """1 km grid cells as squares coloured by ``count``, over ``outlines``
    (:func:`area_outlines`: the selected area's outline and its neighbours, faintly), the
    view fitted to the area in a map ``width`` × ``height`` pixels.

    ``cells_df`` comes from the query layer, which already leaves out cells under the
    disclosure threshold; a cell still flagged as suppressed here is dropped, never drawn.
    """
    data = cells_df[~fmt.suppressed_mask(cells_df, count).to_numpy()]
    data = data[data[count].notna()]
    values = data[count].astype(float).tolist()
    breaks = class_breaks(values, integers=True)  # incident counts
    colours = class_colours(breaks) if breaks else []
    rings = cell_polygons(data[cell].tolist())
    records = [
        {
            "cell": c,
            "polygon": ring,
            "n": fmt.integer(v),
            "fill": _rgba(colours[class_of(v, breaks)], 210),
        }
        for c, ring, v in zip(data[cell].tolist(), rings, values, strict=True)
    ]
    layer = pdk.Layer(
        "PolygonLayer",
        records,
        id=GRID_LAYER,
        pickable=True,
        stroked=True,
        filled=True,
        get_polygon="polygon",
        get_fill_color="fill",
        get_line_color=[255, 255, 255, 160],
        line_width_units="'pixels'",  # quoted: pydeck would make a bare string an expression
        get_line_width=0.5,
    )
    boxes = []
    if rings:
        arr = np.asarray(rings, dtype=float).reshape(-1, 2)
        boxes.append((arr[:, 0].min(), arr[:, 1].min(), arr[:, 0].max(), arr[:, 1].max()))
    has_outline = outlines is not None and len(outlines)
    if has_outline:
        boxes += [_parse(text)[1] for text, role in zip(outlines["geojson"], outlines["role"], strict=True)
                  if role == "area"]
    if boxes:
        view = view_for_bounds(_bbox(boxes), width=width, height=height)
        view.zoom = min(view.zoom, 12)
    else:
        view = pdk.ViewState(latitude=62.5, longitude=16.5, zoom=3.6)
    tooltip = {
        "html": "Ruta {cell}<br/>" + html.escape(label) + ": <b>{n}</b>",
        "style": {"fontSize": "15px", "backgroundColor": "#222222", "color": "white"},
    }
    alt = (
        f"Rutkarta med {len(records)} rutor om 1 km; {label.lower()} från "
        f"{fmt.integer(min(values))} till {fmt.integer(max(values))} per ruta."
        if records
        else "Rutkarta utan rutor att visa."
    )
    legend = legend_items(breaks, with_hidden=False, integers=True) if breaks else []
    layers = [_context_layer(outlines), layer] if has_outline else [layer]
    return Deck(layers=layers, initial_view_state=view, map_provider=None, tooltip=tooltip, legend=legend, alt=alt)


# --- Plotly (export) ------------------------------------------------------------------------------

# The figure draws the areas as filled shapes on plain x/y axes (x: longitude, y: Web
# Mercator's northing in degrees, one unit each way, as the screen's map): Plotly's geo
# maps fetch a base map (world_110m.json) from cdn.plot.ly even when it is hidden, so on a
# closed network the preview showed only its legend.


def _mercator_y(lat: np.ndarray) -> np.ndarray:
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


def _ring_xy(ring, *, exterior: bool) -> tuple[np.ndarray, np.ndarray]:
    """A ring projected, turned so that an exterior runs anticlockwise and a hole clockwise:
    each area is one SVG path, filled by the nonzero rule, so a hole stays open."""
    pts = np.asarray(ring, dtype=float)
    x, y = pts[:, 0], _mercator_y(pts[:, 1])
    twice_area = float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))
    if (twice_area > 0) != exterior:
        x, y = x[::-1], y[::-1]
    return x, y


@lru_cache(maxsize=4096)
def _shape_xy(geojson: str) -> tuple[tuple, tuple]:
    """The polygon's rings as one x and one y list with None between rings (Plotly's
    gaps), for a scatter trace with ``fill="toself"``; cached by the geometry's text."""
    geom = _parse(geojson)[0]
    polygons = ([geom["coordinates"]] if geom["type"] == "Polygon"
                else geom["coordinates"] if geom["type"] == "MultiPolygon" else [])
    xs: list = []
    ys: list = []
    for polygon in polygons:
        for i, ring in enumerate(polygon):
            if len(ring) < 3:
                continue
            x, y = _ring_xy(ring, exterior=i == 0)
            if xs:
                xs.append(None), ys.append(None)
            xs += np.round(x, 5).tolist()
            ys += np.round(y, 5).tolist()
    return tuple(xs), tuple(ys)


def _outline_xy(geojsons: Sequence[str]) -> tuple[list, list]:
    """The exterior rings of the geometries as one line (None between rings)."""
    xs: list = []
    ys: list = []
    for text in geojsons:
        for ring in _exterior_rings(_parse(text)[0]):
            x, y = _ring_xy(ring, exterior=True)
            xs += [*np.round(x, 5).tolist(), None]
            ys += [*np.round(y, 5).tolist(), None]
    return xs, ys


def _xy_range(geojsons: Sequence[str], pad: float = 0.03) -> tuple[list[float], list[float]]:
    """x and y ranges holding the geometries, with ``pad`` of their size around them."""
    west, south, east, north = _bbox([_parse(text)[1] for text in geojsons])
    y0, y1 = _mercator_y(np.array([south, north]))
    dx, dy = max(east - west, 1e-3) * pad, max(y1 - y0, 1e-3) * pad
    return [west - dx, east + dx], [float(y0) - dy, float(y1) + dy]


def choropleth_figure(
    geo_df: pd.DataFrame,
    values_df: pd.DataFrame,
    metric: str = "value",
    label: str = "Värde",
    *,
    title: str,
    decimals: int = 0,
    diverging: bool = False,
    outlines: pd.DataFrame | None = None,
    within_chance: str | None = None,
) -> go.Figure:
    """The area map as a Plotly figure for the page's preview and PNG/SVG export: areas
    as filled shapes on hidden x/y axes, so nothing is fetched from the network (no geo
    base map, no tiles).

    Same classes and colours as ``area_layer``; one trace per area (its hover names it),
    one legend entry per class; suppressed areas grey with ".." in the hover, approximate
    areas with the screen's thick dark outline (:data:`APPROX_OUTLINE`). ``outlines``
    (:func:`area_outlines`) are drawn under the areas, as the grid map draws them under its
    squares, and the view is fitted to the outlined area. ``within_chance``: as in
    :func:`area_layer`, the changes chance could give in grey, "inom slumpen" on hover.
    """
    geo = geo_df.reset_index(drop=True)
    table = area_values(geo, values_df, metric, decimals=decimals, diverging=diverging, within_chance=within_chance)
    texts = geo["geojson"].tolist()
    # One legend entry per class, the screen's legend (a discrete legend reads better in a
    # report than a stepped colour bar): each colour is one entry, an area without data
    # has none (white, outlined).
    drawn = [c if isinstance(c, str) else NO_DATA[0] for c in table["colour"].tolist()]
    traces = []
    fitted = list(texts)
    if outlines is not None and len(outlines):
        traces += _outline_traces(outlines)
        fitted += [t for t, role in zip(outlines["geojson"], outlines["role"], strict=True) if role == "area"]
    for colour, name in _area_legend(table, decimals=decimals, diverging=diverging):
        rows = [j for j, c in enumerate(drawn) if c == colour]
        line = _hex(NO_DATA_LINE_RGBA) if colour == NO_DATA[0] else "white"
        for n, j in enumerate(rows):
            traces.append(_area_trace(texts[j], table.iloc[j], colour, name, label, first=n == 0, line=line))
    if table["approximate"].any():
        # The same solid dark line as on screen; the legend names it, the caption explains it.
        lons, lats = _outline_xy([texts[j] for j in np.flatnonzero(table["approximate"].to_numpy())])
        traces.append(
            {
                "type": "scatter",
                "x": lons,
                "y": lats,
                "mode": "lines",
                "line": {"color": _hex(APPROX_LINE_RGBA), "width": APPROX_LINE_PX},
                "hoverinfo": "skip",
                "name": "ungefärlig gräns",
                "showlegend": True,
            }
        )
    x_range, y_range = _xy_range(fitted) if fitted else ([0, 1], [0, 1])
    hidden_axis = {"visible": False, "showgrid": False, "zeroline": False, "showline": False, "ticks": ""}
    lay = charts.layout(
        title=title,
        alt=area_alt(table, label, decimals),
        height=720,
        margin={"l": 10, "r": 10, "t": 80, "b": 20},
        legend={
            "title": {"text": label},
            "orientation": "v",
            "x": 0.8,
            "xanchor": "left",
            "y": 0.5,
            "yanchor": "middle",
            "traceorder": "grouped",
        },
        xaxis={**hidden_axis, "domain": [0, 0.78], "range": x_range},
        # One unit north as long as one east (Web Mercator, as on screen).
        yaxis={**hidden_axis, "range": y_range, "scaleanchor": "x", "scaleratio": 1},
        hovermode="closest",
    )
    return charts.figure(traces, lay)


def _outline_traces(outlines: pd.DataFrame) -> list[dict]:
    """The area (white, dark outline) and its neighbours (light grey), neighbours first;
    no legend entries (the page's note says what they are), the name on hover."""
    order = sorted(range(len(outlines)), key=lambda j: outlines["role"].iloc[j] == "area")
    traces = []
    for j in order:
        area = outlines["role"].iloc[j] == "area"
        x, y = _shape_xy(outlines["geojson"].iloc[j])
        traces.append({
            "type": "scatter", "x": list(x), "y": list(y), "mode": "lines", "fill": "toself",
            "fillcolor": AREA_FILL if area else NEIGHBOUR_FILL,
            "line": {"color": AREA_LINE if area else NEIGHBOUR_LINE, "width": 1.8 if area else 0.8},
            "showlegend": False, "hoveron": "fills", "hoverinfo": "text",
            "text": html.escape(str(outlines["name"].iloc[j])),
            "meta": {"outline": outlines["role"].iloc[j]},
        })
    return traces


def _exterior_rings(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [poly[0] for poly in geometry["coordinates"]]
    return []


def _area_trace(geojson: str, row, colour: str, name: str, label: str, *, first: bool,
                line: str = "white") -> dict:
    """One area as a filled shape: its hover gives name, value and rank; the first area of
    each class carries the class's legend entry (the others join its group)."""
    x, y = _shape_xy(geojson)
    return {
        "type": "scatter",
        "x": list(x),
        "y": list(y),
        "mode": "lines",
        "fill": "toself",
        "fillcolor": colour,
        "line": {"color": line, "width": 0.6 if line == "white" else 1.0},
        "name": name,
        "legendgroup": name,
        "showlegend": first,
        "hoveron": "fills",
        "hoverinfo": "text",
        # A filled shape's hover shows the trace's one text (not a hovertemplate).
        "text": (f"<b>{html.escape(str(row['name']))}</b>{APPROX_NOTE if row['approximate'] else ''}<br>"
                 f"{html.escape(label)}: {row['value_text']}{CHANCE_NOTE if row['within_chance'] else ''}<br>"
                 f"Rang: {row['rank_text']}"),
        "meta": {"area_code": row["area_code"], "value_text": row["value_text"]},
    }
