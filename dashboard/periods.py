"""Months and the sidebar's quick period choices, as plain functions (no Streamlit).

The sidebar (:mod:`dashboard.filters`) and the launcher's warm-up (which reads the
recruitment signals' layers the quick periods need) work the periods out here, so they
agree.
"""

from __future__ import annotations

from datetime import date

from dashboard import formatting as fmt

LAST_12 = "Senaste 12 månaderna"
YEAR_TO_DATE = "Hittills i år"
PREVIOUS_YEAR = "Föregående år"
CUSTOM = "Välj månader"
PERIODS = (LAST_12, YEAR_TO_DATE, PREVIOUS_YEAR, CUSTOM)
# Short forms a hand-written link may use ("?period=hittills"); the address itself holds
# the choice's name ("?period=Hittills i år"), which a link keeps however the data grow.
SHORT_KEYS = {"senaste12": LAST_12, "hittills": YEAR_TO_DATE, "foregaende": PREVIOUS_YEAR, "valj": CUSTOM}
NO_BREAK = "\u00a0"
WORD_JOINER = "\u2060"


def shift_months(d: date, months: int) -> date:
    """The first day of the month ``months`` after ``d``'s month (negative: before)."""
    total = d.year * 12 + (d.month - 1) + months
    return date(total // 12, total % 12 + 1, 1)


def months_within(start: date, end: date, first: date | None, last: date | None) -> tuple[date, date] | None:
    """The months of ``start``–``end`` that a source holding ``first``–``last`` has data
    for (first days of months), or None when it has none of them (or no data at all).
    A month outside a source's months is missing, not zero: the one rule every page's
    figures and comparisons follow (dashboard.queries.coverage)."""
    if first is None or last is None:
        return None
    lo, hi = max(start, first), min(end, last)
    return (lo, hi) if lo <= hi else None


def reaches_back(start: date, first: date | None) -> bool:
    """Whether a source whose data begin with ``first`` has the whole of the same months a
    year before a period that starts with ``start`` (a comparison with months before its
    first one would compare with nothing, shown as a rise from 0)."""
    return first is not None and shift_months(start, -12) >= first


def last_complete_month(through: date, slack_days: int = 0) -> date:
    """The last month the data cover to its end: ``through``'s month when ``through`` is
    within ``slack_days`` of the month's last day, else the month before. (The last
    incident of a month rarely falls on its very last day, hence the slack when the
    database does not state its own "data t.o.m." date.)"""
    month = through.replace(day=1)
    last_day = shift_months(month, 1).toordinal() - 1
    return month if last_day - through.toordinal() <= slack_days else shift_months(month, -1)


def last_complete(last_day: date | None, stated: date | None) -> date | None:
    """The last month the incidents cover to its end: from the database's own "data
    t.o.m." (``stated``) when it states one, else from the last incident's day."""
    if last_day is None:
        return None
    return last_complete_month(stated or last_day, slack_days=0 if stated else 2)


def preset_range(choice: str, first: date, last: date) -> tuple[date, date]:
    """Start and end month of a quick choice, relative to the last month with data."""
    if choice == YEAR_TO_DATE:
        start, end = date(last.year, 1, 1), last
    elif choice == PREVIOUS_YEAR:
        start, end = date(last.year - 1, 1, 1), date(last.year - 1, 12, 1)
    else:
        start, end = shift_months(last, -11), last
    start = max(start, first)
    end = max(min(end, last), start)
    return start, end


def quick_end(first: date, last: date, complete: date | None) -> date:
    """The month the quick choices end with, for incidents from ``first`` to ``last``
    complete to the end of ``complete``: the last complete month (a month still running,
    set against a whole month a year earlier, looked like a fall)."""
    ongoing = complete is not None and first <= complete < last
    return complete if ongoing else last


def quick_ranges(first: date, last: date, complete: date | None) -> list[tuple[date, date]]:
    """The months of each quick choice (without repeats), the default first (see
    :func:`quick_end`)."""
    ends = quick_end(first, last, complete)
    return list(dict.fromkeys(preset_range(choice, first, ends) for choice in PERIODS if choice != CUSTOM))


def quick_months(choice: str, first: date, ends: date) -> str:
    """The months a quick choice stands for in data from ``first`` that the quick choices
    end with ``ends`` (:func:`quick_end`), as the sidebar writes them under its name:
    "nov 2024–okt 2025", "jan–okt 2025", "2024"; the last 12 months and this year name
    their months even when they are a calendar year ("jan–dec 2025": the year is whole in
    data). "" for "Välj månader". The months are held together (no-break spaces, a word
    joiner after the dash): in a narrow sidebar the line wraps before them, not inside them."""
    if choice == CUSTOM:
        return ""
    months = fmt.short_period(*preset_range(choice, first, ends), years=choice == PREVIOUS_YEAR)
    return months.replace(" ", NO_BREAK).replace("–", "–" + WORD_JOINER)


def named_choice(given: str) -> str | None:
    """The quick choice a link's period names in a form the sidebar no longer writes: with
    the months the label carried until ux20 ("Hittills i år (jan–okt 2025)", also with the
    no-break spaces and word joiner it had, percent-encoded in the link), in any letter
    case, or by a short key ("hittills"); None for anything else. A quick choice is
    relative to the data, so it opens with today's months."""
    text = " ".join(given.replace(WORD_JOINER, "").replace(NO_BREAK, " ").split()).casefold()
    for choice in PERIODS:
        name = choice.casefold()
        if text == name or (choice != CUSTOM and text.startswith(f"{name} (")):
            return choice
    return SHORT_KEYS.get(text)
