"""Incidents a source places only in a kommun shared by several LPOs (the police feed
names Stockholm, never Södermalm): an LPO's Översikt and Jämförelse say how many they
cannot count, instead of showing zeros as if nothing happened."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"
PERIOD = {"period": "Välj månader", "fran": "mars 2025", "till": "mars 2025"}


@pytest.fixture
def stockholm_only(empty_db, tmp_path) -> Path:
    from pipelines.loading import ingest

    lines = ["incident_id;occurred_at;incident_type;kommun_code"]
    lines += [f"s{i};2025-03-{10 + i % 20} 12:00;skadegörelse;0180" for i in range(37)]
    csv = tmp_path / "stockholm.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert report.status == "ok", report.summary()
    return empty_db


def open_page(db: Path, page: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("LAGESBILD_DB", str(db))
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
    for k, v in {**PERIOD, **params}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", ["oversikt", "jamforelse"])
def test_an_lpo_says_how_many_incidents_it_cannot_count(stockholm_only, monkeypatch, page):
    at = open_page(stockholm_only, page, monkeypatch, niva="Lokalpolisområde", omrade="Södermalm")
    assert any("37 händelser i kommuner som delas av flera lokalpolisområden" in i.value for i in at.info), \
        [i.value for i in at.info]


def test_the_kommun_itself_needs_no_note(stockholm_only, monkeypatch):
    at = open_page(stockholm_only, "oversikt", monkeypatch, niva="Kommun", omrade="Stockholm")
    assert not any("saknar LPO" in i.value for i in at.info)
    assert next(m for m in at.metric if m.label == "Våld").value == "0"  # skadegörelse is no violence


@pytest.fixture
def stockholm_signals(empty_db, tmp_path) -> Path:
    """Signals recorded for the whole kommun of Stockholm (shared by several LPOs), from
    January 2025 on."""
    from pipelines.loading import ingest

    lines = ["month;area_code;age_band;sex;source;signal_type;count"]
    lines += [f"2025-{m:02d};0180;15-17;M;{source};rekryteringsförsök;{10 + m}"
              for m in range(1, 4) for source in ("polis", "skola")]
    csv = tmp_path / "signaler.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert report.status == "ok", report.summary()
    return empty_db


def test_signals_of_a_shared_kommun_are_named_not_counted(stockholm_signals, monkeypatch):
    params = {"niva": "Lokalpolisområde", "omrade": "Södermalm", "fran": "januari 2025"}
    at = open_page(stockholm_signals, "rekrytering", monkeypatch, **params)
    note = next((i.value for i in at.info if "kan inte föras till ett enskilt lokalpolisområde" in i.value), None)
    assert note is not None, [i.value for i in at.info]
    assert "kommunen Stockholm" in note and not any(ch.isdigit() for ch in note)  # names the area, never a count
    overview = open_page(stockholm_signals, "oversikt", monkeypatch, **params)
    assert any("kan inte föras till ett enskilt lokalpolisområde" in c.value for c in overview.caption)


def test_no_signal_change_against_months_before_the_first_signal(stockholm_signals, monkeypatch):
    at = open_page(stockholm_signals, "oversikt", monkeypatch, niva="Kommun", omrade="Stockholm",
                   fran="januari 2025")
    metric = next(m for m in at.metric if m.label == "Rekryteringssignaler")
    assert metric.value == "72"  # (11 + 12 + 13) from each of two sources
    assert not metric.delta  # 2024 has no signals at all: no change to show
