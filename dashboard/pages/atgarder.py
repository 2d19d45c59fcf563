"""Åtgärder, in five tabs of which only the chosen one runs: the status of the action
plans' measures in the selected area and years, their movement between follow-up rounds,
measures standing still, the analysis-sheet check and a searchable register whose rows
open the measure's follow-up history.

Text from the plans is shown as data (st.dataframe, st.text), never as Markdown or HTML.
"""

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard import charts, components, exports
from dashboard import formatting as fmt
from dashboard.filters import current_selection
from dashboard.queries import data_status, db_key
from dashboard.queries import measures as mq

PLAN_YEARS_KEY = "planar"
TAB_KEY = "atgarder_flik"  # the chosen tab, in the URL by its label
REGISTER_KEY = "atgarder_register"
REGISTER_CONTENT_KEY = "atgarder_register_content"  # what the register showed when a row was picked
# Widths (px) of the columns holding the plans' long names, in the "står still" table, the
# register and the analysis sheet's table per plan: sized by their longest name, each
# table was wider than a 1366 px window (content about 904 px wide). A longer name is cut short on screen; a click on the cell
# shows it all, and the export and the picked row's details have it in full.
NAME_WIDTHS = {header: st.column_config.TextColumn(width=px)
               for header, px in {"Organisation": 130, "Prioriterat område": 140, "Åtgärd": 200, "Ansvarig": 110}.items()}
# When each measure's status was assessed, in two columns: "Bedömd" is the follow-up
# entry's date (mart_measure.assessed_date), a date column the grid sorts by time (as
# text, "VB 2025" and "T2 2025" sorted after every date); "Bedömd i" the round and plan
# year, which an undated entry (the VB summary) has alone. "2025-08-28" fits 84 px.
ASSESSED_HELP = ("När statusen bedömdes: datumet på uppföljningsposten med den senaste bedömningen (t.ex. "
                 "2025-08-28). ”–” när posten saknar datum (”Bedömd i” säger då vilken uppföljning, t.ex. "
                 "”VB 2025” för verksamhetsberättelsen), för ”ej bedömd”, och när statusen bara står i planens "
                 "statuskolumn eller färg utan någon uppföljningspost som bedömer detsamma.")
ASSESSED_IN_HELP = ("Uppföljningen där den senaste bedömningen står, med planåret: T1 (jan–apr), T2 (maj–sep), "
                    "T3 (okt–dec) eller VB (verksamhetsberättelsen); ett datum räknas till sin tertial.")
ASSESSED_COLUMNS = {"Bedömd": st.column_config.DateColumn(width=84, help=ASSESSED_HELP),
                    "Bedömd i": st.column_config.TextColumn(width=66, help=ASSESSED_IN_HELP)}
# The columns saying when, as the tables and their exports name them (the export's
# "Bedömd" is a date too: Excel sorts it by time).
ASSESSED = {"assessed_date": "Bedömd", "assessed_in": "Bedömd i"}


def name_widths(**px: int) -> dict:
    """NAME_WIDTHS with the given name columns narrower (organisation, omrade, atgard,
    ansvarig: px), plus the "Bedömd" and "Bedömd i" columns."""
    headers = {"organisation": "Organisation", "omrade": "Prioriterat område", "atgard": "Åtgärd",
               "ansvarig": "Ansvarig"}
    return NAME_WIDTHS | {headers[k]: st.column_config.TextColumn(width=w) for k, w in px.items()} | ASSESSED_COLUMNS


# With "Bedömd" (84 px) the register was 965 px and the "står still" table 991 px wide in the
# 904 px a 1366 px window gives the page (tests/test_browser_assessed.py): their names' columns
# are narrower there (a click on a cell still shows it all), and narrower again for "Bedömd i".
REGISTER_WIDTHS = name_widths(omrade=100, organisation=100, atgard=155, ansvarig=85)
STUCK_WIDTHS = name_widths(omrade=95, organisation=95, atgard=145, ansvarig=80)


def year_label(plan_years: tuple[int, int]) -> str:
    first, last = plan_years
    return str(first) if first == last else f"{first}–{last}"


sel = current_selection()
components.page_header("Åtgärder", sel, types=False)
status = data_status()

