"""Exports: every chart as PNG and SVG, every table (and the data behind every chart) as
XLSX and CSV, and the download buttons that offer them.

Images are rendered server-side by kaleido in the system's Chromium (``/usr/bin/chromium``
or ``$BROWSER_PATH``) through ONE warm browser per process (``Renderer``): starting
Chromium costs about a second, a render in the warm browser a few tens of milliseconds.

Tables keep the screen's disclosure control: a suppressed value is the text ``..`` in both
formats, numbers stay numbers (XLSX cells, CSV with decimal comma). Text that a
spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) is neutralised with a leading apostrophe. See docs/exports.md.
"""

from __future__ import annotations

import asyncio
import copy
import csv
import datetime as dt
import io
import os
import re
import shutil
import textwrap
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from numbers import Number

import pandas as pd

from dashboard import formatting as fmt

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_WIDTH = 1200
EXPORT_HEIGHT = 650
CAPTION_SIZE = 13
CAPTION_LINE_PX = 19
CAPTION_CHARS = 150  # characters per caption line at 1200 px and 13 px type
RENDER_TIMEOUT_S = 60
SOURCE_DEFAULT = "Lägesbild (demodata)"
# Precision of a number that is not whole (counts are whole and written as they are):
# rates, percentages, indexes and interval bounds keep two decimals, one more than the
# screen shows; a share (a fraction 0–1, a column named share or share_…) keeps three,
# i.e. a percentage with one decimal, as on screen. See docs/exports.md.
DECIMALS = 2
SHARE_DECIMALS = 3


class ExportUnavailable(RuntimeError):
    """Images cannot be rendered here (no Chromium); the message says what to install."""


# --- captions and names --------------------------------------------------------------------


def caption(
    *,
    filters: str | None = None,
    contents: str | None = None,
    source: str,
    data_until: dt.date | str | None,
    suppressed: int | None = None,
    threshold: int | None = None,
    unprotected: str | None = None,
    notes: Iterable[str] = (),
) -> str:
    """The caption every export carries: filters ("Urval: …"), source, "data t.o.m.", how
    the figures are protected, then ``notes`` (what the page says about the figures: data
    missing, areas that cannot be counted), so that a chart in a report carries the same
    caveats as the page.

    ``contents`` replaces the "Urval" sentence for an export the sidebar's filters do not
    choose (the Data page's tables): it says what the export holds instead.
    ``suppressed`` is how many values in the export are hidden, for figures under
    disclosure control (recruitment signals): the caption then states the rule
    (``threshold``, default from lagesbild.toml); ``None`` when the export holds no such
    figures. ``unprotected`` says which figures in it count no persons and are shown
    without suppression (incidents, measures; docs/disclosure.md). With neither, the
    caption says nothing about disclosure (the Data page's load history and definitions).
    """
    if (filters is None) == (contents is None):
        raise ValueError("caption: ange antingen filters eller contents")
    until = fmt.date(data_until) if data_until is not None and not fmt.is_missing(data_until) else "okänt"
    if suppressed is not None:
        if threshold is None:
            from pipelines.config import settings

            threshold = settings().threshold
        rule = f"Antal 1–{threshold - 1} och värden som kan räknas fram ur dem visas som .. (röjandeskydd)"
        if suppressed:
            rule += f"; {fmt.integer(suppressed)} {'värde döljs' if suppressed == 1 else 'värden döljs'} här"
        rule += "."
    else:
        rule = None
    what = f"Urval: {filters}." if filters is not None else f"{contents.rstrip('.')}."
    return " ".join([f"{what} Källa: {source}. Data t.o.m. {until}.", *(n for n in (rule, unprotected, *notes) if n)])


def safe_filename(name: str, extension: str | None = None) -> str:
    """A portable file name from a Swedish title: ``Skjutningar per månad`` -> ``skjutningar-per-manad``."""
    # Accents go (å -> a), every other character becomes a dash: dropped with the
    # non-ASCII letters, the en dash of "2025–2026" gave "20252026".
    text = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].rstrip("-") or "export"
    return f"{text}.{extension}" if extension else text


# --- tables --------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Prefix text a spreadsheet would evaluate as a formula with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _flag_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c == "suppressed" or str(c).endswith("_suppressed")]


