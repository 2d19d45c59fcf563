"""The recruitment signals' country-wide protected layers: plain functions over
``run(sql, params) -> DataFrame`` (no Streamlit), so that the pipeline can publish them
(:mod:`pipelines.published`) and the pages read them (:mod:`dashboard.queries.signals`).

They are protected once per publication period, a calendar year (a month, for the year
still growing), at month grain (:func:`publication_spans`, :func:`base_layer`); every
period, grain and breakdown a page shows is summed from them (:func:`derive`), so that
two periods cannot be subtracted to undo the protection. A period protected again in a
later release keeps what the earlier one showed and hid (:func:`earlier_cells`), so that
two releases cannot be subtracted either. Within a year, so that no output can be combined with
another, the counts are protected in consistent layers, each keeping what the one before
it shows and hides:

1. **Totals layer** (:func:`totals_layer`): for one area hierarchy (police: polisregion
   → polisområde → LPO; administrative: polisregion → län → kommun) and one period,
   every area's total over the period and the riket total, protected together (a small
   tree, exact in linear time). Headline totals and map values come from here.
2. **National layer** (:func:`national`): the same hierarchy × period (month, quarter,
   year) with every total per period; its whole-period totals are the totals layer's,
   unchanged. Each area's trend totals come from here.
3. **Category and period × category layers** (:func:`breakdown_layers`): every area ×
   age band, sex, source and signal type, over the period and per period, with every
   total. One area's breakdown (:func:`dashboard.queries.signals.area_cube`) keeps what
   they show and hide.

Only the police hierarchy is protected: each layer of the administrative one is a view
of the police layer (:func:`admin_view`), showing a län's or kommun's value only where
the police layer's shown values give it away, so the two hierarchies cannot be combined
(docs/disclosure.md). Signals that cannot be placed exactly at a level (an LPO that
covers several kommuner, seen at kommun level) stay in the equations as an "ej fördelat"
cell, so the totals still add up.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import suppression
from dashboard.periods import months_within

log = logging.getLogger(__name__)

CHAINS = {
    "police": ("polisregion_code", "polisomrade_code", "lpo_code"),
    "admin": ("polisregion_code", "lan_code", "kommun_code"),
}

DIMENSIONS = {"age_band": "Åldersgrupp", "sex": "Kön", "source": "Källa", "signal_type": "Signaltyp"}
GRAINS = ("month", "quarter", "year")
_PERIOD_SQL = {
    "month": "strftime(month, '%Y-%m')",
    "quarter": "strftime(month, '%Y') || '-K' || CAST(quarter(month) AS VARCHAR)",
    "year": "strftime(month, '%Y')",
}


def period_of(year: int, month: int, grain: str) -> str:
    """The period label a month falls in, as ``_PERIOD_SQL`` names it: '2025-03',
    '2025-K1' or '2025'."""
    if grain == "month":
        return f"{year:04d}-{month:02d}"
    if grain == "quarter":
        return f"{year:04d}-K{(month - 1) // 3 + 1}"
    return f"{year:04d}"


def periods(start: date, end: date, grain: str) -> list[str]:
    """Period labels from ``start`` to ``end`` (first days of months, inclusive)."""
    months = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="MS")
    return list(dict.fromkeys(period_of(m.year, m.month, grain) for m in months))


def signal_months(start: date, end: date, first: date | None, last: date | None) -> tuple[date, date]:
    """The months of ``start``–``end`` the signals are read for: those from ``first`` to
    ``last``, the first and last month with signals, when the period runs past either
    (a fall to nothing at the end of every trend otherwise, and months of zeros before the
    first signal); the whole period when it has no month with signals (its figures are
    then missing: the pages ask :func:`dashboard.periods.months_within` first)."""
    return months_within(start, end, first, last) or (start, end)


# --- the national layer ---------------------------------------------------------------------

def totals_layer(run_sql, chain: str, start: date, end: date) -> suppression.Protected:
    """Every area's total over the period along one hierarchy (and the riket total),
    protected together: what headlines and maps show. A tree, so it is small (one cell
    per area) and exact in linear time. The administrative hierarchy is a view of the
    police one (:func:`admin_view`)."""
    counts = _atom_counts(run_sql, start, end)
    police = _police_totals(counts)
    return admin_view(run_sql, police, start, end, counts=counts) if chain == "admin" else police


def _police_totals(counts: pd.DataFrame) -> suppression.Protected:
    """:func:`totals_layer` for the police hierarchy from the counts per area combination
    over the period (:func:`_atom_counts` without a grain)."""
    cols = CHAINS["police"]
    df = _sum_over_periods(counts, list(cols))
    return _closed_to_admin(counts, lambda also: suppression.protect_hierarchy(df, "count", cols, also=also))


def national(run_sql, chain: str, start: date, end: date, grain: str, *,
             totals: suppression.Protected | None = None,
             given: tuple[list, list] | None = None) -> suppression.Protected:
    """Area × period counts for the whole country along one hierarchy, protected with
    every hierarchy total, per period and over the whole period.

    The whole-period totals are exactly :func:`totals_layer`'s (computed from the same
    sums): what it shows stays shown and what it hides stays hidden, whatever the
    grain; partners for the period cells are found among the period cells.

    ``totals``: :func:`totals_layer` for the same chain and months when the caller has
    it (cached), instead of protecting the same sums again here. protect_hierarchy does
    not depend on the order of its rows, so the layer is the same either way. The
    administrative hierarchy is a view of the police one (:func:`admin_view`; ``totals``
    is then not used).

    ``given``: (hidden, shown) cells an earlier release of these months published
    (:func:`earlier_cells`): what it hid stays hidden and what it showed stays shown, and
    the whole-period totals are then protected with the period cells (not as a tree
    first), so that a total that would give a hidden month away is hidden."""
    counts = _atom_counts(run_sql, start, end, grain)
    if given is not None:
        totals = None
    elif totals is None or chain == "admin":
        # The whole-period totals from the same counts (no second query).
        totals = _police_totals(_sum_over_periods(counts, list(ATOM_COLUMNS)))
    earlier_hidden, earlier_shown = given or ([], [])
    cols = CHAINS["police"]
    df = _sum_over_periods(counts, [*cols, "period"])
    police = _closed_to_admin(counts, lambda also: suppression.protect_hierarchy(
        df, "count", cols, "period", totals=totals, also=[*earlier_hidden, *also], locked=earlier_shown))
    return admin_view(run_sql, police, start, end, grain, counts=counts) if chain == "admin" else police


def totals_of(national_layer: suppression.Protected) -> suppression.Protected:
    """The whole-period totals of a national layer as a :func:`totals_layer` (the cells
    without a period), for the breakdowns to keep."""
    cells = national_layer.cells
    whole = ~cells["grouping"].str.split(",").map(lambda g: "period" in g).to_numpy(dtype=bool)
    dims = tuple(d for d in national_layer.dims if d != "period")
    part = cells.loc[whole].drop(columns="period").reset_index(drop=True)
    groupings = tuple(g for g in national_layer.groupings if "period" not in g)
    hidden = part[suppression.flag_column(national_layer.value)].to_numpy(dtype=bool)
    primary = int((part["reason"].to_numpy(dtype=object) == "primär").sum())
    return suppression.Protected(cells=part, value=national_layer.value, dims=dims, groupings=groupings,
                                 threshold=national_layer.threshold, primary=primary,
                                 secondary=int(hidden.sum()) - primary,
                                 suppressed_share=national_layer.suppressed_share, notes=national_layer.notes)


# Every column a signal is placed by: an area of either hierarchy is a set of their
# combinations (admin_covers).
ATOM_COLUMNS = (*CHAINS["police"], *CHAINS["admin"][1:])


def _atom_counts(run_sql, start: date, end: date, grain: str | None = None, dimension: str | None = None):
    """Counts per combination of areas (:data:`ATOM_COLUMNS`; NA where a level cannot place
    the signals) over the months, per period of ``grain`` and category of ``dimension``
    when given: what both hierarchies' layers sum up."""
    extra = ([f"{_PERIOD_SQL[grain]} AS period"] if grain else []) + ([dimension] if dimension else [])
    return run_sql(f"""
        SELECT {', '.join((*ATOM_COLUMNS, *extra))}, sum(count)::BIGINT AS count
        FROM mart_signal
        WHERE month BETWEEN $start AND $end
        GROUP BY ALL
    """, {"start": start, "end": end})


def _closed_to_admin(counts: pd.DataFrame, protect_with) -> suppression.Protected:
    """``protect_with(also)`` (a police layer protected with the cells ``also`` hidden too)
    with every police cell hidden that :func:`admin_leaks` finds giving away a small
    count of the administrative view, until none does. ``counts``: the layer's
    :func:`_atom_counts`."""
    also: list[tuple] = []
    for _ in range(MAX_ADMIN_ROUNDS):
        layer = protect_with(also)
        rest = layer.dims[len(CHAINS["police"]):]
        leaks = [c for c in admin_leaks(layer, counts, rest) if c not in also]
        if not leaks:
            return layer
        also += leaks
    log.info("%d rundor räckte inte: %d polisvärden till skulle döljas", MAX_ADMIN_ROUNDS, len(leaks))
    return layer


