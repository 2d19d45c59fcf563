"""Recruitment signals: the only way pages read ``mart_signal``, always disclosure-controlled.

Every frame leaving this module has passed :mod:`dashboard.suppression`, through the
country-wide protected layers of :mod:`dashboard.signal_layers` (totals, national,
period × category) that every view keeps: what they hide stays hidden and what they
show stays shown. They are protected once per calendar year, and the pipeline has
published them (:mod:`pipelines.published`); every period a page shows is summed from
them (:func:`_layer`), never protected on its own.

The ``st.cache_data`` wrappers bind the layer functions' ``run(sql, params)`` to the
published database (:func:`dashboard.queries.db_key`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import formatting as fmt
from dashboard import suppression
from dashboard.formatting import MONTHS, MONTHS_SHORT
from dashboard.periods import months_within
from dashboard.queries import coverage, coverage_text, covered, db_key, floats, geo, reaches_back, rows, run
from dashboard.signal_layers import (
    CHAINS,
    DIMENSIONS,
    GRAINS,
    MAX_PERIODS,
    base_layer,
    period_layer,
    periods,
    police_layers,
    publication_spans,
    published_spans,
    running_year,
    signal_months,
    year_spans,
)
from pipelines import categories as cat

log = logging.getLogger(__name__)

LEVEL_COLUMN = {"polisregion": "polisregion_code", "polisomrade": "polisomrade_code", "lpo": "lpo_code",
                "lan": "lan_code", "kommun": "kommun_code"}
CATEGORIES = {"age_band": cat.SIGNAL_AGE_BANDS, "sex": cat.SEXES, "source": cat.SIGNAL_SOURCES,
              "signal_type": cat.SIGNAL_TYPES}
CATEGORY_LABELS = {"sex": cat.SEX_LABELS, "age_band": {"under 12": "under 12 år", "12-14": "12–14 år",
                                                          "15-17": "15–17 år", "18-20": "18–20 år"}}
TOTAL = "Totalt"
SOURCE = "rekryteringssignaler"  # the source's name in the query layer's coverage


def chain_for(level: str) -> str:
    """The hierarchy an area level belongs to (riket and polisregion: the police one)."""
    return "admin" if level in ("lan", "kommun") else "police"


def _prefix(level: str) -> tuple[str, ...]:
    if level == "riket":
        return ()
    chain = CHAINS[chain_for(level)]
    return chain[: chain.index(LEVEL_COLUMN[level]) + 1]


def period_label(period: str, grain: str, start: date | None = None, end: date | None = None) -> str:
    """Swedish label: 'mars 2025', 'kvartal 1 2025', '2025'.

    A quarter or year that the months ``start``–``end`` cut names the months it holds:
    '2025 (nov–dec)', 'kvartal 4 2025 (dec)'. A year grain over the last twelve months
    otherwise showed '2025' for two months beside '2026' for ten, which reads as a rise."""
    if grain == "month":
        y, m = period.split("-")
        return f"{MONTHS[int(m) - 1]} {y}"
    label = f"kvartal {period.split('-K')[1]} {period.split('-K')[0]}" if grain == "quarter" else period
    if start is None or end is None:
        return label
    first = period_start(period, grain)
    months = 3 if grain == "quarter" else 12
    last = date(first.year + (first.month - 1 + months - 1) // 12, (first.month - 1 + months - 1) % 12 + 1, 1)
    lo, hi = max(first, date(start.year, start.month, 1)), min(last, date(end.year, end.month, 1))
    if (lo, hi) == (first, last) or lo > hi:
        return label
    held = MONTHS_SHORT[lo.month - 1] if lo == hi else f"{MONTHS_SHORT[lo.month - 1]}–{MONTHS_SHORT[hi.month - 1]}"
    return f"{label} ({held})"


def period_start(period: str, grain: str) -> date:
    """First day of a period label (for plotting on a time axis)."""
    if grain == "month":
        return date.fromisoformat(period + "-01")
    if grain == "quarter":
        y, q = period.split("-K")
        return date(int(y), 3 * int(q) - 2, 1)
    return date(int(period), 1, 1)


def year_earlier(d: date) -> date:
    return date(d.year - 1, d.month, 1)



def _area_rows(prot: suppression.Protected, level: str, code: str, with_period: bool) -> pd.DataFrame:
    prefix = _prefix(level)
    grouping = (*prefix, "period") if with_period else prefix
    return prot.table(grouping, where={LEVEL_COLUMN[level]: code} if prefix else None)


# --- the breakdown layer --------------------------------------------------------------------

def cube_margins(dimension: str) -> list[tuple[str, ...]]:
    """What an area's breakdown publishes: each category per period (the finest: what a
    page's trend shows), each category and the total over the period, the total per
    period."""
    return [("period", dimension), (dimension,), ("period",), ()]


def area_cube(level: str, code: str, layer: suppression.Protected, dimension: str | None) -> suppression.Protected:
    """One area's cells of a country-wide layer (the period × category layer of
    ``dimension``, or without one the national layer) as a cube of period (× category)
    with its totals, as :func:`trend_table` and :func:`summary_table` read it: what the
    layer shows is shown and what it hides is hidden, nothing is protected again (the
    layers already hold every value a page may show: :func:`dashboard.signal_layers.derive`)."""
    prefix = _prefix(level)
    where = {LEVEL_COLUMN[level]: code} if prefix else None
    margins = cube_margins(dimension) if dimension else [("period",), ()]
    parts = []
    for grouping in margins:
        part = layer.table((*prefix, *grouping), where=where)
        part = part.drop(columns=list(prefix)).assign(grouping=suppression.grouping_name(grouping))
        parts.append(part)
    cells = pd.concat(parts, ignore_index=True)
    dims = ("period", dimension) if dimension else ("period",)
    for d in dims:
        if d not in cells:
            cells[d] = None
    cells = cells[[*dims, "grouping", "count", "count_suppressed", "reason"]]
    hidden = cells["count_suppressed"].to_numpy(dtype=bool)
    primary = (cells["reason"].astype(object) == "primär").to_numpy(dtype=bool) & hidden
    fine = (cells["grouping"] == suppression.grouping_name(margins[0])).to_numpy()
    return suppression.Protected(cells=cells, value="count", dims=dims, groupings=tuple(margins),
                                 threshold=layer.threshold, primary=int(primary.sum()),
                                 secondary=int((hidden & ~primary).sum()),
                                 suppressed_share=float(hidden[fine].sum() / fine.sum()) if fine.any() else 0.0)


def youth_population(run_sql, level: str, code: str) -> dict[int, float]:
    """Young people aged 12–17 per year in the area (mart_population)."""
    df = run_sql("""SELECT year, population_12_17 FROM mart_population
                    WHERE level = $level AND area_code = $code AND population_12_17 IS NOT NULL""",
                 {"level": level, "code": code})
    return {int(r.year): float(r.population_12_17) for r in df.itertuples(index=False)}


def population_for(years: dict[int, float], year: int) -> float | None:
    """The population of ``year``, else the latest earlier year, else the earliest one."""
    if not years:
        return None
    earlier = [y for y in years if y <= year]
    return years[max(earlier)] if earlier else years[min(years)]


def _numbers(values: list) -> np.ndarray:
    """Counts or populations (NA or None when missing) as float64 with NaN."""
    return np.array([np.nan if v is pd.NA or v is None else v for v in values], dtype=np.float64)


def _rate_columns(counts: list, hidden: np.ndarray, population: list) -> dict:
    """``rate`` (per 1 000 aged 12–17) and ``rate_suppressed`` by derive_rate's rule
    (:func:`dashboard.suppression.rate_values`), for a frame built in one go."""
    return {"rate": suppression.rate_values(_numbers(counts), _numbers(population), hidden, 1000),
            "rate_suppressed": hidden}


def trend_table(cube: suppression.Protected, dimension: str | None, period_list: list[str], grain: str,
                youth: dict[int, float], start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Rows per period (× category of ``dimension``; None: totals) with count and rate per
    1 000 aged 12–17, complete (missing combinations are true zeros) and protected. With
    ``start`` and ``end`` (the months read), a period they cut is labelled with the months
    it holds (:func:`period_label`)."""
    if dimension is None:
        table = cube.table(("period",))
        categories = [TOTAL] * len(table)
        cats = [TOTAL]
    else:
        table = cube.table(("period", dimension))
        categories = table[dimension].tolist()
        cats = list(CATEGORIES[dimension])
        extra = [c for c in table[dimension].dropna().unique() if c not in cats]
        cats += sorted(extra)
    # Every period × category with a dict look-up instead of a grid merge (a few dozen
    # rows; pandas' merge and masks cost ~15 ms on each new selection).
    found = dict(zip(zip(table["period"].tolist(), categories, strict=True),
                     zip(table["count"].tolist(), table["count_suppressed"].tolist(), strict=True), strict=True))
    rows = [(p, c) for p in period_list for c in cats]
    hidden = np.array([bool(found[k][1]) if k in found else False for k in rows], dtype=bool)
    values = [0 if k not in found or found[k][0] is pd.NA else found[k][0] for k in rows]
    # A combination with no row is a true zero; a suppressed one stays NA.
    counts = [pd.NA if h else v for v, h in zip(values, hidden.tolist(), strict=True)]
    labels = CATEGORY_LABELS.get(dimension or "", {})
    years = {p: period_start(p, grain).year for p in period_list}
    population = [population_for(youth, years[p]) for p, _ in rows]
    names = {p: (period_label(p, grain, start, end), period_start(p, grain)) for p in period_list}
    # Built in one go: each column added to a frame afterwards costs about a millisecond.
    return pd.DataFrame({
        "period": pd.array([p for p, _ in rows], dtype="str"),
        "category": pd.array([c for _, c in rows], dtype="str"),
        "count": pd.array(counts, dtype="Int64"),
        "count_suppressed": hidden,
        "population_12_17": population,
        **_rate_columns(counts, hidden, population),
        "category_label": [labels.get(c, c) for _, c in rows],
        "period_label": [names[p][0] for p, _ in rows],
        "period_start": [names[p][1] for p, _ in rows],
    })


