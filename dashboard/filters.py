"""The shared filters: geography, period and incident types, kept in the URL.

Every filter widget is bound to a query parameter (Streamlit's ``bind="query-params"``),
so the address in the browser always describes the view and a copied link reopens it.
Parameters hold what the widget shows (area names, "mars 2025"), so links are readable.
A parameter that no longer fits (an unknown level or area, a month outside the data, an
unknown incident type) is reported with a notice and the filter falls back to its default
(the whole country for the geography); Streamlit then drops it from the URL.

Parameters: ``niva`` (level), ``omrade`` (area), ``period`` (a quick choice by its name,
"Hittills i år", or "Välj månader"; older links naming the months too still open the
choice), ``fran`` and ``till`` (months, with "Välj månader") and ``typ``
(incident types, repeated), and the setting ``skarmlasare`` (tables for screen readers,
``true`` when on; ``1``, ``ja`` and ``på`` open it too, see :func:`screen_reader_tables`).
Defaults are left out of the URL. A link may also name the
level and area by code or in any letter case (``?niva=kommun&omrade=1280``, or the area
code alone); it is rewritten to the labels when it is opened. An area that is not on the
named level opens on its own level (see :func:`address_target`), and choosing another
level keeps to the place shown (:func:`related_area`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import streamlit as st

from dashboard import formatting as fmt
from dashboard import periods
from dashboard.periods import CUSTOM, LAST_12, PERIODS, PREVIOUS_YEAR, YEAR_TO_DATE, preset_range  # noqa: F401 (the sidebar's names)
from dashboard.queries import by_version, geo, incidents, months_without_incidents

KEY_LEVEL = "niva"
KEY_AREA = "omrade"
KEY_PERIOD = "period"
KEY_FROM = "fran"
KEY_TO = "till"
KEY_TYPES = "typ"
KEY_SCREEN_READER = "skarmlasare"

# How a link may write the screen-reader setting besides Streamlit's own "true"/"false"
# (any letter case): what a person or another system types by hand.
_SCREEN_READER_ON = frozenset({"1", "ja", "på", "pa", "on", "yes"})
_SCREEN_READER_OFF = frozenset({"0", "nej", "av", "off", "no"})
SCREEN_READER_LABEL = "Tabeller för skärmläsare"
SCREEN_READER_HELP = ("Tabellerna skickas som de texter som visas, så att en skärmläsare läser ”1 234”, "
                      "”..” (dolt värde) och ”–” (saknas) som de står på skärmen. Ett klick på en "
                      "kolumnrubrik sorterar då kolumnen som text.")


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

    @property
    def area_label(self) -> str:
        """The area with its level, as captions and exports name it: "Botkyrka (kommun)"
        ("Botkyrka" alone is also a lokalpolisområde, which covers Salem too)."""
        level = geo.LEVEL_LABELS.get(self.area_level, "").lower()
        # Not "Stockholms län (län)" or "Polisområde Dalarna (polisområde)": the name says it.
        if self.area_level == "riket" or not level or level in self.area_name.lower().split():
            return self.area_name
        return f"{self.area_name} ({level})"

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
        text = f"{self.area_label} · {fmt.period(self.start, self.end)}"
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


@by_version
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


# A level and an area read from the address are applied in the next run, before the widgets
# exist (on Back or Forward Streamlit seeds the widgets from the address, over any value
# the script sets in that run).
_PENDING = "_address_pending"
_ADDRESS_NOTICE = "_address_notice"
# The (niva, omrade) the sidebar put in the address in the last run.
_SHOWN = "_address_shown"
POLICE_LEVELS = ("polisregion", "polisomrade", "lpo")
ADMIN_LEVELS = ("lan", "kommun")


def _url_form(level: str, code: str | None) -> tuple[str | None, str | None]:
    """The (niva, omrade) parameters that show ``level`` and ``code`` (none for riket)."""
    if level == "riket":
        return None, None
    return geo.LEVEL_LABELS[level], _unique_labels(level).get(code) if code else None


def _levels_to_search(level: str | None, available: list[str]) -> list[str]:
    """Where to look for an area the address names: its own level first, then the other
    levels of the same hierarchy, nearest (and coarser) first, then the other hierarchy."""
    order = [*POLICE_LEVELS, *ADMIN_LEVELS]
    if level in order:
        same = POLICE_LEVELS if level in POLICE_LEVELS else ADMIN_LEVELS
        order = sorted(same, key=lambda lvl: abs(same.index(lvl) - same.index(level))) + [
            lvl for lvl in order if lvl not in same]
    return [lvl for lvl in order if lvl in available]


def address_target(given_level: str | None, given_area: str | None) -> tuple[str, str, str | None] | None:
    """(level, area code, notice) that an address's ``niva`` and ``omrade`` name, or None when
    they name no area (the whole country, or an unknown level, which the sidebar reports).

    The level and the area may be written by code or in any letter case. An area that is
    not on the given level opens on its own level: the nearest level of the same
    hierarchy (``niva=Polisområde&omrade=Region Mitt`` is Region Mitt, the polisregion).
    A level without an area, or an area that is on no level, opens the whole country
    with a notice, rather than the first area in a list."""
    levels = {lvl: geo.LEVEL_LABELS[lvl] for lvl in geo.levels_available()}
    level = _matching(given_level, levels) if given_level else None
    if (given_level and level is None) or level == "riket":
        return None
    if not given_area:
        if level is None:
            return None
        return "riket", geo.RIKET, (f"Länken anger nivån {levels[level].lower()} men inget område; "
                                             "visar hela landet.")
    for candidate in _levels_to_search(level, list(levels)):
        code = _matching(given_area, _unique_labels(candidate))
        if code is not None:
            return candidate, code, None
    where = f" på nivån {levels[level].lower()} eller någon annan nivå" if level else ""
    return "riket", geo.RIKET, f"Området '{given_area.strip()}' finns inte{where}; visar hela landet."


def _read_address() -> str | None:
    """Read the level and area from the address when it, not the widgets, decides them;
    returns a notice to show, if any.

    The address decides in a session's first run (a link opened) and after Back or
    Forward. An address the widgets cannot take as it is (codes, another letter case, an
    area that is not on the level, a level without an area) is turned into the level and
    area it names: in the first run by rewriting the address before any widget exists,
    later by setting the widgets in a new run. Browser history holds such addresses: a
    click on the map changes the level and the area, and Streamlit records each change
    as a step of its own, so the step between names the new level with the old area; read
    as the area on its own level, Back shows the view before the click. From the whole
    country's map the step between names the level alone: read as the whole country, without
    the notice a link naming a level alone gets (the user opened no such link)."""
    pending = st.session_state.pop(_PENDING, None)
    if pending is not None:
        level, code, notice = pending
        st.session_state[KEY_LEVEL] = level
        st.session_state[KEY_AREA] = code
        return notice
    notice = st.session_state.pop(_ADDRESS_NOTICE, None)
    given = (st.query_params.get(KEY_LEVEL) or None, st.query_params.get(KEY_AREA) or None)
    widgets = KEY_LEVEL in st.session_state
    if widgets:
        # The user chose another level: the address has the new level and still the area
        # shown before (the level's callback has chosen the new area).
        now = _url_form(st.session_state[KEY_LEVEL], None)[0]
        if given[0] == now and given[1] == st.session_state.get(_SHOWN, (None, None))[1]:
            return notice
    target = address_target(*given)
    if target is None:
        return notice
    level, code, target_notice = target
    if widgets and not given[1]:
        # A level without an area within a session is that step between, never a link.
        target_notice = None
    wanted = _url_form(level, code)
    if wanted == given:
        return notice or target_notice
    if not widgets:
        # No widget is bound yet: the address itself is rewritten and the run starts
        # again, so the widgets are seeded from it and a copied link reads as the app writes it.
        if target_notice:
            st.session_state[_ADDRESS_NOTICE] = target_notice
        if wanted[0] is None:
            for key in (KEY_LEVEL, KEY_AREA):
                if key in st.query_params:
                    del st.query_params[key]
        else:
            st.query_params.update({KEY_LEVEL: wanted[0], KEY_AREA: wanted[1]})
        st.rerun()
    st.session_state[_PENDING] = (level, code, target_notice)
    st.rerun()


def related_area(level: str, code: str | None) -> str:
    """The area of ``level`` to show when the user changes the level while ``code`` is
    shown: the area that holds it (Gävleborg → its polisregion, Region Mitt), else the
    first area inside it in name order (Region Mitt → its first kommun), else the
    level's first area."""
    codes = list(_unique_labels(level))
    if level == "riket" or not codes:
        return geo.RIKET
    shown_level = geo.level_of(code) if code else None
    if shown_level is None or shown_level == "riket":
        return codes[0]
    holding = [c for c in codes if code in geo.within(shown_level, c)]
    inside = set(geo.within(level, code))
    return next(iter(holding), None) or next((c for c in codes if c in inside), codes[0])


