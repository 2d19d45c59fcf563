"""The shared filters: geography, period and incident types, kept in the URL.

Every filter widget is bound to a query parameter (Streamlit's ``bind="query-params"``),
so the address in the browser always describes the view and a copied link reopens it.
Parameters hold what the widget shows (area names, "mars 2025"), so links are readable.
A parameter that no longer fits (an unknown area, a month outside the data, an unknown
incident type) is reported with a notice and the filter falls back to its default;
Streamlit then drops it from the URL.

Parameters: ``niva`` (level), ``omrade`` (area), ``period`` (a quick choice or
"Välj månader"), ``fran`` and ``till`` (months, with "Välj månader") and ``typ``
(incident types, repeated). Defaults are left out of the URL. A link may also name the
level and area by code or in any letter case (``?niva=kommun&omrade=1280``, or the area
code alone); it is rewritten to the labels when it is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from dashboard import formatting as fmt
from dashboard.periods import CUSTOM, LAST_12, PERIODS, PREVIOUS_YEAR, YEAR_TO_DATE, preset_range  # noqa: F401 (the sidebar's names)
from dashboard.queries import geo, incidents, months_without_incidents

KEY_LEVEL = "niva"
KEY_AREA = "omrade"
KEY_PERIOD = "period"
KEY_FROM = "fran"
KEY_TO = "till"
KEY_TYPES = "typ"


_STATE = "_selection"
_RANGE = "_period_range"
_FRAME = "_frame_draws_filters"


@dataclass(frozen=True)
class Selection:
    """What the user has chosen. ``start``/``end`` are first days of months (inclusive);
    an empty ``incident_types`` means every type."""

    area_level: str
    area_code: str
    start: date
    end: date
    incident_types: tuple[str, ...] = ()
    area_name: str = field(default=geo.RIKET_NAME, compare=False)
    period_label: str = field(default="", compare=False)

    @property
    def previous(self) -> tuple[date, date]:
        """The same months a year earlier."""
        return incidents.previous_period(self.start, self.end)

    @property
    def months(self) -> int:
        """Number of months in the period."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def with_area(self, level: str, code: str, name: str) -> Selection:
        """The same selection for another area."""
        return Selection(level, code, self.start, self.end, self.incident_types, name, self.period_label)

    def types_label(self) -> str:
        """Swedish text for the chosen incident types."""
        if not self.incident_types:
            return "alla händelsetyper"
        return ", ".join(self.incident_types)

    def describe(self, *, types: bool = True) -> str:
        """One line for captions and exports: area, period and types (``types=False`` for
        views the incident types do not filter, such as recruitment signals)."""
        level = "" if self.area_level == "riket" else f" ({geo.LEVEL_LABELS[self.area_level].lower()})"
        text = f"{self.area_name}{level} · {fmt.period(self.start, self.end)}"
        return f"{text} · {self.types_label()}" if types else text


