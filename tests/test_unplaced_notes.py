"""Incidents a source places only in a kommun shared by several LPOs (the police feed
names Stockholm, never Södermalm): an LPO's Översikt and Jämförelse say how many they
cannot count, instead of showing zeros as if nothing happened."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import loaded, open_page

pytestmark = pytest.mark.usefixtures("fast_apptest")

PERIOD = {"period": "Välj månader", "fran": "mars 2025", "till": "mars 2025"}


@pytest.fixture
def stockholm_only(empty_db, tmp_path) -> Path:
    lines = ["incident_id;occurred_at;incident_type;kommun_code"]
    lines += [f"s{i};2025-03-{10 + i % 20} 12:00;skadegörelse;0180" for i in range(37)]
    return loaded(empty_db, tmp_path, "stockholm.csv", lines)


def show(db: Path, name: str, monkeypatch, **params):
    return open_page(db, name, monkeypatch, {**PERIOD, **params})


@pytest.mark.parametrize("page", ["oversikt", "jamforelse"])
def test_an_lpo_says_how_many_incidents_it_cannot_count(stockholm_only, monkeypatch, page):
    at = show(stockholm_only, page, monkeypatch, niva="Lokalpolisområde", omrade="Södermalm")
    assert any("37 händelser i kommuner som delas av flera lokalpolisområden" in i.value for i in at.info), \
        [i.value for i in at.info]


def test_the_kommun_itself_needs_no_note(stockholm_only, monkeypatch):
    at = show(stockholm_only, "oversikt", monkeypatch, niva="Kommun", omrade="Stockholm")
    assert not any("saknar LPO" in i.value for i in at.info)
    assert next(m for m in at.metric if m.label == "Våld").value == "0"  # skadegörelse is no violence


@pytest.fixture
def stockholm_signals(empty_db, tmp_path) -> Path:
    """Signals recorded for the whole kommun of Stockholm (shared by several LPOs), from
    January 2025 on."""
    lines = ["month;area_code;age_band;sex;source;signal_type;count"]
    lines += [f"2025-{m:02d};0180;15-17;M;{source};rekryteringsförsök;{10 + m}"
              for m in range(1, 4) for source in ("polis", "skola")]
    return loaded(empty_db, tmp_path, "signaler.csv", lines)


def test_signals_of_a_shared_kommun_are_named_not_counted(stockholm_signals, monkeypatch):
    params = {"niva": "Lokalpolisområde", "omrade": "Södermalm", "fran": "januari 2025"}
    at = show(stockholm_signals, "rekrytering", monkeypatch, **params)
    note = next((i.value for i in at.info if "kan inte föras till ett enskilt lokalpolisområde" in i.value), None)
    assert note is not None, [i.value for i in at.info]
    assert "kommunen Stockholm" in note and not any(ch.isdigit() for ch in note)  # names the area, never a count
    overview = show(stockholm_signals, "oversikt", monkeypatch, **params)
    assert any("kan inte föras till ett enskilt lokalpolisområde" in c.value for c in overview.caption)


def test_no_signal_change_against_months_before_the_first_signal(stockholm_signals, monkeypatch):
    at = show(stockholm_signals, "oversikt", monkeypatch, niva="Kommun", omrade="Stockholm",
                   fran="januari 2025")
    metric = next(m for m in at.metric if m.label == "Rekryteringssignaler")
    assert metric.value == "72"  # (11 + 12 + 13) from each of two sources
    assert not metric.delta  # 2024 has no signals at all: no change to show


def test_rows_of_zero_signals_name_no_area(empty_db, tmp_path, monkeypatch):
    # An export that lists every kommun, most with 0: a 0 is no signal left out.
    lines = ["month;area_code;age_band;sex;source;signal_type;count",
             "2025-03;0180;15-17;M;skola;rekryteringsförsök;0"]
    db = loaded(empty_db, tmp_path, "nollor.csv", lines)
    at = show(db, "rekrytering", monkeypatch, niva="Lokalpolisområde", omrade="Södermalm")
    assert not any("kan inte föras till" in i.value for i in at.info), [i.value for i in at.info]


@pytest.mark.parametrize(("counts", "expected"), [
    ({"endast län": 1}, "1 händelse har bara län som plats (ingen kommun). Den visas inte på kommunnivå men ingår i "
                        "län, polisregion och riket."),
    ({"endast län": 2}, "2 händelser har bara län som plats (ingen kommun). De visas inte på kommunnivå men ingår i "
                        "län, polisregion och riket."),
    ({"ej fördelade": 1}, "1 händelse i en kommun som delas av flera lokalpolisområden saknar LPO (ej fördelad). Den "
                          "visas inte på kommunnivå men ingår i län, polisregion och riket. Ej fördelade händelser "
                          "fördelas inte efter befolkningsandel, eftersom brott inte följer befolkningen."),
    ({"endast län": 1, "ej fördelade": 1}, "1 händelse har bara län som plats (ingen kommun); 1 händelse i en kommun "
                                           "som delas av flera lokalpolisområden saknar LPO (ej fördelad). De visas "
                                           "inte på kommunnivå men ingår i län, polisregion och riket. Ej fördelade "
                                           "händelser fördelas inte efter befolkningsandel, eftersom brott inte "
                                           "följer befolkningen."),
])
def test_the_note_is_in_the_singular_for_one_incident(counts, expected):
    from dashboard.queries import incidents

    assert incidents.unplaced_note(counts, "kommun") == expected
