"""Regional comparison (Brå-style follow-up): areas of one level side by side on one
indicator, indexed trends, change against the same cutoff a year earlier with its
uncertainty, similar areas, and measure completion beside the outcome.

Indicators (ids are small strings, so they can key caches and sit in the URL):

- ``incidents:<group>``: police-reported incidents per 100 000 inhabitants; the group is
  ``urval`` (the sidebar's incident types) or a headline group (skjutningar, explosioner,
  våld). Not person-level; shown as they are.
- ``signals``: recruitment signals per 1 000 aged 12–17, read through
  :mod:`dashboard.queries.signals`, so every count and rate has passed
  :mod:`dashboard.suppression` before it gets here.
- ``kolada:<KPI>``: Kolada's value per kommun and year (a rate without a count: no
  interval or chance test is possible).
- ``bra:<offence category>``: Brå's reported offences per 100 000 and year.

Uncertainty: a count is treated as Poisson. The 95 % interval of a rate is the exact
(Garwood) interval of its count scaled by the population; a change against the year
before is "inom slumpens variation" when an exact conditional binomial test of the two
counts (given their sum, allowing for the change in population) does not reject "same
rate" at the 5 % level (:func:`dashboard.charts.change_within_chance`).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, periods
from dashboard.queries import coverage, coverage_text, covered, db_key, floats, reaches_back, run
from dashboard.queries import incidents as incident_queries
from dashboard.queries import signals as signal_queries
from dashboard.queries.incidents import shift_months
from pipelines import categories as cat

LEVELS = ("polisregion", "polisomrade", "lpo", "lan", "kommun")
INCIDENTS = "händelser"  # the source's name in the query layer's coverage
INCIDENT_GROUPS = {"urval": "valda händelsetyper", **{g: g for g in cat.HEADLINE_TYPES}}
METHOD_NOTE = (
    "Osäkerhet: antalen behandlas som Poissonfördelade; strecken är exakta 95 %-intervall och en förändring "
    "är ”inom slumpens variation” när ett exakt villkorat binomialtest av de två antalen (med hänsyn till "
    "befolkningsförändringen) inte kan skilja dem åt på 5 %-nivån."
)
SIMILAR_NOTE = (
    "Liknande områden: de områden på samma nivå som ligger närmast i befolkningsstorlek (logaritmerad), "
    "andel 12–17 år och befolkningstäthet (invånare per km², logaritmerad), med varje mått standardiserat "
    "över nivåns alla områden och lika vikt. Andel i tätort finns inte i databasen och ingår inte. "
    "Lokalpolisområden får kommunens befolkning fördelad efter andel, så deras ålderssammansättning är "
    "kommunens."
)


@dataclass(frozen=True)
class Indicator:
    """What an indicator id means: its label, unit, source and where it exists."""

    id: str
    label: str            # Swedish, for selectors and titles
    unit: str             # e.g. "per 100 000 invånare"
    kind: str             # incidents | signals | kolada | bra
    yearly: bool          # True: a value per calendar year (official statistics)
    has_counts: bool      # counts exist, so intervals and chance tests can be computed
    person_level: bool    # disclosure-controlled


# The change column's header per kind of indicator: Jämförelse's change is that of the
# rate, Översikt's that of the count, and the same "Förändring (%)" read as one thing.
_CHANGE_UNITS = {"incidents": "per 100 000 inv.", "signals": "per 1 000 unga", "bra": "per 100 000 inv.",
                 "kolada": "i värdet"}


def change_label(indicator: Indicator) -> str:
    """The header of the change in percent of ``indicator``'s value in the exports:
    'Förändring per 100 000 inv. (%)'. On screen, where the table must fit 1280 px, the
    page heads it :data:`SHORT_CHANGE_LABEL` beside "Värde" and says what the value is
    (:func:`value_note`, and the header's help)."""
    return f"Förändring {_CHANGE_UNITS[indicator.kind]} (%)"


SHORT_CHANGE_LABEL = "Förändr. (%)"


def value_note(what: str, indicator: Indicator) -> str:
    """What the table's "Värde" and its change are (``what``: the measure as the page
    names it), said under it on screen."""
    return (f"Värde: {what[:1].lower()}{what[1:]}, {indicator.unit}. {SHORT_CHANGE_LABEL} är värdets förändring "
            "mot året innan, inte antalets.")


def _group_types(group: str, selected: tuple[str, ...]) -> tuple[str, ...]:
    if group == "urval":
        return tuple(selected)
    return tuple(cat.HEADLINE_TYPES[group])


# --- which indicators exist -------------------------------------------------------------------

@st.cache_data(max_entries=8, show_spinner=False)
def _statistics(key) -> pd.DataFrame:
    return run(
        """SELECT indicator, any_value(indicator_label) AS label, any_value(source) AS source,
                  list(DISTINCT level ORDER BY level) AS levels, min(year) AS first_year, max(year) AS last_year,
                  bool_or(count IS NOT NULL) AS has_counts
           FROM mart_comparison_statistic GROUP BY indicator ORDER BY source, indicator""",
        key=key,
    )


def indicators(level: str) -> dict[str, Indicator]:
    """The indicators available at ``level``, id -> Indicator, in selector order."""
    return dict(_indicators(db_key(), level))


@st.cache_data(max_entries=32, show_spinner=False)
def _indicators(key, level: str) -> dict[str, Indicator]:
    # Asked for several times per rerun; derived once per database and level.
    out = {}
    for group, label in INCIDENT_GROUPS.items():
        name = "Händelser (valda typer)" if group == "urval" else f"Händelser: {label}"
        out[f"incidents:{group}"] = Indicator(f"incidents:{group}", name, "per 100 000 invånare", "incidents",
                                              False, True, False)
    out["signals"] = Indicator("signals", "Rekryteringssignaler", "per 1 000 unga 12–17 år", "signals",
                               False, True, True)
    for r in _statistics(key).itertuples(index=False):
        if level not in list(r.levels):
            continue
        if r.source == "kolada":
            out[r.indicator] = Indicator(r.indicator, f"Kolada: {r.label}", "nyckeltalets enhet", "kolada",
                                         True, False, False)
        else:
            out[r.indicator] = Indicator(r.indicator, f"Brå: {r.label}", "anmälda brott per 100 000 invånare",
                                         "bra", True, bool(r.has_counts), False)
    return out


# --- the cutoff -------------------------------------------------------------------------------

def cutoff(sel, indicator: Indicator) -> tuple[date, date] | None:
    """The months compared: the selection's period cut to the months its source has data
    for (the query layer's rule, :func:`dashboard.queries.covered`), ended at the last
    complete month of the incidents (the "same cutoff" compared with the same months a
    year earlier). None when the period has no such month. Yearly statistics use
    calendar years instead."""
    if indicator.kind == "signals":  # monthly counts: their last month is complete
        return covered(signal_queries.SOURCE, sel.start, sel.end)
    return periods.months_within(sel.start, sel.end, coverage(INCIDENTS)[0], incident_queries.last_complete())


# --- per-area values --------------------------------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _incident_series(key, level: str, windows_key: str, types: tuple[str, ...],
                     _windows: tuple[tuple[int, date, date], ...]) -> pd.DataFrame:
    """Incidents per area of ``level`` in each window (label year, start, end), with the
    population of the window's end year: area_code, count, population, year; every area
    and window, areas without incidents with count 0.

    One statement serves both the comparison (its last two windows are the period and
    the same months a year earlier) and the indexed trends of any areas of the level, so
    changing the area compared or the number of similar areas needs no query, and a new
    level, period or type scans the level's incident rows once instead of twice.

    ``windows_key`` stands for ``_windows`` in the cache key (see :func:`_series`).
    """
    windows = _windows
    return run(
        """WITH windows AS (
               SELECT unnest($years) AS year, unnest($starts)::DATE AS first, unnest($ends)::DATE AS last
           ),
           -- Every month (first day, as in the mart) within each window: an equality join
           -- on month is much cheaper than a range join over the level's rows. The first
           -- month is the first month start on or after the window's first day.
           window_months AS (
               SELECT year, unnest(generate_series(date_trunc('month', first + INTERVAL 1 MONTH - INTERVAL 1 DAY),
                                                   last, INTERVAL 1 MONTH))::DATE AS month
               FROM windows
           ),
           counts AS (
               SELECT w.year, m.area_code, sum(m.incidents)::BIGINT AS count
               FROM mart_incident_month AS m JOIN window_months AS w USING (month)
               WHERE m.level = $level AND ($all_types OR list_contains($types, m.incident_type))
               GROUP BY ALL
           ),
           pop AS (
               SELECT w.year, p.area_code,
                      coalesce(arg_max(p.population, p.year) FILTER (WHERE p.year <= year(w.last)),
                               arg_min(p.population, p.year)) AS population
               FROM mart_population AS p CROSS JOIN windows AS w
               WHERE p.level = $level
               GROUP BY ALL
           )
           SELECT a.area_code, coalesce(c.count, 0)::BIGINT AS count, pop.population, w.year
           FROM area AS a CROSS JOIN windows AS w
           LEFT JOIN counts AS c ON c.area_code = a.area_code AND c.year = w.year
           LEFT JOIN pop ON pop.area_code = a.area_code AND pop.year = w.year
           WHERE a.level = $level
           ORDER BY w.year, a.area_code""",
        {"level": level, "years": [w[0] for w in windows], "starts": [w[1] for w in windows],
         "ends": [w[2] for w in windows], "types": list(types), "all_types": not types},
        key=key,
    )