# --- cached entry points for pages ------------------------------------------------------------

@dataclass(frozen=True)
class SignalView:
    """What the Rekryteringssignaler page shows for one selection."""

    grain: str
    cube: suppression.Protected
    youth: dict
    notices: tuple[str, ...]
    mostly_suppressed: bool        # still true at the coarsest grain: offer a coarser area


@st.cache_data(max_entries=192, show_spinner=False)  # years × 2 hierarchies × 5 layers
def _base(key, chain: str, lo: date, hi: date, dimension: str | None) -> suppression.Protected:
    """One publication period's layer (:func:`dashboard.signal_layers.base_layer`), cached."""
    run_sql, read_cells = partial(run, key=key), partial(run, key=key, frame="arrow")
    if chain == "admin":
        return base_layer(run_sql, chain, lo, hi, dimension, police=partial(_base, key, "police", lo, hi, dimension),
                          read_cells=read_cells)
    return base_layer(run_sql, chain, lo, hi, dimension, span=partial(_police_span, key, lo, hi), read_cells=read_cells)


@st.cache_data(max_entries=4, show_spinner=False)
def _police_span(key, lo: date, hi: date) -> dict:
    """Every police layer of a publication period the pipeline did not publish, protected
    here once for all five (:func:`dashboard.signal_layers.police_layers`)."""
    return police_layers(partial(run, key=key), lo, hi, "month")


@st.cache_data(max_entries=16, show_spinner=False)  # 2 hierarchies × 5 layers
def _month_bases(key, chain: str, dimension: str | None) -> dict[tuple[date, date], suppression.Protected]:
    """Every published month of the year still growing (each its own publication period),
    read at once: a period reaching into that year sums up to a dozen of them, and one
    read each cost several milliseconds."""
    first, last = _month_span(key)
    year = running_year(first, last)
    if year is None:
        return {}
    spans = publication_spans(date(year, 1, 1), last, first, last)
    found = published_spans(partial(run, key=key), chain, spans, "month", (dimension,),
                            read_cells=partial(run, key=key, frame="arrow"))
    return {span: layers[dimension] for span, layers in found.items()}


def _base_of(key):
    """Where a period's layers come from: the year still growing's months read at once,
    every other publication period one by one (both cached). The months are taken from
    the cache once per hierarchy and breakdown, not once per month (each take unpickles
    all of them)."""
    months: dict[tuple, dict] = {}

    def base(chain: str, lo: date, hi: date, dimension: str | None) -> suppression.Protected:
        if lo == hi:
            if (chain, dimension) not in months:
                months[(chain, dimension)] = _month_bases(key, chain, dimension)
            if (found := months[(chain, dimension)].get((lo, hi))) is not None:
                return found
        return _base(key, chain, lo, hi, dimension)
    return base


