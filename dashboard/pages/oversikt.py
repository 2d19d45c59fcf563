"""Översikt (lägesbild): the selection's headline figures against the same months a year
earlier, a trend, a small map and the areas that changed most."""

import streamlit as st

from dashboard import components
from dashboard.filters import current_selection

# The title before the figure and map libraries load: this is the first page a new
# server shows, and the imports below cost a noticeable part of a cold start.
sel = current_selection()
components.page_header("Översikt – lägesbild", sel)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from dashboard import charts, exports, maps  # noqa: E402
from dashboard import formatting as fmt  # noqa: E402
from dashboard.queries import db_key, floats, geo, incidents, overview, signals  # noqa: E402

# "Vad förändrades mest" on screen: short headings and narrow number columns, with the full
# wording (the export's headers, the keys here) as each column's help. With the full
# headings the table took 624 px of the 466 an 800 px window gives the page (sidebar open);
# now the numbers take 324 and the area's name the rest ("Haninge/Nynäshamn" is whole).
CHANGE_HEADINGS = {
    "Antal": st.column_config.TextColumn(width=52, help="Antal händelser under perioden."),
    "Ett år tidigare": st.column_config.TextColumn(
        "Året innan", width=74, help="Ett år tidigare: antalet samma månader året innan."),
    "Förändring antal": st.column_config.TextColumn(
        "Förändr.", width=64, help="Förändring antal: mot samma månader ett år tidigare."),
    "Förändring antal (%)": st.column_config.TextColumn(
        "%", width=52, help="Förändring antal (%): mot samma månader ett år tidigare, i procent."),
    "Per 100 000 invånare": st.column_config.TextColumn(
        "Per 100 000", width=82, help="Per 100 000 invånare: händelser under perioden."),
}


def trend_frame(sel, monthly: pd.DataFrame, previous: bool) -> pd.DataFrame:
    """The trend's long frame: the period and (when the data reach back, ``previous``) the
    same months a year earlier, one series each (counts as floats, NaN where missing).
    Built from arrays: a concat of two assigned frames cost ~8 ms per new selection."""
    months = monthly["month"].to_numpy()
    if not previous:
        return pd.DataFrame({"month": months, "incidents": floats(monthly["incidents"]),
                             "series": ["Vald period"] * len(months)})
    prev_start, prev_end = sel.previous
    # Short names: a legend entry never wraps, and "Ett år tidigare (januari 2024 – december
    # 2024)" was cut in Översikt's column of an 800 px window.
    labels = [fmt.short_period(sel.start, sel.end), f"Ett år tidigare ({fmt.short_period(prev_start, prev_end)})"]
    return pd.DataFrame({
        "month": np.concatenate([months, months]),
        "incidents": np.concatenate([floats(monthly["incidents"]), floats(monthly["incidents_prev"])]),
        # In this order (charts.trend sorts by the series): the chosen period first in the
        # legend and in the main colour, the year before second (by name it came first).
        "series": pd.Categorical([label for label in labels for _ in months], categories=labels),
    })


def trend_figure(sel, monthly: pd.DataFrame, previous: bool, title: str):
    """The month-by-month figure."""
    return charts.trend(trend_frame(sel, monthly, previous), "month", "incidents", "series", title=title,
                        y_title="Antal händelser")


def monthly_trend(database: tuple[str, str], sel, title: str):
    """The month-by-month figure, remembered by these small arguments (charts.remembered)
    rather than by the frame's content, which cost a concat and a pickle per rerun.
    ``database`` (db_key) is only part of the remembered key."""
    del database
    return trend_figure(sel, incidents.monthly(sel), incidents.has_previous(sel.start), title)


prev_start, prev_end = sel.previous
compare = f"mot samma månader ett år tidigare ({fmt.period(prev_start, prev_end)})"
suppressed = 0