# The most periods the signals are shown in: a longer period moves to a coarser grain.
MAX_PERIODS = 13
# Rounds of breakdown_layers' feedback from the period × category layers to the category
# layer (two or three on the tests' data).
MAX_ROUNDS = 5
# Rounds of hiding police cells that give a small administrative count away (one or two
# on the tests' data).
MAX_ADMIN_ROUNDS = 8


def category_layers(run_sql, chain: str, start: date, end: date, *,
                    totals: suppression.Protected | None = None,
                    also: dict[str, list] | None = None,
                    locked: dict[str, list] | None = None,
                    dimensions: tuple[str, ...] = tuple(DIMENSIONS)) -> dict[str, suppression.Protected]:
    """For each breakdown dimension (age band, sex, source, signal type): area × category
    over the whole period for the whole country along one hierarchy, protected with every
    hierarchy total: what each area's "hela perioden" table by that breakdown shows
    (the administrative hierarchy: a view of the police one, :func:`admin_view`).

    An area's categories sum to its parent's (an LPO's girls and its siblings' to the
    polisområde's), so they are protected together, as the areas' totals are in
    :func:`totals_layer`; protected per area, a category hidden in one child only was the
    parent's shown value minus the siblings'. The area totals (all categories) are
    ``totals`` (:func:`totals_layer`): shown there, shown here; hidden there, hidden here.
    ``also`` and ``locked`` (dimension -> cells): what the period × category layers need
    hidden or find shown (:func:`breakdown_layers`). One query reads every breakdown of
    ``dimensions`` (grouping sets), not one per dimension."""
    if chain == "admin":
        police = category_layers(run_sql, "police", start, end, dimensions=dimensions)
        return {d: admin_view(run_sql, layer, start, end) for d, layer in police.items()}
    cols = CHAINS[chain]
    sets = ", ".join(f"({', '.join(cols)}, {d})" for d in dimensions)
    df = run_sql(f"""
        SELECT {', '.join(cols)}, {', '.join(dimensions)},
               {' + '.join(f'{2 ** i} * grouping({d})' for i, d in enumerate(dimensions))} AS _set,
               sum(count)::BIGINT AS count
        FROM mart_signal
        WHERE month BETWEEN $start AND $end
        GROUP BY GROUPING SETS ({sets})
    """, {"start": start, "end": end})
    if totals is None:
        totals = totals_layer(run_sql, chain, start, end)
    everything = 2 ** len(dimensions) - 1
    layers = {}
    for i, d in enumerate(dimensions):
        # The rows grouped by this dimension: every other one is rolled up (grouping() 1).
        part = df[df["_set"] == everything - 2 ** i][[*cols, d, "count"]].reset_index(drop=True)
        layers[d] = suppression.protect_hierarchy(part, "count", cols, d, totals=totals,
                                                  also=(also or {}).get(d, ()), locked=(locked or {}).get(d, ()))
    return layers


def breakdown_layers(run_sql, chain: str, start: date, end: date, grain: str, *,
                     national_layer: suppression.Protected | None = None,
                     totals: suppression.Protected | None = None,
                     dimensions: tuple[str, ...] = tuple(DIMENSIONS),
                     given: dict[str, tuple[list, dict]] | None = None,
                     ) -> tuple[dict[str, suppression.Protected], dict[str, suppression.Protected]]:
    """The category layers and the period × category layers of ``grain``, made
    consistent: (dimension -> category layer, dimension -> period × category layer).

    The national layer (area × period) and the category layer (area × category) are
    protected apart, and together they can leave a line of a period × category layer with
    one hidden cell that nothing unfixed can join: kommun 0192 had one age band in
    January 2024 and in no other month, so its January total (hidden, a partner of a
    small month elsewhere) was that age band's total over the period, which the category
    layer showed. One category total behind each such line is then hidden in the
    category layer (or, where the national layer's shown period totals alone give a
    hidden one away, it is shown there and partners found elsewhere), and the layers are
    protected again, until no line is left so; the period totals, which Översikt, Karta
    and Jämförelse show too, stay as they are. The
    category layer is therefore the grain's own: a category total hidden per month can be
    shown per quarter (docs/disclosure.md, known limits). The administrative hierarchy
    is a view of the police one (:func:`admin_view`; the layers given are then not used).

    ``dimensions``: the breakdowns wanted (all four by default). Each breakdown's layers
    depend on the national layer and its own categories only, so one breakdown's layers
    are the same whether computed alone or with the others (a page needs one, in a
    quarter of the time; the pipeline publishes all four).

    ``given`` (dimension -> (hidden, shown)): the period × category layers' cells an
    earlier release of these months published (:func:`earlier_cells`): what it hid stays
    hidden, what it showed stays shown."""
    if chain == "admin":
        categories, joint = breakdown_layers(run_sql, "police", start, end, grain, dimensions=dimensions)
        return ({d: admin_view(run_sql, layer, start, end) for d, layer in categories.items()},
                {d: admin_view(run_sql, layer, start, end, grain) for d, layer in joint.items()})
    if totals is None:
        totals = totals_of(national_layer) if national_layer is not None else totals_layer(run_sql, chain, start, end)
    if national_layer is None:
        national_layer = national(run_sql, chain, start, end, grain, totals=totals)
    # The earlier release's cells: category totals over the period go to the category
    # layers, the rest to the period × category layers.
    earlier = {d: tuple(tuple([c for c in cells if _is_category(c[0], d) == whole]
                              for cells in (given or {}).get(d, ([], [])))
                        for whole in (True, False)) for d in dimensions}
    also: dict[str, set] = {d: set() for d in dimensions}
    shown: dict[str, set] = {d: set() for d in dimensions}
    joint_also: dict[str, list] = {d: [] for d in dimensions}
    counts = {d: (_atom_counts(run_sql, start, end, None, d), _atom_counts(run_sql, start, end, grain, d))
              for d in dimensions}
    for _ in range(MAX_ROUNDS + MAX_ADMIN_ROUNDS):
        categories = category_layers(run_sql, chain, start, end, totals=totals,
                                     also={d: [*earlier[d][0][0], *sorted(v - shown[d], key=repr)]
                                           for d, v in also.items()},
                                     locked={d: [*earlier[d][0][1], *sorted(v, key=repr)] for d, v in shown.items()},
                                     dimensions=dimensions)
        joint = joint_layers(run_sql, chain, start, end, grain, national_layer=national_layer,
                             by_category=categories,
                             also={d: [*earlier[d][1][0], *joint_also[d]] for d in dimensions},
                             locked={d: earlier[d][1][1] for d in dimensions}, dimensions=dimensions)
        changed = False
        for d, layer in joint.items():
            for hidden, givers in layer.stuck:
                free = sorted((c for c in givers if _is_category(c[0], d) and c not in also[d] | shown[d]), key=repr)
                if free:  # a category total fixes the line: hide one in the category layer
                    also[d].add(free[0])
                    changed = True
                elif (_is_category(hidden[0], d) and hidden not in shown[d]
                      and not any(_is_category(c[0], d) for c in givers)):
                    # The period totals alone give it away (its one period holds nothing
                    # else): it is known, so the category layer shows it and finds other
                    # partners (a count 1-4 stays hidden whatever this says).
                    shown[d].add(hidden)
                    changed = True
        # Police cells that give a small count of the administrative view away.
        for d in dimensions:
            for c in admin_leaks(categories[d], counts[d][0], (d,), frozenset(shown[d])):
                if c not in also[d]:
                    also[d].add(c)
                    changed = True
            for c in admin_leaks(joint[d], counts[d][1], ("period", d)):
                if c not in joint_also[d]:
                    joint_also[d].append(c)
                    changed = True
        if not changed:
            # A category layer the engine got stuck on is published through its period ×
            # category layer: the note goes with it (police_layers judges it).
            return categories, {d: layer if suppression.STUCK_NOTE not in categories[d].notes
                                else replace(layer, notes=tuple(dict.fromkeys((*layer.notes, suppression.STUCK_NOTE))))
                                for d, layer in joint.items()}
    log.info("uppdelningarnas lager: %d rundor räckte inte", MAX_ROUNDS + MAX_ADMIN_ROUNDS)
    return categories, joint


# A published layer with at most this many hidden cells is also checked exactly as a whole
# (suppression.worked_out, dense: a month's layer holds a few hundred to a thousand and
# takes a fraction of a second; a year's holds several thousand and would take minutes).
MAX_CHECKED_HIDDEN = 2500
# Rounds of hiding more of the national layer where the whole check finds a value given away.
MAX_NATIONAL_ROUNDS = 4