@st.cache_data(max_entries=64, show_spinner=False)
def _layer(key, chain: str, start: date, end: date, grain: str | None, dimension: str | None) -> suppression.Protected:
    """The country-wide layer for the months ``start``–``end`` per period of ``grain``
    (None: over the whole period only), without ``dimension`` the area totals, else by
    that breakdown: sums of the publication periods' shown values
    (:func:`dashboard.signal_layers.period_layer`), so that no two periods, grains or
    pages can be combined to tell more than the publication periods' layers do."""
    return period_layer(partial(run, key=key), chain, start, end, grain, dimension, *_month_span(key),
                        base=_base_of(key))


LONG_PERIOD_NOTICE = "Perioden har fler än {most} {old}; signalerna visas därför per {new}, så att de går att läsa."
_PLURAL = {"month": "månader", "quarter": "kvartal", "year": "år"}


@st.cache_data(max_entries=32, show_spinner=False)
def _view(key, level: str, code: str, start: date, end: date, grain: str, dimension: str | None) -> SignalView:
    notices = []
    youth = youth_population(partial(run, key=key), level, code)
    current = grain
    while len(periods(start, end, current)) > MAX_PERIODS and (coarser := suppression.coarser_grain(current)):
        notices.append(LONG_PERIOD_NOTICE.format(most=MAX_PERIODS, old=_PLURAL[current],
                                                 new=suppression.GRAIN_LABELS[coarser]))
        current = coarser
    chain = chain_for(level)
    return _coarsened(current, lambda g: area_cube(level, code, _layer(key, chain, start, end, g, dimension),
                                                   dimension), youth, notices)


def _coarsened(grain: str, cube_for, youth: dict, notices: list[str]) -> SignalView:
    """The view in ``grain``, or a coarser grain (month → quarter → year) while most values
    of ``cube_for(grain)`` are hidden, with one notice naming every grain passed over
    ("per månad och per kvartal"; a notice per step stacked two boxes saying the same).
    Each breakdown, and the totals without one, gets the finest grain it can show."""
    passed = []
    while True:
        cube = cube_for(grain)
        coarser = suppression.coarser_grain(grain)
        if not cube.mostly_suppressed or coarser is None:
            if passed:
                old = " och per ".join(suppression.GRAIN_LABELS[g] for g in passed)
                notices.append(suppression.coarsening_notice("signalerna", old, grain))
            return SignalView(grain=grain, cube=cube, youth=youth, notices=tuple(notices),
                              mostly_suppressed=cube.mostly_suppressed)
        passed.append(grain)
        grain = coarser


def warm(start: date, end: date, *, layers: bool = False) -> None:
    """Read into the cache the publication periods' layers the Rekryteringssignaler page
    needs for the months ``start``–``end`` (a quick period), every breakdown and both
    hierarchies: as the pipeline published them, or, where it did not (a database built by
    another version), protected here, so that the first visitor does not wait for them
    (a year of months takes up to a few seconds). ``layers``: also sum them into the
    country-wide layers per month (:func:`_layer`) for every breakdown, as a user choosing
    a breakdown in that period needs them (about 0.1 s each nationally), and without a
    breakdown per quarter and year and for the whole years the page may offer instead."""
    key = db_key()
    first, last = _months_read(start, end)
    base = _base_of(key)
    for lo, hi in publication_spans(first, last, *_month_span(key)):
        for chain in CHAINS:
            for dimension in (None, *DIMENSIONS):
                base(chain, lo, hi, dimension)
    # Every area's total over the period and the same months a year earlier, in both
    # hierarchies: Översikt's headline card reads them for any area (the first change to a
    # level of the other hierarchy otherwise summed two layers, ~40 ms).
    for lo, hi in ((first, last), (year_earlier(first), year_earlier(last))):
        if months_within(lo, hi, *_month_span(key)) is not None:
            for chain in CHAINS:
                _totals(key, chain, lo, hi)
    if not layers:
        return
    for chain in CHAINS:
        if len(periods(first, last, "month")) <= MAX_PERIODS:
            for dimension in (None, *DIMENSIONS):
                _layer(key, chain, first, last, "month", dimension)
        # Without a breakdown, the coarser grains an area whose months mostly hide is shown
        # in, and the whole years the page weighs offering (years_showing_more): the first
        # visit to an LPO otherwise summed them (about 0.1 s each nationally).
        # (The page shows no more than MAX_PERIODS periods of the selection, and weighs
        # the years in the grain it shows.)
        for grain in GRAINS:
            if len(periods(first, last, grain)) <= MAX_PERIODS:
                for lo, hi in [(first, last), *_year_choices(first, last)]:
                    _layer(key, chain, lo, hi, grain, None)


def summary_table(cube: suppression.Protected, dimension: str | None, youth: dict[int, float],
                  year: int) -> pd.DataFrame:
    """The whole period per category of ``dimension`` (None: the total): count, share of
    all signals and rate per 1 000 aged 12–17, protected like the trend."""
    total = cube.table(())
    if dimension is None:
        # An area without signals in the months has no cell (a shown 0 is left out of the
        # layers): its row is 0, as its trend's, not an empty table.
        cats = [TOTAL]
        counts = total["count"].tolist() or [0]
        hidden = total["count_suppressed"].to_numpy(dtype=bool) if len(total) else np.zeros(1, dtype=bool)
    else:
        # Every category by dict look-up (a merge and masks cost more than the rest).
        part = cube.table((dimension,))
        found = dict(zip(part[dimension].tolist(), zip(part["count"].tolist(), part["count_suppressed"].tolist(),
                                                       strict=True), strict=True))
        cats = list(CATEGORIES[dimension]) + sorted(c for c in part[dimension].dropna().unique()
                                                    if c not in CATEGORIES[dimension])
        hidden = np.array([bool(found[c][1]) if c in found else False for c in cats], dtype=bool)
        counts = [pd.NA if h else (0 if c not in found or found[c][0] is pd.NA else found[c][0])
                  for c, h in zip(cats, hidden.tolist(), strict=True)]
    # The share and rate by derive_share's and derive_rate's rules (suppression's
    # share_values and rate_values) on a few values: the two frame functions (a copy and
    # two new columns each) cost over 10 ms per table on every new selection.
    grand = total["count"].iloc[0] if len(total) else 0
    grand_hidden = bool(total["count_suppressed"].iloc[0]) if len(total) else False
    share_hidden = hidden | grand_hidden
    share = suppression.share_values(_numbers(counts), _numbers([grand] * len(cats)), share_hidden)
    population = [population_for(youth, year)] * len(cats)
    labels = CATEGORY_LABELS.get(dimension or "", {})
    return pd.DataFrame({
        "category": pd.array(cats, dtype="str"),
        "count": pd.array(counts, dtype="Int64"),
        "count_suppressed": hidden,
        "share": share,
        "share_suppressed": share_hidden,
        "population_12_17": population,
        **_rate_columns(counts, hidden, population),
        "category_label": [labels.get(c, c) for c in cats],
    })


