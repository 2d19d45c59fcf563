"""Regional jämförelse (Brå-style follow-up): the areas of one level side by side on one
indicator with rank and uncertainty, the change against the same months a year earlier,
indexed trends for an area and its most similar areas, and measure completion beside
the outcome."""

import streamlit as st

from dashboard import charts, components, exports
from dashboard import formatting as fmt
from dashboard.filters import current_selection
from dashboard.queries import comparison as cq
from dashboard.queries import geo, incidents
from dashboard.queries import measures as mq
from dashboard.queries import signals as signal_queries

BAR_LIMIT = 30
# Said in the header when incident types are chosen and the measure is not filtered by them.
TYPES_NOT_USED_BY_MEASURE = "Händelsetyperna i urvalet gäller inte måttet."


def yearly_index(trend, base: int, title: str, what: str):
    """The indexed yearly trend with year ticks and hover labels."""
    return charts.indexed_trend(trend, "date", "value", "name", base_year=base, title=title, y_label=what,
                                yearly=True)


def value_bars(df, *, title: str, value_title: str, highlight: str | None):
    """Ranked horizontal bars of a value without counts (no interval can be drawn)."""
    data = df[df["value"].notna()].sort_values("value")
    trace = {"type": "bar", "orientation": "h", "y": data["name"].tolist(), "x": data["value"].astype(float).tolist(),
             "marker": {"color": ["#D55E00" if n == highlight else "#0072B2" for n in data["name"]]},
             "customdata": [fmt.number(v, 1) for v in data["value"]],
             "hovertemplate": "<b>%{y}</b><br>" + value_title + ": %{customdata}<extra></extra>"}
    alt = (f"Liggande staplar som rangordnar {len(data)} områden efter {value_title.lower()}"
           + (f": högst {data['name'].iat[-1]}, lägst {data['name'].iat[0]}." if len(data) else "."))
    lay = charts.layout(title=title, alt=alt, show_legend=False, height=max(340, 150 + 30 * len(data)),
                        xaxis={"title": {"text": value_title}, "rangemode": "tozero"},
                        yaxis={"title": {"text": ""}, "type": "category", "gridcolor": "rgba(0,0,0,0)"})
    return charts.figure([trace], lay)


INTERVAL = "95 % intervall"
CHANCE = components.CHANCE_COLUMN
# The similar areas' table on screen: short headings and narrow number columns, the full
# wording (the keys) as each column's help, so the table fits the 466 px an 800 px window
# gives the page with the sidebar open ("Västra Götalands län" whole beside the numbers).
SIMILAR_HEADINGS = {
    "Invånare": st.column_config.TextColumn(width=72, help="Invånare: befolkningen 31 december."),
    "Andel 12–17 år": st.column_config.TextColumn(
        "12–17 år", width=66, help="Andel 12–17 år: andelen av invånarna som är 12–17 år."),
    "Invånare per km²": st.column_config.TextColumn("Per km²", width=72, help="Invånare per km²."),
    "Avstånd (0 = samma)": st.column_config.TextColumn(
        "Avstånd", width=66, help="Avstånd (0 = samma): hur olika området är det valda i de tre måtten; "
                                  "0 är det valda området självt."),
}


def with_interval(shown):
    """The comparison's table with the value's 95 % interval as one text, "18,2–24,2" ("–"
    where there is none: a hidden or missing count)."""
    texts = [fmt.MISSING if fmt.is_missing(lo) or fmt.is_missing(hi) else f"{fmt.number(lo, 1)}–{fmt.number(hi, 1)}"
             for lo, hi in zip(shown["low"].tolist(), shown["high"].tolist(), strict=True)]
    return shown.assign(interval=texts)