# --- plan years -------------------------------------------------------------------------------
# The plans shown are those whose plan year lies in the period's years. Next year's plan
# is written and loaded in the autumn, before any incident data of that year, so no
# period reaches it (the period ends with the data, and must: the incident pages compare
# its months with a year earlier). When the area has plans for later years, the page
# says so and offers them here; the shared period is left as it is.
period_years = mq.period_plan_years(sel)
later_years = mq.later_plan_years(sel)
plan_years = period_years
if later_years:
    # Options are the labels ("2025", "2024–2025"), as the URL holds them: a (first, last)
    # tuple as the default would be read as two defaults.
    choices = {year_label(c): c for c in (period_years, *((y, y) for y in later_years))}
    for value in st.query_params.get_all(PLAN_YEARS_KEY):
        if value not in choices:
            st.toast(f"Okänt planår '{value}' i länken; periodens planår visas.", icon=":material/link_off:")
    notice = st.empty()  # above the choice, worded after it
    chosen = st.segmented_control("Planår", list(choices), default=year_label(period_years), required=True,
                                  key=PLAN_YEARS_KEY, bind="query-params")
    plan_years = choices.get(chosen, period_years)
    if plan_years == period_years:
        later_text = " och ".join(str(y) for y in later_years)
        notice.info(f"Det finns åtgärdsplaner för planår {later_text} i {sel.area_name}, efter periodens planår "
                    f"{year_label(period_years)}. Välj planår nedan för att se dem; sidofältets period och de "
                    "andra sidorna ändras inte.", icon=":material/event_upcoming:")
    else:
        notice.info(f"Visar planår {year_label(plan_years)}, efter sidofältets period (planår "
                    f"{year_label(period_years)}). Sidofältets period och de andra sidorna ändras inte.",
                    icon=":material/event_upcoming:")
elif PLAN_YEARS_KEY in st.query_params:
    # A link from when a later plan year was offered (another area, or before the year's
    # data arrived): said once, then dropped from the address. Right after another area
    # was chosen the parameter is still bound to the choice the last run showed; Streamlit
    # refuses to delete it then and drops it itself at the end of this run (no link to name).
    value = st.query_params[PLAN_YEARS_KEY]
    try:
        del st.query_params[PLAN_YEARS_KEY]
    except StreamlitAPIException:
        pass
    else:
        st.toast(f"Planår '{value}' i länken erbjuds inte här: {sel.area_name} har inga planer efter periodens "
                 f"planår; planår {year_label(period_years)} visas.", icon=":material/link_off:")
years = year_label(plan_years)
# "Källa": the workbooks of the plans shown (of this area and these plan years), not every
# plan loaded.
source = components.source_text((), workbooks=mq.workbooks(sel.area_level, (sel.area_code,), *plan_years))
COUNT_NOTE = components.MEASURES_UNPROTECTED


def table_caption(*table_filters: str, source: str = source) -> str:
    """An export's caption: the area and plan years, then what a filtered table's own
    filters kept ("sökning ”fältgrupp” …; 37 av 276 åtgärder"), so a downloaded table
    does not read as all of the area's measures. ``source``: the plans' workbooks."""
    return exports.caption(filters="; ".join([f"{sel.area_label}, planår {years}", *table_filters]), source=source,
                           data_until=status["through"].get("åtgärdsuppföljning"), unprotected=COUNT_NOTE)


caption = table_caption()
# Every table on the page is made from the database version, the area and the plan years
# shown (the measures queries read the years only) plus the choices named beside it:
# the display tables are remembered by that instead of by their pickled content (pickling
# and hashing each table cost milliseconds on every rerun).
SELECTION = (db_key(), sel.area_level, sel.area_code, *plan_years)


register = mq.register(sel, plan_years)
if register.empty:
    later_hint = ", eller ett senare planår ovan" if later_years and plan_years == period_years else ""
    st.info(f"Inga åtgärdsplaner för planår {years} i {sel.area_name}. Välj ett större område eller en "
            f"annan period i sidofältet{later_hint}.")
    components.data_note(suppressed=None, notes=[COUNT_NOTE])
    st.stop()

st.caption(f"{fmt.count(register['plan_id'].nunique(), 'plan', 'planer')} från "
           f"{fmt.count(register['organisation'].nunique(), 'organisation', 'organisationer')}, planår {years}, "
           f"med {fmt.count(len(register), 'åtgärd', 'åtgärder')}. Planer räknas till området via kommunen och, "
           "för polisens områden, planens lokalpolisområden.")

