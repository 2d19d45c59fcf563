"""Action-plan measures for a selection: status, movement between rounds, the analysis
check and the register.

A selection keeps the plans that lie in the selected area (``mart_measure_area``: the
plan's kommun up its hierarchy, its LPOs for police levels) and whose plan year falls in
the period's years, or in the plan years the page asks for (``years=(first, last)``:
next year's plan, loaded before any data of that year, lies after every period; see
:func:`later_plan_years`). Measures are counted, not people: the counts here are not
person-level and are not disclosure-controlled (docs/disclosure.md), unlike recruitment
signals.

Every cached function takes :func:`dashboard.queries.db_key` plus small hashable filter
values and returns a DataFrame that callers must not mutate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.queries import db_key, rows, run
from pipelines import categories as cat

STATUSES = cat.MEASURE_STATUSES
ROUNDS = cat.FOLLOWUP_ROUNDS
DONE = ("uppnådd", "delvis uppnådd")
GROUPINGS = {"prioritised_area": "Prioriterat område", "organisation": "Organisation"}
CARRY_RULE = (
    "En åtgärd som inte får någon ny bedömning i en uppföljning behåller sin senaste bedömda status; "
    "den som ännu aldrig har bedömts räknas som ”ej bedömd” (inte som ”ej uppnådd”)."
)


@st.cache_data(max_entries=4, show_spinner=False)
def _plans_by_area(key) -> dict[tuple[str, str], list[tuple[str, int]]]:
    # Every area's plans with their plan year, read once per database version (a few
    # hundred rows): a query per new selection cost ~3.5 ms of the Åtgärder page's misses.
    by_area: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for level, code, plan_id, year in rows(
            """SELECT DISTINCT a.level, a.area_code, a.plan_id, p.year
               FROM mart_measure_area AS a
               JOIN plan AS p USING (plan_id)
               ORDER BY a.level, a.area_code, a.plan_id""", key=key):
        by_area.setdefault((level, code), []).append((plan_id, year))
    return by_area


def _plan_ids(key, level: str, code: str, first_year: int, last_year: int) -> list[str]:
    # The plans in the selection: those in the area (the plan's kommun up its hierarchy,
    # its LPOs for police levels) with a plan year in the period's years, in plan_id
    # order. Passed to every query as a list: the join that picked them cost ~3.5 ms in
    # each of the page's queries.
    return [plan_id for plan_id, year in _plans_by_area(key).get((level, code), ())
            if year is not None and first_year <= year <= last_year]


@st.cache_data(max_entries=4, show_spinner=False)
def _workbooks(key) -> dict[str, str]:
    # Each plan's workbook (the file it was read from), read once per database version.
    return dict(rows("SELECT plan_id, source_file FROM plan", key=key))


def workbooks(level: str, codes, first_year: int, last_year: int) -> list[str]:
    """The workbooks (file names) of the plans with a plan year in ``first_year``–
    ``last_year`` that lie in any of the areas ``codes`` of ``level``, in name order: what
    an export of their measures names as its source."""
    key = db_key()
    files = _workbooks(key)
    return sorted({files[plan_id] for code in dict.fromkeys(codes)
                   for plan_id in _plan_ids(key, level, code, first_year, last_year) if plan_id in files})


def workbook(plan_id: str) -> str | None:
    """The workbook (file name) the plan ``plan_id`` was read from."""
    return _workbooks(db_key()).get(plan_id)


def _params(key, level: str, code: str, first_year: int, last_year: int, **extra) -> dict:
    """The bound parameters of a query over the selection's plans (``$plan_ids``)."""
    return {"plan_ids": _plan_ids(key, level, code, first_year, last_year), **extra}


def _years(sel, years: tuple[int, int] | None = None) -> tuple[int, int]:
    # The plan years asked for, else the period's: the page may show plan years after
    # the period (next year's plan, loaded before any data of that year).
    return years if years is not None else (sel.start.year, sel.end.year)


def period_plan_years(sel) -> tuple[int, int]:
    """The plan years of the selection's period: (first, last)."""
    return _years(sel)


@st.cache_data(max_entries=128, show_spinner=False)
def _later_plan_years(key, level: str, code: str, after: int) -> tuple[int, ...]:
    return tuple(sorted({year for _, year in _plans_by_area(key).get((level, code), ())
                         if year is not None and year > after}))


