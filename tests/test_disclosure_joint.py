"""The period × category layer (signal_layers.joint_layers) checked exactly as a whole.

The layer protects each family of the area tree and each area's own table exactly, and
the rest by the line rule (docs/disclosure.md). Here every published cell of one layer
is an equation's member, the hidden cells the unknowns, and a hidden cell is worked out
from the shown ones exactly when its unit vector lies in the row space of the equations
(the null space is zero there): the attacker with every page and linear algebra."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from dashboard import signal_layers
from dashboard.queries import signals


def _layers(demo_db, chain: str, grain: str, start: date, end: date) -> dict:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        def run_sql(sql, params=None):
            return con.execute(sql, params or {}).df()
        return signal_layers.breakdown_layers(run_sql, chain, start, end, grain)[1]


def _worked_out(layer, levels: tuple[str, ...]) -> pd.DataFrame:
    """The hidden cells of ``layer`` that its shown cells determine."""
    cells = layer.cells
    dims = layer.dims
    index = {}
    for i, (name, *values) in enumerate(zip(cells["grouping"], *(cells[d] for d in dims), strict=True)):
        g = tuple(x for x in name.split(",") if x)
        index[(g, tuple(None if pd.isna(v) else v for d, v in zip(dims, values, strict=True) if d in g))] = i
    # Each published cell equals the sum of its parts one step finer: the next level
    # down, or the periods, or the categories.
    rows = []
    for (g, key), i in index.items():
        depth = sum(d in levels for d in g)
        finer = [levels[depth]] if depth < len(levels) else []
        finer += [d for d in dims if d not in levels and d not in g]
        for extra in finer:
            g2 = tuple(d for d in dims if d in g or d == extra)
            parts = [j for (gg, kk), j in index.items()
                     if gg == g2 and all(kk[g2.index(d)] == key[g.index(d)] for d in g)]
            if parts:
                rows.append([(i, 1.0)] + [(j, -1.0) for j in parts])
    hidden = np.flatnonzero(cells[f"{layer.value}_suppressed"].to_numpy())
    column = {c: k for k, c in enumerate(hidden.tolist())}
    a = np.zeros((len(rows), len(hidden)))
    for r, members in enumerate(rows):
        for c, sign in members:
            if c in column:
                a[r, column[c]] = sign
    _, s, vt = np.linalg.svd(a, full_matrices=True)
    rank = int((s > 1e-9 * max(s.max(initial=0), 1)).sum())
    null = vt[rank:].T
    determined = hidden[np.linalg.norm(null, axis=1) < 1e-7]
    return cells.iloc[determined]


def _named(found: pd.DataFrame, levels: tuple[str, ...]) -> pd.DataFrame:
    """``found`` without the "ej fördelat" cells (a missing key within the cell's own
    grouping), which no page shows."""
    keep = [not any(d in name.split(",") and pd.isna(row[d]) for d in levels)
            for name, row in zip(found["grouping"], found.to_dict("records"), strict=True)]
    return found[np.array(keep, dtype=bool)]


@pytest.mark.parametrize("chain", ["police"])
def test_no_hidden_trend_cell_can_be_worked_out_from_everything_the_pages_show(demo_db, chain):
    # The last twelve months at year grain (two periods, as the page's year view shows
    # them): nothing hidden can be worked out, in any breakdown. The administrative
    # layers are a view of the police ones (signal_layers.admin_view), checked with them in
    # tests/test_disclosure_hierarchies.py: what they hide beyond the police layers can
    # be a value hidden for nothing, never a small count.
    layers = _layers(demo_db, chain, "year", date(2024, 11, 1), date(2025, 10, 1))
    for dimension, layer in layers.items():
        assert layer.suppressed > 0
        assert layer.stuck == (), (dimension, layer.stuck[:3])  # no line left with one hidden value
        found = _worked_out(layer, signals.CHAINS[chain])
        assert found.empty, (dimension, found.head().to_dict("records"))


@pytest.mark.parametrize("chain", ["police", "admin"])
def test_no_small_count_by_quarter_can_be_worked_out_from_everything_the_pages_show(demo_db, chain):
    # The layer is exact per family of the tree and per area's table, not over the whole
    # country. Before the category layer took the period × category layers' feedback
    # (signal_layers.breakdown_layers), one count 1-4 could be worked out by quarter (LPO
    # Katrineholm, men, 2025-K3); one secondary value (5 or more) still can, which is a
    # value hidden for nothing, not a leak of a small count.
    layers = _layers(demo_db, chain, "quarter", date(2025, 1, 1), date(2025, 12, 1))
    for dimension, layer in layers.items():
        found = _named(_worked_out(layer, signals.CHAINS[chain]), signals.CHAINS[chain])
        assert (found["reason"] != "primär").all(), (dimension, found.to_dict("records"))
