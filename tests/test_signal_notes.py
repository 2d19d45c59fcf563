"""What the pages say about hidden recruitment signals since every value is summed from the
calendar years' protected values (docs/disclosure.md, "Fixed publication periods"), read
as a user reads them on the tests' demo (signals through December 2025).

Found by a review walking the pages as an LPO safety coordinator, a regional analyst and a
länsstyrelse analyst.
"""

from __future__ import annotations

import pytest
from helpers import open_page

pytestmark = pytest.mark.usefixtures("fast_apptest")


def _lpo(demo_db, monkeypatch, name: str, months: dict, **params):
    return open_page(demo_db, "rekrytering", monkeypatch, {"niva": "Lokalpolisområde", "omrade": name, **months,
                                                           **params})


def test_an_lpo_without_signals_in_the_period_shows_0_for_the_whole_period(demo_db, raw, monkeypatch):
    # Härjedalen had no signals in March–August 2025: its trend showed 0 each month and
    # "Hela perioden" an empty table.
    assert raw.execute("""SELECT coalesce(sum(count), 0) FROM mart_signal
                          WHERE lpo_code = 'LPO-HARJEDALEN' AND month BETWEEN '2025-03-01' AND '2025-08-01'
                       """).fetchone()[0] == 0
    at = _lpo(demo_db, monkeypatch, "Härjedalen", {"period": "Välj månader", "fran": "mars 2025",
                                                   "till": "augusti 2025"})
    whole = at.dataframe[0].value
    assert whole["Totalt"].tolist() == ["Totalt"] and whole["Antal"].tolist() == ["0"]
    assert set(at.dataframe[1].value["Antal"]) == {"0"}
