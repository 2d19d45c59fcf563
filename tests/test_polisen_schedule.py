"""Hourly `fetch polisen` runs: an answer with nothing new to load is a normal outcome.

A scheduler (cron, a systemd timer, Task Scheduler) reports every non-zero exit as a
failure. These runs must exit 0 with one clear line and leave the database as it was:
an answer holding only summaries and other notices that are no crime, an answer with no
events for the filters, and the same events as the previous hour. A broken answer is
still refused. The feed is served from 127.0.0.1 with recorded answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from helpers import digest, local_api, rows

from pipelines.__main__ import main as cli_main
from pipelines.loading import ingest
from pipelines.readers import polisen

DATA = Path(__file__).parent / "data" / "polisen"
STYLE_2026 = DATA / "polisen-events-2026-lansnamn.json"
DOCUMENTED = DATA / "polisen-events-2024-documented.json"
EARLIER = DATA / "polisen-events-20260822T080000Z.json"


def _events(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _notices_only() -> bytes:
    """Two recorded answers cut down to their notices that are no crime: three summaries,
    two road accidents, a traffic check and an update."""
    dropped = [e for e in _events(STYLE_2026) + _events(DOCUMENTED) if polisen.classify(e["type"])[0] is None]
    assert {e["type"] for e in dropped} == {"Sammanfattning natt", "Sammanfattning kväll och natt",
                                            "Trafikolycka, personskada", "Trafikkontroll", "Uppdatering", "Trafikolycka"}
    return json.dumps(dropped, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def feed(monkeypatch):
    """The events API on 127.0.0.1: answers the queued bodies in turn, records each query."""
    queue: list[tuple[int, bytes]] = []
    queries: list[dict] = []

    def answer(request):
        queries.append(parse_qs(urlparse(request.path).query))
        return queue.pop(0)

    with local_api(answer) as base:
        monkeypatch.setattr(polisen, "API_URL", f"{base}/api/events")
        yield queue, queries


def _fetch(db: Path, capsys, *extra: str) -> tuple[int, str, str]:
    code = cli_main(["fetch", "polisen", "--db", str(db), *extra])
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def _counts(db: Path) -> tuple[int, int]:
    """(incidents, load_log rows) of the published database."""
    return rows(db, "SELECT (SELECT count(*) FROM incident), (SELECT count(*) FROM load_log)")[0]


def test_an_answer_of_only_notices_exits_0_and_says_why_nothing_was_loaded(feed, empty_db, capsys):
    queue, _ = feed
    before = digest(empty_db)
    queue.append((200, _notices_only()))
    code, out, err = _fetch(empty_db, capsys)
    assert code == 0, err
    assert err == ""
    assert out.count("\n") == 0, out
    assert "7 händelser" in out and "Inget lästes in" in out
    assert "3 sammanfattningar" in out and "2 olyckor" in out and "1 polisens egna kontroller" in out
    assert digest(empty_db) == before  # no load_log row, no mart refresh


def test_the_same_notices_fetched_again_still_add_nothing(feed, empty_db, capsys):
    queue, _ = feed
    before = digest(empty_db)
    queue += [(200, _notices_only()), (200, _notices_only())]
    assert _fetch(empty_db, capsys)[0] == 0
    assert _fetch(empty_db, capsys)[0] == 0
    assert digest(empty_db) == before


def test_notices_are_not_saved_with_save(feed, empty_db, tmp_path, capsys):
    queue, _ = feed
    queue.append((200, _notices_only()))
    save = tmp_path / "svar"
    assert _fetch(empty_db, capsys, "--save", str(save))[0] == 0
    assert list(save.iterdir()) == []


def test_no_events_for_the_filters_exits_0_naming_the_filters(feed, empty_db, tmp_path, capsys):
    queue, queries = feed
    before = digest(empty_db)
    queue.append((200, b"[]"))
    code, out, err = _fetch(empty_db, capsys, "--location", "Bjurholm", "--save", str(tmp_path / "svar"))
    assert code == 0, err
    assert err == ""
    assert out.count("\n") == 0, out
    assert "inga händelser" in out and "locationname=Bjurholm" in out and "Inget lästes in" in out
    assert queries == [{"locationname": ["Bjurholm"]}]
    assert digest(empty_db) == before
    assert list((tmp_path / "svar").iterdir()) == []


def test_the_same_answer_as_last_hour_exits_0_with_0_new(feed, empty_db, capsys):
    queue, _ = feed
    queue += [(200, EARLIER.read_bytes()), (200, EARLIER.read_bytes())]
    code, out, _ = _fetch(empty_db, capsys)
    assert code == 0 and "polisen: 4 nya" in out
    loaded = _counts(empty_db)
    before = digest(empty_db)
    code, out, err = _fetch(empty_db, capsys)
    assert code == 0, err
    assert "polisen: 0 nya" in out and "redan" in out
    assert _counts(empty_db) == loaded
    assert digest(empty_db) == before


def test_the_same_events_in_another_order_exit_0_with_0_new(feed, empty_db, capsys):
    queue, _ = feed
    reordered = json.dumps(list(reversed(_events(EARLIER))), ensure_ascii=False).encode("utf-8")
    queue += [(200, EARLIER.read_bytes()), (200, reordered)]
    assert _fetch(empty_db, capsys)[0] == 0
    incidents, loads = _counts(empty_db)
    code, out, err = _fetch(empty_db, capsys)
    assert code == 0, err
    assert "polisen: 0 nya" in out and "4 rader fanns redan" in out
    # Other bytes are another answer: logged as a load of 0 rows, as ingest would.
    assert _counts(empty_db) == (incidents, loads + 1)


def test_notices_with_a_broken_event_are_still_refused(feed, empty_db, capsys):
    """Only a wholly good answer is 'nothing new': one unreadable event makes it a broken one."""
    queue, _ = feed
    events = json.loads(_notices_only())
    events.append({**_events(EARLIER)[0], "datetime": "igår"})
    queue.append((200, json.dumps(events, ensure_ascii=False).encode("utf-8")))
    before = digest(empty_db)
    code, out, err = _fetch(empty_db, capsys)
    assert code == 2
    assert "datetime" in err and "ingen rad kunde läsas in" in err
    assert digest(empty_db) == before


def test_notices_holding_a_personnummer_are_refused_not_passed_over(feed, empty_db, capsys):
    queue, _ = feed
    events = json.loads(_notices_only())
    events[0]["summary"] = "Mannen, 19850312-4540, fördes till arresten."
    queue.append((200, json.dumps(events, ensure_ascii=False).encode("utf-8")))
    before = digest(empty_db)
    code, out, err = _fetch(empty_db, capsys)
    assert code == 2
    assert "personnummer" in err and "händelse 1, fält 'summary'" in err
    assert "19850312" not in out + err
    assert digest(empty_db) == before


@pytest.mark.parametrize(("status", "body", "expected"), [
    (200, (DATA / "polisen-events-html-fel.json").read_bytes(), "inte JSON"),
    (200, b"", "tomt"),
    (503, b"Service Unavailable", "HTTP 503"),
])
def test_a_broken_answer_still_exits_1(feed, empty_db, capsys, status, body, expected):
    queue, _ = feed
    queue += [(status, body)] * 4  # a 503 is asked again three times (pipelines.fetch.send)
    code, _, err = _fetch(empty_db, capsys)
    assert code == 1
    assert expected in err and err.count("\n") == 0


def test_a_saved_answer_of_only_notices_is_still_refused_by_ingest(empty_db, tmp_path):
    """By hand, `ingest` of a file with nothing to read still refuses it (and says why)."""
    path = tmp_path / "polisen-events-natt.json"
    path.write_bytes(_notices_only())
    [report] = ingest(empty_db, [path])
    assert report.status == "rejected"
    assert "alla 7 händelser var sammanfattningar" in report.summary()


def test_an_hourly_answer_of_only_the_update_that_removes_a_stored_event_is_loaded(feed, empty_db, capsys):
    # The fire stored an hour ago is now 'Brand automatlarm' (no crime), and nothing else
    # happened: the answer holds notices only, yet it must remove the stored fire.
    from test_polisen_hunt2 import _event

    queue, _ = feed
    fire = _event(9001, "Brand", "Borås", "Västra Götalands län", when="2026-11-22 09:50",
                  published="2026-11-22 10:00:00 +01:00")
    alarm = dict(fire, type="Brand automatlarm", datetime="2026-11-22 11:00:00 +01:00",
                 name=fire["name"].replace("Brand", "Brand automatlarm"))
    queue += [(200, json.dumps([fire]).encode()), (200, json.dumps([alarm]).encode())]
    assert _fetch(empty_db, capsys)[0] == 0
    assert _counts(empty_db)[0] == 1
    code, out, err = _fetch(empty_db, capsys)
    assert code == 0, err
    assert _counts(empty_db)[0] == 0 and "togs bort" in out