@dataclass(frozen=True)
class SignalPage:
    """What the Rekryteringssignaler page draws for one selection, grain and breakdown."""

    grain: str                     # the grain shown (coarser than asked when most values hide)
    notices: tuple[str, ...]
    mostly_suppressed: bool
    trend: pd.DataFrame            # trend_table for the breakdown
    summary: pd.DataFrame          # summary_table for the breakdown


@st.cache_data(max_entries=8, show_spinner=False)  # per database version: Översikt asks on each new kommun
def unplaceable(key, level: str) -> frozenset[str]:
    """Kommuner that signals recorded per LPO cannot reach: every LPO covering them also
    covers other kommuner, so their signals stay "ej fördelade" (see mart_signal)."""
    if level != "kommun":
        return frozenset()
    df = run(
        """WITH single AS (
               SELECT lpo_code FROM lpo_kommun GROUP BY lpo_code HAVING count(DISTINCT kommun_code) = 1
           )
           SELECT area_code FROM area
           WHERE level = 'kommun'
             AND area_code NOT IN (SELECT kommun_code FROM lpo_kommun JOIN single USING (lpo_code))""",
        key=key,
    )
    return frozenset(df["area_code"])


@dataclass(frozen=True)
class Recording:
    """Where the signals of a kommun that signals cannot reach (:func:`unplaceable`) are."""

    lpos: tuple[str, ...]     # the lokalpolisområden covering the kommun (each covers others too)
    others: tuple[str, ...]   # the other kommuner they cover
    area: str                 # the area to show instead: the LPO, or the smallest police area holding them all


@st.cache_data(max_entries=8, show_spinner=False)
def _lpo_kommun(key) -> tuple[tuple[str, str], ...]:
    return tuple(rows("SELECT lpo_code, kommun_code FROM lpo_kommun ORDER BY lpo_code, kommun_code", key=key))


@st.cache_data(max_entries=256, show_spinner=False)
def _own_signals(key, code: str, start: date, end: date) -> bool:
    return bool(rows("""SELECT count(*) > 0 FROM mart_signal
                        WHERE kommun_code = $code AND month BETWEEN $start AND $end AND count > 0""",
                     {"code": code, "start": start, "end": end}, key=key)[0][0])


def recorded_in(selection) -> Recording | None:
    """For a kommun whose signals are all recorded per lokalpolisområde, each of which
    also covers other kommuner (:func:`unplaceable`), and that has no signal of its own in
    the months read: its LPOs, the other kommuner they cover, and the area to show
    instead (the LPO; with several, the smallest police area holding them all). None for
    any other selection: its figures are its own."""
    key = db_key()
    code = selection.area_code
    if selection.area_level != "kommun" or code not in unplaceable(key, "kommun"):
        return None
    if months_covered(selection) is None or _own_signals(key, code, *months_read(selection)):
        return None  # no signals in the period at all (the page says which months have them), or some of its own
    pairs = _lpo_kommun(key)
    lpos = tuple(lpo for lpo, kommun in pairs if kommun == code)
    if not lpos:
        return None
    others = tuple(sorted({k for lpo, k in pairs if lpo in lpos and k != code}, key=geo.area_name))
    area = lpos[0]
    while area is not None and not all(_within(lpo, area) for lpo in lpos):
        area = geo.parent(area)
    return Recording(lpos=lpos, others=others, area=area or geo.RIKET)


def _within(code: str, area: str) -> bool:
    """Whether the police area ``area`` is ``code`` or holds it."""
    while code is not None:
        if code == area:
            return True
        code = geo.parent(code)
    return False


KIND = {"lpo": "lokalpolisområdet", "polisomrade": "polisområdet", "polisregion": "polisregionen"}


def area_phrase(code: str) -> str:
    """'lokalpolisområdet Haninge/Nynäshamn' (an LPO and a kommun often share a name)."""
    kind = KIND.get(geo.level_of(code) or "")
    return f"{kind} {geo.area_name(code)}" if kind else geo.area_name(code)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]


def unrecorded_note(selection, recording: Recording) -> str:
    """Why a kommun that signals cannot reach (:func:`recorded_in`) has no figures, and
    where they are."""
    lpos = _listed([geo.area_name(c) for c in recording.lpos])
    covers = f"lokalpolisområdet {lpos}" if len(recording.lpos) == 1 else f"lokalpolisområdena {lpos}"
    others = _listed([geo.area_name(c) for c in recording.others])
    shown = (f"Signalerna finns för {area_phrase(recording.area)}" if len(recording.lpos) == 1
             else f"Signalerna finns för {area_phrase(recording.area)}, som rymmer dem")
    return (f"Rekryteringssignaler registreras per lokalpolisområde. {selection.area_name} ingår i {covers}, som "
            f"också täcker {others}, och signalerna där kan inte delas upp på kommunerna. Därför har "
            f"{selection.area_name} inga egna siffror (de saknas; de är inte 0). {shown}.")


SECONDARY_NOTE = ("Ett ”{dots}” kan också dölja ett stort antal. När ett litet antal döljs, döljs också ett "
                  "annat värde i samma summa, annars kunde det lilla antalet räknas fram genom subtraktion, "
                  "även med summor som visas på andra sidor.")
SECONDARY_EXAMPLE = (" Till exempel visas {parent} per {grain} på sin egen sida: visades {area} för samma "
                     "{grain} kunde resten av {parent} räknas fram.")


def secondary_note(selection, grain: str) -> str:
    """Why a ".." on the page can stand for a large number (secondary suppression), with
    the area's parent as the example: a län's month is hidden when its police region's
    month is shown and the region's other län has a small count that month.

    The page shows it whenever it hides a value, never only where a hidden value is
    large: saying which hidden values are large would narrow down the small ones."""
    text = SECONDARY_NOTE.format(dots=suppression.SUPPRESSED)
    parent = geo.parent(selection.area_code) if selection.area_level != "riket" else None
    if parent:
        text += SECONDARY_EXAMPLE.format(parent=geo.area_name(parent), area=selection.area_name,
                                         grain=suppression.GRAIN_LABELS[grain])
    return text