def _series(key, level: str, sel, indicator: Indicator, types: tuple[str, ...]) -> pd.DataFrame:
    """:func:`_incident_series` for a selection. The windows are keyed by their text:
    Streamlit hashes a tuple of dates element by element, about 3 ms a call."""
    windows = _series_windows(sel, indicator, _first_months(key)["incidents"])
    return _incident_series(key, level, repr(windows), types, windows)


def _series_windows(sel, indicator: Indicator, first: date | None) -> tuple[tuple[int, date, date], ...]:
    """The windows :func:`_incident_series` is asked for: the trend's windows
    (:func:`trend_windows`), always with the period and the year before it (the
    comparison needs both even where the data do not reach back a year)."""
    window = cutoff(sel, indicator)
    if window is None:
        return ()
    start, end = window
    oldest = max(1, len(trend_windows(sel, indicator, first)) - 1)
    return tuple((end.year - k, shift_months(start, -12 * k), shift_months(end, -12 * k))
                 for k in range(oldest, -1, -1))


# Why kommuner show – for signals: the signals module's note for the state it gives them.
UNPLACED_NOTE = signal_queries.PER_LPO_NOTE


@st.cache_data(max_entries=32, show_spinner=False)
def _youth(key, level: str, year: int) -> pd.DataFrame:
    """Aged 12–17 per area of ``level`` in ``year`` (else the nearest earlier, else the first)."""
    return run(
        """SELECT area_code,
                  coalesce(arg_max(population_12_17, year) FILTER (WHERE year <= $year),
                           arg_min(population_12_17, year)) AS population
           FROM mart_population WHERE level = $level GROUP BY area_code""",
        {"level": level, "year": year}, key=key,
    )