def _on_level_change() -> None:
    st.session_state[KEY_AREA] = related_area(st.session_state[KEY_LEVEL], st.session_state.get(KEY_AREA))


def _unknown(key: str, valid: set[str]) -> list[str]:
    """URL values for ``key`` that the widget will not accept (read before the widget)."""
    return [v for v in st.query_params.get_all(key) if v != "" and v not in valid]


def _notice(notices: list[str], text: str) -> None:
    notices.append(text)


def _period_from_address() -> None:
    """A link whose period names a quick choice as the sidebar no longer writes it (with
    the months the labels carried until ux20, their no-break spaces and word joiner
    percent-encoded in the link, or a short key) opens that choice: set before the widget,
    which drops a value it does not offer (and the choice with it). Before the widget's
    first run only; later its own value stands."""
    given = st.query_params.get(KEY_PERIOD)
    if not given or given in PERIODS or KEY_PERIOD in st.session_state:
        return
    if (choice := periods.named_choice(given)) is None:
        return  # the sidebar reports it
    # The address itself is rewritten and the run starts again, so the widget is seeded
    # from it and a copied link reads as the sidebar writes it now (set in session state
    # instead, the choice was shown but the address lost it).
    if choice == LAST_12:  # the default is left out of the address
        del st.query_params[KEY_PERIOD]
    else:
        st.query_params[KEY_PERIOD] = choice
    st.rerun()


