"""The police's events feed: what real saved answers hold beyond the documented shape.

Found by the input hunt. Each test builds an answer as a user would have it on disk and
loads it through ingest, checking what lands in the database and what the report says.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from helpers import refused, rows

from pipelines import warehouse
from pipelines.loading import ingest

DATA = Path(__file__).parent / "data" / "polisen"
STYLE_2026 = DATA / "polisen-events-2026-lansnamn.json"


def _events() -> list[dict]:
    return json.loads(STYLE_2026.read_text(encoding="utf-8"))


def _event(event_id: int, label: str, place: str = "Malmö", lan: str = "Skåne län") -> dict:
    return {"id": event_id, "datetime": "2026-08-20 9:05:00 +02:00", "name": f"20 augusti 09.05, {label}, {place}",
            "summary": "Polisen är på plats.", "url": f"/aktuellt/handelser/2026/augusti/20/{event_id}/",
            "type": label, "location": {"name": lan, "gps": "55.99,13.595"}}


def _stored(db: Path) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in rows(db, "SELECT incident_id, incident_type, kommun_code, source_type FROM incident")}


# --- type labels seen in the real feed beyond the documented list ---------------------------

def test_information_notices_are_dropped_and_olaga_intrang_is_a_known_type(empty_db, tmp_path):
    # "Information" is the label of the police's press notices (the media centre is closed
    # today, a new phone number); "Olaga intrång" appears beside the documented
    # "Olaga intrång/hemfridsbrott". Neither is a new type the user has to look into.
    f = tmp_path / "polisen-events-typer.json"
    f.write_text(json.dumps([_event(1, "Information", "Värmlands län", "Värmlands län"),
                             _event(2, "Olaga intrång", "Solna", "Stockholms län"),
                             _event(3, "Misshandel")], ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    assert set(stored) == {"polisen:2", "polisen:3"}
    assert stored["polisen:2"] == ("övrigt", "0184", "Olaga intrång")
    text = "\n".join(report.lines)
    assert "1 borttagna: meddelanden om polisens verksamhet" in text
    assert "okänd händelsetyp" not in text


# --- answers saved in other shapes ------------------------------------------------------------

def test_json_lines_from_a_collector_load_like_the_answer(empty_db, tmp_path):
    # Collectors that poll the feed often keep one event per line (JSON Lines), e.g.
    # events-1735840000.jsonl; each line is one of the answer's objects.
    events = _events()
    f = tmp_path / "events-1735840000.jsonl"
    f.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert report.source_format == "polisen-json"
    stored = _stored(empty_db)
    assert len(stored) == 12
    assert stored["polisen:612002"][:2] == ("skottlossning", "0114")   # "Upplands väsby"
    # The same events as the list answer: loading that afterwards adds nothing.
    [again] = ingest(empty_db, [STYLE_2026])
    assert again.rows_accepted == 0 or again.status == "duplicate", again.summary()
    assert len(_stored(empty_db)) == 12


def test_json_lines_saved_as_json_loads_too(empty_db, tmp_path):
    f = tmp_path / "polisen-events-2026-08-20.json"
    f.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in _events()[:3]), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert set(_stored(empty_db)) == {"polisen:612001", "polisen:612002", "polisen:612003"}


def test_a_cut_off_line_in_json_lines_is_named_by_its_line(empty_db, tmp_path):
    lines = [json.dumps(e, ensure_ascii=False) for e in _events()[:4]]
    lines[2] = lines[2][:40]  # the collector was stopped while writing
    f = tmp_path / "events-1735840000.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = refused(empty_db, f)
    assert "rad 3" in message and "JSON Lines" in message


def test_one_event_saved_on_its_own_is_read_as_one_event(empty_db, tmp_path):
    f = tmp_path / "polisen-handelse-612001.json"
    f.write_text(json.dumps(_events()[0], ensure_ascii=False, indent=2), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert set(_stored(empty_db)) == {"polisen:612001"}


def test_answers_appended_to_one_file_load_once_each(empty_db, tmp_path):
    # An hourly job writing "curl … >> polisen.json" leaves one answer per line; the
    # answers overlap, and an event in both is stored once.
    events = _events()
    f = tmp_path / "polisen-alla.json"
    f.write_text(json.dumps(events[:8], ensure_ascii=False) + "\n" + json.dumps(events[4:], ensure_ascii=False) + "\n",
                 encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert len(_stored(empty_db)) == 12


def test_the_answer_saved_as_a_web_page_by_chrome_is_read(empty_db, tmp_path):
    # Chrome shows the JSON as text in a <pre>; "Spara som" keeps that page, with the
    # text's & < > written as entities.
    events = _events()
    events[0]["summary"] = "Bråk & slagsmål <utanför> en krog."
    body = json.dumps(events, ensure_ascii=False).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    page = ('<html><head><meta name="color-scheme" content="light dark"><meta charset="utf-8"></head><body>'
            f'<pre>{body}</pre><div class="json-formatter-container"></div></body></html>')
    f = tmp_path / "events.html"
    f.write_text(page, encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert report.source_format == "polisen-json"
    assert len(_stored(empty_db)) == 12


def test_an_error_page_is_still_called_a_web_page(empty_db, tmp_path):
    f = tmp_path / "polisen-events-fel.json"
    f.write_text("<!DOCTYPE html><html><body><h1>503</h1><pre>Service Unavailable</pre></body></html>",
                 encoding="utf-8")
    message = refused(empty_db, f)
    assert "webbsida (HTML)" in message


# --- answers re-saved by Windows tools ------------------------------------------------------

def test_an_answer_saved_as_ansi_by_powershell_set_content_is_read(empty_db, tmp_path):
    # Windows PowerShell 5's Set-Content (and Notepad's "ANSI") write Windows-1252: å, ä
    # and ö are single bytes, which is not UTF-8.
    f = tmp_path / "polisen-events-ansi.json"
    f.write_bytes(STYLE_2026.read_text(encoding="utf-8").encode("cp1252"))
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    assert len(stored) == 12
    assert stored["polisen:612001"][:2] == ("explosion", "1280")   # "Malmö"
    assert stored["polisen:612003"][:2] == ("våldsbrott", "1438")  # "Dals-ed"


def test_an_answer_saved_as_utf16_is_read_when_the_format_is_named(empty_db, tmp_path):
    # Windows PowerShell 5's "> fil.json" writes UTF-16 with a byte order mark. Without
    # --format it is recognised too (tests/test_polisen.py).
    f = tmp_path / "events.json"
    f.write_bytes(STYLE_2026.read_text(encoding="utf-8").encode("utf-16"))
    [report] = ingest(empty_db, [f], fmt="polisen-json")
    assert report.status == "ok", report.summary()
    assert len(_stored(empty_db)) == 12


def test_an_error_answer_says_what_the_api_said(empty_db, tmp_path):
    # A call with a bad filter is answered with an error object instead of the list; the
    # user sees the API's own words, not only that the JSON has the wrong shape.
    f = tmp_path / "polisen-events-fel.json"
    f.write_text(json.dumps({"type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
                             "title": "One or more validation errors occurred.", "status": 400}), encoding="utf-8")
    message = refused(empty_db, f)
    assert "felmeddelande" in message and "One or more validation errors occurred." in message


# --- placement ----------------------------------------------------------------------------------

def test_an_event_in_gotlands_lan_is_placed_in_gotland_kommun(empty_db, tmp_path):
    # The police write Gotland's events as "…, Olovlig körning, Gotlands län"; the län is
    # one kommun, so the event is in that kommun and shows on its kommun views.
    events = [_event(1, "Olovlig körning", "Gotlands län", "Gotlands län"),
              _event(2, "Stöld", "Visby", "Gotlands län"),
              _event(3, "Stöld", "Skåne län", "Skåne län")]
    f = tmp_path / "polisen-events-gotland.json"
    f.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    con = warehouse.open_read_only(empty_db)
    try:
        rows = dict((r[0], r[1:]) for r in con.execute(
            "SELECT incident_id, kommun_code, lan_code FROM incident").fetchall())
    finally:
        con.close()
    assert rows["polisen:1"] == ("0980", "09")
    assert rows["polisen:2"] == ("0980", "09")
    assert rows["polisen:3"] == (None, "12")   # Skåne has 33 kommuner: stays at län level
    assert "1 kunde bara placeras i ett län" in "\n".join(report.lines)


# --- time ------------------------------------------------------------------------------------

def test_the_event_time_is_the_one_in_name_not_the_publication_time(empty_db, tmp_path):
    # datetime is when the notice was published (or last updated); the name opens with the
    # event's own date and time. A night's event published next morning belongs to the night.
    events = [dict(_event(1, "Misshandel", "Linköping", "Östergötlands län"),
                   datetime="2026-01-02 19:56:53 +01:00", name="02 januari 18.30, Misshandel, Linköping"),
              dict(_event(2, "Rån", "Malmö"),
                   datetime="2026-01-03 8:10:00 +01:00", name="02 januari 23.30, Rån, Malmö"),
              dict(_event(3, "Stöld", "Malmö"),   # over the new year: the name's date is last year's
                   datetime="2026-01-01 0:40:00 +01:00", name="31 december 23.50, Stöld, Malmö"),
              dict(_event(4, "Skadegörelse", "Malmö"),   # same minute: datetime keeps its seconds
                   datetime="2026-08-20 9:05:41 +02:00", name="20 augusti 09.05, Skadegörelse, Malmö")]
    f = tmp_path / "polisen-events-tider.json"
    f.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    con = warehouse.open_read_only(empty_db)
    try:
        times = dict(con.execute("SELECT incident_id, occurred_at FROM incident").fetchall())
    finally:
        con.close()
    assert times["polisen:1"] == datetime(2026, 1, 2, 18, 30)
    assert times["polisen:2"] == datetime(2026, 1, 2, 23, 30)
    assert times["polisen:3"] == datetime(2025, 12, 31, 23, 50)
    assert times["polisen:4"] == datetime(2026, 8, 20, 9, 5, 41)