def _aligned(right: pd.DataFrame, keys: pd.Index, wanted: pd.Index, column: str):
    """``right[column]`` for each key in ``wanted`` (``keys`` are right's row keys, unique),
    as a left merge of ``wanted`` with ``right`` gives it: missing keys give NA, and the
    dtype is the one pandas' merge gives then (int64 becomes float64, bool object)."""
    at = keys.get_indexer(wanted)
    values = right[column].reset_index(drop=True)
    if (at >= 0).all():
        return values.array.take(at)
    return values.reindex(at).array


def _signal_pair(key, level: str, names: pd.DataFrame, now: tuple[date, date],
                 before: tuple[date, date]) -> tuple[pd.DataFrame, bool]:
    """Every area of ``level`` (``names``' order) with its signals in the two windows as the
    signals module gives them (:func:`signal_queries.area_counts`: hidden, 0, or missing
    with its reason): area_code, count, count_suppressed, count_missing, count_prev,
    count_prev_suppressed, count_prev_missing, population and population_prev (aged 12–17
    in each window's end year); and whether a count is missing because the kommun's signals
    are recorded per LPO (:data:`UNPLACED_NOTE`).

    Built by position on the area codes instead of merges with each window and the
    populations (same frame as those merges gave)."""
    codes = pd.Index(names["area_code"])
    columns = {"area_code": names["area_code"].array}
    per_lpo = False
    for suffix, (start, end) in (("", now), ("_prev", before)):
        part = signal_queries._area_counts(key, level, start, end)
        keys = pd.Index(part["area_code"])
        for column in ("count", "count_suppressed", "count_missing"):
            columns[column.replace("count", f"count{suffix}", 1)] = _aligned(part, keys, codes, column)
        per_lpo = per_lpo or bool((part["count_missing"] == signal_queries.PER_LPO).any())
    for suffix, year in (("", now[1].year), ("_prev", before[1].year)):
        youth = _youth(key, level, year)
        columns[f"population{suffix}"] = _aligned(youth, pd.Index(youth["area_code"]), codes, "population")
    return pd.DataFrame(columns), per_lpo


@st.cache_data(max_entries=64, show_spinner=False)
def _statistic_years(key, indicator: str, level: str) -> pd.DataFrame:
    return run(
        """SELECT area_code, year, value, count, preliminary
           FROM mart_comparison_statistic WHERE indicator = $indicator AND level = $level""",
        {"indicator": indicator, "level": level}, key=key,
    )


@st.cache_data(max_entries=16, show_spinner=False)
def _area_names(key, level: str) -> pd.DataFrame:
    return run("SELECT area_code, name, approximate FROM area WHERE level = $level ORDER BY name",
               {"level": level}, key=key)


def _bools(values, n: int) -> np.ndarray:
    """A suppression flag as a plain bool array: a missing flag (or no column, None) is False."""
    if values is None:
        return np.zeros(n, dtype=bool)
    return pd.array(values, dtype="boolean").fillna(False).to_numpy(dtype=bool)


def _among(column: pd.Series, wanted) -> np.ndarray:
    """``column.isin(wanted)`` as a bool array: a set lookup per row costs a fraction of
    pandas' isin on Arrow strings (~2 ms for the 290 kommuner)."""
    wanted = set(wanted)
    return np.fromiter((v in wanted for v in column.tolist()), dtype=bool, count=len(column))


def _rates(count: np.ndarray, population: np.ndarray, per: float) -> np.ndarray:
    """count / population * per, NaN where either is missing or the population is not above 0."""
    ok = ~np.isnan(count) & ~np.isnan(population) & (population > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, count / population * per, np.nan)


def _with_uncertainty(df: pd.DataFrame, per: float) -> pd.DataFrame:
    """Add value (rate), low/high (95 % interval), value_prev and within_chance from
    count/population and count_prev/population_prev. A hidden count gives no rate.

    Column arithmetic in NumPy; only the intervals and chance tests (both remembered per
    count) are asked for row by row."""
    count, population = floats(df["count"]), floats(df["population"])
    count_prev, population_prev = floats(df["count_prev"]), floats(df["population_prev"])
    hidden = _bools(df.get("count_suppressed"), len(df))
    hidden_prev = _bools(df.get("count_prev_suppressed"), len(df))
    value = np.where(hidden, np.nan, _rates(count, population, per))
    value_prev = np.where(hidden_prev, np.nan, _rates(count_prev, population_prev, per))
    shown = ~np.isnan(value)
    # The intervals of every shown count worked out together (one vectorised pass).
    charts.poisson_intervals(count[shown].tolist())
    low, high = np.full(len(df), np.nan), np.full(len(df), np.nan)
    chance: list[bool | None] = [None] * len(df)
    testable = shown & ~np.isnan(value_prev)
    # The chance tests too (all together), so the loop below answers from memory.
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = population / population_prev
    charts.changes_within_chance(zip(count[testable].tolist(), count_prev[testable].tolist(),
                                     ratio[testable].tolist(), strict=True))
    for i in np.flatnonzero(shown).tolist():
        lo_c, hi_c = charts.poisson_interval(float(count[i]))
        low[i], high[i] = lo_c / population[i] * per, hi_c / population[i] * per
        if testable[i]:
            chance[i] = charts.change_within_chance(float(count[i]), float(count_prev[i]),
                                                    float(population[i]) / float(population_prev[i]))
    # One new frame rather than five inserted columns (each insert costs about as much).
    return pd.DataFrame({**{c: df[c].array for c in df.columns},
                         "value": pd.array(value, dtype="Float64"), "low": pd.array(low, dtype="Float64"),
                         "high": pd.array(high, dtype="Float64"), "value_prev": pd.array(value_prev, dtype="Float64"),
                         "within_chance": pd.array(chance, dtype="boolean")})


