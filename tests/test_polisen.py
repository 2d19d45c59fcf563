"""The police's events feed: recorded answers in tests/data/polisen, loaded through ingest."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from argparse import Namespace
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from helpers import digest, local_api, refused

from pipelines import categories, warehouse
from pipelines.__main__ import main as cli_main
from pipelines.config import ROOT
from pipelines.fetch import FetchError
from pipelines.loading import ingest
from pipelines.readers import polisen

DATA = Path(__file__).parent / "data" / "polisen"
DOCUMENTED = DATA / "polisen-events-2024-documented.json"
STYLE_2026 = DATA / "polisen-events-2026-lansnamn.json"
EARLIER = DATA / "polisen-events-20260822T080000Z.json"
LATER = DATA / "polisen-events-20260822T090000Z.json"
WITH_ERRORS = DATA / "polisen-events-med-fel.json"


def _query(db: Path, sql: str, params=None) -> list[tuple]:
    con = warehouse.open_read_only(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _incidents(db: Path) -> dict[str, dict]:
    con = warehouse.open_read_only(db)
    try:
        df = con.execute("SELECT * FROM incident").df()
    finally:
        con.close()
    return {r["incident_id"]: r for r in df.to_dict("records")}


def _none(value):
    """DuckDB NULLs come back from .df() as NaN/NA; compare them as None."""
    return None if value is None or value != value else value


def _lpos(db: Path, kommun: str) -> list[str]:
    return [r[0] for r in _query(db, "SELECT lpo_code FROM lpo_kommun WHERE kommun_code = ?", [kommun])]


# --- reading recorded answers --------------------------------------------------------------

def test_documented_format_lands_with_kommun_type_and_local_time(empty_db):
    [report] = ingest(empty_db, [DOCUMENTED])
    assert report.status == "ok", report.summary()
    assert report.source_format == "polisen-json"
    rows = _incidents(empty_db)
    # 15 notices: a summary, an update, a traffic control and a traffic accident are dropped.
    assert report.rows_accepted == len(rows) == 11
    assert {"polisen:483004", "polisen:483006", "polisen:483010", "polisen:483012"}.isdisjoint(rows)

    shot = rows["polisen:483001"]
    assert (shot["incident_type"], shot["kommun_code"], shot["lan_code"]) == ("skottlossning", "1280", "12")
    assert shot["occurred_at"].to_pydatetime() == datetime(2024, 3, 1, 21, 14, 5)
    assert (shot["source"], shot["source_type"]) == ("polisen", "Skottlossning")
    assert _none(shot["grid_cell"]) is None

    suspected = rows["polisen:483002"]
    assert (suspected["incident_type"], suspected["kommun_code"]) == ("skottlossning", "1480")
    assert suspected["source_type"] == "Skottlossning, misstänkt"
    assert rows["polisen:483003"]["incident_type"] == "våldsbrott"
    assert rows["polisen:483011"]["incident_type"] == "explosion"
    assert rows["polisen:483013"]["incident_type"] == "vapenbrott"
    assert rows["polisen:483014"]["incident_type"] == "mord/dråp"

    # "Gävleborgs län" only: kept at län level.
    lan_only = rows["polisen:483015"]
    assert (_none(lan_only["kommun_code"]), lan_only["lan_code"], _none(lan_only["lpo_code"])) == (None, "21", None)

    text = "\n".join(report.lines)
    assert "1 borttagna: sammanfattningar" in text
    assert "1 borttagna: uppdateringar" in text
    assert "1 borttagna: polisens egna kontroller" in text
    assert "1 borttagna: olyckor" in text
    assert "1 kunde bara placeras i ett län" in text


def test_2026_style_reads_the_place_from_name(empty_db):
    [report] = ingest(empty_db, [STYLE_2026])
    assert report.status == "ok", report.summary()
    rows = _incidents(empty_db)
    assert len(rows) == 12

    # location.name is only the län; the kommun stands last in name, in the feed's spelling.
    expected = {
        "polisen:612001": ("1280", "12"),   # Malmö, "Skåne län"
        "polisen:612002": ("0114", "01"),   # "Upplands väsby"
        "polisen:612003": ("1438", "14"),   # "Dals-ed"
        "polisen:612004": ("1462", "14"),   # "Lilla edet", "Västra götalands län"
        "polisen:612013": ("0581", "05"),   # Norrköping
        "polisen:612014": ("1490", "14"),   # Borås
    }
    for incident_id, (kommun, lan) in expected.items():
        assert (rows[incident_id]["kommun_code"], rows[incident_id]["lan_code"]) == (kommun, lan), incident_id

    # Non-padded hours, and names writing "21:15" as well as "9.48".
    assert rows["polisen:612001"]["occurred_at"].to_pydatetime() == datetime(2026, 8, 22, 9, 48, 12)
    assert rows["polisen:612004"]["occurred_at"].to_pydatetime() == datetime(2026, 8, 22, 0, 41, 0)
    assert rows["polisen:612002"]["occurred_at"].to_pydatetime() == datetime(2026, 8, 21, 21, 15, 0)

    # A län, or a district that is no kommun: kept at län level.
    assert (_none(rows["polisen:612009"]["kommun_code"]), rows["polisen:612009"]["lan_code"]) == (None, "24")
    assert (_none(rows["polisen:612010"]["kommun_code"]), rows["polisen:612010"]["lan_code"]) == (None, "12")

    # Unknown types are kept as övrigt with the police's label, and named in the report.
    assert (rows["polisen:612007"]["incident_type"], rows["polisen:612007"]["source_type"]) == (
        "övrigt", "Drönare, misstänkt")
    assert (rows["polisen:612008"]["incident_type"], rows["polisen:612008"]["source_type"]) == (
        "övrigt", "Penningtvätt")
    text = "\n".join(report.lines)
    assert "2 med okänd händelsetyp sparades som 'övrigt'" in text
    assert "'Drönare, misstänkt' (1)" in text and "'Penningtvätt' (1)" in text
    assert "2 borttagna: sammanfattningar" in text
    assert "2 kunde bara placeras i ett län" in text

    # Summaries and the traffic accident are not stored.
    assert {"polisen:612005", "polisen:612006", "polisen:612015"}.isdisjoint(rows)


def test_no_lpo_is_invented_in_a_split_kommun(empty_db):
    ingest(empty_db, [STYLE_2026, DOCUMENTED])
    rows = _incidents(empty_db)
    for incident_id, kommun in (("polisen:612011", "1480"), ("polisen:612012", "0180"),
                                ("polisen:612001", "1280"), ("polisen:483003", "0180")):
        assert len(_lpos(empty_db, kommun)) > 1, f"{kommun} is split in the reference geography"
        assert rows[incident_id]["kommun_code"] == kommun
        assert _none(rows[incident_id]["lpo_code"]) is None, incident_id
    # Where one LPO covers the whole kommun, the event gets it.
    for incident_id, kommun in (("polisen:483005", "2584"), ("polisen:612013", "0581")):
        [only] = _lpos(empty_db, kommun)
        assert rows[incident_id]["lpo_code"] == only


def test_summaries_and_urls_are_not_stored(empty_db):
    ingest(empty_db, [STYLE_2026])
    events = json.loads(STYLE_2026.read_text(encoding="utf-8"))
    stored = " ".join(str(v) for row in _query(empty_db, "SELECT * FROM incident") for v in row)
    stored += " ".join(str(v) for row in _query(empty_db, "SELECT * FROM load_log") for v in row)
    for event in events:
        assert event["summary"] not in stored
        assert event["url"] not in stored


def test_overlapping_downloads_add_only_new_events(empty_db):
    [first] = ingest(empty_db, [EARLIER])
    assert first.rows_accepted == 4
    [second] = ingest(empty_db, [LATER])
    assert second.status == "ok"
    assert second.rows_accepted == 2
    assert any("2 rader fanns redan" in line for line in second.lines)
    ids = sorted(_incidents(empty_db))
    assert ids == [f"polisen:70000{i}" for i in range(1, 7)]
    # The earlier load's rows stay (a feed download never replaces an earlier one).
    loads = dict(_query(empty_db, "SELECT load_id, count(*) FROM incident GROUP BY load_id"))
    assert loads == {first.load_id: 4, second.load_id: 2}
    [again] = ingest(empty_db, [LATER])
    assert again.status == "duplicate"


def test_bad_events_are_rejected_by_position_and_field(empty_db):
    [report] = ingest(empty_db, [WITH_ERRORS])
    assert report.status == "ok"
    assert report.rows_accepted == 3 and report.rows_rejected == 4
    rejected = _query(empty_db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY row_number')
    assert [(r[0], r[1]) for r in rejected] == [(2, "id"), (3, "datetime"), (4, "location"), (5, None)]
    for _, _, reason in rejected:
        assert "Västerås" not in reason and "Atlantis" not in reason  # no row content echoed
    rows = _incidents(empty_db)
    assert set(rows) == {"polisen:650001", "polisen:650006", "polisen:650007"}
    # An event without a type is kept as övrigt and reported.
    assert rows["polisen:650006"]["incident_type"] == "övrigt"
    assert any("(typ saknas)" in line for line in report.lines)


def test_strict_refuses_a_file_with_bad_events(empty_db):
    message = refused(empty_db, WITH_ERRORS, strict=True)
    assert "rad 2" in message and "'id'" in message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("polisen-events-tomt.json", "tom"),
        ("polisen-events-tom-lista.json", "inga händelser"),
        ("polisen-events-html-fel.json", "HTML"),
        ("polisen-events-objekt.json", "är ett objekt"),
        ("polisen-events-lista-med-text.json", "inga händelseobjekt"),
        ("polisen-events-fel-falt.json", "saknar polisens fält"),
    ],
)
def test_unusable_answers_are_refused_and_leave_the_db_unchanged(empty_db, name, expected):
    message = refused(empty_db, DATA / name)
    assert expected in message
    assert message.startswith(name)


def test_whitespace_only_answer_is_refused(empty_db, tmp_path):
    f = tmp_path / "polisen-events-20260822T100000Z.json"
    f.write_bytes(b"  \r\n\n")
    assert "tom" in refused(empty_db, f)
    # With the format named, the reader itself gives the feed's own message.
    assert "svaret från polisen var tomt" in refused(empty_db, f, fmt="polisen-json")


def test_truncated_answer_is_refused(empty_db, tmp_path):
    f = tmp_path / "polisen-events-avbrutet.json"
    f.write_bytes(STYLE_2026.read_bytes()[:700])
    message = refused(empty_db, f)
    assert "inte giltig JSON" in message


def test_only_summaries_is_refused_not_loaded_as_nothing(empty_db, tmp_path):
    events = [e for e in json.loads(STYLE_2026.read_text(encoding="utf-8")) if e["type"].startswith("Sammanfattning")]
    f = tmp_path / "polisen-events-natt.json"
    f.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    message = refused(empty_db, f)
    assert "alla 2 händelser var sammanfattningar" in message


def test_a_personnummer_in_a_summary_refuses_the_whole_file(empty_db, tmp_path):
    events = json.loads(STYLE_2026.read_text(encoding="utf-8"))
    number = "19121212-1212"  # Skatteverket's test number: a valid date and control digit
    events[2]["summary"] = f"Den misstänkte, {number}, är anhållen."
    f = tmp_path / "polisen-events-pnr.json"
    f.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    message = refused(empty_db, f)
    assert "händelse 3, fält 'summary'" in message
    assert number not in message and "121212" not in message


def test_a_personnummer_as_the_event_id_refuses_the_file(empty_db, tmp_path):
    # The id is the one field stored as it stands (polisen:<id>), so it is scanned too.
    events = json.loads(STYLE_2026.read_text(encoding="utf-8"))
    events[1]["id"] = 1212121212  # Skatteverket's test number 121212-1212 as a plain integer
    f = tmp_path / "polisen-events-pnr-id.json"
    f.write_text(json.dumps(events, ensure_ascii=False), encoding="utf-8")
    message = refused(empty_db, f)
    assert "händelse 2, fält 'id'" in message
    assert "1212121212" not in message


def test_the_feed_is_recognised_by_content_under_any_name(empty_db, tmp_path):
    f = tmp_path / "handelser.json"
    shutil.copyfile(STYLE_2026, f)
    [report] = ingest(empty_db, [f])
    assert (report.status, report.source_format) == ("ok", "polisen-json")


def test_an_error_page_saved_under_another_name_is_called_a_web_page(empty_db, tmp_path):
    # A browser's "save as" of a failed call gives an HTML page named e.g. events.json.
    f = tmp_path / "events.json"
    f.write_text("<!DOCTYPE html>\n<html><head><title>503</title></head><body>Tjänsten är inte "
                 "tillgänglig</body></html>\n", encoding="utf-8")
    message = refused(empty_db, f)
    assert message.startswith("events.json: ") and "webbsida (HTML)" in message


def test_an_answer_saved_as_utf16_by_powershell_is_read(empty_db, tmp_path):
    # Windows PowerShell 5's "> fil.json" writes UTF-16 with a BOM: the feed's answer is
    # recognised and read as it is, no --format needed.
    f = tmp_path / "events.json"
    f.write_bytes(STYLE_2026.read_text(encoding="utf-8").encode("utf-16"))
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert report.source_format == "polisen-json" and report.rows_accepted > 0


def test_other_json_saved_as_utf16_gets_json_advice(empty_db, tmp_path):
    # The advice for a CSV (save as CSV UTF-8 in Excel) does not help with JSON.
    f = tmp_path / "kolada.json"
    f.write_bytes(json.dumps({"count": 1, "values": [{"kpi": "N07403", "period": 2023}]}).encode("utf-16"))
    message = refused(empty_db, f)
    assert "UTF-16" in message and "JSON" in message and "Excel" not in message


def test_a_broken_character_escape_in_the_type_does_not_end_the_load(empty_db, tmp_path):
    # A label cut inside a UTF-16 surrogate pair ("\\ud83d" alone) is valid JSON but no
    # text that can be stored; the rest of the label is kept.
    events = json.loads(STYLE_2026.read_text(encoding="utf-8"))
    f = tmp_path / "polisen-events-surrogate.json"
    text = json.dumps(events, ensure_ascii=True)
    label = json.dumps(events[0]["type"], ensure_ascii=True)
    f.write_text(text.replace(label, label[:-1] + '\\ud83d"', 1), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert any(t.startswith(events[0]["type"]) and t != events[0]["type"]
               for (t,) in _query(empty_db, "SELECT source_type FROM incident"))


def test_other_json_is_not_taken_for_the_feed():
    kolada_like = b'{"count": 1, "values": [{"kpi": "N07403", "municipality": "1280"}]}'
    assert polisen.sniff(Path("kolada.json"), kolada_like) is None
    assert polisen.sniff(Path("incidents.csv"), b"incident_id;occurred_at;incident_type;kommun_code\n") is None
    assert polisen.sniff(Path("x.json"), STYLE_2026.read_bytes()[:2000]) == "polisen-json"


def test_cli_refuses_an_empty_answer_with_one_line(empty_db):
    before = digest(empty_db)
    name = "polisen-events-tomt.json"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines", "ingest", "--db", str(empty_db), str(DATA / name)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(name) and "tom" in lines[0], done.stderr
    assert done.stdout == ""
    assert digest(empty_db) == before


# --- parsing rules -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 21:14:05 +01:00", datetime(2024, 3, 1, 21, 14, 5)),
        ("2026-08-22 9:48:12 +02:00", datetime(2026, 8, 22, 9, 48, 12)),
        ("2026-8-2 9:05:00 +02:00", datetime(2026, 8, 2, 9, 5, 0)),
        ("2024-03-01 20:14:05 +00:00", datetime(2024, 3, 1, 21, 14, 5)),   # converted to Swedish time
        ("2024-07-01T00:30:00Z", datetime(2024, 7, 1, 2, 30, 0)),         # summer time
        ("2024-03-01 21:14:05 +0100", datetime(2024, 3, 1, 21, 14, 5)),
        ("2024-03-01 21:14", datetime(2024, 3, 1, 21, 14, 0)),             # no offset: local already
        ("2024-02-30 10:00:00 +01:00", None),
        ("01 mars 21.14", None),
        ("", None),
        (None, None),
        (1709324045, None),
        ("9999-12-31 23:59:59 -01:00", None),   # beyond datetime's range once converted
        ("0001-01-01 00:10:00 +02:00", None),
    ],
)
def test_parse_datetime(text, expected):
    assert polisen.parse_datetime(text) == expected


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("01 mars 21.14, Skottlossning, Malmö", "Malmö"),
        ("18 augusti 21:15, Explosion, Malmö", "Malmö"),
        ("01 mars 22.40, Skottlossning, misstänkt, Göteborg", "Göteborg"),
        ("02 mars 6.30, Sammanfattning natt, Skåne län", "Skåne län"),
        ("2 mars 9:05, Trafikolycka, personskada, Upplands väsby", "Upplands väsby"),
        ("Rån, Kiruna", "Kiruna"),
        ("Kiruna", None),
        ("", None),
        (None, None),
    ],
)
def test_place_is_the_last_part_of_name(name, place):
    assert polisen.place_in_name(name) == place


def test_a_lan_name_is_never_read_as_its_kommun(empty_db):
    from pipelines.geography import Gazetteer

    con = warehouse.open_read_only(empty_db)
    try:
        gz = Gazetteer.from_connection(con)
    finally:
        con.close()
    assert polisen.place_event(gz, "x 1.00, Bråk, Stockholms län", "Stockholms län") == (None, "01", "län")
    assert polisen.place_event(gz, "x 1.00, Bråk, Jönköpings län", "Jönköpings län") == (None, "06", "län")
    # A kommun from name outside the län location.name gives is not trusted.
    assert polisen.place_event(gz, "1 mars 1.00, Bråk, Malmö", "Stockholms län") == (None, "01", "län")
    # Old style: location.name is the kommun, name ends with a district.
    assert polisen.place_event(gz, "1 mars 1.00, Bråk, Rosengård", "Malmö") == ("1280", "12", "kommun")
    assert polisen.place_event(gz, "1 mars 1.00, Bråk, Atlantis", "Okänd") == (None, None, "okänd")


def test_every_type_maps_to_a_known_category_or_a_drop_reason():
    labels = [label for label, _, _ in polisen.TYPE_TABLE]
    assert len(labels) == len({label.casefold() for label in labels})
    for label, category, note in polisen.TYPE_TABLE:
        if category:
            assert category in categories.INCIDENT_TYPES, label
        else:
            assert note in polisen.DROP_REASONS, label
    # The headline groups are fed by the police's own shooting and explosion types.
    assert polisen.classify("Skottlossning, misstänkt")[0] == "skottlossning"
    assert polisen.classify("Detonation")[0] == "explosion"
    assert polisen.classify("  rån   VÄPNAT ")[0] == "rån"
    assert polisen.classify("Sammanfattning lördag") == (None, "sammanfattning", True)
    assert polisen.classify("Något helt nytt") == ("övrigt", None, False)


def test_the_docs_hold_the_mapping_table_as_the_code_has_it():
    doc = (ROOT / "docs" / "sources" / "polisen.md").read_text(encoding="utf-8")
    assert polisen.mapping_table_markdown() in doc
    for reason in polisen.DROP_REASONS.values():
        assert reason in doc
    assert "fetch polisen" in doc and "OnCalendar=hourly" in doc and "* * * *" in doc


# --- the live API, served from 127.0.0.1 -----------------------------------------------------

@contextlib.contextmanager
def _fake_feed():
    """The events API on 127.0.0.1, answering with queued (status, body) pairs; records requests."""
    fake = SimpleNamespace(answers=[], requests=[], delay=0.0)

    def answer(request):
        url = urlparse(request.path)
        fake.requests.append({"path": url.path, "query": parse_qs(url.query),
                              "user_agent": request.headers.get("User-Agent", "")})
        if fake.delay:
            time.sleep(fake.delay)
        return fake.answers.pop(0) if fake.answers else (200, b"[]")

    with local_api(answer) as base:
        fake.url = f"{base}/api/events"
        yield fake


@pytest.fixture
def feed(monkeypatch):
    with _fake_feed() as fake:
        monkeypatch.setattr(polisen, "API_URL", fake.url)
        yield fake


def _args(**kw):
    return Namespace(location=kw.get("location"), event_type=kw.get("event_type"), date=kw.get("date"))


def test_fetch_passes_the_filters_and_saves_the_raw_answer(feed, tmp_path):
    body = STYLE_2026.read_bytes()
    feed.answers.append((200, body))
    [saved] = polisen.fetch(_args(location="Malmö;Lund", event_type="Skottlossning", date="2026-08-22"), tmp_path)
    assert saved.read_bytes() == body
    assert saved.parent == tmp_path and saved.name.startswith("polisen-events-") and saved.suffix == ".json"
    [request] = feed.requests
    assert request["path"] == "/api/events"
    assert request["query"] == {"locationname": ["Malmö;Lund"], "type": ["Skottlossning"], "DateTime": ["2026-08-22"]}
    assert request["user_agent"].startswith("Lagesbild/")


def test_fetch_without_filters_asks_for_the_latest_events(feed, tmp_path):
    feed.answers.append((200, DOCUMENTED.read_bytes()))
    polisen.fetch(_args(), tmp_path)
    assert feed.requests[0]["query"] == {}


def test_fetch_retries_once_after_a_server_error(feed, tmp_path):
    feed.answers += [(503, b"Service Unavailable"), (200, DOCUMENTED.read_bytes())]
    [saved] = polisen.fetch(_args(), tmp_path)
    assert len(feed.requests) == 2
    assert saved.read_bytes() == DOCUMENTED.read_bytes()


def test_fetch_gives_up_after_a_second_server_error(feed, tmp_path):
    feed.answers += [(502, b"Bad Gateway"), (500, b"oops"), (200, DOCUMENTED.read_bytes())]
    with pytest.raises(FetchError, match="HTTP 500"):
        polisen.fetch(_args(), tmp_path)
    assert len(feed.requests) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b"", "tomt"),
        (200, b"  \r\n", "tomt"),
        (200, (DATA / "polisen-events-html-fel.json").read_bytes(), "inte JSON"),
        (200, b'{"message": "error"}', "inte en lista"),
        (200, b"[]", "inga händelser"),
        (404, b"Not found", "HTTP 404"),
    ],
)
def test_fetch_refuses_unusable_answers(feed, tmp_path, status, body, expected):
    feed.answers.append((status, body))
    with pytest.raises(FetchError, match=expected):
        polisen.fetch(_args(), tmp_path)
    assert len(feed.requests) == 1  # only 5xx and 429 are asked again (tests/test_fetch_busy.py)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("date", ["22/8 2026", "2026", "2026-08-22T10"])
def test_fetch_refuses_a_bad_date_before_calling(feed, tmp_path, date):
    with pytest.raises(FetchError, match="--date"):
        polisen.fetch(_args(date=date), tmp_path)
    assert feed.requests == []


def test_fetch_passes_a_date_with_hour(feed, tmp_path):
    feed.answers.append((200, DOCUMENTED.read_bytes()))
    polisen.fetch(_args(date="2026-08-22 21"), tmp_path)
    assert feed.requests[0]["query"] == {"DateTime": ["2026-08-22 21"]}


def test_fetch_network_errors(monkeypatch, tmp_path):
    with _fake_feed() as closed:
        url = closed.url
    # nothing listens there any more
    monkeypatch.setattr(polisen, "API_URL", url)
    with pytest.raises(FetchError, match="kunde inte nå polisen.se"):
        polisen.fetch(_args(), tmp_path)


def test_fetch_times_out(feed, monkeypatch, tmp_path):
    monkeypatch.setattr(polisen, "TIMEOUT_S", (1, 0.2))
    feed.delay = 1.0
    feed.answers.append((200, DOCUMENTED.read_bytes()))
    with pytest.raises(FetchError, match="inte i tid"):
        polisen.fetch(_args(), tmp_path)


def test_fetch_command_loads_the_answer_and_later_fetches_add_only_new(feed, empty_db, tmp_path, capsys):
    feed.answers += [(200, EARLIER.read_bytes()), (200, LATER.read_bytes())]
    save = tmp_path / "svar"
    argv = ["fetch", "polisen", "--db", str(empty_db), "--save", str(save), "--location", "Norrbottens län"]
    assert cli_main(argv) == 0
    assert len(_incidents(empty_db)) == 4
    assert cli_main(argv) == 0
    assert len(_incidents(empty_db)) == 6
    out = capsys.readouterr().out
    assert "2 rader fanns redan" in out
    assert len(list(save.glob("polisen-events-*.json"))) == 2
    assert feed.requests[0]["query"] == {"locationname": ["Norrbottens län"]}


def test_fetch_command_reports_an_empty_answer_in_one_line(feed, empty_db, tmp_path, capsys):
    before = digest(empty_db)
    feed.answers.append((200, b""))
    assert cli_main(["fetch", "polisen", "--db", str(empty_db), "--save", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "svaret från polisen var tomt" in err
    assert digest(empty_db) == before
