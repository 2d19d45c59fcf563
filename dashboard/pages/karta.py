"""Karta: a choropleth per police or administrative area, or 1 km grid cells.

Clicking an area selects it in the shared filter (and the URL) and the map moves one
level down. Incidents that a level cannot place (only a län given; a split kommun without
LPO) are not drawn at that level and are counted in a note; they are not apportioned.
"""

import json
from functools import partial

import pandas as pd
import streamlit as st

from dashboard import charts, components, exports, filters, maps, suppression
from dashboard import formatting as fmt
from dashboard.filters import current_selection
from dashboard.queries import comparison, geo, incidents, overview, signals
from dashboard.queries import measures as mq

METRICS = {
    "antal": ("Antal händelser", 0, False),
    "per100k": ("Händelser per 100 000 invånare", 1, False),
    "per1000": ("Händelser per 1 000 unga 12–17 år", 1, False),
    "forandring": ("Förändring mot ett år tidigare (%)", 1, True),
    "signaler": ("Rekryteringssignaler", 0, False),
    "atgarder": ("Andel åtgärder uppnådda (%)", 1, False),
}
AUTO = "auto"
# The map and its legend on the first screen at 1366 × 768: the legend beside the map
# (components.show_deck(beside=True)) and the map as high as the screen leaves under the
# page's controls. The view is fitted to that size (the map column's width at 1366 px).
MAP_HEIGHT = 400
MAP_WIDTH = 700
# What a browser without WebGL (an empty map) can use instead.
NO_MAP = "Slå på ”Karta som bild” längre ner för samma karta som bild; tabellen har värdena."

sel = current_selection()
components.page_header("Karta", sel)
child = geo.CHILD_LEVEL.get(sel.area_level, sel.area_level if sel.area_level != "riket" else "polisregion")
available = geo.levels_available()
levels = [lvl for lvl in geo.MAP_LEVELS if lvl in available]
level_labels = {AUTO: f"Nivån under urvalet ({geo.LEVEL_LABELS[child].lower()})",
                **{lvl: geo.LEVEL_LABELS[lvl] for lvl in levels}}

c1, c2, c3 = st.columns([3, 3, 2])  # wide enough for "Nivån under urvalet (lokalpolisområde)" at 1366 px
bad = [v for v in st.query_params.get_all("karta_niva") if v not in level_labels.values()]
bad += [v for v in st.query_params.get_all("matt") if v not in {m[0] for m in METRICS.values()}]
for value in bad:
    st.toast(f"Okänt värde '{value}' i länken; standardvalet visas.", icon=":material/link_off:")
view = c3.segmented_control("Visa", ["Områden", "1 km-rutor"], default="Områden", required=True, key="vy",
                            bind="query-params") or "Områden"
# The 1 km squares always count incidents in the selected area: the level and measure
# choices do nothing there, so they are greyed out (and say why) rather than seem broken.
grid_view = view == "1 km-rutor"
grid_help = "Rutorna visar alltid antal händelser i urvalets område." if grid_view else None
choice = c1.selectbox("Nivå på kartan", [AUTO, *levels], format_func=level_labels.get, key="karta_niva",
                      bind="query-params", disabled=grid_view, help=grid_help, placeholder="Välj nivå")
metric = c2.selectbox("Mått", list(METRICS), format_func=lambda m: METRICS[m][0], key="matt",
                      bind="query-params", disabled=grid_view, help=grid_help, placeholder="Välj mått")
level = child if choice == AUTO else choice
label, decimals, diverging = METRICS[metric]
notes: list[str] = []
suppressed = 0