def _finish(df: pd.DataFrame, names: pd.DataFrame, codes: tuple[str, ...]) -> pd.DataFrame:
    """The areas ``codes`` (with name and approximate) beside their values in ``df``, with
    change, change_pct, rank and the suppression flags, ranked (highest value first)."""
    left = names[_among(names["area_code"], codes)]
    rows = pd.Index(df["area_code"]).get_indexer(left["area_code"]) if df["area_code"].is_unique else None
    overlap = set(left.columns) & set(df.columns) - {"area_code"}
    if rows is None or (rows < 0).any() or overlap or left.empty:
        # Areas without a row (or an empty comparison): pandas' merge decides the dtypes.
        merged = left.merge(df, on="area_code", how="left")
        columns = {c: merged[c].array for c in merged.columns}
    else:
        # Every area has exactly one row: df's rows in the areas' order directly (the same
        # columns as the left merge, without its cost).
        columns = {**{c: left[c].array for c in left.columns},
                   **{c: df[c].array.take(rows) for c in df.columns if c != "area_code"}}
    value, prev = floats(columns["value"]), floats(columns["value_prev"])
    both = ~np.isnan(value) & ~np.isnan(prev)
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["change"] = pd.array(np.where(both, value - prev, np.nan), dtype="Float64")
        columns["change_pct"] = pd.array(np.where(both & (prev > 0), (value - prev) / prev * 100, np.nan),
                                         dtype="Float64")
    # Rank "min" with the highest value 1: one more than the number of higher values.
    ranked = np.sort(value[~np.isnan(value)])
    rank = len(ranked) - np.searchsorted(ranked, value, side="right") + 1
    columns["rank"] = pd.array(np.where(np.isnan(value), np.nan, rank), dtype="Int64")
    for flag in ("count_suppressed", "count_prev_suppressed"):
        columns[flag] = _bools(columns.get(flag), len(value))
    # Why a count is missing, where the source says (signals: signal_queries.area_cells).
    for reason in ("count_missing", "count_prev_missing"):
        if reason not in columns:
            columns[reason] = np.full(len(value), None, dtype=object)
    # A rate or change from a hidden count is hidden too (displayed as "..").
    hidden, hidden_prev = columns["count_suppressed"], columns["count_prev_suppressed"]
    columns["value_suppressed"] = hidden
    columns["value_prev_suppressed"] = hidden_prev
    columns["change_suppressed"] = hidden | hidden_prev
    columns["change_pct_suppressed"] = hidden | hidden_prev
    # Ranked, ties (and unranked areas, last) by name; stable, as pandas' sort is.
    order = np.lexsort((np.asarray(columns["name"], dtype=object), np.where(np.isnan(value), np.inf, rank)))
    return pd.DataFrame({c: a.take(order) for c, a in columns.items()})


@dataclass(frozen=True)
class Comparison:
    """One indicator for the areas of one level: the table and how it was computed."""

    table: pd.DataFrame   # area_code, name, approximate, count, population, value, low, high,
    #                       count_prev, population_prev, value_prev, change, change_pct,
    #                       within_chance, rank, *_suppressed, count_missing and
    #                       count_prev_missing (signals: why a count is –, else None), preliminary
    indicator: Indicator
    period: str           # Swedish, e.g. "jan 2026 – okt 2026"
    previous: str         # the comparison period, e.g. "jan 2025 – okt 2025"
    per: float
    notes: tuple[str, ...]
    summary: Summary | None = None  # what the page derives from the table (see _summarise)
    # A hashable value that determines the table completely (database version and every
    # input), so the page's display tables can be remembered by it instead of by content.
    identity: tuple = ()
    # Why no area's change is tested (the months a year earlier lie before the source's
    # data), said instead of "0 ökat, 0 minskat"; None when the changes are tested.
    no_change: str | None = None
    # Why no area has a value at all (the period has no month with the source's data), said
    # instead of an empty chart and table and with nothing to download; None otherwise.
    no_values: str | None = None


class _Period(NamedTuple):
    """What the computations read from a selection (a small, hashable cache key)."""

    start: date
    end: date
    incident_types: tuple[str, ...]


def _period_of(sel) -> _Period:
    return _Period(sel.start, sel.end, tuple(sel.incident_types))


def compare(sel, level: str, indicator_id: str, codes: tuple[str, ...]) -> Comparison:
    """The indicator for the areas ``codes`` of ``level``: value, 95 % interval, rank and
    change against the same period a year earlier (or the year before, for yearly
    statistics), flagged when within chance. Cached per selection (intervals and tests
    are computed per area in Python)."""
    codes, key, period = tuple(codes), db_key(), _period_of(sel)
    codes_key = _codes_key(codes)
    cmp = _compare(key, period, level, indicator_id, codes_key, codes)
    return replace(cmp, identity=("comparison", key, period, level, indicator_id, codes_key))


def _codes_key(codes: tuple[str, ...]) -> str:
    """A short digest that stands for ``codes`` in a cache key. Streamlit hashes a tuple
    element by element, about 10 ms for the 290 kommuner on every call, hit or miss; the
    tuple itself is passed as an argument whose name starts with "_", which Streamlit
    leaves out of the key."""
    return hashlib.blake2b("\x1f".join(codes).encode(), digest_size=16).hexdigest()