def export_decimals(column) -> int:
    """Decimals kept for a number that is not whole in ``column``: ``SHARE_DECIMALS`` for a
    share (the project names fractions ``share`` or ``share_…``), none for a population
    (``population`` or ``population_…``), else ``DECIMALS``."""
    name = str(column)
    if name == "population" or name.startswith("population_"):
        # Whole people, as the screen shows them: an LPO or polisområde sharing a kommun
        # gets its population by share (lpo_kommun.share), "419179,15" people in a report.
        return 0
    return SHARE_DECIMALS if name == "share" or name.startswith("share_") else DECIMALS


def export_frame(df: pd.DataFrame, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The frame as exported: Swedish headers, suppressed values as ``..``, object dtype.

    ``columns`` maps source column -> Swedish header (and picks and orders them); without
    it every column but the suppression flags is kept under its own name. Numbers stay
    numbers (one that is not whole rounded to ``export_decimals``), missing values become
    None, suppressed values the text ``..``.
    """
    if columns is None:
        columns = {c: str(c) for c in df.columns if c not in _flag_columns(df)}
    out = {}
    for col, header in columns.items():
        if col not in df.columns:
            raise KeyError(f"kolumnen {col!r} saknas i tabellen")
        hidden = fmt.suppressed_mask(df, col).tolist()
        decimals = export_decimals(col)
        values = []
        for v, h in zip(df[col].tolist(), hidden, strict=True):
            if h:
                values.append(fmt.SUPPRESSED)
            elif fmt.is_missing(v):
                values.append(None)
            elif isinstance(v, pd.Timestamp):
                values.append(v.to_pydatetime() if (v.hour or v.minute or v.second) else v.date())
            else:
                v = v.item() if hasattr(v, "item") else v
                if isinstance(v, Number) and not isinstance(v, (bool, int)) and not float(v).is_integer():
                    v = round(float(v), decimals)
                values.append(v)
        out[header] = values
    return pd.DataFrame(out, index=range(len(df)), dtype=object)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, Number):
        f = float(value)
        if f.is_integer() and abs(f) < 1e15:
            return str(int(f))
        return repr(f).replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if value == fmt.SUPPRESSED:
        return value
    return neutralise(str(value))


def to_csv(df: pd.DataFrame, columns: Mapping[str, str] | None = None) -> bytes:
    """CSV for Swedish Excel: UTF-8 with BOM, ``;`` between fields, decimal comma, no
    thousands separator, suppressed values as ``..``, formulas neutralised."""
    frame = export_frame(df, columns)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(
    df: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    *,
    title: str,
    caption: str,
    sheet: str = "Data",
) -> bytes:
    """An XLSX workbook: title (row 1), caption (row 2), Swedish headers (row 4), data.

    Numbers are numeric cells, dates date cells, suppressed values the text ``..``; every
    string is written with ``write_string`` (never as a formula) and neutralised.
    """
    import xlsxwriter

    frame = export_frame(df, columns)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet(sheet[:31])
    f_title = book.add_format({"bold": True, "font_size": 14})
    f_caption = book.add_format({"italic": True, "font_color": "#444444", "text_wrap": True, "valign": "top"})
    f_head = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom"})
    f_int = book.add_format({"num_format": "# ##0"})
    f_dec = book.add_format({"num_format": "# ##0.0##"})
    f_date = book.add_format({"num_format": "yyyy-mm-dd"})
    f_time = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    f_hidden = book.add_format({"align": "right"})
    n_cols = max(1, len(frame.columns))
    ws.write_string(0, 0, neutralise(title), f_title)
    if n_cols > 1:
        ws.merge_range(1, 0, 1, n_cols - 1, "", f_caption)
    ws.write_string(1, 0, neutralise(caption), f_caption)
    ws.set_row(1, 15 * max(1, min(6, len(caption) // max(40, 12 * n_cols) + 1)))
    header_row = 3
    widths = []
    for j, header in enumerate(frame.columns):
        ws.write_string(header_row, j, neutralise(str(header)), f_head)
        widths.append(len(str(header)))
    for i, row in enumerate(frame.itertuples(index=False, name=None), start=header_row + 1):
        for j, v in enumerate(row):
            if v is None:
                ws.write_blank(i, j, None)
                text = ""
            elif isinstance(v, bool):
                text = "ja" if v else "nej"
                ws.write_string(i, j, text)
            elif isinstance(v, Number):
                f = float(v)
                ws.write_number(i, j, f, f_int if f.is_integer() else f_dec)
                text = fmt.number(f, 0 if f.is_integer() else 1)
            elif isinstance(v, dt.datetime):
                ws.write_datetime(i, j, v, f_time)
                text = "yyyy-mm-dd hh:mm"
            elif isinstance(v, dt.date):
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), f_date)
                text = "yyyy-mm-dd"
            elif v == fmt.SUPPRESSED:
                ws.write_string(i, j, v, f_hidden)
                text = v
            else:
                text = neutralise(str(v))
                ws.write_string(i, j, text)
            widths[j] = max(widths[j], len(text))
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(60, max(8, w + 2)))
    ws.freeze_panes(header_row + 1, 0)
    book.set_properties({"title": title, "comments": caption})
    book.close()
    return buf.getvalue()


# --- images --------------------------------------------------------------------------------


def browser_path() -> str | None:
    """The Chromium to render with: ``$BROWSER_PATH`` if set, else the system's Chromium."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in CHROMIUM_CANDIDATES:
        path = name if os.path.isabs(name) else shutil.which(name)
        if path and os.access(path, os.X_OK):
            return path
    return None


_TOPOJSON_LAYERS = ("land", "ocean", "lakes", "rivers", "coastlines", "countries", "subunits")


def _empty_topojson_url() -> str:
    """A file:// folder with empty world topojson files.

    Plotly's geo maps fetch base layers (coastlines, land) from cdn.plot.ly even when
    hidden; our maps draw their own areas, so an empty topology keeps rendering offline.
    """
    import json
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="lagesbild-topojson-"))
    empty = {
        "type": "Topology",
        "objects": {name: {"type": "GeometryCollection", "geometries": []} for name in _TOPOJSON_LAYERS},
        "arcs": [],
    }
    for scope in ("world", "europe"):
        for resolution in ("110m", "50m"):
            (folder / f"{scope}_{resolution}.json").write_text(json.dumps(empty), encoding="utf-8")
    return folder.as_uri() + "/"


