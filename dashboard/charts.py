"""Pure figure builders: data frame in, ``plotly.graph_objects.Figure`` out.

graph_objects rather than plotly.express: a figure costs about a tenth of the time to
build, which matters when every filter change rebuilds the page's figures.

Every figure shares one look (``style``): Swedish separators (``1 234,5``), large type
that reads on a projector, Swedish titles and hover texts, a colour-blind-safe palette
(Okabe–Ito for groups; a single-hue ordered scale for the five measure statuses, which
also reads in greyscale) and alt text in ``fig.layout.meta["alt"]``, a sentence computed
from the data. Values hidden by disclosure control are gaps, never zeros, and the figure
says so in ``fig.layout.meta["note"]``. The title and that note are in ``meta`` too: the
page writes them above and under the figure (``components.chart``), where they wrap at the
chart's width, and the PNG/SVG draw them (``exports.export_figure``).
"""

from __future__ import annotations

import math
import os
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import formatting as fmt

VALIDATE = os.environ.get("LAGESBILD_VALIDATE_FIGURES") == "1"
SEPARATORS = ", "  # plotly: decimal sign, then thousands separator
FONT = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"
FONT_SIZE = 16
TITLE_SIZE = 20

# Okabe & Ito (2008), without black and yellow (too dark/light against white lines).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

MEASURE_STATUSES = ("uppnådd", "delvis uppnådd", "påbörjad", "ej uppnådd", "ej bedömd")
# One hue, ordered from dark (done) to light (not done), so the order survives greyscale
# and every kind of colour blindness; "ej bedömd" is a neutral grey with a hatch.
STATUS_COLOURS = {
    "uppnådd": "#08306B",
    "delvis uppnådd": "#2171B5",
    "påbörjad": "#6BAED6",
    "ej uppnådd": "#C6DBEF",
    "ej bedömd": "#D9D9D9",
}
STATUS_TEXT = {"uppnådd": "white", "delvis uppnådd": "white"}  # else black
AXIS_BAND = 72  # px under the plot for tick labels and the x-axis title
# The title and the note are the page's text on screen (components.chart), not the
# figure's: plotly never wraps a title, an annotation or a legend entry, and a title
# wrapped here at a fixed number of characters was still cut in an 800 px window ("…per
# månad – Region" in Översikt's column of 300 px), where the page's own text wraps at the
# chart's real width. The PNG/SVG draw them into the image (exports.export_figure): the
# title in lines for the picture's width, TITLE_LINE_PX per line, the note in the caption.
TITLE_LINE_PX = 26
SCREEN_TOP = 24  # px above the plot on screen (a legend above it adds its own rows)
GAP_NOTE = "Luckor i linjen är värden som döljs av röjandeskydd (..)."
MISSING_COLOUR = "#BDBDBD"
FLOW_HEIGHT = 560  # the status flow's height on screen and in the PNG/SVG (its nodes are placed for it)
FLOW_MARGIN = {"l": 20, "r": 20, "t": SCREEN_TOP, "b": 30}
FLOW_PAD = 18  # px between a round's nodes


# --- shared look ----------------------------------------------------------------------------


def layout(*, title: str, alt: str, note: str | None = None, show_legend: bool = True, **extra) -> dict:
    """The common layout as a dict: fonts, separators, legend, alt text, and the title
    and an optional note in ``meta`` (the page shows them above and under the figure,
    :func:`dashboard.components.chart`; the PNG/SVG draw them, ``exports.export_figure``).

    Figures are built from plain dicts and validated once (``go.Figure(data, layout)``):
    Plotly's incremental ``update_*`` calls cost several times more.
    """
    base = {
        "font": {"family": FONT, "size": FONT_SIZE, "color": "#222222"},
        "separators": SEPARATORS,
        "template": "none",
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "hoverlabel": {"font": {"size": FONT_SIZE, "family": FONT}},
        "margin": {"l": 70, "r": 30, "t": SCREEN_TOP, "b": AXIS_BAND},
        "showlegend": show_legend,
        "legend": dict(LEGEND),
        "meta": {"alt": alt, "note": note or "", "title": title},
        "annotations": list(extra.pop("annotations", [])),
    }
    for axis in ("xaxis", "yaxis"):
        defaults = AXIS_X if axis == "xaxis" else AXIS_Y
        given = extra.pop(axis, {})
        base[axis] = {**defaults, **given, "title": {**defaults.get("title", {}), **given.get("title", {})}}
    base.update(extra)
    return base


# A horizontal legend above the plot: plotly puts its entries in as many rows as the
# plot's width needs and makes room for them above it. An entry itself never wraps, so
# series are named briefly. (From the figure's left edge, xref "container", plotly took
# the legend's width as a left margin and left no room for the plot.)
LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left", "title": {"text": ""}}


def wrap_title(title: str, width: int) -> list[str]:
    """A chart title in lines of at most ``width`` characters, broken between words."""
    return textwrap.wrap(title, width, break_long_words=False) or [title]


AXIS_X = {
    "title": {"standoff": 10},
    "showgrid": False,
    "linecolor": "#888888",
    "ticks": "outside",
    "automargin": True,
    "zeroline": False,
}
AXIS_Y = {"gridcolor": "#E5E5E5", "zeroline": True, "zerolinecolor": "#888888", "automargin": True, "showline": False}


class Figure(go.Figure):
    """A ``go.Figure`` that makes its dict form once.

    ``st.plotly_chart`` turns the figure into a dict on every rerun before it writes the
    JSON: a deep copy of every trace and a walk for arrays to encode, 5-10 ms for a trend
    of several areas, while a page shows the same figure objects rerun after rerun
    (:func:`remembered`). So the dict is made on the first call and shared. Like the
    figures themselves, it is read-only: a builder adjusts its figure before returning it
    (before anything shows it), and whoever needs a changed copy makes one
    (``exports.export_figure``).
    """

    _dict_form: dict | None = None

    def to_dict(self) -> dict:
        if self._dict_form is None:
            self._dict_form = super().to_dict()
        return self._dict_form


def figure(traces: list[dict], layout_: dict) -> Figure:
    """Build the figure once from plain dicts.

    Validation is off unless ``LAGESBILD_VALIDATE_FIGURES=1`` (the tests set it): Plotly's
    validation costs more than the rest of the build, and these specs are fixed code.
    """
    return Figure(data=traces, layout=layout_, _validate=VALIDATE)