@st.cache_data(max_entries=64, show_spinner=False)
def _compare(key, sel: _Period, level: str, indicator_id: str, codes_key: str,
             _codes: tuple[str, ...]) -> Comparison:
    codes = _codes
    from dashboard import formatting as fmt

    ind = indicators(level)[indicator_id]
    names = _area_names(key, level)
    notes: list[str] = []
    no_change = None
    if ind.kind in ("incidents", "signals"):
        window = cutoff(sel, ind)
        per = 100_000.0 if ind.kind == "incidents" else 1000.0
        source = INCIDENTS if ind.kind == "incidents" else signal_queries.SOURCE
        if window is None:
            # No rows, but every column of a comparison (the page reads them all); the
            # names are left to _finish.
            empty = _with_uncertainty(pd.DataFrame({
                "area_code": pd.Series(dtype=object),
                **{c: pd.Series(dtype="Float64") for c in ("count", "population", "count_prev", "population_prev")},
            }), per)
            # Signals: the sentence Rekryteringssignaler and Karta give for the same period
            # (their months, read from the data, and whether they begin after it or end before).
            none = ("Perioden har ingen hel månad med data." if ind.kind == "incidents"
                    else signal_queries.coverage_note(sel))
            return _comparison(_finish(empty, names, ()), ind, fmt.period(sel.start, sel.end), "–", per,
                               (none,), none, no_values=none)
        start, end = window
        if start > sel.start:
            notes.append(f"Jämförelsen börjar {fmt.month(start)}, den första månaden med {source}.")
        if end < sel.end:
            notes.append(f"Jämförelsen slutar {fmt.month(end)}, den sista hela månaden med data.")
        prev_start, prev_end = shift_months(start, -12), shift_months(end, -12)
        if not reaches_back(source, start):
            # The months a year earlier lie (partly) before the source's first month:
            # their counts are unknown, not 0, and no change is tested against them.
            no_change = (f"Ingen förändring prövas: {coverage_text(source)}, så samma månader ett år tidigare "
                         f"({fmt.period(prev_start, prev_end)}) saknar data.")
            notes.append(no_change)
        if ind.kind == "incidents":
            types = _group_types(indicator_id.split(":", 1)[1], sel.incident_types)
            series = _series(key, level, sel, ind, types)
            # The series has every area in every window, ordered by year and area_code, so
            # the two windows' rows line up area by area (no merge needed).
            now = series[series["year"] == end.year]
            before = series[series["year"] == end.year - 1]
            df = pd.DataFrame({"area_code": now["area_code"].to_numpy(), "count": now["count"].to_numpy(),
                               "population": now["population"].to_numpy(),
                               "count_prev": before["count"].to_numpy(),
                               "population_prev": before["population"].to_numpy()})
        else:
            df, blanked = _signal_pair(key, level, names, (start, end), (prev_start, prev_end))
            if blanked:
                notes.append(UNPLACED_NOTE)
        if no_change:
            df = df.assign(count_prev=pd.array([pd.NA] * len(df), dtype="Int64"), count_prev_suppressed=False)
            if "count_prev_missing" in df:
                df = df.assign(count_prev_missing=signal_queries.OUTSIDE_MONTHS)
        if missing := _without_population(df, codes):
            notes.append(missing)
        df = _with_uncertainty(df, per)
        period, previous = fmt.period(start, end), fmt.period(prev_start, prev_end)
    else:
        per = 100_000.0
        stats = _statistic_years(key, indicator_id, level)
        years = stats.loc[stats["year"] <= sel.end.year, "year"]
        if years.empty:
            years = stats["year"]
        year = int(years.max()) if not years.empty else sel.end.year
        now = stats[stats["year"] == year][["area_code", "value", "count", "preliminary"]]
        before = stats[stats["year"] == year - 1][["area_code", "value", "count"]].rename(
            columns={"value": "value_prev", "count": "count_prev"})
        df = now.merge(before, on="area_code", how="outer")
        df["value"] = df["value"].astype("Float64")
        df["value_prev"] = df["value_prev"].astype("Float64")
        if ind.has_counts:
            # Brå gives the count and the rate: the population is what links them.
            df["population"] = df["count"] / df["value"].where(df["value"] > 0) * per
            df["population_prev"] = df["count_prev"] / df["value_prev"].where(df["value_prev"] > 0) * per
            charts.poisson_intervals(df["count"].dropna().tolist())
            lo_hi = [charts.poisson_interval(float(c)) if pd.notna(c) else (math.nan, math.nan) for c in df["count"]]
            df["low"] = pd.array([lo * v / c if pd.notna(c) and c > 0 else (0.0 if c == 0 else math.nan)
                                  for (lo, _), v, c in zip(lo_hi, df["value"], df["count"], strict=True)],
                                 dtype="Float64")
            df["high"] = pd.array([hi * v / c if pd.notna(c) and c > 0 else math.nan
                                   for (_, hi), v, c in zip(lo_hi, df["value"], df["count"], strict=True)],
                                  dtype="Float64")
            chance = []
            for c, cp, p, pp in zip(df["count"], df["count_prev"], df["population"], df["population_prev"],
                                    strict=True):
                ok = all(pd.notna(x) for x in (c, cp, p, pp)) and pp > 0
                chance.append(charts.change_within_chance(float(c), float(cp), float(p) / float(pp)) if ok else None)
            df["within_chance"] = pd.array(chance, dtype="boolean")
        else:
            df["low"] = df["high"] = pd.array([pd.NA] * len(df), dtype="Float64")
            df["within_chance"] = pd.array([pd.NA] * len(df), dtype="boolean")
            notes.append("Kolada ger värden utan antal, så osäkerhetsintervall och slumptest kan inte beräknas.")
        if df.get("preliminary", pd.Series(dtype=bool)).fillna(False).any():
            notes.append("Värden markerade som preliminära av källan ingår.")
        period, previous = str(year), str(year - 1)
    return _comparison(_finish(df, names, tuple(codes)), ind, period, previous, per, tuple(notes), no_change)


