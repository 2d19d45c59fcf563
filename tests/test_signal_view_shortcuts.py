"""Two shortcuts in Rekryteringssignaler's disclosure control (issue 6: a new level or
area cost 50-200 ms there) must not change a single shown value:

- ``Protected.table(where=…)`` compares one area's rows by the column's own type;
- a grain whose small counts alone hide most breakdowns is coarsened without protecting
  it (``suppression.surely_mostly_suppressed``), and the months are read once and named
  by quarter or year in pandas: the page picks the same grain, says the same notices and
  shows the same cells as one query and one protection per grain did.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


@st.composite
def cubes(draw):
    periods = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 3)) for _ in range(2)]
    counts = st.one_of(st.just(0), st.integers(1, 4), st.integers(5, 40))
    rows = [(f"p{p}", f"a{a}", f"s{s}", draw(counts))
            for p, a, s in itertools.product(range(periods), range(sizes[0]), range(sizes[1]))]
    return pd.DataFrame(rows, columns=["period", "age", "sex", "count"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=cubes())
def test_surely_mostly_suppressed_is_never_wrong(df):
    """When the shortcut says 'mostly hidden', protecting says so too (it may say so
    when the shortcut cannot tell)."""
    finest = [("period", "age"), ("period", "sex")]
    margins = finest + [("age",), ("sex",), ("period",), ()]
    sure = sup.surely_mostly_suppressed(df, "count", finest, threshold_value=5)
    protected = sup.protect(df, "count", ("period", "age", "sex"), margins=margins, interior=False,
                            fixed=[("period",), ()], threshold_value=5)
    if sure:
        assert protected.mostly_suppressed
    # Only small counts among the breakdowns: the shortcut sees it.
    sums = [df.groupby(list(g))["count"].sum() for g in finest]
    small = sum(int(((s >= 1) & (s < 5)).sum()) for s in sums)
    nonzero = sum(int((s > 0).sum()) for s in sums)
    assert sure == (nonzero > 0 and small / nonzero > sup.COARSEN_SHARE)


def test_a_table_of_zeros_is_not_surely_hidden():
    df = pd.DataFrame({"period": ["1", "2"], "age": ["a", "a"], "count": [0, 0]})
    assert not sup.surely_mostly_suppressed(df, "count", [("period", "age")], threshold_value=5)


def _full_view(run_sql, level, code, start, end, grain, dimension):
    """The page's view as it was computed before the shortcut: every grain protected."""
    from dashboard import signal_layers
    from dashboard.queries import signals

    notices, current = [], grain
    while True:
        # The counts in the grain straight from SQL (the page names months by quarter or
        # year itself, from one query per month).
        counts = run_sql(f"""
            SELECT {signal_layers._PERIOD_SQL[current]} AS period, age_band, sex, source, signal_type,
                   sum(count)::BIGINT AS count
            FROM mart_signal WHERE month BETWEEN $start AND $end AND {signals.LEVEL_COLUMN[level]} = $code
            GROUP BY ALL""", {"start": start, "end": end, "code": code})
        joint = signal_layers.breakdown_layers(run_sql, signals.chain_for(level), start, end, current)[1]
        cube = signals.area_cube(run_sql, level, code, start, end, current, dimension, joint[dimension],
                                 counts=counts)
        coarser = sup.coarser_grain(current)
        if not cube.mostly_suppressed or coarser is None:
            return current, notices, cube
        notices.append(sup.coarsening_notice("signalerna", current, coarser))
        current = coarser


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


@pytest.mark.parametrize("level", ["lpo", "kommun", "polisomrade", "lan"])
def test_the_page_picks_the_same_grain_notices_and_cells_as_protecting_every_grain(demo_signals, level,
                                                                                    monkeypatch):
    signals, key, run_sql, areas = demo_signals
    shortcuts = []
    original = sup.surely_mostly_suppressed
    monkeypatch.setattr(sup, "surely_mostly_suppressed", lambda *a, **k: shortcuts.append(original(*a, **k))
                        or shortcuts[-1])
    codes = sorted(areas[signals.LEVEL_COLUMN[level]].dropna().unique())
    start, end = date(2025, 1, 1), date(2025, 10, 1)
    dimensions = list(signal_layers.DIMENSIONS)
    for i, code in enumerate(codes[:: max(1, len(codes) // 6)]):
        dimension = dimensions[i % len(dimensions)]
        view = signals._view.__wrapped__(key, level, code, start, end, "month", dimension)   # not the cache
        grain, notices, cube = _full_view(run_sql, level, code, start, end, "month", dimension)
        assert (view.grain, view.notices) == (grain, tuple(notices)), code
        assert view.mostly_suppressed == cube.mostly_suppressed
        ours = view.cube.cells.sort_values(["grouping", *cube.dims]).reset_index(drop=True)
        theirs = cube.cells.sort_values(["grouping", *cube.dims]).reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, theirs)
    if level in ("lpo", "kommun"):
        assert any(shortcuts), "no grain was skipped: the shortcut was not exercised"


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
