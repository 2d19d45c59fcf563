"""Incident counts and rates for a selection, read from the marts only.

``mart_incident_month`` (area level × month × type), ``mart_population`` (area × year)
and ``mart_incident_unplaced`` (what a level cannot place). Every function takes the
filter values as small hashable arguments plus the database version (via
:func:`dashboard.queries.db_key`), so results are cached per filter and per database.
Incident counts are not person-level (they are police-reported events, published openly
by the police), so they are shown as they are; only the grid view is disclosure-controlled.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import lazy, periods
from dashboard.periods import last_complete_month, shift_months  # noqa: F401 (also read from here)
from dashboard.queries import as_date, coverage, data_status, db_key, facts, floats, reaches_back, rows, run
from pipelines import categories

pd = lazy.module("pandas")
np = lazy.module("numpy")  # the sidebar's months and types need no pandas (cold start)

def _types_sql(types: tuple[str, ...]) -> str:
    """The type filter for ``types`` (values stay bound parameters): none at all for every
    type, so the scan does not test a list per row (a few milliseconds per query)."""
    return "list_contains($types, incident_type)" if types else "TRUE"


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The same months one year earlier."""
    return shift_months(start, -12), shift_months(end, -12)


def _params(start: date, end: date, types: tuple[str, ...], **extra) -> dict:
    prev_start, prev_end = previous_period(start, end)
    return {"start": start, "end": end, "prev_start": prev_start, "prev_end": prev_end,
            "types": list(types), "all_types": not types, **extra}


def _month_range(key: tuple[str, str]) -> tuple[date | None, date | None]:
    return coverage("händelser", key)


def month_range() -> tuple[date | None, date | None]:
    """First and last month with incidents (first days of months), or (None, None)."""
    return _month_range(db_key())


def _last_complete(key: tuple[str, str]) -> date | None:
    held = facts(key)
    last_day = held["incident_last_day"]
    return periods.last_complete(None if last_day is None else as_date(last_day), held["stated_through"])


def last_complete() -> date | None:
    """The last month the incidents cover to its end (first day), or None without any.
    A month still running (the police feed's current month) is not complete: compared
    with a whole month a year earlier it looks like a fall."""
    return _last_complete(db_key())


def ongoing_note(sel) -> str | None:
    """A warning when the selection's period ends in a month the incidents do not cover
    to its end (chosen by the user: the quick periods end before it), else None."""
    complete = last_complete()
    if complete is None or sel.end <= complete or not has_previous(sel.start):
        return None  # whole months, or no year-earlier comparison to mislead
    from dashboard import formatting as fmt

    through = data_status()["through"].get("händelser")
    return (f"{fmt.month(sel.end).capitalize()} är inte hel i data (händelser t.o.m. {fmt.date(through)}): "
            "förändringen mot ett år tidigare jämför en del av månaden med hela månaden då.")


def _types_present(key: tuple[str, str]) -> tuple[str, ...]:
    present = set(facts(key)["incident_types"] or ())
    ordered = [t for t in categories.INCIDENT_TYPES if t in present]
    return tuple(ordered + sorted(present - set(ordered)))


def types_present() -> tuple[str, ...]:
    """Incident types found in the data, in the vocabulary's order."""
    return _types_present(db_key())


def has_previous(start: date) -> bool:
    """True when the data reach back to the year-earlier comparison period (the query
    layer's one rule: :func:`dashboard.queries.reaches_back`)."""
    return reaches_back("händelser", start)


# --- one area ------------------------------------------------------------------------------

@st.cache_data(max_entries=512, show_spinner=False)
def _by_type(key: tuple[str, str], level: str, code: str, start: date, end: date) -> pd.DataFrame:
    return run(
        """SELECT incident_type,
                  sum(incidents) FILTER (WHERE month BETWEEN $start AND $end)::BIGINT AS incidents,
                  sum(incidents) FILTER (WHERE month BETWEEN $prev_start AND $prev_end)::BIGINT AS incidents_prev
           FROM mart_incident_month
           WHERE level = $level AND area_code = $code
             AND (month BETWEEN $start AND $end OR month BETWEEN $prev_start AND $prev_end)
           GROUP BY incident_type ORDER BY incident_type""",
        _params(start, end, (), level=level, code=code), key=key,
    ).fillna({"incidents": 0, "incidents_prev": 0})


def by_type(sel) -> pd.DataFrame:
    """Per incident type for the selected area: incidents (period) and incidents_prev
    (same months a year earlier). Types without incidents are absent."""
    return _by_type(db_key(), sel.area_level, sel.area_code, sel.start, sel.end)