def population_missing(n: int, total: int) -> str:
    """The one sentence every page (Jämförelse, Karta) and its exports give when ``n`` of
    the ``total`` areas with a count have no population for the period."""
    return (f"{n} av {total} områden saknar befolkning för perioden, så inget värde per invånare (och ingen "
            "förändring eller intervall för det) kan räknas för dem; antalen visas. Läs in SCB:s befolkning: "
            "python -m pipelines fetch scb (se docs/sources/scb.md).")


def _without_population(df: pd.DataFrame, codes: tuple[str, ...]) -> str | None:
    """The note for the areas ``codes`` that have a count but no population (SCB's
    population not loaded, or not for these years), else None: their rows show counts and
    nothing per inhabitant."""
    df = df[_among(df["area_code"], codes)]
    counted = ~np.isnan(floats(df["count"])) | ~np.isnan(floats(df["count_prev"]))
    missing = counted & (np.isnan(floats(df["population"])) | np.isnan(floats(df["population_prev"])))
    n = int(missing.sum())
    return population_missing(n, int(counted.sum())) if n else None


class Summary(NamedTuple):
    """What the page derives from a comparison's table on every rerun, worked out once."""

    suppressed: int          # hidden counts (this period and the year before)
    shown: pd.DataFrame      # the table with within_chance as "ja"/"nej" (for display)
    up: list[str]            # names of areas that increased beyond chance
    down: list[str]          # ... and decreased beyond chance
    known: int               # areas whose change could be tested
    beyond: int              # ... of which beyond chance


def _yes_no(df: pd.DataFrame) -> pd.DataFrame:
    chance = df["within_chance"].array
    if not isinstance(chance, pd.arrays.BooleanArray):
        return df.assign(within_chance=df["within_chance"].map({True: "ja", False: "nej"}).astype(object))
    # The same texts as the map above (a missing flag becomes NaN), without pandas' map
    # over an extension array, which cost a few milliseconds per table.
    texts = np.where(chance.to_numpy(dtype=bool, na_value=False), "ja", "nej").astype(object)
    texts[chance.isna()] = np.nan
    return df.assign(within_chance=pd.Series(texts, index=df.index, dtype=object))


def _summarise(table: pd.DataFrame) -> Summary:
    chance = table["within_chance"].array
    known = ~chance.isna()
    beyond = known & ~chance.fillna(True).to_numpy(dtype=bool)
    change = floats(table["change"])
    names = table["name"].to_numpy(dtype=object)
    return Summary(int(table["count_suppressed"].sum() + table["count_prev_suppressed"].sum()), _yes_no(table),
                   names[beyond & (change > 0)].tolist(), names[beyond & (change < 0)].tolist(),
                   int(known.sum()), int(beyond.sum()))


def _comparison(table: pd.DataFrame, ind: Indicator, period: str, previous: str, per: float,
                notes: tuple[str, ...], no_change: str | None = None, no_values: str | None = None) -> Comparison:
    """The comparison with its :class:`Summary`, worked out once and cached with it (a
    rerun that changes nothing here would otherwise filter and map the table again)."""
    return Comparison(table, ind, period, previous, per, notes, _summarise(table), no_change=no_change,
                      no_values=no_values)


# --- indexed trends ---------------------------------------------------------------------------

def trend_windows(sel, indicator: Indicator, first: date | None) -> list[tuple[int, date, date]]:
    """(label year, start, end) of the same period shifted back whole years, oldest first,
    as far as the data reach: each year is comparable with the current period."""
    window = cutoff(sel, indicator)
    if window is None or first is None:
        return []
    start, end = window
    out = []
    k = 0
    while shift_months(start, -12 * k) >= first:
        out.append((end.year - k, shift_months(start, -12 * k), shift_months(end, -12 * k)))
        k += 1
    return out[::-1]


@st.cache_data(max_entries=8, show_spinner=False)
def _first_months(key) -> dict[str, date | None]:
    df = run("""SELECT (SELECT min(month) FROM mart_incident_month WHERE level = 'riket') AS incidents,
                       (SELECT min(month) FROM recruitment_signal) AS signals""", key=key)
    return {c: (None if pd.isna(df.at[0, c]) else pd.Timestamp(df.at[0, c]).date()) for c in df.columns}


def _signal_years(key, level: str, first: date | None, window: tuple[date, date] | None) -> pd.DataFrame:
    """Recruitment signals per area and complete calendar year: each year's own published
    totals (the Rekryteringssignaler page's yearly values)."""
    columns = ["area_code", "year", "count", "count_suppressed", "population"]
    if first is None or window is None:
        return pd.DataFrame(columns=columns)
    last_year = window[1].year if window[1].month == 12 else window[1].year - 1
    if last_year < first.year:
        return pd.DataFrame(columns=columns)
    return _signal_years_cached(key, level, first.year, last_year)