# --- status across the prioritised areas ----------------------------------------------------
def show_status() -> None:
    """The measures' status per prioritised area or organisation: metrics, chart, table, exports."""
    heading = st.empty()  # named after the split chosen below ("… per organisation")
    by_area, totals, area_table = mq.status_views(sel, "prioritised_area", plan_years)
    # One row that wraps (five columns cut the labels to "Uppn…" and the shares to "18,…" in an
    # 800 px window with the sidebar open).
    cards = st.container(horizontal=True, gap="small", key="atgarder_cards")
    for row in totals.itertuples(index=False):
        cards.metric(row.status.capitalize(), fmt.integer(row.n), border=True,
                   delta=fmt.share(row.share), delta_color="off", delta_arrow="off",
                   help="”Ej bedömd”: ingen bedömning skriven i uppföljningen – inte samma sak som ”ej uppnådd”."
                   if row.status == "ej bedömd" else None)
    grouping = st.segmented_control("Dela upp efter", list(mq.GROUPINGS), format_func=mq.GROUPINGS.get,
                                    default="prioritised_area", key="atgarder_grouping",
                                    bind="query-params") or "prioritised_area"
    counts, _, table = (by_area, totals, area_table) if grouping == "prioritised_area" \
        else mq.status_views(sel, "organisation", plan_years)
    label = mq.GROUPINGS[grouping]
    heading.subheader(f"Status per {label.lower()}")
    shown = counts
    limit = 25
    if counts["category"].nunique() > limit:
        keep = counts.groupby("category")["total"].first().nlargest(limit).index
        shown = counts[counts["category"].isin(keep)]
        st.caption(f"Diagrammet visar de {limit} organisationerna med flest åtgärder; tabellen har alla.")
    name = f"Åtgärdernas status per {label.lower()} – {sel.area_name}"
    title = f"{name}, {years}"
    fig = charts.remembered(charts.stacked_status, shown, "category", title=title, category_title=label)
    components.chart(fig, key="atgarder_status_chart")
    columns = {"category": label, "total": "Åtgärder"}
    columns |= {f"n_{s}": s.capitalize() for s in mq.STATUSES}
    columns |= {f"share_{s}": f"{s.capitalize()} (andel)" for s in mq.STATUSES}
    with st.expander("Tabell: antal och andel per status"):
        # Counts and shares side by side were twelve columns, 1355 px in a 904 px wide window at
        # 1366 px: on screen the table shows one of them, under the statuses' names (a share
        # reads "34,5 %"); the export has both, the shares headed "(andel)".
        views = {"n": "Antal", "share": "Andel"}
        view = st.segmented_control("Visa", list(views), format_func=views.get, default="n", required=True,
                                    key="atgarder_status_view", persist_state="page")
        view_columns = {"category": label, "total": "Åtgärder"} | {f"{view}_{s}": s.capitalize() for s in mq.STATUSES}
        components.dataframe(fmt.display_arrow(table, view_columns, share=[f"share_{s}" for s in mq.STATUSES if view == "share"],
                                               identity=("atgarder_status", *SELECTION, grouping)),
                             hide_index=True, key="atgarder_status_table")
    exports.download_buttons("atgarder_status_dl", fig=fig, df=table, title=title, caption=caption,
                             filename=components.file_name(name, sel, period=years), columns=columns)


# --- movement between rounds ----------------------------------------------------------------
def show_rounds() -> None:
    """The movement between follow-up rounds and the status at each round."""
    st.subheader("Förflyttning mellan uppföljningarna")
    flow = mq.flow(sel, plan_years)
    name = f"Status från uppföljning till uppföljning – {sel.area_name}"
    title = f"{name}, {years}"
    fig = charts.remembered(charts.status_flow, flow, rounds=mq.flow_rounds(flow), title=title)
    components.chart(fig, key="atgarder_flow_chart")
    st.caption("T1–T3 är årets tertialuppföljningar, VB verksamhetsberättelsen; planer som följs upp tre gånger gör "
               f"det tredje gången antingen vid T3 eller i VB (då visas de som en kolumn, T3/VB). {mq.CARRY_RULE}")
    rounds = mq.round_status(sel, plan_years)
    round_columns = {"round": "Uppföljning", "status": "Status", "n": "Åtgärder", "share": "Andel"}
    with st.expander("Tabell: status per uppföljning"):
        components.dataframe(fmt.display_arrow(rounds, round_columns, share=["share"], identity=("atgarder_rounds", *SELECTION)),
                             hide_index=True, key="atgarder_round_table")
    flow_columns = {"from_round": "Från uppföljning", "from_status": "Från status", "to_round": "Till uppföljning",
                    "to_status": "Till status", "n": "Åtgärder"}
    exports.download_buttons("atgarder_flow_dl", fig=fig, df=flow, title=title, caption=caption,
                             filename=components.file_name(name, sel, period=years), columns=flow_columns)


