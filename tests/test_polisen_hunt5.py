"""The police's events feed, hunt 5: a personnummer behind HTML character references, and
notices the police update (a removal that must stick, an update that changes only the time
of publication)."""

from __future__ import annotations

import json

from helpers import digest, refused, rows
from test_polisen_hunt2 import _event, _stored, _write

from pipelines.loading import ingest
from pipelines.personnummer import contains_personnummer

# 850101-1236: a valid date and check digit.
NUMBER = "850101-1236"


def test_a_personnummer_written_with_html_references_is_refused(empty_db, tmp_path):
    # The feed's texts come from its web pages and now and then keep HTML references, which
    # the reader turns into characters before it stores them: the number must be found
    # as it is shown, not only as it is written.
    for field, written in (("type", NUMBER.replace("-", "&#45;")), ("name", NUMBER.replace("-", "&nbsp;")),
                           ("summary", NUMBER.replace("-", "&#x2D;"))):
        event = _event(1, "Rån", "Malmö", "Skåne län")
        event[field] = f"{event[field]} {written}"
        message = refused(empty_db, _write(tmp_path, [event], f"polisen-{field}.json"))
        assert f"händelse 1, fält '{field}'" in message and "personnummer" in message
        assert "1236" not in message
    assert rows(empty_db, "SELECT count(*) FROM incident")[0][0] == 0


def test_the_gate_reads_references_as_a_page_shows_them():
    assert contains_personnummer(f"Rån {NUMBER.replace('-', '&#45;')}")
    assert contains_personnummer("&#56;50101-1236")  # a digit written as a reference
    assert not contains_personnummer("R&aring;n &amp; st&ouml;ld 2026-11-23")


def test_a_removed_event_is_not_brought_back_by_an_older_file(empty_db, tmp_path):
    # 'Brand' at 10:00, then the police's update 'Brand automatlarm' at 11:00 (no crime: the
    # stored fire is removed), then a collector's file with the 10:00 version loaded late.
    fire = _event(9001, "Brand", "Borås", "Västra Götalands län", when="2026-11-22 09:50",
                  published="2026-11-22 10:00:00 +01:00")
    alarm = _event(9001, "Brand automatlarm", "Borås", "Västra Götalands län", when="2026-11-22 09:50",
                   published="2026-11-22 11:00:00 +01:00")
    other = _event(9002, "Rån", "Borås", "Västra Götalands län")
    assert ingest(empty_db, [_write(tmp_path, [fire], "a.json")])[0].status == "ok"
    [update] = ingest(empty_db, [_write(tmp_path, [alarm, other], "b.json")])
    assert update.status == "ok" and "togs bort" in update.summary()
    assert set(_stored(empty_db)) == {"polisen:9002"}
    fire["summary"] = "Räddningstjänsten är på plats."  # saved by a collector: not the same file
    [late] = ingest(empty_db, [_write(tmp_path, [fire], "c.json")])
    assert "polisen:9001" not in _stored(empty_db)
    assert "senare version" in late.summary()


def test_a_file_of_notices_only_still_removes_the_stored_event_it_updates(empty_db, tmp_path):
    # A quiet hour's answer (or one filtered by type) can hold only the update that turns a
    # stored event into a notice: it was refused as "only notices" and the fire stayed.
    fire = _event(9001, "Brand", "Borås", "Västra Götalands län", when="2026-11-22 09:50",
                  published="2026-11-22 10:00:00 +01:00")
    alarm = _event(9001, "Brand automatlarm", "Borås", "Västra Götalands län", when="2026-11-22 09:50",
                   published="2026-11-22 11:00:00 +01:00")
    ingest(empty_db, [_write(tmp_path, [fire], "a.json")])
    [report] = ingest(empty_db, [_write(tmp_path, [alarm], "b.json")])
    assert report.status == "ok", report.summary()
    assert _stored(empty_db) == {}
    # Notices alone that update nothing are still refused, the database as it was.
    before = digest(empty_db)
    summary = _event(9100, "Sammanfattning natt", "Borås", "Västra Götalands län")
    assert "sammanfattningar" in refused(empty_db, _write(tmp_path, [summary], "c.json"))
    assert digest(empty_db) == before