class Renderer:
    """One warm kaleido browser on its own event-loop thread, shared by every session.

    Kaleido 1.x is asyncio-based; Streamlit runs scripts on many threads. The browser lives
    on one background loop and callers submit renders to it (thread-safe), so a chart
    export costs a render, not a browser start. If the browser dies it is restarted once.
    """

    def __init__(self, path: str | None = None):
        self._path = path
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._topojson: str | None = None

    def _start(self) -> None:
        import kaleido

        path = self._path or browser_path()
        if path is None:
            raise ExportUnavailable(
                "Bilder kan inte skapas: Chromium saknas. Installera Debians chromium "
                "(apt-get install chromium) eller sätt BROWSER_PATH."
            )
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="kaleido-renderer", daemon=True)
        thread.start()

        async def open_browser():
            # mathjax=False: no CDN fetch; plotly.js comes from the installed plotly package.
            k = kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT_S, mathjax=False, path=path)
            await k.open()
            return k

        self._kaleido = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(RENDER_TIMEOUT_S)
        self._loop, self._thread = loop, thread
        self._topojson = _empty_topojson_url()

    def _ensure(self) -> None:
        with self._lock:
            if self._kaleido is None:
                self._start()

    def render(self, fig: dict, fmt_: str, width: int, height: int, scale: float = 1.0) -> bytes:
        """Render a figure dict to ``png`` or ``svg`` bytes."""
        opts = {"format": fmt_, "width": width, "height": height, "scale": scale}
        for attempt in (1, 2):
            self._ensure()
            future = asyncio.run_coroutine_threadsafe(
                self._kaleido.calc_fig(fig, opts=opts, topojson=self._topojson), self._loop
            )
            try:
                return future.result(RENDER_TIMEOUT_S)
            except Exception:
                if attempt == 2:
                    raise
                self.close()  # a crashed or hung browser: start a fresh one and retry once
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the browser and stop the loop (a later render starts a new one)."""
        with self._lock:
            k, loop, thread = self._kaleido, self._loop, self._thread
            self._kaleido = self._loop = self._thread = None
        if k is not None and loop is not None:
            try:
                asyncio.run_coroutine_threadsafe(k.close(), loop).result(10)
            except Exception:  # noqa: BLE001 closing a dead browser may fail; the process goes anyway
                pass
            loop.call_soon_threadsafe(loop.stop)
            if thread is not None:
                thread.join(5)

    @property
    def running(self) -> bool:
        return self._kaleido is not None


_renderer: Renderer | None = None
_renderer_lock = threading.Lock()


def renderer() -> Renderer:
    """The process's one warm renderer (created on first use)."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            import atexit

            _renderer = Renderer()
            atexit.register(_renderer.close)
        return _renderer


