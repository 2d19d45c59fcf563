"""Rekryteringssignaler: trends by age band, sex, source and signal type for the selected
area, as counts and per 1 000 young people aged 12–17, with the small-count rule visible.

Everything shown comes protected from dashboard.queries.signals (dashboard/suppression.py).
"""

import pandas as pd
import streamlit as st

from dashboard import charts, components, exports, filters
from dashboard import formatting as fmt
from dashboard.queries import db_key, geo, signals
from dashboard.suppression import GRAIN_LABELS, coarser_level, count_suppressed

sel = filters.current_selection()
components.page_header("Rekryteringssignaler", sel, types=False)
SOURCES = ["rekryteringssignaler (polis, socialtjänst, skola, fritid, SiS/HVB)",
           "befolkning 12–17 år (SCB) för takten per 1 000"]

# A kommun whose signals are all recorded per lokalpolisområde, each covering other
# kommuner too (most kommuner), has no figures of its own: the page says so and leads to
# where they are, instead of controls that change nothing and exports of empty rows.
if (recording := signals.recorded_in(sel)) is not None:
    unrecorded = signals.unrecorded_note(sel, recording)
    st.info(unrecorded, icon=":material/location_off:")
    st.button(f"Visa {signals.area_phrase(recording.area)}", on_click=filters.set_area,
              args=(geo.level_of(recording.area), recording.area), key="signal_recorded_in", type="primary")
    components.data_note(sources=SOURCES[:1], suppressed=None)
    st.stop()

GRAINS = {"month": "Månad", "quarter": "Kvartal", "year": "År"}
SPLITS = {"total": "Totalt", **signals.DIMENSIONS}
MEASURES = {"count": "Antal signaler", "rate": "Per 1 000 unga 12–17 år"}
# A row that gives each control its own width (in equal columns "År" was cut off at 1366 px).
# The small gap keeps all three on one row at 1366 px (887 of 906 px); with a large one
# 'Mått' wrapped to a row of its own.
controls = st.container(horizontal=True, gap="small")
grain = controls.segmented_control("Tidsindelning", list(GRAINS), format_func=GRAINS.get, default="month",
                                   required=True, key="tid", bind="query-params") or "month"
split = controls.segmented_control("Uppdelning", list(SPLITS), format_func=SPLITS.get, default="total",
                                   required=True, key="uppdelning", bind="query-params") or "total"
measure = controls.segmented_control("Mått", list(MEASURES), format_func=MEASURES.get, default="count",
                                     required=True, key="matt_signal", bind="query-params") or "count"



def rate_decimals(grain: str) -> int:
    """Decimals of a rate per 1 000 on screen: one for a year's (as the whole period's and
    Jämförelse's), two for a month's or a quarter's, which are often below 1."""
    return 1 if grain == "year" else 2