# Built figures by content: a page rerun (another widget changed, or the caches answered)
# builds the same figures again, several milliseconds each, and copying a Figure costs as
# much as building it. So the figure itself is shared: callers treat it as read-only.
_FIGURES: OrderedDict[bytes, object] = OrderedDict()
# Enough for every page's figures and a few selections back; a figure is a few hundred
# Python objects that the garbage collector walks on every full collection.
_FIGURES_MAX = 24
_FIGURES_LOCK = threading.Lock()


def remembered(build: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """``build(*args, **kwargs)``, remembered by the builder and the arguments' content
    (data frames included: ``formatting.content_digest``): the same inputs give the same, shared
    figure object, which the caller must not change. A page that adjusts a figure passes
    a builder that makes and adjusts a fresh one. Arguments that cannot be pickled (a
    lambda) build every time."""
    code = getattr(build, "__code__", None)
    name = (getattr(code, "co_filename", ""), getattr(build, "__module__", ""), build.__qualname__)
    key = fmt.content_digest((name, VALIDATE, args, sorted(kwargs.items())))
    if key is None:
        return build(*args, **kwargs)
    with _FIGURES_LOCK:
        hit = _FIGURES.get(key)
        if hit is not None:
            _FIGURES.move_to_end(key)
            return hit
    fig = build(*args, **kwargs)
    with _FIGURES_LOCK:
        _FIGURES[key] = fig
        while len(_FIGURES) > _FIGURES_MAX:
            _FIGURES.popitem(last=False)
    return fig


def empty_figure(title: str, message: str = "Inga uppgifter för urvalet.") -> go.Figure:
    """A figure that says there is nothing to show (instead of an empty axis)."""
    lay = layout(
        title=title,
        alt=f"{title}: {message}",
        show_legend=False,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": message,
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": FONT_SIZE + 2},
            }
        ],
    )
    return figure([], lay)


def _colour_map(groups: Sequence[str]) -> dict[str, str]:
    return {g: OKABE_ITO[i % len(OKABE_ITO)] for i, g in enumerate(groups)}


def _hidden(df: pd.DataFrame, y: str) -> pd.Series:
    """Values that are suppressed (flagged) or otherwise missing: drawn as gaps."""
    return fmt.suppressed_mask(df, y) | df[y].isna()


def _gapped(df: pd.DataFrame, y: str) -> tuple[np.ndarray, list[bool]]:
    """``y`` as floats with NaN (a gap in Plotly) where the value is hidden, and the flags.

    NumPy arrays rather than lists: Plotly deep-copies lists element by element.
    """
    hidden = _hidden(df, y)
    values = (
        pd.to_numeric(df[y], errors="coerce").astype("Float64").where(~hidden).to_numpy(dtype=float, na_value=np.nan)
    )
    return values, hidden.tolist()


def _num(value, decimals: int) -> str:
    return fmt.number(value, decimals)


def _gap_note(n_hidden: int, n_missing: int = 0, missing_note: str | None = None) -> str | None:
    """The note under a trend: gaps that disclosure control made (``n_hidden``, flagged
    values), and apart from them gaps where a value is missing (``n_missing``), said by
    ``missing_note`` when the caller knows why (an index whose base year is 0). A missing
    value is never called suppressed: the export's table has it."""
    parts = []
    if n_hidden:
        parts.append(f"{GAP_NOTE} {fmt.integer(n_hidden)} {'värde döljs' if n_hidden == 1 else 'värden döljs'}.")
    if n_missing:
        parts.append(missing_note or f"{fmt.integer(n_missing)} {'värde saknas' if n_missing == 1 else 'värden saknas'}"
                                     " (luckor utan ”..”).")
    return " ".join(parts) or None


# --- trend ----------------------------------------------------------------------------------


def trend(
    df: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    *,
    title: str,
    y_title: str,
    x_title: str = "Månad",
    decimals: int = 0,
    hover_unit: str = "",
    reference: float | None = None,
) -> go.Figure:
    """Lines of ``y`` over months ``x``, one per ``color`` group (Okabe–Ito colours).

    Suppressed or missing values are gaps (``connectgaps=False``), never zeros; the note
    under the figure says how many there are. ``reference`` draws a dotted horizontal line
    (e.g. 100 for an index).
    """
    if df.empty:
        return empty_figure(title)
    traces, lay = _trend_parts(df, x, y, color, title=title, y_title=y_title, x_title=x_title, decimals=decimals,
                               hover_unit=hover_unit, reference=reference)
    if df[x].nunique() == 1:
        traces, lay = _one_period_bars(traces, lay)
    return figure(traces, lay)


def _one_period_bars(traces: list[dict], lay: dict) -> tuple[list[dict], dict]:
    """A trend of one period (one year at year grain, one month chosen) as bars, one per
    group, with their values written on them: its lines were lone dots floating over an
    empty time axis (one above the axis' own range). The period is the axis' only
    category, named as the line chart names it; the x values stay ISO dates, so a page's
    own tick names ("2025", "kvartal 1 2025") still apply."""
    bars = []
    for trace in traces:
        start = pd.Timestamp(trace["x"][0]).strftime("%Y-%m-%d")
        bars.append({"type": "bar", "x": [start], "y": trace["y"], "name": trace["name"],
                     "marker": {"color": trace["line"]["color"]}, "customdata": trace["customdata"],
                     "hovertemplate": trace["hovertemplate"], "text": [trace["customdata"][0][1]],
                     "textposition": "outside", "cliponaxis": False})
    label = traces[0]["customdata"][0][0]
    # The date axis' month ticks do not apply to a category.
    xaxis = {k: v for k, v in lay["xaxis"].items() if k not in ("type", "tickformat", "hoverformat", "labelalias",
                                                                 "dtick", "tick0")}
    meta = dict(lay["meta"])
    n = len(bars)
    meta["alt"] = (meta["alt"].replace("Linjediagram", "Stapeldiagram", 1)
                   .replace(f"{n} {'linje' if n == 1 else 'linjer'}.", f"{n} {'stapel' if n == 1 else 'staplar'}.", 1))
    # One bar a fifth of the plot's width, a group of several at most four fifths.
    return bars, {**lay, "meta": meta, "barmode": "group", "bargap": 1 - min(0.8, 0.2 * n),
                  "xaxis": {**xaxis, "type": "category", "tickvals": [bars[0]["x"][0]], "ticktext": [label]}}