def _wrap(text: str, width: int = CAPTION_CHARS) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]


def export_figure(fig, *, title: str, caption: str, width: int = EXPORT_WIDTH, height: int | None = None) -> dict:
    """The figure as a dict ready to render: the export title on top and the caption
    (filters, source, data t.o.m., suppression) under the plot, at a fixed size.

    A figure from dashboard.charts has its title and note in ``meta`` (the page shows
    them as text, which wraps at the chart's width): they are drawn into the image here,
    the title in full above the legend and the note under the axis, and the image grows
    by them, so the plot keeps its size (a status flow's nodes are placed for it)."""
    # A copy: a figure's dict may be the one the page shows (charts.Figure shares it).
    spec = copy.deepcopy(fig.to_dict() if hasattr(fig, "to_dict") else fig)
    layout = spec.setdefault("layout", {})
    lines = _wrap(caption, int(CAPTION_CHARS * width / EXPORT_WIDTH))
    caption_px = CAPTION_LINE_PX * len(lines) + 16
    margin = dict(layout.get("margin") or {})
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    base_height = int(height or layout.get("height") or EXPORT_HEIGHT)
    if "title" in meta:
        top_px, note_px = _draw_title_and_note(spec, title, meta.get("note") or "", width, margin)
    else:
        top_px, note_px = _title_in_figure(layout, title, width, margin), 0
    bottom = int(margin.get("b", 80)) + note_px
    margin["b"] = bottom + caption_px
    layout["margin"] = margin
    layout["height"] = base_height + top_px + note_px + caption_px
    if "title" in meta:
        # The title's lines centred in their block under the image's top edge, in pixels of
        # the final height (anchored at its top, plotly put a title of two lines' first
        # baseline there, the line itself above the edge).
        from dashboard.charts import TITLE_LINE_PX

        lines_px = TITLE_LINE_PX * (layout["title"]["text"].count("<br>") + 1)
        layout["title"]["y"] = 1 - (EXPORT_TITLE_PAD + lines_px / 2) / layout["height"]
    layout["width"] = width
    annotations = list(layout.get("annotations") or [])
    annotations.append(
        {
            "text": "<br>".join(lines),
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 0,
            "xanchor": "left",
            "yanchor": "top",
            "yshift": -bottom,
            "align": "left",
            "showarrow": False,
            "font": {"size": CAPTION_SIZE, "color": "#333333"},
        }
    )
    layout["annotations"] = annotations
    layout.setdefault("paper_bgcolor", "white")
    return spec


EXPORT_TITLE_PAD = 16  # px above an export's title
EXPORT_TITLE_GAP = 16  # px between the title and the legend or the plot
LEGEND_ROW_PX = 26  # a legend row's height at 16 px type
LEGEND_CHAR_PX = 9.5  # a legend character's width at 16 px (kaleido's fallback fonts run wide)
LEGEND_SYMBOL_PX = 48  # an entry's symbol and gaps


