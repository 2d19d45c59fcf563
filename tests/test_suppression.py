"""The disclosure-control engine on small tables whose right answer can be worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import suppression as sup


def _table(rows, dims=("area", "month")):
    return pd.DataFrame(rows, columns=[*dims, "count"])


def _hidden(p: sup.Protected, grouping=None) -> set:
    t = p.table(grouping)
    keys = [c for c in t.columns if c not in ("count", "count_suppressed", "reason")]
    return {tuple(r[k] for k in keys) for _, r in t[t["count_suppressed"]].iterrows()}


def test_primary_suppression_hides_one_to_four_and_shows_zero_and_five():
    df = _table([("A", m, v) for m, v in enumerate([0, 1, 4, 5, 12])])
    p = sup.protect(df, "count", ["area", "month"], threshold_value=5)
    t = p.table()
    shown = dict(zip(t["month"], t["count"], strict=True))
    assert shown[0] == 0 and shown[3] == 5 and shown[4] == 12
    assert pd.isna(shown[1]) and pd.isna(shown[2])
    assert p.primary == 2 and p.secondary == 0


def test_a_row_total_forces_a_second_cell_the_smallest_non_zero():
    # Row A: 3 (primary), 9, 7, 0 with its total 19 shown: 3 = 19 - 9 - 7 - 0 unless one
    # more cell goes. The smallest non-zero other cell is 7 (month 2), not the zero.
    df = _table([("A", 0, 3), ("A", 1, 9), ("A", 2, 7), ("A", 3, 0)])
    p = sup.protect(df, "count", ["area", "month"], margins=[("area",)], threshold_value=5)
    assert _hidden(p) == {("A", 0), ("A", 2)}
    assert p.table(("area",))["count"].tolist() == [19]
    assert (p.primary, p.secondary) == (1, 1)


def test_without_a_published_total_there_is_no_secondary_suppression():
    df = _table([("A", 0, 3), ("A", 1, 9), ("A", 2, 7)])
    p = sup.protect(df, "count", ["area", "month"], threshold_value=5)
    assert _hidden(p) == {("A", 0)}


def test_year_total_and_eleven_known_months():
    df = _table([("A", m, 2 if m == 5 else 10 + m) for m in range(1, 13)])
    p = sup.protect(df, "count", ["area", "month"], margins=[("area",)], threshold_value=5)
    assert _hidden(p) == {("A", 5), ("A", 1)}  # 11 is the smallest other month


def test_two_way_table_with_margins_reaches_a_fixed_point():
    # 2 × 3 with row, column and grand totals. Hiding (A,0)=2 forces a partner in row A
    # and in column 0; those partners force more, until every line has 0 or >= 2 hidden.
    df = _table([("A", 0, 2), ("A", 1, 20), ("A", 2, 30),
                 ("B", 0, 15), ("B", 1, 25), ("B", 2, 35)])
    p = sup.protect(df, "count", ["area", "month"], margins=[("area",), ("month",), ()], threshold_value=5)
    hidden = _hidden(p)
    assert hidden == {("A", 0), ("A", 1), ("B", 0), ("B", 1)}
    for area in "AB":
        assert sum(1 for h in hidden if h[0] == area) != 1
    for month in range(3):
        assert sum(1 for h in hidden if h[1] == month) != 1
    assert p.table(("area",))["count_suppressed"].sum() == 0


def test_a_hidden_total_cannot_be_recovered_from_the_grand_total():
    # Area totals A=3 (primary), B=40, C=50 and the grand total 93: B or C must go too.
    df = _table([("A", 0, 3), ("B", 0, 40), ("C", 0, 50)])
    p = sup.protect(df, "count", ["area", "month"], margins=[("area",), ()], threshold_value=5)
    totals = p.table(("area",))
    assert totals["count_suppressed"].sum() >= 2
    assert p.table(())["count"].tolist() == [93]


def test_fixed_totals_are_kept_when_cells_can_protect_instead():
    df = _table([("A", 0, 3), ("A", 1, 8), ("A", 2, 30), ("B", 0, 40), ("B", 1, 9)])
    p = sup.protect(df, "count", ["area", "month"], margins=[("area",), ()], fixed=[("area",), ()],
                    threshold_value=5)
    assert p.table(("area",))["count_suppressed"].sum() == 0
    assert ("A", 1) in _hidden(p)


def test_a_bridge_between_two_blocks_is_caught_by_the_exact_check():
    # Rows and columns each hold 0 or 2 hidden cells, yet a cell linking two otherwise
    # separate blocks is determined. After protection no hidden cell may be determined.
    import numpy as np

    rows = []
    values = {(0, 0): 2, (0, 1): 2, (1, 0): 2, (1, 1): 2, (1, 2): 50, (2, 2): 2, (2, 3): 2,
              (3, 2): 2, (3, 3): 2}
    for r in range(4):
        for c in range(4):
            rows.append((r, c, values.get((r, c), 0)))
    p = sup.protect(_table(rows), "count", ["area", "month"], margins=[("area",), ("month",)], threshold_value=5)
    hidden = sorted(_hidden(p))
    index = {h: i for i, h in enumerate(hidden)}
    eqs = []
    for r in range(4):
        eqs.append([1.0 if (h[0] == r) else 0.0 for h in hidden])
    for c in range(4):
        eqs.append([1.0 if (h[1] == c) else 0.0 for h in hidden])
    a = np.array(eqs)
    for h, i in index.items():
        e = np.zeros(len(hidden))
        e[i] = 1
        residual = np.linalg.lstsq(a.T, e, rcond=None)[0]
        assert np.linalg.norm(a.T @ residual - e) > 1e-6, f"{h} can be derived"


def test_cells_hidden_elsewhere_are_hidden_here_and_protected():
    df = _table([("A", 0, 10), ("A", 1, 20), ("A", 2, 30)])
    p = sup.protect(df, "count", ["area", "month"], margins=[("area",)], also=[(("area", "month"), ("A", 1))],
                    threshold_value=5)
    assert _hidden(p) == {("A", 1), ("A", 0)}


def test_rates_and_shares_from_hidden_counts_are_hidden():
    df = pd.DataFrame({"count": pd.array([3, None, 50], dtype="Int64"),
                       "count_suppressed": [False, True, False], "pop": [1000, 1000, 0]})
    out = sup.derive_rate(df, "count", "pop", per=1000)
    assert out["rate"].tolist()[0] == 3.0
    assert out["rate_suppressed"].tolist() == [False, True, False]
    assert pd.isna(out["rate"].iloc[1]) and pd.isna(out["rate"].iloc[2])
    shares = sup.derive_share(df.assign(total=100, total_suppressed=[False, False, True]), "count", "total")
    assert shares["share_suppressed"].tolist() == [False, True, True]
    assert shares["share"].iloc[0] == pytest.approx(0.03)


def test_mostly_suppressed_offers_coarsening():
    sparse = _table([("A", m, 2) for m in range(6)] + [("A", 6, 40)])
    p = sup.protect(sparse, "count", ["area", "month"], threshold_value=5)
    assert p.mostly_suppressed
    assert sup.coarser_grain("month") == "quarter" and sup.coarser_grain("quarter") == "year"
    assert sup.coarser_level("lpo") == "polisomrade" and sup.coarser_level("polisomrade") == "polisregion"
    assert "kvartal" in sup.coarsening_notice("signalerna", "month", "quarter")
    dense = _table([("A", m, 20) for m in range(6)] + [("A", 6, 2)])
    assert not sup.protect(dense, "count", ["area", "month"], threshold_value=5).mostly_suppressed


def test_threshold_comes_from_config_and_changes_the_rule():
    df = _table([("A", 0, 5), ("A", 1, 6)])
    p = sup.protect(df, "count", ["area", "month"], threshold_value=6)
    assert _hidden(p) == {("A", 0)}
    assert p.threshold == 6
    assert sup.threshold() == 5  # lagesbild.toml


def test_note_is_swedish_and_counts():
    df = _table([("A", 0, 3), ("A", 1, 9), ("A", 2, 7)])
    p = sup.protect(df, "count", ["area", "month"], margins=[("area",)], threshold_value=5)
    assert p.note().startswith('Antal från 1 till 4 visas som ".."')
    assert "2 värden är dolda, varav 1 för att det annars kunde räknas fram ur summorna" in p.note()
    assert "Inga värden är dolda" in sup.suppression_note(0, 0, 5)


def test_count_suppressed_counts_flags():
    df = pd.DataFrame({"count_suppressed": [True, False, True], "rate_suppressed": [True, False, True]})
    assert sup.count_suppressed(df, ["count"]) == 2
    assert sup.count_suppressed(df) == 4


def test_grid_drops_small_cells_and_merges_them_into_10_km_cells():
    cells = pd.DataFrame({
        "grid_cell": ["6740006580000", "6750006580000", "6760006581000", "6800006600000", "3000006400000"],
        "count": [12, 3, 2, 4, 1],
    })
    g = sup.protect_grid(cells, threshold_value=5)
    f = g.frame
    assert f.loc[~f["merged"], "grid_cell"].tolist() == ["6740006580000"]
    merged = f[f["merged"]]
    # 3 + 2 in the 10 km cell at E 670 000, N 6 580 000; the lone 4 and 1 are dropped.
    assert merged["count"].tolist() == [5] and merged["size_m"].tolist() == [10000]
    assert (merged["e_m"].iloc[0], merged["n_m"].iloc[0]) == (670000, 6580000)
    assert (g.merged_cells, g.hidden_cells) == (2, 2)
    assert not sup.small_count_values(f, ["count"], 5)
    assert "färre än 5" in g.note()
    unmerged = sup.protect_grid(cells, threshold_value=5, merge=False).frame
    assert unmerged["grid_cell"].tolist() == ["6740006580000"]


def test_grid_ids_in_the_other_accepted_forms():
    assert sup.grid_origin("6740006580000") == (674000, 6580000)
    assert sup.grid_origin("6580674") == (674000, 6580000)
    assert sup.grid_origin("1kmN6580E674") == (674000, 6580000)
    assert sup.grid_origin("nonsense") is None