def table_help(indicator, what: str) -> dict:
    """The side-by-side table's headers said in full (the help under each header's "?")."""
    change = cq.change_label(indicator).replace(" (%)", "")
    return {
        "Värde": st.column_config.TextColumn(help=f"{what}, {indicator.unit}."),
        # Text (two numbers), right-aligned as the numbers beside it.
        INTERVAL: st.column_config.TextColumn(alignment="right",
                                              help="95 % konfidensintervall för värdet (exakt, Poisson): från–till. "
                                                   "Exporten har gränserna i två kolumner."),
        "Antal året innan": st.column_config.TextColumn(help="Antalet samma månader ett år tidigare."),
        "Värde året innan": st.column_config.TextColumn(help="Värdet samma månader ett år tidigare."),
        cq.SHORT_CHANGE_LABEL: st.column_config.TextColumn(help=f"{change} mot året innan, i procent: värdets "
                                                                "förändring, inte antalets."),
        CHANCE: st.column_config.TextColumn(help=components.CHANCE_COLUMN_HELP),
    }


def completion_scatter(df, *, title: str, outcome: str, change_title: str = "Förändring mot året innan"):
    """Share of measures uppnådd or delvis uppnådd (x) against the outcome's change in
    percent (y, headed ``change_title``)."""
    data = df[df["change_pct"].notna() & ~df["change_pct_suppressed"]]
    if data.empty:
        return charts.empty_figure(title, "Inga områden med både åtgärdsplaner och jämförbart utfall.")
    chance = data["within_chance"].fillna(True).astype(bool)
    low, high = float(data["share_done"].min() * 100), float(data["share_done"].max() * 100)
    right = high - (high - low) * 0.25
    trace = {"type": "scatter", "mode": "markers+text", "x": (data["share_done"] * 100).tolist(),
             "y": data["change_pct"].astype(float).tolist(), "text": data["name"].tolist(),
             # Names near the right edge go to the left of their point, so none is cut off.
             "textposition": ["top left" if x > right else "top center" for x in data["share_done"] * 100],
             "cliponaxis": False, "textfont": {"size": 13},
             "marker": {"size": 12, "color": ["#999999" if c else "#0072B2" for c in chance],
                        "symbol": ["circle-open" if c else "circle" for c in chance], "line": {"width": 2}},
             "customdata": [[fmt.percent(x * 100, 0), fmt.change(y), "inom slumpens variation" if c else
                             "större än slumpen förklarar", fmt.integer(m)]
                            for x, y, c, m in zip(data["share_done"], data["change_pct"], chance, data["measures"],
                                                  strict=True)],
             "hovertemplate": "<b>%{text}</b><br>Uppnådda eller delvis: %{customdata[0]} av %{customdata[3]} "
                              "åtgärder<br>Förändring: %{customdata[1]} (%{customdata[2]})<extra></extra>"}
    alt = (f"Punktdiagram med {len(data)} områden: andel åtgärder uppnådda eller delvis uppnådda mot "
           f"förändringen i {outcome.lower()}. Ofyllda grå punkter är förändringar inom slumpens variation.")
    lay = charts.layout(title=title, alt=alt, show_legend=False, height=460,
                        note="Ofylld grå punkt: förändringen ligger inom slumpens variation.",
                        xaxis={"title": {"text": "Åtgärder uppnådda eller delvis uppnådda"}, "ticksuffix": "\u00a0%"},
                        yaxis={"title": {"text": change_title}, "ticksuffix": "\u00a0%"})
    return charts.figure([trace], lay)


sel = current_selection()
# The selection's line says what is compared, so it waits for the measure chosen below it:
# "· alla händelsetyper" stood above recruitment signals, which no incident type filters.
header_line = components.page_header("Regional jämförelse", sel, later=True)

# --- what to compare --------------------------------------------------------------------------
default_level = sel.area_level if sel.area_level in cq.LEVELS else "polisregion"
# A level the user has not chosen here follows the sidebar: the analyst who picks a län in
# the sidebar on this page compares län (or picks kommuner), not the polisregioner that
# were the whole country's default. A level chosen here stays when the area changes.
FOLLOWED = "_jmf_niva_default"
if (st.session_state.get(FOLLOWED) not in (None, default_level)
        and st.session_state.get("jmf_niva") == st.session_state[FOLLOWED]):
    st.session_state["jmf_niva"] = default_level
st.session_state[FOLLOWED] = default_level
c1, c2 = st.columns([1, 2])
level = c1.selectbox("Jämför på nivån", cq.LEVELS, index=cq.LEVELS.index(default_level),
                     format_func=geo.LEVEL_LABELS.get, key="jmf_niva", bind="query-params", placeholder="Välj nivå")
