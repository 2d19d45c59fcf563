"""dashboard/queries/signals.py's per-area counts: every area of a level is hidden (..), 0,
or missing (–) with the reason why, decided in the query layer for Karta and Jämförelse."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.queries import signals

UNREACHED = """WITH single AS (SELECT lpo_code FROM lpo_kommun GROUP BY 1 HAVING count(DISTINCT kommun_code) = 1)
               SELECT area_code FROM area WHERE level = 'kommun'
                 AND area_code NOT IN (SELECT kommun_code FROM lpo_kommun JOIN single USING (lpo_code))"""


def test_the_rule_for_a_count_without_a_row():
    # Areas: a shown count, no row, a hidden count, a kommun recorded per LPO without a
    # count of its own, the same kommun hidden, and one with signals of its own.
    counts = np.array([12.0, np.nan, np.nan, np.nan, np.nan, 7.0])
    hidden = np.array([False, False, True, False, True, False])
    per_lpo = np.array([False, False, False, True, True, True])
    count, shown_hidden, missing = signals.area_cells(counts, hidden, per_lpo, covered=True)
    assert count.tolist() == [12, 0, pd.NA, pd.NA, pd.NA, 7]
    assert shown_hidden.tolist() == hidden.tolist()
    assert missing.tolist() == [None, None, None, signals.PER_LPO, None, None]
    # A period without any month with signals: every count is unknown; a hidden one stays hidden.
    count, shown_hidden, missing = signals.area_cells(counts, hidden, per_lpo, covered=False)
    assert count.isna().all()
    assert shown_hidden.tolist() == hidden.tolist()
    assert missing.tolist() == [signals.OUTSIDE_MONTHS, signals.OUTSIDE_MONTHS, None, signals.OUTSIDE_MONTHS,
                                None, signals.OUTSIDE_MONTHS]


@pytest.fixture
def on_demo(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))


def test_every_area_is_hidden_zero_or_counted(on_demo, raw):
    january = date(2025, 1, 1)
    values = signals.area_values("lpo", january, january).set_index("area_code")
    lpos = {code for (code,) in raw.execute("SELECT area_code FROM area WHERE level = 'lpo'").fetchall()}
    assert set(values.index) == lpos and len(values) == len(lpos)
    truth = dict(raw.execute("""SELECT lpo_code, sum(count) FROM mart_signal
                                WHERE month = '2025-01-01' AND lpo_code IS NOT NULL GROUP BY 1""").fetchall())
    hidden = values[values["count_suppressed"]]
    assert len(hidden) and hidden["count"].isna().all() and hidden["rate"].isna().all()
    assert hidden["rate_suppressed"].all() and hidden["count_missing"].isna().all()
    assert any(1 <= truth.get(code, 0) <= 4 for code in hidden.index)  # a small count is among them
    shown = values[~values["count_suppressed"]]
    assert shown["count_missing"].isna().all()
    assert {code: int(n) for code, n in shown["count"].items()} == {code: int(truth.get(code, 0))
                                                                    for code in shown.index}
    zero = shown[shown["count"] == 0]
    assert len(zero) and all(truth.get(code, 0) == 0 for code in zero.index)
    assert (zero.loc[zero["population_12_17"] > 0, "rate"] == 0).all()


def test_a_kommun_recorded_per_lpo_is_missing_not_zero(on_demo, raw):
    values = signals.area_values("kommun", date(2025, 1, 1), date(2025, 12, 1)).set_index("area_code")
    unreached = {code for (code,) in raw.execute(UNREACHED).fetchall()}
    own = dict(raw.execute("""SELECT kommun_code, sum(count) FROM mart_signal
                              WHERE month BETWEEN '2025-01-01' AND '2025-12-01' AND kommun_code IS NOT NULL
                              GROUP BY 1""").fetchall())
    for code in ("0136", "0138"):  # Haninge, Tyresö: their LPO covers other kommuner too
        assert code in unreached and own.get(code, 0) == 0
        row = values.loc[code]
        assert pd.isna(row["count"]) and not row["count_suppressed"] and pd.isna(row["rate"])
        assert row["count_missing"] == signals.PER_LPO
    missing = values[values["count_missing"] == signals.PER_LPO]
    assert set(missing.index) <= unreached and not missing["count_suppressed"].any()
    # Stockholm has LPOs of its own: its count is its own.
    assert values.at["0180", "count"] == own["0180"] and values.at["0180", "count_missing"] is None


def test_a_period_before_the_signals_is_missing_for_every_area(on_demo, raw):
    assert raw.execute("SELECT min(month) FROM recruitment_signal").fetchone()[0] == date(2019, 1, 1)
    for level in ("kommun", "polisregion"):
        values = signals.area_values(level, date(2018, 1, 1), date(2018, 12, 1))
        (areas,) = raw.execute("SELECT count(*) FROM area WHERE level = ?", [level]).fetchone()
        assert len(values) == areas
        assert values["count"].isna().all() and values["rate"].isna().all()
        assert not values["count_suppressed"].any()
        assert (values["count_missing"] == signals.OUTSIDE_MONTHS).all()