# --- standing still -------------------------------------------------------------------------
def show_stuck() -> None:
    """Measures with the same status at (at least) their plan's last two rounds."""
    st.subheader("Åtgärder som står still")
    with_line_work = st.toggle("Ta med linjearbete", value=False, key="atgarder_stuck_linework", persist_state="page",
                               help="Linjearbete (ordinarie verksamhet) har ofta samma status år ut och år in.")
    stuck = mq.stuck(sel, line_work=with_line_work, years=plan_years)
    st.caption("Åtgärder med samma status vid (minst) planens två senaste uppföljningar, utom de som är "
               f"uppnådda. {fmt.integer(len(stuck))} av {fmt.integer(len(register))} åtgärder.")
    stuck_columns = {"organisation": "Organisation", "year": "Planår", "prioritised_area": "Prioriterat område",
                     "title": "Åtgärd", "status": "Status", **ASSESSED, "rounds_in_status": "Uppföljningar i samma status",
                     "since_round": "Sedan", "last_round": "Senaste uppföljning", "responsible": "Ansvarig"}
    # At 1366 px the table was 1456 px wide in 904: on screen two headers are short (the
    # caption says what they mean) and the long names get fixed widths (NAME_WIDTHS); the
    # export keeps the full headers.
    st.caption("Bedömd: när statusen bedömdes (datum; i vilken uppföljning och planår står under Bedömd i). I rad: antal uppföljningar i "
               "rad med samma status. Senast: senaste uppföljningen. Klicka på en cell för att läsa en avkortad text.")
    components.dataframe(fmt.display_arrow(lambda: stuck.assign(year=stuck["year"].astype(str)),
                                           stuck_columns | {"rounds_in_status": "I rad", "last_round": "Senast"},
                                           dates=["assessed_date"],
                                           identity=("atgarder_stuck", *SELECTION, bool(with_line_work))),
                         hide_index=True, key="atgarder_stuck", height=min(400, 38 + 35 * max(1, len(stuck))),
                         column_config=STUCK_WIDTHS)
    exports.download_buttons("atgarder_stuck_dl", df=stuck, title=f"Åtgärder som står still – {sel.area_name}, {years}",
                             caption=table_caption("linjearbete medräknat" if with_line_work else "utan linjearbete",
                                                   f"{fmt.integer(len(stuck))} av {fmt.integer(len(register))} "
                                                   "åtgärder står still"), filename=components.file_name(f"atgarder-som-star-still-{sel.area_name}", sel, period=years),
                             columns=stuck_columns)