@st.cache_data(max_entries=32, show_spinner=False)
def _signal_years_cached(key, level: str, first_year: int, last_year: int) -> pd.DataFrame:
    # Every area × year as the signals module gives them (:func:`signal_queries.area_years`),
    # with the population by position on (area, year) instead of a merge.
    part = signal_queries._area_years(key, level, first_year, last_year)
    pop = run("SELECT area_code, year, population_12_17 AS population FROM mart_population WHERE level = $level",
              {"level": level}, key=key)
    pop_keys = pd.Index(list(zip(pop["area_code"].tolist(), pop["year"].tolist(), strict=True)))
    grid = pd.Index(list(zip(part["area_code"].tolist(), part["year"].tolist(), strict=True)))
    return pd.DataFrame({
        "area_code": part["area_code"].array,
        "year": part["year"].to_numpy(),
        "count": part["count"].array,
        "count_suppressed": part["count_suppressed"].to_numpy(),
        "population": _aligned(pop, pop_keys, grid, "population"),
    })


def yearly(sel, level: str, indicator_id: str, codes: tuple[str, ...]) -> pd.DataFrame:
    """The indicator per year for ``codes``: area_code, name, year, date (1 January, for a
    time axis), count, count_suppressed, population, value and value_suppressed. For incidents and signals
    a "year" is the selection's period shifted back whole years (same months each year)."""
    return _yearly(db_key(), _period_of(sel), level, indicator_id, tuple(codes))


@st.cache_data(max_entries=64, show_spinner=False)
def _yearly(key, sel: _Period, level: str, indicator_id: str, codes: tuple[str, ...]) -> pd.DataFrame:
    ind = indicators(level)[indicator_id]
    if ind.kind in ("incidents", "signals"):
        first = _first_months(key)[ind.kind]
        per = 100_000.0 if ind.kind == "incidents" else 1000.0
        if ind.kind == "incidents":
            types = _group_types(indicator_id.split(":", 1)[1], sel.incident_types)
            years = [w[0] for w in trend_windows(sel, ind, first)]
            if not years:
                return pd.DataFrame(columns=["area_code", "name", "year", "date", "count", "count_suppressed",
                                             "population", "value", "value_suppressed"])
            series = _series(key, level, sel, ind, types)
            df = series[_among(series["year"], years) & _among(series["area_code"], codes)]
        else:
            part = _signal_years(key, level, first, cutoff(sel, ind))
            df = part[_among(part["area_code"], codes)]
        hidden = _bools(df.get("count_suppressed"), len(df))
        value = np.where(hidden, np.nan, _rates(floats(df["count"]), floats(df["population"]), per))
        population = df["population"].array
    else:
        stats = _statistic_years(key, indicator_id, level)
        df = stats[_among(stats["area_code"], codes)]
        hidden = np.zeros(len(df), dtype=bool)
        value = floats(df["value"])
        population = np.full(len(df), np.nan)
    # The areas' names beside their rows (an inner join on the names), ordered by name and
    # year; ties as a stable sort of the join would leave them (names' order, then rows').
    names = _area_names(key, level)
    at = pd.Index(names["area_code"]).get_indexer(df["area_code"])
    rows = np.flatnonzero(at >= 0)
    year = df["year"].to_numpy()
    order = rows[np.lexsort((rows, at[rows], year[rows], names["name"].to_numpy(dtype=object)[at[rows]]))]
    return pd.DataFrame({
        "area_code": names["area_code"].array.take(at[order]),
        "name": names["name"].array.take(at[order]),
        "year": df["year"].array.take(order),
        "date": [date(int(y), 1, 1) for y in year[order]],
        "count": df["count"].array.take(order),
        # The hidden counts flagged too (not only their rates): without the flag an export
        # wrote a hidden count as an empty cell, read as "no data", where the screen has "..".
        "count_suppressed": hidden[order],
        "population": population.take(order),
        "value": pd.array(value[order], dtype="Float64"),
        "value_suppressed": hidden[order],
    })


def default_base_year(trend: pd.DataFrame, code: str) -> int | None:
    """The base year a :func:`yearly` trend opens on: six years back (the first year when
    there are fewer), or, when the chosen area ``code`` has no value above 0 that year
    (its index could not be computed: Vaxholm, 0 incidents in 2020, had no line), the
    nearest year where it has one, where every area has one if there is such a year.
    None without any value."""
    value = floats(trend["value"])
    years = sorted(set(trend["year"].to_numpy()[~np.isnan(value)].tolist()))
    if not years:
        return None
    default = years[max(0, len(years) - 6)]
    positive = value > 0
    codes, all_years = trend["area_code"].to_numpy(dtype=object), trend["year"].to_numpy()
    mine = set(all_years[positive & (codes == code)].tolist())
    if default in mine:
        return default
    everyone = {y for y in years if all(((codes == c) & (all_years == y) & positive).any() for c in set(codes))}
    for pool in (mine & everyone, mine):
        if pool:
            return int(min(pool, key=lambda y: (abs(y - default), -y)))
    return default


# --- similar areas ----------------------------------------------------------------------------

@st.cache_data(max_entries=32, show_spinner=False)
def _structure(key, level: str, year: int) -> pd.DataFrame:
    return run(
        """WITH pop AS (
               SELECT area_code,
                      coalesce(arg_max(population, year) FILTER (WHERE year <= $year),
                               arg_min(population, year)) AS population,
                      coalesce(arg_max(population_12_17, year) FILTER (WHERE year <= $year),
                               arg_min(population_12_17, year)) AS population_12_17
               FROM mart_population WHERE level = $level GROUP BY area_code
           )
           SELECT a.area_code, a.name, p.population, p.population_12_17,
                  p.population_12_17 / nullif(p.population, 0) AS share_12_17,
                  g.area_km2, p.population / nullif(g.area_km2, 0) AS density
           FROM area AS a
           JOIN pop AS p USING (area_code)
           LEFT JOIN area_geometry AS g USING (area_code)
           WHERE a.level = $level AND p.population > 0
           ORDER BY a.area_code""",
        {"level": level, "year": year}, key=key,
    )


