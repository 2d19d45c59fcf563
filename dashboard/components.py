"""Small shared page parts: the data note every page ends with, headers, empty states."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

import streamlit as st

from dashboard import filters, queries
from dashboard import formatting as fmt

DEMO_TEXT = "Demodata – syntetiska siffror"


def data_note_text(status: dict, *, sources: Iterable[str] | None = None, suppressed: int | None = 0,
                   notes: Iterable[str] = ()) -> list[str]:
    """The lines of a page's data note (see :func:`data_note`)."""
    lines = []
    if status.get("demo"):
        lines.append(f"**{DEMO_TEXT}.** Inga verkliga händelser, personer eller planer.")
    shown_sources = list(sources) if sources is not None else status.get("sources", [])
    if shown_sources:
        lines.append("Källor: " + "; ".join(shown_sources) + ".")
    through = status.get("through", {})
    if through:
        lines.append("Data t.o.m.: " + ", ".join(f"{k} {fmt.date(v)}" for k, v in through.items() if v) + ".")
    if suppressed is not None:
        from dashboard.suppression import threshold  # numpy and pandas: not before the first title

        t = threshold()
        if suppressed:
            lines.append(f"Röjandeskydd: {fmt.integer(suppressed)} "
                         f"{'värde är dolt' if suppressed == 1 else 'värden är dolda'} på sidan "
                         f"(visas som ”{fmt.SUPPRESSED}”; antal från 1 till {t - 1} visas aldrig).")
        else:
            lines.append(f"Röjandeskydd: inga värden är dolda på sidan (antal personer från 1 till {t - 1} "
                         f"skulle visas som ”{fmt.SUPPRESSED}”).")
    lines += [n for n in notes if n]
    return lines


def data_note(*, sources: Iterable[str] | None = None, suppressed: int | None = 0,
              notes: Iterable[str] = ()) -> None:
    """State the page's data: sources, "data t.o.m." per kind of data, demo data, and how
    many values the page suppressed (``None`` when the page shows no person-level data)."""
    status = queries.data_status()
    with st.container(border=True, key="data_note"):
        st.markdown("**Om uppgifterna**")
        for line in data_note_text(status, sources=sources, suppressed=suppressed, notes=notes):
            st.caption(line)


def demo_badge() -> None:
    """A visible badge at the top of a page when the database holds demo data."""
    if queries.data_status().get("demo"):
        st.badge(DEMO_TEXT, icon=":material/science:", color="orange")


# Said under the header of a page the incident types do not filter, when some are chosen.
TYPES_NOT_USED = "Händelsetyperna i urvalet gäller inte den här sidan."


def page_header(title: str, sel, *, types: bool = True, later: bool = False):
    """The page title, the demo badge and the selection in one line; ``types=False`` on
    pages the incident types do not filter (their line leaves the types out and says so
    when some are chosen, so nobody reads the page as filtered by them).
    ``later=True``: the line is left to the page, which knows what it shows only after a
    widget below the header (Jämförelse's measure): the returned placeholder takes it
    (``placeholder.caption(line)``)."""
    st.title(title)
    demo_badge()
    if later:
        return st.empty()
    line = sel.describe(types=types)
    if not types and sel.incident_types:
        line += f". {TYPES_NOT_USED}"
    st.caption(line)
    return None


HEADLINE_HELP = {
    "skjutningar": "Skottlossningar (händelsetypen skottlossning).",
    "explosioner": "Explosioner och detonationer (händelsetypen explosion).",
    "våld": "Mord/dråp, våldsbrott, rån och hot.",
}


def count_delta(now, before) -> str | None:
    """'+12 (+8,5 %)' or '−3 (−2,1 %)' for a count against the year before, with the minus
    sign (U+2212) the tables use; None when there is no comparison. Give st.metric
    :func:`delta_look` with it: Streamlit reads only a hyphen-minus as a fall."""
    if fmt.is_missing(before) or fmt.is_missing(now):
        return None
    diff = int(now) - int(before)
    text = fmt.change(diff, 0, unit="")
    if diff == 0:
        text = "±0"
    if int(before) > 0:
        text += f" ({fmt.change(diff / int(before) * 100, 1)})"
    return text.replace("-", fmt.MINUS)