def yearly_export(frame: pd.DataFrame, columns: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The per-year table as exported: the year a number ("År", 2025), so Excel sorts and
    charts it (the label "2025" was text), and the months a cut year holds in a column of
    their own ("Månader": "nov–dec"; "jan–dec" for a whole year) when the period cuts one,
    which the label said as "2024 (nov–dec)"."""
    years = [d.year for d in frame["period_start"]]
    held = [label[len(str(year)):].strip(" ()") or "jan–dec"
            for label, year in zip(frame["period_label"], years, strict=True)]
    out = frame.assign(year=years, months_held=held)
    rest = {k: v for k, v in columns.items() if k != "period_label"}
    cut = any(h != "jan–dec" for h in held)
    return out, {"year": columns["period_label"], **({"months_held": "Månader"} if cut else {}), **rest}


def label_periods(fig, frame, grain: str) -> None:
    """Hover texts, ticks and the alt text name quarters and years, not their first month."""
    if grain == "month":
        return
    names = dict(zip(frame["period_start"].astype(str), frame["period_label"], strict=False))
    for trace in fig.data:
        if trace.customdata is not None:
            trace.customdata = [[names.get(str(x)[:10], c[0]), c[1]] for x, c in zip(trace.x, trace.customdata,
                                                                                       strict=True)]
    # One tick per quarter or year, named as the table names it ("kvartal 2 2025", "2025");
    # plotly's own ticks fell on months ("2025-03") that are no quarter's, and with a year
    # format on a year or two it named one year under each of its months. Every second or
    # third name when there are many, so they do not overlap.
    starts = sorted(names)
    step = max(1, -(-len(starts) // 8))
    fig.update_xaxes(tickvals=starts[::step], ticktext=[names[s] for s in starts[::step]])
    if grain == "year":
        fig.update_xaxes(hoverformat="%Y")
    # charts.trend writes its alt text (shown under the chart) for months: "per månad
    # januari 2025 – oktober 2025", where oktober 2025 is the fourth quarter's first month.
    # Its month names are replaced by the periods' names.
    meta = dict(fig.layout.meta or {})
    alt = meta.get("alt", "").replace("per månad ", f"per {GRAIN_LABELS[grain]}, ")
    for start, label in names.items():
        alt = alt.replace(fmt.month(start), label)
    # A range of years takes an en dash without spaces (2020–2025); a year cut by the
    # period is named with its months ("2025 (nov–dec)") and keeps the spaced dash.
    if grain == "year" and names and all(label.isdigit() for label in names.values()):
        first, last = names[min(names)], names[max(names)]
        alt = alt.replace(f"{first} – {last}", f"{first}–{last}")
    fig.layout.meta = {**meta, "alt": alt}


def signal_trend(table, measure: str, dimension: str | None, title: str, y_title: str, grain: str):
    """The trend figure with period names (a fresh figure, adjusted: the built one is
    remembered and shared, see charts.remembered)."""
    if dimension is not None:
        # Lines and legend in the table's order of the categories ("under 12 år" first, as
        # in the table beside it), not alphabetical ("under 12 år" last).
        order = list(dict.fromkeys(table["category_label"].tolist()))
        table = table.assign(category_label=pd.Categorical(table["category_label"], categories=order))
    fig = charts.trend(table, "period_start", measure, None if dimension is None else "category_label",
                       title=title, y_title=y_title, x_title=GRAINS[grain],
                       decimals=0 if measure == "count" else rate_decimals(grain))
    label_periods(fig, table, grain)
    # charts.trend names the measure by the axis title: "Linjediagram över per 1 000 unga …"
    # read as a word left out. The rate is of signals, and the alt text says so.
    meta = dict(fig.layout.meta or {})
    if "alt" in meta:  # "Linjediagram över …", or "Stapeldiagram över …" for one period
        fig.layout.meta = {**meta, "alt": meta["alt"].replace("diagram över per ", "diagram över signaler per ", 1)}
    return fig


# Signals often arrive later than incidents: the page shows the period's months that
# have them and says so (months after the last are missing, not zero).
coverage = signals.coverage_note(sel)
if coverage:
    st.info(coverage, icon=":material/event_busy:")
if unplaced := signals.unplaced_note(sel):
    st.info(unplaced, icon=":material/location_off:")
if signals.months_covered(sel) is None:
    components.data_note(sources=SOURCES[:1], suppressed=0)
    st.stop()

dimension = None if split == "total" else split
# Shown only past half a second (Streamlit's delay): a calendar year's layers that the
# pipeline did not publish (a database built by another version) are protected here.
with st.spinner("Röjandeskyddet beräknas …", show_time=True):
    view = signals.signal_page(sel, dimension, grain)
view_grain, view_notices, mostly_suppressed = view.grain, view.notices, view.mostly_suppressed
table, summary = view.trend, view.summary
suppressed = count_suppressed(table, ["count"]) + count_suppressed(summary, ["count"])
# At most two boxes above the chart (there were up to five: two grain steps, a warning, the
# calendar years and the cut periods): how the periods are shown, then why values hide and
# what shows more, with its buttons.
# 1. The grain shown and why (too many months, most values hidden), and the quarters or
#    years the months cut: their bars are lower than a whole one's.
cut = signals.cut_note(sel, view_grain, chosen=view_grain == grain)
grain_note = " ".join([*view_notices, *([cut] if cut else [])])
if grain_note:
    st.info(grain_note, icon=":material/zoom_out:")
# 2. Every value is a sum of the calendar years' protected values: a period that cuts a
#    year hides more, and the whole years are a click away when they show more.
years = signals.years_showing_more(sel, dimension, view_grain) if suppressed else None
# This year's months are protected one by one until the year is whole: said in the same box.
running = signals.running_note(sel) if suppressed else None
years_note = " ".join(n for n in (years and signals.years_note(years, button=True), running) if n) or None
# The exports say why, not what to click: a lägesbild's reader has no Period to choose under.
export_years_note = " ".join(n for n in (years and signals.years_note(years, export=True),
                                         running and signals.running_note(sel, export=True)) if n) or None
parent = geo.parent(sel.area_code) if sel.area_level != "riket" and coarser_level(sel.area_level) else None
if mostly_suppressed and (parent or years):
    ways = [way for way, given in ((years and signals.years_label(years), years), ("en större geografi", parent))
            if given]
    st.warning(f"De flesta värdena för {sel.area_name} döljs även per {GRAIN_LABELS[view_grain]}. "
               + (f"{signals.YEARS_WHY} " if years else "")
               + f"Välj {' eller '.join(ways)} för att se mönstren." + (f" {running}" if running else ""),
               icon=":material/visibility_off:")
elif years_note:
    st.info(years_note, icon=":material/calendar_month:")
if (mostly_suppressed and parent) or years:
    left, right, _ = st.columns([1, 1, 2])
    if years:
        left.button(f"Visa {signals.years_label(years)}", on_click=filters.set_months, args=years,
                    key="signal_years")
    if mostly_suppressed and parent:
        (right if years else left).button(f"Visa {geo.area_name(parent)} i stället", on_click=filters.set_area,
                                          args=(geo.level_of(parent), parent), key="signal_coarser")

# Both tables are made from the database version, the area, the period, the grain asked
# for and the breakdown (signal_page's inputs): their display tables are remembered by
# that instead of by their pickled content (pickling and hashing them cost milliseconds
# on every rerun).
view_identity = (db_key(), sel.area_level, sel.area_code, sel.start, sel.end, grain, dimension, split)
# Why a ".." can hide a large number (a län's month beside a small one): under the chart
# and in the exports, which show the same "..".
large_note = signals.secondary_note(sel, view_grain) if suppressed else None


def export_caption(frame, *notes, rates: bool = True) -> str:
    """The caption of the export of ``frame``: how many counts THIS export hides (the
    trend's and the whole period's differ; each caption said the page's sum of both),
    with the export's own ``notes`` after the page's. ``rates=False`` for an export of
    counts alone (the chart of counts): its "Källa" names no population."""
    hidden = count_suppressed(frame, ["count"])
    return components.export_caption(sel, suppressed=hidden, data="rekryteringssignaler", types=False,
                                     sources=("rekryteringssignaler", *(("befolkning",) if rates else ())),
                                     notes=[coverage, unplaced, *notes, export_years_note if hidden else None,
                                            large_note if hidden else None])


y_title = MEASURES[measure]
title = f"Rekryteringssignaler per {GRAIN_LABELS[view_grain]}" + (f" och {SPLITS[split].lower()}" if dimension else "")

# The area with its level, as the captions name it: "Botkyrka (kommun)", not the
# lokalpolisområde Botkyrka (which covers Salem too).
fig = charts.remembered(signal_trend, table, measure, dimension, f"{title}, {sel.area_label}", y_title, view_grain)
components.chart(fig, key="signal_trend")
st.caption(fig.layout.meta.get("alt", "") if fig.layout.meta else "")
if large_note:
    st.caption(large_note)

# Without a breakdown every row's category is "Totalt": no column of its own (a column
# "Totalt" saying "Totalt" on every row, on screen and in the exports).
columns = {"period_label": GRAINS[view_grain], **({"category_label": SPLITS[split]} if dimension else {}),
           "count": "Antal", "rate": "Per 1 000 unga 12–17 år"}
# The exports' titles name the period, as the other pages' exports do.
period = fmt.period(sel.start, sel.end)
export_table, export_columns = yearly_export(table, columns) if view_grain == "year" else (table, columns)
# The table holds the rates beside the counts; a chart of counts alone uses no population.
exports.download_buttons("signal-trend", fig=fig, df=export_table, title=f"{title}, {sel.area_label}, {period}",
                         caption=export_caption(table, grain_note or None),
                         fig_caption=export_caption(table, grain_note or None, rates=measure == "rate"),
                         # The grain and breakdown in the name: each view's file kept apart.
                         filename=components.file_name(f"{title}, {sel.area_name}", sel),
                         columns=export_columns)

st.subheader("Hela perioden")
sum_columns = {"category_label": SPLITS[split], "count": "Antal", "share": "Andel",
               "rate": "Per 1 000 unga 12–17 år"}
# A rate over the whole period (or a year) takes one decimal, as Jämförelse shows the same
# rate (21,4 there stood beside 21,45 here); a month's or a quarter's smaller rate keeps two.
components.dataframe(fmt.display_arrow(summary, sum_columns, {"rate": 1}, share=["share"],
                                       identity=("signal_summary", *view_identity)),
                     hide_index=True, key="signal_summary")
# The file holds the rates as the table shows them (one decimal), for a report to match it.
exports.download_buttons("signal-summary", df=summary.assign(rate=fmt.rounded(summary["rate"], 1)),
                         title=f"Rekryteringssignaler, hela perioden, {sel.area_label}, {period}",
                         caption=export_caption(summary),
                         filename=components.file_name(f"rekryteringssignaler-hela-perioden-{SPLITS[split]}-{sel.area_name}",
                                                       sel),
                         columns=sum_columns)

with st.expander("Tabell per period", expanded=False):
    components.dataframe(fmt.display_arrow(table, columns, {"rate": rate_decimals(view_grain)},
                                           identity=("signal_table", *view_identity)),
                         hide_index=True, key="signal_table")

components.data_note(
    sources=SOURCES,
    suppressed=suppressed,
    notes=[*(note for note in (grain_note, coverage, unplaced, years_note) if note),
           "Värden kan också döljas när de annars kunde räknas fram ur en summa eller ur "
           "andra uppdelningar (sekundärt röjandeskydd); andelar och takter av dolda antal döljs.",
           "Takten är antal signaler per period delat med antalet unga 12–17 år i området "
           "(befolkningen 31 december samma år, annars senaste året före) × 1 000."],
)
