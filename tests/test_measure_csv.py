"""Our measure CSV (docs/formats.md, "Measures") read as coordinators fill it in."""

from __future__ import annotations

from helpers import rows

from pipelines.loading import ingest

HEADER = "organisation;kommun_code;year;prioritised_area;title;status;status_t1;status_t2;status_vb\n"


def _csv(path, body: str):
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_status_words_as_people_write_them(empty_db, tmp_path):
    # The same words the workbook's Status column takes (pipelines/readers/followup.py):
    # a drop-down's "Pågår", a hurried "Klar", capitals and a full stop.
    f = _csv(tmp_path / "atgarder.csv",
             "Tyresö kommun;0138;2025;Unga i riskzon för destruktivt beteende;Fältgrupp;Pågår;Ej startad;Pågår;\n"
             "Tyresö kommun;0138;2025;Unga i riskzon för destruktivt beteende;Läxhjälp;GENOMFÖRD.;;;Klar\n"
             "Tyresö kommun;0138;2025;Unga i riskzon för destruktivt beteende;Föräldrastöd;Delvis;;;\n"
             "Tyresö kommun;0138;2025;Unga i riskzon för destruktivt beteende;Nattvandring;delvis uppnådd;;;\n"
             "Tyresö kommun;0138;2025;Unga i riskzon för destruktivt beteende;Trygghetsvandring;;;;\n")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok" and report.rows_rejected == 0, report.summary()
    assert dict(rows(empty_db, "SELECT title, status FROM measure")) == {
        "Fältgrupp": "påbörjad", "Läxhjälp": "uppnådd", "Föräldrastöd": "delvis uppnådd",
        "Nattvandring": "delvis uppnådd", "Trygghetsvandring": "ej bedömd"}
    rounds = rows(empty_db, """SELECT m.title, f.round, f.status FROM measure_followup f
                               JOIN measure m USING (measure_id) ORDER BY 1, 2""")
    assert rounds == [("Fältgrupp", "T1", "ej uppnådd"), ("Fältgrupp", "T2", "påbörjad"), ("Läxhjälp", "VB", "uppnådd")]


def test_a_status_that_is_no_status_is_rejected_with_its_column(empty_db, tmp_path):
    f = _csv(tmp_path / "atgarder.csv",
             "Tyresö kommun;0138;2025;Unga i riskzon för destruktivt beteende;Fältgrupp;Ja;;;\n"
             "Tyresö kommun;0138;2025;Unga i riskzon för destruktivt beteende;Läxhjälp;påbörjad;;kanske;\n")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert rows(empty_db, 'SELECT row_number, "column" FROM rejected_row ORDER BY 1, 2') == [
        (2, "status"), (3, "status_t2")]
    # The row whose follow-up status was unreadable keeps its measure and its own status.
    assert rows(empty_db, "SELECT title, status FROM measure") == [("Läxhjälp", "påbörjad")]


def test_a_plan_for_two_years_is_the_first_years(empty_db, tmp_path):
    f = _csv(tmp_path / "atgarder.csv",
             "Tyresö kommun;0138;2025–2026;Unga i riskzon för destruktivt beteende;Fältgrupp;påbörjad;;;\n"
             "Huddinge kommun;0126;2025/26;Unga i riskzon för destruktivt beteende;Läxhjälp;påbörjad;;;\n"
             "Nacka kommun;0182;tjugofem;Unga i riskzon för destruktivt beteende;Nattvandring;påbörjad;;;\n")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert rows(empty_db, "SELECT organisation, year FROM plan ORDER BY 1") == [
        ("Huddinge kommun", 2025), ("Tyresö kommun", 2025)]
    assert rows(empty_db, 'SELECT row_number, "column" FROM rejected_row') == [(4, "year")]
