"""The period × category layer (signal_layers.joint_layers) checked exactly as a whole,
as the pipeline publishes it: one calendar year at month grain, from which every page's
period is summed (docs/disclosure.md, "Fixed publication periods").

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
from scipy import sparse

from dashboard import signal_layers
from dashboard.queries import signals


def _layer(demo_db, chain: str, dimension: str, start: date, end: date):
    """The year's layer as the pages read it (published, else protected the same way)."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        def run_sql(sql, params=None):
            return con.execute(sql, params or {}).df()
        return signal_layers.base_layer(run_sql, chain, start, end, dimension)


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
    # Each cell under every grouping one dimension coarser, by the key it shares with it.
    parts_of: dict[tuple, list] = {}
    for (g2, key2), j in index.items():
        for extra in g2:
            shared = tuple(k for d, k in zip(g2, key2, strict=True) if d != extra)
            parts_of.setdefault((g2, extra, shared), []).append(j)
    rows = []
    for (g, key), i in index.items():
        depth = sum(d in levels for d in g)
        finer = [levels[depth]] if depth < len(levels) else []
        finer += [d for d in dims if d not in levels and d not in g]
        for extra in finer:
            g2 = tuple(d for d in dims if d in g or d == extra)
            parts = parts_of.get((g2, extra, tuple(key[g.index(d)] for d in g2 if d != extra)), [])
            if parts:
                rows.append([(i, 1.0)] + [(j, -1.0) for j in parts])
    hidden = np.flatnonzero(cells[f"{layer.value}_suppressed"].to_numpy())
    column = {c: k for k, c in enumerate(hidden.tolist())}
    # The null space of the equations over the hidden cells, from AᵀA (a year of months
    # has thousands of hidden cells and tens of thousands of equations: no dense A).
    entries = [(r, column[c], sign) for r, members in enumerate(rows) for c, sign in members if c in column]
    r, c, v = (np.array(x) for x in zip(*entries, strict=True)) if entries else (np.zeros(0),) * 3
    a = sparse.csr_matrix((v, (r, c)), shape=(len(rows), len(hidden)))
    values, vectors = np.linalg.eigh((a.T @ a).toarray())
    null = vectors[:, values < 1e-8 * max(values.max(initial=0), 1)]
    determined = hidden[np.linalg.norm(null, axis=1) < 1e-7]
    return cells.iloc[determined]


def _named(found: pd.DataFrame, levels: tuple[str, ...]) -> pd.DataFrame:
    """``found`` without the "ej fördelat" cells (a missing key within the cell's own
    grouping), which no page shows."""
    keep = [not any(d in name.split(",") and pd.isna(row[d]) for d in levels)
            for name, row in zip(found["grouping"], found.to_dict("records"), strict=True)]
    return found[np.array(keep, dtype=bool)]


# Two breakdowns here (a minute of CPU each on the shared machine); all four were checked
# when the years were first published at month grain (2026-11-24: none worked out).
@pytest.mark.parametrize("dimension", ["sex", "signal_type"])
def test_no_hidden_cell_of_a_published_year_can_be_worked_out_from_everything_the_pages_show(demo_db, dimension):
    # 2025 per month by each breakdown, the whole country at once: nothing hidden can be
    # worked out (the layer is exact per family and per area's table by construction;
    # this checks the whole). Every page's period is a sum of these cells, so it holds
    # for them too (tests/test_publication_periods.py). The administrative layers are a
    # view of the police ones (signal_layers.admin_view), checked with them in
    # tests/test_disclosure_hierarchies.py.
    layer = _layer(demo_db, "police", dimension, date(2025, 1, 1), date(2025, 12, 1))
    assert layer.suppressed > 1000
    assert layer.stuck == (), (dimension, layer.stuck[:3])  # no line left with one hidden value
    found = _worked_out(layer, signals.CHAINS["police"])
    assert found.empty, (dimension, found.head().to_dict("records"))


def test_no_small_count_of_a_published_administrative_year_can_be_worked_out(demo_db):
    # The administrative view hides what the police layer's shown values do not give
    # away; from its own cells no count 1-4 follows (a value hidden for nothing can).
    layer = _layer(demo_db, "admin", "sex", date(2025, 1, 1), date(2025, 12, 1))
    found = _named(_worked_out(layer, signals.CHAINS["admin"]), signals.CHAINS["admin"])
    assert (found["reason"] != "primär").all(), found.to_dict("records")