@st.cache_data(max_entries=64, show_spinner=False)
def _page(key, level: str, code: str, start: date, end: date, grain: str, dimension: str | None) -> SignalPage:
    # One cached entry for everything the page reads: on a new selection the view is
    # computed here and used at once (three entries each unpickled the cube again), and a
    # rerun reads one small entry instead of three.
    # Without a breakdown (the page's default) only the area's totals per period are
    # needed: the national layer, not the period × category layers.
    view = _view(key, level, code, start, end, grain, dimension)
    trend = trend_table(view.cube, dimension, periods(start, end, view.grain), view.grain, view.youth, start, end)
    summary = summary_table(view.cube, dimension, view.youth, end.year)
    return SignalPage(grain=view.grain, notices=view.notices, mostly_suppressed=view.mostly_suppressed,
                      trend=trend, summary=summary)


def signal_page(selection, dimension: str | None, grain: str = "month") -> SignalPage:
    """The view chosen for the selection (:func:`_view`) (its grain, notices and
    whether most values hide even so), with the trend per period (and category of
    ``dimension``: count, rate per 1 000 aged 12–17) and the "hela perioden" table, over
    the period's months with signals (:func:`months_covered`)."""
    start, end = months_read(selection)
    return _page(db_key(), selection.area_level, selection.area_code, start, end, grain, dimension)


def _total_cell(prot: suppression.Protected, level: str, code: str) -> tuple:
    """(count, suppressed) of the area's total over the period in a totals layer: NA when
    hidden, 0 when the area has no signals."""
    cell = _area_rows(prot, level, code, with_period=False)
    hidden = bool(cell["count_suppressed"].any()) if not cell.empty else False
    return (pd.NA if hidden else (int(cell["count"].iloc[0]) if not cell.empty else 0)), hidden


def _totals(key, chain: str, start: date, end: date) -> suppression.Protected:
    """Every area's total over the months (:func:`_layer` without periods): what
    headlines, maps and Jämförelse show."""
    return _layer(key, chain, start, end, None, None)


@st.cache_data(max_entries=64, show_spinner=False)
def _total_counts(key, level: str, code: str, start: date, end: date) -> dict:
    # Plain values, cached: Översikt reads these on every rerun, straight from the totals
    # layers (no rates: Översikt does not show them).
    chain = chain_for(level)
    per_lpo = np.array([code in unplaceable(key, level)])
    cells = {}
    for label, s, e in (("nu", start, end), ("ett år tidigare", year_earlier(start), year_earlier(end))):
        covered = months_within(s, e, *_month_span(key)) is not None
        # No month with signals: no layer to read (area_cells makes the count missing).
        count, hidden = _total_cell(_totals(key, chain, s, e), level, code) if covered else (pd.NA, False)
        counts = np.array([np.nan if count is pd.NA else float(count)])
        count, hidden, missing = area_cells(counts, np.array([hidden]), per_lpo, covered)
        cells[label] = (pd.NA if count.isna()[0] else int(count[0]), bool(hidden[0]), missing[0])
    return cells


def signal_total_counts(selection) -> dict[str, tuple]:
    """Översikt's headline: the selection's signals over its months with signals
    (:func:`months_covered`) and the same months a year earlier, as period ('nu', 'ett år
    tidigare') -> (count, suppressed, missing), by :func:`area_cells`' rule, as every area's count: NA and suppressed where
    hidden; NA with the reason in ``missing`` (:data:`OUTSIDE_MONTHS`, :data:`PER_LPO`)
    where the count is unknown, else None."""
    return _total_counts(db_key(), selection.area_level, selection.area_code, *months_read(selection))


# --- the months with signals ------------------------------------------------------------------

def _month_span(key) -> tuple[date | None, date | None]:
    return coverage(SOURCE, key)


def last_month() -> date | None:
    """The last month with recruitment signals (its first day), or None without any."""
    return _month_span(db_key())[1]


def has_previous(selection) -> bool:
    """True when the signals reach back to the same months a year before the period (a
    comparison with months before the first signal would compare with nothing; the
    query layer's one rule, :func:`dashboard.queries.reaches_back`)."""
    return reaches_back(SOURCE, selection.start)


def months_covered(selection) -> tuple[date, date] | None:
    """The months of the selection's period that have signals (from the first to the last
    month with signals), or None when none of them has any (or the database holds no
    signals at all): the period's figures are then missing (–), not 0.

    Signals are reported by others than the police (social services, schools) and often
    later: the months after the last one are missing, not zero. Counting them as zero
    drew a fall to nothing at the end of every trend, and compared fewer months with a
    full year earlier; counting the months before the first one as zero showed 0 for
    2018 and a rise "beyond chance" everywhere in 2019."""
    return _months_covered(selection.start, selection.end)


def _months_covered(start: date, end: date) -> tuple[date, date] | None:
    return covered(SOURCE, start, end)


def cut_note(selection, grain: str, *, chosen: bool = True) -> str | None:
    """A sentence when the months read start or end inside a quarter or year of ``grain``:
    those periods hold fewer months than the others (:func:`period_label` names them), so
    their counts and rates are not comparable with a whole one. None otherwise.

    ``chosen``: whether the user chose ``grain``. When the page moved to it (most values
    hidden per month, or too many months) it suggests nothing: Månad would move back to
    ``grain`` at once, and whole years are offered beside the hidden values where they
    show more. A single period (March–August 2025 per year) has no whole one beside it to
    be compared with: nothing to say either."""
    if grain == "month":
        return None
    start, end = months_read(selection)
    if len(periods(start, end, grain)) < 2:
        return None
    cut = [period_label(p, grain, start, end) for p in periods(start, end, grain)
           if period_label(p, grain, start, end) != period_label(p, grain)]
    if not cut:
        return None
    unit = suppression.GRAIN_LABELS[grain]
    named = " och ".join(cut) if len(cut) <= 2 else ", ".join(cut[:-1]) + " och " + cut[-1]
    return (f"Perioden börjar eller slutar mitt i ett {unit}: {named} har färre månader än ett helt {unit}, "
            f"så antal och takt där är inte jämförbara med ett helt {unit}."
            + (f" Välj Månad, eller en period med hela {'kvartal' if grain == 'quarter' else 'år'}." if chosen else ""))


YEARS_WHY = ("Perioden delar ett kalenderår, och då döljs fler värden: signalerna räknas fram ur hela "
             "kalenderårs skyddade värden, så att två perioder inte kan ställas mot varandra för att räkna fram "
             "ett dolt antal.")