def _on_period_change() -> None:
    # Switching to "Välj månader" starts from the range that was in effect, so the
    # view does not jump; the months are then explicit in the URL.
    if st.session_state.get(KEY_PERIOD) == CUSTOM and _RANGE in st.session_state:
        start, end = st.session_state[_RANGE]
        st.session_state[KEY_FROM] = start
        st.session_state[KEY_TO] = end


def _screen_reader_from_address(notices: list[str]) -> None:
    """A link's ``skarmlasare`` written as a person would write it (``1``, ``ja``, ``på``)
    turns the setting on (``0``, ``nej``, ``av`` off): the address is rewritten to what the
    toggle writes and the run starts again, so the toggle is seeded from it, before its
    first run only (later its own value stands). Any other value is reported and the
    setting stays off (Streamlit drops what the toggle cannot read)."""
    given = st.query_params.get(KEY_SCREEN_READER)
    if not given or KEY_SCREEN_READER in st.session_state:
        return
    folded = given.strip().casefold()
    if folded in ("true", "false"):
        return
    if folded in _SCREEN_READER_ON:
        st.query_params[KEY_SCREEN_READER] = "true"
        st.rerun()
    if folded in _SCREEN_READER_OFF:
        del st.query_params[KEY_SCREEN_READER]
        st.rerun()
    _notice(notices, f"Okänt värde '{given}' för {SCREEN_READER_LABEL.lower()} i länken; "
                     "tabellerna visas som vanligt.")