def _trend_parts(df: pd.DataFrame, x: str, y: str, color: str | None, *, title: str, y_title: str, x_title: str,
                 decimals: int, hover_unit: str, reference: float | None,
                 missing_note: str | None = None) -> tuple[list[dict], dict]:
    """:func:`trend`'s traces and layout as plain dicts (``df`` not empty), so a caller can
    adjust them before the figure is built once. A gap is either a value disclosure
    control hides (flagged: "..") or one that is missing ("–", said by ``missing_note``
    when given)."""
    data = df.sort_values([c for c in (color, x) if c], kind="stable")
    groups = list(dict.fromkeys(data[color].tolist())) if color else [None]
    colours = _colour_map([str(g) for g in groups])
    # Whole-frame work once, then plain NumPy masks per group (pandas per group is slow).
    all_values, all_gaps = _gapped(data, y)
    all_gaps = np.asarray(all_gaps, dtype=bool)
    # Only flagged values are hidden; the other gaps are missing values (an index without
    # a base, a rate without a population), which no "..” hides.
    all_hidden = all_gaps & fmt.suppressed_mask(data, y).to_numpy(dtype=bool)
    all_months = pd.to_datetime(data[x]).to_numpy(dtype="datetime64[ns]")
    labels = {m: fmt.month(m) for m in np.unique(all_months)}
    codes = data[color].to_numpy(dtype=object) if color else None
    traces, summaries, n_hidden = [], [], int(all_hidden.sum())
    n_missing = int((all_gaps & ~all_hidden).sum())
    shown_values = [v for v in all_values.tolist() if not math.isnan(v)]
    for g in groups:
        mask = slice(None) if g is None else codes == g
        values, hidden, months = all_values[mask], all_hidden[mask], all_months[mask]
        month_texts = [labels[m] for m in months]
        name = y_title if g is None else str(g)
        texts = [fmt.SUPPRESSED if h else fmt.MISSING if math.isnan(v) else _num(v, decimals)
                 for v, h in zip(values, hidden, strict=True)]
        traces.append(
            {
                "type": "scatter",
                "x": months,
                "y": values,
                "name": name,
                "mode": "lines+markers",
                "connectgaps": False,
                "line": {"color": colours[str(g)], "width": 3},
                "marker": {"size": 7},
                "customdata": np.array([month_texts, texts], dtype=object).T,
                "hovertemplate": f"<b>{name}</b><br>%{{customdata[0]}}: %{{customdata[1]}}{hover_unit}<extra></extra>",
            }
        )
        shown = [(m, v) for m, v in zip(month_texts, values, strict=True) if not math.isnan(v)]
        label = "" if g is None else f"{g}: "
        if len(shown) == 1:  # "från 0 (2025) till 0 (2025)" named one value twice
            summaries.append(f"{label}{_num(shown[0][1], decimals)} ({shown[0][0]})")
        elif shown:
            (m0, v0), (m1, v1) = shown[0], shown[-1]
            summaries.append(f"{label}från {_num(v0, decimals)} ({m0}) till {_num(v1, decimals)} ({m1})")
        else:
            summaries.append(f"{label}alla värden dolda" if hidden.any() else f"{label}inga värden")
    first, last = data[x].min(), data[x].max()
    more = f" och {len(groups) - 6} till" if len(groups) > 6 else ""
    # The summaries start a sentence: one line without a group name reads "från 3 (…)".
    summary = "; ".join(summaries[:6])
    alt = (
        f"Linjediagram över {y_title[:1].lower() + y_title[1:]} per månad {fmt.period(first, last)}, "
        f"{len(groups)} {'linje' if len(groups) == 1 else 'linjer'}. "
        + summary[:1].upper() + summary[1:]
        + more
        + "."
        + (f" {n_hidden} värden döljs av röjandeskydd." if n_hidden else "")
        + (f" {missing_note}" if n_missing and missing_note else "")
    )
    shapes = []
    if reference is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": reference,
                "y1": reference,
                "line": {"dash": "dot", "color": "#666666", "width": 1.5},
            }
        )
    lay = layout(
        title=title,
        alt=alt,
        note=_gap_note(n_hidden, n_missing, missing_note),
        show_legend=color is not None,
        shapes=shapes,
        xaxis={"title": {"text": x_title}, "type": "date", **_month_ticks(pd.Timestamp(first), pd.Timestamp(last))},
        yaxis={"title": {"text": y_title}, "rangemode": "tozero" if reference is None else "normal",
               **_value_ticks(shown_values, decimals)},
        annotations=([ALL_HIDDEN_LABEL] if n_hidden else [NOTHING_LABEL]) if not shown_values else [],
    )
    return traces, lay


ALL_HIDDEN_LABEL = {"text": "Alla värden är dolda (röjandeskydd)", "xref": "paper", "yref": "paper", "x": 0.5,
                    "y": 0.5, "showarrow": False, "font": {"size": FONT_SIZE + 2, "color": "#666666"}}
NOTHING_LABEL = {**ALL_HIDDEN_LABEL, "text": "Inga värden att visa"}


def _value_ticks(shown: list[float], decimals: int) -> dict:
    """The value axis' ticks: none when every value is hidden (plotly's empty 0-4 axis
    read as if the hidden values were small, beside a table of 2 318), and whole
    numbers for counts (0,2 / 0,4 ticks when every shown count is 0)."""
    if not shown:
        return {"showticklabels": False, "showgrid": False, "range": [0, 1]}
    if decimals == 0 and max(shown) < 5:
        return {"tick0": 0, "dtick": 1, "range": [0, max(max(shown), 1) * 1.1]}
    return {}


