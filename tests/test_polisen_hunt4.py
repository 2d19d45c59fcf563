"""The police's events feed, hunt 4: answers as users actually save and collect them.

Each test writes a file the way a tool writes it (curl appending answers, jq filtering
them, a year's last notices) and loads it through ingest, checking what a coordinator
then sees: the stored events, their time and place, and the load report.
"""

from __future__ import annotations

import json

import pytest
from helpers import refused
from test_polisen import _args, feed  # noqa: F401  (the events API on 127.0.0.1, a fixture)
from test_polisen_hunt2 import _event, _stored

from pipelines.fetch import FetchError
from pipelines.loading import ingest
from pipelines.readers import polisen


def _compact(events: list[dict]) -> str:
    """An answer as the API sends it: one line, no newline at the end."""
    return json.dumps(events, ensure_ascii=False, separators=(",", ":"))


# --- answers collected by tools ----------------------------------------------------------------

def test_answers_appended_by_curl_without_a_newline_between_them_load_once_each(empty_db, tmp_path):
    # An hourly "curl -s https://polisen.se/api/events >> polisen.json": the API's answer
    # does not end with a newline, so the answers stand one after another on one line
    # ("…}][{…"). Before, the file was refused as "inte giltig JSON … kan vara avbrutet".
    first = [_event(1, "Rån", "Malmö", "Skåne län"), _event(2, "Misshandel", "Lund", "Skåne län")]
    second = [_event(3, "Inbrott", "Rinkeby", "Stockholms län", published="2026-11-22 22:20:00 +01:00"), first[0]]
    f = tmp_path / "polisen.json"
    f.write_text(_compact(first) + _compact(second) + _compact(first), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    assert set(stored) == {"polisen:1", "polisen:2", "polisen:3"}
    assert stored["polisen:1"][:3] == ("rån", "1280", "12")
    assert stored["polisen:3"][:3] == ("inbrott", None, "01")


def test_answers_appended_with_a_byte_order_mark_each_load(empty_db, tmp_path):
    # A tool that writes each answer with its own UTF-8 byte order mark (PowerShell 7's
    # Add-Content -Encoding utf8BOM, a collector decoding with 'utf-8-sig' and writing it
    # back) leaves one inside the file after the first answer.
    first, second = [_event(1, "Rån", "Malmö", "Skåne län")], [_event(2, "Stöld", "Lund", "Skåne län")]
    f = tmp_path / "polisen-insamlat.json"
    f.write_bytes(b"\xef\xbb\xbf" + _compact(first).encode() + b"\n\xef\xbb\xbf" + _compact(second).encode() + b"\n")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert set(_stored(empty_db)) == {"polisen:1", "polisen:2"}


def test_events_picked_out_with_jq_are_read(empty_db, tmp_path):
    # "jq '.[] | select(.type == \"Skottlossning\")' svar.json > skott.json" writes each
    # event as an indented object, one after another (not a list, not one per line).
    # Before, the file was not recognised at all ("formatet känns inte igen").
    events = [_event(11, "Skottlossning", "Malmö", "Skåne län"),
              _event(12, "Skottlossning", "Södertälje", "Stockholms län")]
    f = tmp_path / "skott.json"
    f.write_text("".join(json.dumps(e, ensure_ascii=False, indent=2) + "\n" for e in events), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert report.source_format == "polisen-json"
    stored = _stored(empty_db)
    assert stored["polisen:11"][:2] == ("skottlossning", "1280")
    assert stored["polisen:12"][:2] == ("skottlossning", "0181")


def test_one_event_picked_out_with_jq_is_read_whatever_the_file_is_called(empty_db, tmp_path):
    # "jq '.[0]' svar.json > handelse.json": one indented object.
    f = tmp_path / "handelse.json"
    f.write_text(json.dumps(_event(21, "Rån", "Lund", "Skåne län"), ensure_ascii=False, indent=2), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert _stored(empty_db)["polisen:21"][:2] == ("rån", "1281")


def test_a_cut_off_answer_after_an_appended_one_is_refused_where_it_breaks(empty_db, tmp_path):
    # The collector was stopped while curl appended the second answer.
    first = _compact([_event(1, "Rån", "Malmö", "Skåne län")])
    second = _compact([_event(2, "Stöld", "Lund", "Skåne län"), _event(3, "Brand", "Lund", "Skåne län")])
    text = first + second[:-1]  # the last "]" never came
    f = tmp_path / "polisen.json"
    f.write_text(text, encoding="utf-8")
    message = refused(empty_db, f)
    assert "inte giltig JSON (rad 1" in message and "avbrutet" in message, message
    # Where the second answer breaks off, not where the first (intact) one ends.
    assert f"tecken {len(text) + 1})" in message, message


def test_a_collection_where_only_some_answers_end_a_line_loads(empty_db, tmp_path):
    # The collector's job gained "; echo >> polisen.json" after a few hours: the first
    # answers share a line, the later ones have their own.
    a, b, c = ([_event(n, "Stöld", "Lund", "Skåne län")] for n in (1, 2, 3))
    f = tmp_path / "polisen.json"
    f.write_text(_compact(a) + "\n" + _compact(b) + _compact(c) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert set(_stored(empty_db)) == {"polisen:1", "polisen:2", "polisen:3"}


# --- the year's last and first notices -----------------------------------------------------------

def test_a_new_years_night_event_published_before_midnight_is_stored_in_the_new_year(empty_db, tmp_path):
    # The name gives 1 januari 00.10, and the notice is stamped 31 December 23:58 (the
    # police's clock and the time they write in the name differ by minutes). Before, the
    # event was stored on 1 January of the year before: a year too early.
    event = _event(31, "Skadegörelse", "Malmö", "Skåne län", when="2026-01-01 00:10",
                   published="2025-12-31 23:58:00 +01:00")
    f = tmp_path / "polisen-events-20251231T225900Z.json"
    f.write_text(json.dumps([event], ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert _stored(empty_db)["polisen:31"][3] == "2026-01-01 00:10"


def test_a_leap_day_event_published_on_the_first_of_march_keeps_its_day(empty_db, tmp_path):
    event = _event(32, "Rån", "Malmö", "Skåne län", when="2024-02-29 23:40", published="2024-03-01 0:30:00 +01:00")
    f = tmp_path / "polisen-events-20240301T000000Z.json"
    f.write_text(json.dumps([event], ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert _stored(empty_db)["polisen:32"][3] == "2024-02-29 23:40"


# --- answers re-saved by Windows PowerShell 5.1 ----------------------------------------------

def _powershell_json(value, depth: int = 0) -> str:
    """JSON as Windows PowerShell 5.1's ConvertTo-Json writes it: four-space indents and
    two spaces after each colon."""
    pad, inner = "    " * depth, "    " * (depth + 1)
    if isinstance(value, dict):
        items = [f'{inner}"{k}":  {_powershell_json(v, depth + 1)}' for k, v in value.items()]
        return "{\r\n" + ",\r\n".join(items) + "\r\n" + pad + "}"
    if isinstance(value, list):
        return "[\r\n" + ",\r\n".join(inner + _powershell_json(v, depth + 1) for v in value) + "\r\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False)


def test_an_answer_passed_through_convertto_json_in_windows_powershell_is_read(empty_db, tmp_path):
    # "Invoke-RestMethod https://polisen.se/api/events | ConvertTo-Json -Depth 5 |
    # Set-Content polisen.json" in Windows PowerShell 5.1: Invoke-RestMethod passes the list
    # on as one object, and ConvertTo-Json then writes it as {"value": [...], "Count": n}.
    # Before, the file was not recognised ("formatet känns inte igen").
    events = [_event(41, "Rån", "Malmö", "Skåne län"), _event(42, "Misshandel", "Rinkeby", "Stockholms län")]
    f = tmp_path / "polisen.json"
    f.write_bytes(b"\xef\xbb\xbf" + _powershell_json({"value": events, "Count": 2}).encode("utf-8"))
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    assert stored["polisen:41"][:3] == ("rån", "1280", "12")
    assert stored["polisen:42"][:3] == ("våldsbrott", None, "01")


def test_an_answer_convertto_json_cut_to_text_is_refused_with_how_to_save_it(empty_db, tmp_path):
    # Without -Depth, ConvertTo-Json writes what lies deeper than two levels as PowerShell's
    # own text ("@{id=41; datetime=…}"): the events are lost, and the user needs to know how
    # to save the answer instead.
    events = ["@{id=41; datetime=2026-11-22 21:20:12 +01:00; name=22 november 21.05, Rån, Malmö; "
              "summary=Polisen är på plats.; url=/aktuellt/handelser/; type=Rån; location=}"]
    f = tmp_path / "polisen.json"
    f.write_text(_powershell_json({"value": events, "Count": 1}), encoding="utf-8")
    message = refused(empty_db, f)
    assert "PowerShell" in message and "-Depth" in message and "Invoke-WebRequest" in message, message


# --- the live API's error answers --------------------------------------------------------------

def test_fetch_quotes_a_bad_request_answer_instead_of_saying_try_again_later(feed, tmp_path):  # noqa: F811
    # A filter the API cannot read is answered with HTTP 400 and a problem report (ASP.NET's
    # ProblemDetails) naming the field. Before, the user was told "försök igen senare",
    # which never helps; now the API's words and the filters to check are shown.
    body = {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.",
            "status": 400, "errors": {"DateTime": ["The value '2026-11-31' is not valid for DateTime."]}}
    feed.answers.append((400, json.dumps(body).encode()))
    with pytest.raises(FetchError) as raised:
        polisen.fetch(_args(date="2026-11-31"), tmp_path)
    message = str(raised.value)
    assert "HTTP 400" in message and "The value '2026-11-31' is not valid for DateTime." in message, message
    assert "Kontrollera filtren" in message and "försök igen senare" not in message, message
    assert list(tmp_path.iterdir()) == []
