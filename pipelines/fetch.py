"""``python -m pipelines fetch SOURCE``: call a live open API, save the answer, load it.

Each source's reader module owns its API call as ``fetch(args, dest_dir) -> list[Path]``
(the saved response files); this module saves and then loads them like any other file,
so a fetched answer and a downloaded file go through the same reader and checks.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path

from pipelines import config
from pipelines.loading import ingest

SOURCES = {"polisen": "polisen", "scb": "scb", "kolada": "kolada"}


class FetchError(RuntimeError):
    """The live source could not be reached or answered with something unusable."""


class NothingToLoad(FetchError):
    """A good answer that holds nothing to load (no events for the filters, say).

    An hourly run that meets it prints its message and exits 0: a scheduler reports every
    non-zero exit as a failure. A FetchError so that a caller of a source's ``fetch`` that
    only knows FetchError still sees that nothing was saved.
    """


def main(args) -> int:
    if args.save:
        return _fetch_and_load(args, Path(args.save))
    # Without --save the answers are only needed for the load (run hourly, a folder kept
    # per run would pile up).
    with tempfile.TemporaryDirectory(prefix=f"lagesbild-{args.source}-") as folder:
        return _fetch_and_load(args, Path(folder))


def _fetch_and_load(args, dest: Path) -> int:
    module = importlib.import_module(f"pipelines.readers.{SOURCES[args.source]}")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        files = module.fetch(args, dest)
    except NothingToLoad as exc:
        print(exc)
        return 0
    db = config.db_path(args.db)
    if not db.exists():
        from pipelines.build import build_reference_db

        build_reference_db(db)
    reports = ingest(db, files)
    for r in reports:
        print(r.summary(), file=sys.stderr if r.status == "rejected" else sys.stdout)
    if any(r.status == "rejected" for r in reports):
        return 2
    # The run's outcome in one last line for the scheduler's log: an answer the same as an
    # earlier one, or whose rows were all stored already, is "0 nya", not a failure.
    new = sum(r.rows_accepted for r in reports)
    if all(r.status == "duplicate" for r in reports):
        print(f"{args.source}: 0 nya rader – svaret var detsamma som vid en tidigare hämtning.")
    else:
        print(f"{args.source}: {new} nya rader inlästa.")
    return 0


def request_json(method: str, url: str, source: str, what: str, timeout: float = 60, **kwargs):
    """Call a live API and return ``(parsed JSON, raw bytes)``, or raise FetchError in Swedish.

    ``source`` names the API ("Kolada", "SCB:s API"), ``what`` the request ("på <url>",
    "för år 2024") in the messages.
    """
    import requests

    try:
        resp = requests.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise FetchError(f"{source} kunde inte nås ({type(exc).__name__}). Försök igen senare.") from None
    if resp.status_code != 200:
        raise FetchError(f"{source} svarade {resp.status_code} {what}: {resp.text[:200].strip()}")
    try:
        return resp.json(), resp.content
    except ValueError:
        raise FetchError(f"{source} svarade inte med JSON {what}.") from None