# Plotly writes "%b" in English whatever the page's language ("Nov 2025"), and a Swedish
# locale would have to be loaded into both the browser's and kaleido's plotly.js. So the
# English labels are renamed by the axis' labelalias, which keeps plotly's own choice of
# how many ticks fit the width (explicit tickvals would not) and leaves a page's own
# tickformat (years: "%Y") or ticktext (quarters) alone, as no alias matches them.
PLOTLY_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_ticks(first: pd.Timestamp, last: pd.Timestamp) -> dict:
    """A date axis' tick and hover format for months, named in Swedish: "nov 2025".

    The aliases cover a year either side of the data, where plotly's padding may put a tick.
    Under eight months plotly puts ticks between the months (weekly), each named by its
    month, so a month was named two or three times: there one tick a month is set.
    """
    years = range(first.year - 1, last.year + 2)
    alias = {f"{en} {year}": f"{sv} {year}" for year in years
             for en, sv in zip(PLOTLY_MONTHS, fmt.MONTHS_SHORT, strict=True)}
    ticks = {"tickformat": "%b %Y", "hoverformat": "%b %Y", "labelalias": alias}
    if (last.year - first.year) * 12 + last.month - first.month < 8:
        ticks["dtick"] = "M1"
    return ticks


# --- index ------------------------------------------------------------------------------------


def index_values(df: pd.DataFrame, x: str, y: str, color: str | None, base_year: int) -> pd.DataFrame:
    """``df`` with a column ``index``: ``y`` divided by its group's base-year mean, times 100.

    Hidden values stay hidden (``index_suppressed``); a group whose base year has no shown
    value above zero gets no index.
    """
    # NumPy for the arithmetic (pandas' nullable columns cost a lot per call for a few rows);
    # the base means by pandas' groupby, as before, so the sums are the same to the last bit.
    hidden = _hidden(df, y).to_numpy(dtype=bool)
    values = pd.to_numeric(df[y], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    values = np.where(hidden, np.nan, values)
    base_year_rows = pd.DatetimeIndex(pd.to_datetime(df[x])).year.to_numpy() == base_year
    if color:
        keys = df[color]
        in_base = base_year_rows & ~np.isnan(values)
        means = pd.Series(values[in_base]).groupby(keys.to_numpy()[in_base]).mean()
        base = pd.to_numeric(keys.map(means), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    else:
        mean = pd.array(values[base_year_rows], dtype="Float64").mean()
        base = np.full(len(df), np.nan if pd.isna(mean) else float(mean))
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(base > 0, values / base * 100, np.nan)
    return df.assign(index=pd.array(index, dtype="Float64"), index_suppressed=fmt.suppressed_mask(df, y))


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def base_note(df: pd.DataFrame, x: str, y: str, color: str | None, base_year: int) -> str | None:
    """Why a group of an index has no line (its index cannot be computed), or None when
    every group has one: its base year's value is 0 or missing (another base year where
    every group has a value above 0 is suggested), or hidden by disclosure control."""
    if not color:
        return None
    hidden = fmt.suppressed_mask(df, y).to_numpy(dtype=bool)
    values = np.where(hidden, np.nan, pd.to_numeric(df[y], errors="coerce").to_numpy(dtype=float, na_value=np.nan))
    years = pd.DatetimeIndex(pd.to_datetime(df[x])).year.to_numpy()
    groups = df[color].astype(str).to_numpy(dtype=object)
    positive = {(g, yr) for g, yr, v in zip(groups, years, values, strict=True) if v > 0}
    names = list(dict.fromkeys(groups.tolist()))
    hidden_base = {g for g, yr, h in zip(groups, years, hidden, strict=True) if h and yr == base_year}
    without = [g for g in names if (g, base_year) not in positive]
    if not without:
        return None
    by_hiding = [g for g in without if g in hidden_base]
    by_value = [g for g in without if g not in hidden_base]
    parts = []
    if by_value:
        parts.append(f"Ingen linje för {_names(by_value)}: värdet för basåret {base_year} är 0 eller saknas, så "
                     "inget index (värdet delat med basårets värde) kan räknas.")
    if by_hiding:
        parts.append(f"Ingen linje för {_names(by_hiding)}: värdet för basåret {base_year} döljs av röjandeskydd.")
    usable = [yr for yr in sorted(set(years.tolist())) if all((g, yr) in positive for g in names)]
    if usable:
        best = min(usable, key=lambda yr: (abs(yr - base_year), -yr))
        parts.append(f"Välj ett annat basår, till exempel {best}.")
    return " ".join(parts)


def indexed_trend(
    df: pd.DataFrame,
    x: str,
    y: str,
    color: str | None = None,
    *,
    base_year: int,
    title: str,
    y_label: str,
    yearly: bool = False,
) -> go.Figure:
    """Each group's series as an index (base-year mean = 100), so areas of any size compare.

    ``yearly``: the points are calendar years (``x`` on 1 January), so the axis ticks and
    the hover name years instead of months.
    """
    data = index_values(df, x, y, color, base_year)
    if "suppressed" in data.columns:
        data = data.drop(columns=["suppressed"])  # the index has its own flag
    y_title = f"Index ({base_year} = 100)"
    if data.empty:
        fig = empty_figure(title)
        fig.layout.meta = {**fig.layout.meta, "alt": f"{y_label}, indexerat med {base_year} = 100. "
                                                     f"{fig.layout.meta['alt']}"}
        if yearly:
            fig.update_xaxes(tickformat="%Y", hoverformat="%Y", dtick="M12", title_text="År")
        return fig
    traces, lay = _trend_parts(data, x, "index", color, title=title, y_title=y_title, x_title="Månad", decimals=0,
                               hover_unit="", reference=100.0,
                               missing_note=base_note(df, x, y, color, base_year))
    lay["meta"] = {**lay["meta"], "alt": f"{y_label}, indexerat med {base_year} = 100. {lay['meta']['alt']}"}
    if yearly:
        # Adjusted as dicts before the figure is built: Plotly's update_xaxes and trace
        # setters cost more than building the whole figure.
        for trace in traces:
            years = pd.DatetimeIndex(trace["x"]).year.astype(str).tolist()
            trace["customdata"] = [[year, row[1]] for year, row in zip(years, trace["customdata"], strict=True)]
        lay["xaxis"] = {**lay["xaxis"], "tickformat": "%Y", "hoverformat": "%Y", "dtick": "M12",
                        "title": {**lay["xaxis"]["title"], "text": "År"}}
    return figure(traces, lay)


# --- measure status ---------------------------------------------------------------------------


def stacked_status(
    df: pd.DataFrame,
    category: str,
    *,
    status: str = "status",
    count: str = "n",
    title: str,
    category_title: str = "Område",
    shares: bool = True,
) -> go.Figure:
    """Horizontal stacked bars of the five measure statuses per area or organisation.

    The statuses keep a fixed order and colour whatever the data holds; a status with no
    measures is a zero-width segment. With ``shares`` the bars are percent of the
    category's measures (the hover gives share and count). Categories are sorted by share
    uppnådd, highest at the top.
    """
    if df.empty:
        return empty_figure(title)
    unknown = set(df[status]) - set(MEASURE_STATUSES)
    if unknown:
        raise ValueError(f"okänd status {sorted(unknown)}: tillåtna är {', '.join(MEASURE_STATUSES)}")
    # Counts per category (sorted, rows without one left out) x status, summed in a dict:
    # a pandas groupby, unstack and reindex cost ~8 ms per new selection for a few dozen cells.
    sums: dict[tuple, float] = {}
    for c, s, n in zip(df[category].tolist(), df[status].tolist(), df[count].tolist(), strict=True):
        if not pd.isna(c):
            sums[c, s] = sums.get((c, s), 0) + (0 if pd.isna(n) else n)
    categories = sorted({c for c, _ in sums})
    table = np.array([[sums.get((c, s), 0) for s in MEASURE_STATUSES] for c in categories], dtype=float)
    totals = table.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        done = np.where(totals > 0, table[:, MEASURE_STATUSES.index("uppnådd")] / totals, -1.0)
        values = np.where(totals[:, None] > 0, table / totals[:, None], 0.0) * 100 if shares else table
    order = np.argsort(done, kind="stable")  # plotly draws the first bar at the bottom
    table, values, done = table[order], values[order], done[order]
    labels = [str(categories[i]) for i in order]
    traces = []
    for i, s in enumerate(MEASURE_STATUSES):
        counts = table[:, i].tolist()
        v = values[:, i].tolist()
        if shares:
            text = [fmt.percent(p, 0) if p >= 8 else "" for p in v]
            custom = [[fmt.percent(p, 1), fmt.integer(c)] for p, c in zip(v, counts, strict=True)]
            hover = f"<b>%{{y}}</b><br>{s}: %{{customdata[1]}} åtgärder (%{{customdata[0]}})<extra></extra>"
        else:
            text = [fmt.integer(c) if c else "" for c in counts]
            custom = [["", fmt.integer(c)] for c in counts]
            hover = f"<b>%{{y}}</b><br>{s}: %{{customdata[1]}} åtgärder<extra></extra>"
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": v,
                "name": s,
                "marker": {
                    "color": STATUS_COLOURS[s],
                    "line": {"color": "white", "width": 1},
                    "pattern": {"shape": "/" if s == "ej bedömd" else "", "fgcolor": "#737373", "size": 8},
                },
                "text": text,
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textfont": {"color": STATUS_TEXT.get(s, "black")},
                "customdata": custom,
                "hovertemplate": hover,
            }
        )
    n = len(labels)
    best = labels[-1]
    best_share = done[-1]
    alt = (
        f"Liggande staplar med åtgärdernas status (uppnådd, delvis uppnådd, påbörjad, ej uppnådd, ej bedömd) "
        f"för {n} {'kategori' if n == 1 else 'kategorier'} ({category_title.lower()}), "
        f"sammanlagt {fmt.integer(table.sum())} åtgärder. "
        + (f"Störst andel uppnådd har {best} ({fmt.share(best_share)})." if best_share >= 0 else "")
    ).strip()
    lay = layout(
        title=title,
        alt=alt,
        barmode="stack",
        bargap=0.25,
        height=max(320, 140 + 38 * n),
        legend={**LEGEND, "traceorder": "normal"},
        xaxis={
            "title": {"text": "Andel av åtgärderna" if shares else "Antal åtgärder"},
            "range": [0, 100] if shares else None,
            "ticksuffix": "\u00a0%" if shares else "",
        },
        yaxis={"title": {"text": ""}, "gridcolor": "rgba(0,0,0,0)", "type": "category"},
    )
    return figure(traces, lay)