def map_values(level: str, codes: tuple[str, ...]) -> pd.DataFrame:
    """Per area: every incident measure plus the chosen metric as ``value``."""
    df = incidents.by_area(sel, level, codes)
    if metric == "signaler":
        # Every area as the query layer gives it: hidden (..), 0, or missing (–, no rank) with
        # its reason (no month with signals in the period; a kommun recorded per LPO).
        sig = signals.area_values(level, *signals.months_read(sel))
        df = df.merge(sig[["area_code", "count", "count_suppressed", "count_missing"]], on="area_code", how="left")
        df["count_suppressed"] = df["count_suppressed"].astype("boolean").fillna(False).astype(bool)
        df["value"] = df["count"].astype("Float64")
        df["value_suppressed"] = df["count_suppressed"]
    elif metric == "atgarder":
        ach = overview.achieved(level, codes, sel.start.year, sel.end.year)
        df = df.merge(ach, on="area_code", how="left")
        df["value"] = df["share"] * 100
    else:
        column = {"antal": "incidents", "per100k": "per_100k", "per1000": "per_1000_young",
                  "forandring": "change_pct"}[metric]
        df["value"] = df[column].astype("Float64")
        if metric == "forandring":
            # No percentage from 0, but no missing value either: the map says which.
            now, before = df["incidents"].astype("Float64"), df["incidents_prev"].astype("Float64")
            df["value_state"] = pd.Series(None, index=df.index, dtype=object).mask(
                before.eq(0).fillna(False) & now.gt(0).fillna(False), "new").mask(
                before.eq(0).fillna(False) & now.eq(0).fillna(False), "zero")
            # Karlsborg's 34 incidents against 50 is a deep colour on the map, and a change
            # chance could give (Jämförelse's test, 5 % level): the table says which are.
            known = now.notna() & before.notna()
            pairs = list(zip(now[known].tolist(), before[known].tolist(), strict=True))
            charts.changes_within_chance((n, b, 1.0) for n, b in pairs)
            df["within_chance"] = pd.Series(None, index=df.index, dtype=object)
            df.loc[known, "within_chance"] = ["ja" if charts.change_within_chance(n, b) else "nej" for n, b in pairs]
    shown = df["value"].notna()
    df["rank"] = df["value"].where(shown).rank(ascending=False, method="min").astype("Int64")
    return df


def grid_geometry(frame: pd.DataFrame) -> pd.DataFrame:
    """The grid cells as areas for maps.choropleth_figure (the image export of the area
    maps): the same squares the grid layer draws, named by their cell."""
    rings = maps.cell_polygons(frame["grid_cell"].tolist())  # the grid layer's own squares
    return pd.DataFrame({"area_code": frame["grid_cell"].tolist(),
                         "name": [f"Ruta {c}" for c in frame["grid_cell"].tolist()],
                         "geojson": [json.dumps({"type": "Polygon", "coordinates": [r]}) for r in rings]})


if view == "1 km-rutor":
    if sel.area_level in ("riket", "polisregion"):
        st.info("Välj ett polisområde, lokalpolisområde, län eller kommun i urvalet till vänster för att se "
                "händelserna i 1 km-rutor (för hela landet eller en region blir rutorna för många).")
    else:
        cells = geo.grid(sel)
        # Small cells are left out (not merged, not shown as ".."): the note says so, and
        # the page's usual "values hidden, shown as .." line is not given (suppressed=None).
        threshold = suppression.threshold()
        small = cells.hidden_cells
        notes.append(f"Röjandeskydd: rutor med färre än {threshold} händelser ritas inte och finns inte i tabellen "
                     "eller bilden"
                     + (f"; {fmt.integer(small)} {'sådan ruta är utelämnad' if small == 1 else 'sådana rutor är utelämnade'}"
                        if small else "")
                     + ". Inga rutor visas som ”..”, och de utelämnade slås inte ihop till större rutor.")
        notes.append("Rutorna följer SCB:s rutnät (SWEREF 99 TM); en händelse placeras aldrig noggrannare än sin "
                     "ruta. Händelser utan ruta finns inte med.")
        if cells.frame.empty and cells.total_cells:
            st.info(f"Inga rutor att visa: alla {fmt.integer(cells.total_cells)} rutor med händelser i urvalet har "
                    f"färre än {threshold} händelser och ritas inte (röjandeskydd). Välj en längre period, fler "
                    "händelsetyper eller ett större område.")
        elif cells.frame.empty:
            st.info("Inga rutor att visa: källan anger ingen 1 km-ruta för händelserna i urvalet.")
        else:
            outlines = maps.area_outlines(geo.geometry(sel.area_level), sel.area_code)
            if len(outlines):
                notes.append(f"Under rutorna: {sel.area_name} med mörk kontur, angränsande områden i grått.")
            deck = maps.grid_layer(cells.frame, count="incidents", label="Antal händelser", outlines=outlines,
                                   height=MAP_HEIGHT, width=MAP_WIDTH)
            components.show_deck(deck, "Antal händelser per 1 km-ruta", key="karta_grid", height=MAP_HEIGHT,
                                 beside=True, fallback=NO_MAP,
                                 hint=f"{fmt.integer(len(cells.frame))} rutor med minst "
                                      f"{cells.frame['incidents'].min()} händelser, {sel.describe()}.")
            # The squares as drawn: cells under the threshold are already left out of the
            # frame (geo.grid), so the table and image can hold no hidden count.
            # The period in the export's title, as on the other pages' exports (it was only
            # in the caption); the file name has the months already.
            name = f"Antal händelser per 1 km-ruta, {sel.area_name}"
            title = f"{name}, {fmt.period(sel.start, sel.end)}"
            # The squares' own protection is in the notes (cells.note): none is shown as "..".
            caption = components.export_caption(sel, suppressed=None, notes=notes)
            grid_columns = {"grid_cell": "Ruta (SCB 1 km)", "e_m": "Öst, SWEREF 99 TM (m)",
                            "n_m": "Nord, SWEREF 99 TM (m)", "incidents": "Antal händelser"}
            exports.download_buttons("karta_grid_table_dl", df=cells.frame, title=title, caption=caption,
                                     filename=components.file_name(name, sel), columns=grid_columns)
            if st.toggle("Karta som bild (PNG/SVG för rapporter)", key="karta_grid_export"):
                fig = maps.choropleth_figure(grid_geometry(cells.frame), cells.frame.rename(
                    columns={"grid_cell": "area_code"}), "incidents", "Antal händelser", title=title,
                    outlines=outlines)
                components.chart(fig, key="karta_grid_plotly")
                exports.download_buttons("karta_grid_fig_dl", fig=fig, title=title, caption=caption,
                                         filename=components.file_name(name, sel))
