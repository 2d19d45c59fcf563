"""Översikt's headline cards: what each card counts and what its change compares with,
said on the page (the change of "Åtgärder uppnådda" never sets a plan year against
itself)."""

from __future__ import annotations

import pytest
from helpers import open_page
from helpers import swedish_number as number

pytestmark = pytest.mark.usefixtures("fast_apptest")

STOCKHOLM = {"niva": "Polisregion", "omrade": "Region Stockholm", "period": "Välj månader"}


def plan_shares(raw, years) -> tuple[int, int]:
    """(uppnådd, all measures) in Region Stockholm's plans of ``years``."""
    return raw.execute(
        """SELECT count(*) FILTER (WHERE m.status = 'uppnådd'), count(*)
           FROM measure m JOIN plan p USING (plan_id)
           JOIN area k ON k.area_code = p.kommun_code JOIN area l ON l.area_code = k.parent_code
           WHERE l.parent_code = 'STOCKHOLM' AND list_contains(?, p.year)""", [list(years)]).fetchone()


def card(at, label):
    return next(m for m in at.metric if m.label == label)


def test_a_plan_year_is_compared_with_the_plan_year_before(demo_db, raw, monkeypatch):
    at = open_page(demo_db, "oversikt", monkeypatch, {**STOCKHOLM, "fran": "januari 2025", "till": "september 2025"})
    (done, total), (done_before, total_before) = plan_shares(raw, [2025]), plan_shares(raw, [2024])
    shown = card(at, "Åtgärder uppnådda")
    assert number(shown.value) == pytest.approx(round(done / total * 100, 1))
    assert number(shown.delta.replace("p.e.", "")) == pytest.approx(
        round((done / total - done_before / total_before) * 100, 1))
    assert any("mot planerna för 2024" in c.value for c in at.caption)


def test_overlapping_plan_years_show_no_change(demo_db, raw, monkeypatch):
    # October 2024 – September 2025 holds the 2024 and 2025 plans; a year earlier would be
    # 2023 and 2024, which shares the 2024 plan: no change, and the page says why.
    at = open_page(demo_db, "oversikt", monkeypatch, {**STOCKHOLM, "fran": "oktober 2024", "till": "september 2025"})
    done, total = plan_shares(raw, [2024, 2025])
    shown = card(at, "Åtgärder uppnådda")
    assert number(shown.value) == pytest.approx(round(done / total * 100, 1))
    assert not shown.delta
    said = " ".join(c.value for c in at.caption)
    assert "för 2024–2025" in said and "Ingen förändring visas" in said and "delar planåret 2024" in said


def region_count(raw, types, start, end) -> int:
    return raw.execute(
        """SELECT count(*) FROM incident i JOIN area l ON l.area_code = i.lan_code
           WHERE l.parent_code = 'STOCKHOLM' AND list_contains(?, incident_type)
             AND occurred_at >= ? AND occurred_at < ?""", [list(types), start, end]).fetchone()[0]


def test_chosen_incident_types_get_a_card_and_the_fixed_cards_say_they_do_not_follow(demo_db, raw, monkeypatch):
    params = {**STOCKHOLM, "fran": "januari 2025", "till": "september 2025", "typ": ["stöld", "inbrott"]}
    at = open_page(demo_db, "oversikt", monkeypatch, params)
    chosen = card(at, "Valda händelsetyper: inbrott, stöld")
    now = region_count(raw, ("stöld", "inbrott"), "2025-01-01", "2025-10-01")
    before = region_count(raw, ("stöld", "inbrott"), "2024-01-01", "2024-10-01")
    assert number(chosen.value) == now
    assert number(chosen.delta.split(" (")[0]) == now - before
    # The fixed cards still count their own types, and the page says so.
    shootings = card(at, "Skjutningar")
    assert number(shootings.value) == region_count(raw, ("skottlossning",), "2025-01-01", "2025-10-01")
    assert "Följer inte valet av händelsetyper" in shootings.help
    said = " ".join(c.value for c in at.caption)
    assert "Korten nedan räknar alltid sina egna typer och följer inte valet" in said


def test_without_chosen_types_there_is_no_card_for_them(demo_db, monkeypatch):
    at = open_page(demo_db, "oversikt", monkeypatch, {**STOCKHOLM, "fran": "januari 2025", "till": "september 2025"})
    assert [m.label for m in at.metric] == ["Skjutningar", "Explosioner", "Våld", "Rekryteringssignaler",
                                            "Åtgärder uppnådda"]