options = cq.indicators(level)


def measure_label(indicator) -> str:
    """'Händelser: våld (per 100 000 invånare)'; a label that ends in a parenthesis takes
    the unit inside it: 'Händelser (valda typer, per 100 000 invånare)'. With no incident
    types chosen the first measure counts them all, and says so ("valda typer" read as a
    filter the sidebar did not set)."""
    if indicator.label == URVAL_LABEL and not sel.incident_types:
        return f"Händelser (alla händelsetyper, {indicator.unit})"
    if indicator.label.endswith(")"):
        return f"{indicator.label[:-1]}, {indicator.unit})"
    return f"{indicator.label} ({indicator.unit})"


URVAL_LABEL = "Händelser (valda typer)"
# Streamlit 1.67 binds a selectbox to the URL by its shown label (SelectboxSerde.serialize)
# and drops a label it does not offer, choosing the first option. The only labels changed
# above, once 'Händelser (valda typer) (per 100 000 invånare)', and now 'Händelser (alla
# händelsetyper, …)' without types chosen, are that first option's, which a link never
# held (a bound widget's default is left out of the URL) and which an old or other label
# still chooses: shared links keep working.
indicator_id = c2.selectbox("Mått", list(options), format_func=lambda i: measure_label(options[i]),
                            key="jmf_matt", bind="query-params", placeholder="Välj mått")
indicator = options[indicator_id]
what = f"Händelser ({sel.types_label()})" if indicator_id == "incidents:urval" else indicator.label
header_line.caption(f"{sel.describe(types=False)} · {what}"
                    + (f". {TYPES_NOT_USED_BY_MEASURE}" if indicator_id != "incidents:urval" and sel.incident_types
                       else ""))
# What every export's "Värde" column is (said under the tables on screen).
VALUE_SENTENCE = f"Värde: {what[:1].lower()}{what[1:]}, {indicator.unit}."
scope = geo.scope(level, sel.area_level, sel.area_code)
cmp = cq.compare(sel, level, indicator_id, scope.codes)
table = cmp.table
plural = geo.LEVEL_PLURAL[level]
highlight_code = sel.area_code if sel.area_level == level else None
highlight = geo.area_name(highlight_code) if highlight_code else None
summary = cmp.summary
unplaced = incidents.unplaced_note(incidents.unplaced(sel, level), level) if indicator.kind == "incidents" else None
# Signals hidden because the period cuts a calendar year (each value is summed from the
# years' protected values): said, as on Översikt and Karta, where whole years show them.
years_note = export_years_note = None
if indicator.kind == "signals" and not table.empty:
    hidden_rows = table.loc[table["count_suppressed"].astype(bool) | table["count_prev_suppressed"].astype(bool),
                            "area_code"].tolist()
    years = signal_queries.years_revealing(sel, level, hidden_rows) if hidden_rows else None
    # This year's months hide more until it is whole (protected month by month).
    running = signal_queries.running_note(sel) if hidden_rows else None
    years_note = " ".join(n for n in (years and signal_queries.years_note(years), running) if n) or None
    # The exports say why, not what to choose: a report's reader has no Period to choose under.
    export_years_note = " ".join(n for n in (years and signal_queries.years_note(years, export=True),
                                             running and signal_queries.running_note(sel, export=True)) if n) or None


# The kinds of data behind each kind of measure ("Källa" of its exports): incidents and
# signals are rates per inhabitant (and per young person); Kolada and Brå publish their own.
INDICATOR_SOURCES = {"incidents": ("händelser", "befolkning"), "signals": ("rekryteringssignaler", "befolkning"),
                     "kolada": ("kolada",), "bra": ("bra",)}