# --- the analysis sheet ---------------------------------------------------------------------
def show_analysis() -> None:
    """Our counts of problems, causes and measures against each plan's analysis sheet."""
    st.subheader("Analysbladet: problem, orsaker och åtgärder")
    analysis, per_area = mq.analysis_views(sel, plan_years)
    differing = int(analysis["has_difference"].sum()) if not analysis.empty else 0
    if analysis.empty:
        st.info("Planerna i urvalet har inget analysblad.")
    else:
        if differing:
            st.warning(f"{differing} av {len(analysis)} områdesblad har andra antal än planens analysblad; "
                       "de står först i tabellen nedan.", icon=":material/difference:")
        else:
            st.success("Våra antal stämmer med analysbladen i alla planer.", icon=":material/check:")
        area_columns = {"prioritised_area": "Prioriterat område", "plans": "Planer",
                        "problems": "Problem (inläst)", "sheet_problems": "Problem (analysbladet)",
                        "causes": "Orsaker (inläst)", "sheet_causes": "Orsaker (analysbladet)",
                        "measures": "Åtgärder (inläst)", "sheet_measures": "Åtgärder (analysbladet)",
                        "plans_differing": "Planer med skillnad"}
        # On screen the counts' headers are short ("Problem", "Problem (blad)"), so the table fits
        # a 1366 px wide window (it scrolled sideways); the caption says what they mean and the
        # export keeps the long headers.
        short = {"(inläst)": "", "(analysbladet)": "(blad)", "Planer med skillnad": "Med skillnad"}

        def shortened(columns: dict[str, str]) -> dict[str, str]:
            out = {}
            for key, header in columns.items():
                for long, brief in short.items():
                    header = header.replace(long, brief).strip()
                out[key] = header
            return out

        st.caption("Antal problem, orsaker och åtgärder som lästs in ur planerna, och inom parentes (blad) de antal "
                   "planens analysblad anger; Med skillnad: planer där de skiljer sig åt.")
        # No pandas Styler to shade rows: Streamlit renders one cell by cell (a tenth of a second
        # even for a few rows, on every rerun); "Planer med skillnad" names the differing ones.
        components.dataframe(fmt.display_arrow(per_area, shortened(area_columns), identity=("atgarder_analysis_area", *SELECTION)),
                             hide_index=True, key="atgarder_analysis_area")
        plan_columns = {"organisation": "Organisation", "year": "Planår", "prioritised_area": "Prioriterat område",
                        "problems": "Problem (inläst)", "sheet_problems": "Problem (analysbladet)",
                        "causes": "Orsaker (inläst)", "sheet_causes": "Orsaker (analysbladet)",
                        "measures": "Åtgärder (inläst)", "sheet_measures": "Åtgärder (analysbladet)",
                        "has_difference": "Skillnad"}
        with st.expander("Per plan och område"):
            components.dataframe(fmt.display_arrow(lambda: analysis.assign(year=analysis["year"].astype(str)),
                                                   shortened(plan_columns),
                                                   identity=("atgarder_analysis_plan", *SELECTION)),
                                 hide_index=True, key="atgarder_analysis_plan",  # in an expander: 870 px wide
                                 column_config=NAME_WIDTHS | {"Prioriterat område": st.column_config.TextColumn(width=110)})
        exports.download_buttons("atgarder_analysis_dl", df=analysis, title=f"Analysbladet – {sel.area_name}, {years}",
                                 caption=caption, filename=components.file_name(f"analysbladet-{sel.area_name}", sel, period=years), columns=plan_columns)


