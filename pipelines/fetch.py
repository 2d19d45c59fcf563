"""``python -m pipelines fetch SOURCE``: call a live open API, save the answer, load it.

Each source's reader module owns its API call as ``fetch(args, dest_dir) -> list[Path]``
(the saved response files); this module saves and then loads them like any other file,
so a fetched answer and a downloaded file go through the same reader and checks.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from pipelines import config, warehouse
from pipelines.loading import ingest

SOURCES = {"polisen": "polisen", "scb": "scb", "kolada": "kolada"}


class FetchError(RuntimeError):
    """The live source could not be reached or answered with something unusable.

    ``status`` is the HTTP status of an error answer (None when there was no answer) and
    ``said`` what the answer said in its own words (a problem's title or detail), so a
    caller can tell "no such table" from a refused query without parsing the message.
    """

    def __init__(self, message: str, status: int | None = None, said: str | None = None):
        super().__init__(message)
        self.status = status
        self.said = said


class NothingToLoad(FetchError):
    """A good answer that holds nothing to load (no events for the filters, say).

    An hourly run that meets it prints its message and exits 0: a scheduler reports every
    non-zero exit as a failure. A FetchError so that a caller of a source's ``fetch`` that
    only knows FetchError still sees that nothing was saved.
    """


def main(args) -> int:
    db = config.db_path(args.db)
    try:
        if args.save:
            code, counts = _fetch_and_load(args, Path(args.save), db)
        else:
            # Without --save the answers are only needed for the load (run hourly, a folder
            # kept per run would pile up).
            with tempfile.TemporaryDirectory(prefix=f"lagesbild-{args.source}-") as folder:
                code, counts = _fetch_and_load(args, Path(folder), db)
    except Exception:  # FetchError, or the load failing: the coordinator should see it
        record_fetch(db, args.source, "misslyckades")
        raise
    record_fetch(db, args.source, "avvisat" if code else ("nytt" if any(counts) else "inget nytt"), *counts)
    return code


def _fetch_and_load(args, dest: Path, db: Path) -> tuple[int, tuple[int, int]]:
    """Fetch and load; return the exit code and (new rows, replaced values)."""
    module = importlib.import_module(f"pipelines.readers.{SOURCES[args.source]}")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        files = module.fetch(args, dest)
    except NothingToLoad as exc:
        print(exc)
        return 0, (0, 0)
    if not db.exists():
        from pipelines.build import build_reference_db

        build_reference_db(db)
    reports = ingest(db, files)
    for r in reports:
        print(r.summary(), file=sys.stderr if r.status == "rejected" else sys.stdout)
    if any(r.status == "rejected" for r in reports):
        return 2, (0, 0)
    # The run's outcome in one last line for the scheduler's log: an answer the same as an
    # earlier one, or whose rows were all stored already, is "0 nya", not a failure. Where
    # the newer value wins (kolada, scb) the loader tells new keys from replaced ones; where
    # a stored row stays (polisen) every accepted row is new.
    new = sum(r.rows_accepted if r.rows_new is None else r.rows_new for r in reports if r.status == "ok")
    replaced = sum(r.rows_replaced or 0 for r in reports if r.status == "ok")
    if all(r.status == "duplicate" for r in reports):
        print(f"{args.source}: 0 nya rader – svaret var detsamma som vid en tidigare hämtning.")
    elif replaced:
        print(f"{args.source}: {_new_rows(new)}, {replaced} {'lagrat värde ersatt' if replaced == 1 else 'lagrade värden ersatta'} "
              "med hämtningens.")
    else:
        print(f"{args.source}: {_new_rows(new)}.")
    return 0, (new, replaced)


def _new_rows(n: int) -> str:
    return "1 ny rad inläst" if n == 1 else f"{n} nya rader inlästa"


def fetch_log_path(db: Path) -> Path:
    """Where each source's last fetch is recorded: beside the database, not in it, so a
    fetch that brings nothing leaves the database byte for byte as it was (and an hourly
    run does not rewrite a warehouse of a gigabyte to say so)."""
    return Path(db).with_name(Path(db).name + ".fetch.json")


def read_fetch_log(db: Path) -> dict:
    """{source: {"fetched_at", "outcome", "rows_new", "rows_replaced", "last_new_at"}}."""
    try:
        doc = json.loads(fetch_log_path(db).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def record_fetch(db: Path, source: str, outcome: str, rows_new: int = 0, rows_replaced: int = 0) -> None:
    """Record a fetch's outcome (nytt | inget nytt | avvisat | misslyckades) and counts.

    Counts and times only: no answer text, which could hold anything the API sent.
    """
    path = fetch_log_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now().replace(microsecond=0).isoformat(sep=" ")
    # Two sources fetched by their own schedules may finish together: one at a time.
    with warehouse.exclusive(path.with_name(path.name + ".lock")):
        log = read_fetch_log(db)
        earlier = log.get(source) or {}
        log[source] = {"fetched_at": now, "outcome": outcome, "rows_new": rows_new, "rows_replaced": rows_replaced,
                       "last_new_at": now if outcome == "nytt" else earlier.get("last_new_at")}
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(log, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)


# A busy or rate-limited API (HTTP 429 Too Many Requests, 503 Service Unavailable) is asked
# again, waiting what its Retry-After says (seconds or an HTTP date, RFC 9110) or, without
# one, RETRY_PAUSE_S: SCB's API 2.0 allows 30 calls per 10 seconds per IP address, so a
# run of many years can meet 429 half-way. Any other server error is asked once more.
RETRIES = 3  # further calls after a 429 or 503
RETRY_PAUSE_S = 10.0  # without Retry-After: SCB's window is 10 seconds
MAX_WAIT_S = 120.0  # a longer Retry-After is not waited for; the message says when to try
BUSY = (429, 503)


def sleep(seconds: float) -> None:
    """Wait between calls (tests replace it, so that none of them waits for real)."""
    time.sleep(seconds)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait by a Retry-After header: '12' or an HTTP date
    ('Wed, 21 Oct 2026 07:28:00 GMT'); a date passed is 0. None when absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def send(method: str, url: str, timeout: float = 60, **kwargs):
    """One call to a live API, asked again while it is busy (module comment above); returns
    the last response, whatever its status. Network errors (requests.RequestException) are
    the caller's to word. The response gets ``tries`` (calls made) and ``wait_s`` (the
    Retry-After that was too long to wait for, or None)."""
    import requests

    tries = 0
    while True:
        resp = requests.request(method, url, timeout=timeout, **kwargs)
        tries += 1
        resp.tries, resp.wait_s = tries, None
        status = resp.status_code
        if status in BUSY and tries <= RETRIES:
            wait = retry_after(resp.headers.get("Retry-After"))
            if wait is not None and wait > MAX_WAIT_S:
                resp.wait_s = wait
                return resp
            sleep(RETRY_PAUSE_S if wait is None else wait)
            continue
        if status >= 500 and status not in BUSY and tries == 1:
            sleep(RETRY_PAUSE_S)
            continue
        return resp


def busy_advice(resp) -> str:
    """What to do after a busy answer that was asked again in vain, in Swedish."""
    if resp.status_code not in BUSY:
        return "försök igen senare"
    what = "för många anrop" if resp.status_code == 429 else "tjänsten är tillfälligt otillgänglig"
    if resp.wait_s is not None:
        minutes = max(1, round(resp.wait_s / 60))
        return f"{what}; tjänsten bad oss vänta {minutes} min – försök igen då"
    tried = f"frågade {resp.tries} gånger med paus emellan" if resp.tries > 1 else "frågade en gång"
    return f"{what}; {tried} – vänta en stund och försök igen"


def request_json(method: str, url: str, source: str, what: str, timeout: float = 60, **kwargs):
    """Call a live API and return ``(parsed JSON, raw bytes)``, or raise FetchError in Swedish.

    ``source`` names the API ("Kolada", "SCB:s API"), ``what`` the request ("på <url>",
    "för år 2024") in the messages. A busy API is asked again (:func:`send`).
    """
    import requests

    try:
        resp = send(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise FetchError(f"{source} kunde inte nås ({type(exc).__name__}). Försök igen senare.") from None
    if resp.status_code != 200:
        advice = (busy_advice(resp) if resp.status_code in BUSY or resp.status_code >= 500
                  else "kontrollera urvalet och försök igen")
        said = _said(resp.content)
        raise FetchError(f"{source} svarade med fel (HTTP {resp.status_code}) {what}{said} – "
                         f"{advice}; inget lästes in.", resp.status_code, said[3:-1] if said.startswith(": '") else None)
    try:
        return resp.json(), resp.content
    except ValueError:
        raise FetchError(f"{source} svarade inte med JSON {what}.") from None


def _said(body: bytes) -> str:
    """What an error answer says, for the one-line message: an API's own short error text
    (problem details, {"detail": …}, a line of plain text), or that it was a web page.
    Never the page's markup or a long body, which made the message many lines of HTML,
    and never a text holding a personnummer."""
    from pipelines.personnummer import contains_personnummer
    from pipelines.readers import api_error

    said = api_error(body[:65536])
    if said is None:
        text = body[:1024].decode("utf-8", errors="replace").strip().lstrip("\ufeff")
        if text.startswith("<"):
            return " (en webbsida, troligen en fel- eller underhållssida)"
        said = text if text and len(text) <= 200 and "\n" not in text and text.isprintable() else ""
    return f": '{said}'" if said and not contains_personnummer(said) else ""