# --- headline figures ---------------------------------------------------------------------
head = incidents.headline_counts(sel)
sig = signals.signal_total_counts(sel)
ach = overview.achieved_share(sel)
if incidents.has_previous(sel.start):
    st.caption(f"Förändring mot samma månader ett år tidigare ({fmt.period(prev_start, prev_end)}).")
else:  # the figures then show no change: say why instead of naming a comparison there is not
    st.caption(f"Ingen förändring visas: händelserna når inte tillbaka till samma månader ett år tidigare "
               f"({fmt.period(prev_start, prev_end)}).")
caveats = []  # what the page says about its figures, carried into its exports
if ongoing := incidents.ongoing_note(sel):
    st.warning(ongoing, icon=":material/event_busy:")
    caveats.append(ongoing)
# An LPO, polisområde or kommun cannot count the incidents a source placed only in a
# kommun it shares with others (the police feed names Stockholm, never Södermalm), or only
# in the län: said next to the figures, which would otherwise look like nothing happened.
if sel.area_level in ("kommun", "lpo", "polisomrade") and (
        unplaced := incidents.unplaced_note(incidents.unplaced(sel, sel.area_level), sel.area_level)):
    st.info(unplaced, icon=":material/location_off:")
    caveats.append(unplaced)


CHANCE_HELP = ("Förändringen mot ett år tidigare ligger inom slumpens variation: den kan vara slump "
               "(exakt test av de två antalen, 5 %-nivån), och visas därför i grått.")
within_chance_shown = False


def delta_style(delta: str | None, colour: str = "normal", counts: tuple | None = None) -> dict:
    """The card's colour and arrow by the delta's sign (components.delta_look: its "−" is
    U+2212, as in the tables); grey and without an arrow when nothing changed (Streamlit
    would draw '±0' as a rise). With ``counts`` (now, a year earlier), a change that chance
    could explain is grey too, with its arrow: 5 explosions becoming 7 was a red
    "+2 (+40,0 %)" on a region's card, the alarm Jämförelse's test (≈) would not raise."""
    global within_chance_shown
    look = components.delta_look(delta, colour)
    if look.get("delta_arrow") in ("up", "down") and counts is not None and charts.change_within_chance(
            float(counts[0]), float(counts[1])):
        within_chance_shown = True
        return {**components.delta_look(delta, "off"), "chance": True}
    return look


def card(container, label: str, value: str, delta: str | None, style: dict, **kwargs) -> None:
    """A headline card; a change within chance says so in the help (``style["chance"]``)."""
    style = dict(style)
    chance = style.pop("chance", False)
    container.metric(label, value, delta, **style, border=True,
                     help=card_help(kwargs.pop("help", None), CHANCE_HELP if chance else None), **kwargs)


def card_help(*parts: str | None) -> str | None:
    return " ".join(p for p in parts if p) or None


# With incident types chosen, a card of their own comes first, on a row of its own (a sixth
# card in the row cut every label short); the fixed cards keep their own types (an
# intersection, "skjutningar among inbrott and stöld", would read as none) and say so.
chosen_types = bool(sel.incident_types)
if chosen_types:
    now, before = incidents.chosen_counts(sel)
    delta = components.count_delta(now, before)
    chosen_card, chosen_text = st.columns([2, 3], vertical_alignment="center")
    card(chosen_card, f"Valda händelsetyper: {sel.types_label()}", fmt.integer(now), delta,
         delta_style(delta, "inverse", (now, before)))
    chosen_text.caption("Valet av händelsetyper gäller det här kortet, diagrammet, kartan och tabellen. "
                        "Korten nedan räknar alltid sina egna typer och följer inte valet.")