# --- the register ---------------------------------------------------------------------------
@st.fragment
def measure_register(register) -> None:
    """The searchable register and the chosen measure's history. A fragment: typing a
    search, choosing filters or a row reruns only this part of the page."""
    st.subheader("Åtgärdsregister")
    c1, c2, c3, c5, c4 = st.columns([2.4, 1.5, 1.2, 1.1, 1.5])
    # The search and filters are in the URL as the sidebar's are: a shared link opens the
    # same measures (the register is a fragment; its bound widgets update the address too).
    text = c1.text_input("Sök i titel, beskrivning och ansvarig", key="atgarder_search",
                         placeholder="t.ex. fältgrupp, trygghetsvandring", bind="query-params")
    areas = c2.multiselect("Prioriterat område", sorted(register["prioritised_area"].unique()), key="atgarder_areas",
                           placeholder="Alla", bind="query-params")
    statuses = c3.multiselect("Status", list(mq.STATUSES), key="atgarder_statuses", placeholder="Alla",
                              bind="query-params")
    orgs = c4.multiselect("Organisation", sorted(register["organisation"].unique()), key="atgarder_orgs",
                          placeholder="Alla", bind="query-params")
    assessed_in = c5.multiselect("Bedömd i", mq.assessed_choices(register), key="atgarder_assessed",
                                 placeholder="Alla", bind="query-params",
                                 help=f"{ASSESSED_IN_HELP} ”{mq.NOT_TIMED}”: ej bedömda åtgärder och de vars "
                                      "status inte står i någon uppföljningspost.")
    found = mq.search_register(register, text, areas=areas, statuses=statuses, organisations=orgs,
                               assessed_in=assessed_in)
    register_columns = {"title": "Åtgärd", "status": "Status", **ASSESSED,
                        "prioritised_area": "Prioriterat område",
                        "organisation": "Organisation", "year": "Planår", "responsible": "Ansvarig",
                        "followups": "Uppföljningar", "description": "Beskrivning"}
    # The description is shown under the table for the picked row, and in the export: in the
    # table its long texts made the register scroll sideways at 1366 px.
    view_columns = {k: v for k, v in register_columns.items() if k != "description"}
    st.caption(f"{fmt.integer(len(found))} av {fmt.integer(len(register))} åtgärder. Markera en rad för att se "
               "åtgärdens uppföljningar.")
    # The register is made from the database version, the area, the plan years shown and
    # these filters alone: the display table is remembered by them instead of by its
    # pickled content (by the years, not the months: a new period in the same years shows
    # the same register).
    identity = ("atgarder_register", *SELECTION, text, tuple(areas), tuple(statuses), tuple(orgs), tuple(assessed_in))
    # A row picked in another register (plan year, area, database or filters since) would
    # open whichever measure is in that row now: the selection is cleared, here and in the
    # browser, when the register's content changes.
    if st.session_state.get(REGISTER_CONTENT_KEY) != identity:
        if REGISTER_CONTENT_KEY in st.session_state:
            st.session_state[REGISTER_KEY] = {"selection": {"rows": [], "columns": [], "cells": []}}
        st.session_state[REGISTER_CONTENT_KEY] = identity
    picked = components.dataframe(fmt.display_arrow(lambda: found.assign(year=found["year"].astype(str)), view_columns,
                                                    dates=["assessed_date"], identity=identity), hide_index=True,
                                  on_select="rerun", selection_mode="single-row", key=REGISTER_KEY,
                                  height=min(380, 38 + 35 * max(1, len(found))), column_config=REGISTER_WIDTHS)
    chosen = [f"sökning ”{text.strip()}” i titel, beskrivning och ansvarig" if text.strip() else None,
              f"prioriterat område: {', '.join(areas)}" if areas else None,
              f"status: {', '.join(statuses)}" if statuses else None,
              f"organisation: {', '.join(orgs)}" if orgs else None,
              f"bedömd i: {', '.join(assessed_in)}" if assessed_in else None]
    chosen = [c for c in chosen if c]
    shown = (f"{fmt.integer(len(found))} av {fmt.integer(len(register))} åtgärder" if chosen
             else f"alla {fmt.integer(len(register))} åtgärder")
    exports.download_buttons("atgarder_register_dl", df=found, title=f"Åtgärdsregister – {sel.area_name}, {years}",
                             caption=table_caption(*chosen, shown), filename=components.file_name(f"atgardsregister-{sel.area_name}", sel, period=years),
                             columns=register_columns | {"kommun_name": "Kommun", "due": "När",
                                                         "operational_goal": "Operativa mål"})
    rows = picked.selection.rows if picked is not None else []
    if rows and rows[0] < len(found):
        measure = found.iloc[rows[0]]
        with st.container(border=True, key="atgarder_history"):
            st.markdown("**Vald åtgärd**")
            st.text(measure["title"])
            when = measure["assessed"] if isinstance(measure["assessed"], str) else None
            st.text(f"{measure['organisation']} · planår {measure['year']} · {measure['prioritised_area']} · "
                    f"status nu: {measure['status']}" + (f" (bedömd {when})" if when else ""))
            if isinstance(measure["description"], str) and measure["description"]:
                st.text(measure["description"])
            history = mq.history(measure["measure_id"])
            history_columns = {"followup_date": "Datum", "round": "Uppföljning", "assessed": "Bedömning i texten",
                               "round_status": "Status efter uppföljningen", "text": "Text"}
            if history.empty:
                st.info("Åtgärden har inga uppföljningar.")
            else:
                components.dataframe(fmt.display_arrow(history, history_columns), hide_index=True, key="atgarder_history_table",
                                     column_config={"Text": st.column_config.TextColumn(width="large")})
                # Its own plan's workbook, not the area's.
                one_plan = components.source_text((), workbooks=[f for f in [mq.workbook(measure["plan_id"])] if f])
                exports.download_buttons("atgarder_history_dl", df=history, title=f"Uppföljningar – {measure['title']}",
                                         caption=table_caption(source=one_plan), filename=f"uppfoljningar-{measure['measure_id']}",
                                         columns=history_columns)


# --- the tabs ---------------------------------------------------------------------------------
# One tab at a time is run (lazy tabs: a tab's .open is True only for the chosen one), so
# a new area, level or period computes the open tab's queries, figures and exports alone:
# at national scale a new level or area took 141 ms (median) with all five sections in one
# scroll and takes 57 ms in the first tab; opening another tab then costs 35-53 ms.
# The chosen tab is in the URL (the first tab is left out), so a shared link opens it.
# Widgets in a closed tab keep their values: the bound ones through the URL, the others
# through persist_state="page".
components.tab_sections({"Status": show_status, "Uppföljningar": show_rounds, "Står still": show_stuck,
                         "Analysbladet": show_analysis, "Register": lambda: measure_register(register)},
                        key=TAB_KEY)

components.data_note(suppressed=None, notes=[COUNT_NOTE, mq.CARRY_RULE])