def _year_choices(start: date, end: date) -> list[tuple[date, date]]:
    """The whole calendar years to offer for the months ``start``–``end`` when they cut
    one (as far as the signals go: the year they begin or end in holds fewer months), best
    first; none when they are whole years already (or there are no signals).

    Twelve months or fewer across the turn of a year (the last twelve months, December–
    November) first get the year holding most of them (the later on a tie): "hela 2025"
    for December 2024–November 2025, a period of the same length, rather than only the
    two years around them, which doubled it (and its year-earlier comparison). Longer
    periods get the years around them."""
    spans = year_spans(start, end, *_month_span(db_key()))
    if not spans or (spans[0][0] == start and spans[-1][1] == end):
        return []
    around = (spans[0][0], spans[-1][1])
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if len(spans) != 2 or months > 12:
        return [around]

    def held(span):
        lo, hi = max(span[0], start), min(span[1], end)
        return (hi.year - lo.year) * 12 + hi.month - lo.month + 1

    most = max(reversed(spans), key=held)
    return [most, around]


def whole_years(selection) -> tuple[date, date] | None:
    """The calendar years to offer for the selection's months with signals when those
    months cut a year (:func:`_year_choices`' first): every signal value is a sum of the
    calendar years' protected values (:func:`dashboard.signal_layers.derive`), so whole
    years often show more of them. None when the months are whole years already (or there
    are none). The years end with the last month with signals: "2025" while its signals
    run to October is January–October 2025, the year's publication period."""
    choices = _choices(selection)
    return choices[0] if choices else None


def _choices(selection) -> list[tuple[date, date]]:
    if months_covered(selection) is None:
        return []
    return _year_choices(*months_read(selection))


def years_label(years: tuple[date, date]) -> str:
    """'hela 2025' or 'hela 2024–2025'; the months when the signals do not fill the first
    or last year ('januari 2024 – oktober 2025': "hela 2025" would promise December)."""
    lo, hi = years
    if (lo.month, hi.month) != (1, 12):
        return fmt.period(lo, hi)
    return f"hela {lo.year}" if lo.year == hi.year else f"hela {lo.year}–{hi.year}"


def years_note(years: tuple[date, date], *, button: bool = False, export: bool = False) -> str:
    """Why a period that cuts a calendar year hides more, and which months show more:
    beside a button to them (``button``), or how to choose them under Period. In an export
    (``export``) the reason alone: a report's reader has no Period to choose under."""
    if export:
        return YEARS_WHY
    if button:
        label = years_label(years)
        return f"{YEARS_WHY} {label[:1].upper()}{label[1:]} visar fler."
    return f"{YEARS_WHY} Välj {fmt.period(*years)} under Period (Välj månader) för att se fler."


def running_note(selection, *, export: bool = False) -> str | None:
    """Why the months of the year still growing hide more, when the selection's months
    with signals reach into it (None otherwise): that year is protected month by month
    (:func:`dashboard.signal_layers.publication_spans`), so a value over several of its
    months is shown only where each month is, and the year so far cannot be compared
    before and after the next load to give a new month's small count away."""
    first, last = _month_span(db_key())
    year = running_year(first, last)
    if year is None or months_covered(selection) is None or months_read(selection)[1].year != year:
        return None
    # On the page, what shows more and where to choose it; an export states the reason only.
    whole = (f" Hela {year - 1} visar fler (välj det under Period)." if not export and first is not None
             and first <= date(year - 1, 1, 1) else "")
    return (f"{year} är inte helt ännu (signaler t.o.m. {fmt.month(last)}), och årets månader skyddas var för sig: "
            f"ett värde för flera av dem visas bara när varje månad visas. Annars skulle samma period före och "
            f"efter nästa månads inläsning kunna ställas mot varandra och avslöja ett litet antal.{whole}")


def _hidden_share(key, level: str, code: str, start: date, end: date, grain: str, dimension: str | None) -> float:
    """The share of an area's counts per period (× category) and over the period (per
    category) that the layer of ``grain`` hides for the months ``start``–``end``, a zero
    counted as shown, as the page's two tables count them. Read from the country-wide
    layer (cached for every area), without the page's cube, rates and tables."""
    layer = _layer(key, chain_for(level), start, end, grain, dimension)
    prefix = _prefix(level)
    where = {LEVEL_COLUMN[level]: code} if prefix else None
    fine, whole = (("period", dimension), (dimension,)) if dimension else (("period",), ())
    hidden = sum(int(layer.table((*prefix, *g), where=where)["count_suppressed"].sum()) for g in (fine, whole))
    slots = (len(periods(start, end, grain)) + 1) * (len(CATEGORIES[dimension]) if dimension else 1)
    return hidden / slots


def years_showing_more(selection, dimension: str | None, grain: str) -> tuple[date, date] | None:
    """:func:`whole_years` (or the next choice of :func:`_year_choices`) when
    Rekryteringssignaler, in the ``grain`` it shows and the same breakdown, hides a
    smaller share of the area's values there than for the selection, else None: for an
    area whose breakdown hides almost everything, whole years can hide as much or more
    (Boden by sex, December 2024–November 2025: 7 of its 9 counts; 2024–2025: 8 of 9),
    and the page offered them all the same."""
    choices = _choices(selection)
    if not choices:
        return None
    key, level, code = db_key(), selection.area_level, selection.area_code
    share = _hidden_share(key, level, code, *months_read(selection), grain, dimension)
    for years in choices:
        if _hidden_share(key, level, code, *years, grain, dimension) < share:
            return years
    return None


def _hidden_areas(key, level: str, start: date, end: date, codes) -> set[str]:
    """The areas among ``codes`` at ``level`` whose total over the months is hidden."""
    chain = chain_for(level)
    cols = CHAINS[chain]
    column = LEVEL_COLUMN[level]
    table = _totals(key, chain, start, end).table(cols[: cols.index(column) + 1])
    return set(table.loc[table["count_suppressed"].to_numpy(dtype=bool) & table[column].isin(list(codes)), column])