# One row that wraps: each card as wide as its label and figures need, stretched to fill the
# row. In five columns a narrow window (800 px, sidebar open) cut the figures themselves to
# "1 …" and the labels to "Skjut…"; equal columns had also cut "Rekryteringssignaler" at
# 1280 px (a metric's label never wraps).
cards = st.container(horizontal=True, gap="small", key="oversikt_cards")
for group, label in (("skjutningar", "Skjutningar"), ("explosioner", "Explosioner"), ("våld", "Våld")):
    now, before = head[group]
    delta = components.count_delta(now, before)
    card(cards, label, fmt.integer(now), delta, delta_style(delta, "inverse", (now, before)),
         help=f"{components.HEADLINE_HELP[group]} Följer inte valet av händelsetyper." if chosen_types else None)
# Hidden (..), missing (–: no month with signals, or a kommun whose signals are recorded
# per LPO) or counted: the query layer's rule (signals.area_cells), as on Karta and Jämförelse.
(sig_now, now_hidden, now_missing), (sig_before, before_hidden, before_missing) = sig["nu"], sig["ett år tidigare"]
suppressed += int(now_hidden) + int(before_hidden)
delta = (None if now_hidden or before_hidden or now_missing or before_missing or not signals.has_previous(sel)
         else components.count_delta(sig_now, sig_before))
card(cards, "Rekryteringssignaler",
     fmt.SUPPRESSED if now_hidden else fmt.MISSING if now_missing else fmt.integer(sig_now),
     delta, delta_style(delta, "inverse", (sig_now, sig_before)))
share_now, share_before = ach["share"], ach["share_prev"]
delta = components.points_delta(share_now, share_before)
card(cards, "Åtgärder uppnådda", fmt.share(share_now) if pd.notna(share_now) else fmt.MISSING,
     delta, delta_style(delta))
st.caption(
    ("Skjutningar, explosioner och våld följer inte valet av händelsetyper. " if chosen_types else "")
    + "Våld: mord/dråp, våldsbrott, rån och hot. Rekryteringssignaler: alla källor och signaltyper; små antal "
    "visas som ”..” för att skydda enskilda barn. " + overview.achieved_note(ach)
    + (" En förändring i grått ligger inom slumpens variation (den kan vara slump)." if within_chance_shown else "")
)
# Signals often arrive later than incidents: counted over their months only, and said so.
if coverage := signals.coverage_note(sel):
    st.caption(coverage)
if no_change := signals.previous_note(sel):
    st.caption(no_change)
if unplaced_signals := signals.unplaced_note(sel):
    st.caption(unplaced_signals)
# Hidden because the period cuts a calendar year: said only where whole years show it.
if (now_hidden or before_hidden) and (years := signals.years_revealing(sel, sel.area_level, [sel.area_code])):
    st.caption(signals.years_note(years))
# Hidden because this year's months are protected one by one until it is whole.
if now_hidden and (running := signals.running_note(sel)):
    st.caption(running)

# --- trend and map --------------------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    monthly = incidents.monthly(sel)
    title = f"Händelser per månad – {sel.area_label}"
    fig = charts.remembered(monthly_trend, db_key(), sel, title)
    components.chart(fig, key="oversikt_trend")
    st.caption(f"{sel.types_label().capitalize()}. Linjen för ett år tidigare är flyttad fram tolv "
               "månader så att samma månader ligger över varandra.")
    caption = components.export_caption(sel, suppressed=None, unprotected=components.INCIDENTS_UNPROTECTED,
                                                    notes=caveats)
    # The export's title names the period, as the other pages' exports do (the legend names
    # it only when there is a year before to compare with).
    exports.download_buttons("oversikt_trend_dl", fig=fig, df=monthly, title=f"{title}, {fmt.period(sel.start, sel.end)}",
                             caption=caption,
                             filename=components.file_name(title, sel),
                             columns={"month": "Månad", "incidents": "Antal",
                                                      "incidents_prev": "Antal ett år tidigare"})