@st.cache_data(max_entries=512, show_spinner=False)
def _headline(key: tuple[str, str], level: str, code: str, start: date, end: date) -> tuple:
    # Plain tuples, cached: the page asks on every rerun, and the pandas look-ups this
    # replaces (reindex and sum per group) cost several milliseconds each time.
    counts: dict[str, list[int]] = {}
    prev_start, prev_end = previous_period(start, end)
    for month, incident_type, n in _month_type(key, level, code, start, end):
        now_prev = counts.setdefault(incident_type, [0, 0])
        # The two windows overlap when the period is longer than a year: a month can count in both.
        if start <= month <= end:
            now_prev[0] += n
        if prev_start <= month <= prev_end:
            now_prev[1] += n
    previous = periods.reaches_back(start, _month_range(key)[0])
    out = []
    for group, types in categories.HEADLINE_TYPES.items():
        found = [counts[t] for t in types if t in counts]
        now = sum(n for n, _ in found)
        before = sum(p for _, p in found) if previous else None
        out.append((group, now, before))
    return tuple(out)


def headline_counts(sel) -> dict[str, tuple[int, int | None]]:
    """The overview's groups (categories.HEADLINE_TYPES): group -> (incidents,
    incidents_prev); incidents_prev is None when the data do not reach back a full year
    before the period."""
    return {group: (now, before) for group, now, before in
            _headline(db_key(), sel.area_level, sel.area_code, sel.start, sel.end)}


@st.cache_data(max_entries=512, show_spinner=False)
def _chosen(key: tuple[str, str], level: str, code: str, start: date, end: date,
            types: tuple[str, ...]) -> tuple[int, int | None]:
    wanted = set(types)
    prev_start, prev_end = previous_period(start, end)
    now = before = 0
    for month, incident_type, n in _month_type(key, level, code, start, end):
        if incident_type in wanted:
            now += n if start <= month <= end else 0
            before += n if prev_start <= month <= prev_end else 0
    return now, (before if periods.reaches_back(start, _month_range(key)[0]) else None)


def chosen_counts(sel) -> tuple[int, int | None]:
    """(incidents, incidents a year earlier) of the selection's chosen incident types, as
    the headline's groups count them; the year before is None when the data do not reach
    back to it. Every type when none is chosen."""
    types = sel.incident_types or types_present()
    return _chosen(db_key(), sel.area_level, sel.area_code, sel.start, sel.end, tuple(types))


def headline(sel) -> pd.DataFrame:
    """The overview's groups (categories.HEADLINE_TYPES): group, incidents, incidents_prev.

    incidents_prev is NA when the data do not reach back a full year before the period.
    """
    counts = headline_counts(sel)
    return pd.DataFrame({
        "group": list(counts),
        "incidents": [now for now, _ in counts.values()],
        "incidents_prev": pd.array([before for _, before in counts.values()], dtype="Int64")
        if any(before is None for _, before in counts.values()) else [before for _, before in counts.values()],
    })


@st.cache_data(max_entries=512, show_spinner=False)
def _month_type(key: tuple[str, str], level: str, code: str, start: date, end: date) -> tuple:
    # One area's incidents per month and type in the period and the year before, as plain
    # tuples (month, type, count): the headline and the month-by-month trend (for any
    # choice of types) are both summed from these, one query per area and period instead
    # of one for the headline and one more for each choice of types. The mart holds one
    # row per level, area, month and type (its contract), so the rows are read as they
    # are: summing them again cost ~2 ms of a ~5 ms query on national data.
    return tuple((as_date(month), incident_type, int(n)) for month, incident_type, n in rows(
        """SELECT month, incident_type, incidents
           FROM mart_incident_month
           WHERE level = $level AND area_code = $code
             AND (month BETWEEN $start AND $end OR month BETWEEN $prev_start AND $prev_end)""",
        _params(start, end, (), level=level, code=code), key=key))


@st.cache_data(max_entries=512, show_spinner=False)
def _monthly(key: tuple[str, str], level: str, code: str, start: date, end: date,
             types: tuple[str, ...]) -> pd.DataFrame:
    wanted = set(types)
    per_month: dict[date, int] = {}
    for month, incident_type, n in _month_type(key, level, code, start, end):
        if not types or incident_type in wanted:
            per_month[month] = per_month.get(month, 0) + n
    months = []
    month = start
    while month <= end:
        months.append(month)
        month = shift_months(month, 1)
    return pd.DataFrame({
        "month": np.array(months, dtype="datetime64[us]"),
        "incidents": np.array([per_month.get(m, 0) for m in months], dtype=np.int64),
        # The same months a year earlier, on the period's months.
        "incidents_prev": np.array([per_month.get(shift_months(m, -12), 0) for m in months], dtype=np.int64),
    })