def police_layers(run_sql, start: date, end: date, grain: str = "month", *,
                  given: dict[str | None, tuple[list, dict]] | None = None,
                  given_admin: dict[str | None, tuple[list, dict]] | None = None,
                  ) -> dict[str | None, suppression.Protected]:
    """One publication period's police layers as the pipeline publishes them: the national
    layer (None) and each breakdown's period × category layer, with what an earlier
    release published of them kept (``given``: :func:`earlier_cells`).

    The breakdowns keep the national layer's values as they are, and the engine is exact
    per family and per area's table, not over the whole country. A month holds few
    signals per area, and then a value can follow from several families at once:
    October's 12–14-year-olds in Polisområde Dalarna (2) were the signals of Ludvika and
    Södra Dalarna, which had no other age band that month, so the polisområde's total
    minus Borlänge's and Falun's gave them, though every one of those LPO values in the
    breakdown was hidden. So each layer small enough is checked as a whole
    (:data:`MAX_CHECKED_HIDDEN`), and where a value is given away a national value of its
    family that breaks the chain is hidden too (:func:`_national_partners`) and the
    layers are protected again.

    Signals added to months an earlier release published (a late delivery) change values
    it showed, and the difference between the two releases is the count added: where
    that is 1 to threshold − 1 the value is hidden now, and the periods that changed are
    protected again with what was shown free to be a partner (:func:`_revised`). A län's
    or kommun's value is shown where police values give it (:func:`admin_view`), and it
    can change by a small count where each of those changed by more (Region Stockholm +12
    and Polisområde Gotland +9: Stockholms län +3). So the administrative cells the
    earlier release showed (``given_admin``) are compared too, and a police value that
    gives such a change away is hidden (:func:`_admin_changes`), until none is left."""
    given = given or {}
    layers = _police_rounds(run_sql, start, end, grain, given)
    revised = _revised(layers, given, start, end)
    hide: dict[str | None, set] = {}
    for _ in range(MAX_ADMIN_ROUNDS):
        if revised is None:
            return layers
        for d, (hidden, _) in revised.items():  # hidden from now on, whatever the next round finds
            hide.setdefault(d, set()).update(set(hidden) - set(given.get(d, ([], {}))[0]))
        layers = _police_rounds(run_sql, start, end, grain, revised)
        # The new round's shown values checked again: a value hidden in the round before
        # (a partner) and shown now, and the län and kommuner.
        new: dict[str | None, set] = {}
        for found in (_small_changes(layers, given),
                      _admin_changes(run_sql, layers, given_admin or {}, start, end, grain)):
            for d, cells in found.items():
                new.setdefault(d, set()).update(cells - hide.get(d, set()))
        if not any(new.values()):
            return layers
        log.info("%s–%s: %d värden till döljs för att de eller ett läns eller en kommuns värde annars visar en "
                 "liten ändring", start, end, sum(map(len, new.values())))
        for d, cells in new.items():
            hide.setdefault(d, set()).update(cells)
        revised = _revised(layers, given, start, end, hide)
    log.warning("%s–%s: %d rundor räckte inte för att dölja alla små ändringar sedan förra uttaget",
                start, end, MAX_ADMIN_ROUNDS)
    return layers


def _admin_changes(run_sql, layers: dict[str | None, suppression.Protected],
                   given_admin: dict[str | None, tuple[list, dict]], start: date, end: date,
                   grain: str) -> dict[str | None, set]:
    """Police cells to hide so that no län or kommun value an earlier release showed
    follows from ``layers`` changed by 1 to threshold − 1 (:func:`admin_leaks` with
    ``earlier``), by the layer they belong to: a cell with a breakdown's category to that
    breakdown's layer, an area's total (per period or over it) to the national one (None),
    whose values the breakdowns keep."""
    out: dict[str | None, set] = {}
    police_cols = CHAINS["police"]
    for d, layer in layers.items():
        earlier = given_admin.get(d, ([], {}))[1]
        if not earlier:
            continue
        counts = _atom_counts(run_sql, start, end, grain, d)
        rests = dict.fromkeys(tuple(x for x in g if x not in police_cols) for g in layer.groupings)
        for rest in rests:
            for cell in admin_leaks(layer, counts, rest, earlier=earlier):
                out.setdefault(d if d is not None and d in cell[0] else None, set()).add(cell)
    return out


def _police_rounds(run_sql, start: date, end: date, grain: str,
                   given: dict[str | None, tuple[list, dict]]) -> dict[str | None, suppression.Protected]:
    """:func:`police_layers` for the given earlier cells as they stand."""
    earlier_hidden, shown = given.get(None, ([], {}))
    earlier_shown = _held(shown)
    by_dimension = {d: (hidden, _held(shown)) for d, (hidden, shown) in given.items() if d is not None} or None
    extra: list = []
    for _ in range(MAX_NATIONAL_ROUNDS + 1):
        constrained = (earlier_hidden + extra, earlier_shown) if None in given or extra else None
        national_layer = national(run_sql, "police", start, end, grain, given=constrained)
        joint = breakdown_layers(run_sql, "police", start, end, grain, national_layer=national_layer,
                                 given=by_dimension)[1]
        more = []
        checked = set()
        for d, layer in joint.items():
            if layer.suppressed <= MAX_CHECKED_HIDDEN:
                checked.add(d)
                if len(found := suppression.worked_out(layer, CHAINS["police"])):
                    more += [c for c in _national_partners(layer, found, set(earlier_shown))
                             if c not in extra and c not in more]
        if not more:
            return _sound_notes(start, end, {None: national_layer, **joint}, checked)
        extra += more
    log.warning("%s–%s: ett dolt värde kan räknas fram ur uppdelningarna och inget värde i det nationella lagret "
                "kunde döljas för att hindra det", start, end)
    return {None: national_layer, **joint}


def _cell_values(layer: suppression.Protected) -> dict[tuple, float | None]:
    """A layer's cells as (grouping, key) -> value (None where hidden), the form
    :func:`earlier_cells` gives them in."""
    cells = layer.cells
    groupings = [tuple(x for x in name.split(",") if x) for name in cells["grouping"].tolist()]
    columns = {d: cells[d].astype(object).tolist() for d in layer.dims}
    values = cells[layer.value].astype(object).tolist()
    return {(g, tuple(None if pd.isna(columns[d][i]) else columns[d][i] for d in g)):
            (None if pd.isna(values[i]) else values[i]) for i, g in enumerate(groupings)}


def _period_of(cell: tuple) -> object:
    grouping, key = cell
    return key[grouping.index("period")] if "period" in grouping else None


def _revised(layers: dict[str | None, suppression.Protected], given: dict[str | None, tuple[list, dict]],
             start: date, end: date, more: dict[str | None, set] | None = None,
             ) -> dict[str | None, tuple[list, dict]] | None:
    """The earlier cells to protect again with where values an earlier release showed have
    changed since (signals added to or removed from months it published); None where none
    has. A value that differs by 1 to threshold − 1 from any value an earlier release
    showed of it is hidden (two releases would give the change away: +7 and then −5 is
    +2 between the first and the third), and the cells of the periods that changed, and
    the totals, are no longer held shown: the values hidden now need partners, and none
    is left otherwise. A value that changed by threshold or more stays as shown: releases
    differ there by a count that may be published. Hidden values stay hidden. ``more``:
    cells to hide as well (layer -> cells), their periods protected again too."""
    hide: dict[str | None, set] = {d: set(cells) for d, cells in (more or {}).items()}
    periods: set = {_period_of(c) for cells in hide.values() for c in cells}
    for d, cell, _, changed, small in _changes(layers, given):
        if small or changed:
            periods.add(_period_of(cell))
        if small:
            hide.setdefault(d, set()).add(cell)
    if not periods:
        return None
    log.info("%s–%s: signaler har tillkommit eller tagits bort i månader som redan publicerats; "
             "%d värden som ändrats med färre än %d döljs", start, end, sum(map(len, hide.values())),
             suppression.threshold())
    return {d: ([*hidden, *sorted(set(hide.get(d, ())) - set(hidden), key=repr)],
                {c: v for c, v in shown.items() if c not in hide.get(d, ()) and _period_of(c) is not None
                 and _period_of(c) not in periods})
            for d, (hidden, shown) in ((d, given.get(d, ([], {}))) for d in dict.fromkeys((*given, *hide)))}


def _changes(layers: dict[str | None, suppression.Protected], given: dict[str | None, tuple[list, dict]]):
    """(layer, cell, value now, changed, small) for each cell of ``layers`` an earlier release showed
    (:func:`earlier_cells`): changed since the last release, and whether it must be hidden
    (hidden now after the last release showed it, or shown and 1 to threshold − 1 from a
    value any earlier release showed of it)."""
    t = suppression.threshold()
    for d, (_, shown) in given.items():
        now = _cell_values(layers[d]) if d in layers else {}
        for cell, before in shown.items():
            if cell not in now:
                continue
            after = now[cell]
            # A value hidden now is a count from 1 to threshold − 1: hidden all the same.
            # (before[0] None: an earlier span's total, only compared.)
            small = (after is None and before[0] is not None) or (
                after is not None and any(v is not None and 0 < abs(after - v) < t for v in before))
            yield d, cell, after, before[0] is not None and after != before[0], small


def _small_changes(layers: dict[str | None, suppression.Protected],
                   given: dict[str | None, tuple[list, dict]]) -> dict[str | None, set]:
    """The cells ``layers`` show that differ by 1 to threshold − 1 from a value an earlier
    release showed of them (:func:`_changes`)."""
    out: dict[str | None, set] = {}
    for d, cell, after, _, small in _changes(layers, given):
        if small and after is not None:
            out.setdefault(d, set()).add(cell)
    return out


