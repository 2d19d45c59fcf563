"""Small helpers shared by tests (tests import it as ``from helpers import …``: pytest puts tests/ on sys.path)."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipelines import warehouse
from pipelines.loading import ingest


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    """All rows of a query on a published warehouse, opened read-only."""
    con = warehouse.open_read_only(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def digest(path: Path) -> str:
    """The sha256 of a file: a refused load must leave the database byte for byte as it was."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(db: Path, path: Path, **options) -> str:
    """Ingest one file that must be refused and return its one-line message.

    Checks what a refusal promises: the load is rejected, its message is one line, and the
    database file is exactly as it was. ``options`` go to :func:`pipelines.loading.ingest`.
    """
    before = digest(db)
    [report] = ingest(db, [path], **options)
    assert report.status == "rejected", report.summary()
    message = report.summary()
    assert "\n" not in message, message
    assert digest(db) == before, "a refused load changed the database"
    return message


INCIDENT_HEADER = "incident_id;occurred_at;incident_type;kommun_code;lpo_code;grid_cell;source\n"


def incident_csv(path: Path, body: str) -> Path:
    """An incident CSV in our documented format: the full header, then ``body``."""
    path.write_text(INCIDENT_HEADER + body, encoding="utf-8")
    return path


def rejected_rows(db: Path) -> list[tuple]:
    """(row_number, column, reason) of every rejected row, in row order."""
    return rows(db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY row_number')


def loaded(db: Path, folder: Path, name: str, lines: list[str]) -> Path:
    """Write ``lines`` as the file ``folder/name``, load it into ``db`` (it must load) and
    return ``db``: a warehouse with just that data, as a user's first load makes it."""
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [report] = ingest(db, [path])
    assert report.status == "ok", report.summary()
    return db


PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"


def open_page(db: Path, page: str, monkeypatch, params: dict):
    """A dashboard page run once in AppTest on ``db`` with URL parameters ``params``; it
    must run without an exception."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LAGESBILD_DB", str(db))
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_tab(at, key: str, label: str):
    """Choose the tab ``label`` of the lazy tabs keyed ``key`` and rerun, as a click does:
    the tab's state and the address both change (in AppTest a tab named by the address
    would otherwise win over the state). The page must run without an exception; only the
    chosen tab's content is there."""
    at.session_state[key] = label
    at.query_params[key] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def as_read(text: str) -> str:
    """``text`` as a person reads it: no-break spaces as spaces, word joiners (which only
    keep a line from breaking) left out."""
    return text.replace("\u00a0", " ").replace("\u2060", "")


def chart_titles(at) -> list[str]:
    """The titles a page shows above its charts (components.chart), as read."""
    import html
    import re

    return [html.unescape(re.sub(r"<[^>]+>", "", e.proto.body)) for e in at.get("html")
            if "lagesbild-chart-title" in e.proto.body]


def chart_note(at, index: int = 0) -> str:
    """The note a page says under its chart (components.chart writes the figure's note as
    a caption under it); it must be on the page."""
    import json

    note = json.loads(at.get("plotly_chart")[index].proto.spec)["layout"]["meta"]["note"]
    assert note in [c.value for c in at.caption], note
    return note


def swedish_number(text: str) -> float:
    """A number as a page shows it ('1 234', '23,2 %', '+12', '−4,5') as a float."""
    return float(text.replace("\xa0", "").replace("\u202f", "").replace(" ", "").replace("%", "").replace(",", ".")
                 .replace("\u2212", "-"))


@dataclass(frozen=True)
class Request:
    """One request a :func:`local_api` received."""

    method: str
    path: str  # with its query string
    headers: dict[str, str]
    body: bytes
    base: str  # the server's own http://127.0.0.1:PORT