def later_plan_years(sel) -> tuple[int, ...]:
    """Plan years after the period's last year that the selected area has plans for, in
    order: a plan for next year is loaded in the autumn, before any data of that year,
    so the period (which ends with the data) cannot reach it."""
    return _later_plan_years(db_key(), sel.area_level, sel.area_code, sel.end.year)


# --- the register -----------------------------------------------------------------------------

@st.cache_data(max_entries=128, show_spinner=False)
def _register(key, level: str, code: str, first_year: int, last_year: int) -> pd.DataFrame:
    return run(
        """SELECT m.measure_id, m.plan_id, m.organisation, m.kommun_code, m.kommun_name, m.year,
                   m.prioritised_area, m.title, m.description, m.responsible, m.operational_goal, m.due,
                   m.is_line_work, m.status, m.followups, m.last_followup, m.assessed, m.assessed_date,
                   CASE WHEN m.assessed_round IS NOT NULL THEN m.assessed_round || ' ' || m.year END AS assessed_in
            FROM mart_measure AS m
            WHERE list_contains($plan_ids, m.plan_id)
            ORDER BY m.organisation, m.year, m.prioritised_area, m.measure_id""",
        _params(key, level, code, first_year, last_year), key=key,
    )


def register(sel, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Every measure of the selection's plans: measure_id, plan_id, organisation,
    kommun_code, kommun_name, year, prioritised_area, title, description, responsible,
    operational_goal, due, is_line_work, status, followups, last_followup, assessed (when
    the status was assessed: "2025-08-28", "VB 2025", "T2 2025"; missing for "ej bedömd"
    and a status no follow-up entry gives), assessed_date (that entry's date; missing when
    it has none, "VB 2025") and assessed_in (the round of that entry and the plan year,
    "T2 2025" for a date in May–September too)."""
    return _register(db_key(), sel.area_level, sel.area_code, *_years(sel, years))


# The choice of "Bedömd i" for measures without a time of assessment (ej bedömd, or a
# status that only the plan's Status column or a colour gives).
NOT_TIMED = "Utan tidpunkt"


def assessed_choices(df: pd.DataFrame) -> list[str]:
    """The "Bedömd i" choices a register offers: its rounds with plan year in time order
    ("T1 2025", …, "VB 2025"), then NOT_TIMED when some measure has no time."""
    values = set(df["assessed_in"].dropna().tolist())

    def order(label: str) -> tuple:
        rnd, year = label.split(" ")
        return (year, ROUNDS.index(rnd) if rnd in ROUNDS else len(ROUNDS), rnd)

    return sorted(values, key=order) + ([NOT_TIMED] if df["assessed_in"].isna().any() else [])


def search_register(df: pd.DataFrame, text: str = "", *, areas=(), statuses=(), organisations=(),
                    assessed_in=()) -> pd.DataFrame:
    """The register rows matching a free-text search (case-insensitive, literal, over
    title, description and responsible) and the chosen areas, statuses, organisations and
    rounds of assessment (``assessed_in``: "T2 2025", "VB 2025" or NOT_TIMED; an empty
    choice keeps all). Returns a new frame; the input is not changed."""
    mask = pd.Series(True, index=df.index)
    words = [w for w in (text or "").casefold().split() if w]
    if words:
        haystack = (df["title"].fillna("") + " " + df["description"].fillna("") + " "
                    + df["responsible"].fillna("")).str.casefold()
        for w in words:  # every word must occur somewhere (literal text, never a pattern)
            mask &= haystack.str.contains(w, regex=False)
    if areas:
        mask &= df["prioritised_area"].isin(list(areas))
    if statuses:
        mask &= df["status"].isin(list(statuses))
    if organisations:
        mask &= df["organisation"].isin(list(organisations))
    if assessed_in:
        mask &= df["assessed_in"].isin(list(assessed_in)) | (df["assessed_in"].isna() & (NOT_TIMED in assessed_in))
    return df[mask].reset_index(drop=True)


@st.cache_data(max_entries=256, show_spinner=False)
def _history(key, measure_id: str) -> pd.DataFrame:
    return run(
        """WITH entries AS (
               SELECT f.followup_date, f.round, f.status AS assessed, f.text, f.rowid AS pos
               FROM measure_followup AS f WHERE f.measure_id = $id
           ),
           rounds AS (
               SELECT round, status AS round_status FROM mart_measure_round WHERE measure_id = $id
           ),
           ordered AS (
               SELECT e.*, r.round_status,
                      CASE e.round WHEN 'T1' THEN 1 WHEN 'T2' THEN 2 WHEN 'T3' THEN 3 ELSE 4 END AS round_no
               FROM entries AS e LEFT JOIN rounds AS r USING (round)
           )
           SELECT followup_date, round, assessed, round_status, text
           FROM ordered ORDER BY round_no, followup_date NULLS LAST, pos""",
        {"id": measure_id}, key=key,
    )


def history(measure_id: str) -> pd.DataFrame:
    """The follow-up history of one measure, in order: followup_date (None for an undated
    VB), round, assessed (the status this entry assessed, "ej bedömd" if none),
    round_status (the measure's status at that round, carried forward) and text."""
    return _history(db_key(), measure_id)


# --- status -----------------------------------------------------------------------------------

def _status_counts(key, level: str, code: str, first_year: int, last_year: int, by: str) -> pd.DataFrame:
    # Counted from the register (every measure of the selection with its category and
    # status), which the page reads anyway: one query less per new selection. Not cached
    # itself, nor are the other steps below a page-facing function (_flow, _round_status,
    # _analysis): each cached call hashes its arguments and pickles its result, which
    # cost more than these few milliseconds of work done once per selection.
    return count_statuses(_register(key, level, code, first_year, last_year), by)


def count_statuses(register_df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Measures per category of ``by`` × the five statuses (zeros included): category,
    status, n, total, share; categories in order, a missing category last and counted as
    zero (as the grid the SQL of earlier versions joined), statuses outside the five not
    counted."""
    categories = register_df[by].tolist()
    counts: dict[tuple, int] = {}
    for category, status in zip(categories, register_df["status"].tolist(), strict=True):
        counts[category, status] = counts.get((category, status), 0) + 1
    present = {c for c in categories if isinstance(c, str)}
    ordered = sorted(present) + ([None] if len(present) < len(set(categories)) else [])
    rows = [(c, s) for c in ordered for s in STATUSES]
    n = np.array([counts.get(k, 0) if k[0] is not None else 0 for k in rows], dtype=np.int64)
    total = np.repeat(n.reshape(len(ordered), len(STATUSES)).sum(axis=1), len(STATUSES))
    if ordered and ordered[-1] is None:
        # pandas' grouped sum leaves a missing category out: its total is NaN (floats).
        total = np.where([c is None for c, _ in rows], np.nan, total)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, n / np.where(total > 0, total, 1), np.nan)
    # The types the query result had: text columns with no text in them were objects.
    return pd.DataFrame({"category": pd.array([c for c, _ in rows], dtype="str" if present else object),
                         "status": pd.array([s for _, s in rows], dtype="str" if rows else object),
                         "n": n, "total": total, "share": pd.array(share, dtype="Float64")})


def status_counts(sel, by: str = "prioritised_area", years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Measures per category (``by``: prioritised_area or organisation) × status, all five
    statuses for every category (zeros included): category, status, n, total, share."""
    return _status_counts(db_key(), sel.area_level, sel.area_code, *_years(sel, years), by)


def status_totals(counts: pd.DataFrame) -> pd.DataFrame:
    """The five statuses over all categories of ``status_counts``: status, n, share."""
    # Summed in a dict: a pandas groupby and reindex cost ~1.5 ms per new selection.
    sums = dict.fromkeys(STATUSES, 0)
    for status, n in zip(counts["status"].tolist(), counts["n"].tolist(), strict=True):
        if status in sums:
            sums[status] += n
    n = np.array(list(sums.values()), dtype=np.int64)
    all_measures = int(n.sum())
    share = n / all_measures if all_measures else n * 0.0
    return pd.DataFrame({"status": pd.array(list(STATUSES), dtype="str"), "n": n,
                         "share": pd.array(share, dtype="Float64")})


def status_table(counts: pd.DataFrame) -> pd.DataFrame:
    """Wide table per category: measures, then count and share per status."""
    if counts.empty:
        return pd.DataFrame(columns=["category", "total", *[f"n_{s}" for s in STATUSES],
                                     *[f"share_{s}" for s in STATUSES]])
    # Sums per (category, status) with numpy: a pivot_table costs ~15 ms on every new
    # selection for a table of a few dozen cells. Categories sorted, NA categories left
    # out and missing statuses 0, as the pivot gave.
    known = counts[counts["category"].notna()]
    categories, cat_code = np.unique(known["category"].to_numpy(dtype=object), return_inverse=True)
    status_code = pd.Categorical(known["status"], categories=list(STATUSES)).codes
    ok = status_code >= 0
    wide = np.zeros((len(categories), len(STATUSES)), dtype=np.int64)
    np.add.at(wide, (cat_code[ok], status_code[ok]), known["n"].to_numpy(dtype=np.int64)[ok])
    total = wide.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(total[:, None] > 0, wide / np.maximum(total, 1)[:, None], np.nan)
    # Built in one go: adding a dozen columns one by one costs more than the sums.
    data = {"category": pd.array(categories, dtype=counts["category"].dtype), "total": total}
    data |= {f"n_{s}": wide[:, i] for i, s in enumerate(STATUSES)}
    data |= {f"share_{s}": pd.array(shares[:, i], dtype="Float64") for i, s in enumerate(STATUSES)}
    return pd.DataFrame(data)


@st.cache_data(max_entries=128, show_spinner=False)
def _status_views(key, level: str, code: str, first_year: int, last_year: int,
                  by: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    counts = _status_counts(key, level, code, first_year, last_year, by)
    return counts, status_totals(counts), status_table(counts)


def status_views(sel, by: str = "prioritised_area",
                 years: tuple[int, int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(status_counts, status_totals, status_table) for a selection, derived once per
    selection and cached (the page draws them on every rerun)."""
    return _status_views(db_key(), sel.area_level, sel.area_code, *_years(sel, years), by)


# --- movement between rounds ------------------------------------------------------------------

_SINCE = {1: "T1", 2: "T2", 3: "T3"}


@st.cache_data(max_entries=128, show_spinner=False)
def _round_facts(key, level: str, code: str, first_year: int, last_year: int) -> tuple[tuple, dict]:
    # The selection's follow-up rounds read once, and from them (1) measures per
    # (previous round, round, previous status, status) as plain tuples, which the
    # transitions and the status per round are summed from, and (2) the measures
    # standing still: measure_id -> (status, rounds_in_status, since_round, last_round).
    # One query per selection instead of two (the standing-still query alone cost 14-20 ms).
    # A measure's rounds come in order; its statuses are never missing (the mart carries
    # "ej bedömd" until the first assessment).
    moves: dict[tuple, int] = {}
    stuck = {}
    measure_rounds = rows(
        """SELECT measure_id, previous_round, round, previous_status, status, round_no, rounds_in_status
           FROM mart_measure_round
           WHERE list_contains($plan_ids, plan_id)
           ORDER BY measure_id, round_no""",
        _params(key, level, code, first_year, last_year), key=key)
    since_no = None
    for i, (measure_id, previous_round, round_, previous_status, status, round_no, in_status) in enumerate(
            measure_rounds):
        move = (previous_round, round_, previous_status, status)
        moves[move] = moves.get(move, 0) + 1
        # "Sedan": the first round in the status after the last round in another.
        first = i == 0 or measure_rounds[i - 1][0] != measure_id
        if first or measure_rounds[i - 1][4] != status:
            since_no = round_no
        last = i + 1 == len(measure_rounds) or measure_rounds[i + 1][0] != measure_id
        # Standing still: two or more rounds in the latest round's status, not uppnådd.
        if last and in_status >= 2 and status != "uppnådd":
            stuck[measure_id] = (status, in_status, _SINCE.get(since_no, "VB"), round_)
    return tuple((*move, n) for move, n in moves.items()), stuck


def _round_moves(key, level: str, code: str, first_year: int, last_year: int) -> tuple:
    return _round_facts(key, level, code, first_year, last_year)[0]


def _text_column(values: list):
    # Text as the query results had it: a column with no text in it was of objects.
    return pd.array(values, dtype="str" if any(isinstance(v, str) for v in values) else object)


def _missing_last(value) -> tuple:
    return (value is None, value or "")  # SQL's ORDER BY: missing values after the rest


def _flow(key, level: str, code: str, first_year: int, last_year: int) -> pd.DataFrame:
    moves = sorted((m for m in _round_moves(key, level, code, first_year, last_year) if m[0] is not None),
                   key=lambda m: tuple(_missing_last(v) for v in m[:4]))
    out = {name: _text_column([m[i] for m in moves])
           for i, name in enumerate(("from_round", "to_round", "from_status", "to_status"))}
    return pd.DataFrame(out | {"n": np.array([m[4] for m in moves], dtype=np.int64)})


def flow(sel, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Transitions between consecutive follow-up rounds of the selection's plans:
    from_round, to_round, from_status, to_status, n (measures); T3 and VB are one
    column "T3/VB" when no plan has both (see :func:`merge_last_rounds`)."""
    return _merged_flow(db_key(), sel.area_level, sel.area_code, *_years(sel, years))


@st.cache_data(max_entries=128, show_spinner=False)
def _merged_flow(key, level: str, code: str, first_year: int, last_year: int) -> pd.DataFrame:
    return merge_last_rounds(_flow(key, level, code, first_year, last_year))


LAST_ROUND = "T3/VB"


def merge_last_rounds(df: pd.DataFrame) -> pd.DataFrame:
    """Plans follow up two or three times a year, the third time at T3 or in the annual
    report (VB). When no plan has both (no measure moves from T3 to VB), the two are the
    same step and are drawn as one column "T3/VB"; otherwise they stay apart."""
    keys = ["from_round", "to_round", "from_status", "to_status"]
    columns = {c: df[c].tolist() for c in keys}
    if any(f == "T3" and t == "VB" for f, t in zip(columns["from_round"], columns["to_round"], strict=True)):
        return df
    if df.empty or any(pd.isna(v) for values in columns.values() for v in values):  # rare: pandas' rules for NA
        out = df.replace({"from_round": {"T3": LAST_ROUND, "VB": LAST_ROUND},
                          "to_round": {"T3": LAST_ROUND, "VB": LAST_ROUND}})
        return out.groupby(keys, as_index=False, sort=True)["n"].sum()
    # A few dozen transitions: summed in a dict (a pandas replace and groupby cost ~7 ms).
    merged = {"T3": LAST_ROUND, "VB": LAST_ROUND}
    sums: dict[tuple, int] = {}
    for f, t, fs, ts, n in zip(*columns.values(), df["n"].tolist(), strict=True):
        k = (merged.get(f, f), merged.get(t, t), fs, ts)
        sums[k] = sums.get(k, 0) + n
    ordered = sorted(sums)
    out = pd.DataFrame({c: pd.array([k[i] for k in ordered], dtype=df[c].dtype) for i, c in enumerate(keys)})
    out["n"] = pd.array([sums[k] for k in ordered], dtype=df["n"].dtype)
    return out


def flow_rounds(df: pd.DataFrame) -> tuple[str, ...]:
    """The rounds present in a ``flow`` frame, in follow-up order."""
    present = set(df["from_round"]) | set(df["to_round"])
    return tuple(r for r in (*ROUNDS[:3], LAST_ROUND, ROUNDS[3]) if r in present)


def _round_status(key, level: str, code: str, first_year: int, last_year: int) -> pd.DataFrame:
    sums: dict[tuple, int] = {}
    for _, round_, _, status, n in _round_moves(key, level, code, first_year, last_year):
        sums[round_, status] = sums.get((round_, status), 0) + n
    return pd.DataFrame({"round": _text_column([r for r, _ in sums]), "status": _text_column([s for _, s in sums]),
                         "n": np.array(list(sums.values()), dtype=np.int64)})


def round_status(sel, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Measures per follow-up round × status (all rounds and five statuses, zeros
    included for rounds that occur): round, status, n, total, share."""
    return _round_table(db_key(), sel.area_level, sel.area_code, *_years(sel, years))


@st.cache_data(max_entries=128, show_spinner=False)
def _round_table(key, level: str, code: str, first_year: int, last_year: int) -> pd.DataFrame:
    return round_table(_round_status(key, level, code, first_year, last_year))


def round_table(df: pd.DataFrame) -> pd.DataFrame:
    """Every round present × the five statuses (zeros included): round, status, n, total,
    share. With numpy: a grid merge and a grouped transform cost ~10 ms per selection."""
    present = [r for r in ROUNDS if r in set(df["round"])]
    if not present:  # no follow-ups: the empty grid, typed as a merge with ``df`` types it
        grid = pd.MultiIndex.from_product([present, list(STATUSES)], names=["round", "status"]).to_frame(index=False)
        out = grid.merge(df, on=["round", "status"], how="left")
        return out.assign(n=out["n"].astype("int64"), total=out["n"].astype("int64"),
                          share=pd.array([], dtype="Float64"))
    r_code = pd.Categorical(df["round"], categories=present).codes
    s_code = pd.Categorical(df["status"], categories=list(STATUSES)).codes
    ok = (r_code >= 0) & (s_code >= 0)
    grid = np.zeros((len(present), len(STATUSES)), dtype=np.int64)
    np.add.at(grid, (r_code[ok], s_code[ok]), df["n"].to_numpy(dtype=np.int64)[ok])
    total = np.repeat(grid.sum(axis=1), len(STATUSES))
    n = grid.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, n / np.maximum(total, 1), np.nan)
    return pd.DataFrame({"round": pd.Series([r for r in present for _ in STATUSES], dtype="str"),
                         "status": pd.Series(list(STATUSES) * len(present), dtype="str"),
                         "n": n, "total": total, "share": pd.array(share, dtype="Float64")})


@st.cache_data(max_entries=128, show_spinner=False)
def _stuck(key, level: str, code: str, first_year: int, last_year: int) -> pd.DataFrame:
    # From the selection's rounds (see _round_facts) and the register: no query of its own.
    return stuck_table(_register(key, level, code, first_year, last_year),
                       _round_facts(key, level, code, first_year, last_year)[1])


def _text_key(value) -> tuple:
    return (not isinstance(value, str), value if isinstance(value, str) else "")  # missing text last


def stuck_table(register_df: pd.DataFrame, found: dict[str, tuple]) -> pd.DataFrame:
    """The measures standing still as the page shows them: ``found`` maps a measure_id
    to (status, rounds_in_status, since_round, last_round); the rest is the register's.
    Most rounds first, then organisation, year, prioritised area and title."""
    ids = register_df["measure_id"].tolist()
    picked = [i for i, measure_id in enumerate(ids) if measure_id in found]
    columns = {c: register_df[c].to_numpy(dtype=object)[picked].tolist()
               for c in ("organisation", "year", "prioritised_area", "title", "assessed", "assessed_date",
                         "assessed_in", "responsible", "is_line_work")}
    columns["measure_id"] = [ids[i] for i in picked]
    state = [found[measure_id] for measure_id in columns["measure_id"]]
    order = sorted(range(len(picked)), key=lambda j: (
        -state[j][1], _text_key(columns["organisation"][j]), columns["year"][j],
        _text_key(columns["prioritised_area"][j]), _text_key(columns["title"][j])))
    columns = {c: [values[j] for j in order] for c, values in columns.items()}
    state = [state[j] for j in order]

    def text(values: list):
        # Text as the query had it: missing as NaN, or objects (None) with no text at all.
        if any(isinstance(v, str) for v in values):
            return pd.array(values, dtype="str")
        return pd.array([None] * len(values), dtype=object)

    return pd.DataFrame({
        "measure_id": text(columns["measure_id"]),
        "organisation": text(columns["organisation"]),
        "year": np.array(columns["year"], dtype=np.int32),
        "prioritised_area": text(columns["prioritised_area"]),
        "title": text(columns["title"]),
        "status": text([s[0] for s in state]),
        "assessed": text(columns["assessed"]),
        "assessed_date": pd.to_datetime(pd.Series(columns["assessed_date"], dtype=object)).astype("datetime64[us]"),
        "assessed_in": text(columns["assessed_in"]),
        "rounds_in_status": np.array([s[1] for s in state], dtype=np.int32),
        "since_round": text([s[2] for s in state]),
        "last_round": text([s[3] for s in state]),
        "responsible": text(columns["responsible"]),
        "is_line_work": np.array(columns["is_line_work"], dtype=bool),
    })


def stuck(sel, *, line_work: bool = True, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Measures whose status has stayed the same for at least their plan's last two
    rounds (uppnådd excluded: that is done, not stuck): measure_id, organisation, year,
    prioritised_area, title, status, assessed, assessed_date and assessed_in (when the
    status was assessed, as in :func:`register`), rounds_in_status, since_round, last_round,
    responsible, is_line_work. Most rounds first. ``line_work=False`` leaves out line
    work (ordinary operations, often in the same status year after year)."""
    if line_work:
        return _stuck(db_key(), sel.area_level, sel.area_code, *_years(sel, years))
    return _stuck_without_line_work(db_key(), sel.area_level, sel.area_code, *_years(sel, years))


@st.cache_data(max_entries=128, show_spinner=False)
def _stuck_without_line_work(key, level: str, code: str, first_year: int, last_year: int) -> pd.DataFrame:
    # Cached as it is shown by default: filtering the frame cost ~3 ms on every rerun.
    df = _stuck(key, level, code, first_year, last_year)
    return df[~df["is_line_work"]].reset_index(drop=True)


# --- the analysis sheet -----------------------------------------------------------------------

def _analysis(key, level: str, code: str, first_year: int, last_year: int) -> pd.DataFrame:
    return run(
        """SELECT organisation, year, prioritised_area,
                   problems, sheet_problems, problems_diff,
                   causes, sheet_causes, causes_diff,
                   measures, sheet_measures, measures_diff, has_difference
            FROM mart_measure_analysis
            WHERE list_contains($plan_ids, plan_id)
            ORDER BY has_difference DESC, organisation, year, prioritised_area""",
        _params(key, level, code, first_year, last_year), key=key,
    )


def analysis(sel, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Per plan × prioritised area: our counts of problems, causes and measures beside the
    workbook's analysis sheet (sheet_*; NA when the sheet gives none), the differences
    (*_diff) and has_difference. Plans with differences first."""
    return _analysis_views(db_key(), sel.area_level, sel.area_code, *_years(sel, years))[0]


@st.cache_data(max_entries=128, show_spinner=False)
def _analysis_views(key, level: str, code: str, first_year: int, last_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = _analysis(key, level, code, first_year, last_year)
    return df, analysis_by_area(df)


def analysis_views(sel, years: tuple[int, int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(analysis, analysis_by_area) for a selection, derived once and cached."""
    return _analysis_views(db_key(), sel.area_level, sel.area_code, *_years(sel, years))


def analysis_by_area(df: pd.DataFrame) -> pd.DataFrame:
    """``analysis`` summed per prioritised area: ours and the sheet's counts, differences
    and how many plans differ. A sheet count missing in a plan leaves the sum NA."""
    if df.empty:
        return pd.DataFrame(columns=["prioritised_area", "plans", "plans_differing", "problems", "sheet_problems",
                                     "causes", "sheet_causes", "measures", "sheet_measures", "has_difference"])
    # One grouped pass over the columns (a Python loop per area cost ~10 ms per selection).
    codes, areas = pd.factorize(df["prioritised_area"], sort=True)
    keep = codes >= 0  # rows without an area drop out, as groupby drops them
    codes = codes[keep]

    def per_area(values) -> np.ndarray:
        return np.bincount(codes, weights=np.asarray(values, dtype=np.float64)[keep], minlength=len(areas))

    data = {"prioritised_area": np.asarray(areas, dtype=object),
            "plans": np.bincount(codes, minlength=len(areas)),
            "plans_differing": per_area(df["has_difference"].to_numpy(dtype=bool)).astype(int)}
    for what in ("problems", "causes", "measures"):
        data[what] = per_area(df[what].fillna(0).to_numpy(dtype=np.float64)).astype(int)
        sheet = df[f"sheet_{what}"]
        missing = per_area(sheet.isna().to_numpy()) > 0
        sums = per_area(sheet.fillna(0).to_numpy(dtype=np.float64)).astype(np.int64)
        data[f"sheet_{what}"] = pd.array(sums, dtype="Int64", copy=False)
        data[f"sheet_{what}"][missing] = pd.NA
    data["has_difference"] = data["plans_differing"] > 0
    return pd.DataFrame(data)