def _sound_notes(start: date, end: date, layers: dict[str | None, suppression.Protected],
                 checked: set[str]) -> dict[str | None, suppression.Protected]:
    """The layers with the engine's note that it got stuck (:data:`suppression.STUCK_NOTE`)
    dropped where the whole check found nothing to work out: every breakdown layer holds
    the national one's cells, so one checked breakdown vouches for the national layer too.
    Where a stuck layer was too large to check, the note stays and is logged once."""
    out = {}
    for d, layer in layers.items():
        if suppression.STUCK_NOTE not in layer.notes:
            out[d] = layer
        elif d in checked or (d is None and checked):
            out[d] = replace(layer, notes=tuple(n for n in layer.notes if n != suppression.STUCK_NOTE))
        else:
            log.warning("%s–%s, %s: %s Lagret är för stort för den exakta kontrollen (%d dolda värden).",
                        start, end, d or "utan uppdelning", suppression.STUCK_NOTE, layer.suppressed)
            out[d] = layer
    return out


def _national_partners(layer: suppression.Protected, found: np.ndarray, locked: set) -> list:
    """For each hidden cell of a period × category layer that its shown cells give away
    (rows ``found``), the area's national values (cells without the category: its
    periods and total) that, hidden too, stop it: from the area's family (its parent's
    subtree), the smallest non-zero first, never one an earlier release showed
    (``locked``). As (grouping, key) cells for :func:`national`."""
    cells = layer.cells
    levels = CHAINS["police"]
    flag = suppression.flag_column(layer.value)
    hidden = cells[flag].to_numpy(dtype=bool)
    values = cells[layer.value].to_numpy(dtype=np.float64, na_value=0)
    groupings = [tuple(x for x in name.split(",") if x) for name in cells["grouping"].tolist()]
    columns = {d: cells[d].astype(object).tolist() for d in layer.dims}
    category = layer.dims[-1]

    def key(i: int) -> tuple:
        return tuple(None if pd.isna(columns[d][i]) else columns[d][i] for d in groupings[i])

    def area(i: int) -> tuple:
        return tuple(None if pd.isna(columns[d][i]) else columns[d][i] for d in levels if d in groupings[i])

    national_rows: dict[tuple, list[int]] = {}
    for i, g in enumerate(groupings):
        if category not in g:
            national_rows.setdefault(area(i), []).append(i)
    out = []
    for h in found.tolist():
        prefix = area(h)[:-1]
        options = [(a, rows) for a, rows in national_rows.items()
                   if a[:len(prefix)] == prefix and not hidden[rows].any()
                   and not any((groupings[i], key(i)) in locked for i in rows)]
        options.sort(key=lambda o: (values[o[1][0]] == 0, values[o[1][0]], -len(o[0]), o[0]))
        for _, rows in options[:20]:
            trial = hidden.copy()
            trial[rows] = True
            tried = replace(layer, cells=cells.assign(**{flag: trial}))
            if h not in set(suppression.worked_out(tried, levels).tolist()):
                out += [(groupings[i], key(i)) for i in rows]
                break
    return out


def _is_category(grouping: tuple[str, ...], dimension: str) -> bool:
    """Whether a cell of a period × category layer is a category total over the period."""
    return bool(grouping) and grouping[-1] == dimension and "period" not in grouping


def joint_layers(run_sql, chain: str, start: date, end: date, grain: str, *,
                 national_layer: suppression.Protected | None = None,
                 by_category: dict[str, suppression.Protected] | None = None,
                 also: dict[str, list] | None = None,
                 locked: dict[str, list] | None = None,
                 dimensions: tuple[str, ...] = tuple(DIMENSIONS)) -> dict[str, suppression.Protected]:
    """For each breakdown dimension: area × period × category for the whole country along
    one hierarchy, with every total: what each area's trend by that breakdown shows.

    An area's period × category cells sum to its parent's (Jämtland's attempts in 2025 and
    its sibling län's to Region Nord's), so, protected per area, a cell hidden in one
    child only was the parent's shown value minus the siblings'. Protected together here
    with every equation a user can read (the hierarchy per period and category, each
    area's periods and categories to their totals) by the line rule, and each area's
    period × category table by the exact graph check (``two_way``). The margins are the
    layers before it: the area totals per period (``national_layer``) and per category
    (``by_category``); shown there, shown here; hidden there, hidden here. Partners are
    found among the period × category cells, which only this layer publishes. Both are
    computed here when the caller does not have them cached. ``also`` (dimension ->
    cells): more cells to hide (:func:`breakdown_layers`' check for small administrative
    counts, an earlier release's hidden cells); ``locked``: more cells to keep shown (an
    earlier release's). The administrative hierarchy is a view of the police one (:func:`admin_view`;
    the layers given are then not used)."""
    if chain == "admin":
        # The police layers with the check for small administrative counts.
        return {d: admin_view(run_sql, layer, start, end, grain)
                for d, layer in breakdown_layers(run_sql, "police", start, end, grain,
                                                 dimensions=dimensions)[1].items()}
    cols = CHAINS[chain]
    if national_layer is None or by_category is None:
        totals = totals_layer(run_sql, chain, start, end)
        national_layer = national_layer or national(run_sql, chain, start, end, grain, totals=totals)
        by_category = by_category or category_layers(run_sql, chain, start, end, totals=totals, dimensions=dimensions)
    sets = ", ".join(f"({', '.join(cols)}, period, {d})" for d in dimensions)
    df = run_sql(f"""
        SELECT {', '.join(cols)}, period, {', '.join(dimensions)},
               {' + '.join(f'{2 ** i} * grouping({d})' for i, d in enumerate(dimensions))} AS _set,
               sum(count)::BIGINT AS count
        FROM (SELECT *, {_PERIOD_SQL[grain]} AS period FROM mart_signal WHERE month BETWEEN $start AND $end)
        GROUP BY GROUPING SETS ({sets})
    """, {"start": start, "end": end})
    hidden, shown = _given_cells(national_layer)
    everything = 2 ** len(dimensions) - 1
    layers = {}
    for i, d in enumerate(dimensions):
        part = df[df["_set"] == everything - 2 ** i][[*cols, "period", d, "count"]].reset_index(drop=True)
        category_hidden, category_shown = _given_cells(by_category[d])
        dims = (*cols, "period", d)
        layers[d] = suppression.protect(
            part, "count", dims,
            margins=[m for k in range(len(cols) + 1) for m in
                     ((*cols[:k], "period", d), (*cols[:k], "period"), (*cols[:k], d), cols[:k])],
            interior=False, also=hidden + category_hidden + list((also or {}).get(d, ())),
            locked=shown + category_shown + list((locked or {}).get(d, ())),
            two_way=("period", d), hierarchy=cols)
    return layers


def _given_cells(layer: suppression.Protected) -> tuple[list, list]:
    """``layer``'s cells as ``protect``'s (grouping, key) pairs: (hidden, shown)."""
    hidden, shown = [], []
    cells = layer.cells
    groupings = cells["grouping"].tolist()
    columns = {c: cells[c].astype(object).tolist() for c in layer.dims}
    flags = cells[suppression.flag_column(layer.value)].tolist()
    for i, name in enumerate(groupings):
        g = tuple(x for x in name.split(",") if x)
        (hidden if flags[i] else shown).append((g, tuple(columns[c][i] for c in g)))
    return hidden, shown