def test_an_update_of_only_the_publication_time_adds_nothing(empty_db, tmp_path):
    # Published in the minute the name gives ("09.05"), the stored time keeps datetime's
    # seconds; the update an hour later gives the name's minute only. Same event, same
    # time: nothing is replaced (docs/sources/polisen.md).
    first = _event(7001, "Misshandel", "Örebro", "Örebro län", when="2026-11-23 09:05",
                   published="2026-11-23 09:05:12 +01:00")
    update = _event(7001, "Misshandel", "Örebro", "Örebro län", when="2026-11-23 09:05",
                    published="2026-11-23 10:41:03 +01:00")
    update["summary"] = "En man har förts till sjukhus."
    ingest(empty_db, [_write(tmp_path, [first], "a.json")])
    stored = rows(empty_db, "SELECT occurred_at, load_id FROM incident")
    [report] = ingest(empty_db, [_write(tmp_path, [update], "b.json")])
    assert report.status == "ok", report.summary()
    assert "ersattes" not in report.summary()
    assert rows(empty_db, "SELECT occurred_at, load_id FROM incident") == stored
    # The version record moved on: the first version loaded again is the older one.
    [again] = ingest(empty_db, [_write(tmp_path, [first], "c.json")])
    assert rows(empty_db, "SELECT occurred_at, load_id FROM incident") == stored


def test_a_late_update_of_last_years_event_keeps_the_events_date(empty_db, tmp_path):
    # "20 december 22.10, Rån" updated on 5 April (more than 92 days later): the name's
    # time could not be given a year and the event moved to April, its publication. The
    # stored event with that day and time of day is the one the name means.
    robbery = _event(8001, "Rån", "Malmö", "Skåne län", when="2025-12-20 22:10",
                     published="2025-12-20 22:40:00 +01:00")
    update = _event(8001, "Rån", "Malmö", "Skåne län", when="2025-12-20 22:10",
                    published="2026-04-05 09:00:00 +02:00")
    update["summary"] = "En man har gripits."
    assert ingest(empty_db, [_write(tmp_path, [robbery], "a.json")])[0].status == "ok"
    stored = rows(empty_db, "SELECT occurred_at, load_id FROM incident")
    [report] = ingest(empty_db, [_write(tmp_path, [update], "b.json")])
    assert report.status == "ok", report.summary()
    assert "ersattes" not in report.summary()
    assert rows(empty_db, "SELECT occurred_at, load_id FROM incident") == stored
    # A late update that changes the type still replaces the event, on its own date.
    update["type"] = "Rån väpnat"
    update["name"] = update["name"].replace("Rån", "Rån väpnat")
    update["datetime"] = "2026-04-06 09:00:00 +02:00"
    [changed] = ingest(empty_db, [_write(tmp_path, [update], "c.json")])
    assert "ersattes" in changed.summary()
    assert _stored(empty_db)["polisen:8001"][-2:] == ("2025-12-20 22:10", "Rån väpnat")


def test_an_answer_whose_first_event_is_long_is_still_recognised(empty_db, tmp_path):
    # A first event with a summary of 70 KB: the keys after it ("type", "location") were
    # outside the window every reader is shown, and the file was "not recognised".
    event = _event(8101, "Rån", "Malmö", "Skåne län")
    event["summary"] = "Polisen är på plats. " * 3500
    path = tmp_path / "handelser.json"
    path.write_text(json.dumps([event, _event(8102, "Stöld", "Lund", "Skåne län")], ensure_ascii=False),
                    encoding="utf-8")
    assert path.stat().st_size > 70_000
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert set(_stored(empty_db)) == {"polisen:8101", "polisen:8102"}