def _draw_title_and_note(spec: dict, title: str, note: str, width: int, margin: dict) -> tuple[int, int]:
    """Draw a dashboard.charts figure's title (and legend room) above the plot and its
    note under the axis band; changes ``spec`` and ``margin``, returns the pixels added
    at the top and at the bottom."""
    from dashboard import charts  # plotly: not before a page needs it

    layout = spec["layout"]
    title_lines = charts.wrap_title(title, int(charts.EXPORT_TITLE_CHARS * width / EXPORT_WIDTH))
    layout["title"] = {"text": "<br>".join(title_lines), "x": 0.01, "xanchor": "left", "yref": "container",
                       "yanchor": "middle", "font": {"size": charts.TITLE_SIZE}}
    legend = layout.get("legend") or {}
    above = legend.get("orientation") == "h" and float(legend.get("y", 1)) >= 1
    rows = _legend_rows(spec, width) if layout.get("showlegend", True) and above else 0
    # The title, then the legend's rows (plotly puts them right above the plot), or the
    # screen's own top margin when it is larger (a map image keeps its 80 px).
    screen_top = int(margin.get("t", charts.SCREEN_TOP))
    top = max(screen_top, EXPORT_TITLE_PAD + charts.TITLE_LINE_PX * len(title_lines) + EXPORT_TITLE_GAP
              + LEGEND_ROW_PX * rows)
    margin["t"] = top
    note_px = 0
    if note:
        note_lines = textwrap.wrap(note, int(charts.NOTE_CHARS * width / EXPORT_WIDTH), break_long_words=False)
        note_px = charts.NOTE_LINE_PX * len(note_lines) + 8
        layout.setdefault("annotations", []).append({
            "text": "<br>".join(note_lines), "xref": "paper", "yref": "paper", "x": 0, "y": 0,
            "yshift": -int(margin.get("b", charts.AXIS_BAND)), "xanchor": "left", "yanchor": "top", "showarrow": False,
            "align": "left", "font": {"size": charts.FONT_SIZE - 3, "color": "#444444"}})
    return top - screen_top, note_px


def _legend_rows(spec: dict, width: int) -> int:
    """How many rows the horizontal legend takes across the image (entries packed from the
    left, as plotly does), estimated from the names' lengths; 0 without entries."""
    names = [str(t.get("name")) for t in spec.get("data", [])
             if t.get("name") and t.get("showlegend", True) is not False and t.get("type") != "sankey"]
    if not names:
        return 0
    rows, used = 1, 0.0
    for name in names:
        entry = LEGEND_SYMBOL_PX + LEGEND_CHAR_PX * len(name)
        if used and used + entry > width - 20:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def _title_in_figure(layout: dict, title: str, width: int, margin: dict) -> int:
    """A figure that draws its own title (a map image): the export's title in its place,
    in lines for the export's width, the top margin grown by its lines past the first.
    Returns 0: the image keeps its height."""
    from dashboard.charts import EXPORT_TITLE_CHARS, TITLE_LINE_PX, wrap_title

    title_lines = wrap_title(title, int(EXPORT_TITLE_CHARS * width / EXPORT_WIDTH))
    margin["t"] = max(int(margin.get("t", 80)) + TITLE_LINE_PX * (len(title_lines) - 1), 80)
    title_spec = dict(layout.get("title") or {})
    title_spec["text"] = "<br>".join(title_lines)
    title_spec.setdefault("x", 0.01)
    title_spec.setdefault("xanchor", "left")
    layout["title"] = title_spec
    return 0


def to_image(
    fig, fmt_: str, *, title: str, caption: str, width: int = EXPORT_WIDTH, scale: float | None = None
) -> bytes:
    """``png`` (2x scale for print) or ``svg`` bytes of the figure with title and caption."""
    if fmt_ not in ("png", "svg"):
        raise ValueError(f"okänt bildformat {fmt_!r}: png eller svg")
    spec = export_figure(fig, title=title, caption=caption, width=width)
    layout = spec["layout"]
    return renderer().render(spec, fmt_, layout["width"], layout["height"], scale or (2.0 if fmt_ == "png" else 1.0))


def to_png(fig, *, title: str, caption: str, width: int = EXPORT_WIDTH) -> bytes:
    """PNG bytes (rendered at twice the size, for sharp print)."""
    return to_image(fig, "png", title=title, caption=caption, width=width)


def to_svg(fig, *, title: str, caption: str, width: int = EXPORT_WIDTH) -> bytes:
    """SVG bytes."""
    return to_image(fig, "svg", title=title, caption=caption, width=width)


# --- Streamlit ------------------------------------------------------------------------------


