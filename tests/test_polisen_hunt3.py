"""The police's events feed, hunt 3: updated notices, collectors' repeats, odd answers.

Each test loads an answer written as the feed (or a collector) writes it and checks what
a coordinator then sees: the stored events, the marts and the load report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import rows
from test_polisen import _args, feed  # noqa: F401  (the events API on 127.0.0.1, a fixture)
from test_polisen_hunt2 import _event, _stored, _write

from pipelines.fetch import FetchError
from pipelines.loading import ingest
from pipelines.readers import polisen


def _month_counts(db: Path) -> dict[tuple[str, str], int]:
    """Skåne län's incidents per (month, type) in the month mart."""
    return {(str(m), t): n for m, t, n in rows(
        db, "SELECT month, incident_type, incidents FROM mart_incident_month WHERE level = 'lan' AND area_code = '12'")}


def _lines(path: Path, events: list[dict]) -> Path:
    """A collector's file: one event per line (JSON Lines)."""
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n", encoding="utf-8")
    return path


# --- an updated notice: the latest version is what the police stand by -----------------------

def test_an_update_that_changes_the_type_replaces_the_stored_version_and_its_marts(empty_db, tmp_path):
    first = [_event(7, "Brand", "Malmö", "Skåne län"), _event(8, "Rån", "Lund", "Skåne län")]
    later = [_event(7, "Mord/dråp", "Malmö", "Skåne län", published="2026-11-23 8:01:00 +01:00"),
             _event(8, "Rån", "Lund", "Skåne län")]
    ingest(empty_db, [_write(tmp_path, first, "polisen-events-20261122T210000Z.json")])
    assert _month_counts(empty_db)[("2026-11-01", "brand")] == 1
    [report] = ingest(empty_db, [_write(tmp_path, later, "polisen-events-20261123T080000Z.json")])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    assert stored["polisen:7"][0] == "mord/dråp" and stored["polisen:7"][4] == "Mord/dråp"
    assert stored["polisen:7"][3] == "2026-11-22 21:05"  # the event's time is unchanged
    assert len(stored) == 2
    counts = _month_counts(empty_db)
    assert ("2026-11-01", "brand") not in counts and counts[("2026-11-01", "mord/dråp")] == 1
    text = "\n".join(report.lines)
    assert "1 lagrade händelser ersattes av en uppdaterad version" in text, text
    assert "'Brand' → 'Mord/dråp' (1)" in text, text
    assert "1 rader fanns redan" in text  # event 8, unchanged
    assert (report.rows_new, report.rows_replaced) == (0, 1)


def test_an_update_that_moves_the_event_to_another_month_refreshes_both(empty_db, tmp_path):
    first = [_event(7, "Skottlossning, misstänkt", "Malmö", "Skåne län", when="2026-10-31 23:50",
                    published="2026-11-01 0:20:00 +01:00")]
    # The police correct the day in the name: the shooting was on 1 November.
    later = [_event(7, "Skottlossning", "Malmö", "Skåne län", when="2026-11-01 00:05",
                    published="2026-11-01 9:00:00 +01:00")]
    ingest(empty_db, [_write(tmp_path, first, "polisen-events-20261101T000000Z.json")])
    ingest(empty_db, [_write(tmp_path, later, "polisen-events-20261101T080000Z.json")])
    assert _stored(empty_db)["polisen:7"][3:] == ("2026-11-01 00:05", "Skottlossning")
    counts = _month_counts(empty_db)
    assert ("2026-10-01", "skottlossning") not in counts
    assert counts[("2026-11-01", "skottlossning")] == 1


def test_the_same_answer_loaded_again_after_an_update_adds_and_replaces_nothing(empty_db, tmp_path):
    first = _write(tmp_path, [_event(7, "Brand", "Malmö", "Skåne län")], "polisen-events-20261122T210000Z.json")
    later = _write(tmp_path, [_event(7, "Mord/dråp", "Malmö", "Skåne län", published="2026-11-23 8:01:00 +01:00")],
                   "polisen-events-20261123T080000Z.json")
    ingest(empty_db, [first, later])
    [again] = ingest(empty_db, [later])
    assert again.status == "duplicate"
    assert _stored(empty_db)["polisen:7"][0] == "mord/dråp"
    assert rows(empty_db, "SELECT count(*) FROM incident")[0][0] == 1