@contextlib.contextmanager
def local_api(answer: Callable[[Request], tuple[int, bytes]]) -> Iterator[str]:
    """A stand-in for a live API on 127.0.0.1; yields its base URL.

    ``answer(request)`` returns (HTTP status, JSON payload) for every GET or POST, or
    (status, payload, {header: value}) for an answer with headers of its own (Retry-After).
    """

    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(self.command, self.path, dict(self.headers), self.rfile.read(length),
                              f"http://127.0.0.1:{self.server.server_port}")
            status, payload, *extra = answer(request)
            self.send_response(status)
            for name, value in (extra[0] if extra else {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve  # noqa: N815 (http.server's naming)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            # A client that gave up (the timeout tests) leaves a broken pipe here. Printed,
            # it landed seconds later in whichever test was capturing stderr (a one-line
            # check of the CLI's error output failed that way once in a full run); a failing
            # answer() still fails its own test, whose client then gets no answer.
            pass

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


class Attacker:
    """Everything a reader of several police signal views knows, as linear algebra: one
    unknown per LPO (with the "ej fördelat" branches) × month of ``months`` ('2025-03').
    :meth:`read` takes a layer's shown values as equations (and, for ``base`` layers, its
    hidden values as what must stay unknown); :meth:`given_away` lists the hidden values
    the equations determine. Every shown value is checked not to be a count from 1 to the
    threshold − 1."""

    def __init__(self, leaves: list[tuple], months: list[str]):
        from dashboard import signal_layers, suppression

        self.levels = signal_layers.CHAINS["police"]
        self.period_of = signal_layers.period_of
        self.threshold = suppression.threshold()
        self.at_leaf = {leaf: i for i, leaf in enumerate(leaves)}
        self.at_month = {m: i for i, m in enumerate(months)}
        self.n_months = len(months)
        self.rows: list = []
        self.hidden: list = []

    def _vector(self, key: tuple, months: list[str]):
        import numpy as np

        v = np.zeros(len(self.at_leaf) * self.n_months)
        for leaf, i in self.at_leaf.items():
            if leaf[:len(key)] == key:
                for m in months:
                    v[i * self.n_months + self.at_month[m]] = 1
        return v

    def read(self, layer, lo, hi, grain: str | None, *, base: bool) -> None:
        import pandas as pd

        def cells(grouping) -> dict:
            keys, values, hidden, _ = layer.entries(grouping)
            return {k: (None if h else v) for k, v, h in zip(keys, values, hidden, strict=True)}

        window = pd.date_range(lo, hi, freq="MS").strftime("%Y-%m").tolist()
        for k in range(len(self.levels) + 1):
            found = [(key, window, value) for key, value in cells(self.levels[:k]).items()]
            if grain is not None:
                for (*area, period), value in cells((*self.levels[:k], "period")).items():
                    inside = [m for m in window if self.period_of(int(m[:4]), int(m[5:]), grain) == period]
                    found.append((tuple(area), inside, value))
            for key, inside, value in found:
                if value is None:
                    if base:  # what the published layers hide must stay unknown
                        self.hidden.append(self._vector(key, inside))
                else:
                    self.rows.append(self._vector(key, inside))
                    assert not 1 <= value < self.threshold, (key, inside, value)

    def given_away(self) -> list[int]:
        """The hidden values (in the order read) that the shown ones determine: the null
        space of everything shown is zero at them."""
        import numpy as np

        a = np.array(self.rows)
        values, vectors = np.linalg.eigh(a.T @ a)
        null = vectors[:, values < 1e-8 * values.max()]
        return [i for i, v in enumerate(self.hidden) if np.abs(null.T @ v).max() < 1e-6]


def shown_cells(element):
    """What an AppTest ``st.dataframe`` shows in its cells, as texts under its headers.

    ``element.value`` holds what the grid sorts by: a number column of
    components.dataframe carries numbers, drawn with the texts a pandas Styler gives them
    ("1 234", "−3", "+12,5 %", ".." for a hidden value, "–" for a missing one); whole
    numbers 0–999 without a Styler's text are drawn as they are. conftest.py makes it
    ``element.shown`` (the tests read tables as a person does)."""
    import pandas as pd
    from streamlit import dataframe_util

    values = element.value
    display = element.proto.arrow_data.styler.display_values
    texts = dataframe_util.convert_arrow_bytes_to_pandas_df(display) if display else None
    out = values.copy()
    for i, column in enumerate(values.columns):
        series = values[column]
        if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            continue
        out[column] = texts.iloc[:, i].tolist() if texts is not None else [str(v) for v in series.tolist()]
    return out
