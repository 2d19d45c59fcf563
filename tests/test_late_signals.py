"""Late signals: a delivery that adds signals to a month already published.

Release 1 has the demo's signals to October 2025, every month of 2025 published on its
own. Release 2 is the same data with a late delivery for August: one more signal for one
LPO (a change of 1) and six more for another (a change of 6). A reader holding both
releases subtracts them: wherever a value is shown in both, the difference is the count
delivered late, and a difference from 1 to threshold − 1 is a small count given away.
"""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from dashboard import signal_layers, suppression
from pipelines import marts

# The whole module runs on one xdist worker, so that the October release and its late deliveries (about 14 s)
# are built once, not once on each worker (--dist loadgroup spreads ungrouped tests over both).
pytestmark = pytest.mark.xdist_group("test_late_signals")

POLICE = signal_layers.CHAINS["police"]
AUGUST = (date(2025, 8, 1), date(2025, 8, 1))
EVERY = (None, *signal_layers.DIMENSIONS)


def _published(con) -> dict:
    def run_sql(sql, params=None):
        return con.execute(sql, params or {}).df()

    return signal_layers.published_layers(run_sql, "police", *AUGUST, "month", EVERY)


def _cells(layer: suppression.Protected) -> dict:
    return signal_layers._cell_values(layer)