def _sum_over_periods(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """``df.groupby(cols, dropna=False, as_index=False, sort=False)["count"].sum()`` in
    numpy (the groupby cost ~5 ms per national layer): one row per combination of
    ``cols`` (NA is a value of its own) in order of first appearance, with the columns'
    own dtypes and the summed count as int64."""
    codes = []
    sizes = []
    for c in cols:
        code, uniques = pd.factorize(df[c], use_na_sentinel=False)
        codes.append(code)
        sizes.append(max(len(uniques), 1))
    if not len(df):
        return df.groupby(cols, dropna=False, as_index=False, sort=False)["count"].sum()
    flat = np.ravel_multi_index(codes, sizes)
    _, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
    # np.unique sorts by the combined code; the groupby's order is first appearance.
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    counts = df["count"].to_numpy(dtype=np.int64)
    sums = np.zeros(len(first), dtype=np.int64)
    np.add.at(sums, rank[inverse.ravel()], counts)
    out = {c: df[c].array.take(first[order]) for c in cols}
    out["count"] = sums
    return pd.DataFrame(out)


# --- the administrative hierarchy: a view of the police one -----------------------------------

def _atoms(counts: pd.DataFrame) -> tuple[tuple, ...]:
    """The combinations of areas (:data:`ATOM_COLUMNS`; None where a level cannot place
    the signals) that ``counts`` (:func:`_atom_counts`) holds: each area of either
    hierarchy is a set of them. Taken from the months read, so that every layer of one
    period has the same (an area without signals in them is a 0 in both hierarchies)."""
    columns = [[None if m else v for v, m in zip(counts[c].astype(object).tolist(), counts[c].isna().tolist(),
                                                    strict=True)] for c in ATOM_COLUMNS]
    return tuple(sorted(set(zip(*columns, strict=True)), key=repr))


@functools.lru_cache(maxsize=64)
def admin_covers(atoms: tuple[tuple, ...]) -> dict[tuple, tuple[tuple[tuple, ...], ...]]:
    """For each administrative area (key of (polisregion, län, kommun)[:k], None for "ej
    fördelat"), the sets of police areas (keys of (polisregion, polisområde, LPO)[:j])
    whose values, all known, give its value (:func:`suppression.protect_by_cover`):

    - the largest police areas that lie wholly inside it, when they fill it (kommun
      Stockholm: its LPOs; a län: its polisområden; kommun Härnösand: LPO Härnösand);
    - the smallest police area around it and the largest ones inside that but outside it
      (Stockholms län: Region Stockholm and Polisområde Gotland).

    Riket and the regions are the same areas in both hierarchies. A kommun that an LPO
    covers only in part (its signals recorded per LPO are "ej fördelade") has neither."""
    police = [a[:3] for a in atoms]
    admin = [(a[0], a[3], a[4]) for a in atoms]
    members: dict[tuple, set[int]] = {}
    children: dict[tuple, set[tuple]] = {}
    for i, p in enumerate(police):
        for j in range(4):
            members.setdefault(p[:j], set()).add(i)
        for j in range(3):
            children.setdefault(p[:j], set()).add(p[:j + 1])

    def inside(node: tuple, wanted: set[int]) -> list[tuple] | None:
        # The largest police areas under ``node`` that lie in ``wanted`` and together fill
        # its part of it; None when an LPO lies partly in it.
        have = members[node]
        if have <= wanted:
            return [node]
        if not have & wanted:
            return []
        if len(node) == 3:
            return None
        out: list[tuple] = []
        for child in sorted(children[node], key=repr):
            part = inside(child, wanted)
            if part is None:
                return None
            out += part
        return out

    covers: dict[tuple, tuple[tuple[tuple, ...], ...]] = {}
    for node in sorted({a[:j] for a in admin for j in range(4)}, key=repr):
        if len(node) <= 1:
            covers[node] = ((node,),)
            continue
        wanted = {i for i, a in enumerate(admin) if a[:len(node)] == node}
        options = []
        top = node[:1]
        if (pieces := inside(top, wanted)) is not None:
            options.append(tuple(pieces))
        around = top
        while len(around) < 3:
            within = [c for c in sorted(children[around], key=repr) if wanted <= members[c]]
            if not within:
                break
            around = within[0]
        if (outside := inside(around, members[around] - wanted)) is not None:
            options.append((around, *outside))
        covers[node] = tuple(dict.fromkeys(options))
    return covers


def admin_view(run_sql, police: suppression.Protected, start: date, end: date, grain: str | None = None, *,
               counts: pd.DataFrame | None = None) -> suppression.Protected:
    """A police layer (any of totals, national, category or period × category) seen along
    the administrative hierarchy (polisregion → län → kommun): the same groupings, each
    value shown only where the police layer's shown values give it away
    (:func:`admin_covers`, :func:`suppression.protect_by_cover`).

    The two hierarchies hold the same signals: protected apart, a kommun showed 8 where
    LPO Härnösand on the same ground was hidden, and kommun Stockholm minus four of its
    LPOs gave the fifth. As a view of the police layer the administrative one adds
    nothing that could be combined with it. ``grain``: the period column's grain when
    the layer has one; ``counts``: the layer's :func:`_atom_counts` when the caller has
    them."""
    police_cols, admin_cols = CHAINS["police"], CHAINS["admin"]
    rest = police.dims[len(police_cols):]
    if counts is None:
        category = [d for d in rest if d != "period"]
        counts = _atom_counts(run_sql, start, end, grain if "period" in rest else None,
                              category[0] if category else None)
    as_admin = dict(zip(police_cols, admin_cols, strict=True))
    groupings = [tuple(as_admin.get(d, d) for d in g) for g in police.groupings]
    return suppression.protect_by_cover(
        _sum_over_periods(counts, [*admin_cols, *rest]), "count", (*admin_cols, *rest), groupings, police,
        admin_cols, police_cols, admin_covers(_atoms(counts)))


def admin_leaks(police: suppression.Protected, counts: pd.DataFrame, rest: tuple[str, ...],
                exclude: frozenset = frozenset(), earlier: dict | None = None) -> list[tuple]:
    """Police cells to hide so that no count from 1 to threshold − 1 of a län or kommun
    (which :func:`admin_view` hides) follows from ``police``'s shown values, as (grouping,
    key) pairs for ``also``: [] when none does. ``counts``: the layer's
    :func:`_atom_counts`.

    A kommun made of LPOs a and b, both hidden, is still a + b = polisområdet − the other
    LPOs, so a kommun of 3 could be read off the police pages although the kommun page
    hides it. For each such count (in the groupings whose rest dimensions are ``rest``,
    the ones this layer owns) the values that give it away are found by least squares
    over the signals' area combinations of its polisregion, with the same period and
    category, and the smallest of them (not in ``exclude``) is hidden.

    ``earlier``: the administrative cells an earlier release showed, with the values it
    showed (:func:`earlier_cells`): then the counts looked for are not the small ones but
    the changes. A län or kommun value shown in both releases and changed by 1 to
    threshold − 1 tells how many signals a late delivery brought that area, so the
    values that give the new one away are found and one of them hidden the same way."""
    police_cols, admin_cols = CHAINS["police"], CHAINS["admin"]
    atoms = _atoms(counts)
    regions: dict = {}
    for a in atoms:
        regions.setdefault(a[0], []).append(a)
    shape: dict = {}  # polisregion -> its police areas, their positions, which hold which

    def shape_of(region):
        if region not in shape:
            members = regions[region]
            nodes = sorted({a[:j] for a in members for j in range(1, len(police_cols) + 1)}, key=repr)
            inside = np.array([[a[:len(n)] == n for a in members] for n in nodes], dtype=float)
            shape[region] = (nodes, {n: i for i, n in enumerate(nodes)}, inside)
        return shape[region]

    found: dict[tuple, None] = {}
    police_cells: dict | None = None
    for depth in (2, 3):
        # The län's and kommuner's small counts (which the administrative view hides).
        small = _sum_over_periods(counts, [*admin_cols[:depth], *rest])
        if earlier is None:
            small = small[((small["count"] >= 1) & (small["count"] < police.threshold)).to_numpy()]
        wanted: dict[tuple, list[tuple]] = {}
        columns = [[None if m else v for v, m in zip(small[c].astype(object).tolist(), small[c].isna().tolist(),
                                                     strict=True)] for c in (*admin_cols[:depth], *rest)]
        grouping = (*admin_cols[:depth], *rest)
        for key, count in zip(zip(*columns, strict=True), small["count"].tolist(), strict=True):
            if earlier is not None and not any(v is not None and 0 < abs(count - v) < police.threshold
                                               for v in earlier.get((grouping, key), ())):
                continue
            node = key[:depth]
            if node[0] in regions and None not in node:  # "ej fördelat" is no page's area
                wanted.setdefault((node[0], key[depth:]), []).append(node)
        if not wanted:
            continue
        if police_cells is None:
            # The police cells of each rest key per polisregion: node -> (value, hidden).
            police_cells = {}
            for j in range(1, len(police_cols) + 1):
                for key, value, h, _ in zip(*police.entries((*police_cols[:j], *rest)), strict=True):
                    police_cells.setdefault((key[0], key[j:]), {})[key[:j]] = (value, h)
        for (region, r_key), targets in wanted.items():
            nodes, at, inside = shape_of(region)
            cells = police_cells.get((region, r_key), {})
            shown = np.ones(len(nodes), dtype=bool)
            for n, (_, h) in cells.items():
                if h and n in at:
                    shown[at[n]] = False
            if not shown.any():
                continue
            m = inside[shown]
            x = np.array([[(a[0], a[3], a[4])[:depth] == n for a in regions[region]] for n in targets], dtype=float)
            coef, *_ = np.linalg.lstsq(m.T, x.T, rcond=None)
            given = np.flatnonzero(shown)
            for i in np.flatnonzero(np.abs(m.T @ coef - x.T).max(axis=0) < 1e-8).tolist():
                options = [nodes[k] for k, c in zip(given.tolist(), coef[:, i].tolist(), strict=True)
                           if abs(c) > 1e-9 and (cells.get(nodes[k], (0, False))[0] or 0) > 0
                           and ((*police_cols[:len(nodes[k])], *rest), (*nodes[k], *r_key)) not in exclude]
                if options:
                    best = min(options, key=lambda n: (cells[n][0], -len(n), repr(n)))
                    found[((*police_cols[:len(best)], *rest), (*best, *r_key))] = None
                else:  # nothing left to hide here (another layer's value gives it away)
                    log.info("ett litet värde för en kommun eller ett län kan räknas fram och inget polisvärde "
                             "kan döljas för att hindra det")
    return list(found)


# --- fixed publication periods: every period a sum of the calendar years' months -------------

def year_spans(start: date, end: date, first: date | None, last: date | None) -> list[tuple[date, date]]:
    """The calendar years the months ``start``–``end`` touch, as far as the signals go
    (``first``–``last``: a year the signals begin or end in holds fewer months): what the
    pages offer as whole years (:func:`dashboard.queries.signals.whole_years`)."""
    if first is None or last is None:
        return []
    spans = []
    for year in range(max(start.year, first.year), min(end.year, last.year) + 1):
        lo, hi = max(date(year, 1, 1), first), min(date(year, 12, 1), last)
        if lo <= hi and lo <= end and hi >= start:
            spans.append((lo, hi))
    return spans


def running_year(first: date | None, last: date | None) -> int | None:
    """The year the signals end in when they end before its December: the year still
    growing, published month by month (:func:`publication_spans`). None when the last
    month with signals is a December (or there are none)."""
    if first is None or last is None or last.month == 12:
        return None
    return last.year


def publication_spans(start: date, end: date, first: date | None, last: date | None) -> list[tuple[date, date]]:
    """The publication periods the months ``start``–``end`` touch. Each is protected once,
    over its months and its total, and every period a page shows is read from them
    (:func:`derive`):

    - a calendar year (:func:`year_spans`) once its signals run to December;
    - each month of the year still growing (:func:`running_year`) on its own. Protected
      as one span, that year's total so far would grow by each new month and its partners
      move, so this year so far before and after a load would give the new month.
      A month once published keeps its values, so a new month changes nothing already
      shown; when the year is whole, its layer keeps what the months showed and hid
      (:mod:`pipelines.published`).
    """
    growing = running_year(first, last)
    spans = []
    for lo, hi in year_spans(start, end, first, last):
        if lo.year != growing:
            spans.append((lo, hi))
            continue
        for offset in range(hi.month - lo.month + 1):
            month = date(lo.year, lo.month + offset, 1)
            if (start.year, start.month) <= (month.year, month.month) <= (end.year, end.month):
                spans.append((month, month))
    return spans


def base_layer(run_sql, chain: str, lo: date, hi: date, dimension: str | None, *,
               police=None, span=None, read_cells=None) -> suppression.Protected:
    """One publication period's layer (``lo``–``hi``: :func:`publication_spans`) at month
    grain: without ``dimension`` the national layer (area × month with the period's
    totals), else that breakdown's period × category layer, as the pipeline published it
    (read in milliseconds) or protected here (seconds: a database built by another
    version) as the pipeline would on a first publication (:func:`police_layers`, every
    breakdown at once, since the national layer can depend on each). ``police``: for the
    administrative chain, a function giving the police layer it is a view of (a cache),
    called only when the view is computed; ``span``: a function giving
    :func:`police_layers` for the period (a cache); ``read_cells``: see
    :func:`published_spans`."""
    police = police or (lambda: base_layer(run_sql, "police", lo, hi, dimension))
    published = published_layers(run_sql, chain, lo, hi, "month", (dimension,), read_cells=read_cells)
    if published is not None:
        return published[dimension]
    if chain == "admin":
        return admin_view(run_sql, police(), lo, hi, "month")
    return (span or (lambda: police_layers(run_sql, lo, hi, "month")))()[dimension]


def period_layer(run_sql, chain: str, start: date, end: date, grain: str | None, dimension: str | None,
                 first: date | None, last: date | None, base=None) -> suppression.Protected:
    """The country-wide layer a page shows for the months ``start``–``end`` per period of
    ``grain`` (None: the whole period only): without ``dimension`` the area totals, else
    by that breakdown. Summed from the publication periods' layers (:func:`derive`) of
    the signals' months ``first``–``last``. ``base(chain, lo, hi, dimension)``: where a
    publication period's layer comes from (a cache; :func:`base_layer` by default)."""
    base = base or (lambda c, lo, hi, d: base_layer(run_sql, c, lo, hi, d))
    dims, groupings = layer_shape(chain, dimension)
    return derive([(lo, hi, base(chain, lo, hi, dimension)) for lo, hi in publication_spans(start, end, first, last)],
                  start, end, grain, dims=dims, groupings=groupings)


def layer_shape(chain: str, dimension: str | None) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """(dims, groupings) of a layer of ``chain``: without ``dimension`` the national
    layer's (:func:`national`), else that breakdown's period × category layer's
    (:func:`joint_layers`)."""
    cols = CHAINS[chain]
    if dimension is None:
        return (*cols, "period"), tuple(g for k in range(len(cols), -1, -1) for g in ((*cols[:k], "period"), cols[:k]))
    return (*cols, "period", dimension), tuple(
        g for k in range(len(cols) + 1)
        for g in ((*cols[:k], "period", dimension), (*cols[:k], "period"), (*cols[:k], dimension), cols[:k]))


def derive(bases: list[tuple[date, date, suppression.Protected]], start: date, end: date,
           grain: str | None, *, dims: tuple[str, ...] = (), groupings: tuple = ()) -> suppression.Protected:
    """The layer for the months ``start``–``end`` per period of ``grain`` (None: the whole
    period only), read from the publication periods' layers ``bases`` ((first month,
    last month, layer protected at month grain), one per publication period (a calendar year,
    or a month of the year still growing):
    :func:`publication_spans`), never protected on its own.

    Protecting each chosen period apart let two periods be subtracted: 2025 (10 signals)
    minus February–December (9) gave January's 1, whatever either view hid. Here every
    value shown is a sum of values the year layers show, so two periods, two grains or
    two pages combined tell nothing those layers do not. Per publication period, the months
    of a period are taken as

    - the year's own total, when the period holds all of its months;
    - else the sum of those months, when each is shown;
    - else the year's total minus its other months, when those and the total are shown
      (hidden when that gives a count from 1 to threshold − 1);
    - else hidden;

    and a period is the sum of its years' parts, hidden when any part is. So a quarter
    or a rolling twelve months is often hidden where one of its months is: the cost of
    the protection holding whatever periods a user compares (docs/disclosure.md).

    The result has the layers' dims and groupings, with periods named as ``grain``
    names them ('2025-K1') and the whole-period cells over ``start``–``end``. ``dims``
    and ``groupings``: the layer's shape when ``bases`` is empty (no signals)."""
    t = suppression.threshold()
    if not bases:
        return _empty_layer(dims, groupings, t)
    dims, groupings = bases[0][2].dims, bases[0][2].groupings
    t = bases[0][2].threshold
    keys = [d for d in dims if d != "period"]
    cells = [layer.cells for _, _, layer in bases]
    sizes = [len(c) for c in cells]
    row_base = np.repeat(np.arange(len(bases)), sizes)
    # Groupings (a handful) by code: the grouping without the period names a cell's key.
    # (Factorised as Series: the published layers' Arrow texts are hashed without a Python
    # object per cell.)
    gcode, gnames = pd.factorize(pd.concat([c["grouping"] for c in cells], ignore_index=True))
    whole_names = [",".join(x for x in str(g).split(",") if x != "period") for g in gnames]
    wcode_of, wnames = pd.factorize(np.array(whole_names, dtype=object))
    in_period = np.array(["period" in str(g).split(",") for g in gnames], dtype=bool)[gcode]
    wcode = wcode_of[gcode]
    period_name = {whole_names[i]: str(g) for i, g in enumerate(gnames) if "period" in str(g).split(",")}
    # One code per key (the grouping without the period and the other columns, NA a value
    # of its own), the same in every base.
    columns = {k: pd.concat([c[k] for c in cells], ignore_index=True) for k in keys}
    codes, shape = [wcode], [max(len(wnames), 1)]
    for k in keys:
        code, uniques = pd.factorize(columns[k], use_na_sentinel=False)
        codes.append(code)
        shape.append(max(len(uniques), 1))
    _, first_row, key = np.unique(np.ravel_multi_index(codes, shape), return_index=True, return_inverse=True)
    key = key.ravel()
    n_keys = len(first_row)
    counts = np.concatenate([c["count"].to_numpy(dtype=np.float64, na_value=0) for c in cells]).astype(np.int64)
    hidden = np.concatenate([c[suppression.flag_column("count")].to_numpy(dtype=bool) for c in cells])
    primary = np.concatenate([c["reason"].to_numpy(dtype=object) == "primär" for c in cells])
    mcode, mnames = pd.factorize(pd.concat([c["period"] for c in cells], ignore_index=True))
    month_of = np.array([-1 if pd.isna(m) else int(m[:4]) * 12 + int(m[5:7]) - 1 for m in mnames], dtype=np.int64)
    month_at = np.where(mcode >= 0, month_of[np.maximum(mcode, 0)], -1)

    def label(month: int) -> str | None:
        return None if grain is None else period_of(month // 12, month % 12 + 1, grain)

    lo_all, hi_all = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    labels = list(dict.fromkeys(label(m) for m in range(lo_all, hi_all + 1)))
    labels = [None, *labels] if grain is not None else [None]
    total = np.zeros((len(labels), n_keys), np.int64)
    hid = np.zeros((len(labels), n_keys), bool)
    n_hidden = np.zeros((len(labels), n_keys), np.int64)
    one_primary = np.zeros((len(labels), n_keys), bool)
    for b, (lo, hi, _) in enumerate(bases):
        first_month = lo.year * 12 + lo.month - 1
        n_months = hi.year * 12 + hi.month - first_month
        mine = row_base == b
        # Dense key × month arrays (absent: a shown 0), and the year's totals.
        v = np.zeros((n_keys, n_months), np.int64)
        h = np.zeros((n_keys, n_months), bool)
        p = np.zeros((n_keys, n_months), bool)
        rows = np.flatnonzero(mine & in_period)
        col = month_at[rows] - first_month
        v[key[rows], col], h[key[rows], col], p[key[rows], col] = counts[rows], hidden[rows], primary[rows]
        tv, th, tp = np.zeros(n_keys, np.int64), np.zeros(n_keys, bool), np.zeros(n_keys, bool)
        rows = np.flatnonzero(mine & ~in_period)
        tv[key[rows]], th[key[rows]], tp[key[rows]] = counts[rows], hidden[rows], primary[rows]
        span = np.arange(first_month, first_month + n_months)
        inside = (span >= lo_all) & (span <= hi_all)
        month_labels = [label(m) for m in span.tolist()]
        for li, name in enumerate(labels):
            mask = inside if name is None else inside & np.array([x == name for x in month_labels], dtype=bool)
            if not mask.any():
                continue
            if mask.all():  # the whole year: its own total
                part, part_hidden = tv, th
                part_primary, part_n = tp & th, th.astype(np.int64)
            else:
                inside_hidden = h[:, mask].any(axis=1)
                rest = inside_hidden & ~(th | h[:, ~mask].any(axis=1))
                part = np.where(rest, tv - v[:, ~mask].sum(axis=1), v[:, mask].sum(axis=1))
                # The total minus the other months can be a small count of hidden ones.
                small = rest & (part >= 1) & (part < t)
                part_hidden = (inside_hidden & ~rest) | small
                part_n = np.where(small, 1, np.where(part_hidden, h[:, mask].sum(axis=1), 0))
                part_primary = small | (part_hidden & ((h & p)[:, mask].sum(axis=1) == 1) & (part_n == 1))
            total[li] += np.where(part_hidden, 0, part)
            n_hidden[li] += part_n
            one_primary[li] |= part_primary
            hid[li] |= part_hidden
    # A hidden sum is a small count when it is one hidden small value and the rest 0.
    primary_out = hid & one_primary & (n_hidden == 1) & (total == 0)
    # The cells: every key with something to show (a shown 0 is left out, as protect
    # does); per period, the keys whose grouping has a period.
    key_whole = wcode[first_row]
    has_period = np.array([whole in period_name for whole in wnames], dtype=bool)[key_whole]
    keep = (hid | (total != 0))
    keep[1:] &= has_period[None, :]
    li_out, key_out = np.nonzero(keep)
    out_group = np.array([*wnames], dtype=object)[key_whole[key_out]]
    period_group = np.array([period_name.get(w, w) for w in wnames], dtype=object)[key_whole[key_out]]
    out = {k: columns[k].take(first_row[key_out]).reset_index(drop=True) for k in keys}
    out["period"] = pd.Series(np.array(labels, dtype=object)[li_out], dtype=object)
    out["grouping"] = pd.Series(np.where(li_out == 0, out_group, period_group), dtype=object)
    out["_value"] = total[li_out, key_out]
    out["_hidden"] = hid[li_out, key_out]
    out["_primary"] = primary_out[li_out, key_out]
    return _layer(out, dims, groupings, t, bases)


def _layer(rows: dict, dims: tuple[str, ...], groupings: tuple, t: int, bases) -> suppression.Protected:
    """:func:`derive`'s cells as a :class:`suppression.Protected` in protect()'s layout."""
    hidden = np.asarray(rows["_hidden"], dtype=bool)
    primary = np.asarray(rows["_primary"], dtype=bool) & hidden
    values = np.asarray(rows["_value"], dtype=np.int64)
    columns: dict[str, object] = {d: rows[d] for d in dims}
    columns["grouping"] = rows["grouping"]
    columns["count"] = pd.arrays.IntegerArray(np.where(hidden, 0, values), hidden.copy())
    columns[suppression.flag_column("count")] = hidden
    columns["reason"] = pd.array(np.where(hidden, np.where(primary, "primär", "sekundär"), None), dtype=object)
    cells = pd.DataFrame(columns)
    finest = suppression.grouping_name(max(groupings, key=len)) if groupings else ""
    fine = rows["grouping"].to_numpy(dtype=object) == finest
    share = float(hidden[fine].sum() / fine.sum()) if fine.any() else 0.0
    notes = tuple(dict.fromkeys(n for _, _, layer in bases for n in layer.notes))
    return suppression.Protected(cells=cells, value="count", dims=dims, groupings=groupings, threshold=t,
                                 primary=int(primary.sum()), secondary=int((hidden & ~primary).sum()),
                                 suppressed_share=share, notes=notes)


def _empty_layer(dims, groupings, t) -> suppression.Protected:
    cells = pd.DataFrame({**{d: pd.Series([], dtype=object) for d in dims}, "grouping": pd.Series([], dtype=object),
                          "count": pd.array([], dtype="Int64"), suppression.flag_column("count"): np.zeros(0, bool),
                          "reason": pd.Series([], dtype=object)})
    return suppression.Protected(cells=cells, value="count", dims=tuple(dims), groupings=tuple(groupings),
                                 threshold=t, primary=0, secondary=0, suppressed_share=0.0)


# --- published layers: computed by the pipeline for every calendar year, read by the pages ---

# The stored cell's columns for the layer's dimensions: the chain's three area columns,
# the period and the dimension's category (named in the layer's ``dims``).
STORED_DIMS = ("area1", "area2", "area3", "period", "category")


def fingerprint() -> str:
    """What a published layer must have been computed with to be used: this code's and
    the protection's source (a layer published by another version of Lägesbild is
    computed again) and the configured threshold."""
    return f"{_code_digest()}:{suppression.threshold()}"


@functools.cache
def _code_digest() -> str:
    digest = hashlib.sha256()
    for module in (suppression, sys.modules[__name__]):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


# The stored name of the national layer (area × period, no breakdown).
TOTAL_LAYER = "total"


def layer_frames(chain: str, joint: dict[str | None, suppression.Protected]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``joint`` (dimension -> period × category layer of ``chain``; None -> the national
    layer) as the rows of ``mart_signal_layer`` (one per dimension: how it was
    protected) and ``mart_signal_layer_cell`` (its published cells in order, hidden
    values as NULL; the counts it hides are not in them), without the chain and period
    columns."""
    meta, cells = [], []
    for key, layer in joint.items():
        c = layer.cells
        dimension = key or TOTAL_LAYER
        part = {name: (c[column] if column else None)
                for name, column in zip(STORED_DIMS, (*CHAINS[chain], "period", key), strict=True)}
        cells.append(pd.DataFrame({"dimension": dimension, "position": np.arange(len(c), dtype=np.int64), **part,
                                   "grouping": c["grouping"], "count": c[layer.value],
                                   "reason": c["reason"].astype(object).where(c[suppression.flag_column(layer.value)],
                                                                              None)}))
        meta.append({"dimension": dimension, "threshold": layer.threshold, "primary_count": layer.primary,
                     "secondary_count": layer.secondary, "suppressed_share": layer.suppressed_share,
                     "groupings": json.dumps([list(g) for g in layer.groupings]),
                     "notes": json.dumps(list(layer.notes), ensure_ascii=False), "fingerprint": fingerprint()})
    return pd.DataFrame(meta), pd.concat(cells, ignore_index=True)


def earlier_cells(stored: pd.DataFrame, lo: date, hi: date, shown_before: pd.DataFrame | None = None,
                  chain: str = "police") -> dict[str | None, tuple[list, dict]]:
    """The cells of ``chain`` an earlier release published for the months ``lo``–``hi`` (rows
    of ``mart_signal_layer_cell``), as the (hidden, shown) cells of this publication
    period's layers (None: the national layer; a dimension: its period × category layer)
    in the form ``protect`` takes them, for :func:`national` and :func:`breakdown_layers`
    to keep: what was hidden stays hidden and what was shown stays shown, so that two
    releases together tell nothing either does not. The shown cells come with the values
    shown (cell -> tuple of values: the last release's first, then every other value
    ``shown_before`` holds for the cell: rows of ``mart_signal_shown``, the values every
    earlier release showed), so that a value changed since any of them can be found
    (:func:`_revised`).

    The same span's cells are its own; a month published on its own (the year still
    growing, :func:`publication_spans`) is that month's cells of the year, its total the
    month's value. An earlier span of several months within this one gives its months'
    cells, and its totals over those months are compared with this span's totals though
    they are not the same cells (a tuple of values starting with None: not held shown).
    Signals loaded for the months before it (a year the signals began in, filled in
    later, or the year so far as releases before month-by-month publication had it) then
    cannot be read as the new total minus the old: where that is 1 to threshold − 1 the
    new total is hidden (:func:`_revised`)."""
    out: dict[str | None, tuple[list, dict]] = {}
    for dimension, cell, value, own in _span_cells(stored, lo, hi, chain):
        hidden, shown = out.setdefault(dimension, ([], {}))
        if own and value is None:
            hidden.append(cell)
        elif own:
            shown[cell] = (value, *shown.get(cell, (None,))[1:])
        elif value is not None:
            shown[cell] = (*shown.get(cell, (None,)), value)
    if shown_before is not None:
        for dimension, cell, value, _ in _span_cells(shown_before, lo, hi, chain):
            shown = out.get(dimension, ([], {}))[1]
            if cell in shown and value not in shown[cell]:
                shown[cell] += (value,)
    return out


def _held(shown: dict) -> list:
    """The cells of :func:`earlier_cells`' shown ones that the last release showed (to be
    kept shown), not the totals of an earlier span only compared."""
    return [cell for cell, values in shown.items() if values[0] is not None]


def _span_cells(stored: pd.DataFrame, lo: date, hi: date, chain: str):
    """(dimension, cell, value or None where hidden, own) for the rows of ``stored`` (of
    one chain, ``mart_signal_layer_cell``'s columns) within the span ``lo``–``hi``
    (:func:`earlier_cells`): ``own`` where the row is a cell of this span, not where it is
    a total over several of its months (the cell of this span's total it is compared
    with)."""
    cols = CHAINS[chain]
    if stored.empty:
        return
    # The span's rows first (the table holds every span's: dates compared as numbers),
    # then their months as dates.
    inside = ((stored["start_month"].to_numpy("datetime64[D]") >= np.datetime64(lo, "D"))
              & (stored["end_month"].to_numpy("datetime64[D]") <= np.datetime64(hi, "D")))
    part = stored.loc[inside]
    part = part.assign(_first=pd.to_datetime(part["start_month"]).dt.date,
                       _last=pd.to_datetime(part["end_month"]).dt.date)
    # Group by what decides a cell's form (a handful of groups), then build keys column-wise.
    for (dimension, name, lo_month, hi_month), group in part.groupby(
            ["dimension", "grouping", "_first", "_last"], sort=True, dropna=False):
        dimension = None if dimension == TOTAL_LAYER else dimension
        dims = (*cols, "period") + ((dimension,) if dimension else ())
        values = {d: group[c].astype(object) for d, c in zip(dims, STORED_DIMS, strict=False)}
        grouping = tuple(x for x in str(name).split(",") if x)
        # A total of another span: a month's is this span's cell of that month; one over
        # several months is compared with this span's total (not its own cell).
        other_total = "period" not in grouping and (lo_month, hi_month) != (lo, hi)
        own = not other_total or lo_month == hi_month
        if other_total and own:
            values["period"] = pd.Series(period_of(lo_month.year, lo_month.month, "month"), index=group.index)
            grouping = tuple(d for d in dims if d in grouping or d == "period")
        columns = [values[d].where(values[d].notna(), None).tolist() for d in grouping]
        keys = list(zip(*columns, strict=True)) if columns else [()] * len(group)
        for key, value in zip(keys, group["count"].tolist(), strict=True):
            yield dimension, (grouping, key), None if pd.isna(value) else value, own


def published_layers(run_sql, chain: str, start: date, end: date, grain: str,
                     dimensions: tuple[str | None, ...] = tuple(DIMENSIONS), *, read_cells=None
                     ) -> dict[str | None, suppression.Protected] | None:
    """The period × category layers of ``chain`` for these months and ``grain`` (and
    each breakdown of ``dimensions``) as the pipeline published them
    (:mod:`pipelines.published`), the same as :func:`breakdown_layers` (or
    :func:`admin_view` of it) computes them; None when it did not publish them, or
    published them with other code or another threshold."""
    return published_spans(run_sql, chain, [(start, end)], grain, dimensions, read_cells=read_cells).get((start, end))


def published_spans(run_sql, chain: str, spans: list[tuple[date, date]], grain: str,
                    dimensions: tuple[str | None, ...] = tuple(DIMENSIONS), *, read_cells=None
                    ) -> dict[tuple[date, date], dict[str | None, suppression.Protected]]:
    """:func:`published_layers` for several publication periods in two queries (the months
    of the year still growing are a dozen periods): span -> its layers, for each span
    the pipeline published with this code and threshold. ``read_cells``: runs the cells'
    query instead of ``run_sql`` (the pages' Arrow mode, ``queries.run(frame="arrow")``:
    half the time for thousands of text cells); its DataFrame may hold the months as
    dates or timestamps and the counts as floats with NaN."""
    if not spans:
        return {}
    asked = dimensions
    dimensions = tuple(d or TOTAL_LAYER for d in dimensions)
    params = {"chain": chain, "lo": min(lo for lo, _ in spans), "hi": max(hi for _, hi in spans), "grain": grain,
              "dimensions": list(dimensions)}
    where = ("chain = $chain AND grain = $grain AND start_month >= $lo AND end_month <= $hi "
             "AND list_contains($dimensions, dimension)")
    try:
        meta = run_sql(f"""SELECT start_month, end_month, dimension, threshold, primary_count, secondary_count,
                                  suppressed_share, groupings, notes, fingerprint
                           FROM mart_signal_layer WHERE {where}""", params)
    except Exception as exc:  # a database published before these tables existed
        if "mart_signal_layer" not in str(exc):
            raise
        return {}

    def as_date(value) -> date:
        return value.date() if hasattr(value, "date") else value

    wanted = set(spans)
    found: dict[tuple[date, date], list] = {}
    for row in meta.itertuples(index=False):
        span = (as_date(row.start_month), as_date(row.end_month))
        if span in wanted:
            found.setdefault(span, []).append(row)
    found = {span: rows for span, rows in found.items()
             if {r.dimension for r in rows} == set(dimensions) and all(r.fingerprint == fingerprint() for r in rows)}
    if not found:
        return {}
    cells = (read_cells or run_sql)(f"""SELECT start_month, end_month, dimension, {', '.join(STORED_DIMS)}, grouping, count, reason
                        FROM mart_signal_layer_cell WHERE {where}
                        ORDER BY start_month, end_month, dimension, position""", params)
    # Each (span, dimension)'s rows are one run of the sorted cells: its columns are
    # slices of the query's (a frame and its columns per layer cost milliseconds each).
    # The months as codes (dates or timestamps, as the reader gives them), named as dates.
    starts, ends = (_as_dates(cells[c]) for c in ("start_month", "end_month"))
    names = cells["dimension"].to_numpy(dtype=object)
    change = np.flatnonzero((starts[1:] != starts[:-1]) | (ends[1:] != ends[:-1]) | (names[1:] != names[:-1])) + 1
    bounds = [0, *change.tolist(), len(cells)]
    runs = {(starts[b], ends[b], names[b]): (b, e) for b, e in zip(bounds[:-1], bounds[1:], strict=True) if e > b}
    columns = {c: cells[c].array for c in (*STORED_DIMS, "grouping")}
    counts = cells["count"].to_numpy(dtype=np.float64, na_value=np.nan)
    reasons = cells["reason"].to_numpy(dtype=object)
    out = {}
    for span, rows in found.items():
        layers = {}
        for row in rows:
            b, e = runs.get((*span, row.dimension), (0, 0))
            layers[row.dimension] = _stored_layer({c: a[b:e] for c, a in columns.items()}, counts[b:e], reasons[b:e],
                                                  chain, row)
        out[span] = {a: layers[d] for a, d in zip(asked, dimensions, strict=True)}
    return out


def _as_dates(column: pd.Series) -> np.ndarray:
    """A column of months (``datetime.date`` objects or timestamps) as ``date`` objects,
    each distinct month converted once."""
    codes, uniques = pd.factorize(column)
    return np.array([u.date() if hasattr(u, "date") else u for u in uniques], dtype=object)[codes]


def _stored_layer(columns: dict, counts: np.ndarray, reasons: np.ndarray, chain: str, row) -> suppression.Protected:
    """One published layer's cells (its rows of ``mart_signal_layer_cell`` in order: the
    stored columns, counts with NaN where hidden, reasons) and its ``mart_signal_layer``
    row as the :class:`suppression.Protected` it was stored from."""
    dims = (*CHAINS[chain], "period") + (() if row.dimension == TOTAL_LAYER else (row.dimension,))
    hidden = np.isnan(counts)
    frame = {column: columns[stored] for column, stored in zip(dims, STORED_DIMS[:len(dims)], strict=True)}
    frame["grouping"] = columns["grouping"]
    frame["count"] = pd.arrays.IntegerArray(np.where(hidden, 0, counts).astype(np.int64), hidden.copy())
    frame[suppression.flag_column("count")] = hidden
    # As protect() builds it: text once anything is hidden, else None objects.
    frame["reason"] = np.where(hidden, reasons, None)
    return suppression.Protected(
        cells=pd.DataFrame(frame), value="count", dims=dims,
        groupings=tuple(tuple(g) for g in json.loads(row.groupings)), threshold=int(row.threshold),
        primary=int(row.primary_count), secondary=int(row.secondary_count),
        suppressed_share=float(row.suppressed_share), notes=tuple(json.loads(row.notes)))