def monthly(sel) -> pd.DataFrame:
    """Month by month for the selection: month, incidents, incidents_prev (a year earlier)."""
    return _monthly(db_key(), sel.area_level, sel.area_code, sel.start, sel.end, sel.incident_types)


# --- many areas ----------------------------------------------------------------------------

@st.cache_data(max_entries=512, show_spinner=False)
def _by_area(key: tuple[str, str], level: str, codes: tuple[str, ...], start: date, end: date,
             types: tuple[str, ...]) -> pd.DataFrame:
    return run(
        f"""WITH scope AS (
                SELECT area_code, name, approximate FROM area
                WHERE level = $level AND list_contains($codes, area_code)
            ),
            counts AS (
                SELECT area_code,
                       sum(incidents) FILTER (WHERE month BETWEEN $start AND $end) AS incidents,
                       sum(incidents) FILTER (WHERE month BETWEEN $prev_start AND $prev_end) AS incidents_prev
                FROM mart_incident_month
                WHERE level = $level AND {_types_sql(types)}
                  AND (month BETWEEN $start AND $end OR month BETWEEN $prev_start AND $prev_end)
                GROUP BY area_code
            ),
            pop AS (
                SELECT p.area_code, p.year AS population_year, p.population, p.population_12_17
                FROM mart_population AS p
                WHERE p.level = $level AND p.year = (
                    SELECT coalesce(max(year) FILTER (WHERE year <= year($end)), min(year))
                    FROM mart_population WHERE level = $level
                )
            )
            SELECT s.area_code, s.name, s.approximate,
                   coalesce(c.incidents, 0)::BIGINT AS incidents,
                   coalesce(c.incidents_prev, 0)::BIGINT AS incidents_prev,
                   p.population, p.population_12_17, p.population_year
            FROM scope AS s
            LEFT JOIN counts AS c USING (area_code)
            LEFT JOIN pop AS p USING (area_code)
            ORDER BY s.name""",
        _params(start, end, types, level=level, codes=list(codes)), key=key,
    )


def by_area(sel, level: str, codes: tuple[str, ...]) -> pd.DataFrame:
    """Per area of ``level`` (the given codes) for the selection's period and types.

    Columns: area_code, name, approximate, incidents, incidents_prev, change (count),
    change_pct (NA when the year before had none or the data do not reach back),
    population, population_12_17, population_year, per_100k, per_1000_young, rank
    (1 = most incidents).
    """
    return _by_area_measures(db_key(), level, tuple(codes), sel.start, sel.end, sel.incident_types)


@st.cache_data(max_entries=512, show_spinner=False)
def _by_area_measures(key: tuple[str, str], level: str, codes: tuple[str, ...], start: date, end: date,
                      types: tuple[str, ...]) -> pd.DataFrame:
    # The derived columns are cached with the counts: every page with a map or an area
    # table asks for them on every rerun. Computed in numpy and added in one go (pandas'
    # nullable arithmetic and six new columns one by one cost ~10 ms per new selection):
    # the same IEEE operations in the same order, NA where pandas gave NA.
    df = _by_area(key, level, codes, start, end, types)
    columns = {c: df[c].array for c in df.columns}
    if not periods.reaches_back(start, _month_range(key)[0]):
        columns["incidents_prev"] = pd.array([pd.NA] * len(df), dtype="Int64")
    inc = floats(columns["incidents"])
    prev = floats(columns["incidents_prev"])
    population = floats(columns["population"])
    young = floats(columns["population_12_17"])
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["change"] = _nullable(inc - prev, np.isnan(prev))
        columns["change_pct"] = _nullable((inc - prev) / prev * 100, ~(prev > 0))
        columns["per_100k"] = _nullable(inc / population * 100_000, ~(population > 0))
        columns["per_1000_young"] = _nullable(inc / young * 1000, ~(young > 0))
    # Rank 1 = most incidents, ties share the best rank (pandas' rank(method="min")).
    ordered = np.sort(inc)
    columns["rank"] = pd.array(len(inc) - np.searchsorted(ordered, inc, side="right") + 1, dtype="Int64")
    return pd.DataFrame(columns, index=df.index)


def _nullable(values: np.ndarray, missing: np.ndarray):
    """A Float64 column: ``values`` with NA where ``missing`` (or where the value is NaN)."""
    missing = missing | np.isnan(values)
    return pd.arrays.FloatingArray(np.where(missing, 0.0, values), missing)