def export_caption(hidden: int, *, measures: bool = False, whole_years: bool = False, workbooks=None,
                   lead: str | None = None) -> str:
    """The caption of one view's export, saying how many counts THAT export hides (each
    view's caption said the side-by-side table's number, whatever its own table hid).
    Only signals are under disclosure control; other measures say they are not.
    ``whole_years``: the view shows whole calendar years, which the note on periods that
    cut a year does not concern. ``workbooks``: the action plans' files, for measures.
    ``lead``: what this export alone needs said first (the bars' chart cut to the highest).
    Every export has a "Värde" column: the caption says what it is (per 100 000 invånare),
    as the page's text under the table does; in a report the header alone said nothing."""
    # Signals: their own "data t.o.m." (they often arrive later than incidents), and no
    # incident types in "Urval", which they are not filtered by.
    signals = indicator.kind == "signals"
    unprotected = [{"incidents": components.INCIDENTS_UNPROTECTED}.get(indicator.kind,
                                                                      components.STATISTICS_UNPROTECTED)
                   ] if not indicator.person_level else []
    unprotected += [components.MEASURES_UNPROTECTED] if measures else []
    return components.export_caption(sel, suppressed=hidden if indicator.person_level else None,
                                     unprotected=" ".join(unprotected) or None,
                                     notes=[lead, VALUE_SENTENCE, *cmp.notes, unplaced,
                                            export_years_note if hidden and not whole_years else None],
                                     data="rekryteringssignaler" if signals else "händelser",
                                     types=indicator.kind == "incidents", sources=INDICATOR_SOURCES[indicator.kind],
                                     workbooks=workbooks if measures else None)


# --- the three views, in tabs ------------------------------------------------------------------
# Only the chosen tab is computed (components.tab_sections): a new level, measure or area
# computes one view, not three (issue 6). The chosen tab is in the URL, so a shared link
# opens it. The choices inside a tab keep their values while another tab is shown
# (persist_state). Each view returns how many values it hides.


