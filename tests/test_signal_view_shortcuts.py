"""Rekryteringssignaler's views must not change a single shown value between ways of
reading the same layers:

- ``Protected.table(where=…)`` compares one area's rows by the column's own type;
- the page without a breakdown (the national layer) shows the same totals as a
  breakdown's view in the same grain.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest

from dashboard import signal_layers
from dashboard import suppression as sup


def test_table_where_keeps_exactly_the_rows_equal_to_the_value_and_never_a_missing_one():
    df = pd.DataFrame({"area": pd.array(["A", "A", "B", None, "B", "A"], dtype="string"),
                       "period": ["1", "2", "1", "1", "2", "3"], "count": [7, 8, 9, 10, 11, 2]})
    prot = sup.protect(df, "count", ["area", "period"], margins=[("area",), ()], threshold_value=5)
    for dtype in ("string", "str", object):
        cells = prot.cells.assign(area=prot.cells["area"].astype(dtype))
        # The same cells in a column of another type; a missing value as pandas' NA or None.
        if dtype is object:
            cells["area"] = cells["area"].where(cells["area"].notna(), pd.NA)
        typed = dataclasses.replace(prot, cells=cells)
        for wanted in ("A", "B", "C"):
            got = typed.table(("area", "period"), where={"area": wanted})
            expected = prot.cells[(prot.cells["grouping"] == "area,period") & (prot.cells["area"] == wanted)]
            assert got["period"].tolist() == expected["period"].tolist(), (dtype, wanted)
            assert (got["area"] == wanted).all()
        totals = typed.table(("area",), where={"area": "A"})
        assert totals["count"].tolist() == [17]
        assert typed.table(("area", "period"), where={"area": 1}).empty   # another type equals nothing


@pytest.fixture(scope="module")
def demo_signals(demo_db):
    from dashboard import queries
    from dashboard.queries import signals

    mp = pytest.MonkeyPatch()
    mp.setenv("LAGESBILD_DB", str(demo_db))
    key = queries.db_key()

    def run_sql(sql, params=None):
        return queries.run(sql, params or {}, key=key)

    areas = run_sql("SELECT DISTINCT lpo_code, kommun_code, polisomrade_code, lan_code FROM mart_signal")
    yield signals, key, run_sql, areas
    mp.undo()


@pytest.mark.parametrize("level", ["polisregion", "lpo", "kommun", "lan"])
def test_the_total_trend_shows_the_same_values_as_the_breakdowns_in_the_same_grain(demo_signals, level):
    # Without a breakdown the page reads the area's totals from the national layer alone
    # (no period × category layers); where both views end in the same grain, every
    # period's total and the whole period's are the same value, hidden in both or in
    # neither. Totalt may keep a finer grain than a breakdown, never a coarser one.
    signals, key, run_sql, areas = demo_signals
    column = signals.LEVEL_COLUMN[level]
    codes = sorted(run_sql(f"SELECT DISTINCT {column} FROM mart_signal WHERE {column} IS NOT NULL")[column])
    start, end = date(2025, 1, 1), date(2025, 10, 1)
    order = list(signal_layers.GRAINS)
    same = 0
    dimensions = list(signal_layers.DIMENSIONS)
    for i, code in enumerate(codes[:: max(1, len(codes) // 5)]):
        for grain in signal_layers.GRAINS:
            total = signals._view.__wrapped__(key, level, code, start, end, grain, None)
            split = signals._view.__wrapped__(key, level, code, start, end, grain, dimensions[i % len(dimensions)])
            assert order.index(total.grain) <= order.index(split.grain), (code, grain)
            if total.grain != split.grain:
                continue
            same += 1
            for grouping in (("period",), ()):
                ours = total.cube.table(grouping).sort_values(list(grouping)).reset_index(drop=True)
                theirs = split.cube.table(grouping).sort_values(list(grouping)).reset_index(drop=True)
                pd.testing.assert_frame_equal(ours[[*grouping, "count", "count_suppressed"]],
                                              theirs[[*grouping, "count", "count_suppressed"]], check_dtype=False)
    assert same >= 3