def status_flow(
    df: pd.DataFrame,
    *,
    rounds: Sequence[str] = ("T1", "T2", "T3", "VB"),
    from_round: str = "from_round",
    to_round: str = "to_round",
    from_status: str = "from_status",
    to_status: str = "to_status",
    count: str = "n",
    title: str,
) -> go.Figure:
    """A Sankey of how measures moved between statuses from one follow-up round to the next.

    One node per (round, status), placed in columns by round and rows in status order, so
    the picture has the same shape for every area; node colours are the status colours.
    """
    if df.empty or df[count].fillna(0).sum() == 0:
        return empty_figure(title)
    data = df[df[count].fillna(0) > 0]
    seen = set(data[from_round]) | set(data[to_round])
    present = [r for r in rounds if r in seen]
    pairs = set(zip(data[from_round], data[from_status], strict=True)) | set(
        zip(data[to_round], data[to_status], strict=True)
    )
    # Only nodes that carry a flow: Plotly mis-places a Sankey whose fixed nodes have no links.
    nodes = [(r, s) for r in present for s in MEASURE_STATUSES if (r, s) in pairs]
    index = {n: i for i, n in enumerate(nodes)}
    src = [index[(r, s)] for r, s in zip(data[from_round], data[from_status], strict=True)]
    dst = [index[(r, s)] for r, s in zip(data[to_round], data[to_status], strict=True)]
    xs = {r: 0.001 + 0.998 * i / max(1, len(present) - 1) for i, r in enumerate(present)}
    counts = data[count].astype(float).tolist()
    ys = _flow_node_centres(nodes, src, dst, counts, FLOW_HEIGHT - FLOW_MARGIN["t"] - FLOW_MARGIN["b"])
    # Each node names its number of measures ("T1: påbörjad (6)"): the picture pasted into a
    # report has no hover, and the bands' widths alone gave no count.
    flow_in, flow_out = [0.0] * len(nodes), [0.0] * len(nodes)
    for a, b, c in zip(src, dst, counts, strict=True):
        flow_out[a] += c
        flow_in[b] += c
    names = [f"{r}: {s}" for r, s in nodes]
    trace = {
        "type": "sankey",
        "arrangement": "snap",
        "valueformat": ",d",
        "node": {
            "label": [f"{name} ({fmt.integer(max(i, o))})" for name, i, o in zip(names, flow_in, flow_out,
                                                                                   strict=True)],
            "customdata": names,
            "color": [STATUS_COLOURS[s] for _, s in nodes],
            "x": [xs[r] for r, _ in nodes],
            "y": ys,
            "pad": FLOW_PAD,
            "thickness": 18,
            "line": {"color": "#555555", "width": 0.5},
            "hovertemplate": "%{customdata}: %{value} åtgärder<extra></extra>",
        },
        "link": {
            "source": src,
            "target": dst,
            "value": counts,
            "color": [_rgba(STATUS_COLOURS[nodes[i][1]], 0.45) for i in src],
            "customdata": [[names[a], names[b]] for a, b in zip(src, dst, strict=True)],
            "hovertemplate": "%{customdata[0]} → %{customdata[1]}: %{value} åtgärder<extra></extra>",
        },
    }
    same = sum(c for c, a, b in zip(counts, data[from_status], data[to_status], strict=True) if a == b)
    total = sum(counts)
    alt = (
        f"Flödesdiagram över åtgärdernas status mellan uppföljningarna {' → '.join(present)}: "
        f"{fmt.integer(total)} övergångar, varav {fmt.integer(same)} ({fmt.share(same / total)}) "
        f"med samma status som vid förra uppföljningen."
    )
    return figure([trace], layout(title=title, alt=alt, show_legend=False, height=FLOW_HEIGHT, margin=dict(FLOW_MARGIN)))