def show_side_by_side() -> int:
    """The areas ranked on the measure, and which changed more than chance explains."""
    st.subheader(f"{plural.capitalize()} sida vid sida")
    if cmp.no_values:
        # No month of the period has the source's data: said (with the months it has) instead
        # of an empty chart, an empty table and downloads of nothing, as Rekryteringssignaler does.
        st.info(cmp.no_values, icon=":material/event_busy:")
        return summary.suppressed
    compared = "" if cmp.no_change else f", jämfört med {cmp.previous}"
    st.caption(f"{scope.description[:1].upper()}{scope.description[1:]}, {cmp.period}{compared}. "
               + " ".join(cmp.notes))
    if unplaced:
        st.info(unplaced, icon=":material/location_off:")
    if years_note:
        st.info(years_note, icon=":material/calendar_month:")
    # Kommuner whose signals are recorded per lokalpolisområde (each covering other
    # kommuner too) have none of their own (the query layer says so): named as such, apart
    # from the hidden ones.
    per_lpo = indicator.kind == "signals" and level == "kommun"
    unrecorded = table["count_missing"].eq(signal_queries.PER_LPO)
    if per_lpo and unrecorded.any() and not table["value"].notna().any():
        # Not one bar to draw: say why and lead to the level the signals are recorded at,
        # instead of an empty chart and a table of "–".
        hidden = table.loc[table["count_suppressed"], "name"].tolist()
        st.info(f"Rekryteringssignaler registreras per lokalpolisområde. {int(unrecorded.sum())} av {len(table)} "
                f"{plural} här ingår i lokalpolisområden som också täcker andra kommuner och har inga egna siffror "
                "(–, inte 0)" + (f"; {', '.join(hidden)} döljs (..)" if hidden else "") + ". Inget värde kan visas "
                "per kommun: jämför lokalpolisområdena i stället.", icon=":material/location_off:")
        st.button("Jämför lokalpolisområden", on_click=st.session_state.update, kwargs={"jmf_niva": "lpo"},
                  key="jmf_to_lpo", type="primary")
        return summary.suppressed
    title = f"{what}, {scope.description}, {cmp.period}"
    chart_rows = table
    cut = None
    # Cut, and said so, only when more than BAR_LIMIT areas have a bar (hidden and missing ones
    # have none: with most kommuner's signals recorded per LPO, three bars stood under "de 30
    # högsta värdena").
    if table["rank"].notna().sum() > BAR_LIMIT:
        chart_rows = table[(table["rank"] <= BAR_LIMIT) | (table["area_code"] == highlight_code)
                           | table["rank"].isna()]
        # The picture says so too: pasted into a report it read as every area ranked.
        cut = (f"Diagrammet visar de {BAR_LIMIT} högsta värdena"
               + (f" (och {highlight})" if highlight_code and chart_rows["rank"].gt(BAR_LIMIT).any() else "")
               + f"; tabellen har alla {len(table)} {plural}.")
        st.caption(cut)
    if indicator.has_counts:
        fig = charts.remembered(charts.ranked_bars, chart_rows, "name", "count", population="population",
                                per=cmp.per, previous="count_prev", previous_population="population_prev",
                                title=title, value_title=f"{indicator.unit.capitalize()}", highlight=highlight,
                                missing_reason="count_missing", reason_labels=signal_queries.MISSING_LABELS)
    else:
        fig = charts.remembered(value_bars, chart_rows, title=title, value_title=what, highlight=highlight)
    components.chart(fig, key="jmf_bars")
    # The method (Poisson intervals, the chance test) is said once, in the data note at the end of
    # the page, which every tab shares; the chart's own note says what the bars' whiskers and "≈" mean.
    columns = {"rank": "Rang", "name": geo.LEVEL_LABELS[level], "count": "Antal", "value": "Värde",
               "low": "95 % intervall, från", "high": "95 % intervall, till", "count_prev": "Antal året innan",
               "value_prev": "Värde året innan", "change_pct": cq.change_label(indicator),
               "within_chance": "Inom slumpens variation"}
    if not indicator.has_counts:
        columns = {k: v for k, v in columns.items() if k not in ("count", "count_prev", "low", "high")}
    # On screen the table fits a 1280 px wide window without scrolling sideways (it took
    # 915 of 818 px): the interval is one column ("18,2–24,2"), the chance test and the
    # change have short headers, each header's help says it in full, and the caption below
    # says what the value is. The export keeps every column under its full header.
    view_columns = {k: v for k, v in {"rank": "Rang", "name": geo.LEVEL_LABELS[level], "count": "Antal",
                                      "value": "Värde", "interval": INTERVAL, "count_prev": "Antal året innan",
                                      "value_prev": "Värde året innan", "change_pct": cq.SHORT_CHANGE_LABEL,
                                      "within_chance": CHANCE}.items()
                    if k in columns or (k == "interval" and "low" in columns)}
    # Remembered by the comparison's identity: pickling the 21-column table to find it cost
    # a few milliseconds on every rerun.
    decimals = {"value": 1, "value_prev": 1, "change_pct": 1}
    components.dataframe(fmt.display_arrow(lambda: with_interval(summary.shown), view_columns, decimals=decimals,
                                           signed=["change_pct"], identity=cmp.identity),
                         hide_index=True, key="jmf_table", height=min(420, 38 + 35 * max(1, len(table))),
                         column_config={header: config for header, config in table_help(indicator, what).items()
                                        if header in view_columns.values()})
    st.caption(cq.value_note(what, indicator))
    # Named by the selection's months, kept whole (the title's period in words was cut mid-year).
    exports.download_buttons("jmf_bars_dl", fig=fig, df=table, title=title,
                             caption=export_caption(summary.suppressed, lead=cut),
                             filename=components.file_name(f"{what}, {scope.description}", sel), columns=columns)

    # Change against the same months a year earlier
    st.subheader("Förändring mot samma period ett år tidigare")
    if cmp.no_change:  # the months a year earlier have no data: nothing is tested against them
        st.info(cmp.no_change, icon=":material/event_busy:")
        return summary.suppressed
    up, down = summary.up, summary.down
    # One row that wraps (three columns cut the labels to "Ökat mer än slu…" in an 800 px window).
    cards = st.container(horizontal=True, gap="small", key="jmf_cards")
    cards.metric("Ökat mer än slumpen förklarar", fmt.integer(len(up)), border=True)
    cards.metric("Minskat mer än slumpen förklarar", fmt.integer(len(down)), border=True)
    cards.metric("Inom slumpens variation", fmt.integer(summary.known - summary.beyond), border=True)
    if up:
        st.text("Ökat: " + ", ".join(up))
    if down:
        st.text("Minskat: " + ", ".join(down))
    if not summary.known:
        st.caption("Ingen förändring kan prövas för måttet (antal eller befolkning saknas, eller antalen är "
                   "dolda).")
    else:
        st.caption(f"{cmp.period} jämfört med {cmp.previous} (”året innan” i tabellerna).")
    return summary.suppressed