def years_revealing(selection, level: str, codes, *, earlier: bool = True) -> tuple[date, date] | None:
    """:func:`whole_years` when they show the total of an area among ``codes`` at
    ``level`` that the selection's months hide, or (``earlier``) the same months a year
    earlier hide (Översikt's headline and change, Karta's areas, Jämförelse's rows), else
    None: the pages say why a period that cuts a year hides more only where whole years
    would show it."""
    choices = _choices(selection)
    if not choices or level not in LEVEL_COLUMN:
        return None
    key = db_key()
    start, end = months_read(selection)
    windows = [(start, end), (year_earlier(start), year_earlier(end))] if earlier else [(start, end)]
    hidden = [_hidden_areas(key, level, s, e, codes) for s, e in windows]
    # The same choice a year earlier (the year before "hela 2025" is "hela 2024").
    alike = [choices] + [_year_choices(s, e) for s, e in windows[1:]]
    for i, years in enumerate(choices):
        for areas, options in zip(hidden, alike, strict=True):
            if areas and i < len(options) and areas - _hidden_areas(key, level, *options[i], areas):
                return years
    return None


def coverage_note(selection) -> str | None:
    """A sentence for the pages when the signals do not cover the whole of the selection's
    period: which months they cover, and what the page shows instead (None when they
    cover it)."""
    first, last = _month_span(db_key())
    if last is None:
        return ("Databasen innehåller inga rekryteringssignaler ännu. De läses in som andra filer "
                "(python -m pipelines ingest …; formatet i docs/formats.md).")
    window = _months_covered(selection.start, selection.end)
    if window == (selection.start, selection.end):
        return None
    held = coverage_text(SOURCE).capitalize()
    if window is None:
        when, choose = ("före", "tidigare") if last < selection.start else ("efter", "senare")
        return (f"{held}, {when} den valda perioden: den har inga signaler att visa (–, inte 0). "
                f"Välj en {choose} period för att se dem.")
    missing = []
    if window[0] > selection.start:
        missing.append("månaderna före finns inte i data")
    if window[1] < selection.end:
        missing.append("månaderna efter saknas ännu")
    return (f"{held}: signalerna visas för {fmt.period(*window)}; {' och '.join(missing)} "
            "(de räknas inte som 0).")


def previous_note(selection) -> str | None:
    """Why no change against a year earlier is shown for the signals when the months a
    year before the period (or before its months with signals) have none, else None."""
    window = months_covered(selection)
    if window is None or has_previous(selection):
        return None
    first = _month_span(db_key())[0]
    return (f"Ingen förändring visas för rekryteringssignalerna: de finns från {fmt.month(first)}, inte för "
            f"samma månader ett år tidigare ({fmt.period(year_earlier(window[0]), year_earlier(window[1]))}).")


def months_read(selection) -> tuple[date, date]:
    """The months the selection's signals are read for: :func:`months_covered`, or the
    period itself when none of its months has signals (the pages then show its figures as
    missing and say why with :func:`coverage_note`)."""
    return _months_read(selection.start, selection.end)


def _months_read(start: date, end: date) -> tuple[date, date]:
    return signal_months(start, end, *_month_span(db_key()))



# --- every area's count -----------------------------------------------------------------------
# A totals layer has a row only for the areas with signals. Whether an area without one has
# none (0) or an unknown count (–) is decided here, once, for the map, its table and image,
# and Jämförelse's tables, charts and trends.

OUTSIDE_MONTHS = "outside_months"  # the period has no month with signals (coverage_note says which have)
PER_LPO = "per_lpo"                # a kommun whose signals are recorded per LPO (unplaceable)
# What a chart names an area under when its count is missing, by the reason (Jämförelse's
# bars; the words of coverage_note and the comparison's note for a period without signals).
MISSING_LABELS = {OUTSIDE_MONTHS: "Inga månader med signaler", PER_LPO: "Registreras per lokalpolisområde"}
PER_LPO_NOTE = ("Signaler som registreras per lokalpolisområde som täcker flera kommuner kan inte föras till "
                "en enskild kommun; de kommunerna visas som – (saknas), inte som 0.")


def area_cells(counts: np.ndarray, hidden: np.ndarray, per_lpo: np.ndarray,
               covered: bool) -> tuple[pd.arrays.IntegerArray, np.ndarray, np.ndarray]:
    """The rule for one count per area (and period) read from a protected layer.

    ``counts``: the layer's counts (NaN: no row, or a count the layer left out without
    hiding it), ``hidden``: their suppression flags, ``per_lpo``: the areas are kommuner
    that signals recorded per LPO cannot reach (:func:`unplaceable`), ``covered``: the
    period has months with signals. Returns (count, hidden, missing): a hidden count is NA
    and stays hidden; otherwise an area without a count has none (0), except where the
    count is unknown, NA with its reason in ``missing`` (:data:`OUTSIDE_MONTHS` for every
    area of a period without signals; :data:`PER_LPO` for such a kommun's 0); None where
    the count is known or hidden."""
    hidden = np.asarray(hidden, dtype=bool)
    count = np.where(np.isnan(counts) & ~hidden, 0.0, counts)
    missing = np.full(len(count), None, dtype=object)
    if not covered:
        missing[~hidden] = OUTSIDE_MONTHS
    else:
        missing[np.asarray(per_lpo, dtype=bool) & ~hidden & (count == 0)] = PER_LPO
    unknown = hidden | pd.notna(missing)
    return pd.arrays.IntegerArray(np.where(unknown, 0, count).astype(np.int64), unknown), hidden, missing