def points_delta(now, before) -> str | None:
    """A change of a share in percentage points: '+2,0 p.e.', '−1,5 p.e.'; None when either is missing."""
    if fmt.is_missing(before) or fmt.is_missing(now):
        return None
    return fmt.change((float(now) - float(before)) * 100, 1, unit="p.e.").replace("-", fmt.MINUS)


# st.metric's colours for a rise and a fall by its delta_color ("off": grey either way).
_DELTA_COLOURS = {"normal": ("green", "red"), "inverse": ("red", "green"), "off": ("off", "off")}


def delta_look(delta: str | None, colour: str = "normal") -> dict:
    """st.metric's ``delta_color`` and ``delta_arrow`` for a delta text from
    :func:`count_delta` or :func:`points_delta`: the arrow and colour follow its sign,
    "−" (U+2212) as a fall (Streamlit reads only a hyphen-minus so, and drew "−3" as a
    green rise), ``colour`` as st.metric's "normal", "inverse" or "off"; no change ("±0")
    grey without an arrow."""
    if delta is None:
        return {"delta_color": colour}
    falling = delta.startswith(("-", fmt.MINUS))
    if not falling and not delta.startswith("+"):
        return {"delta_color": "off", "delta_arrow": "off"}
    rise, fall = _DELTA_COLOURS[colour]
    return {"delta_color": fall if falling else rise, "delta_arrow": "down" if falling else "up"}


# What an export of figures that count no persons says in place of the disclosure rule
# (exports.caption(unprotected=…); docs/disclosure.md). Åtgärder's page says the same.
INCIDENTS_UNPROTECTED = "Händelser räknas, inte personer: antalen visas utan röjandeskydd."
# A table's column saying whether a change a year on is within chance (Jämförelse, Karta):
# charts.change_within_chance, the exact test of the two counts.
CHANCE_COLUMN = "Inom slumpen"
CHANCE_COLUMN_HELP = ("Inom slumpens variation: ”ja” när förändringen mot ett år tidigare kan vara slump (exakt test "
                      "av de två antalen, 5 %-nivån), ”nej” när den är större än slumpen förklarar.")
MEASURES_UNPROTECTED = ("Åtgärder räknas, inte personer: antalen här röjer ingen enskild och visas utan "
                        "röjandeskydd.")
STATISTICS_UNPROTECTED = "Officiell statistik (Kolada, Brå), visad som källan publicerar den, utan röjandeskydd här."


# Workbooks an export's "Källa" names one by one; more are counted, and the first named.
WORKBOOKS_NAMED = 3