def show_similar() -> int:
    """The chosen area and its most similar areas: who they are, and their indexed trends."""
    st.subheader("Jämför med liknande områden")
    names = geo.names(level)
    codes_sorted = sorted(names, key=names.get)
    default_code = highlight_code or (table["area_code"].iat[0] if not table.empty else codes_sorted[0])
    s1, s2, s3 = st.columns([2, 1, 1])
    # The three choices are in the URL as the sidebar's filters are (by what they show:
    # ?jmf_omrade_kommun=Haninge&jmf_k=3&jmf_basar=2022), so a shared link restores the
    # view; the area's parameter is per level, as its options are.
    chosen = s1.selectbox(f"{geo.LEVEL_LABELS[level]} att jämföra", codes_sorted,
                          index=codes_sorted.index(default_code), format_func=names.get, key=f"jmf_omrade_{level}",
                          bind="query-params", persist_state="page", placeholder="Välj område")
    k = s2.number_input("Antal liknande", min_value=1, max_value=10, value=5, key="jmf_k", bind="query-params",
                        persist_state="page")
    similar = cq.similar(level, chosen, int(k), sel.end.year)
    trend = cq.yearly(sel, level, indicator_id, tuple(similar["area_code"]))
    years = sorted(trend.loc[trend["value"].notna(), "year"].unique().tolist())
    if years:
        # The default base year is one where the chosen area has a value above 0, so its
        # line is drawn; any other base year that leaves a line out says why under the chart.
        base = s3.selectbox("Basår (= 100)", years, index=years.index(cq.default_base_year(trend, chosen)),
                            key="jmf_basar", bind="query-params", persist_state="page",
                            placeholder="Välj år")
    st.caption(cq.SIMILAR_NOTE)
    similar_columns = {"name": geo.LEVEL_LABELS[level], "population": "Invånare",
                       "share_12_17": "Andel 12–17 år", "density": "Invånare per km²",
                       "distance": "Avstånd (0 = samma)"}
    # Short headings and narrow number columns, the full wording as each column's help: with
    # the full headings the table took 553 px of the 466 an 800 px window gives the page.
    components.dataframe(fmt.display_arrow(similar, similar_columns,
                                           decimals={"population": 0, "density": 1, "distance": 2},
                                           share=["share_12_17"]), hide_index=True, key="jmf_similar",
                         column_config=SIMILAR_HEADINGS)
    if years:
        title = f"{what}, index ({base} = 100): {names[chosen]} och liknande {plural}"
        fig = charts.remembered(yearly_index, trend, int(base), title, what)
        components.chart(fig, key="jmf_index")
        if indicator.kind == "incidents":
            st.caption(f"Varje år är samma månader som den valda perioden ({cmp.period}) flyttad hela år "
                       "bakåt.")
        elif indicator.kind == "signals":
            st.caption("Hela kalenderår; ett år som inte är slut ännu visas inte.")
        # The export holds the index the chart draws (it had only the counts and values behind
        # it, under a title saying "index"), and the population the value is per: for signals
        # the young people aged 12–17, not the area's inhabitants.
        trend_columns = {"name": geo.LEVEL_LABELS[level], "year": "År", "count": "Antal",
                         "population": "Unga 12–17 år" if indicator.kind == "signals" else "Befolkning",
                         "value": "Värde", "index": f"Index ({base} = 100)"}
        indexed = charts.index_values(trend, "date", "value", "name", int(base))
        hidden = int(trend["count_suppressed"].sum())
        # The year stays a number: Excel sorts and charts it (as text it did neither).
        exports.download_buttons("jmf_index_dl", fig=fig, df=indexed,
                                 title=title, caption=export_caption(hidden, whole_years=True),
                                 filename=components.file_name(title, sel),
                                 columns=trend_columns)
        return hidden
    st.info(cmp.no_values or "Inga årsvärden för måttet i de här områdena.", icon=":material/event_busy:")
    return 0


