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
# Images are laid out 900 px wide: the width the charts have on the page at 1366 px, and
# one at which a picture pasted across an A4 page (16 cm) keeps its text legible: 16 px
# axis labels print at 8 pt, the 14 px caption at 7 pt (at 1 200 px the caption printed
# at 5 pt). PNGs are rendered at twice the size (1 800 px) for sharp print.
EXPORT_WIDTH = 900
EXPORT_HEIGHT = 650
CAPTION_SIZE = 14
CAPTION_LINE_PX = 20
CAPTION_CHAR_PX = 7.5  # px per character of the caption (14 px type sets Swedish at about 6.3)
TITLE_CHAR_PX = 11  # px per character of the title (20 px type sets about 9.3)
EXPORT_PAD = 12  # px between the picture's left edge and the title's and caption's text
TITLE_TOP = 16  # px above the title
TITLE_GAP = 10  # px at least between the title and a legend above the plot
AXIS_TITLE_CHAR_PX = 9.5  # px per character of an axis title (16 px type sets about 8.5)
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
    dated: str | None = None,
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
    ``dated`` replaces the "Data t.o.m." sentence for an export the data's last day does not
    date (the load log: "Inläsningar 2026-01-15 09:00 – 2026-01-16 10:30").
    """
    if (filters is None) == (contents is None):
        raise ValueError("caption: ange antingen filters eller contents")
    if dated is None:
        until = fmt.date(data_until) if data_until is not None and not fmt.is_missing(data_until) else "okänt"
        dated = f"Data t.o.m. {until}"
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
    return " ".join([f"{what} Källa: {source}. {dated.rstrip('.')}.", *(n for n in (rule, unprotected, *notes) if n)])


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


def is_share(column) -> bool:
    """Whether ``column`` holds shares, fractions 0–1 (the project names them ``share`` or
    ``share_…``)."""
    name = str(column)
    return name == "share" or name.startswith("share_")


def export_decimals(column) -> int:
    """Decimals kept for a number that is not whole in ``column``: ``SHARE_DECIMALS`` for a
    share (the project names fractions ``share`` or ``share_…``), none for a population
    (``population`` or ``population_…``), else ``DECIMALS``."""
    name = str(column)
    if name == "population" or name.startswith("population_"):
        # Whole people, as the screen shows them: an LPO or polisområde sharing a kommun
        # gets its population by share (lpo_kommun.share), "419179,15" people in a report.
        return 0
    return SHARE_DECIMALS if is_share(name) else DECIMALS


# Whole numbers that are not quantities: years, identifiers, row numbers and grid
# coordinates are written without a thousands separator in the XLSX ("2025", not "2 025").
PLAIN_NUMBERS = ("year", "load_id", "row_number", "e_m", "n_m")


def plain_number(column) -> bool:
    """Whether ``column`` holds numbers shown without a thousands separator (a year,
    ``…_year``, an identifier, ``…_id``, a row number or a coordinate)."""
    name = str(column)
    return name in PLAIN_NUMBERS or name.endswith(("_year", "_id"))


def _exported_columns(df: pd.DataFrame, columns: Mapping[str, str] | None) -> list:
    """The source columns an export holds, in its order (see :func:`export_frame`)."""
    return list(columns) if columns is not None else [c for c in df.columns if c not in _flag_columns(df)]


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


# The caption's cell in the XLSX: merged over the table's columns, and over empty ones to
# the right of a narrow table until it is this wide (in Excel's column units; about what an
# A4 page holds upright, so it prints on the table's page), and as tall as its wrapped text
# (Excel never sizes a merged cell's row to its text; a fixed six lines cut a signal
# export's caption off in the middle of its notes). 409 pt is Excel's tallest row.
CAPTION_MIN_UNITS = 65
CAPTION_CHARS_PER_UNIT = 1.1  # italic Calibri 11 sets Swedish prose at about 1.2 a unit
# The headers stay in view when scrolling (frozen under the title and caption) only while
# the caption is at most this many lines: a taller frozen caption would leave little of the
# window to scroll the table in (a long signal caption is about 15 lines).
FREEZE_CAPTION_LINES = 8
EXCEL_DEFAULT_UNITS = 8.43
EXCEL_LINE_PT = 15
EXCEL_MAX_ROW_PT = 409


def _caption_row(ws, row: int, caption: str, widths: list[float], cell_format) -> int:
    """Write the caption into ``row``, merged and wrapped; returns its number of lines."""
    span, units = len(widths), float(sum(widths))
    while units < CAPTION_MIN_UNITS:
        span, units = span + 1, units + EXCEL_DEFAULT_UNITS
    if span > 1:
        ws.merge_range(row, 0, row, span - 1, caption, cell_format)
    else:
        ws.write_string(row, 0, caption, cell_format)
    # A little fewer characters a line than Excel sets: a line to spare rather than one too few.
    lines = len(textwrap.wrap(caption, width=max(20, int(units * CAPTION_CHARS_PER_UNIT)),
                              break_long_words=True)) or 1
    ws.set_row(row, min(EXCEL_MAX_ROW_PT, EXCEL_LINE_PT * lines))
    return lines


SHEET_CHARS = 31  # Excel's longest sheet name
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str) -> str:
    """A sheet's name from an export's title: Excel's 31 characters, cut between words,
    without the characters Excel refuses (square brackets, colon, asterisk, question
    mark, slash and backslash): "Händelser per månad – Stockholm". Every sheet was named
    "Data", so a workbook gathering several downloads (a report's appendix) had "Data",
    "Data (2)", "Data (3)"."""
    words = _NOT_IN_SHEET_NAMES.sub(" ", title).strip("' ").split()
    text = ""
    for word in words:
        longer = f"{text} {word}".strip()
        if len(longer.rstrip(",;")) > SHEET_CHARS:
            break
        text = longer
    text = text.rstrip(" ,;–-'") or (words[0][:SHEET_CHARS] if words else "")
    return text or "Data"


def _decimals(value: Number, most: int = SHARE_DECIMALS) -> int:
    """The decimals a number (as export_frame rounded it) has: 0 for 7.0, 2 for 6.95."""
    f = float(value)
    return next((k for k in range(most + 1) if round(f, k) == f), most)


def to_xlsx(
    df: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    *,
    title: str,
    caption: str,
    sheet: str | None = None,
) -> bytes:
    """An XLSX workbook: title (row 1), caption (row 2), Swedish headers (row 4), data,
    on a sheet named after the title (:func:`sheet_name`) unless ``sheet`` names it.

    Numbers are numeric cells, dates date cells, suppressed values the text ``..``; every
    string is written with ``write_string`` (never as a formula) and neutralised.
    Number formats are stored as the file format has them, "#,##0" with "," for the
    thousands separator and "." for the decimal sign, which Excel shows in the reader's
    locale ("1 018 657", "23,95" in Swedish Excel); a literal space ("# ##0") showed a
    population as "1018 657" and a plan year as "2 025". Years and identifiers
    (:func:`plain_number`) have no thousands separator. Every number in a column shows as
    many decimals as the column's most precise one (400 as "400,00" above "-5,43"). A share
    (:func:`is_share`) stays
    the fraction, shown as a percentage with one decimal as on screen ("33,3 %").
    """
    import xlsxwriter

    frame = export_frame(df, columns)
    names = _exported_columns(df, columns)
    plain = [plain_number(c) for c in names]
    shares = [is_share(c) for c in names]
    # One number of decimals down a column, the most any of its numbers has (a column of
    # changes read "400" under "-5,43" and "7" under "6,95").
    places = [max((_decimals(v) for v in frame[c].tolist() if isinstance(v, Number) and not isinstance(v, bool)),
                  default=0) for c in frame.columns]
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet(sheet_name(sheet if sheet is not None else title))
    f_title = book.add_format({"bold": True, "font_size": 14})
    f_caption = book.add_format({"italic": True, "font_color": "#444444", "text_wrap": True, "valign": "top"})
    f_head = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom"})
    f_int = book.add_format({"num_format": "#,##0"})
    f_plain = book.add_format({"num_format": "0"})
    f_dec = {k: book.add_format({"num_format": "#,##0." + "0" * k}) for k in set(places) if k}
    f_share = book.add_format({"num_format": "0.0 %"})
    f_date = book.add_format({"num_format": "yyyy-mm-dd"})
    f_time = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    f_hidden = book.add_format({"align": "right"})
    ws.write_string(0, 0, neutralise(title), f_title)
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
                if shares[j]:
                    ws.write_number(i, j, f, f_share)
                    text = fmt.share(f)
                elif places[j]:
                    ws.write_number(i, j, f, f_dec[places[j]])
                    text = fmt.number(f, places[j])
                else:
                    ws.write_number(i, j, f, f_plain if plain[j] else f_int)
                    text = str(int(f)) if plain[j] else fmt.number(f, 0)
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
    widths = [min(60, max(8, w + 2)) for w in widths]
    for j, w in enumerate(widths):
        ws.set_column(j, j, w)
    if _caption_row(ws, 1, neutralise(caption), widths, f_caption) <= FREEZE_CAPTION_LINES:
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


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]


def export_figure(fig, *, title: str, caption: str, width: int = EXPORT_WIDTH, height: int | None = None) -> dict:
    """The figure as a dict ready to render: the export title on top and the caption
    (the chart's note, filters, source, data t.o.m., suppression) under the plot.

    The title and the caption start at the picture's left edge (the plot's left edge
    moves with its axis labels: a bar chart's long names put it 300 px in), the title
    at the top; :func:`fit` places them for the plot and legend a first render drew.
    A figure from dashboard.charts has its title and note in ``meta`` (the page shows
    them as text, which wraps at the chart's width): the image draws the title in full
    and grows by its lines, so the plot keeps its size, and the note heads the caption."""
    # A copy: a figure's dict may be the one the page shows (charts.Figure shares it).
    spec = copy.deepcopy(fig.to_dict() if hasattr(fig, "to_dict") else fig)
    layout = spec.setdefault("layout", {})
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    chars = int((width - 2 * EXPORT_PAD) / CAPTION_CHAR_PX)
    lines = (_wrap(meta["note"], chars) if meta.get("note") else []) + _wrap(caption, chars)
    caption_px = CAPTION_LINE_PX * len(lines) + 16
    margin = dict(layout.get("margin") or {})
    bottom = int(margin.get("b", 80))
    margin["b"] = bottom + caption_px
    from dashboard.charts import TITLE_LINE_PX, TITLE_SIZE, wrap_title

    title_lines = wrap_title(title, int((width - 2 * EXPORT_PAD) / TITLE_CHAR_PX))
    screen_top = int(margin.get("t", 80))
    if "title" in meta:
        # Drawn on the page, not in the figure: room for all its lines above the plot.
        top = screen_top + TITLE_TOP + TITLE_LINE_PX * len(title_lines)
    else:
        # A figure that draws its own title (a map image): its lines past the first.
        top = max(screen_top + TITLE_LINE_PX * (len(title_lines) - 1), 80)
    margin["t"] = top
    layout["margin"] = margin
    title_spec = dict(layout.get("title") or {})
    title_spec["text"] = "<br>".join(title_lines)
    title_spec.setdefault("x", 0.01)
    title_spec.setdefault("xanchor", "left")
    title_spec.setdefault("font", {"size": TITLE_SIZE})  # TITLE_CHAR_PX is measured at this size
    layout["title"] = title_spec
    base_height = int(height or layout.get("height") or EXPORT_HEIGHT)
    layout["height"] = base_height + caption_px + (top - screen_top if "title" in meta else 0)
    layout["width"] = width
    # The title from the top (plotly centres it in the top margin, where a legend of two
    # rows above the plot ran over it); fit() makes room for such a legend.
    # (Its middle: plotly places a title of several lines by its middle, not its top.)
    title_spec.update(yref="container", y=_title_y(len(title_lines), layout["height"]), yanchor="middle")
    layout["meta"] = {**meta, "export_title_lines": len(title_lines)}
    annotations = list(layout.get("annotations") or [])
    # The caption from the picture's left edge, as the title (its lines are wrapped for the
    # whole width). Annotations are placed in the plot's coordinates ("paper"), whose left
    # edge the axes' labels move: here from the margins, refined by to_image.
    annotations.append(
        {
            "text": "<br>".join(lines),
            "name": CAPTION_NAME,
            "xref": "paper",
            "yref": "paper",
            "x": _paper_x(EXPORT_PAD, int(margin.get("l", 80)), width - int(margin.get("l", 80))
                          - int(margin.get("r", 80))),
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


CAPTION_NAME = "lagesbild-caption"
# The plot area as plotly draws it: the clip rectangle of the x/y subplot (x, width).
_PLOT_AREA = re.compile(r'class="axesclip" id="clip[0-9a-zA-Z_-]*xy"><rect x="([-\d.]+)" y="([-\d.]+)" '
                        r'width="([\d.]+)" height="([\d.]+)"')
# The legend as drawn: its group's position and its background's size.
_LEGEND = re.compile(r'<g class="legend"[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"><rect class="bg"([^>]*)>')


def _title_y(lines: int, height: float) -> float:
    """The container y of the middle of a title of ``lines`` lines, TITLE_TOP under the top."""
    from dashboard.charts import TITLE_LINE_PX

    return 1 - (TITLE_TOP + TITLE_LINE_PX * lines / 2) / height


def _paper_x(px: float, plot_left: float, plot_width: float) -> float:
    """The paper coordinate of ``px`` from the picture's left edge."""
    return (px - plot_left) / max(1.0, plot_width)


def fit(spec: dict, svg: bytes) -> dict:
    """``spec`` fitted to what ``svg`` (a render of it) shows. Changes ``spec`` and
    returns it.

    - The caption moves to the picture's left edge for the plot area drawn: the axes'
      labels move the plot's left edge, from which annotations are placed (a figure
      without x/y axes keeps its margins' place).
    - A legend above the plot that reaches up to the title moves down, with the plot, by
      as much as it needs; the picture grows, the plot keeps its size.
    - A plot lower than its y axis's title (written upwards along it) grows to its length:
      the scatter of measures against outcomes, 460 px tall, ran its axis title up into
      the chart's title.
    """
    from dashboard.charts import TITLE_LINE_PX

    text = svg.decode("utf-8", "replace")
    layout = spec["layout"]
    title_lines = int((layout.get("meta") or {}).get("export_title_lines", 1))
    found = _PLOT_AREA.search(text)
    plot_top = None
    if found:
        left, plot_top, plot_width, plot_height = (float(found.group(i)) for i in (1, 2, 3, 4))
        for note in layout.get("annotations", []):
            if note.get("name") == CAPTION_NAME:
                note["x"] = _paper_x(EXPORT_PAD, left, plot_width)
        axis_title = ((layout.get("yaxis") or {}).get("title") or {}).get("text") or ""
        longest = max((len(re.sub(r"<[^>]+>", "", line)) for line in axis_title.split("<br>")), default=0)
        if longest * AXIS_TITLE_CHAR_PX > plot_height:
            layout["height"] = int(layout["height"]) + int(longest * AXIS_TITLE_CHAR_PX - plot_height) + 1
    legend = _LEGEND.search(text)
    if legend:
        legend_top = float(legend.group(2))
        height_attr = re.search(r'height="([\d.]+)"', legend.group(3))
        legend_height = float(height_attr.group(1)) if height_attr else 0.0
        title_bottom = TITLE_TOP + TITLE_LINE_PX * title_lines
        top = int(layout["margin"].get("t", 80))
        # Only a legend above the plot (a map's stands beside it). Its bottom is the plot's
        # top, which plotly moves down past the margin when the legend is taller than the
        # margin leaves room for (Åtgärder's five statuses in two rows ran into the title:
        # compared with the margin alone, such a legend was taken for one beside the plot).
        above = max(float(top), plot_top) if plot_top is not None else float(top)
        if legend_top + legend_height <= above + 1 and legend_top < title_bottom + TITLE_GAP:
            more = int(round(title_bottom + TITLE_GAP - legend_top))
            new_top = int(round(above)) + more
            layout["margin"] = {**layout["margin"], "t": new_top}
            layout["height"] = int(layout["height"]) + new_top - top
    layout["title"] = {**layout["title"], "y": _title_y(title_lines, layout["height"])}
    return spec


def to_image(
    fig, fmt_: str, *, title: str, caption: str, width: int = EXPORT_WIDTH, scale: float | None = None
) -> bytes:
    """``png`` (2x scale for print) or ``svg`` bytes of the figure with title and caption.
    Rendered twice: an SVG first to measure where the axes put the plot and how tall the
    legend is (:func:`fit`), then the picture (a render in the warm browser costs tens of
    ms)."""
    if fmt_ not in ("png", "svg"):
        raise ValueError(f"okänt bildformat {fmt_!r}: png eller svg")
    spec = export_figure(fig, title=title, caption=caption, width=width)
    layout = spec["layout"]
    fit(spec, renderer().render(spec, "svg", layout["width"], layout["height"], 1.0))
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
    fig_caption: str | None = None,
) -> None:
    """Download buttons for a chart and/or table: PNG, SVG (if ``fig``), XLSX, CSV (if ``df``).

    ``fig_caption`` replaces ``caption`` in the images, when the chart holds less than the
    table (counts only, where the table has rates per inhabitant too: its "Källa" then
    names no population).

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
        image_caption = caption if fig_caption is None else fig_caption
        buttons += [
            (
                "PNG",
                f"{base}.png",
                "image/png",
                _lazy(lambda: to_image(make_fig(), "png", title=title, caption=image_caption)),
            ),
            (
                "SVG",
                f"{base}.svg",
                "image/svg+xml",
                _lazy(lambda: to_image(make_fig(), "svg", title=title, caption=image_caption)),
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
