"""The police and the administrative hierarchies hold the same signals; together they may
not give away what either hides.

A user's tour found counts of 1-4 worked out across them when each was protected on its
own: LPO Härnösand hid the source "polis" while kommun Härnösand, the same ground, showed
8, and kommun Stockholm minus four of its LPOs gave the fifth. The administrative layers
are now a view of the police ones (signal_layers.admin_view): each value is shown only where
the police layers' shown values give it away. Here an attacker holds every cell of both
hierarchies' pages at once: each published cell is a sum of the finest cells (the
signals' area combinations × period × category), the shown ones are known, and a
hidden cell is worked out exactly when its vector lies in their row space."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from dashboard import signal_layers
from dashboard.queries import signals


def _run(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)

    def run_sql(sql, params=None):
        return con.execute(sql, params or {}).df()
    return con, run_sql


def _cells(layer, levels: tuple[str, ...], atoms: list[tuple], police: bool):
    """Each published cell of ``layer`` as (vector over atoms, rest key, hidden, primary,
    named): ``named`` is False for an "ej fördelat" cell, which no page shows."""
    rest = layer.dims[len(levels):]
    flag = f"{layer.value}_suppressed"
    area = [a[:3] if police else (a[0], a[3], a[4]) for a in atoms]
    out = []
    seen = {}
    for g in layer.groupings:
        depth = sum(1 for d in g if d in levels)
        for row in layer.table(g).to_dict("records"):
            node = tuple(None if pd.isna(row[d]) else row[d] for d in g[:depth])
            r_key = tuple((d, row[d]) for d in rest if d in g)
            seen.setdefault(g, {})[(node, r_key)] = (bool(row[flag]), row["reason"] == "primär")
    for g, found in seen.items():
        depth = sum(1 for d in g if d in levels)
        # An area without a row for a period or category is a shown 0, as the pages show it.
        keys = {r for _, r in found}
        for node in {x[:depth] for x in area}:
            vector = np.array([x[:depth] == node for x in area], dtype=float)
            for r_key in keys:
                hidden, primary = found.get((node, r_key), (False, False))
                out.append((vector, r_key, hidden, primary, None not in node, (g, node, r_key)))
    return out


def _system(cells, keys: list[tuple], n_atoms: int):
    """Rows over (atom × finest rest key): a cell with rest key r covers every finest key
    that agrees with r on its dimensions."""
    rows = []
    for vector, r_key, *_ in cells:
        match = np.array([all(dict(k)[d] == v for d, v in r_key) for k in keys], dtype=float)
        rows.append(np.kron(vector, match))
    return np.array(rows).reshape(len(rows), n_atoms * len(keys))


def _basis(rows: np.ndarray) -> np.ndarray:
    if not len(rows):
        return np.zeros((0, 0))
    _, s, vt = np.linalg.svd(rows, full_matrices=False)
    return vt[: int((s > 1e-9 * max(s.max(initial=0), 1)).sum())]


def _in_span(basis: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return np.linalg.norm(rows - (rows @ basis.T) @ basis, axis=1) < 1e-7


@pytest.mark.parametrize("dimension", list(signals.DIMENSIONS))
def test_nothing_hidden_can_be_worked_out_from_both_hierarchies_together(demo_db, dimension):
    # The last twelve months per year (the page's year view): every cell of the police
    # and the administrative pages by one breakdown, at once.
    con, run_sql = _run(demo_db)
    start, end = date(2024, 11, 1), date(2025, 10, 1)
    with con:
        atoms = signal_layers._atoms(signal_layers._atom_counts(run_sql, start, end))
        police = signal_layers.breakdown_layers(run_sql, "police", start, end, "year")[1][dimension]
        admin = signal_layers.breakdown_layers(run_sql, "admin", start, end, "year")[1][dimension]
    p_cells = _cells(police, signals.CHAINS["police"], atoms, True)
    a_cells = _cells(admin, signals.CHAINS["admin"], atoms, False)
    keys = sorted({c[1] for c in p_cells + a_cells if len(c[1]) == 2}, key=repr)
    p_rows, a_rows = _system(p_cells, keys, len(atoms)), _system(a_cells, keys, len(atoms))
    p_shown = np.array([not c[2] for c in p_cells])
    a_shown = np.array([not c[2] for c in a_cells])
    police_only = _basis(p_rows[p_shown])
    # Every value the kommun and län pages show follows from what the police pages show.
    follows = _in_span(police_only, a_rows[a_shown])
    assert follows.all(), [c[5] for c, ok in zip([c for c in a_cells if not c[2]], follows, strict=True) if not ok][:3]
    # So both together give away no more than the police pages: nothing the police pages
    # hide, and no small count of a kommun or län.
    both = _basis(np.vstack([p_rows[p_shown], a_rows[a_shown]]))
    hidden_police = [c for c in p_cells if c[2]]
    assert hidden_police and not _in_span(both, _system(hidden_police, keys, len(atoms))).any()
    small_admin = [c for c in a_cells if c[2] and c[3] and c[4]]
    assert small_admin
    worked_out = _in_span(both, _system(small_admin, keys, len(atoms)))
    assert not worked_out.any(), [c[5] for c, w in zip(small_admin, worked_out, strict=True) if w][:3]


def test_an_lpo_and_the_kommun_on_the_same_ground_show_the_same_values(demo_db):
    # LPO Härnösand is kommun Härnösand: what one page hides the other may not show.
    con, run_sql = _run(demo_db)
    start, end = date(2025, 1, 1), date(2025, 12, 1)
    with con:
        pairs = run_sql("""
            SELECT lpo_code, kommun_code FROM lpo_kommun
            WHERE lpo_code IN (SELECT lpo_code FROM lpo_kommun GROUP BY 1 HAVING count(*) = 1)
              AND kommun_code IN (SELECT kommun_code FROM lpo_kommun GROUP BY 1 HAVING count(*) = 1)""")
        assert len(pairs) >= 5
        layers = {chain: {"totals": signal_layers.totals_layer(run_sql, chain, start, end),
                          "month": signal_layers.national(run_sql, chain, start, end, "month"),
                          **signal_layers.breakdown_layers(run_sql, chain, start, end, "quarter")[1]}
                  for chain in ("police", "admin")}
    compared = hidden = 0
    for name, police in layers["police"].items():
        admin = layers["admin"][name]
        rest = tuple(d for d in police.dims if d not in signals.CHAINS["police"])
        p = police.table((*signals.CHAINS["police"], *rest))
        a = admin.table((*signals.CHAINS["admin"], *rest))
        for lpo, kommun in pairs.itertuples(index=False):
            mine = p[p["lpo_code"] == lpo].set_index(list(rest)) if rest else p[p["lpo_code"] == lpo]
            theirs = a[a["kommun_code"] == kommun].set_index(list(rest)) if rest else a[a["kommun_code"] == kommun]
            assert len(mine) == len(theirs), (name, lpo, kommun)
            if rest:
                theirs = theirs.loc[mine.index]
            assert mine["count_suppressed"].tolist() == theirs["count_suppressed"].tolist(), (name, lpo, kommun)
            assert mine["count"].fillna(-1).tolist() == theirs["count"].fillna(-1).tolist(), (name, lpo, kommun)
            compared += len(mine)
            hidden += int(mine["count_suppressed"].sum())
    assert compared > 500 and hidden > 50


def test_no_small_count_by_quarter_can_be_worked_out_from_both_hierarchies_together(demo_db):
    # Per quarter (four periods, by sex: a larger system), only the small counts: a value
    # of 5 or more hidden for nothing can be worked out here and there, a count 1-4 never.
    con, run_sql = _run(demo_db)
    start, end = date(2025, 1, 1), date(2025, 12, 1)
    with con:
        atoms = signal_layers._atoms(signal_layers._atom_counts(run_sql, start, end))
        police = signal_layers.breakdown_layers(run_sql, "police", start, end, "quarter")[1]["sex"]
        admin = signal_layers.breakdown_layers(run_sql, "admin", start, end, "quarter")[1]["sex"]
    p_cells = _cells(police, signals.CHAINS["police"], atoms, True)
    a_cells = _cells(admin, signals.CHAINS["admin"], atoms, False)
    keys = sorted({c[1] for c in p_cells + a_cells if len(c[1]) == 2}, key=repr)
    rows = _system([c for c in p_cells + a_cells if not c[2]], keys, len(atoms))
    small = [c for c in p_cells + a_cells if c[2] and c[3] and c[4]]
    assert len(small) > 50
    worked_out = _in_span(_basis(rows), _system(small, keys, len(atoms)))
    assert not worked_out.any(), [c[5] for c, w in zip(small, worked_out, strict=True) if w][:3]