def test_an_update_to_a_type_that_is_no_crime_removes_the_stored_event(empty_db, tmp_path):
    # 'Brand' turned out to be an automatic fire alarm: the police no longer stand by a fire.
    ingest(empty_db, [_write(tmp_path, [_event(7, "Brand", "Malmö", "Skåne län"), _event(8, "Rån", "Lund", "Skåne län")],
                             "polisen-events-20261122T210000Z.json")])
    [report] = ingest(empty_db, [_write(tmp_path, [
        _event(7, "Brand automatlarm", "Malmö", "Skåne län", published="2026-11-23 8:01:00 +01:00"),
        _event(9, "Rån", "Lund", "Skåne län")], "polisen-events-20261123T080000Z.json")])
    assert report.status == "ok", report.summary()
    assert set(_stored(empty_db)) == {"polisen:8", "polisen:9"}
    assert ("2026-11-01", "brand") not in _month_counts(empty_db)
    assert "1 lagrade händelser togs bort: uppdateringen ger en typ som inte räknas ('Brand automatlarm' (1))" \
        in "\n".join(report.lines)


def test_an_older_collectors_file_loaded_after_a_fetch_keeps_the_newer_version(empty_db, tmp_path):
    # The hourly fetch stored the police's corrected notice (Mord/dråp, 08:01). A collector's
    # file from the evening before, loaded afterwards to fill a gap, holds the first version
    # (Brand, 21:20) and a type no crime ('Brand automatlarm' of event 9, since updated to a
    # fire): neither may bring back what the police have since changed.
    newer = [_event(7, "Mord/dråp", "Malmö", "Skåne län", published="2026-11-23 8:01:00 +01:00"),
             _event(9, "Brand", "Lund", "Skåne län", published="2026-11-23 8:05:00 +01:00")]
    ingest(empty_db, [_write(tmp_path, newer, "polisen-events-20261123T080000Z.json")])
    collected = [_event(7, "Brand", "Malmö", "Skåne län"), _event(9, "Brand automatlarm", "Lund", "Skåne län"),
                 _event(10, "Rån", "Lund", "Skåne län")]
    [report] = ingest(empty_db, [_lines(tmp_path / "insamlat-2026-11-22.jsonl", collected)])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    assert stored["polisen:7"][0] == "mord/dråp" and stored["polisen:9"][0] == "brand"
    assert set(stored) == {"polisen:7", "polisen:9", "polisen:10"}
    text = "\n".join(report.lines)
    assert "2 händelser i filen är en äldre version än den lagrade" in text, text
    assert "ersattes" not in text and "togs bort" not in text, text
    assert "1 rader fanns redan" in text, text  # event 7's older version; 9's is no crime
    # The newer version loaded again later still wins over nothing: the same answer adds nothing.
    assert ingest(empty_db, [_write(tmp_path, newer, "polisen-events-20261123T080000Z.json")])[0].status == "duplicate"
    # A still newer update replaces it as before.
    [update] = ingest(empty_db, [_write(tmp_path, [_event(7, "Mord/dråp, försök", "Malmö", "Skåne län",
                                                          published="2026-11-23 10:00:00 +01:00")],
                                        "polisen-events-20261123T100000Z.json")])
    assert _stored(empty_db)["polisen:7"][4] == "Mord/dråp, försök"
    assert "'Mord/dråp' → 'Mord/dråp, försök' (1)" in "\n".join(update.lines)


# --- a collector's file with the same id twice ------------------------------------------------

def test_an_id_twice_in_a_collectors_file_is_reported_as_such_and_the_latest_version_kept(empty_db, tmp_path):
    events = [_event(7, "Skottlossning, misstänkt", "Malmö", "Skåne län"),
              _event(8, "Rån", "Lund", "Skåne län"),
              _event(7, "Skottlossning", "Malmö", "Skåne län", published="2026-11-23 8:01:00 +01:00")]
    [report] = ingest(empty_db, [_lines(tmp_path / "events-2026-11-23.jsonl", events)])
    assert report.status == "ok", report.summary()
    assert _stored(empty_db)["polisen:7"][4] == "Skottlossning"
    text = "\n".join(report.lines)
    assert "fanns redan" not in text, text
    assert ("1 händelse stod flera gånger i filen (samma id, en notis och dess uppdatering); den senast "
            "publicerade versionen lästes in: id 7 (rad 1 och 3; rad 3 lästes in)") in text, text


def test_a_later_line_with_an_older_publication_does_not_win(empty_db, tmp_path):
    # Answers appended out of order: the version published last wins, not the line last.
    events = [_event(7, "Skottlossning", "Malmö", "Skåne län", published="2026-11-23 8:01:00 +01:00"),
              _event(7, "Skottlossning, misstänkt", "Malmö", "Skåne län")]
    [report] = ingest(empty_db, [_lines(tmp_path / "events.jsonl", events)])
    assert _stored(empty_db)["polisen:7"][4] == "Skottlossning"
    assert "rad 1 och 2; rad 1 lästes in" in "\n".join(report.lines)


# --- odd answers --------------------------------------------------------------------------