def structure(level: str, year: int) -> pd.DataFrame:
    """Every area of ``level``: population, population_12_17, share_12_17, area_km2 and
    density (inhabitants per km²), population of ``year`` (or the nearest earlier)."""
    return _structure(db_key(), level, year)


def nearest(df: pd.DataFrame, code: str, k: int) -> pd.DataFrame:
    """The ``k`` areas closest to ``code`` in standardised log population, share aged
    12–17 and log density (equal weights), with ``distance``; the area itself first
    (distance 0). Areas lacking a measure are left out."""
    with np.errstate(divide="ignore", invalid="ignore"):
        features = np.column_stack([np.log(floats(df["population"])), floats(df["share_12_17"]),
                                    np.log(floats(df["density"]))])
    usable = np.isfinite(features).all(axis=1)
    codes = df["area_code"].to_numpy(dtype=object)[usable]
    if code not in set(codes):
        data = df.assign(log_population=features[:, 0], log_density=features[:, 2], share=features[:, 1])
        data = data.replace([np.inf, -np.inf], np.nan)[usable]
        return data.iloc[0:0].assign(distance=pd.Series(dtype=float))
    # Standardised over the usable areas (population standard deviation, 0 counts as 1).
    # Mean, spread and the row sums by pandas, as before: NumPy's sums can differ in the
    # last bit, which can swap two nearly equally distant areas.
    z = pd.DataFrame({name: features[usable, i] for i, name in enumerate(("log_population", "share", "log_density"))})
    z = (z - z.mean()) / z.std(ddof=0).replace(0, 1.0)
    is_self = codes == code
    distance = np.sqrt(((z - z[is_self].iloc[0]) ** 2).sum(axis=1)).to_numpy()
    # The area itself first, then by distance, ties by code.
    order = np.lexsort((codes, distance, ~is_self))[: k + 1]
    rows = np.flatnonzero(usable)[order]
    return df.take(rows).assign(distance=distance[order]).reset_index(drop=True)


def similar(level: str, code: str, k: int, year: int) -> pd.DataFrame:
    """The area and its ``k`` most similar areas at its level (see :func:`nearest`)."""
    return _similar(db_key(), level, code, k, year)


@st.cache_data(max_entries=64, show_spinner=False)
def _similar(key, level: str, code: str, k: int, year: int) -> pd.DataFrame:
    return nearest(_structure(key, level, year), code, k)


# --- measure completion beside the outcome ----------------------------------------------------

@st.cache_data(max_entries=64, show_spinner=False)
def _completion(key, level: str, year: int) -> pd.DataFrame:
    # Measure completion per area of ``level`` for the latest plan year up to ``year``:
    # area_code, plan_year, plans, measures, achieved, partly, done (uppnådd + delvis),
    # not_assessed, share_done (done / measures).
    return run(
        """WITH chosen AS (
               SELECT coalesce(max(year) FILTER (WHERE year <= $year), min(year)) AS year
               FROM mart_measure_completion WHERE level = $level
           )
           SELECT area_code, c.year AS plan_year, plans, measures, achieved, partly, done, not_assessed, share_done
           FROM mart_measure_completion AS c JOIN chosen USING (year)
           WHERE c.level = $level""",
        {"level": level, "year": year}, key=key,
    )


def paired(sel, level: str, indicator_id: str, codes: tuple[str, ...], year: int, *,
           comparison: Comparison | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Areas with plans: completion (share uppnådd or delvis uppnådd) beside the value,
    change and chance flag of :func:`compare`'s comparison for the same areas, and a copy
    with within_chance as "ja"/"nej" (for display); cached, since the page shows them on
    every rerun and the merge and sort cost more than a cache hit.

    ``comparison``: the caller's :func:`compare` result for these same arguments, whose
    table is then used as it is on a miss (reading it from the cache again unpickled the
    21-column table: ~5 ms per miss). The cache key is the same either way."""
    codes = tuple(codes)
    return _paired(db_key(), _period_of(sel), level, indicator_id, _codes_key(codes), codes, year,
                   None if comparison is None else comparison.table)


@st.cache_data(max_entries=64, show_spinner=False)
def _paired(key, sel: _Period, level: str, indicator_id: str, codes_key: str, _codes: tuple[str, ...],
            year: int, _table: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = _table if _table is not None else _compare(key, sel, level, indicator_id, codes_key, _codes).table
    out = _beside(table, _completion(key, level, year))
    return out, _yes_no(out)


def _beside(table: pd.DataFrame, comp: pd.DataFrame) -> pd.DataFrame:
    cols = ["area_code", "name", "value", "value_prev", "change", "change_pct", "within_chance",
            "value_suppressed", "value_prev_suppressed", "change_suppressed", "change_pct_suppressed"]
    if not comp["area_code"].is_unique:
        out = table[cols].merge(comp, on="area_code", how="inner")
        return out.sort_values("share_done", ascending=False, kind="stable").reset_index(drop=True)
    # One plan row per area: the inner join as positions (the table's order), then the
    # highest share first, ties in that order (a stable sort; missing shares last).
    at = pd.Index(comp["area_code"]).get_indexer(table["area_code"])
    rows = np.flatnonzero(at >= 0)
    rows = rows[np.argsort(-floats(comp["share_done"]).take(at[rows]), kind="stable")]
    return pd.DataFrame({**{c: table[c].array.take(rows) for c in cols},
                         **{c: comp[c].array.take(at[rows]) for c in comp.columns if c != "area_code"}})
