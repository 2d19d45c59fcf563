"""Fixed publication periods (dashboard/signal_layers.py: publication_spans, derive): every
recruitment-signal value a page shows is a sum of values the calendar years' protected
layers show, so no two periods, grains or pages can be combined to give away a value
those layers hide.

Before, each chosen period was protected on its own, and a reviewer found Norra Bohuslän
with 10 signals in 2025 and 9 in February–December: January's 1, in two clicks.
"""

from __future__ import annotations

import random
from datetime import date

import duckdb
import pandas as pd
import pytest
from helpers import Attacker

from dashboard import signal_layers, suppression
from dashboard.periods import shift_months
from dashboard.queries import signals

POLICE = signal_layers.CHAINS["police"]


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def run_sql(con):
    return lambda sql, params=None: con.execute(sql, params or {}).df()


@pytest.fixture(scope="module")
def span(con):
    return con.execute("SELECT min(month), max(month) FROM mart_signal").fetchone()


def _cells(layer: suppression.Protected, grouping) -> dict:
    """(key, period) -> (count or None when hidden) for one grouping's cells."""
    keys, values, hidden, _ = layer.entries(grouping)
    return {key: (None if h else v) for key, v, h in zip(keys, values, hidden, strict=True)}


@pytest.mark.parametrize("chain", ["police", "admin"])
def test_a_year_and_the_year_but_one_month_never_give_that_month_away(run_sql, span, chain):
    # The reviewer's attack for every area and every month at an end of 2025: where both
    # the year's total and the total without that month are shown, the month itself is
    # shown in the month view, so the subtraction tells nothing new.
    cols = signal_layers.CHAINS[chain]
    year = signal_layers.period_layer(run_sql, chain, date(2025, 1, 1), date(2025, 12, 1), "month", None, *span)
    checked = 0
    for lo, hi, month in ((date(2025, 2, 1), date(2025, 12, 1), "2025-01"),
                          (date(2025, 1, 1), date(2025, 11, 1), "2025-12")):
        part = signal_layers.period_layer(run_sql, chain, lo, hi, None, None, *span)
        for k in range(1, len(cols) + 1):
            whole, rest = _cells(year, cols[:k]), _cells(part, cols[:k])
            months = _cells(year, (*cols[:k], "period"))
            for key, total in whole.items():
                without = rest.get(key, 0)
                if total is None or without is None:
                    continue
                shown_month = months.get((*key, month), 0)
                assert shown_month is not None, (chain, key, month, total, without)
                assert total - without == shown_month
                checked += 1
    assert checked > 50


def test_no_combination_of_periods_and_grains_gives_a_hidden_value_away(run_sql, span):
    # An attacker with every police page's totals for many periods at once (calendar years,
    # quarters, months, the quick periods and periods of their own across the turn of
    # the year) and the calendar years' own layers: no value the years hide can be
    # worked out (exact linear algebra over every LPO × month, 2024-2025), and no count
    # from 1 to threshold - 1 is shown.
    first, last = date(2024, 1, 1), date(2025, 12, 1)
    months = pd.date_range(first, last, freq="MS").strftime("%Y-%m").tolist()
    leaves = run_sql(f"SELECT DISTINCT {', '.join(POLICE)} FROM mart_signal WHERE month BETWEEN $a AND $b",
                     {"a": first, "b": last})
    attacker = Attacker([tuple(None if pd.isna(v) else v for v in row) for row in leaves.itertuples(index=False)],
                        months)
    for lo, hi in signal_layers.publication_spans(first, last, *span):
        attacker.read(signal_layers.base_layer(run_sql, "police", lo, hi, None), lo, hi, "month", base=True)
    rng = random.Random(7)
    periods = [(date(2024, 1, 1), date(2025, 12, 1), "quarter"), (date(2025, 1, 1), date(2025, 12, 1), "year"),
               (date(2024, 12, 1), date(2025, 11, 1), None), (date(2025, 2, 1), date(2025, 12, 1), None),
               (date(2024, 7, 1), date(2025, 6, 1), "quarter")]
    for _ in range(12):
        a = rng.randrange(len(months))
        b = rng.randrange(a, len(months))
        periods.append((shift_months(first, a), shift_months(first, b), rng.choice([None, *signal_layers.GRAINS])))
    for lo, hi, grain in periods:
        attacker.read(signal_layers.period_layer(run_sql, "police", lo, hi, grain, None, *span), lo, hi, grain,
                      base=False)

    assert len(attacker.hidden) > 100 and attacker.given_away() == []