child_level = geo.CHILD_LEVEL.get(sel.area_level) or sel.area_level
scope = geo.scope(child_level, sel.area_level, sel.area_code)
per_area = incidents.by_area(sel, child_level, scope.codes)
child_unplaced = incidents.unplaced_note(incidents.unplaced(sel, child_level), child_level)
with right:
    st.markdown(f"**Antal händelser, {scope.description}**")
    geometry = geo.geometry(child_level, scope.codes)
    deck = maps.area_layer(geometry, per_area, "incidents", "Antal händelser",
                           selected=sel.area_code, width=380, height=330)
    components.show_deck(deck, "Antal händelser", key="oversikt_map", height=330)
    st.caption("Sidan Karta i menyn har fler mått, och där kan du klicka dig ner i områdena.")
    # The map's own PNG/SVG (and the counts it draws), as Karta's maps have: the same
    # figure of the areas (maps.choropleth_figure), built only when a download is asked for.
    map_name = f"Antal händelser, {scope.description}"
    map_title = f"{map_name}, {fmt.period(sel.start, sel.end)}"
    map_notes = list(dict.fromkeys(n for n in (*caveats, child_unplaced) if n))  # a kommun's own level: once
    if geometry["approximate"].any():
        map_notes.append(f"{maps.APPROX_OUTLINE} och ”(ungefärlig gräns)”: lokalpolisområden och polisområden som "
                         "delar en kommun har uppskattade gränser.")
    exports.download_buttons("oversikt_map_dl",
                             fig=lambda g=geometry, v=per_area, t=map_title:
                             maps.choropleth_figure(g, v, "incidents", "Antal händelser", title=t),
                             df=per_area.sort_values(["incidents", "name"], ascending=[False, True]),
                             columns={"name": geo.LEVEL_LABELS[child_level], "incidents": "Antal händelser"},
                             title=map_title,
                             caption=components.export_caption(sel, suppressed=None, notes=map_notes,
                                                               unprotected=components.INCIDENTS_UNPROTECTED),
                             filename=components.file_name(map_name, sel))

# --- what changed most --------------------------------------------------------------------
st.subheader("Vad förändrades mest")
if per_area.empty or not incidents.has_previous(sel.start):
    st.info("Ingen jämförelse med ett år tidigare: data saknas för den perioden.")
else:
    top = per_area.assign(abs_change=per_area["change"].abs()).sort_values(
        ["abs_change", "incidents"], ascending=False).head(10)
    columns = {"name": geo.LEVEL_LABELS[child_level], "incidents": "Antal", "incidents_prev": "Ett år tidigare",
               "change": "Förändring antal", "change_pct": "Förändring antal (%)",
               "per_100k": "Per 100 000 invånare"}
    st.caption(f"{scope.description[:1].upper() + scope.description[1:]}, de {len(top)} med störst förändring "
               f"i antal: {sel.types_label()}, {fmt.period(sel.start, sel.end)} {compare}.")
    # Short headings on screen, the full wording as each column's help and in the export: with
    # the full headings the table was 624 px wide in the 466 px an 800 px window gives it.
    components.dataframe(fmt.display_arrow(top, columns, decimals={"change_pct": 1, "per_100k": 1},
                                           signed=["change", "change_pct"]),
                         hide_index=True, key="oversikt_change", column_config=CHANGE_HEADINGS)
    # The title says which areas and months the table ranks ("Vad förändrades mest" alone, pasted
    # into a report, named neither; the caption's "Urval: Botkyrka" is the selected kommun, not
    # the län's kommuner ranked).
    exports.download_buttons("oversikt_change_dl", df=top,
                             title=f"Vad förändrades mest – {scope.description}, {fmt.period(sel.start, sel.end)}",
                             caption=components.export_caption(sel, suppressed=None, notes=caveats,
                                                               unprotected=components.INCIDENTS_UNPROTECTED,
                                                               sources=("händelser", "befolkning")),
                             filename=components.file_name(f"forandring-{sel.area_name}", sel), columns=columns)

components.data_note(suppressed=suppressed, notes=[child_unplaced])