def _listed(items: list[str]) -> str:
    """'a', 'a och b', 'a, b och c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def source_text(kinds, *, workbooks=None) -> str:
    """An export's "Källa": the sources of the kinds of data it holds (``kinds``, see
    queries.sources) as the database records them, then the action plans' ``workbooks``
    (measures.workbooks) when it holds measures, and "Demodata – …" around them for the
    demo: "händelser: Polisen (polisen.se); befolkning: SCB", never every source loaded."""
    status = queries.data_status()
    parts = queries.sources(kinds)
    if workbooks is not None:
        files = list(workbooks)
        if len(files) > WORKBOOKS_NAMED:
            parts.append(f"åtgärdsplaner: {fmt.integer(len(files))} arbetsböcker, bl.a. "
                         f"{_listed(files[:WORKBOOKS_NAMED])}")
        else:
            parts.append(f"åtgärdsplaner: {_listed(files)}" if files else "åtgärdsplaner")
    text = "; ".join(parts)
    if status.get("demo"):
        return f"{DEMO_TEXT} ({text})" if text else DEMO_TEXT
    return text or "Lägesbild"


def export_caption(sel, *, suppressed: int | None = 0, data: str = "händelser", notes=(), types: bool = True,
                   contents: str | None = None, unprotected: str | None = None, sources=None,
                   workbooks=None, source: str | None = None, dated: str | None = None) -> str:
    """The caption for a chart or table export from this selection; its "data t.o.m." is
    that of ``data`` (a key of data_status()["through"]: "händelser", "rekryteringssignaler"),
    followed by the page's ``notes`` about the figures (None entries are skipped).
    ``suppressed``: how many values the export hides, for person-level figures (the
    caption states the disclosure rule), None when it holds none; ``unprotected`` says
    which figures count no persons and are shown without suppression (e.g.
    INCIDENTS_UNPROTECTED).
    ``types=False`` leaves the incident types out (figures they do not filter).
    ``contents`` says what the export holds instead of the sidebar's "Urval: …", for a
    page whose tables the sidebar does not choose (the Data page); ``sel`` is then unused.
    ``sources``: the kinds of data the export holds (default ``data`` alone; add
    "befolkning" for rates per inhabitant), named in "Källa" with the sources the database
    records for them (source_text), with the action plans' ``workbooks`` for measures;
    ``source`` names another source instead (the Data page's own tables); ``dated`` replaces
    the "data t.o.m." for an export the data's last day does not date (exports.caption)."""
    status = queries.data_status()
    through = status["through"].get(data)
    if source is None:
        source = source_text((data,) if sources is None else sources, workbooks=workbooks)
    elif status.get("demo"):
        source = f"{DEMO_TEXT} ({source})"
    from dashboard import exports

    if contents is not None:
        return exports.caption(contents=contents, source=source, data_until=through, suppressed=suppressed,
                               unprotected=unprotected, notes=notes, dated=dated)
    return exports.caption(filters=sel.describe(types=types), source=source, data_until=through, suppressed=suppressed,
                           unprotected=unprotected, notes=notes)


def file_name(title: str, sel, *, period: str | None = None) -> str:
    """A download's file name from its title and the selection's months:
    ``handelser-per-manad-stockholms-lan-2026-01-2026-03``. Downloads for other periods
    then neither overwrite each other nor need opening to tell apart; the months are kept
    whole when a long title is shortened to exports.safe_filename's length. ``period``
    names another period instead of the months (Åtgärder's plan years, "2024–2025")."""
    from dashboard import exports

    months = (exports.safe_filename(period) if period is not None
              else f"{fmt.month(sel.start, 'iso')}-{fmt.month(sel.end, 'iso')}")
    # safe_filename keeps 80 characters: shorten the title, never the months.
    head = exports.safe_filename(title)[:80 - len(months) - 1].rstrip("-")
    return f"{head}-{months}"


def tab_sections(sections: dict[str, Callable[[], object]], *, key: str):
    """A page's sections as tabs of which only the chosen one runs (Streamlit's lazy tabs:
    a tab's ``.open`` is True for the chosen one alone), so a new area, level or period
    computes one section's queries, figures and exports (issue 6). The chosen tab is in
    the URL as ``key`` (the first is left out), so a shared link opens it; an unknown
    label opens the first. Returns what the open section's function returned. Widgets in
    a closed tab lose their values unless bound to the URL or given persist_state="page"."""
    result = None
    for tab, show in zip(st.tabs(list(sections), key=key, bind="query-params"), sections.values(), strict=True):
        if tab.open:
            with tab:
                result = show()
    return result


def chart(fig, *, key: str, note: bool = True) -> None:
    """A figure from dashboard.charts with its title above it and its note under it as
    the page's own text, which wraps at the chart's width: plotly wraps neither, and a
    title or note drawn in the figure was cut in a narrow window. ``note=False`` when the
    page says the note in its own words. The PNG/SVG draw both into the image
    (exports.export_figure)."""
    import html

    from dashboard import exports

    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    if meta.get("title"):
        st.html(f'<div class="lagesbild-chart-title" style="font-weight:600;font-size:1.1rem;line-height:1.35">'
                f"{html.escape(meta['title'])}</div>")
    st.plotly_chart(fig, config=exports.plotly_config(), key=key)
    if note and meta.get("note"):
        st.caption(meta["note"])


# Said where a map should be when the browser cannot draw it: the maps are drawn with WebGL 2
# (deck.gl), which a browser may lack or have turned off (a setting, an organisation's policy,
# a remote desktop without a graphics card); the map was then an empty white box. The check
# runs in the browser (the server cannot know); the text is shown only when it fails.
NO_WEBGL = "Kartan kan inte ritas här: webbläsaren saknar WebGL eller har det avstängt."
_WEBGL_CHECK = """<div class="lagesbild-no-webgl" role="alert" hidden
 style="padding:0.75rem 1rem;margin-bottom:0.75rem;border-radius:0.5rem;background:#FFF4E5;color:#5F3B00;line-height:1.5">{text}</div>
<script>
(() => {{
  let gl = null;
  try {{ gl = document.createElement("canvas").getContext("webgl2"); }} catch (e) {{ gl = null; }}
  if (gl) {{ const lose = gl.getExtension("WEBGL_lose_context"); if (lose) lose.loseContext(); return; }}
  document.querySelectorAll(".lagesbild-no-webgl").forEach((el) => {{ el.hidden = false; }});
}})();
</script>"""


def webgl_notice(text: str = "") -> str:
    """HTML for a notice (``NO_WEBGL`` and ``text``, what to use instead) that only a
    browser without WebGL 2 shows; elsewhere it stays hidden. Its script is this module's
    own constant, with no user input in it (``st.html(..., unsafe_allow_javascript=True)``)."""
    import html

    return _WEBGL_CHECK.format(text=html.escape(f"{NO_WEBGL} {text}".strip()))


def dataframe(table, *, column_config: dict | None = None, **kwargs):
    """``st.dataframe`` of a table from :func:`formatting.display_arrow`, its number columns
    right-aligned and sorted as numbers when a header is clicked, keeping the width, label
    and help the page gives them; a missing date shows "–" as every other missing value does.
    Returns what ``st.dataframe`` returns.

    The grid sorts a column by its values: as texts, "1 234" came before "987". A number
    column is therefore given the numbers its texts show (:func:`formatting.shown_numbers`)
    and shown with those texts (a pandas Styler's display values, which the grid draws
    while it sorts by the numbers): "1 234", "−3", "+12,5 %", and ".." for a hidden value
    apart from "–" for a missing one, both sorting below every number (together at one
    end). A column of plain numbers 0–999 needs no texts of its own: the grid draws them
    as we do, and the table stays Arrow (no Styler to compute on every rerun).

    A screen reader reads the grid's accessible table, which holds the numbers the grid
    sorts by ("1234.5", "-Infinity" for ".." and "–"), not the texts drawn: Streamlit
    1.67's grid reads and sorts a cell by one value, and the Styler's texts are only
    drawn. None for a hidden value would read as an empty cell but draw "–" and sort as
    0; docs/exports.md ("What a screen reader reads") has what was tried.

    With the sidebar's "Tabeller för skärmläsare" on (filters.screen_reader_tables) the
    table is sent as its texts instead, number columns right-aligned text columns and a
    missing date "–", so the accessible table holds what the screen shows ("1 234", "..",
    "–") and a heading click sorts as text."""
    config = dict(column_config or {})
    readable = filters.screen_reader_tables()
    if readable:
        data, numbers = _readable(table), frozenset()
        for header, given in config.items():  # a page's date column (DateColumn) is text here
            if isinstance(given, dict) and (given.get("type_config") or {}).get("type") not in (None, "text"):
                config[header] = {**given, "type_config": st.column_config.TextColumn()["type_config"]}
    else:
        data, numbers = _sortable(table)
    for header in fmt.numeric_headers(table):
        given = config.get(header)
        if isinstance(given, str):  # a label alone
            given = st.column_config.TextColumn(given)
        given = dict(given or {})
        if header not in numbers:  # a text that is no number: the column stays text
            config[header] = {**st.column_config.TextColumn(), **given, "alignment": "right"}
            continue
        given.pop("type_config", None)
        config[header] = {**st.column_config.NumberColumn(), **{k: v for k, v in given.items() if v is not None},
                          "alignment": "right"}
    return st.dataframe(data, column_config=config or None, placeholder=fmt.MISSING, **kwargs)


def _readable(table):
    """``table`` as the texts shown, for a screen reader (:func:`dataframe`): its date
    columns (ISO dates, null when missing) as texts, a missing one "–", as every other
    missing value; text columns as they are. A date read as text still sorts by time."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, field in enumerate(table.schema):
        if pa.types.is_date(field.type):
            column = table.column(i)
            texts = pc.if_else(pc.is_null(column), fmt.MISSING, pc.cast(column, pa.string()))
            table = table.set_column(i, pa.field(field.name, pa.string(), metadata=field.metadata), texts)
    return table


def _plain(texts: list[str]) -> bool:
    """Whether the grid draws these numbers as the texts say without help: whole numbers
    0–999 (no thousands separator, sign, decimals, percent, hidden or missing value)."""
    return all(t.isdigit() and len(t) <= 3 for t in texts)


def _sortable(table):
    """``table`` with its number columns as numbers (a pandas Styler showing their texts
    when one needs them, see :func:`dataframe`), and the headers of those columns.

    Made once per table: display_arrow returns the same Arrow table while its content is
    the same, so a rerun finds what it made (reading the texts and setting up the Styler
    cost ~10 ms for 290 kommuner; the Styler itself is only read when Streamlit draws it)."""
    with _SORTABLE_LOCK:
        hit = _SORTABLE.get(id(table))
        if hit is not None and hit[0] is table:
            _SORTABLE.move_to_end(id(table))
            return hit[1], hit[2]
    import pyarrow as pa

    source, shown, numbers = table, {}, set()
    for header in fmt.numeric_headers(source):
        texts = source.column(header).to_pylist()
        values = fmt.shown_numbers(texts)
        if values is None:
            continue
        numbers.add(header)
        i = table.schema.get_field_index(header)
        if _plain(texts):
            table = table.set_column(i, header, pa.array([int(v) for v in values], type=pa.int64()))
        else:
            table = table.set_column(i, header, pa.array(values, type=pa.float64()))
            shown[header] = texts
    data = table
    if shown:
        frame = table.to_pandas()
        data = frame.style
        for header, texts in shown.items():
            # Equal numbers show equal texts in a column; only the two that sort first differ.
            text_of = {v: t for v, t in zip(frame[header].tolist(), texts, strict=True) if v != fmt.SORTS_FIRST}
            data.format(lambda v, text_of=text_of: text_of.get(v, fmt.MISSING), subset=[header])
            hidden = [r for r, t in enumerate(texts) if t == fmt.SUPPRESSED]
            if hidden:
                data.format(lambda v: fmt.SUPPRESSED, subset=(hidden, [header]))
    with _SORTABLE_LOCK:
        _SORTABLE[id(source)] = (source, data, frozenset(numbers))  # the table kept: its id stays its own
        while len(_SORTABLE) > _SORTABLE_MAX:
            _SORTABLE.popitem(last=False)
    return data, frozenset(numbers)


_SORTABLE: OrderedDict[int, tuple] = OrderedDict()
_SORTABLE_MAX = 128
_SORTABLE_LOCK = threading.Lock()


def show_deck(deck, legend_title: str, *, key: str, height: int = 560, on_select=None, beside: bool = False,
              heading: str | None = None, hint: str | None = None, fallback: str = ""):
    """Draw a pydeck map with its legend and alt text; returns the selection state when
    ``on_select`` is given (a callback or "rerun").

    ``beside=True`` puts the legend in a narrow column to the right of the map, under
    ``heading`` (markdown: what the map shows) and over ``hint`` (a caption), so that a map
    of ``height`` pixels and its legend fit on one screen (at 1366 × 768 the legend under
    a 560 px map was below the fold). Over the legend, a browser that cannot draw the map
    (no WebGL) says so, and ``fallback``: what to use instead (:func:`webgl_notice`)."""
    from dashboard import maps

    legend = getattr(deck, "legend", None) or getattr(deck, "lagesbild_legend", None) or []
    alt = getattr(deck, "alt", None) or getattr(deck, "lagesbild_alt", None) or legend_title
    kwargs = {"height": height, "key": key, "alt": alt}
    if on_select is not None:
        kwargs.update(on_select=on_select, selection_mode="single-object")
    # The notice and the legend in one element: a hidden element of its own still took a
    # row's gap on every map.
    title = "" if beside and heading else legend_title
    body = webgl_notice(fallback) + (maps.legend_html(title, legend, vertical=beside) if legend else "")
    if not beside:
        state = st.pydeck_chart(deck, **kwargs)
        st.html(body, unsafe_allow_javascript=True)
        return state
    map_column, side = st.columns([4, 1], gap="small")
    with map_column:
        state = st.pydeck_chart(deck, **kwargs)
    with side:
        if heading:
            st.markdown(heading)
        st.html(body, unsafe_allow_javascript=True)
        if hint:
            st.caption(hint)
    return state