else:
    scope = geo.scope(level, sel.area_level, sel.area_code)
    values = map_values(level, scope.codes)
    geom = geo.geometry(level, scope.codes)
    if metric == "forandring" and not incidents.has_previous(sel.start):
        # Every area is then without a value: said above the blank map, not under it.
        first, _ = incidents.month_range()
        no_change = ("Ingen förändring kan visas: händelserna når inte tillbaka till samma månader ett år tidigare "
                     f"({fmt.period(*incidents.previous_period(sel.start, sel.end))})"
                     + (f"; de börjar {fmt.month(first)}. Välj en period som börjar "
                        f"{fmt.month(incidents.shift_months(first, 12))} eller senare." if first is not None else "."))
        st.info(no_change, icon=":material/history_toggle_off:")
        notes.append(no_change)
    # Signals for a period without a month that has them (before the first, after the last):
    # said above the blank map, and no table or downloads of nothing but "–" (as on
    # Rekryteringssignaler and Jämförelse). The map stays: a click on it still drills down.
    without_signals = signals.coverage_note(sel) if metric == "signaler" and signals.months_covered(sel) is None \
        else None
    if without_signals:
        st.info(without_signals, icon=":material/event_busy:")
    # The changes chance could give are grey on the map ("inom slumpen"), as on Översikt's cards.
    deck = maps.area_layer(geom, values, "value", label, decimals=decimals, diverging=diverging,
                           selected=sel.area_code, height=MAP_HEIGHT, width=MAP_WIDTH,
                           within_chance="within_chance" if metric == "forandring" else None)
    deck_key = f"karta_deck_{level}_{sel.area_code}"
    components.show_deck(deck, label, key=deck_key, height=MAP_HEIGHT, beside=True, fallback=NO_MAP,
                         heading=f"**{label}, {scope.description}** · {fmt.period(sel.start, sel.end)}",
                         hint="Klicka på ett område för att välja det i urvalet och gå en nivå ner.",
                         on_select=partial(filters.drill_down, deck_key, level, {"karta_niva": AUTO}))

    if metric == "signaler":
        suppressed += int(values["value_suppressed"].sum())
        notes.append("Rekryteringssignaler: alla källor och signaltyper; händelsetyperna i urvalet gäller "
                      "inte signalerna. Signaler som inte kan placeras exakt på nivån räknas inte per område.")
        if coverage := signals.coverage_note(sel):
            if not without_signals:  # said above the map
                st.info(coverage, icon=":material/event_busy:")
            notes.append(coverage)
        if values["count_missing"].eq(signals.PER_LPO).any():
            st.info(signals.PER_LPO_NOTE, icon=":material/location_off:")
            notes.append(signals.PER_LPO_NOTE)
        hidden_areas = values.loc[values["value_suppressed"], "area_code"].tolist()
        years = signals.years_revealing(sel, level, hidden_areas, earlier=False) if hidden_areas else None
        running = signals.running_note(sel) if hidden_areas else None
        if years or running:
            years_note = " ".join(n for n in (years and signals.years_note(years), running) if n)
            st.info(years_note, icon=":material/calendar_month:")
            # The exports say why, not what to choose: a report's reader has no Period.
            notes.append(" ".join(n for n in (years and signals.years_note(years, export=True),
                                              running and signals.running_note(sel, export=True)) if n))
    if metric == "forandring" and (ongoing := incidents.ongoing_note(sel)):
        notes.append(ongoing)
    if metric == "forandring" and values["within_chance"].eq("ja").any():
        notes.append(f"{components.CHANCE_COLUMN_HELP} Kartan visar de förändringar som kan vara slump i grått "
                     "(”inom slumpen”); tabellen säger vilka.")
    if metric == "forandring" and values["value_state"].notna().any():
        notes.append("Där året före hade 0 händelser finns ingen förändring i procent (– i tabellen): kartan "
                     "visar ”ny (från 0)” när området har händelser nu och ”0 båda åren” (i färgen för oförändrat) när "
                     "det inte har det.")
    if metric == "atgarder":
        notes.append("Andel åtgärder med status ”uppnådd” i områdets åtgärdsplaner för periodens år (se Data "
                     "för definitionen). Områden utan planer saknar värde.")
    if metric in ("per100k", "per1000") and values["population_year"].notna().any():
        year = int(values["population_year"].dropna().iloc[0])
        # The apportioning is said where it happens (LPOs, and polisområden summing them),
        # in words: a kommun's map said it, with the table's name "lpo_kommun.share".
        notes.append(f"Befolkning {year} (31 december)."
                     + (" För lokalpolisområden och polisområden som delar en kommun är befolkningen uppskattad: "
                        "kommunens befolkning fördelad efter hur stor del av den som bor i varje område."
                        if level in ("lpo", "polisomrade") else ""))
    if metric in ("per100k", "per1000"):
        counted = values["incidents"].notna()
        without = counted & values["population" if metric == "per100k" else "population_12_17"].isna()
        if without.any():
            missing = comparison.population_missing(int(without.sum()), int(counted.sum()))  # Jämförelse's words
            st.info(missing, icon=":material/groups:")
            notes.append(missing)  # in the table's export too
    if geom["approximate"].any():
        notes.append(f"{maps.APPROX_OUTLINE} och ”(ungefärlig gräns)”: lokalpolisområden och polisområden som "
                     "delar en kommun har uppskattade gränser.")
    notes.append(incidents.unplaced_note(incidents.unplaced(sel, level), level))

    # Nothing but "–" to list or download when no month of the period has signals (the note
    # above the map says why).
    if not without_signals:
        # "Händelser ett år tidigare": beside the signals or the measures a bare "Ett år
        # tidigare" read as that measure's figure a year earlier.
        columns = {"name": geo.LEVEL_LABELS[level], "value": label, "rank": "Rang", "incidents": "Antal händelser",
                   "incidents_prev": "Händelser ett år tidigare",
                   **({"within_chance": components.CHANCE_COLUMN} if metric == "forandring" else {}), "population": "Befolkning"}
        table = values.sort_values(["rank", "name"], na_position="last")
        with st.expander(f"Tabell: {label.lower()}, {scope.description}", expanded=False):
            components.dataframe(fmt.display_arrow(table, columns, decimals={"value": decimals, "population": 0},
                                                   signed=["value"] if metric == "forandring" else ()),
                                 hide_index=True, key="karta_table",
                                 column_config={components.CHANCE_COLUMN:
                                                    st.column_config.TextColumn(help=components.CHANCE_COLUMN_HELP)})
        unprotected = " ".join([components.INCIDENTS_UNPROTECTED,
                                *([components.MEASURES_UNPROTECTED] if metric == "atgarder" else [])])
        # "Källa" names what each file holds: the map draws the measure alone; the table
        # has the incidents and the population beside it.
        measure_sources = {"antal": ("händelser",), "forandring": ("händelser",),
                           "per100k": ("händelser", "befolkning"), "per1000": ("händelser", "befolkning"),
                           "signaler": ("rekryteringssignaler",), "atgarder": ()}[metric]
        plans = (mq.workbooks(level, scope.codes, sel.start.year, sel.end.year) if metric == "atgarder" else None)

        def map_caption(sources) -> str:
            # "Data t.o.m." of the measure shown: the signals often end months before the incidents.
            return components.export_caption(sel, suppressed=suppressed if metric == "signaler" else None,
                                             unprotected=unprotected, notes=notes, sources=sources, workbooks=plans,
                                             data="rekryteringssignaler" if metric == "signaler" else "händelser")

        caption = map_caption((*measure_sources, "händelser", "befolkning"))
        # The period in the title, as the map's heading has it (it was only in the caption).
        name = f"{label}, {scope.description}"
        title = f"{name}, {fmt.period(sel.start, sel.end)}"
        exports.download_buttons("karta_table_dl", df=table, title=title, caption=caption,
                                 filename=components.file_name(name, sel), columns=columns)
        if st.toggle("Karta som bild (PNG/SVG för rapporter)", key="karta_export"):
            fig = maps.choropleth_figure(geom, values, "value", label, title=title, decimals=decimals,
                                         diverging=diverging,
                                         within_chance="within_chance" if metric == "forandring" else None)
            components.chart(fig, key="karta_plotly")
            exports.download_buttons("karta_fig_dl", fig=fig, title=title, caption=map_caption(measure_sources),
                                     filename=components.file_name(name, sel))

components.data_note(suppressed=None if grid_view else suppressed, notes=notes)