def _flow_node_centres(nodes, src, dst, counts, plot_px: float) -> list[float]:
    """Each node's vertical centre (0 top, 1 bottom), stacked in status order in its round.

    Plotly takes a fixed node's ``y`` as its centre and draws it as tall as its flow. At
    evenly spaced centres a big node at the bottom ("ej bedömd", often the largest at T1)
    hung below the plot: cut off on screen, and drawn through the caption in the PNG and
    SVG. So the nodes are stacked as Plotly sizes them: value max(in, out), one scale for
    every round (the fullest round fills the height), ``FLOW_PAD`` px between nodes.
    """
    inflow, outflow = [0.0] * len(nodes), [0.0] * len(nodes)
    for s, d, c in zip(src, dst, counts, strict=True):
        outflow[s] += c
        inflow[d] += c
    value = [max(a, b) for a, b in zip(inflow, outflow, strict=True)]
    rounds: dict[str, list[int]] = {}
    for i, (r, _) in enumerate(nodes):
        rounds.setdefault(r, []).append(i)  # nodes come in status order within a round
    scale = min((plot_px - FLOW_PAD * (len(ix) - 1)) / max(sum(value[i] for i in ix), 1e-9) for ix in rounds.values())
    centres = [0.0] * len(nodes)
    for ix in rounds.values():
        top = 0.0
        for i in ix:
            height = value[i] * scale
            centres[i] = (top + height / 2) / plot_px
            top += height + FLOW_PAD
    return centres


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


# --- Poisson uncertainty --------------------------------------------------------------------