def screen_reader_tables() -> bool:
    """Whether the user asked for tables a screen reader reads as shown (the sidebar's
    "Tabeller för skärmläsare", ``skarmlasare`` in the URL): components.dataframe then
    sends every table as its texts."""
    try:
        return bool(st.session_state.get(KEY_SCREEN_READER, False))
    except Exception:  # noqa: BLE001 - outside a script run (a table built in a plain test): off
        return False


def sidebar() -> Selection:
    """Draw the filters in the sidebar and return the selection (also kept for pages)."""
    address_notice = _read_address()
    notices: list[str] = [address_notice] if address_notice else []
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
                             bind="query-params", on_change=_on_level_change, placeholder="Välj nivå",
                             help="Polisens indelning: polisregion → polisområde → lokalpolisområde. "
                                  "Administrativ: län → kommun.")
        labels = _unique_labels(level)
        codes = list(labels)
        code = st.selectbox("Område", codes, format_func=labels.get, key=KEY_AREA, bind="query-params",
                            placeholder="Välj område",
                            disabled=(level == "riket"))

        # Period: a quick choice relative to the data, or explicit months.
        if first is None:
            st.info("Databasen innehåller inga händelser ännu.")
            # The period then spans the signals and plan years there are (a kommun that
            # has loaded only its action plan sees it), else this month.
            first, last = months_without_incidents()
            if first is None:
                first = last = date.today().replace(day=1)
        # The quick choices end with the last complete month: the month still running
        # (the police feed's current month) against a whole month a year earlier looked
        # like a fall. Chosen months may include it (Översikt then says it is not whole).
        complete = incidents.last_complete()
        ongoing = complete is not None and first <= complete < last
        ends = periods.quick_end(first, last, complete)
        # Each quick choice names its months under its name ("nov 2024–okt 2025"): they
        # count from the last month with data, which the name alone did not say. The
        # months are the option's caption, not its label: the address holds the label
        # (Streamlit binds the shown label), which is then the plain name
        # ("?period=Hittills i år"), stays the same as data are added, and carries none of
        # the no-break spaces that hold the months together on screen.
        _period_from_address()
        bad = [v for v in _unknown(KEY_PERIOD, set(PERIODS)) if periods.named_choice(v) is None]
        if bad:
            _notice(notices, f"Okänd period '{bad[0]}' i länken; visar {LAST_12.lower()}.")
        # Radio buttons: each choice wraps in the sidebar (a select box cut the chosen one to
        # "Senaste 12 månaderna (jan–dec") and the months of every choice are in sight.
        choice = st.radio("Period", PERIODS, captions=[periods.quick_months(c, first, ends) for c in PERIODS],
                          key=KEY_PERIOD, bind="query-params", on_change=_on_period_change)
        start, end = preset_range(choice, first, ends)
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

        # A setting of the user's, not a filter: below them. In the URL, so a reload or a
        # bookmark keeps it (a screen reader's user needs it on every visit).
        _screen_reader_from_address(notices)
        st.toggle(SCREEN_READER_LABEL, key=KEY_SCREEN_READER, bind="query-params", help=SCREEN_READER_HELP)

        for text in notices:
            st.warning(text, icon=":material/link_off:")
        st.caption("Adressen i webbläsaren återger urvalet: kopiera den för att dela vyn.")

    for text in notices:
        st.toast(text, icon=":material/link_off:")
    st.session_state[_RANGE] = (start, end)
    st.session_state[_SHOWN] = _url_form(level, code)
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


def set_months(start: date, end: date) -> None:
    """Point the period filter at the months ``start``–``end`` ("Välj månader", for a
    button's callback; updates the URL), within the months there are data for."""
    first, last = incidents.month_range()
    if first is not None:
        start, end = max(start, first), min(end, last)
    st.session_state[KEY_PERIOD] = CUSTOM
    st.session_state[KEY_FROM] = start
    st.session_state[KEY_TO] = end