def show_measures() -> int:
    """Measures achieved beside the outcome's change (the tab's label is its heading)."""
    if cmp.no_values:  # no outcome to set the measures beside
        st.info(cmp.no_values, icon=":material/event_busy:")
        return 0
    paired, paired_shown = cq.paired(sel, level, indicator_id, scope.codes, sel.end.year, comparison=cmp)
    if paired.empty:
        st.info(f"Inga åtgärdsplaner för {plural} i urvalet.")
    else:
        plan_year = int(paired["plan_year"].max())
        # What is plotted, exactly: uppnådd OR delvis uppnådd (Översikt's and Karta's "Åtgärder
        # uppnådda" count uppnådd alone; the title said the same words for another share).
        # Which areas ("kommuner i Västra Götalands län", not "kommuner"), as the other views' titles say.
        title = f"Åtgärder uppnådda eller delvis uppnådda och förändring i {what.lower()}, {scope.description}"
        change_title = cq.change_label(indicator).replace(" (%)", " mot året innan")
        fig = charts.remembered(completion_scatter, paired, title=title, outcome=what, change_title=change_title)
        components.chart(fig, key="jmf_scatter")
        st.caption(f"Åtgärder i planerna för {plan_year} (andel med status uppnådd eller delvis uppnådd av "
                   "alla åtgärder; ”ej bedömd” räknas med i nämnaren) bredvid utfallets förändring "
                   f"{cmp.period} mot {cmp.previous}. Översikt och Karta räknar bara status uppnådd i sitt mått "
                   "”Åtgärder uppnådda”. Sambandet visar inte orsak och verkan.")
        paired_columns = {"name": geo.LEVEL_LABELS[level], "plans": "Planer", "measures": "Åtgärder",
                          "share_done": "Uppnådda eller delvis", "not_assessed": "Ej bedömda",
                          "value": "Värde", "value_prev": "Värde året innan",
                          "change_pct": cq.change_label(indicator),
                          "within_chance": "Inom slumpens variation"}
        # The change's short header on screen, as in the side-by-side table (the export keeps the full one).
        # Short headers on screen, as in the side-by-side table, so it fits 1280 px too (the
        # export keeps the full ones).
        shown_columns = paired_columns | {"share_done": "Uppnådda/delvis", "change_pct": cq.SHORT_CHANGE_LABEL,
                                          "within_chance": CHANCE}
        help_texts = table_help(indicator, what) | {"Uppnådda/delvis": st.column_config.TextColumn(
            help="Andel av åtgärderna med status uppnådd eller delvis uppnådd.")}
        components.dataframe(fmt.display_arrow(paired_shown, shown_columns,
                                               decimals={"value": 1, "value_prev": 1}, share=["share_done"],
                                               signed=["change_pct"],
                                               identity=("paired", cmp.identity, sel.end.year)),
                             hide_index=True, key="jmf_paired",
                             column_config={h: c for h, c in help_texts.items() if h in shown_columns.values()})
        st.caption(cq.value_note(what, indicator))
        # A value is hidden with its count (this period or the year before): the tab said
        # "inga värden är dolda" beside a table of "..".
        hidden = int(paired["value_suppressed"].sum() + paired["value_prev_suppressed"].sum())
        if hidden and years_note:
            st.info(years_note, icon=":material/calendar_month:")
        plans = mq.workbooks(level, tuple(paired["area_code"]), plan_year, plan_year)
        # The export's title names the period too, as every other export's does.
        exports.download_buttons("jmf_paired_dl", fig=fig, df=paired, title=f"{title}, {cmp.period}",
                                 caption=export_caption(hidden, measures=True, workbooks=plans),
                                 filename=components.file_name(title, sel), columns=paired_columns)
        return hidden
    return 0


suppressed = components.tab_sections({"Sida vid sida": show_side_by_side, "Liknande områden": show_similar,
                                      "Åtgärder och utfall": show_measures}, key="jmf_flik")

# Only recruitment signals are person-level; for other indicators nothing is suppressed.
components.data_note(suppressed=suppressed if indicator.person_level else None,
                     notes=[cq.METHOD_NOTE, *cmp.notes, *(note for note in (unplaced, years_note) if note)])
