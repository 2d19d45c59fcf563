"""The police's events feed, hunt 2: answers written as the real feed writes them.

Each test builds an answer the way polisen.se/api/events sends it and loads it through
ingest (or the fetch command), checking what a coordinator then sees: where the events
were placed, what the report says about those left out, and when events may be missing.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers import rows
from test_polisen import feed  # noqa: F401  (the events API on 127.0.0.1, a fixture)

from pipelines.__main__ import main as cli_main
from pipelines.loading import ingest

_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december")


def _event(event_id: int, label: str, place: str, lan: str, when: str = "2026-11-22 21:05",
           published: str = "2026-11-22 21:20:12 +01:00") -> dict:
    """One event as the feed writes it: the hour of ``datetime`` without a leading zero."""
    day, clock = when.split(" ")
    y, mo, d = (int(x) for x in day.split("-"))
    hour, minute = clock.split(":")
    date, ptime, offset = published.split(" ")
    ph, pm, ps = ptime.split(":")
    return {"id": event_id, "datetime": f"{date} {int(ph)}:{pm}:{ps} {offset}",
            "name": f"{d} {_MONTHS[mo - 1]} {hour}.{minute}, {label}, {place}",
            "summary": "Polisen är på plats.", "url": f"/aktuellt/handelser/{y}/{_MONTHS[mo - 1]}/{d}/{event_id}/",
            "type": label, "location": {"name": lan, "gps": "59.329324,18.068581"}}


def _write(tmp_path: Path, events: list[dict], name: str = "polisen-events-20261122T210000Z.json") -> Path:
    f = tmp_path / name
    f.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    return f


def _stored(db: Path) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in rows(
        db, "SELECT incident_id, incident_type, kommun_code, lan_code, strftime(occurred_at, '%Y-%m-%d %H:%M'), "
            "source_type FROM incident")}


# --- location.name and the place in name ---------------------------------------------------

def test_kommun_and_lan_name_forms_of_the_feed_are_placed(empty_db, tmp_path):
    # Since 2026 location.name is the län (with or without the genitive 's', any case) and
    # the kommun stands last in name, as the feed writes it ("Upplands Väsby", "Falu").
    cases = [("Upplands Väsby", "Stockholms län", "0114"), ("Upplands väsby", "Stockholm län", "0114"),
             ("Malung-Sälen", "Dalarnas län", "2023"), ("Dals-ed", "Västra götalands län", "1438"),
             ("Lilla Edet", "Västra Götalands län", "1462"), ("Östra Göinge", "Skåne län", "1256"),
             ("Falu", "Dalarnas län", "2080"), ("Gotland", "Gotlands län", "0980"),
             ("Visby", "Gotlands län", "0980"), ("Östersund", "Jämtlands län", "2380"),
             ("Lund", "Skånes län", "1281")]
    events = [_event(i, "Inbrott", place, lan) for i, (place, lan, _) in enumerate(cases, start=1)]
    [report] = ingest(empty_db, [_write(tmp_path, events)])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    for i, (place, _, kommun) in enumerate(cases, start=1):
        assert stored[f"polisen:{i}"][1] == kommun, place
    assert "kunde bara placeras i ett län" not in "\n".join(report.lines)


def test_places_that_are_not_kommuner_stay_in_their_lan_and_the_report_names_them(empty_db, tmp_path):
    # An airport, a road or a stadsdel stands where the kommun would: the event is kept in
    # the län location.name gives, and the coordinator is told which places did not resolve.
    events = [_event(1, "Stöld", "Arlanda", "Stockholms län"), _event(2, "Rån", "E4", "Stockholms län"),
              _event(3, "Misshandel", "Rinkeby", "Stockholms län"),
              _event(4, "Misshandel", "Rinkeby", "Stockholms län"),
              _event(5, "Skadegörelse", "Södermalm", "Stockholms län"),
              _event(6, "Inbrott", "Malmö", "Stockholms län")]  # a kommun outside the län given
    [report] = ingest(empty_db, [_write(tmp_path, events)])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    assert {k: v[1:3] for k, v in stored.items()} == {f"polisen:{i}": (None, "01") for i in range(1, 7)}
    text = "\n".join(report.lines)
    assert "6 kunde bara placeras i ett län" in text
    for named in ("'Rinkeby' (2)", "'Arlanda' (1)", "'E4' (1)", "'Södermalm' (1)", "'Malmö' (1)"):
        assert named in text, text


def test_a_place_that_is_neither_kommun_nor_lan_is_rejected_with_its_reason(empty_db, tmp_path):
    # Before 2026 location.name could be the place itself; "Arlanda" there gives no län.
    # The reason says why without echoing the row (as every rejected row here does).
    events = [_event(1, "Stöld", "Arlanda", "Arlanda"), _event(2, "Rån", "Lund", "Skåne län")]
    [report] = ingest(empty_db, [_write(tmp_path, events)])
    assert report.status == "ok", report.summary()
    assert set(_stored(empty_db)) == {"polisen:2"}
    [(row, column, reason)] = rows(empty_db, 'SELECT row_number, "column", reason FROM rejected_row')
    assert (row, column) == (1, "location")
    assert "känns inte igen som kommun eller län" in reason


# --- the type vocabulary -------------------------------------------------------------------

def test_type_vocabulary_maps_crimes_and_counts_what_is_left_out(empty_db, tmp_path):
    kept = {"Rån väpnat": "rån", "Skottlossning, misstänkt": "skottlossning", "Detonation": "explosion",
            "Explosion": "explosion", "Olaga hot": "hot", "Brand": "brand", "Övrigt": "övrigt",
            "Misshandel, grov": "våldsbrott", "Mord/dråp, försök": "mord/dråp"}
    left_out = ["Sammanfattning natt", "Sammanfattning kväll och natt", "Trafikolycka, personskada",
                "Försvunnen person", "Uppdatering", "Polisinsats/kommendering"]
    events = [_event(i, label, "Uppsala", "Uppsala län") for i, label in enumerate([*kept, *left_out], start=1)]
    [report] = ingest(empty_db, [_write(tmp_path, events)])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    assert {v[4]: v[0] for v in stored.values()} == kept
    assert all(v[1] == "0380" for v in stored.values())  # "Mord/dråp, försök, Uppsala": the place is last
    text = "\n".join(report.lines)
    assert "15 händelser i svaret; 9 brottshändelser att läsa in." in text
    assert "2 borttagna: sammanfattningar" in text
    assert "1 borttagna: olyckor" in text
    assert "1 borttagna: försvunna personer" in text
    assert "1 borttagna: uppdateringar" in text
    assert "1 borttagna: polisens egna kontroller" in text
    assert "okänd händelsetyp" not in text


# --- times: midnight, DST, updates ---------------------------------------------------------

def test_event_time_comes_from_name_across_new_year_and_dst(empty_db, tmp_path):
    events = [
        _event(1, "Misshandel", "Umeå", "Västerbottens län", when="2025-12-31 23:50",
               published="2026-01-01 0:12:40 +01:00"),
        _event(2, "Misshandel", "Umeå", "Västerbottens län", when="2026-10-31 23:50",
               published="2026-11-01 1:02:00 +01:00"),
        # The night summer time ends (25 October 2026): 02.30 happens twice; name says which
        # wall-clock time, and datetime after the change is +01:00.
        _event(3, "Rån", "Umeå", "Västerbottens län", when="2026-10-25 02:30", published="2026-10-25 2:45:00 +01:00"),
        # The night it begins (29 March 2026): 01.55 just before the clocks jump to 03.00.
        _event(4, "Rån", "Umeå", "Västerbottens län", when="2026-03-29 01:55", published="2026-03-29 3:10:00 +02:00"),
    ]
    [report] = ingest(empty_db, [_write(tmp_path, events, "polisen-events-20261101T000000Z.json")])
    assert report.status == "ok", report.summary()
    times = {k: v[3] for k, v in _stored(empty_db).items()}
    assert times == {"polisen:1": "2025-12-31 23:50", "polisen:2": "2026-10-31 23:50",
                     "polisen:3": "2026-10-25 02:30", "polisen:4": "2026-03-29 01:55"}


def test_an_updated_notice_fetched_again_keeps_its_first_version(empty_db, tmp_path):
    # The feed republishes an updated notice under the same id with a new datetime (and
    # summary); the event's own time in name is unchanged, so nothing is counted twice.
    first = [_event(7, "Skottlossning, misstänkt", "Malmö", "Skåne län")]
    later = [_event(7, "Skottlossning, misstänkt", "Malmö", "Skåne län", published="2026-11-23 8:01:00 +01:00"),
             _event(8, "Rån", "Lund", "Skåne län", when="2026-11-23 07:40", published="2026-11-23 8:02:00 +01:00")]
    later[0]["summary"] = "Uppdatering kl 08.00: en person gripen."
    ingest(empty_db, [_write(tmp_path, first, "polisen-events-20261122T210000Z.json")])
    [report] = ingest(empty_db, [_write(tmp_path, later, "polisen-events-20261123T080000Z.json")])
    assert report.status == "ok" and report.rows_accepted == 1, report.summary()
    stored = _stored(empty_db)
    assert stored["polisen:7"][3] == "2026-11-22 21:05"
    assert len(stored) == 2


# --- the feed's cap of 500 -----------------------------------------------------------------

def _full_answer(first_id: int, oldest: str) -> list[dict]:
    """500 events, one a minute from ``oldest`` (a day and hour, 'ÅÅÅÅ-MM-DD TT')."""
    day, hour = oldest.split(" ")
    events = []
    for n in range(500):
        h, m = divmod(int(hour) * 60 + n, 60)
        d = int(day[-2:]) + h // 24
        stamp = f"{day[:-2]}{d:02d} {h % 24:02d}:{m:02d}"
        events.append(_event(first_id + n, "Stöld", "Uppsala", "Uppsala län", when=stamp,
                             published=f"{stamp}:30 +01:00"))
    return events


def test_a_full_answer_after_a_gap_warns_that_events_may_be_missing(empty_db, tmp_path):
    ingest(empty_db, [_write(tmp_path, _full_answer(1000, "2026-11-10 08"), "polisen-events-20261110T163000Z.json")])
    # The next fetch, days later: its oldest event is newer than anything stored.
    [report] = ingest(empty_db, [_write(tmp_path, _full_answer(5000, "2026-11-20 08"),
                                        "polisen-events-20261120T163000Z.json")])
    assert report.status == "ok", report.summary()
    text = "\n".join(report.lines)
    assert "500 händelser, flödets tak" in text
    assert "2026-11-20 08:00" in text and "2026-11-10 16:19" in text
    assert "kan saknas" in text


def test_a_full_answer_that_overlaps_what_is_stored_gives_no_warning(empty_db, tmp_path):
    [first] = ingest(empty_db, [_write(tmp_path, _full_answer(1000, "2026-11-10 08"),
                                       "polisen-events-20261110T163000Z.json")])
    assert "500 händelser, flödets tak" in "\n".join(first.lines)  # how far back it reaches
    assert "kan saknas" not in "\n".join(first.lines)  # nothing stored before: no gap to speak of
    # An hour later: 60 new events, the oldest 440 already stored.
    [report] = ingest(empty_db, [_write(tmp_path, _full_answer(1060, "2026-11-10 09"),
                                        "polisen-events-20261110T173000Z.json")])
    assert report.status == "ok" and report.rows_accepted == 60, report.summary()
    assert "kan saknas" not in "\n".join(report.lines)


def test_fewer_than_500_events_say_nothing_about_the_cap(empty_db, tmp_path):
    [report] = ingest(empty_db, [_write(tmp_path, _full_answer(1000, "2026-11-10 08")[:499])])
    assert "flödets tak" not in "\n".join(report.lines)


def test_a_name_dated_after_publication_is_not_moved_a_year_back(empty_db, tmp_path):
    # A name whose day lies after datetime (a typo in the notice: "23 november" published on
    # 1 November) is not an event of the year before: the publication time is kept instead.
    # Only a December event published in early January belongs to the year before.
    events = [_event(1, "Misshandel", "Umeå", "Västerbottens län", when="2026-11-23 10:00",
                     published="2026-11-01 11:00:00 +01:00")]
    events[0]["name"] = "23 november 10.00, Misshandel, Umeå"
    [report] = ingest(empty_db, [_write(tmp_path, events)])
    assert report.status == "ok", report.summary()
    assert _stored(empty_db)["polisen:1"][3] == "2026-11-01 11:00"


def test_an_hourly_fetch_after_a_gap_prints_the_warning(feed, empty_db, tmp_path, capsys):  # noqa: F811
    # The scheduled fetch stopped for ten days; the first run after it gets a full answer.
    feed.answers += [(200, json.dumps(_full_answer(1000, "2026-11-10 08"), ensure_ascii=False).encode()),
                     (200, json.dumps(_full_answer(5000, "2026-11-20 08"), ensure_ascii=False).encode())]
    argv = ["fetch", "polisen", "--db", str(empty_db)]
    assert cli_main(argv) == 0
    assert "kan saknas" not in capsys.readouterr().out
    assert cli_main(argv) == 0
    out = capsys.readouterr().out
    assert "VARNING" in out and "2026-11-10 16:19" in out and "kan saknas" in out
    assert "polisen: 500 nya rader inlästa." in out