def month_options(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last`` (first days)."""
    out, d = [], first
    while d <= last:
        out.append(d)
        d = incidents.shift_months(d, 1)
    return out


def _month_label(d: date) -> str:
    return fmt.month(d)


def _unique_labels(level: str) -> dict[str, str]:
    """code -> display name for a level's areas in name order; names are unique within
    the level (a parent's name is added to twins)."""
    return dict(_level_labels(geo.db_key(), level))


@st.cache_data(max_entries=16, show_spinner=False)
def _level_labels(key: tuple[str, str], level: str) -> tuple[tuple[str, str], ...]:
    # (code, label) in name order; cached per database version and level (the sidebar
    # draws this list on every rerun of every page).
    idx = geo.area_index(key)
    codes = sorted(idx.by_level.get(level, ()), key=idx.names.__getitem__)
    labels = {c: str(idx.names[c]) for c in codes}
    seen: dict[str, int] = {}
    for name in labels.values():
        seen[name] = seen.get(name, 0) + 1
    for c, name in list(labels.items()):
        if seen[name] > 1:
            parent = idx.parents.get(c)
            labels[c] = f"{name} ({idx.names.get(parent, parent) if isinstance(parent, str) else c})"
    return tuple(labels.items())


def _matching(given: str, labels: dict[str, str]) -> str | None:
    """The code whose code or label ``given`` names, in any letter case, else None."""
    folded = given.strip().casefold()
    return next((code for code, label in labels.items() if folded in (code.casefold(), label.casefold())), None)


def _links_by_code() -> None:
    """Let a link name its level and area by code or in any letter case
    (``?niva=kommun&omrade=1280``, ``?omrade=1280``, ``?niva=Kommun&omrade=malmö``), as links written by
    hand or by another system do. Streamlit seeds a bound widget only from the label it
    shows, so such an address is rewritten to the labels and the run starts again, before
    any widget exists (a session's first run): the page opens on the area, and the
    address is the one a copied link would have."""
    if KEY_LEVEL in st.session_state or KEY_AREA in st.session_state:
        return  # the widgets exist: the address is theirs
    given_level, given_area = st.query_params.get(KEY_LEVEL), st.query_params.get(KEY_AREA)
    if not given_level and not given_area:
        return
    levels = {lvl: geo.LEVEL_LABELS[lvl] for lvl in geo.levels_available()}
    if given_level:
        level = _matching(given_level, levels)
    else:  # an area code alone names its level too (codes are unique across levels)
        level = geo.level_of(given_area.strip().upper()) if given_area else None
        level = level if level in levels and level != "riket" else None
    if level is None:
        return  # an unknown level is reported by the sidebar
    rewritten = {KEY_LEVEL: levels[level]}
    if given_area:
        labels = _unique_labels(level)
        code = _matching(given_area, labels)
        if code is not None:
            rewritten[KEY_AREA] = labels[code]
    if any(st.query_params.get(key) != value for key, value in rewritten.items()):
        for key, value in rewritten.items():
            st.query_params[key] = value
        st.rerun()


def _unknown(key: str, valid: set[str]) -> list[str]:
    """URL values for ``key`` that the widget will not accept (read before the widget)."""
    return [v for v in st.query_params.get_all(key) if v != "" and v not in valid]


def _notice(notices: list[str], text: str) -> None:
    notices.append(text)


def _on_period_change() -> None:
    # Switching to "Välj månader" starts from the range that was in effect, so the
    # view does not jump; the months are then explicit in the URL.
    if st.session_state.get(KEY_PERIOD) == CUSTOM and _RANGE in st.session_state:
        start, end = st.session_state[_RANGE]
        st.session_state[KEY_FROM] = start
        st.session_state[KEY_TO] = end


def sidebar() -> Selection:
    """Draw the filters in the sidebar and return the selection (also kept for pages)."""
    _links_by_code()
    notices: list[str] = []
    first, last = incidents.month_range()
    levels = geo.levels_available()
    with st.sidebar:
        st.subheader("Urval")

        # Geography: a level, then an area of that level.
        level_labels = {lvl: geo.LEVEL_LABELS[lvl] for lvl in levels}
        bad = _unknown(KEY_LEVEL, set(level_labels.values()))
        if bad:
            _notice(notices, f"Okänd nivå '{bad[0]}' i länken; visar hela landet.")
        level = st.selectbox("Geografisk nivå", levels, format_func=level_labels.get, key=KEY_LEVEL,
                             bind="query-params",
                             help="Polisens indelning: polisregion → polisområde → lokalpolisområde. "
                                  "Administrativ: län → kommun.")
        labels = _unique_labels(level)
        codes = list(labels)
        bad = _unknown(KEY_AREA, set(labels.values()))
        if bad:
            _notice(notices, f"Området '{bad[0]}' finns inte på nivån {level_labels[level].lower()}; "
                             "visar det första i listan.")
        code = st.selectbox("Område", codes, format_func=labels.get, key=KEY_AREA, bind="query-params",
                            disabled=(level == "riket"))

        # Period: a quick choice relative to the data, or explicit months.
        if first is None:
            st.info("Databasen innehåller inga händelser ännu.")
            # The period then spans the signals and plan years there are (a kommun that
            # has loaded only its action plan sees it), else this month.
            first, last = months_without_incidents()
            if first is None:
                first = last = date.today().replace(day=1)
        bad = _unknown(KEY_PERIOD, set(PERIODS))
        if bad:
            _notice(notices, f"Okänd period '{bad[0]}' i länken; visar {LAST_12.lower()}.")
        choice = st.selectbox("Period", PERIODS, key=KEY_PERIOD, bind="query-params",
                              on_change=_on_period_change)
        # The quick choices end with the last complete month: the month still running
        # (the police feed's current month) against a whole month a year earlier looked
        # like a fall. Chosen months may include it (Översikt then says it is not whole).
        complete = incidents.last_complete()
        ongoing = complete is not None and first <= complete < last
        start, end = preset_range(choice, first, complete if ongoing else last)
        if choice == CUSTOM:
            months = month_options(first, last)
            valid = {_month_label(m) for m in months}
            for key, what in ((KEY_FROM, "Från"), (KEY_TO, "Till")):
                bad = _unknown(key, valid)
                if bad:
                    _notice(notices, f"{what}-månaden '{bad[0]}' finns inte i data "
                                     f"({fmt.period(first, last)}); visar {LAST_12.lower()}.")
            default_start, default_end = st.session_state.get(_RANGE, (start, end))
            if st.session_state.get(KEY_FROM) not in months:
                st.session_state.pop(KEY_FROM, None)
            if st.session_state.get(KEY_TO) not in months:
                st.session_state.pop(KEY_TO, None)
            # One under the other: side by side in the sidebar each box was 54 px wide
            # inside, so "september 2026" showed as "septe" and the chosen months could
            # not be read.
            picked_start = st.selectbox("Från", months, index=None, format_func=_month_label,
                                        key=KEY_FROM, bind="query-params", placeholder="Från månad")
            picked_end = st.selectbox("Till", months, index=None, format_func=_month_label,
                                      key=KEY_TO, bind="query-params", placeholder="Till månad")
            start = picked_start or (default_start if default_start in months else start)
            end = picked_end or (default_end if default_end in months else end)
            if start > end:
                _notice(notices, "Från-månaden låg efter till-månaden; de har bytt plats.")
                start, end = end, start
        ongoing_note = (f" {fmt.month(last).capitalize()} är inte hel ännu och ingår bara om du väljer månaderna."
                        if ongoing else "")
        st.caption(f"Period: {fmt.period(start, end)}. Data finns {fmt.period(first, last)}.{ongoing_note}")

        # Incident types (none chosen = every type).
        types = list(incidents.types_present())
        bad = _unknown(KEY_TYPES, set(types))
        if bad:
            _notice(notices, f"Okänd händelsetyp {', '.join(repr(b) for b in bad)} i länken; den hoppas över.")
        chosen = st.multiselect("Händelsetyper", types, key=KEY_TYPES, bind="query-params",
                                placeholder="Alla typer")

        for text in notices:
            st.warning(text, icon=":material/link_off:")
        st.caption("Adressen i webbläsaren återger urvalet: kopiera den för att dela vyn.")

    for text in notices:
        st.toast(text, icon=":material/link_off:")
    st.session_state[_RANGE] = (start, end)
    name = geo.RIKET_NAME if level == "riket" else geo.area_name(code)
    sel = Selection(level, code if level != "riket" else geo.RIKET, start, end,
                    tuple(t for t in types if t in set(chosen)), name, choice)
    st.session_state[_STATE] = sel
    return sel


def frame_sidebar() -> Selection:
    """The frame's call (dashboard/app.py): draw the filters before the page runs."""
    st.session_state[_FRAME] = True
    return sidebar()


def current_selection() -> Selection:
    """The selection the sidebar made in this run.

    A page run on its own, without the frame (``AppTest.from_file`` on the page file, or
    ``streamlit run dashboard/pages/karta.py``), draws the filters itself.
    """
    if not st.session_state.get(_FRAME):
        _leave_legacy_page_mode()
        return sidebar()
    sel = st.session_state.get(_STATE)
    if sel is not None:
        return sel
    return sidebar()


def _leave_legacy_page_mode() -> None:
    """Rerun through the frame when Streamlit ran this page on its own.

    The design keeps the page scripts in ``dashboard/pages/`` beside ``app.py``. Streamlit
    then starts in its legacy pages-directory mode until some session has called
    ``st.navigation``, so the very first visitor after a restart who opens a deep link
    (``/karta?…``) would get the page without the frame (file names in the sidebar, no
    page config). Leaving that mode and rerunning makes ``app.py`` route the same URL.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def drill_down(state_key: str, shown_level: str, reset: dict | None = None) -> None:
    """Map click callback: select the clicked area of ``shown_level`` in the filter (and
    the URL), and set the page's own widgets in ``reset`` (e.g. the map level back to
    "the level below the selection", so the map moves one level down)."""
    from dashboard import maps

    code = maps.selected_area(st.session_state.get(state_key))
    if code:
        set_area(shown_level, code)
        for key, value in (reset or {}).items():
            st.session_state[key] = value


def set_area(level: str, code: str) -> None:
    """Point the geography filter at an area (for drill-down callbacks; updates the URL)."""
    st.session_state[KEY_LEVEL] = level
    st.session_state[KEY_AREA] = code