def poisson_interval(count: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) confidence interval for a Poisson count.

    lower = χ²(α/2; 2k)/2 and upper = χ²(1−α/2; 2k+2)/2, i.e. quantiles of the gamma
    distribution (χ²(p; 2a)/2 is the p-quantile of Gamma(a, 1)). Count 0 gives (0, 3.69).
    """
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return (math.nan, math.nan)
    k = float(count)
    if k < 0:
        raise ValueError("ett antal kan inte vara negativt")
    hit = _GARWOOD.get((k, level))
    if hit is None:
        poisson_intervals([k], level)
        hit = _GARWOOD[(k, level)]
    return hit


def poisson_intervals(counts: Iterable, level: float = 0.95) -> None:
    """Work out (and remember) the intervals of many counts in one vectorised call: a
    comparison table asks for hundreds on a new selection, and :func:`poisson_interval`
    then answers from memory."""
    todo = sorted({float(c) for c in counts
                   if c is not None and c is not pd.NA and not (isinstance(c, float) and math.isnan(c)) and c >= 0
                   and (float(c), level) not in _GARWOOD})
    if not todo:
        return
    # The inverse regularised incomplete gamma function: the p-quantile of Gamma(a, 1).
    # Imported here, not with the module: the first page needs no intervals.
    from scipy.special import gammaincinv

    k = np.array(todo)
    alpha = 1 - level
    lower = np.where(k == 0, 0.0, gammaincinv(np.where(k == 0, 1.0, k), alpha / 2))
    upper = gammaincinv(k + 1, 1 - alpha / 2)
    with _GARWOOD_LOCK:
        for key, lo, hi in zip(todo, lower.tolist(), upper.tolist(), strict=True):
            _GARWOOD[(key, level)] = (lo, hi)
        while len(_GARWOOD) > _GARWOOD_MAX:
            _GARWOOD.popitem(last=False)


# Remembered per count: a comparison table and its bar chart ask for the same intervals
# on every rerun.
_GARWOOD: OrderedDict[tuple[float, float], tuple[float, float]] = OrderedDict()
_GARWOOD_MAX = 65536
_GARWOOD_LOCK = threading.Lock()


def change_within_chance(current: float, previous: float, exposure_ratio: float = 1.0, level: float = 0.95) -> bool:
    """True when the change from ``previous`` to ``current`` count could be chance.

    Conditional test for two Poisson counts: given their sum n, the current count is
    Binomial(n, r/(1+r)) if the rate did not change, where r is current exposure over
    previous exposure (1 for the same population and period length). Exact two-sided
    test up to n = 5 000, a normal approximation beyond.
    """
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (current, previous)):
        return True
    key = (int(round(current)), int(round(previous)), float(exposure_ratio), float(level))
    hit = _CHANCE.get(key)
    if hit is None:
        changes_within_chance([(current, previous, exposure_ratio)], level)
        hit = _CHANCE[key]
    return hit


def changes_within_chance(tests: Iterable[tuple[float, float, float]], level: float = 0.95) -> None:
    """Work out (and remember) :func:`change_within_chance` for many (current, previous,
    exposure ratio) at once: a comparison table tests every area on a new selection, and
    :func:`change_within_chance` then answers from memory. Missing counts are skipped."""
    keys = {(int(round(c)), int(round(p)), float(r), float(level)) for c, p, r in tests
            if not any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (c, p))}
    todo = sorted(k for k in keys if k not in _CHANCE)
    if not todo:
        return
    found: dict[tuple, bool] = {}
    exact = []
    for key in todo:
        c, p0, ratio, lvl = key
        n, prob, alpha = c + p0, ratio / (1 + ratio), 1 - lvl
        if n == 0:
            found[key] = True
        elif n > 5000:
            mean, sd = n * prob, math.sqrt(n * prob * (1 - prob))
            z = (abs(c - mean) - 0.5) / sd
            found[key] = 2 * (1 - NormalDist().cdf(max(z, 0))) > alpha
        else:
            exact.append(key)
    if exact:
        c = np.array([k[0] for k in exact], dtype=np.int64)
        n = c + np.array([k[1] for k in exact], dtype=np.int64)
        prob = np.array([k[2] / (1 + k[2]) for k in exact], dtype=np.float64)
        alpha = np.array([1 - k[3] for k in exact], dtype=np.float64)
        for key, verdict in zip(exact, _clear_verdicts(c, n, prob, alpha).tolist(), strict=True):
            ci, p0, ratio, lvl = key
            found[key] = bool(verdict) if verdict >= 0 else _exact_within_chance(ci, ci + p0, ratio / (1 + ratio),
                                                                               1 - lvl)
    with _CHANCE_LOCK:
        _CHANCE.update(found)
        while len(_CHANCE) > _CHANCE_MAX:
            _CHANCE.popitem(last=False)


# Remembered per (current, previous, exposure ratio, level), as the intervals are.
_CHANCE: OrderedDict[tuple[int, int, float, float], bool] = OrderedDict()
_CHANCE_MAX = 65536
_CHANCE_LOCK = threading.Lock()


def _exact_within_chance(c: int, n: int, prob: float, alpha: float) -> bool:
    """The exact two-sided test over the whole pmf (0 < n <= 5 000)."""
    # The binomial log pmf for i = 0..n by the ratio of neighbouring terms (one numpy pass
    # instead of three lgamma calls per term): pmf(i+1)/pmf(i) = (n-i)/(i+1) · prob/(1-prob).
    i = np.arange(n, dtype=float)
    steps = np.log((n - i) / (i + 1)) + (math.log(prob) - math.log1p(-prob))
    log_pmf = np.concatenate(([n * math.log1p(-prob)], n * math.log1p(-prob) + np.cumsum(steps)))
    observed = log_pmf[c]
    p_value = float(np.exp(log_pmf[log_pmf <= observed + 1e-9]).sum())
    return p_value > alpha


# How close (in log pmf, and in p-value) a quantity may come to a decision boundary before
# _clear_verdicts leaves the case to the full computation. The full computation's log pmf is
# a running sum of up to 5 000 terms (error below 1e-8) and it counts terms up to 1e-9 above
# the observed one as ties; the shortcut's log pmf and tail sums are accurate to ~1e-10.
_LOG_MARGIN = 1e-6
_P_MARGIN = 1e-6


def _clear_verdicts(c: np.ndarray, n: np.ndarray, prob: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """:func:`_exact_within_chance` for many tests without the whole pmf: 1 (within
    chance), 0 (not) or -1 where a test is too close to call this way (the full
    computation then decides).

    The pmf is unimodal (rising up to ``mode``, falling after it), so the outcomes no more
    likely than ``c`` are the two tails ``i <= lo`` and ``i >= hi``: each boundary found by
    bisection on the log pmf (gammaln), the tails summed by the binomial distribution
    function, all tests together. The whole pmf of each cost ~150 µs, ~40 ms for the 290
    kommuner on each new comparison. A boundary term within the margin of the limit may
    fall either way in the full computation (a tie, such as the mirror image of ``c`` when
    ``prob`` is 1/2), so the p-value is bounded with and without such terms; only a
    verdict both bounds agree on, clear of the level by the margin, is given, so it is
    always the full computation's."""
    from scipy.special import bdtr, bdtrc, gammaln

    usable = (prob > 0.0) & (prob < 1.0)
    prob = np.where(usable, prob, 0.5)
    log_p, log_q, top = np.log(prob), np.log1p(-prob), gammaln(n + 1.0)

    def log_pmf(i: np.ndarray) -> np.ndarray:
        i = np.clip(i, 0, n)
        return top - gammaln(i + 1.0) - gammaln(n - i + 1.0) + i * log_p + (n - i) * log_q

    limit = log_pmf(c) + 1e-9  # ties within 1e-9 count, as in the full computation

    def unsure(i: np.ndarray) -> np.ndarray:
        return (i >= 0) & (i <= n) & (np.abs(log_pmf(i) - limit) < _LOG_MARGIN)

    mode = np.minimum(n, np.floor((n + 1) * prob).astype(np.int64))
    # lo: the last i in [0, mode] at or below the limit (-1: none), the log pmf rising there.
    a, b = np.full(len(c), -1, dtype=np.int64), mode + 1
    while (b - a > 1).any():
        m = (a + b) // 2
        below = log_pmf(m) <= limit
        a, b = np.where((b - a > 1) & below, m, a), np.where((b - a > 1) & ~below, m, b)
    lo = a
    # hi: the first i in [mode, n] at or below the limit (n + 1: none), the log pmf falling.
    a, b = mode - 1, n + 1
    while (b - a > 1).any():
        m = (a + b) // 2
        below = log_pmf(m) <= limit
        a, b = np.where((b - a > 1) & ~below, m, a), np.where((b - a > 1) & below, m, b)
    hi = b
    # c at the mode, or a flat stretch near the limit: left to the full computation.
    unclear = (~usable | (lo + 1 >= hi) | unsure(lo - 1) | unsure(lo + 2) | unsure(hi - 2) | unsure(hi + 1))

    def tails(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        low = np.where(left >= 0, bdtr(np.clip(left, 0, n), n, prob), 0.0)
        high = np.where(right <= n, bdtrc(np.clip(right - 1, 0, n), n, prob), 0.0)
        return np.where(left + 1 >= right, 1.0, low + high)

    least = tails(lo - unsure(lo), hi + unsure(hi))
    most = tails(lo + unsure(lo + 1), hi - unsure(hi - 1))
    verdict = np.where(least > alpha + _P_MARGIN, 1, np.where(most < alpha - _P_MARGIN, 0, -1))
    return np.where(unclear, -1, verdict).astype(np.int8)


def _first_names(names: list[str], shown: int = 8) -> str:
    """A sentence's end naming the first ``shown`` of ``names``: "Ale, Borås." or "Ale, …,
    Falkenberg m.fl." (one full stop: "m.fl." ends the sentence itself)."""
    listed = ", ".join(names[:shown])
    return f"{listed} m.fl." if len(names) > shown else f"{listed}."


def ranked_bars(
    df: pd.DataFrame,
    label: str,
    count: str,
    *,
    population: str | None = None,
    per: float = 100_000,
    previous: str | None = None,
    previous_population: str | None = None,
    title: str,
    value_title: str,
    highlight: str | None = None,
    decimals: int = 1,
    missing_label: str = "Saknas",
    missing_reason: str | None = None,
    reason_labels: dict[str, str] | None = None,
) -> go.Figure:
    """Horizontal bars ranked by rate (``count`` per ``per`` of ``population``; the count
    itself without ``population``) with exact 95 % Poisson intervals as error bars.

    With ``previous`` (the count for the same period a year earlier) a label gets "≈" when
    the change is within chance (``change_within_chance``), and the hover says so.
    Suppressed counts are left out of the ranking and named in the note ("Dolda (..)");
    missing counts too, named apart from them under ``missing_label`` ("Saknas (–)"), or
    by why each row's count is missing: the column ``missing_reason`` holds a reason,
    and ``reason_labels`` says it ("Registreras per lokalpolisområde (–)"); a row without
    a known reason keeps ``missing_label``. ``highlight`` (a label) is drawn in a
    contrasting colour.
    """
    if df.empty:
        return empty_figure(title)
    hidden = _hidden(df, count)
    rows = df[~hidden.to_numpy()]
    counts = [float(v) for v in rows[count].tolist()]
    if population:
        pops = [float(v) if not fmt.is_missing(v) else math.nan for v in rows[population].tolist()]
        scale = [per / p if p > 0 else math.nan for p in pops]
    else:
        pops, scale = [math.nan] * len(rows), [1.0] * len(rows)
    chance: list[bool | None] = [None] * len(rows)
    if previous:
        prev_hidden = _hidden(rows, previous).tolist()
        if population and previous_population:
            ratios = [
                p / float(q) if not fmt.is_missing(q) and float(q) > 0 else 1.0
                for p, q in zip(pops, rows[previous_population].tolist(), strict=True)
            ]
        else:
            ratios = [1.0] * len(rows)
        chance = [
            None if ph else change_within_chance(c, float(p), r)
            for c, p, r, ph in zip(counts, rows[previous].tolist(), ratios, prev_hidden, strict=True)
        ]
    records = []
    for name, c, sc, ch in zip(rows[label].tolist(), counts, scale, chance, strict=True):
        if math.isnan(sc):
            continue
        lo, hi = poisson_interval(c)
        records.append((str(name), c * sc, lo * sc, hi * sc, c, ch))
    records.sort(key=lambda r: r[1])  # plotly draws the first bar at the bottom: highest on top
    verdict = {
        True: "Förändringen mot året innan kan vara slump.",
        False: "Förändringen mot året innan är större än slumpen förklarar.",
        None: "",
    }
    trace = {
        "type": "bar",
        "orientation": "h",
        "y": [f"{r[0]} ≈" if r[5] else r[0] for r in records],
        "x": [r[1] for r in records],
        "marker": {"color": ["#D55E00" if r[0] == highlight else "#0072B2" for r in records]},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": [r[3] - r[1] for r in records],
            "arrayminus": [r[1] - r[2] for r in records],
            "color": "#333333",
            "thickness": 1.5,
            "width": 4,
        },
        "customdata": [
            [
                fmt.number(r[1], decimals),
                fmt.number(r[2], decimals),
                fmt.number(r[3], decimals),
                fmt.integer(r[4]),
                verdict[r[5]],
            ]
            for r in records
        ],
        "hovertemplate": (
            "<b>%{y}</b><br>" + value_title + ": %{customdata[0]} (95\u00a0% intervall "
            "%{customdata[1]}–%{customdata[2]})<br>Antal: %{customdata[3]}<br>%{customdata[4]}<extra></extra>"
        ),
    }
    flagged = fmt.suppressed_mask(df, count).to_numpy(dtype=bool)
    left_out = df.loc[hidden.to_numpy() & flagged, label].astype(str).tolist()
    absent = df[hidden.to_numpy() & ~flagged]
    missing = absent[label].astype(str).tolist()
    reasons = (absent[missing_reason].tolist() if missing_reason and missing_reason in absent
               else [None] * len(absent))
    by_label: dict[str, list[str]] = {}  # in the rows' order: the first label first
    for name, reason in zip(missing, reasons, strict=True):
        by_label.setdefault((reason_labels or {}).get(reason, missing_label), []).append(name)
    notes = ["Strecken visar 95\u00a0% konfidensintervall (Poisson)."]
    if any(r[5] is not None for r in records):
        notes.append("≈ = förändringen mot året innan kan vara slump.")
    if left_out:
        notes.append(f"Dolda (..): {_first_names(left_out)}")
    for why, names in by_label.items():
        notes.append(f"{why} (–): {_first_names(names)}")
    what = value_title[:1].lower() + value_title[1:]
    if records:
        top, bottom = records[-1], records[0]
        alt = (
            f"Liggande staplar som rangordnar {len(records)} områden efter {what}: högst {top[0]} "
            f"({fmt.number(top[1], decimals)}), lägst {bottom[0]} ({fmt.number(bottom[1], decimals)})."
        )
    else:
        alt = f"{title}: inga värden att visa."
    if left_out:
        alt += f" {len(left_out)} {'område döljs' if len(left_out) == 1 else 'områden döljs'} av röjandeskydd."
    if missing:
        alt += f" {len(missing)} {'område saknar' if len(missing) == 1 else 'områden saknar'} värde."
    lay = layout(
        title=title,
        alt=alt,
        note=" ".join(notes),
        show_legend=False,
        height=max(340, 150 + 30 * len(records)),
        bargap=0.3,
        xaxis={"title": {"text": value_title}, "rangemode": "tozero"},
        yaxis={"title": {"text": ""}, "gridcolor": "rgba(0,0,0,0)", "type": "category"},
    )
    return figure([trace], lay)
