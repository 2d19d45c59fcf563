"""fetch says what a run really did (new rows, replaced values), and status shows when
each live source was last fetched and whether that fetch brought anything."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import digest, rows

from pipelines.fetch import FetchError, NothingToLoad, fetch_log_path
from pipelines.fetch import main as fetch_main
from pipelines.readers import kolada, polisen
from pipelines.status import format_report, status_report


def _kolada_answer(values: dict[tuple[str, int], float]):
    """A fake ``kolada.fetch`` saving an answer with these (kommun, year) -> value."""
    def fetch(args, dest):
        doc = {"count": len(values), "values": [
            {"kpi": "N07403", "municipality": k, "period": y,
             "values": [{"count": 1, "gender": "T", "status": "", "value": v, "isdeleted": False}]}
            for (k, y), v in values.items()]}
        path = Path(dest) / f"kolada-N07403-{min(y for _, y in values)}-{max(y for _, y in values)}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        return [path]
    return fetch


def _fetch(db: Path, source: str = "kolada") -> int:
    return fetch_main(SimpleNamespace(source=source, args=[], years=None, save=None, db=str(db)))


def _status(db: Path) -> str:
    return format_report(status_report(db))


def test_refetch_with_changed_figures_says_values_were_replaced(empty_db, monkeypatch, capsys):
    first = {("0114", 2023): 1012.9, ("0180", 2023): 1587.4, ("1280", 2023): 1400.0}
    monkeypatch.setattr(kolada, "fetch", _kolada_answer(first))
    assert _fetch(empty_db) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "kolada: 3 nya rader inlästa."
    # Kolada revised two figures: the same ids and years fetched again.
    monkeypatch.setattr(kolada, "fetch", _kolada_answer({**first, ("0114", 2023): 1020.0, ("0180", 2023): 1590.0}))
    assert _fetch(empty_db) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "kolada: 0 nya rader inlästa, 3 lagrade värden ersatta med hämtningens."
    assert "3 rader ersatte lagrade värden med samma nyckel" in out
    assert rows(empty_db, "SELECT kommun_code, value FROM kolada_value ORDER BY 1") == [
        ("0114", 1020.0), ("0180", 1590.0), ("1280", 1400.0)]


def test_overlapping_fetch_counts_new_and_replaced_once(empty_db, monkeypatch, capsys):
    monkeypatch.setattr(kolada, "fetch", _kolada_answer({("0114", 2022): 1.0, ("0114", 2023): 2.0}))
    assert _fetch(empty_db) == 0
    # Another year range (another file name): 2023 is stored already, 2024 is new.
    monkeypatch.setattr(kolada, "fetch", _kolada_answer({("0114", 2023): 3.0, ("0114", 2024): 4.0}))
    assert _fetch(empty_db) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "kolada: 1 ny rad inläst, 1 lagrat värde ersatt med hämtningens.")
    assert rows(empty_db, "SELECT year, value FROM kolada_value ORDER BY 1") == [(2022, 1.0), (2023, 3.0), (2024, 4.0)]
    assert "senast hämtad" in _status(empty_db) and "(1 nya rader, 1 värden ersatta)" in _status(empty_db)


def test_empty_fetch_is_shown_by_status_and_leaves_the_database_as_it_was(empty_db, monkeypatch, capsys):
    monkeypatch.setattr(kolada, "fetch", _kolada_answer({("0114", 2023): 1.0}))
    assert _fetch(empty_db) == 0

    def nothing(args, dest):
        raise NothingToLoad("polisen: inga händelser i svaret (inga filter). Inget lästes in; databasen är oförändrad.")

    monkeypatch.setattr(polisen, "fetch", nothing)
    before = digest(empty_db)
    assert _fetch(empty_db, "polisen") == 0
    assert digest(empty_db) == before
    lines = {line.split()[0]: line for line in _status(empty_db).splitlines() if line.startswith("  ") and "hämtad" in line}
    assert "(inget nytt)" in lines["polisen"] and "inget nytt sedan hämtningarna började loggas" in lines["polisen"]
    assert "(1 nya rader)" in lines["kolada"] and "senast inläst" in lines["kolada"]
    assert "aldrig hämtad" in _status(empty_db).split("scb", 1)[1].splitlines()[0]


def test_failed_fetch_is_recorded_and_keeps_when_it_last_brought_something(empty_db, monkeypatch):
    monkeypatch.setattr(kolada, "fetch", _kolada_answer({("0114", 2023): 1.0}))
    assert _fetch(empty_db) == 0
    brought = json.loads(fetch_log_path(empty_db).read_text(encoding="utf-8"))["kolada"]["last_new_at"]

    def unreachable(args, dest):
        raise FetchError("Kolada kunde inte nås (ConnectionError). Försök igen senare.")

    monkeypatch.setattr(kolada, "fetch", unreachable)
    with pytest.raises(FetchError):
        _fetch(empty_db)
    status = _status(empty_db)
    assert "(misslyckades)" in status and f"senast med nytt {brought}" in status
    # Only outcomes, counts and times are recorded: never the API's answer or message.
    assert "ConnectionError" not in fetch_log_path(empty_db).read_text(encoding="utf-8")


def test_status_without_a_fetch_log_uses_the_fetched_loads(empty_db, monkeypatch):
    monkeypatch.setattr(kolada, "fetch", _kolada_answer({("0114", 2023): 1.0, ("0180", 2023): 2.0}))
    assert _fetch(empty_db) == 0
    fetch_log_path(empty_db).unlink()  # a warehouse fetched before fetches were recorded
    line = next(x for x in _status(empty_db).splitlines() if x.startswith("  kolada "))
    assert "senast inläst" in line and "(2 rader, load 1)" in line and "senast hämtad" not in line