def test_the_page_reads_a_period_of_its_own_as_sums_of_the_years(demo_db, monkeypatch):
    # Through the query layer the pages use: March-August 2025 per month is 2025's months
    # as the year's layer shows them, and its total a sum of what that layer shows.
    from dashboard.filters import Selection

    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    sel = Selection("polisregion", "NORD", date(2025, 3, 1), date(2025, 8, 1))
    page = signals.signal_page(sel, None, "month")
    months = signals._layer(signals.db_key(), "police", date(2025, 1, 1), date(2025, 12, 1), "month", None)
    mine = signals._area_rows(months, "polisregion", "NORD", with_period=True)
    expected = dict(zip(mine["period"], mine["count"].astype(object), strict=True))
    trend = page.trend.set_index("period")["count"].astype(object)
    for period, value in trend.items():
        assert (value is pd.NA) == (expected.get(period, 0) is pd.NA)
        if value is not pd.NA:
            assert value == expected.get(period, 0)
    total = page.summary["count"].iloc[0]
    truth = int(signals.run("""SELECT sum(count) FROM mart_signal WHERE polisregion_code = 'NORD'
                              AND month BETWEEN '2025-03-01' AND '2025-08-01'""", key=signals.db_key()).iat[0, 0])
    assert total is pd.NA or total == truth
    if all(v is not pd.NA for v in trend):
        assert total == sum(trend) == truth


def test_the_pages_say_why_a_period_across_the_turn_of_the_year_hides_more(demo_db, monkeypatch):
    # December 2024-November 2025 holds one month of 2024: an LPO's total there is hidden
    # wherever its December is, and Översikt and Karta say why and what shows more.
    from helpers import open_page

    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    months = {"period": "Välj månader", "fran": "december 2024", "till": "november 2025"}
    layer = signals._layer(signals.db_key(), "police", date(2024, 12, 1), date(2025, 11, 1), None, None)
    lpos = layer.table(POLICE)
    hidden = lpos.loc[lpos["count_suppressed"], "lpo_code"].tolist()
    assert len(hidden) > 10
    from dashboard.queries import geo

    at = open_page(demo_db, "oversikt", monkeypatch,
                   {**months, "niva": "Lokalpolisområde", "omrade": geo.area_name(hidden[0])})
    assert any("delar ett kalenderår" in c.value and "under Period" in c.value for c in at.caption)
    at = open_page(demo_db, "karta", monkeypatch, {**months, "karta_niva": "Lokalpolisområde",
                                                    "matt": "Rekryteringssignaler"})
    assert any("delar ett kalenderår" in i.value for i in at.info)
    # A whole year: nothing to say.
    at = open_page(demo_db, "karta", monkeypatch, {"period": "Välj månader", "fran": "januari 2025",
                                                    "till": "december 2025", "karta_niva": "Lokalpolisområde",
                                                    "matt": "Rekryteringssignaler"})
    assert not any("delar ett kalenderår" in i.value for i in at.info)


@pytest.mark.parametrize("chain", ["police", "admin"])
@pytest.mark.parametrize("dimension", [None, "sex", "age_band"])
def test_a_whole_year_per_month_is_exactly_the_years_layer(run_sql, chain, dimension):
    # Summing a year's months one by one changes nothing: every cell, hidden or shown,
    # its reason and the counts of hidden values are the year's layer's.
    lo, hi = date(2025, 1, 1), date(2025, 12, 1)
    base = signal_layers.base_layer(run_sql, chain, lo, hi, dimension)
    derived = signal_layers.derive([(lo, hi, base)], lo, hi, "month")

    def cells(layer):
        c = layer.cells
        c = c[~((c["count"].fillna(-1) == 0) & ~c["count_suppressed"])]   # a shown 0 is as good as none
        c = c.astype({k: object for k in base.dims}).assign(reason=c["reason"].fillna(""))
        c = c.assign(**{k: c[k].map(lambda x: None if pd.isna(x) else x) for k in base.dims})
        return c.sort_values(["grouping", *base.dims], key=lambda s: s.astype(str)).reset_index(drop=True)[
            ["grouping", *base.dims, "count", "count_suppressed", "reason"]]

    pd.testing.assert_frame_equal(cells(derived), cells(base), check_dtype=False)
    assert (derived.primary, derived.secondary, derived.suppressed_share) == \
        (base.primary, base.secondary, base.suppressed_share)
    assert base.suppressed > 50