def test_null_and_missing_fields_that_are_not_needed_do_not_reject(empty_db, tmp_path):
    a, b, c = (_event(1, "Rån", "Lund", "Skåne län"), _event(2, "Stöld", "Malmö", "Skåne län"),
               _event(3, "Inbrott", "Ystad", "Skåne län"))
    a["location"]["gps"] = None
    a["summary"] = ""
    del b["summary"], b["url"]
    c["location"] = None  # the place still stands last in name
    [report] = ingest(empty_db, [_write(tmp_path, [a, b, c])])
    assert report.status == "ok" and report.rows_rejected == 0, report.summary()
    assert {k: v[1] for k, v in _stored(empty_db).items()} == {"polisen:1": "1281", "polisen:2": "1280",
                                                                  "polisen:3": "1286"}


def test_html_entities_in_name_and_type_are_read_as_the_characters(empty_db, tmp_path):
    event = _event(1, "Ofredande/förargelse", "Lilla Edet", "Västra Götalands län")
    event["type"] = "Olaga intr&aring;ng/hemfridsbrott"
    event["name"] = "22 november 21.05, Olaga intr&aring;ng/hemfridsbrott, Lilla Edet"
    other = _event(2, "Rån", "Malmö", "Skåne län")
    other["name"] = "22 november 21.05, R&aring;n, Malm&ouml;"
    other["location"]["name"] = "Sk&aring;ne l&auml;n"
    [report] = ingest(empty_db, [_write(tmp_path, [event, other])])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    assert stored["polisen:1"][4] == "Olaga intrång/hemfridsbrott" and stored["polisen:1"][1] == "1462"
    assert stored["polisen:2"][1] == "1280"
    assert "okänd händelsetyp" not in "\n".join(report.lines)


def test_fetch_quotes_the_error_object_the_feed_sends(feed, tmp_path):  # noqa: F811
    feed.answers.append((200, b'{"message": "Ogiltigt v\xc3\xa4rde f\xc3\xb6r DateTime"}'))
    with pytest.raises(FetchError, match="Ogiltigt värde för DateTime"):
        polisen.fetch(_args(date="2026-11"), tmp_path)
    assert feed.requests[0]["query"] == {"DateTime": ["2026-11"]}
    assert list(tmp_path.iterdir()) == []


def test_fetch_calls_a_maintenance_page_a_web_page(feed, tmp_path):  # noqa: F811
    page = b"<!DOCTYPE html><html><head><title>Underh\xc3\xa5ll</title></head><body>Sidan uppdateras</body></html>"
    feed.answers.append((200, page))
    with pytest.raises(FetchError, match="webbsida"):
        polisen.fetch(_args(location="Malmö", event_type="Rån"), tmp_path)
    assert feed.requests[0]["query"] == {"locationname": ["Malmö"], "type": ["Rån"]}


def test_an_hourly_fetch_counts_an_updated_notice_as_replaced(feed, empty_db, capsys):  # noqa: F811
    from pipelines.__main__ import main as cli_main

    first = [_event(7, "Brand", "Malmö", "Skåne län")]
    later = [_event(7, "Mord/dråp", "Malmö", "Skåne län", published="2026-11-23 8:01:00 +01:00")]
    feed.answers += [(200, json.dumps(first, ensure_ascii=False).encode()),
                     (200, json.dumps(later, ensure_ascii=False).encode())]
    argv = ["fetch", "polisen", "--db", str(empty_db)]
    assert cli_main(argv) == 0
    capsys.readouterr()
    assert cli_main(argv) == 0
    out = capsys.readouterr().out
    assert "polisen: 0 nya rader inlästa, 1 lagrat värde ersatt med hämtningens." in out, out
    assert _stored(empty_db)["polisen:7"][0] == "mord/dråp"


def test_an_older_file_reading_the_same_as_the_stored_row_does_not_turn_its_version_back(empty_db, tmp_path):
    # Stored: event 7 as published 08:01 (the police changed only its summary since 21:20).
    # A collector's file with the 21:20 version reads the same, so it is 'fanns redan'; it
    # must not set the stored version back to 21:20, or a 23:00 version ('Brand') loaded
    # next would pass as newer and replace what the police published at 08:01.
    ingest(empty_db, [_write(tmp_path, [_event(7, "Mord/dråp", "Malmö", "Skåne län",
                                               published="2026-11-23 8:01:00 +01:00")],
                             "polisen-events-20261123T080000Z.json")])
    ingest(empty_db, [_lines(tmp_path / "insamlat-a.jsonl", [_event(7, "Mord/dråp", "Malmö", "Skåne län")])])
    assert rows(empty_db, "SELECT strftime(published_at, '%H:%M') FROM incident_version") == [("08:01",)]
    [report] = ingest(empty_db, [_lines(tmp_path / "insamlat-b.jsonl", [
        _event(7, "Brand", "Malmö", "Skåne län", published="2026-11-22 23:00:00 +01:00")])])
    assert _stored(empty_db)["polisen:7"][0] == "mord/dråp"
    assert "1 händelser i filen är en äldre version än den lagrade" in "\n".join(report.lines)