@pytest.fixture(scope="module")
def october(demo_db, tmp_path_factory):
    """The first release of most tests here: the demo's signals of 2025 to October, each
    month published on its own (protected once for the module; each test takes a copy)."""
    db = tmp_path_factory.mktemp("october") / "october.duckdb"
    shutil.copy(demo_db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM recruitment_signal WHERE month < DATE '2025-01-01' OR month >= DATE '2025-11-01'")
        marts.refresh(con, {"recruitment_signal": None})
        con.execute("CHECKPOINT")
    return db


def _copy(db, folder):
    copy = folder / "release.duckdb"
    shutil.copy(db, copy)
    return duckdb.connect(str(copy))


def _deliver(con, demo_db, month: date) -> None:
    """The demo's signals of ``month``, added as a load would (the marts not yet refreshed)."""
    con.execute(f"ATTACH '{demo_db}' AS demo (READ_ONLY)")
    con.execute("INSERT INTO recruitment_signal SELECT * FROM demo.recruitment_signal WHERE month = ?", [month])
    con.execute("DETACH demo")


@pytest.fixture(scope="module")
def releases(october, tmp_path_factory):
    con = _copy(october, tmp_path_factory.mktemp("late"))
    first = _published(con)
    # The late delivery: the two LPOs with the most signals in August, so that both are
    # shown before it (the change, not the count, is what is small).
    big = con.execute("""SELECT area_code FROM recruitment_signal WHERE month = DATE '2025-08-01'
                         GROUP BY area_code ORDER BY sum(count) DESC, area_code LIMIT 2""").fetchall()
    (one,), (six,) = big
    for area, added in ((one, 1), (six, 6)):
        con.execute("""UPDATE recruitment_signal SET count = count + ? WHERE rowid = (
                           SELECT min(rowid) FROM recruitment_signal WHERE month = DATE '2025-08-01'
                           AND area_code = ?)""", [added, area])
    marts.refresh(con, {"recruitment_signal": None})
    second = _published(con)
    con.close()
    return first, second, one, six


def _lpo_cell(layer, lpo_code):
    return next((cell, v) for cell, v in _cells(layer).items()
                if cell[0] == (*POLICE, "period") and cell[1][2] == lpo_code)


def test_no_value_shown_in_both_releases_differs_by_a_small_count(releases):
    first, second, *_ = releases
    t = suppression.threshold()
    compared = differing = 0
    for d in EVERY:
        before, after = _cells(first[d]), _cells(second[d])
        for cell, was in before.items():
            now = after.get(cell)
            if was is None or now is None:
                continue
            compared += 1
            differing += now != was
            assert now == was or abs(now - was) >= t, (d, cell, was, now)
    assert compared > 500 and differing > 0  # the six late signals show where they may


def test_what_was_hidden_stays_hidden(releases):
    first, second, *_ = releases
    for d in EVERY:
        after = _cells(second[d])
        hidden = [cell for cell, v in _cells(first[d]).items() if v is None]
        assert hidden and all(after.get(cell, 0) is None for cell in hidden), d


def test_the_lpo_with_one_late_signal_hides_and_the_one_with_six_shows_its_new_count(releases):
    first, second, one, six = releases
    national_before, national_after = first[None], second[None]
    codes = {cell[1][2] for cell in _cells(national_before) if cell[0] == (*POLICE, "period")}
    # area_code in recruitment_signal is the LPO code itself in the demo.
    assert one in codes and six in codes, (one, six)
    (_, one_before), (_, one_after) = _lpo_cell(national_before, one), _lpo_cell(national_after, one)
    (_, six_before), (_, six_after) = _lpo_cell(national_before, six), _lpo_cell(national_after, six)
    assert one_before is not None and one_after is None
    assert six_before is not None and six_after == six_before + 6


def test_the_second_release_gives_no_hidden_value_away(releases):
    from test_disclosure_joint import _worked_out  # an independent check

    _, second, *_ = releases
    for d in signal_layers.DIMENSIONS:
        assert _worked_out(second[d], POLICE).empty, d


def test_late_signals_arriving_with_december_change_only_what_they_may_in_the_whole_year(october, demo_db, tmp_path):
    # Release 1 has 2025 to November, each month published on its own. Release 2 brings
    # December, and with it one more signal for August in the LPO with the most: the whole
    # year is then protected with its months' earlier cells, and August's changed value
    # must not show beside the one November's release showed.
    con = _copy(october, tmp_path)
    _deliver(con, demo_db, date(2025, 11, 1))
    marts.refresh(con, {"recruitment_signal": None})
    before = _published(con)[None]
    (area,) = con.execute("""SELECT area_code FROM recruitment_signal WHERE month = DATE '2025-08-01'
                             GROUP BY area_code ORDER BY sum(count) DESC, area_code LIMIT 1""").fetchone()
    con.execute("""UPDATE recruitment_signal SET count = count + 1 WHERE rowid = (
                       SELECT min(rowid) FROM recruitment_signal WHERE month = DATE '2025-08-01' AND area_code = ?)""",
                [area])
    _deliver(con, demo_db, date(2025, 12, 1))
    marts.refresh(con, {"recruitment_signal": None})

    def run_sql(sql, params=None):
        return con.execute(sql, params or {}).df()

    year = signal_layers.published_layers(run_sql, "police", date(2025, 1, 1), date(2025, 12, 1), "month", (None,))
    con.close()
    assert year is not None  # December is in: the year is published whole
    after = _cells(year[None])
    t = suppression.threshold()
    compared = 0
    # August's cells (a month's total over its one month is no cell of the year's).
    for cell, was in _cells(before).items():
        if "period" not in cell[0]:
            continue
        now = after.get(cell, 0)
        if was is not None and now is not None:
            compared += 1
            assert now == was or abs(now - was) >= t, (cell, was, now)
        if was is None:
            assert now is None, cell  # hidden stays hidden
    assert compared > 50
    assert _lpo_cell(before, area)[1] is not None and after[_lpo_cell(before, area)[0]] is None


def test_an_addition_and_then_a_removal_change_no_value_by_a_small_count_over_three_releases(october, tmp_path):
    # Release 2 adds seven signals to August in the LPO with the most, release 3 removes
    # five of them (a corrected file). Each release differs from the one before by 7 or
    # 5, which may be shown; the first and the third differ by 2, which may not.
    con = _copy(october, tmp_path)
    first = _published(con)
    (area,) = con.execute("""SELECT area_code FROM recruitment_signal WHERE month = DATE '2025-08-01'
                             GROUP BY area_code ORDER BY sum(count) DESC, area_code LIMIT 1""").fetchone()
    (row,) = con.execute("""SELECT min(rowid) FROM recruitment_signal WHERE month = DATE '2025-08-01'
                            AND area_code = ?""", [area]).fetchone()
    releases = [first]
    for change in (7, -5):
        con.execute("UPDATE recruitment_signal SET count = count + ? WHERE rowid = ?", [change, row])
        marts.refresh(con, {"recruitment_signal": None})
        releases.append(_published(con))
    con.close()
    first, second, third = releases
    lpo_first, lpo_second = _lpo_cell(first[None], area)[1], _lpo_cell(second[None], area)[1]
    assert lpo_first is not None and lpo_second == lpo_first + 7  # a change of 7 may show
    t = suppression.threshold()
    compared = 0
    for d in EVERY:
        later = _cells(third[d])
        for earlier in (first, second):
            for cell, was in _cells(earlier[d]).items():
                now = later.get(cell)
                if was is None or now is None:
                    continue
                compared += 1
                assert now == was or abs(now - was) >= t, (d, cell, was, now)
    assert compared > 500
    assert _lpo_cell(third[None], area)[1] is None  # 2 more than the first release showed


def test_a_late_delivery_changes_no_lan_or_kommun_value_by_a_small_count(october, tmp_path):
    # Västra Götalands län is Region Väst minus Polisområde Halland. Nine late signals for
    # Halland and three for Göteborg change the region by 12 and Halland by 9, which may
    # show; the län, their difference, changes by 3 (117, then 120, before the check),
    # and each police value behind it is shown.
    con = _copy(october, tmp_path)

    def run_sql(sql, params=None):
        return con.execute(sql, params or {}).df()

    def published():
        return {chain: signal_layers.published_layers(run_sql, chain, *AUGUST, "month", EVERY)
                for chain in signal_layers.CHAINS}

    first = published()
    for polisomrade, added in (("PO-HALLAND", 9), ("PO-STORGOTEBORG", 3)):
        (lpo,) = con.execute("""SELECT lpo_code FROM mart_signal WHERE month = DATE '2025-08-01'
                                AND polisomrade_code = ? GROUP BY lpo_code
                                ORDER BY sum(count) DESC, lpo_code LIMIT 1""", [polisomrade]).fetchone()
        con.execute("""UPDATE recruitment_signal SET count = count + ? WHERE rowid = (
                           SELECT min(rowid) FROM recruitment_signal WHERE month = DATE '2025-08-01'
                           AND area_code = ?)""", [added, lpo])
    marts.refresh(con, {"recruitment_signal": None})
    second = published()
    con.close()
    t = suppression.threshold()
    compared = {}
    for chain in signal_layers.CHAINS:
        for d in EVERY:
            before, after = _cells(first[chain][d]), _cells(second[chain][d])
            for cell, was in before.items():
                now = after.get(cell)
                if was is not None and now is not None:
                    compared[chain] = compared.get(chain, 0) + 1
                    assert now == was or abs(now - was) >= t, (chain, d, cell, was, now)
    assert min(compared.values()) > 300
    lan_august = ((*signal_layers.CHAINS["admin"][:2], "period"), ("VAST", "14", "2025-08"))
    assert _cells(first["admin"][None])[lan_august] is not None  # shown before the delivery

    from test_disclosure_joint import _worked_out  # and the release gives nothing hidden away

    for d in signal_layers.DIMENSIONS:
        assert _worked_out(second["police"][d], POLICE).empty, d


def test_months_filled_in_before_a_published_year_do_not_show_as_the_new_total_minus_the_old(demo_db, tmp_path):
    # Release 1 has 2025 from March: the year is published as March–December. Release 2
    # fills in January and February. A reader subtracting the first release's totals
    # over March–December from the second's over the whole year gets each area's January
    # and February, so no total may differ from the one shown before by 1 to 4.
    db = tmp_path / "backfill.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))

    def run_sql(sql, params=None):
        return con.execute(sql, params or {}).df()

    con.execute("DELETE FROM recruitment_signal WHERE month < DATE '2025-01-01' OR month >= DATE '2026-01-01'")
    held = con.execute("SELECT * FROM recruitment_signal WHERE month < DATE '2025-03-01'").df()
    con.execute("DELETE FROM recruitment_signal WHERE month < DATE '2025-03-01'")
    marts.refresh(con, {"recruitment_signal": None})
    before = {chain: signal_layers.published_layers(run_sql, chain, date(2025, 3, 1), date(2025, 12, 1), "month",
                                                    EVERY) for chain in signal_layers.CHAINS}
    con.register("_held", held)
    con.execute("INSERT INTO recruitment_signal SELECT * FROM _held")
    marts.refresh(con, {"recruitment_signal": None})
    after = {chain: signal_layers.published_layers(run_sql, chain, date(2025, 1, 1), date(2025, 12, 1), "month",
                                                   EVERY) for chain in signal_layers.CHAINS}
    con.close()
    assert None not in before.values() and None not in after.values()
    t = suppression.threshold()
    compared = differing = 0
    for chain in signal_layers.CHAINS:
        for d in EVERY:
            now = _cells(after[chain][d])
            for cell, was in _cells(before[chain][d]).items():
                if "period" in cell[0] or was is None or now.get(cell) is None:
                    continue
                compared += 1
                differing += now[cell] != was
                assert now[cell] == was or abs(now[cell] - was) >= t, (chain, d, cell, was, now[cell])
    assert compared > 100 and differing > 100
