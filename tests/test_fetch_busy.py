"""A busy live API (HTTP 429 Too Many Requests, 503 Service Unavailable) is asked again.

SCB's API 2.0 allows 30 calls per 10 seconds per IP address and answers 429 past it;
Retry-After says how long to wait, as seconds or as an HTTP date (RFC 9110). Every live
source (SCB, Kolada, the police) goes through one rule, pipelines.fetch.send. The pauses
are recorded by conftest's ``waits`` fixture, never slept.
"""

from __future__ import annotations

from argparse import Namespace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import digest, local_api
from helpers import rows as _query

from pipelines import fetch
from pipelines.fetch import FetchError
from pipelines.fetch import main as fetch_main
from pipelines.readers import kolada, polisen, scb

DATA = Path(__file__).parent / "data"
SCB_ANSWER = (DATA / "scb" / "v2_tab638_2023.json").read_bytes()


class Busy:
    """Answers ``busy`` (status, headers) first, then ``ok`` for every later call."""

    def __init__(self, busy: list[tuple[int, dict]], ok: bytes):
        self.busy, self.ok, self.calls = list(busy), ok, 0

    def __call__(self, request):
        self.calls += 1
        if self.busy:
            status, headers = self.busy.pop(0)
            return status, b"Too Many Requests", headers
        return 200, self.ok


def _fetch_scb(db, save, monkeypatch, base):
    monkeypatch.setattr(scb, "API_V2", f"{base}/api/v2")
    monkeypatch.setattr(scb, "API_V1", f"{base}/v1")
    return fetch_main(SimpleNamespace(source="scb", args=[], years="2023", save=save, db=str(db)))


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
    assert fetch.retry_after("12", now) == 12
    assert fetch.retry_after("Tue, 24 Nov 2026 12:00:30 GMT", now) == 30
    assert fetch.retry_after("Tue, 24 Nov 2026 11:59:00 GMT", now) == 0  # already passed
    assert fetch.retry_after(None, now) is None
    assert fetch.retry_after("snart", now) is None


def test_scb_answering_429_is_asked_again_after_its_retry_after(empty_db, tmp_path, monkeypatch, waits):
    api = Busy([(429, {"Retry-After": "7"}), (429, {"Retry-After": "3"})], SCB_ANSWER)
    with local_api(api) as base:
        assert _fetch_scb(empty_db, tmp_path, monkeypatch, base) == 0
    assert api.calls == 3
    assert waits == [7, 3]
    [(men,)] = _query(empty_db, "SELECT population FROM population WHERE kommun_code = '0114' AND year = 2023 "
                                "AND age_band = '12-14' AND sex = 'M'")
    assert men == 312 + 313 + 314


def test_a_retry_after_given_as_a_date_is_waited_until(empty_db, tmp_path, monkeypatch, waits):
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    api = Busy([(429, {"Retry-After": later})], SCB_ANSWER)
    with local_api(api) as base:
        assert _fetch_scb(empty_db, tmp_path, monkeypatch, base) == 0
    [wait] = waits
    assert 15 <= wait <= 20


def test_scb_still_busy_after_the_retries_says_so_and_loads_nothing(empty_db, tmp_path, monkeypatch, waits):
    api = Busy([(429, {})] * 10, SCB_ANSWER)
    before = digest(empty_db)
    with local_api(api) as base, pytest.raises(FetchError) as error:
        _fetch_scb(empty_db, tmp_path, monkeypatch, base)
    assert api.calls == 1 + fetch.RETRIES  # bounded, and v1 is not asked for a busy API 2.0
    assert waits == [fetch.RETRY_PAUSE_S] * fetch.RETRIES  # no Retry-After: SCB's 10-second window
    message = str(error.value)
    assert message.startswith("SCB:s API 2.0 svarade med fel (HTTP 429) för år 2023")
    assert "för många anrop; frågade 4 gånger med paus emellan – vänta en stund och försök igen; inget lästes in." \
        in message
    assert digest(empty_db) == before


def test_a_retry_after_too_long_to_wait_is_not_waited_for(empty_db, tmp_path, monkeypatch, waits):
    api = Busy([(503, {"Retry-After": "3600"})] * 5, SCB_ANSWER)
    with local_api(api) as base, pytest.raises(FetchError) as error:
        _fetch_scb(empty_db, tmp_path, monkeypatch, base)
    assert api.calls == 1 and waits == []
    assert "(HTTP 503)" in str(error.value)
    assert "tjänsten är tillfälligt otillgänglig; tjänsten bad oss vänta 60 min – försök igen då" in str(error.value)


def test_kolada_answering_429_is_asked_again(empty_db, tmp_path, monkeypatch, waits):
    pages = {"/v3/kpi/N07403": (DATA / "kolada" / "api_kpi.json").read_bytes(),
             "/v3/data/kpi/N07403/year/2023": b'{"count": 1, "values": [{"kpi": "N07403", "municipality": "0180", '
                                               b'"period": 2023, "values": [{"gender": "T", "value": 1587.4}]}]}'}
    calls = []

    def answer(request):
        calls.append(request.path)
        if len(calls) == 2:  # the data call, the first time
            return 429, b"Too Many Requests", {"Retry-After": "2"}
        return 200, pages[request.path]

    with local_api(answer) as base:
        monkeypatch.setattr(kolada, "API", f"{base}/v3")
        assert fetch_main(SimpleNamespace(source="kolada", args=["N07403"], years="2023", save=tmp_path,
                                          db=str(empty_db))) == 0
    assert calls == ["/v3/kpi/N07403", "/v3/data/kpi/N07403/year/2023", "/v3/data/kpi/N07403/year/2023"]
    assert waits == [2]
    assert _query(empty_db, "SELECT kommun_code, value FROM kolada_value") == [("0180", 1587.4)]


def test_the_police_feed_answering_429_is_asked_again_and_says_so_when_it_stays_busy(tmp_path, monkeypatch, waits):
    body = (DATA / "polisen" / "polisen-events-2024-documented.json").read_bytes()
    api = Busy([(429, {"Retry-After": "5"})], body)
    args = Namespace(location=None, event_type=None, date=None)
    with local_api(api) as base:
        monkeypatch.setattr(polisen, "API_URL", f"{base}/api/events")
        [saved] = polisen.fetch(args, tmp_path)
        assert saved.read_bytes() == body and api.calls == 2 and waits == [5]
        api.busy = [(429, {})] * 10
        with pytest.raises(FetchError) as error:
            polisen.fetch(args, tmp_path / "igen")
    assert str(error.value) == ("polisen: polisen.se svarade med fel (HTTP 429) – för många anrop; frågade 4 gånger "
                                "med paus emellan – vänta en stund och försök igen; inget lästes in.")