def _layer_counts(prot: suppression.Protected, level: str, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The counts (NaN: no row) and suppression flags of the areas ``codes`` in a totals layer."""
    column = LEVEL_COLUMN[level]
    table = prot.table(_prefix(level))
    table = table[table[column].notna()]
    at = pd.Index(table[column]).get_indexer(codes)
    found = at >= 0
    counts = np.full(len(codes), np.nan)
    counts[found] = floats(table["count"])[at[found]]
    hidden = np.zeros(len(codes), dtype=bool)
    hidden[found] = pd.array(table["count_suppressed"], dtype="boolean").fillna(False).to_numpy(dtype=bool)[at[found]]
    return counts, hidden


def _cells_frame(codes: list[str], counts: np.ndarray, hidden: np.ndarray, per_lpo: frozenset[str],
                 covered: bool) -> pd.DataFrame:
    count, hidden, missing = area_cells(counts, hidden, np.array([c in per_lpo for c in codes], dtype=bool),
                                        covered)
    # count_missing as objects with None: pandas would make a column with a reason "str" with NaN.
    return pd.DataFrame({"area_code": pd.Series(codes, dtype=object), "count": count,
                         "count_suppressed": hidden, "count_missing": pd.Series(missing, dtype=object)})


def _with_rates(cells: pd.DataFrame, youth: pd.DataFrame, year: int) -> pd.DataFrame:
    """``cells`` with population_12_17 (of ``year``, else the latest earlier year) and the
    rate per 1 000 aged 12–17 (protected with its count)."""
    pop = youth[youth["year"] <= year]
    pop = (pop if not pop.empty else youth).sort_values("year").groupby("area_code").tail(1)
    # A look-up by area instead of a merge on the text key (the merge cost ~7 ms).
    out = cells.reset_index(drop=True)
    by_area = pop.set_index("area_code")["population_12_17"]
    out["population_12_17"] = by_area.reindex(out["area_code"]).to_numpy()
    return suppression.derive_rate(out, "count", "population_12_17", per=1000, out="rate").reset_index(drop=True)


@st.cache_data(max_entries=32, show_spinner=False)
def _area_counts(key, level: str, start: date, end: date) -> pd.DataFrame:
    codes = list(geo.area_index(key).by_level.get(level, ()))
    covered = months_within(start, end, *_month_span(key)) is not None
    if covered:
        counts, hidden = _layer_counts(_totals(key, chain_for(level), start, end), level, codes)
    else:  # no month with signals: no layer to read
        counts, hidden = np.full(len(codes), np.nan), np.zeros(len(codes), dtype=bool)
    return _cells_frame(codes, counts, hidden, unplaceable(key, level), covered)


def area_counts(level: str, start: date, end: date) -> pd.DataFrame:
    """Every area of ``level`` (the area table's, by name) with its signals over the months
    ``start``–``end``: area_code, count, count_suppressed, count_missing, by
    :func:`area_cells`' rule: NA and count_suppressed where hidden; 0 where the area has
    none; NA with the reason in count_missing where the count is unknown
    (:data:`OUTSIDE_MONTHS`, :data:`PER_LPO`; None elsewhere)."""
    return _area_counts(db_key(), level, start, end)


@st.cache_data(max_entries=32, show_spinner=False)
def _area_values(key, level: str, start: date, end: date) -> pd.DataFrame:
    youth = run("SELECT area_code, year, population_12_17 FROM mart_population WHERE level = $level",
                {"level": level}, key=key)
    return _with_rates(_area_counts(key, level, start, end), youth, end.year)


def area_values(level: str, start: date, end: date) -> pd.DataFrame:
    """The map metric "rekryteringssignaler": :func:`area_counts` (every area of
    ``level``) with population_12_17, rate (per 1 000 aged 12–17) and rate_suppressed; the
    rate is NA where the count is hidden or missing."""
    return _area_values(db_key(), level, start, end)


@st.cache_data(max_entries=32, show_spinner=False)
def _area_years(key, level: str, first_year: int, last_year: int) -> pd.DataFrame:
    chain = chain_for(level)
    column = LEVEL_COLUMN[level]
    prot = _layer(key, chain, date(first_year, 1, 1), date(last_year, 12, 1), "year", None)
    table = prot.table((*_prefix(level), "period"))
    table = table[table[column].notna()]
    # Every area × year (areas by name, years ascending) by position on (area, year).
    codes = list(geo.area_index(key).by_level.get(level, ()))
    years = list(range(first_year, last_year + 1))
    grid = [(a, y) for a in codes for y in years]
    cells = {cell: i for i, cell in enumerate(zip(table[column].tolist(), table["period"].astype(int).tolist(),
                                                  strict=True))}
    at = np.array([cells.get(cell, -1) for cell in grid], dtype=np.int64)
    found = at >= 0
    counts = np.full(len(grid), np.nan)
    counts[found] = floats(table["count"])[at[found]]
    hidden = np.zeros(len(grid), dtype=bool)
    hidden[found] = pd.array(table["count_suppressed"], dtype="boolean").fillna(False).to_numpy(dtype=bool)[at[found]]
    reached = unplaceable(key, level)
    count, hidden, missing = area_cells(counts, hidden, np.array([a in reached for a, _ in grid], dtype=bool), True)
    return pd.DataFrame({"area_code": pd.Series([a for a, _ in grid], dtype=object),
                         "year": np.array([y for _, y in grid], dtype=np.int64),
                         "count": count, "count_suppressed": hidden,
                         "count_missing": pd.Series(missing, dtype=object)})


def area_years(level: str, first_year: int, last_year: int) -> pd.DataFrame:
    """Every area of ``level`` × calendar year ``first_year``–``last_year`` (years with
    signals): area_code, year, count, count_suppressed, count_missing, each year's own
    published total (the Rekryteringssignaler page's yearly values) by :func:`area_cells`'
    rule."""
    return _area_years(db_key(), level, first_year, last_year)


# --- signals a level cannot place -----------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _unplaced_where(key, level: str, code: str, start: date, end: date) -> tuple[str, ...]:
    column = {"lpo": "lpo_code", "polisomrade": "polisomrade_code", "kommun": "kommun_code"}[level]
    return tuple(r[0] for r in rows(
        f"""SELECT DISTINCT recorded_area FROM mart_signal
            WHERE month BETWEEN $start AND $end AND {column} IS NULL AND count > 0
              AND recorded_area IN (SELECT within_code FROM mart_area_link WHERE area_code = $code
                                    UNION SELECT area_code FROM mart_area_link WHERE within_code = $code)
            ORDER BY 1""",
        {"start": start, "end": end, "code": code}, key=key))


def unplaced_note(selection) -> str | None:
    """A sentence when signals recorded for an area that overlaps the selected LPO,
    polisområde or kommun (a kommun shared by several LPOs, an LPO covering several
    kommuner, a whole län) cannot be counted in it, else None. It names those areas and
    gives no count: the count is person-level and could be small."""
    if selection.area_level not in ("lpo", "polisomrade", "kommun"):
        return None
    window = months_covered(selection)
    if window is None:
        return None
    found = _unplaced_where(db_key(), selection.area_level, selection.area_code, *window)
    if not found:
        return None
    # 'lokalpolisområdet Nacka', not 'Nacka': an LPO and a kommun often share a name.
    kind = {"lpo": "lokalpolisområdet ", "polisomrade": "polisområdet ", "kommun": "kommunen "}
    names = ", ".join(kind.get(geo.level_of(code), "") + geo.area_name(code) for code in found)
    level = {"lpo": "ett enskilt lokalpolisområde", "polisomrade": "ett enskilt polisområde",
             "kommun": "en enskild kommun"}[selection.area_level]
    return (f"Signaler registrerade för {names} kan inte föras till {level} och räknas inte här; de ingår "
            f"i {names} och i de större områdena.")