@st.cache_data(max_entries=256, show_spinner=False)
def _population(key: tuple[str, str], level: str, code: str, year: int) -> tuple[float | None, float | None]:
    df = run(
        """SELECT population, population_12_17 FROM mart_population
           WHERE level = $level AND area_code = $code
           ORDER BY (year > $year), abs(year - $year) LIMIT 1""",
        {"level": level, "code": code, "year": year}, key=key,
    )
    if df.empty:
        return None, None
    return float(df.iat[0, 0]), float(df.iat[0, 1]) if pd.notna(df.iat[0, 1]) else None


def population(sel) -> tuple[float | None, float | None]:
    """(population, aged 12–17) of the selected area in the period's last year (or nearest)."""
    return _population(db_key(), sel.area_level, sel.area_code, sel.end.year)


# --- what a level cannot place ---------------------------------------------------------------

# The unplaced incidents are read per level, period and types (a few hundred rows, shared
# by every area) and summed per area in Python: one query per area cost ~10 ms on each new
# area, for a note under the table.
@st.cache_data(max_entries=64, show_spinner=False)
def _unplaced_rows(key: tuple[str, str], level: str, start: date, end: date,
                   types: tuple[str, ...]) -> tuple[tuple[str, str | None, str | None, int], ...]:
    return tuple(rows(
        f"""SELECT reason, lan_code, kommun_code, sum(incidents)::BIGINT AS incidents
            FROM mart_incident_unplaced
            WHERE level = $level AND month BETWEEN $start AND $end AND {_types_sql(types)}
            GROUP BY ALL""",
        _params(start, end, types, level=level), key=key,
    ))


@st.cache_data(max_entries=512, show_spinner=False)
def _places_of(key: tuple[str, str], sel_level: str, sel_code: str) -> tuple[frozenset[str], frozenset[str]]:
    """The län and kommuner an area lies in or contains (mart_area_link both ways)."""
    found = rows(
        """SELECT level, area_code FROM mart_area_link
           WHERE level IN ('lan', 'kommun') AND within_code = $sel_code
           UNION SELECT within_level, within_code FROM mart_area_link
           WHERE area_code = $sel_code AND within_level IN ('lan', 'kommun')""",
        {"sel_code": sel_code}, key=key)
    return (frozenset(code for level, code in found if level == "lan"),
            frozenset(code for level, code in found if level == "kommun"))


def _unplaced(key: tuple[str, str], level: str, sel_level: str, sel_code: str, start: date, end: date,
              types: tuple[str, ...]) -> dict[str, int]:
    found = _unplaced_rows(key, level, start, end, types)
    if sel_level != "riket":
        lans, kommuner = _places_of(key, sel_level, sel_code)
        found = [r for r in found if (r[0] == "endast län" and r[1] in lans)
                 or (r[0] == "ej fördelade" and r[2] in kommuner)]
    counts: dict[str, int] = {}
    for reason, _, _, n in found:
        counts[reason] = counts.get(reason, 0) + int(n)
    return counts


def unplaced(sel, level: str) -> dict[str, int]:
    """Incidents in the selection's län/kommuner that ``level`` cannot show, by reason
    ('endast län', 'ej fördelade'); empty when there are none."""
    if level not in ("kommun", "lpo", "polisomrade"):
        return {}
    return _unplaced(db_key(), level, sel.area_level, sel.area_code, sel.start, sel.end, sel.incident_types)


def unplaced_note(counts: dict[str, int], level: str) -> str | None:
    """Swedish sentence about incidents missing from a level's map and tables (in the
    singular for one: "1 händelse har bara län som plats")."""
    from dashboard import formatting as fmt

    only_lan, unassigned = counts.get("endast län", 0), counts.get("ej fördelade", 0)
    parts = []
    if only_lan:
        parts.append(f"{fmt.count(only_lan, 'händelse', 'händelser')} har bara län som plats (ingen kommun)")
    if unassigned:
        parts.append("1 händelse i en kommun som delas av flera lokalpolisområden saknar LPO (ej fördelad)"
                     if unassigned == 1 else f"{fmt.integer(unassigned)} händelser i kommuner som delas av flera "
                     "lokalpolisområden saknar LPO (ej fördelade)")
    if not parts:
        return None
    label = {"kommun": "kommunnivå", "lpo": "LPO-nivå", "polisomrade": "polisområdesnivå"}[level]
    text = "; ".join(parts) + (f". {'Den' if only_lan + unassigned == 1 else 'De'} visas inte på {label} men "
                               "ingår i län, polisregion och riket.")
    if unassigned:  # said only where there are any
        text += (" Ej fördelade händelser fördelas inte efter befolkningsandel, eftersom brott inte följer "
                 "befolkningen.")
    return text
