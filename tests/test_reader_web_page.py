"""API answers saved from the browser as a web page (Chrome or Edge: "Spara som … Webbsida,
endast HTML"): the JSON shown as text in a <pre>, read as the answer itself by every JSON
reader (pipelines.readers.json_in_web_page); an HTML error page is still refused as one.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import refused, rows

from pipelines.loading import ingest

DATA = Path(__file__).parent / "data"
SAVED_LINE = "Filen är en webbsida som webbläsaren sparade (Spara som … Webbsida); svaret från webbtjänsten i den lästes."


def _page(body: str, doctype: bool = False) -> str:
    """The page Chrome saves for a JSON answer: the text in a <pre>, & < > as entities."""
    shown = body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (("<!DOCTYPE html>" if doctype else "")
            + '<html><head><meta name="color-scheme" content="light dark"><meta charset="utf-8"></head><body>'
            f'<pre>{shown}</pre><div class="json-formatter-container"></div></body></html>')


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


@pytest.mark.parametrize(("source", "fmt", "table"), [
    ("kolada/data_kpi_year.json", "kolada-json", "kolada_value"),
    ("scb/folkmangd_jsonstat2.json", "scb-json", "population"),
    ("scb/api_befolkningny_2023.json", "scb-json", "population"),
])
def test_an_answer_saved_as_a_web_page_loads_as_the_answer(empty_db, reference_db_template, tmp_path, source, fmt,
                                                          table):
    # Before: "formatet känns inte igen (filen är en webbsida (HTML), troligen en felsida …)".
    plain_db = tmp_path / "plain.duckdb"
    shutil.copyfile(reference_db_template, plain_db)
    [plain] = ingest(plain_db, [DATA / source])
    assert plain.status == "ok", plain.lines
    page = tmp_path / "svar.html"
    page.write_text(_page((DATA / source).read_text(encoding="utf-8"), doctype=fmt == "scb-json"), encoding="utf-8")
    [report] = ingest(empty_db, [page])
    assert (report.status, report.source_format, report.rows_accepted) == ("ok", fmt, plain.rows_accepted)
    assert report.lines[0] == SAVED_LINE
    # Kolada's answer has no retrieval time: each load stamps its own.
    query = f"SELECT * EXCLUDE (load_id{', retrieved_at' if table == 'kolada_value' else ''}) FROM {table} ORDER BY ALL"
    assert rows(empty_db, query) == rows(plain_db, query)
    # Kolada's report names the load's own time ("Hämtat 2026-11-24 22:59 (inläsningstid)"):
    # the two loads may fall on either side of a minute.
    def same_minute(lines):
        return [re.sub(r"Hämtat \d{4}-\d\d-\d\d \d\d:\d\d \(inläsningstid\)", "Hämtat … (inläsningstid)", line)
                for line in lines]
    assert same_minute(report.lines[1:]) == same_minute(plain.lines)


def test_entities_in_the_page_are_read_as_the_characters_they_stand_for(empty_db, tmp_path):
    doc = json.loads((DATA / "kolada" / "data_kpi_year.json").read_text(encoding="utf-8"))
    doc["kpi"] = [{"id": "N07403", "title": "Anmälda brott om skadegörelse & <klotter>, antal/1000 inv"}]
    page = tmp_path / "kolada.html"
    page.write_text(_page(json.dumps(doc, ensure_ascii=False)), encoding="utf-8")
    [report] = ingest(empty_db, [page])
    assert report.status == "ok", report.lines
    assert rows(empty_db, "SELECT DISTINCT kpi_title FROM kolada_value WHERE kpi_id = 'N07403'") == [
        ("Anmälda brott om skadegörelse & <klotter>, antal/1000 inv",)]


def test_an_error_answer_saved_as_a_web_page_says_what_the_service_said(empty_db, tmp_path):
    page = tmp_path / "kolada.html"
    page.write_text(_page('{"detail": "KPI N0740 finns inte"}'), encoding="utf-8")
    before = _digest(empty_db)
    message = refused(empty_db, page)
    assert "felmeddelande från webbtjänsten" in message and "'KPI N0740 finns inte'" in message, message
    assert _digest(empty_db) == before


@pytest.mark.parametrize("content", [
    "<!DOCTYPE html><html><body><h1>503</h1><pre>Service Unavailable</pre></body></html>",
    "<html><body><pre>{\"values\": [ avbruten</pre></body></html>",  # no valid JSON in the <pre>
    "<html><head><title>Kolada</title></head><body><p>Sidan finns inte</p></body></html>",
])
def test_an_html_error_page_is_still_refused_as_a_web_page(empty_db, tmp_path, content):
    page = tmp_path / "kolada.json"
    page.write_text(content, encoding="utf-8")
    before = _digest(empty_db)
    assert "webbsida (HTML)" in refused(empty_db, page)
    assert _digest(empty_db) == before


def test_a_personnummer_around_the_answer_refuses_the_page(empty_db, tmp_path):
    body = (DATA / "kolada" / "data_kpi_year.json").read_text(encoding="utf-8")
    page = tmp_path / "kolada.html"
    page.write_text(_page(body).replace("<body>", "<body><p>Sparad av 850101-0006</p>"), encoding="utf-8")
    before = _digest(empty_db)
    message = refused(empty_db, page)
    assert message.startswith("kolada.html: webbsidan runt svaret innehåller ett personnummer"), message
    assert _digest(empty_db) == before