# The chart toolbar's and hover texts in Swedish. plotly.js looks its strings up in the
# locale the config names; its own "sv" locale has month names but no such strings, and
# Streamlit loads no locale beyond English, so the dictionary is passed in the config
# (plotly's ``locales`` option; nothing is fetched). Only the dictionary: with plotly's
# English date formats kept, charts.py's Swedish month aliases still match the ticks.
PLOTLY_SWEDISH = {
    "Zoom": "Zooma",
    "Pan": "Panorera",
    "Box Select": "Markera med rektangel",
    "Lasso Select": "Markera med lasso",
    "Zoom in": "Zooma in",
    "Zoom out": "Zooma ut",
    "Autoscale": "Anpassa axlarna",
    "Reset axes": "Återställ axlarna",
    "Reset": "Återställ",
    "Reset view": "Återställ vyn",
    "Reset views": "Återställ vyerna",
    "Show closest data on hover": "Visa närmaste värde under pekaren",
    "Compare data on hover": "Jämför värdena under pekaren",
    "Toggle show closest data on hover": "Visa eller dölj närmaste värde under pekaren",
    "Toggle Spike Lines": "Visa eller dölj hjälplinjer",
    "Double-click to zoom back out": "Dubbelklicka för att zooma ut igen",
    "Double-click on legend to isolate one trace": "Dubbelklicka på en serie i förklaringen för att visa bara den",
    "incoming flow count:": "inflöde:",
    "outgoing flow count:": "utflöde:",
    "source:": "från:",
    "target:": "till:",
}


def plotly_config() -> dict:
    """``config`` for ``st.plotly_chart``: the toolbar in Swedish, without its own image
    download. It saved the figure as the page draws it, without the title and the note
    (the page's text, components.chart) and without the caption every export carries;
    the PNG and SVG buttons under each chart make the image for a report."""
    return {
        "displaylogo": False,
        "modeBarButtonsToRemove": ["lasso2d", "select2d", "toImage"],
        "locale": "sv",
        "locales": {"sv": {"dictionary": PLOTLY_SWEDISH}},
    }


def _lazy(make: Callable[[], bytes]) -> Callable[[], bytes]:
    """A download callable that renders once and keeps the bytes (per button per run)."""
    cache: list[bytes] = []

    def data() -> bytes:
        if not cache:
            cache.append(make())
        return cache[0]

    return data


def download_buttons(
    key: str,
    *,
    fig=None,
    df: pd.DataFrame | None = None,
    title: str,
    caption: str,
    filename: str,
    columns: Mapping[str, str] | None = None,
) -> None:
    """Download buttons for a chart and/or table: PNG, SVG (if ``fig``), XLSX, CSV (if ``df``).

    ``fig`` is a figure or a zero-argument function returning one (for costly figures such
    as ``maps.choropleth_figure``). Downloads do not rerun the app (``on_click="ignore"``).
    Files are made only when clicked (a callable ``data``, which Streamlit runs on a
    separate thread). ``columns`` maps df columns to Swedish headers.
    """
    import streamlit as st

    base = safe_filename(filename)
    buttons = []
    if fig is not None and browser_path() is None:
        st.caption("Bilder (PNG, SVG) kan inte skapas här: Chromium saknas på servern. Tabellerna går att ladda ner.")
    elif fig is not None:
        # A callable builds the figure only when a PNG/SVG is asked for (maps are costly).
        make_fig = fig if callable(fig) and not hasattr(fig, "to_dict") else (lambda: fig)
        buttons += [
            (
                "PNG",
                f"{base}.png",
                "image/png",
                _lazy(lambda: to_image(make_fig(), "png", title=title, caption=caption)),
            ),
            (
                "SVG",
                f"{base}.svg",
                "image/svg+xml",
                _lazy(lambda: to_image(make_fig(), "svg", title=title, caption=caption)),
            ),
        ]
    if df is not None:
        # A shallow copy is enough: pandas' copy-on-write keeps it unchanged when the
        # caller's frame is changed later (a deep copy of the register cost ~1 ms per rerun).
        frame = df.copy(deep=False)
        buttons += [
            (
                "Excel",
                f"{base}.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                _lazy(lambda: to_xlsx(frame, columns, title=title, caption=caption)),
            ),
            ("CSV", f"{base}.csv", "text/csv", _lazy(lambda: to_csv(frame, columns))),
        ]
    if not buttons:
        return
    # One horizontal container for the row of buttons: columns cost a block per button
    # (and one for the row), and a page draws up to five such rows on every rerun.
    with st.container(horizontal=True, gap="small"):
        for label, name, mime, data in buttons:
            st.download_button(
                label,
                data=data,
                file_name=name,
                mime=mime,
                key=f"{key}-{label.lower()}",
                on_click="ignore",
                icon=":material/download:",
                help=f"Ladda ner {name}",
            )
