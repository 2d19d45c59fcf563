"""Disclosure control: the one place that decides which person-level numbers may be shown.

The rule (docs/disclosure.md):

- **Primary suppression.** A count from 1 to ``threshold - 1`` is never shown; it is
  ``NA`` in the value column, flagged in ``<value>_suppressed`` and displayed as "..".
  0 is shown. The threshold comes from ``lagesbild.toml`` ``[disclosure] threshold``
  (default 5, never below 3; :mod:`pipelines.config` refuses lower values).
- **Secondary suppression.** The caller declares every grouping the output shows: the
  interior cells and each margin (a total over some dimensions). Every published total
  and its parts form an equation; a suppressed cell that is the only unknown of an
  equation could be recovered by subtraction. The engine suppresses further cells (the
  smallest non-zero cell of that equation, preferring cells over totals and never a
  total the caller marked ``fixed`` unless nothing else is left) until no equation holds
  exactly one unknown, and then checks the whole system by linear algebra: no
  suppressed cell may be a linear combination of published values (e.g. a bridge in a
  two-way table). It repeats both steps to a fixed point.
- **Rates and shares** computed from a suppressed count are suppressed
  (:func:`derive_rate`, :func:`derive_share`).
- **Coarsening.** :attr:`Protected.mostly_suppressed` tells the caller when most
  non-zero cells are hidden, so the page can move to the next level
  (:func:`coarser_level`, :func:`coarser_grain`) and say so.
- **Grid cells.** :func:`protect_grid` drops 1 km cells with fewer incidents than the
  threshold, merging them into 10 km cells where the merged count reaches it.

Query functions call :func:`protect` before they cache or return a frame, so no page,
chart, table, map, tooltip or export sees an unprotected person-level count.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import itertools
import logging
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.linalg.lapack
import scipy.sparse
import scipy.sparse.csgraph

from pipelines.config import settings
from pipelines.geography import parse_grid_cell

log = logging.getLogger(__name__)

SUPPRESSED = ".."
# Above this share of suppressed non-zero cells the page should offer a coarser view.
COARSEN_SHARE = 0.5
# The exact (linear algebra) check is skipped for a group of linked unknowns larger than
# this (its cost grows with the cube of the size); the line rule
# still holds. Page tables are far smaller.
MAX_ALGEBRA_UNKNOWNS = 300
# The same per family of an area tree (protect's ``hierarchy``).
MAX_FAMILY_UNKNOWNS = 1000

AREA_COARSER = {"lpo": "polisomrade", "polisomrade": "polisregion", "kommun": "lan",
                "lan": "polisregion", "polisregion": "riket"}
GRAIN_COARSER = {"month": "quarter", "quarter": "year"}
GRAIN_LABELS = {"month": "månad", "quarter": "kvartal", "year": "år"}
LEVEL_LABELS = {"riket": "riket", "polisregion": "polisregion", "polisomrade": "polisområde",
                "lpo": "lokalpolisområde", "lan": "län", "kommun": "kommun"}

_NA = "\x00<NA>"  # stands in for a missing key while grouping (NA never equals itself)


# protect_hierarchy's note when a bridge of hidden values has no unlocked partner left.
STUCK_NOTE = "Röjandeskyddet kunde inte skydda alla dolda värden utan att dölja låsta summor."


def threshold() -> int:
    """The configured threshold: counts from 1 to threshold-1 are suppressed."""
    return settings().threshold


def flag_column(value: str) -> str:
    """Name of the boolean column that marks suppressed values of ``value``."""
    return f"{value}_suppressed"


def grouping_name(grouping: Sequence[str]) -> str:
    """The label of a grouping in ``Protected.cells['grouping']`` ('' for the grand total)."""
    return ",".join(grouping)


@dataclass(frozen=True)
class Protected:
    """A protected table: every published cell, with what was hidden and why.

    ``cells`` holds one row per published cell: the dimension columns (NA where a margin
    sums over the dimension), ``grouping`` (see :func:`grouping_name`), the value (NA when
    suppressed), ``<value>_suppressed`` and ``reason`` ('primär', 'sekundär' or NA).
    """

    cells: pd.DataFrame
    value: str
    dims: tuple[str, ...]
    groupings: tuple[tuple[str, ...], ...]
    threshold: int
    primary: int
    secondary: int
    suppressed_share: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    # Equations left with exactly one hidden value because every other member is fixed by
    # another output (``locked``): (the hidden cell, the given cells that fix the rest),
    # each cell as (grouping, key) with None for a missing key. Empty when protected.
    stuck: tuple = ()

    @property
    def suppressed(self) -> int:
        """How many published values are suppressed (primary + secondary)."""
        return self.primary + self.secondary

    @property
    def mostly_suppressed(self) -> bool:
        """True when most non-zero cells of the finest published grouping are hidden."""
        return self.suppressed_share > COARSEN_SHARE

    def table(self, grouping: Sequence[str] | None = None, where: dict | None = None) -> pd.DataFrame:
        """The cells of one grouping (default: the interior, all ``dims``), without the
        dimension columns the grouping sums over; ``where`` keeps only the cells whose
        columns equal the given values (one area's cells of a national table)."""
        grouping = tuple(self.dims if grouping is None else grouping)
        name = grouping_name(_ordered(grouping, self.dims))
        keep = [d for d in self.dims if d in grouping] + [self.value, flag_column(self.value), "reason"]
        rows = self._grouping_rows.get(name, np.zeros(0, dtype=np.int64))
        for column, wanted in (where or {}).items():
            if len(rows):
                rows = rows[_equal(self.cells[column].array.take(rows), wanted)]
        # Column by column from the arrays (taking the whole frame's rows and then the
        # columns built two frames; pages read several tables per rerun).
        return pd.DataFrame({c: self.cells[c].array.take(rows) for c in keep}, columns=keep)

    def entries(self, grouping: Sequence[str]) -> tuple[list[tuple], list, list[bool], list[bool]]:
        """The cells of one grouping as plain lists, without building a frame: their keys
        (the grouping's columns in ``dims`` order, None for a missing key), values (NA
        when hidden), hidden flags and whether each is a primary (small) count."""
        grouping = _ordered(grouping, self.dims)
        if grouping in self._entries:
            return self._entries[grouping]
        rows = self._grouping_rows.get(grouping_name(grouping), np.zeros(0, dtype=np.int64))
        columns = []
        for c in grouping:
            taken = self.cells[c].array.take(rows)
            missing = pd.isna(taken).tolist()
            columns.append([None if m else v for v, m in zip(taken.astype(object).tolist(), missing, strict=True)])
        keys = list(zip(*columns, strict=True)) if grouping else [()] * len(rows)
        values = self.cells[self.value].array.take(rows).astype(object).tolist()
        hidden = self.cells[flag_column(self.value)].to_numpy(dtype=bool)[rows].tolist()
        primary = (self.cells["reason"].to_numpy(dtype=object)[rows] == "primär").tolist()
        self._entries[grouping] = (keys, values, hidden, primary)
        return self._entries[grouping]

    @functools.cached_property
    def _entries(self) -> dict:
        # entries() per grouping, found once: a layer and its administrative view read the
        # same groupings several times.
        return {}

    @functools.cached_property
    def _grouping_rows(self) -> dict[str, np.ndarray]:
        # Row positions per grouping, found once: pages read several groupings of the same
        # (cached) table on every rerun, and comparing the text column each time cost more.
        codes, names = pd.factorize(self.cells["grouping"].to_numpy(dtype=object))
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
        return {str(n): order[bounds[i]:bounds[i + 1]] for i, n in enumerate(names)}

    def note(self) -> str:
        """The Swedish sentence a data note shows about this table."""
        return suppression_note(self.suppressed, self.secondary, self.threshold)


def _equal(values, wanted) -> np.ndarray:
    """Which of ``values`` (an array of one column) equal ``wanted``; a missing value
    equals nothing. Compared by the column's own type where it has one (converting a
    national table's text column to Python objects cost ~5 ms per area)."""
    if values.dtype != object:
        return pd.array(values == wanted, dtype="boolean").fillna(False).to_numpy(dtype=bool)
    return np.array([v == wanted if v is not None and v is not pd.NA and v == v else False for v in values],
                    dtype=bool)


def suppression_note(suppressed: int, secondary: int = 0, threshold_value: int | None = None) -> str:
    """Swedish note: what '..' means and how many values are hidden."""
    t = threshold_value or threshold()
    rule = (f"Antal från 1 till {t - 1} visas som \"{SUPPRESSED}\" (röjandeskydd: små tal kan "
            "peka ut enskilda barn).")
    if suppressed == 0:
        return rule + " Inga värden är dolda i urvalet."
    text = f" {suppressed} {'värde är dolt' if suppressed == 1 else 'värden är dolda'}"
    if secondary:
        text += (f", varav {secondary} för att {'det' if secondary == 1 else 'de'} annars "
                 "kunde räknas fram ur summorna")
    return rule + text + "."


def _ordered(grouping: Iterable[str], dims: Sequence[str]) -> tuple[str, ...]:
    g = set(grouping)
    unknown = g - set(dims)
    if unknown:
        raise ValueError(f"okända dimensioner i marginal: {sorted(unknown)}")
    return tuple(d for d in dims if d in g)


def _close_under_intersection(groupings: set[tuple[str, ...]], dims: Sequence[str]) -> set:
    # Two published groupings imply an equation through their common coarser grouping
    # (age parts and sex parts of one month sum to the same total) even when that total
    # is not shown; treating it as published makes the check conservative.
    closed = set(groupings)
    while True:
        extra = {_ordered(set(a) & set(b), dims) for a, b in itertools.combinations(closed, 2)} - closed
        if not extra:
            return closed
        closed |= extra


def protect(df: pd.DataFrame, value: str, dims: Sequence[str], margins: Iterable[Sequence[str]] = (),
            *, interior: bool = True, fixed: Iterable[Sequence[str]] = (),
            also: Iterable[tuple[Sequence[str], tuple]] = (),
            locked: Iterable[tuple[Sequence[str], tuple]] = (),
            two_way: tuple[str, str] | None = None, hierarchy: Sequence[str] | None = None,
            threshold_value: int | None = None) -> Protected:
    """Apply primary and secondary suppression to everything an output will show.

    ``df`` holds person-level counts (``value``) at the finest level ``dims`` (rows with
    the same key are summed; missing keys count as 0, so complete the frame first if the
    output shows zero rows). ``margins`` lists the totals the output shows, each a tuple
    of the dimensions it keeps: ``("area_code",)`` is a total per area over the other
    dimensions, ``()`` the grand total. ``interior=False`` when the cells at ``dims``
    themselves are not shown (a cube whose margins are the output). ``fixed`` margins are
    shown elsewhere unsuppressed, so they are hidden only when nothing else can protect
    a cell. ``also`` lists cells, as (grouping, key tuple in ``dims`` order), that another
    output already hides, so they are hidden here too and protected the same way.
    ``locked`` lists cells (same form) that another output already shows: they are never
    hidden here, so partners are found among the other cells. ``two_way=(row, column)``:
    every published grouping with both, either or neither of the two dimensions is
    published too (a table of rows × columns with its margins per key of the other
    dimensions, e.g. one area's period × age band): each such table is then checked
    exactly as a graph (:func:`_table_bridges`), whatever the size of the group of linked
    hidden cells, where the dense check stops at ``MAX_ALGEBRA_UNKNOWNS``. ``hierarchy``:
    the dimensions of an area tree from the top (each grouping holds a prefix of them);
    when the hidden cells are linked over the whole country, too many for the dense
    check, it then runs per family instead (an area, its children and their cells:
    :func:`_families`). Example::

        protect(df, "count", ["area_code", "month"], margins=[("area_code",), ()])
    """
    t = threshold_value if threshold_value is not None else threshold()
    dims = tuple(dims)
    published = {_ordered(m, dims) for m in margins}
    if interior:
        published.add(dims)
    if not published:
        raise ValueError("protect: ingen gruppering publiceras")
    fixed_set = {_ordered(m, dims) for m in fixed}
    closed = _close_under_intersection(published, dims)
    order = sorted(closed, key=lambda g: (-len(g), g))

    counts = df[value]
    if counts.isna().any():
        raise ValueError(f"protect: {value} saknar värden")
    if (counts < 0).any():
        raise ValueError(f"protect: {value} har negativa värden")
    amounts = counts.astype("int64").to_numpy()
    # Each dimension's values as sorted codes (NA as its own value, _NA): the cells of a
    # grouping are then its observed code combinations in the order a sorted groupby
    # gives them, summed with numpy (a pandas groupby per grouping cost most of the time).
    codes: dict[str, np.ndarray] = {}
    uniques: dict[str, np.ndarray] = {}
    for d in dims:
        if isinstance(df[d].dtype, pd.StringDtype) and not df[d].hasnans:
            # Text without NA: factorised by pandas' own string code (converting to Python
            # objects first cost more than the factorising). Sorted by code point, as the
            # object path sorts them, so the codes and uniques are the same.
            c, u = pd.factorize(df[d], sort=True)
        else:
            column = df[d].to_numpy(dtype=object, copy=True)
            column[pd.isna(column)] = _NA
            c, u = pd.factorize(column, sort=True)
        codes[d], uniques[d] = np.asarray(c, dtype=np.int64), np.asarray(u, dtype=object)

    keys: list[tuple] = []
    values: list[int] = []
    owner: list[int] = []
    index: list[dict] = []
    parts: list[dict[str, np.ndarray]] = []  # each grouping's cells as codes per dimension
    for gi, g in enumerate(order):
        if g:
            group_keys, sums, group_parts = _group_sums([codes[d] for d in g], [uniques[d] for d in g], amounts)
        else:
            group_keys, sums, group_parts = [()], [int(amounts.sum())], ()
        index.append(dict(zip(group_keys, range(len(keys), len(keys) + len(group_keys)), strict=True)))
        parts.append(dict(zip(g, group_parts, strict=True)))
        keys += group_keys
        values += sums
        owner += [gi] * len(group_keys)
    vals = np.array(values, dtype=np.int64)
    owner_arr = np.array(owner, dtype=np.int64)
    first_cell = np.searchsorted(owner_arr, np.arange(len(order) + 1))
    sizes = {d: max(len(uniques[d]), 1) for d in dims}
    # Every cell's code per dimension, -1 where its grouping sums over the dimension.
    cell_codes = np.full((len(vals), len(dims)), -1, dtype=np.int64)
    for gi, g in enumerate(order):
        for d in g:
            cell_codes[first_cell[gi]:first_cell[gi + 1], dims.index(d)] = parts[gi][d]

    lines: list[np.ndarray] = []
    signs: list[np.ndarray] = []
    for pi, parent in enumerate(order):
        for ci, child in enumerate(order):
            if set(parent) < set(child):
                _add_lines(lines, signs, parent, parts[pi], parts[ci], int(first_cell[pi]), int(first_cell[ci]), sizes)

    is_fixed = np.array([order[g] in fixed_set for g in owner_arr], dtype=bool) if len(vals) else np.zeros(0, bool)
    depth = np.array([len(order[g]) for g in owner_arr], dtype=np.int64) if len(vals) else np.zeros(0, np.int64)
    primary = (vals >= 1) & (vals < t)
    supp = primary.copy()
    is_locked = np.zeros(len(vals), dtype=bool)
    for target, cells_given in ((supp, also), (is_locked, locked)):
        for g, k in cells_given:
            g = _ordered(g, dims)
            if g in closed:
                cid = index[order.index(g)].get(tuple(_NA if pd.isna(v) else v for v in k))
                if cid is not None:
                    target[cid] = True
    is_locked &= ~supp
    notes: list[str] = []

    def best(candidates: np.ndarray) -> int | None:
        # Never a locked cell; fixed totals last, zeros after non-zero cells, then the
        # smallest value, then interior cells before totals (a total sits in more equations).
        keyed = sorted((c for c in candidates.tolist() if not is_locked[c]),
                       key=lambda c: (is_fixed[c], vals[c] == 0, vals[c], -depth[c], c))
        return keyed[0] if keyed else None

    flat = np.concatenate(lines) if lines else np.zeros(0, np.int64)
    starts = np.cumsum([0] + [len(ln) for ln in lines[:-1]]) if lines else np.zeros(0, np.int64)
    line_ids = np.repeat(np.arange(len(lines)), [len(ln) for ln in lines])
    # The equations each cell sits in, in equation order: line_of[bounds[c]:bounds[c + 1]].
    by_cell = np.argsort(flat, kind="stable")
    line_of = line_ids[by_cell]
    bounds = np.searchsorted(flat[by_cell], np.arange(len(vals) + 1))
    given_locked = is_locked.copy()
    lock_cause: dict[int, int] = {}
    _lock_determined(lines, flat, starts, is_locked, supp, lock_cause)
    tables = _two_way_tables(two_way, dims, cell_codes, flat, starts) if two_way else None
    families = _families([dims.index(d) for d in hierarchy], cell_codes, flat, starts) if hierarchy else []
    family_cells = [np.unique(np.concatenate([lines[li] for li in fam])) for fam in families]
    checked: dict[int, bytes] = {}  # family -> its hidden cells when last found sound
    sound: dict[int, bytes] = {}    # the same per two-way table

    while True:
        changed = False
        # Line rule, vectorised: count the unknowns of every equation at once, then fix the
        # equations with exactly one (re-checked, as an earlier fix may have covered it).
        while len(lines):
            counts = np.add.reduceat(supp[flat].astype(np.int64), starts)
            singles = np.flatnonzero(counts == 1)
            if len(singles) == 0:
                break
            progressed = False
            for li in singles.tolist():
                line = lines[li]
                s = supp[line]
                if s.sum() == 1 and (c := best(line[~s])) is not None:
                    supp[c] = True
                    changed = progressed = True
            if not progressed:  # only equations of locked cells left: another output's own
                break
        # (cell, the equations that determine it or None for any of its own): a bridge of
        # one table is determined by that table's own equations, and a cell a family
        # determines by the family's, so its partner must come from them (a cell of
        # another table leaves the bridge as it was).
        found: list[tuple[int, set | None]] = []
        for fi, fam in enumerate(families):
            # A family whose hidden cells are as when it was last found sound stays so.
            state = supp[family_cells[fi]].tobytes()
            if checked.get(fi) == state:
                continue
            hits = _determined([lines[li] for li in fam], [signs[li] for li in fam], supp, notes,
                               cap=MAX_FAMILY_UNKNOWNS)
            found += [(c, fam) for c in hits]
            if not hits:
                checked[fi] = state
        if tables:
            found += [(c, tables.inside) for c in _table_bridges(tables, supp, sound)]
        if not found:
            # The whole system last (with families, once they find nothing: it costs the
            # most): a group of linked hidden cells too large for one dense check is then
            # checked family by family (their own note if one is too large), not skipped.
            found = [(c, None) for c in _determined(lines, signs, supp, [] if families else notes)]
        if not found:
            break
        for c, allowed in found:
            options = [x for li in line_of[bounds[c]:bounds[c + 1]].tolist() if (allowed is None or li in allowed)
                       and (x := best(lines[li][~supp[lines[li]]])) is not None]
            if options:
                supp[min(options, key=lambda x: (is_fixed[x], vals[x] == 0, vals[x], -depth[x], x))] = True
                changed = True
        if not changed:  # cannot happen: a determined cell sits in a line with a known member
            break

    stuck = _stuck(lines, flat, starts, supp, given_locked, lock_cause,
                   lambda c: (order[owner_arr[c]], tuple(None if v == _NA else v for v in keys[c])))
    pub_groupings = [g for g in order if g in published]
    # The published cells column by column (a dict per row, then a frame, cost more than
    # the suppression itself).
    shown = [cid for cid in range(len(keys)) if order[owner_arr[cid]] in published]
    positions = {g: {d: g.index(d) for d in g} for g in pub_groupings}
    columns: dict[str, list] = {d: [] for d in dims}
    grouping_col = []
    for cid in shown:
        g = order[owner_arr[cid]]
        k = keys[cid]
        pos = positions[g]
        for d in dims:
            columns[d].append(k[pos[d]] if d in pos else None)
        grouping_col.append(grouping_name(g))
    cells = _cells_frame(df, dims, value, columns, grouping_col, np.asarray(shown, dtype=np.int64),
                         vals, supp, primary)

    pub_mask = np.array([order[g] in published for g in owner_arr], dtype=bool) if len(vals) else np.zeros(0, bool)
    finest = [g for g in pub_groupings if not any(set(g) < set(o) for o in pub_groupings)]
    fine_mask = np.array([order[g] in finest for g in owner_arr], dtype=bool) if len(vals) else np.zeros(0, bool)
    nonzero = fine_mask & (vals > 0)
    share = float(supp[nonzero].sum() / nonzero.sum()) if nonzero.any() else 0.0
    return Protected(
        cells=cells, value=value, dims=dims, groupings=tuple(pub_groupings), threshold=t,
        primary=int((primary & pub_mask).sum()), secondary=int((supp & ~primary & pub_mask).sum()),
        suppressed_share=share, notes=tuple(notes), stuck=stuck,
    )


def _stuck(lines, flat, starts, supp, given_locked, cause: dict[int, int], name) -> tuple:
    """:attr:`Protected.stuck`: the equations with exactly one hidden member, with the given
    locked cells behind their other members (a cell locked because given ones determine
    it stands for those; ``name`` turns a cell id into (grouping, key))."""
    if not len(lines):
        return ()
    out = []
    for li in np.flatnonzero(np.add.reduceat(supp[flat].astype(np.int64), starts) == 1).tolist():
        line = lines[li]
        h = int(line[supp[line]][0])
        givers, todo, seen = set(), [c for c in line.tolist() if c != h], set()
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            if given_locked[c]:
                givers.add(c)
            elif c in cause:
                todo += [x for x in lines[cause[c]].tolist() if x != c]
        out.append((name(h), tuple(name(c) for c in sorted(givers))))
    return tuple(out)


@dataclass(frozen=True)
class _Tables:
    """:func:`protect`'s two-way tables as a graph: each cell an edge between the two
    equations of its table it sits in (``ends``), and which lines lie inside one table."""

    ends: np.ndarray      # cell -> (vertex, vertex)
    inside: set[int]      # the lines all of whose cells belong to one table
    cells: list[np.ndarray]  # each table's cells


def _families(hierarchy: list[int], cell_codes: np.ndarray, flat: np.ndarray, starts: np.ndarray) -> list[set[int]]:
    """The equations (line ids) of each family of an area tree: an area and its children,
    every equation all of whose cells belong to them (the area's cells as a sum of its
    children's, and each of their own tables). Hidden cells are linked over the whole
    country through the tree, far too many for one dense check; a family is small, and a
    cell its own equations determine is determined by all of them too. What only a
    combination of families determines is not found (docs/disclosure.md).

    ``hierarchy``: the area tree's columns of ``cell_codes`` from the top (a cell's
    grouping holds a prefix of them); ``flat``/``starts``: the equations' cells. Families
    come in the order their first equation does."""
    if not len(starts):
        return []
    # A cell's area: the prefix of the tree it names. ancestor[:, k] numbers the areas of
    # depth k (the cell's own prefix of length k; -1 below the cell's depth).
    depth = (cell_codes[:, hierarchy] >= 0).sum(axis=1)
    ancestor = np.full((len(cell_codes), len(hierarchy) + 1), -1, dtype=np.int64)
    ancestor[:, 0] = 0
    for k, column in enumerate(hierarchy, start=1):
        has = depth >= k
        pairs = np.stack([ancestor[has, k - 1], cell_codes[has, column]], axis=1)
        ancestor[has, k] = np.unique(pairs, axis=0, return_inverse=True)[1].ravel() if has.any() else 0
    line_depth = depth[flat]
    top = np.minimum.reduceat(line_depth, starts)
    deepest = np.maximum.reduceat(line_depth, starts)
    top_of_cell = np.repeat(top, np.diff(np.append(starts, len(flat))))
    # Each member's area at the line's top depth: one area there (and none deeper than
    # its children) makes the line that area's; one area in all makes it the parent's.
    at_top = ancestor[flat, top_of_cell]
    same_top = np.minimum.reduceat(at_top, starts) == np.maximum.reduceat(at_top, starts)
    own = deepest == top
    family_depth = np.where(own & (top > 0), top - 1, top)
    usable = same_top & (deepest <= top + 1)
    first_member = flat[starts]
    family_area = ancestor[first_member, family_depth]
    out: dict[tuple[int, int], set[int]] = {}
    for li in np.flatnonzero(usable).tolist():
        out.setdefault((int(family_depth[li]), int(family_area[li])), set()).add(li)
    return list(out.values())


def _two_way_tables(two_way: tuple[str, str], dims: tuple[str, ...], cell_codes: np.ndarray,
                    flat: np.ndarray, starts: np.ndarray) -> _Tables:
    """The tables of rows × columns (``two_way``) with their margins, one per key of the
    other dimensions, as a graph whose vertices are the table's equations.

    In a table with every margin each cell sits in exactly two of them: an inner cell in
    its row's ("the row's cells sum to the row total") and its column's; a row total in
    its row's and in "the row totals sum to the grand total" (G); a column total in its
    column's and in "the column totals sum to the grand total" (H); the grand total in G
    and H. A hidden cell is then determined by the table exactly when it is a bridge of
    the graph of hidden cells (no cycle of hidden cells runs through it), as in
    :func:`protect_hierarchy`. Tables and vertices are numbered in the order the cells
    first name them."""
    row, column = (dims.index(d) for d in two_way)
    outer = [i for i, d in enumerate(dims) if d not in two_way]
    block_of = _first_seen(np.unique(cell_codes[:, outer], axis=0, return_inverse=True)[1].ravel()
                           if outer else np.zeros(len(cell_codes), dtype=np.int64))
    # A vertex: (block, kind, value): kind 0 a row's equation (-1 value: G, the row
    # totals'), kind 1 a column's (-1: H). A cell joins its row's (or H) and its column's
    # (or G).
    n = len(cell_codes)
    row_code, column_code = cell_codes[:, row], cell_codes[:, column]
    a = np.stack([block_of, np.where(row_code >= 0, 0, 2), row_code], axis=1)
    z = np.stack([block_of, np.where(column_code >= 0, 1, 3), column_code], axis=1)
    both = np.empty((2 * n, 3), dtype=np.int64)
    both[0::2], both[1::2] = a, z
    vertex = _first_seen(np.unique(both, axis=0, return_inverse=True)[1].ravel()) if n else np.zeros(0, np.int64)
    ends = vertex.reshape(n, 2)
    if len(starts):
        in_line = block_of[flat]
        one = np.minimum.reduceat(in_line, starts) == np.maximum.reduceat(in_line, starts)
        inside = set(np.flatnonzero(one).tolist())
    else:
        inside = set()
    n_blocks = int(block_of.max()) + 1 if n else 0
    order_ = np.argsort(block_of, kind="stable")
    bounds = np.searchsorted(block_of[order_], np.arange(n_blocks + 1))
    return _Tables(ends=ends, inside=inside, cells=[order_[bounds[b]:bounds[b + 1]] for b in range(n_blocks)])


def _first_seen(ids: np.ndarray) -> np.ndarray:
    """``ids`` renumbered 0, 1, … in the order they first occur."""
    if not len(ids):
        return ids.astype(np.int64)
    found, first = np.unique(ids, return_index=True)
    rank = np.empty(len(found), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(found))
    return rank[np.searchsorted(found, ids)]


def _table_bridges(tables: _Tables, supp: np.ndarray, sound: dict[int, bytes]) -> list[int]:
    """Hidden cells that are a bridge of their table's graph of hidden cells
    (:func:`_two_way_tables`): determined by the table's own shown cells. ``sound``:
    table -> its hidden cells when it was last found without bridges (updated here)."""
    ends = tables.ends
    found: list[int] = []
    for b, cells in enumerate(tables.cells):
        # Only the tables whose hidden cells changed since they were last found sound.
        state = supp[cells].tobytes()
        if sound.get(b) == state:
            continue
        hidden = cells[supp[cells]].tolist()
        bridges = _bridges({c: (int(ends[c, 0]), int(ends[c, 1])) for c in hidden})
        found += bridges
        if not bridges:
            sound[b] = state
    return found


def _cells_frame(df: pd.DataFrame, dims: tuple[str, ...], value: str, columns: dict[str, list],
                 grouping_col: list[str], shown: np.ndarray, vals: np.ndarray, supp: np.ndarray,
                 primary: np.ndarray) -> pd.DataFrame:
    """protect()'s output frame: the dimension columns (``columns``, _NA for a missing key,
    None where a margin sums over the dimension), grouping, value, flag and reason of the
    ``shown`` cells.

    Built as typed columns in one frame. The dtypes are those the earlier version got by
    letting pandas infer each column from a list and then casting it (kept for the cases
    below that are not plain text columns, where that inference decides the result):
    a text dimension keeps its dtype, the value is Int64 with NA where hidden, the flag
    bool, and the reason the inferred text dtype (object when nothing is hidden).
    """
    layout = [*dims, "grouping", value, flag_column(value), "reason"]
    if not len(shown):
        cells = pd.DataFrame([], columns=layout)
        for d in dims:
            cells[d] = _cast_like(cells[d], df[d].dtype)
        cells[value] = cells[value].astype("Int64")
        cells[flag_column(value)] = cells[flag_column(value)].astype(bool)
        return cells
    data: dict[str, object] = {}
    dtypes = df.dtypes
    for d in dims:
        target = dtypes[d]
        if isinstance(target, pd.StringDtype):
            # Text: the keys are str, _NA or None; cast directly (what inference and the
            # cast below give for such a column).
            keys = np.array(columns[d], dtype=object)
            keys[keys == _NA] = None
            data[d] = pd.array(keys, dtype=target)
        else:
            data[d] = _cast_like(pd.Series(columns[d]), target)
    hidden = supp[shown]
    data["grouping"] = pd.Series(grouping_col)
    data[value] = pd.arrays.IntegerArray(np.where(hidden, 0, vals[shown]).astype(np.int64), hidden.copy())
    data[flag_column(value)] = hidden.copy()
    reasons = np.where(hidden, np.where(primary[shown], "primär", "sekundär"), None).astype(object)
    # As inferred from the list of reasons: text once anything is hidden, else None objects.
    data["reason"] = pd.Series(reasons.tolist())
    return pd.DataFrame(data, columns=layout)


def _cast_like(column: pd.Series, dtype) -> pd.Series:
    """``column`` (dimension keys as pandas inferred them) with _NA as None, cast to the input
    column's ``dtype`` (Int64 for integers) where that works, else left as objects."""
    as_object = column.astype(object)
    col = as_object.where(as_object != _NA, None)
    target = "Int64" if pd.api.types.is_integer_dtype(dtype) else dtype
    try:
        return col.astype(target)
    except (TypeError, ValueError):
        return col


def _group_sums(codes: list[np.ndarray], uniques: list[np.ndarray],
                amounts: np.ndarray) -> tuple[list[tuple], list[int], tuple[np.ndarray, ...]]:
    """Sums of ``amounts`` per observed combination of ``codes`` (sorted codes of each
    dimension, ``uniques`` their values), in lexicographic order of the codes: the keys
    (value tuples) and sums a ``groupby(sort=True).sum()`` gives, and the combinations'
    codes (an array per dimension)."""
    if not len(amounts):
        return [], [], tuple(np.zeros(0, np.int64) for _ in codes)
    sizes = [max(len(u), 1) for u in uniques]
    if math.prod(sizes) < 2**62:
        flat = np.ravel_multi_index(codes, sizes)
        combos, inverse = np.unique(flat, return_inverse=True)
        parts = np.unravel_index(combos, sizes)
    else:  # too many combinations for one integer: unique rows instead
        combos, inverse = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
        parts = tuple(combos[:, i] for i in range(len(codes)))
    if len(amounts) and int(amounts.max()) < 2**53 // len(amounts):
        # Every partial sum stays below 2**53, where float64 is exact; far quicker than
        # np.add.at.
        sums = np.rint(np.bincount(inverse.ravel(), weights=amounts, minlength=len(combos))).astype(np.int64)
    else:
        sums = np.zeros(len(combos), dtype=np.int64)
        np.add.at(sums, inverse.ravel(), amounts)
    labels = [u[p].tolist() for u, p in zip(uniques, parts, strict=True)]
    return list(zip(*labels, strict=True)), sums.tolist(), tuple(np.asarray(p, dtype=np.int64) for p in parts)


def _add_lines(lines: list[np.ndarray], signs: list[np.ndarray], parent: tuple[str, ...],
               parent_codes: dict[str, np.ndarray], child_codes: dict[str, np.ndarray],
               parent_first: int, child_first: int, sizes: dict[str, int]) -> None:
    """Append the equations "a ``parent`` cell is the sum of its child grouping's cells"
    to ``lines`` (cell ids, the total first) and ``signs`` (+1, then -1 per part), one per
    parent cell with parts, in the order the child cells first name them. Cells are
    numbered from ``*_first`` in their grouping's order (sorted codes, :func:`_group_sums`)."""
    n_child = len(next(iter(child_codes.values())))
    if not parent:  # the grand total: one equation of every child cell
        pid = np.zeros(n_child, dtype=np.int64)
    elif math.prod(sizes[d] for d in parent) < 2**62:
        shape = [sizes[d] for d in parent]
        # The parent cells' flat codes are sorted (their grouping's order): look each up.
        wanted = np.ravel_multi_index([child_codes[d] for d in parent], shape)
        pid = np.searchsorted(np.ravel_multi_index([parent_codes[d] for d in parent], shape), wanted)
    else:  # too many combinations for one integer: compare rows
        have, pid = np.unique(np.stack([child_codes[d] for d in parent], axis=1), axis=0, return_inverse=True)
        known = {tuple(r): i for i, r in enumerate(np.stack([parent_codes[d] for d in parent], axis=1).tolist())}
        pid = np.array([known[tuple(r)] for r in have.tolist()], dtype=np.int64)[pid.ravel()]
    if not n_child:
        return
    # Parent cells in the order the child cells first name them, and their parts in order.
    found, first = np.unique(pid, return_index=True)
    rank = np.empty(len(found), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(found))
    of_child = rank[np.searchsorted(found, pid)]
    kids = np.argsort(of_child, kind="stable")
    starts = np.searchsorted(of_child[kids], np.arange(len(found)))
    heads = found[np.argsort(first, kind="stable")] + parent_first
    cells = np.insert(kids + child_first, starts, heads)
    sign = np.insert(np.full(len(kids), -1.0), starts, 1.0)
    cuts = (starts + np.arange(len(found)))[1:]
    lines += np.split(cells, cuts)
    signs += np.split(sign, cuts)


def _lock_determined(lines: list[np.ndarray], flat: np.ndarray, starts: np.ndarray, locked: np.ndarray,
                     supp: np.ndarray, cause: dict[int, int] | None = None) -> None:
    """Lock (in place) every shown cell that locked cells determine: an equation whose
    other members are all locked gives it away, so hiding it could protect nothing.
    ``cause``: filled with each such cell's equation (line id)."""
    if not len(lines) or not locked.any():
        return
    while True:
        free = ~locked
        counts = np.add.reduceat(free[flat].astype(np.int64), starts)
        added = False
        for li in np.flatnonzero(counts == 1).tolist():
            line = lines[li]
            c = int(line[free[line]][0])
            if not supp[c]:
                locked[c] = True
                added = True
                if cause is not None:
                    cause[c] = li
        if not added:
            return


def _determined(lines, signs, supp: np.ndarray, notes: list[str], cap: int | None = None) -> list[int]:
    """Suppressed cells whose value follows from the published values by linear algebra.

    Unknowns are the suppressed cells; each equation (a total and its parts) with an
    unknown is a row of A. A cell is determined exactly when its unit vector lies in the
    row space of A, i.e. every vector of A's null space is zero there. Many unknowns
    split into independent components (linked by shared equations), solved one by one
    (:func:`_components`). Only
    the suppressed cells of ``lines`` are unknowns (a cell in none of them is determined
    by none of them).
    """
    if not len(lines):
        return []
    flat = np.concatenate(lines)
    hidden = supp[flat]
    if not hidden.any():
        return []
    row_of = np.repeat(np.arange(len(lines)), [len(x) for x in lines])[hidden]
    sign = np.concatenate(signs)[hidden]
    unknown, col = np.unique(flat[hidden], return_inverse=True)
    rows, row = np.unique(row_of, return_inverse=True)  # only equations with an unknown
    n_rows, n_cols = len(rows), len(unknown)
    limit = cap or MAX_ALGEBRA_UNKNOWNS
    found: list[int] = []
    for a, cells in _components(row, col, sign, n_rows, n_cols, limit, notes):
        with _one_blas_thread():
            null = _null_space(a)
        size = np.abs(null).max(axis=1) if null.shape[1] else np.zeros(len(cells))
        found += [int(c) for c in unknown[cells[np.flatnonzero(size < 1e-6 * max(1.0, size.max(initial=0.0)))]]]
    return found


def _components(row: np.ndarray, col: np.ndarray, sign: np.ndarray, n_rows: int, n_cols: int, limit: int,
                notes: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The equations (``row``, ``col``, ``sign``: A's nonzero entries) as dense blocks of
    at most ``limit`` unknowns: (A's block, its unknowns' columns). Unknowns linked through
    shared equations (components of the graph of equations and unknowns) must be solved
    together (the cost grows with the cube of a block's size); a component over ``limit``
    is skipped with a note."""
    # Vectorised: the Python union-find cost most of the check on a large table. The
    # graph's edges run from each equation to its unknowns (``row`` is sorted).
    indptr = np.concatenate([np.searchsorted(row, np.arange(n_rows + 1)), np.full(n_cols, len(row))])
    link = scipy.sparse.csr_array((np.ones(len(row)), n_rows + col, indptr), shape=(n_rows + n_cols,) * 2)
    _, label = scipy.sparse.csgraph.connected_components(link, directed=False)
    # Entries grouped by component; within one, equations and unknowns numbered anew.
    entry_label = label[n_rows + col]
    by_entry = np.argsort(entry_label, kind="stable")
    _, entry_starts = np.unique(entry_label[by_entry], return_index=True)
    entry_ends = [*entry_starts[1:].tolist(), len(row)]
    for lo, hi in zip(entry_starts.tolist(), entry_ends, strict=True):
        part = by_entry[lo:hi]
        cols, local_col = np.unique(col[part], return_inverse=True)
        if len(cols) > limit:
            msg = (f"{len(cols)} sammanhängande dolda värden: den exakta kontrollen hoppades över "
                   "(radregeln gäller)")
            if msg not in notes:
                notes.append(msg)
                log.info(msg)
            continue
        rows, local_row = np.unique(row[part], return_inverse=True)
        a = np.zeros((len(rows), len(cols)))
        a[local_row, local_col] = sign[part]
        yield a, cols


def _null_space(a: np.ndarray) -> np.ndarray:
    """A basis of the null space of ``a`` (columns), not orthonormal: a cell is
    determined exactly when its row is zero, whatever the basis.

    From the Cholesky factorisation of AᵀA with complete pivoting (LAPACK ``pstrf``): with
    the first r pivots' factor L11 and the rest's L21, the null space is [-L11⁻ᵀ L21ᵀ; I]
    in pivot order. That is four to five times faster than the eigen-decomposition of AᵀA,
    which is used where the basis found fails the check that A times it is zero (a rank
    misjudged by rounding), so every vector used is a proven null vector."""
    n = a.shape[1]
    gram = a.T @ a
    tol = max(float(np.diag(gram).max()), 1.0) * 1e-9 * n
    factor, piv, rank, info = scipy.linalg.lapack.dpstrf(gram, tol=tol, lower=1)
    if info >= 0 and rank < n:
        piv = piv - 1
        l11 = np.tril(factor[:rank, :rank])
        l21 = factor[rank:n, :rank]
        x = scipy.linalg.solve_triangular(l11, l21.T, lower=True, trans="T", check_finite=False)
        basis = np.zeros((n, n - rank))
        basis[piv[:rank]] = -x
        basis[piv[rank:], np.arange(n - rank)] = 1.0
        if np.abs(a @ basis).max() <= 1e-9 * max(1.0, float(np.abs(basis).max())):
            return basis
    elif info >= 0:  # full column rank: every unknown is determined
        return np.zeros((n, 0))
    w, v = np.linalg.eigh(gram)
    return v[:, w <= max(w.max(), 1.0) * 1e-9 * n]


def worked_out(layer: Protected, levels: Sequence[str]) -> np.ndarray:
    """The rows of ``layer.cells`` that are hidden and yet determined by its shown cells
    (exact linear algebra over the whole layer at once, where :func:`protect` is exact per
    family and per table): each published cell is the sum of its parts one step finer (the
    next level of the area tree ``levels``, or each other dimension), a cell left out is a
    shown 0, and a hidden cell is worked out when the null space of the equations over
    the hidden cells is zero at it. Dense, so for layers of up to a few thousand hidden
    cells (a month's, not a year's)."""
    cells = layer.cells
    dims = layer.dims
    levels = tuple(levels)
    hidden = np.flatnonzero(cells[flag_column(layer.value)].to_numpy(dtype=bool))
    if not len(hidden):
        return hidden
    groupings = [tuple(x for x in name.split(",") if x) for name in cells["grouping"].tolist()]
    columns = {d: cells[d].astype(object).tolist() for d in dims}
    by_grouping: dict[tuple, dict[tuple, list[int]]] = {}
    keys = []
    for i, g in enumerate(groupings):
        key = tuple(None if pd.isna(columns[d][i]) else columns[d][i] for d in g)
        keys.append(key)
        by_grouping.setdefault(g, {})
    # Each cell's parts one step finer, found by the key they share with it.
    for i, g in enumerate(groupings):
        for parent in _one_step_coarser(g, dims, levels):
            shared = tuple(keys[i][g.index(d)] for d in parent)
            by_grouping.setdefault(g, {})
            by_grouping[g].setdefault((parent, shared), []).append(i)
    column_of = {int(c): k for k, c in enumerate(hidden.tolist())}
    index = {(g, keys[i]): i for i, g in enumerate(groupings)}
    rows: list[list[tuple[int, float]]] = []
    for (g, key), i in index.items():
        for child in by_grouping:
            parts = by_grouping[child].get((g, key))
            if parts:
                members = [(i, 1.0)] + [(j, -1.0) for j in parts]
                if any(m in column_of for m, _ in members):
                    rows.append(members)
    a = np.zeros((max(len(rows), 1), len(hidden)))
    for r, members in enumerate(rows):
        for c, sign in members:
            if c in column_of:
                a[r, column_of[c]] = sign
    with _one_blas_thread():  # as in _determined: a busy machine made many threads slower
        null = _null_space(a)
    return hidden[np.abs(null).max(axis=1, initial=0) < 1e-7]


def _one_step_coarser(grouping: tuple[str, ...], dims: Sequence[str], levels: tuple[str, ...]) -> list[tuple]:
    """The groupings one step coarser than ``grouping``: without its deepest area level, or
    without one of its other dimensions (each in ``dims`` order)."""
    out = []
    depth = sum(d in levels for d in grouping)
    if depth:
        deepest = levels[depth - 1]
        out.append(tuple(d for d in grouping if d != deepest))
    out += [tuple(x for x in grouping if x != d) for d in grouping if d not in levels]
    return out


@functools.cache
def _blas_thread_setters() -> tuple:
    """The per-thread thread count setters (``openblas_set_num_threads_local``) of the
    OpenBLAS libraries numpy and SciPy load (each wheel ships its own: numpy's runs
    ``a.T @ a``, SciPy's the factorisations), where they use OpenBLAS."""
    import scipy

    setters = []
    for package in (np, scipy):
        for path in sorted(glob.glob(os.path.join(os.path.dirname(package.__file__) + ".libs", "lib*openblas*.so*"))):
            try:
                setter = ctypes.CDLL(path).openblas_set_num_threads_local
            except (OSError, AttributeError):
                continue
            setter.restype = ctypes.c_int
            setter.argtypes = [ctypes.c_int]
            setters.append(setter)
            break
    return tuple(setters)


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run the (small) factorisations on the calling thread only. OpenBLAS splits even a
    50 × 50 problem over every core; with the server's other sessions (or other
    processes) busy, that made the exact check 3–6 times slower than one thread, and
    SciPy's library, left out of this at first, spent two to three times the CPU."""
    setters = _blas_thread_setters()
    previous = [setter(1) for setter in setters]
    try:
        yield
    finally:
        for setter, count in zip(setters, previous, strict=True):
            setter(count)


# --- a second hierarchy over the same counts, shown only where the first gives it away -----

def protect_by_cover(df: pd.DataFrame, value: str, dims: Sequence[str], groupings: Iterable[Sequence[str]],
                     source: Protected, area: Sequence[str], source_area: Sequence[str],
                     covers: dict[tuple, Sequence[Sequence[tuple]]],
                     threshold_value: int | None = None) -> Protected:
    """The same counts along another area hierarchy, each value shown only where the
    ``source`` table's shown values already give it away.

    Two hierarchies over the same counts (the police areas and the administrative ones:
    a kommun holds whole LPOs, an LPO whole kommuner) protected apart leak through each
    other: a kommun shown as 8 where the LPO on the same ground is hidden. Here nothing
    is protected a second time. ``df`` holds the counts at ``dims`` = (*``area``, *rest),
    ``groupings`` the published groupings (each a prefix of ``area`` and some of rest),
    and ``covers`` maps an area's key (the values of ``area[:k]``, None for a missing key)
    to its alternatives: each a set of ``source`` areas (keys of ``source_area[:j]``)
    whose values, all shown, determine the area's (the LPOs that make up a kommun; or a
    polisregion and the polisområden outside a län). A cell is shown when one
    alternative's cells with the same rest key (period, category) are all shown in
    ``source`` (a source cell without a row is a shown 0) and its count is not from 1 to
    threshold − 1 (such a count stays hidden even when it follows from the source: it is
    then a sum of hidden cells there, whose bounds are not checked). Everything else is
    hidden; an area without covers is always hidden. So every value shown is a sum or
    difference of values the source shows: this table adds nothing to what can be
    worked out, and its hidden values are as safe as the source's.
    """
    t = threshold_value if threshold_value is not None else threshold()
    dims, area, source_area = tuple(dims), tuple(area), tuple(source_area)
    if dims[:len(area)] != area:
        raise ValueError("protect_by_cover: dims ska börja med area")
    groupings = [_ordered(g, dims) for g in groupings]
    counts = df[value]
    if counts.isna().any() or (counts < 0).any():
        raise ValueError(f"protect_by_cover: {value} saknar värden eller är negativ")
    amounts = counts.astype("int64").to_numpy()

    # The source's flags per (source area depth, rest dimensions): key -> hidden.
    hidden_at: dict[tuple, dict[tuple, bool]] = {}
    for g in source.groupings:
        keys, _, hidden, _ = source.entries(g)
        depth = sum(1 for d in g if d in source_area)
        hidden_at[(depth, tuple(d for d in g if d not in source_area))] = dict(zip(keys, hidden, strict=True))

    codes: dict[str, np.ndarray] = {}
    uniques: dict[str, np.ndarray] = {}
    for d in dims:
        column = df[d].to_numpy(dtype=object, copy=True)
        column[pd.isna(column)] = _NA
        c, u = pd.factorize(column, sort=True)
        codes[d], uniques[d] = np.asarray(c, dtype=np.int64), np.asarray(u, dtype=object)

    columns: dict[str, list] = {d: [] for d in dims}
    grouping_col: list[str] = []
    vals: list[int] = []
    shown_by_cover: list[bool] = []
    finest_mask: list[bool] = []
    finest = [g for g in groupings if not any(set(g) < set(o) for o in groupings)]
    for g in groupings:
        if g:
            group_keys, sums, _ = _group_sums([codes[d] for d in g], [uniques[d] for d in g], amounts)
        else:
            group_keys, sums = [()], [int(amounts.sum())]
        depth = sum(1 for d in g if d in area)
        rest = g[depth:]
        for k, v in zip(group_keys, sums, strict=True):
            a_key = tuple(None if x == _NA else x for x in k[:depth])
            r_key = tuple(None if x == _NA else x for x in k[depth:])
            ok = False
            for alternative in covers.get(a_key, ()):
                for s in alternative:
                    flags = hidden_at.get((len(s), rest))
                    if flags is None or flags.get((*s, *r_key), False):
                        break
                else:
                    ok = True
                    break
            shown_by_cover.append(ok)
            vals.append(int(v))
            positions = dict(zip(g, k, strict=True))
            for d in dims:
                columns[d].append(positions[d] if d in positions else None)
            grouping_col.append(grouping_name(g))
            finest_mask.append(g in finest)
    values = np.array(vals, dtype=np.int64)
    primary = (values >= 1) & (values < t)
    supp = primary | ~np.array(shown_by_cover, dtype=bool)
    cells = _cells_frame(df, dims, value, columns, grouping_col, np.arange(len(values), dtype=np.int64),
                         values, supp, primary)
    nonzero = np.array(finest_mask, dtype=bool) & (values > 0)
    share = float(supp[nonzero].sum() / nonzero.sum()) if nonzero.any() else 0.0
    return Protected(cells=cells, value=value, dims=dims, groupings=tuple(groupings), threshold=t,
                     primary=int(primary.sum()), secondary=int((supp & ~primary).sum()), suppressed_share=share)


# --- hierarchies: area tree (× period), exact and linear-time ---------------------------------

TOTAL_PERIOD = None  # the column of whole-period totals in a hierarchy table


def _bridges(edges: dict[int, tuple[int, int]]) -> list[int]:
    """Edge ids (keys of ``edges``: id -> (vertex, vertex)) that lie on no cycle.

    Iterative Tarjan: an edge to a child w is a bridge when nothing below w reaches back
    above it. Parallel edges (two hidden cells between the same equations) form a cycle.
    """
    adj: dict[int, list[tuple[int, int]]] = {}
    for e, (u, v) in edges.items():
        adj.setdefault(u, []).append((v, e))
        adj.setdefault(v, []).append((u, e))
    disc: dict[int, int] = {}
    low: dict[int, int] = {}
    out: list[int] = []
    clock = 0
    for root in adj:
        if root in disc:
            continue
        disc[root] = low[root] = clock
        clock += 1
        stack = [(root, -1, iter(adj[root]))]
        while stack:
            v, via, it = stack[-1]
            for w, e in it:
                if e == via:
                    continue
                if w in disc:
                    if disc[w] < low[v]:
                        low[v] = disc[w]
                else:
                    disc[w] = low[w] = clock
                    clock += 1
                    stack.append((w, e, iter(adj[w])))
                    break
            else:
                stack.pop()
                if stack:
                    u = stack[-1][0]
                    if low[v] < low[u]:
                        low[u] = low[v]
                    if low[v] > disc[u]:
                        out.append(via)
    return out


def protect_hierarchy(df: pd.DataFrame, value: str, levels: Sequence[str], period: str | None = None, *,
                      totals: Protected | None = None, also: Iterable[tuple[Sequence[str], tuple]] = (),
                      locked: Iterable[tuple[Sequence[str], tuple]] = (),
                      threshold_value: int | None = None) -> Protected:
    """Protect an area hierarchy (optionally × period) with every hierarchy total, exactly.

    ``levels`` are the hierarchy's columns from the top (polisregion, polisområde, LPO);
    NA is an "ej fördelat" branch. The output holds each area's count (and the riket
    total) per period and over the whole period: the groupings ``levels[:k]`` and
    ``(*levels[:k], period)`` of :func:`protect`, so :meth:`Protected.table` reads it the
    same way.

    Every published cell sits in at most two independent equations (its parent's and its
    own children's per period; a leaf's own equation is its period total; an area's
    period total sums its periods, which the other equations already imply). The
    equations are then the vertices of a graph whose edges are the cells, and a hidden
    cell can be worked out from the shown ones exactly when it is a bridge of the graph
    of hidden cells (no cycle of hidden cells runs through it). So the check is exact and
    linear, for any size, where :func:`protect`'s dense algebra is cubic.

    ``totals``: the whole-period layer (this function without ``period``), already
    shown elsewhere (headlines, maps). Its shown totals are never hidden here and its
    hidden ones are hidden; partners are found among the period cells instead. ``also``
    and ``locked``: cells another output hides or shows, as :func:`protect` takes them (a
    count from 1 to threshold − 1 is never shown, whatever ``locked`` says).
    """
    t = threshold_value if threshold_value is not None else threshold()
    levels = tuple(levels)
    depth_max = len(levels)
    cols = [*levels] + ([period] if period else [])
    counts = df[value]
    if counts.isna().any() or (counts < 0).any():
        raise ValueError(f"protect_hierarchy: {value} saknar värden eller är negativ")
    # Plain arrays (NA as its own value, _NA): no copied frame column by column.
    work: dict[str, np.ndarray] = {}
    for c in cols:
        column = df[c].to_numpy(dtype=object, copy=True)
        column[pd.isna(column)] = _NA
        work[c] = column
    work[value] = counts.astype("int64").to_numpy()
    # Nodes: every prefix of the hierarchy that has counts (depth 0 is riket), numbered
    # in key order so that the result does not depend on the order of the rows.
    n_rows = len(counts)
    row_node = [np.zeros(n_rows, dtype=np.int64)]
    node_key: list[tuple] = [()]
    parent: list[int] = [-1]
    node_depth: list[int] = [0]
    local = np.zeros(n_rows, dtype=np.int64)
    for k in range(1, depth_max + 1):
        vcode, vuniq = pd.factorize(work[levels[k - 1]], sort=True)
        local, _ = pd.factorize(local * max(len(vuniq), 1) + vcode, sort=True)
        local = np.asarray(local, dtype=np.int64)
        first = np.unique(local, return_index=True)[1]
        base = len(node_key)
        for r in first.tolist():
            p = int(row_node[-1][r])
            parent.append(p)
            node_key.append(node_key[p] + (vuniq[vcode[r]],))
            node_depth.append(k)
        row_node.append(base + local)
    n_nodes = len(node_key)
    if period:
        pcode, puniq = pd.factorize(work[period], sort=True)
        periods = list(puniq)
    else:
        pcode, periods = np.zeros(n_rows, dtype=np.int64), []
    n_cols = len(periods) + 1
    tot = len(periods)  # column index of the whole-period total

    # Cells: (node, column) with their sums, node by node.
    flat_idx = np.concatenate([g * n_cols + c for g in row_node
                               for c in ([pcode, np.full(n_rows, tot)] if period else [np.full(n_rows, tot)])])
    weights = np.tile(work[value].astype(np.float64), len(row_node) * (2 if period else 1))
    size = n_nodes * n_cols
    present = np.flatnonzero(np.bincount(flat_idx, minlength=size) > 0)
    vals = np.rint(np.bincount(flat_idx, weights=weights, minlength=size)[present]).astype(np.int64)
    cnode = present // n_cols
    ccol = present % n_cols
    n_cells = len(vals)
    depth = np.array(node_depth, dtype=np.int64)[cnode]
    is_leaf = depth == depth_max

    # Equations as vertices: E(v, c) = "v's children sum to v in column c" for internal
    # v; L(leaf) = "the leaf's periods sum to its total" (only with periods); a cell in
    # a single kept equation ends at the ground vertex.
    ground = n_nodes * n_cols + n_nodes

    def e_vertex(node: np.ndarray, col: np.ndarray) -> np.ndarray:
        return node * n_cols + col

    par = np.array(parent, dtype=np.int64)[cnode] if n_cells else np.zeros(0, np.int64)
    end_a = np.where(par >= 0, e_vertex(np.maximum(par, 0), ccol), ground)
    if period:
        end_b = np.where(is_leaf, n_nodes * n_cols + cnode, e_vertex(cnode, ccol))
    else:
        end_b = np.where(is_leaf, ground, e_vertex(cnode, ccol))

    # Lines (equations a user can read, for the line rule): each vertex's cells, plus each
    # internal area's "periods sum to the total" (implied, but a user sees it directly).
    pair_line = np.concatenate([end_a, end_b])
    pair_cell = np.concatenate([np.arange(n_cells), np.arange(n_cells)])
    real = pair_line != ground
    pair_line, pair_cell = pair_line[real], pair_cell[real]
    if period:
        internal = ~is_leaf
        pair_line = np.concatenate([pair_line, ground + 1 + cnode[internal]])
        pair_cell = np.concatenate([pair_cell, np.flatnonzero(internal)])
    order = np.lexsort((pair_cell, pair_line))
    pair_line, pair_cell = pair_line[order], pair_cell[order]
    line_ids, starts = np.unique(pair_line, return_index=True)
    lines = np.split(pair_cell, starts[1:]) if len(pair_cell) else []
    line_of: dict[int, list[int]] = {}  # filled when first needed (a bridge to mend)
    line_at = {int(v): li for li, v in enumerate(line_ids.tolist())}
    flat = pair_cell

    def _reach(cell: int) -> list[int]:
        # Lines of every equation joined to ``cell`` through hidden cells.
        seen = {int(end_a[cell]), int(end_b[cell])}
        todo = list(seen)
        hidden_of: dict[int, list[int]] = {}
        for h in np.flatnonzero(supp).tolist():
            hidden_of.setdefault(int(end_a[h]), []).append(int(end_b[h]))
            hidden_of.setdefault(int(end_b[h]), []).append(int(end_a[h]))
        while todo:
            for w in hidden_of.get(todo.pop(), []):
                if w not in seen:
                    seen.add(w)
                    todo.append(w)
        return [line_at[v] for v in seen if v in line_at]

    primary = (vals >= 1) & (vals < t)
    supp = primary.copy()
    is_locked = np.zeros(n_cells, dtype=bool)
    if totals is not None:
        given = {}
        tc = totals.cells
        flags = tc[flag_column(totals.value)].tolist()
        columns = [tc[d].astype(object).tolist() for d in levels]
        for i, g in enumerate(tc["grouping"].tolist()):
            k = len([d for d in g.split(",") if d])
            given[tuple(_NA if pd.isna(columns[j][i]) else columns[j][i] for j in range(k))] = bool(flags[i])
        for cid in np.flatnonzero(ccol == tot).tolist():
            hidden = given.get(node_key[cnode[cid]])
            if hidden is None:
                continue
            supp[cid] = hidden
            is_locked[cid] = not hidden

    # Cells another output hides (``also``) or shows (``locked``), as protect() takes them:
    # (grouping, key) in the grouping's order, a prefix of ``levels`` and maybe ``period``.
    if also or locked:
        cell_at = {(node_key[n], c): cid for cid, (n, c) in enumerate(zip(cnode.tolist(), ccol.tolist(), strict=True))}
        period_col = {p: i for i, p in enumerate(periods)}
        for given, hide in ((also, True), (locked, False)):
            for grouping, key in given:
                k = [(_NA if pd.isna(v) else v) for v in key]
                col = period_col.get(k.pop(list(grouping).index(period))) if period in grouping else tot
                cid = cell_at.get((tuple(k), col))
                if cid is not None and (hide or not primary[cid]):  # a small count is never shown
                    supp[cid], is_locked[cid] = hide, not hide

    # Preference among candidate partners: never a locked cell; a non-zero before a zero;
    # the smallest; a period cell and a finer area before a total (totals sit in more
    # equations and are what users look at).
    rank = np.lexsort((np.arange(n_cells), -(depth * 2 + (ccol != tot)), vals, vals == 0))
    pref = np.empty(n_cells, dtype=np.int64)
    pref[rank] = np.arange(n_cells)

    def best(cells: np.ndarray) -> int | None:
        options = cells[~supp[cells] & ~is_locked[cells]]
        return int(options[np.argmin(pref[options])]) if len(options) else None

    notes: list[str] = []
    starts_arr = np.array([0] + [len(x) for x in lines[:-1]], dtype=np.int64).cumsum() if lines else None
    if lines:
        _lock_determined(lines, flat, starts_arr, is_locked, supp)
    for _ in range(10 * n_cells + 10):
        # Line rule: an equation with exactly one hidden member reveals it.
        while lines:
            counts = np.add.reduceat(supp[flat].astype(np.int64), starts_arr)
            singles = np.flatnonzero(counts == 1)
            fixed_any = False
            for li in singles.tolist():
                line = lines[li]
                if supp[line].sum() == 1:
                    c = best(line)
                    if c is not None:
                        supp[c] = True
                        fixed_any = True
            if not fixed_any:
                break
        hidden = np.flatnonzero(supp)
        bridges = _bridges({int(c): (int(end_a[c]), int(end_b[c])) for c in hidden})
        if not bridges:
            break
        progressed = False
        if not line_of:
            for li, line in enumerate(lines):
                for c in line.tolist():
                    line_of.setdefault(c, []).append(li)
        for c in bridges:
            options = [x for li in line_of.get(c, []) if (x := best(lines[li])) is not None]
            if not options:
                # Nothing unlocked beside it: widen to the equations around the whole
                # group of hidden cells it belongs to.
                options = [x for li in _reach(c) if (x := best(lines[li])) is not None]
            if options:
                supp[min(options, key=lambda x: pref[x])] = True
                progressed = True
        if not progressed:
            # The caller decides whether this matters: the layer may be one round of
            # several, and the final one is checked as a whole (signal_layers.police_layers).
            notes.append(STUCK_NOTE)
            log.debug(STUCK_NOTE)
            break

    # The published cells, in protect()'s layout.
    dims = tuple(cols)
    data: dict[str, np.ndarray] = {}
    for i, d in enumerate(levels):
        per_node = np.array([k[i] if len(k) > i and k[i] != _NA else None for k in node_key], dtype=object)
        data[d] = per_node[cnode]
    if period:
        data[period] = np.array([*periods, None], dtype=object)[ccol]
    names = np.array([[grouping_name(levels[:k]), grouping_name((*levels[:k], period)) if period else ""]
                      for k in range(depth_max + 1)], dtype=object)
    data["grouping"] = names[depth, (ccol != tot).astype(np.int64)]
    # One frame from typed columns (a frame of object columns and then a cast and an
    # insert per column cost several ms per national layer). Text dimensions are cast
    # directly; the others, and the grouping, are inferred from their objects and then
    # cast as before, so the dtypes are the same.
    columns: dict[str, object] = {}
    dtypes = df.dtypes
    for name, objects in data.items():
        target = dtypes[name] if name in dims else None
        if isinstance(target, pd.StringDtype):
            columns[name] = pd.array(objects, dtype=target)
            continue
        column = pd.Series(objects)
        if target is not None:
            try:
                column = column.astype(target)
            except (TypeError, ValueError):
                pass
        columns[name] = column
    columns[value] = pd.arrays.IntegerArray(np.where(supp, 0, vals).astype(np.int64), supp.copy())
    columns[flag_column(value)] = supp.copy()
    columns["reason"] = pd.array(np.where(supp, np.where(primary, "primär", "sekundär"), None), dtype=object)
    cells = pd.DataFrame(columns, columns=list(columns))
    groupings = []
    for k in range(depth_max, -1, -1):
        if period:
            groupings.append((*levels[:k], period))
        groupings.append(tuple(levels[:k]))
    fine = (depth == depth_max) & ((ccol != tot) if period else True) & (vals > 0)
    share = float(supp[fine].sum() / fine.sum()) if fine.any() else 0.0
    return Protected(cells=cells, value=value, dims=dims, groupings=tuple(groupings), threshold=t,
                     primary=int(primary.sum()), secondary=int((supp & ~primary).sum()),
                     suppressed_share=share, notes=tuple(notes))


# --- rates, shares, counting ---------------------------------------------------------------

def derive_rate(df: pd.DataFrame, count: str, denominator: str, *, per: float = 1000.0,
                out: str = "rate") -> pd.DataFrame:
    """Add ``out`` = count / denominator × per, suppressed wherever the count is.

    A missing or zero denominator gives NA without marking it suppressed (nothing is
    hidden; there is no population to divide by).
    """
    result = df.copy()
    flag = flag_column(count)
    hidden = (result[flag].astype(bool) if flag in result else result[count].isna()).to_numpy()
    result[out] = rate_values(_floats(result[count]), _floats(result[denominator]), hidden, per)
    result[flag_column(out)] = hidden
    return result


def derive_share(df: pd.DataFrame, part: str, total: str, *, out: str = "share") -> pd.DataFrame:
    """Add ``out`` = part / total (0–1), suppressed when either count is suppressed."""
    result = df.copy()
    hidden = np.zeros(len(result), dtype=bool)
    for col in (part, total):
        flag = flag_column(col)
        hidden |= (result[flag].astype(bool) if flag in result else result[col].isna()).to_numpy()
    result[out] = share_values(_floats(result[part]), _floats(result[total]), hidden)
    result[flag_column(out)] = hidden
    return result


def rate_values(count: np.ndarray, denominator: np.ndarray, hidden: np.ndarray,
                per: float) -> pd.arrays.FloatingArray:
    """:func:`derive_rate`'s values on plain arrays (NaN for a missing number): count /
    denominator × per, NA wherever the count is ``hidden`` and where there is no positive
    denominator. For callers that build their frame in one go (a frame copy and two new
    columns per call cost milliseconds on every new selection)."""
    shown = ~np.isnan(count) & ~np.isnan(denominator) & (np.nan_to_num(denominator, nan=0.0) > 0) & ~hidden
    # The same IEEE division and product as pandas' nullable floats.
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(shown, (count / np.where(shown, denominator, 1.0)) * per, 0.0)
    return pd.arrays.FloatingArray(rate, ~shown)


def share_values(part: np.ndarray, total: np.ndarray, hidden: np.ndarray) -> pd.arrays.FloatingArray:
    """:func:`derive_share`'s values on plain arrays (NaN for a missing number): part /
    total, NA where ``hidden`` (either count suppressed) and where the total is not
    positive."""
    shown = ~np.isnan(part) & (np.nan_to_num(total, nan=0.0) > 0) & ~hidden
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(shown, part / np.where(shown, total, 1.0), 0.0)
    return pd.arrays.FloatingArray(share, ~shown)


def _floats(column: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for missing or non-numeric values."""
    return pd.to_numeric(column, errors="coerce").astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)


def count_suppressed(df: pd.DataFrame, columns: Iterable[str] | None = None) -> int:
    """Number of suppressed values in ``df`` (over ``<col>_suppressed`` flags; all by default)."""
    flags = [flag_column(c) for c in columns] if columns is not None else [
        c for c in df.columns if str(c).endswith("_suppressed")]
    return int(sum(df[f].astype(bool).sum() for f in flags if f in df))


def small_count_values(df: pd.DataFrame, columns: Iterable[str], threshold_value: int | None = None) -> list:
    """Values in ``columns`` from 1 to threshold-1: what an output must never contain."""
    t = threshold_value or threshold()
    found = []
    for c in columns:
        v = pd.to_numeric(df[c], errors="coerce")
        found += v[(v >= 1) & (v < t)].tolist()
    return found


# --- coarsening ----------------------------------------------------------------------------

def coarser_level(level: str) -> str | None:
    """The next area level up (LPO → polisområde → polisregion → riket; kommun → län)."""
    return AREA_COARSER.get(level)


def coarser_grain(grain: str) -> str | None:
    """The next time grain up (month → quarter → year)."""
    return GRAIN_COARSER.get(grain)


def coarsening_notice(what: str, old: str, new: str) -> str:
    """Swedish notice shown when a page moves to a coarser level because of suppression."""
    labels = {**GRAIN_LABELS, **LEVEL_LABELS}
    return (f"De flesta värdena per {labels.get(old, old)} skulle döljas (färre än "
            f"{threshold()}); {what} visas därför per {labels.get(new, new)}.")


# --- grid cells ----------------------------------------------------------------------------

_GRID7 = re.compile(r"^(\d{4})(\d{3})$")          # SCB's short 1 km id: northing km + easting km
_GRID_INSPIRE = re.compile(r"^1km([NE])(\d+)([NE])(\d+)$")


def grid_origin(cell: str) -> tuple[int, int] | None:
    """Lower-left corner (easting, northing) in metres, SWEREF 99 TM, of a 1 km cell id.

    The warehouse's own form is :func:`pipelines.geography.parse_grid_cell`'s (13 digits,
    E then N); the short SCB and INSPIRE forms that readers accept are understood too.
    """
    text = str(cell).strip()
    try:
        return parse_grid_cell(text)
    except ValueError:
        pass
    if m := _GRID7.match(text):
        return int(m.group(2)) * 1000, int(m.group(1)) * 1000
    if m := _GRID_INSPIRE.match(text):
        parts = {m.group(1): int(m.group(2)), m.group(3): int(m.group(4))}
        return parts.get("E", 0) * 1000, parts.get("N", 0) * 1000
    return None


@dataclass(frozen=True)
class GridProtected:
    """Grid cells safe to draw: ``frame`` has grid_cell, count, e_m, n_m (lower-left,
    EPSG:3006), size_m (1000, or 10000 for a merged cell) and merged."""

    frame: pd.DataFrame
    hidden_cells: int
    merged_cells: int
    threshold: int

    def note(self) -> str:
        text = f"Rutor med färre än {self.threshold} händelser ritas inte"
        if self.merged_cells:
            text += f"; {self.merged_cells} sådana rutor slogs ihop till 10 km-rutor"
        if self.hidden_cells:
            text += f"; {self.hidden_cells} rutor visas inte alls"
        return text + "."


def protect_grid(cells: pd.DataFrame, count: str = "count", cell: str = "grid_cell", *,
                 merge: bool = True, threshold_value: int | None = None) -> GridProtected:
    """Keep 1 km cells with at least ``threshold`` incidents; merge the rest into 10 km cells.

    A merged 10 km cell holds only the small cells' sum and is drawn only when that sum
    reaches the threshold; it always spans at least two small cells, so none of them can
    be read off it. Everything else below the threshold is dropped.
    """
    t = threshold_value if threshold_value is not None else threshold()
    work = cells[[cell, count]].copy()
    work = work[work[cell].notna()].groupby(cell, as_index=False)[count].sum()
    origin = [grid_origin(c) for c in work[cell]]
    work["e_m"] = [o[0] if o else None for o in origin]
    work["n_m"] = [o[1] if o else None for o in origin]
    work = work[work["e_m"].notna() & (work[count] > 0)]
    big = work[work[count] >= t].assign(size_m=1000, merged=False)
    small = work[work[count] < t]
    merged = pd.DataFrame(columns=[cell, count, "e_m", "n_m", "size_m", "merged"])
    hidden = len(small)
    n_merged = 0
    if merge and not small.empty:
        s = small.assign(e_m=(small["e_m"] // 10000) * 10000, n_m=(small["n_m"] // 10000) * 10000)
        agg = s.groupby(["e_m", "n_m"], as_index=False).agg(**{count: (count, "sum"), "_n": (cell, "size")})
        ok = agg[agg[count] >= t]
        n_merged = int(ok["_n"].sum())
        hidden -= n_merged
        merged = ok.assign(
            **{cell: [f"10km-{int(e):06d}{int(n):07d}" for e, n in zip(ok["e_m"], ok["n_m"], strict=True)]},
            size_m=10000, merged=True).drop(columns="_n")
    frame = pd.concat([big, merged], ignore_index=True) if not merged.empty else big.reset_index(drop=True)
    frame = frame[[cell, count, "e_m", "n_m", "size_m", "merged"]].astype(
        {"e_m": "int64", "n_m": "int64", "size_m": "int64", count: "int64", "merged": bool})
    return GridProtected(frame=frame, hidden_cells=int(hidden), merged_cells=n_merged, threshold=t)
