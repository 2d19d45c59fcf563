"""The load contract: one transaction per file, rejected rows recorded, nothing twice."""

from __future__ import annotations

import duckdb
from helpers import refused
from helpers import rows as _query

from pipelines import warehouse
from pipelines.loading import ingest


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def _count(db, sql):
    con = warehouse.open_read_only(db)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


INCIDENTS = """incident_id;occurred_at;incident_type;kommun_code
a1;2024-03-01 21:14:05;skottlossning;0180
a2;2024-03-02 10:00:00;explosion;1280
a3;2024-02-30 10:00:00;rån;0180
a4;2024-03-03 08:00:00;rån;9999
"""


def test_rejected_rows_are_recorded_and_the_rest_lands(empty_db, tmp_path):
    f = _write(tmp_path / "incidents.csv", INCIDENTS)
    [report] = ingest(empty_db, [f])
    assert report.status == "ok"
    assert report.rows_accepted == 2
    assert _count(empty_db, "SELECT count(*) FROM incident") == 2
    rejected = warehouse.open_read_only(empty_db).execute(
        'SELECT row_number, "column", reason FROM rejected_row ORDER BY row_number').fetchall()
    assert [(r[0], r[1]) for r in rejected] == [(4, "occurred_at"), (5, "kommun_code")]


def test_same_file_twice_adds_nothing(empty_db, tmp_path):
    f = _write(tmp_path / "incidents.csv", INCIDENTS)
    ingest(empty_db, [f])
    before = _count(empty_db, "SELECT count(*) FROM incident"), _count(empty_db, "SELECT count(*) FROM load_log")
    [again] = ingest(empty_db, [f])
    assert again.status == "duplicate"
    after = _count(empty_db, "SELECT count(*) FROM incident"), _count(empty_db, "SELECT count(*) FROM load_log")
    assert before == after


def test_corrected_file_replaces_its_earlier_version(empty_db, tmp_path):
    f = _write(tmp_path / "incidents.csv", INCIDENTS)
    ingest(empty_db, [f])
    # The correction keeps a1, drops a2 and adds b1: most of the earlier rows are in it.
    _write(f, "incident_id;occurred_at;incident_type;kommun_code\na1;2024-03-01 21:14:05;skottlossning;0180\n"
              "b1;2024-04-01 10:00:00;rån;0180\n")
    [report] = ingest(empty_db, [f])
    ids = [r[0] for r in warehouse.open_read_only(empty_db).execute(
        "SELECT incident_id FROM incident ORDER BY 1").fetchall()]
    assert ids == ["a1", "b1"]
    assert "Ersätter den tidigare versionen av incidents.csv" in " ".join(report.lines)


def test_another_file_under_the_same_name_is_added_beside_the_first(empty_db, tmp_path):
    # A browser saves many downloads under one name (Kolada's "2023.json", "export.csv"):
    # the second file's other rows deleted the first one's, with no word.
    first = tmp_path / "jan" / "export.csv"
    first.parent.mkdir()
    _write(first, INCIDENTS)
    second = tmp_path / "feb" / "export.csv"
    second.parent.mkdir()
    _write(second, "incident_id;occurred_at;incident_type;kommun_code\nb1;2024-04-01 10:00:00;rån;0180\n")
    ingest(empty_db, [first])
    [report] = ingest(empty_db, [second])
    assert report.status == "ok"
    ids = [r[0] for r in warehouse.open_read_only(empty_db).execute(
        "SELECT incident_id FROM incident ORDER BY 1").fetchall()]
    assert ids == ["a1", "a2", "b1"]
    assert "En tidigare fil med samma namn (inläsning 1) har andra uppgifter (0 av 2 rader" in " ".join(report.lines)
    assert _count(empty_db, "SELECT count(*) FROM load_log WHERE status = 'ok'") == 2


def test_windows_1252_and_comma_delimiter(empty_db, tmp_path):
    f = _write(tmp_path / "inc.csv",
               "incident_id,occurred_at,incident_type,kommun_code\nx1,2024-01-05 10:00,våldsbrott,0180\n", "cp1252")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok" and report.rows_accepted == 1
    assert _count(empty_db, "SELECT count(*) FROM incident WHERE incident_type = 'våldsbrott'") == 1


def test_file_missing_a_column_changes_nothing(empty_db, tmp_path):
    f = _write(tmp_path / "bad.csv", "incident_id;occurred_at;incident_type\nx;2024-01-01;rån\n")
    message = refused(empty_db, f)
    assert "kommun_code" in message and "bad.csv" in message


def test_personnummer_rejects_whole_file_without_echoing_it(empty_db, tmp_path):
    f = _write(tmp_path / "pnr.csv", INCIDENTS.replace("a2;", "121212-1212;"))
    message = refused(empty_db, f)
    assert "rad 3" in message and "121212" not in message


def test_personnummer_in_any_incident_cell_rejects_the_file(empty_db, tmp_path):
    # The bulk path screens only cells that can hold ten digits; each of these can.
    header = "incident_id;occurred_at;incident_type;kommun_code;lpo_code;grid_cell;source\n"
    ok = "b1;2024-03-01 21:14:05;stöld;0180;;6160006170000;test\n"
    cases = [
        ("source", "b2;2024-03-02 10:00:00;stöld;0180;;;tips 121212-1212\n"),
        ("grid_cell", "b2;2024-03-02 10:00:00;stöld;0180;;1kmN1212121212E616;test\n"),
        ("lpo_code", "b2;2024-03-02 10:00:00;stöld;0180;LPO 121212-1212;;test\n"),
        ("occurred_at", "b2;121212-1212;stöld;0180;;;test\n"),
        ("kommun_code", "b2;2024-03-02 10:00:00;stöld;1212121212;;;test\n"),
        # pasted from Word: an en dash, a non-breaking space (the bulk screen must let them by)
        ("source", "b2;2024-03-02 10:00:00;stöld;0180;;;tips 121212\u20131212\n"),
        ("lpo_code", "b2;2024-03-02 10:00:00;stöld;0180;LPO 121212\u00a01212;;test\n"),
    ]
    for n, (column, row) in enumerate(cases):
        message = refused(empty_db, _write(tmp_path / f"pnr_{n}.csv", header + ok + row))
        assert f"rad 3, kolumn '{column}'" in message and "121212" not in message, column


def test_a_bulk_load_leaves_no_temporary_tables_behind(empty_db, tmp_path):
    from pipelines.loading import load_file

    f = _write(tmp_path / "inc.csv", INCIDENTS)
    with warehouse.write_session(empty_db) as con:
        report = load_file(con, f)
        left = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary "
                           "UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal").fetchall()
    assert report.status == "ok" and left == []


def test_the_incident_staging_plan_keeps_the_file_order_for_row_numbers(tmp_path):
    # Rejected rows are reported by file row, read from the staging table's rowid. That holds
    # only while DuckDB writes the table with the order-keeping ("Batch") operator, which a
    # join anywhere in the plan turns off: at national scale rows were then reported under
    # other rows' numbers. Small files never show it, so the plan itself is checked.
    from pipelines.readers.canonical import STAGING_PARAMS, staging_sql

    csv = tmp_path / "h.csv"
    csv.write_text("incident_id;occurred_at;incident_type;kommun_code;lpo_code;grid_cell;source\n"
                   "a1;2025-01-01 10:00:00;skjutning;0180;;;egen fil\n", encoding="utf-8")
    src = f"read_csv('{csv}', delim=';', header=true, all_varchar=true, strict_mode=false, null_padding=true)"
    cols = {c: c for c in ("lpo_code", "grid_cell", "source")}
    plan = "\n".join(r[1] for r in duckdb.connect().execute("EXPLAIN " + staging_sql(src, cols),
                                                             STAGING_PARAMS).fetchall())
    assert "Batch Create Table As" in plan
    assert "JOIN" not in plan.upper()


def test_a_file_that_changes_while_it_is_loaded_is_refused(empty_db, tmp_path, monkeypatch):
    # A file still being written (a download or an export in progress) when its load ends:
    # what was read is not the file whose checksum was recorded, and a row written after
    # the read (here one with a personnummer) would be missing from what was checked.
    from pipelines.readers import canonical

    f = _write(tmp_path / "incidents.csv", INCIDENTS)
    checked = canonical.read

    def read_then_append(path, ctx, fmt):
        result = checked(path, ctx, fmt)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("a5 19121212-1212;2024-03-04 08:00:00;rån;0180\n")
        return result

    monkeypatch.setattr(canonical, "read", read_then_append)
    message = refused(empty_db, f)
    assert "ändrades medan den lästes in" in message
    assert "19121212" not in message


def test_a_re_encoded_copy_of_the_file_is_removed_after_the_load(empty_db, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    f = _write(tmp_path / "inc.csv",
               "incident_id,occurred_at,incident_type,kommun_code\nx1,2024-01-05 10:00,våldsbrott,0180\n", "cp1252")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok" and report.rows_accepted == 1
    assert list((tmp_path / "tmp").rglob("*")) == []


def test_a_cell_with_line_breaks_as_excel_saves_it(empty_db, tmp_path):
    # Excel writes a cell with Alt+Enter line breaks as a quoted field spanning lines (LF
    # inside, CRLF between rows). The rows after it keep their spreadsheet numbers, and a
    # row cut short is still padded.
    f = _write(tmp_path / "incidents.csv",
               'incident_id;occurred_at;incident_type;kommun_code;source\r\n'
               'q1;2024-03-01 21:14:05;skottlossning;0180;"kommunens logg\nrad två"\r\n'
               'q2;2024-03-02 10:00:00;explosion;9999;logg\r\n'
               'q3;2024-03-03 10:00:00;rån\r\n')
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert report.rows_accepted == 1
    con = warehouse.open_read_only(empty_db)
    assert con.execute("SELECT source FROM incident").fetchall() == [("kommunens logg\nrad två",)]
    rejected = con.execute('SELECT row_number, "column" FROM rejected_row ORDER BY row_number').fetchall()
    assert rejected == [(3, "kommun_code"), (4, "kommun_code")]


def test_rows_with_only_delimiters_are_skipped_like_blank_lines(empty_db, tmp_path):
    # Excel writes a row whose cells were cleared (not deleted) as ';;;'. Signal and measure
    # files skip such rows; an incident file did not, and --strict refused the whole file.
    text = ("incident_id;occurred_at;incident_type;kommun_code;source\r\n"
            "e1;2024-03-01 21:14:05;skottlossning;0180;logg\r\n"
            ";;;;\r\n"
            "e2;2024-03-02 10:00:00;explosion;9999;logg\r\n"
            " ; ;;;\r\n")
    f = _write(tmp_path / "incidents.csv", text)
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 1)
    rejected = warehouse.open_read_only(empty_db).execute(
        'SELECT row_number, "column" FROM rejected_row ORDER BY row_number').fetchall()
    assert rejected == [(4, "kommun_code")]
    g = _write(tmp_path / "strict.csv", text.replace("9999", "1280").replace("e1", "s1").replace("e2", "s2"))
    [strict] = ingest(empty_db, [g], strict=True)
    assert (strict.status, strict.rows_accepted) == ("ok", 2), strict.summary()


def test_signal_categories_are_read_as_people_write_them(empty_db, tmp_path):
    # An age band typed in Word or Excel gets an en dash ('12–14'), and case varies; each
    # is stored in the documented spelling. A value that is no category is still rejected.
    f = _write(tmp_path / "signaler.csv",
               "month;area_code;age_band;sex;source;signal_type;count\n"
               "2025-03;0114;12–14;k;Skola;Kontakt via sociala medier;4\n"
               "2025-03;0114;Under 12;M;skola;kontakt via sociala medier;2\n"
               "2025-03;0114;15 - 17;X;skola;kontakt via sociala medier;1\n"
               "2025-03;0114;12-15;M;skola;kontakt via sociala medier;1\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 3, 1)
    con = warehouse.open_read_only(empty_db)
    try:
        stored = con.execute("SELECT age_band, sex, source, signal_type, count FROM recruitment_signal "
                             "ORDER BY count").fetchall()
        rejected = con.execute('SELECT row_number, "column" FROM rejected_row').fetchall()
    finally:
        con.close()
    assert stored == [("15-17", "X", "skola", "kontakt via sociala medier", 1),
                      ("under 12", "M", "skola", "kontakt via sociala medier", 2),
                      ("12-14", "K", "skola", "kontakt via sociala medier", 4)]
    assert rejected == [(5, "age_band")]


def test_signal_months_as_exports_write_them(empty_db, tmp_path):
    # A month written as a date in it (the first or last day, as a spreadsheet fills it),
    # as SCB's '2025M03' or without a separator; a date that does not exist is rejected.
    f = _write(tmp_path / "signaler.csv",
               "month;area_code;age_band;sex;source;signal_type;count\n"
               "2025-01;0114;12-14;M;skola;rekryteringsförsök;1\n"
               "2025-02-28;0114;12-14;M;skola;rekryteringsförsök;2\n"
               "2025M03;0114;12-14;M;skola;rekryteringsförsök;3\n"
               "202504;0114;12-14;M;skola;rekryteringsförsök;4\n"
               "2025-5;0114;12-14;M;skola;rekryteringsförsök;5\n"
               "2025-02-30;0114;12-14;M;skola;rekryteringsförsök;6\n"
               "2025-13;0114;12-14;M;skola;rekryteringsförsök;7\n")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert [(str(m), n) for m, n in _query(empty_db, "SELECT month, count FROM recruitment_signal ORDER BY 1")] == [
        ("2025-01-01", 1), ("2025-02-01", 2), ("2025-03-01", 3), ("2025-04-01", 4), ("2025-05-01", 5)]
    assert _query(empty_db, 'SELECT row_number, "column" FROM rejected_row ORDER BY 1') == [(7, "month"), (8, "month")]


def test_signal_parquet_with_date_months_and_float_counts(empty_db, tmp_path):
    # pandas and databases write a month column as dates or midnight timestamps and counts
    # as floats; Parquet has no header row, so its first row is row 1.
    f = tmp_path / "signaler.parquet"
    duckdb.sql("""SELECT * FROM (VALUES
                      (TIMESTAMP '2025-03-01 00:00:00', '0114', '12-14', 'M', 'skola', 'rekryteringsförsök', 3.0),
                      (TIMESTAMP '2025-04-01 00:00:00', '0114', '12-14', 'M', 'skola', 'rekryteringsförsök', 2.5),
                      (TIMESTAMP '2025-05-31 00:00:00', '0114', '12-14', 'K', 'skola', 'rekryteringsförsök', 4.0))
                  AS t(month, area_code, age_band, sex, source, signal_type, count)""").write_parquet(str(f))
    dated = tmp_path / "signaler-datum.parquet"
    duckdb.sql("SELECT DATE '2025-06-01' AS month, '0114' AS area_code, '12-14' AS age_band, 'X' AS sex, "
               "'skola' AS source, 'rekryteringsförsök' AS signal_type, 1 AS count").write_parquet(str(dated))
    reports = ingest(empty_db, [f, dated])
    assert [r.status for r in reports] == ["ok", "ok"], [r.summary() for r in reports]
    assert [(str(m), sex, n) for m, sex, n in _query(
        empty_db, "SELECT month, sex, count FROM recruitment_signal ORDER BY 1")] == [
        ("2025-03-01", "M", 3), ("2025-05-01", "K", 4), ("2025-06-01", "X", 1)]
    assert _query(empty_db, 'SELECT row_number, "column" FROM rejected_row') == [(2, "count")]


def test_incident_rows_with_more_or_fewer_fields_than_the_header(empty_db, tmp_path):
    # Excel leaves trailing ';' on rows that once had more cells; a row cut short lacks
    # its last, optional cells.
    f = _write(tmp_path / "ojamn.csv", "incident_id;occurred_at;incident_type;kommun_code;source\n"
                                       "a1;2025-03-01 10:00:00;rån;0180;tips;;\n"
                                       "a2;2025-03-01 10:00:00;rån;0180\n"
                                       "a3;2025-03-01 10:00:00;rån;0180;;\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 3, 0), report.summary()
    assert _query(empty_db, "SELECT incident_id, source FROM incident ORDER BY 1") == [
        ("a1", "tips"), ("a2", "egen fil"), ("a3", "egen fil")]


def test_signal_counts_hidden_by_the_export_are_rejected_saying_why(empty_db, tmp_path):
    # Exports from social services often hide small counts themselves; a hidden count
    # cannot be summed, and the dashboard does its own disclosure control.
    f = _write(tmp_path / "signaler.csv",
               "month;area_code;age_band;sex;source;signal_type;count\n"
               "2025-03;0114;12-14;M;skola;rekryteringsförsök;7\n"
               "2025-03;0114;12-14;K;skola;rekryteringsförsök;..\n"
               "2025-03;0114;15-17;K;skola;rekryteringsförsök;<5\n"
               "2025-03;0114;15-17;M;skola;rekryteringsförsök;sju\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    reasons = _query(empty_db, 'SELECT row_number, reason FROM rejected_row ORDER BY 1')
    assert [r for r, _ in reasons] == [3, 4, 5]
    assert all("dolt" in reason and "faktiska antalet" in reason for _, reason in reasons[:2])
    assert "heltal" in reasons[2][1]


def test_incident_lpo_code_in_any_case_or_with_a_space(empty_db, tmp_path):
    # 'lpo-farsta' and 'LPO Farsta' name LPO-FARSTA; they were rejected as an LPO that
    # does not cover the kommun.
    path = tmp_path / "incidents.csv"
    path.write_text("incident_id;occurred_at;incident_type;kommun_code;lpo_code\n"
                    "a1;2025-03-01 21:14;skottlossning;0180;lpo-farsta\n"
                    "a2;2025-03-01 21:15;skottlossning;0180;LPO Farsta\n"
                    "a3;2025-03-01 21:16;skottlossning;0180;LPO_GLOBEN\n"
                    "a4;2025-03-01 21:17;skottlossning;0180;LPO-MALMO-NORR\n"
                    "a5;2025-03-01 21:18;skottlossning;0180;LPO-FARSTAA\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _query(empty_db, "SELECT incident_id, lpo_code FROM incident ORDER BY 1") == [
        ("a1", "LPO-FARSTA"), ("a2", "LPO-FARSTA"), ("a3", "LPO-GLOBEN")]
    # An LPO in another kommun is told apart from a code that names no LPO at all (a typo).
    assert _query(empty_db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY 1') == [
        (5, "lpo_code", "lokalpolisområdet täcker inte kommunen"),
        (6, "lpo_code", "okänt lokalpolisområde (se data/reference/lpo.csv)")]


def test_a_file_that_cannot_be_read_is_named_and_changes_nothing(empty_db, tmp_path, monkeypatch):
    # A workbook open in Excel on Windows is locked against reading (PermissionError); the
    # coordinator gets a Swedish line saying what to do, not a traceback.
    from pipelines import loading

    good = _write(tmp_path / "incidents.csv", INCIDENTS)
    locked = tmp_path / "plan.xlsx"
    locked.write_bytes(b"PK\x03\x04")
    original = loading.sha256_of

    def sha256_of(path):
        if path.name == "plan.xlsx":
            raise PermissionError(13, "Permission denied")
        return original(path)

    monkeypatch.setattr(loading, "sha256_of", sha256_of)
    [report] = ingest(empty_db, [locked])
    assert report.status == "rejected"
    assert "plan.xlsx: filen kan inte läsas (PermissionError). Den kan vara öppen i Excel" in report.lines[0]
    assert _count(empty_db, "SELECT count(*) FROM load_log") == 0
    reports = ingest(empty_db, [locked, good])  # the other file of the same call still loads
    assert [r.status for r in reports] == ["rejected", "ok"]


def test_a_folder_loads_the_files_in_it(empty_db, tmp_path):
    # A länsstyrelse keeps its kommuner's files in one folder. Before, a folder given to
    # ingest was 'filen finns inte'. Excel's lock file (~$…, while a workbook is open),
    # hidden and system files, subfolders and a file's sidecar are not loaded on their own.
    import shutil
    from pathlib import Path

    from helpers import digest, incident_csv

    folder = tmp_path / "inläsning november"
    (folder / "äldre").mkdir(parents=True)
    incident_csv(folder / "b-händelser.csv", "k-1;2026-03-01 21:14;rån;0180;;;\n")
    shutil.copy(Path(__file__).parent / "data" / "polisen" / "polisen-events-20260822T080000Z.json",
                folder / "A-polisen.json")
    incident_csv(folder / "äldre" / "gamla.csv", "k-9;2026-03-01 21:14;rån;0180;;;\n")
    (folder / "b-händelser.csv.toml").write_text('organisation = "x"\n', encoding="utf-8")
    (folder / "~$plan.xlsx").write_bytes(b"\x00lock")
    (folder / ".DS_Store").write_bytes(b"\x00")
    (folder / "Thumbs.db").write_bytes(b"\x00")
    reports = ingest(empty_db, [folder])
    assert [(r.file, r.status) for r in reports] == [("A-polisen.json", "ok"), ("b-händelser.csv", "ok")]
    assert _query(empty_db, "SELECT incident_id FROM incident WHERE incident_id = 'k-9'") == []

    empty = tmp_path / "tom"
    empty.mkdir()
    before = digest(empty_db)
    [report] = ingest(empty_db, [empty])
    assert report.status == "rejected" and report.lines == [f"{empty}: mappen innehåller inga filer att läsa in."]
    assert digest(empty_db) == before


def test_a_file_whose_every_row_is_skipped_says_why(empty_db, tmp_path):
    # Only län and riket in a population table: the reader skips them and said why, but the
    # refusal said only "bara rubriker eller tomma rader".
    f = _write(tmp_path / "folkmangd.csv", "region;ålder;kön;2024\n"
               "00 Riket;12 år;män;60000\n01 Stockholms län;12 år;män;15000\n")
    message = refused(empty_db, f)
    assert "inga datarader" in message and "län" in message and "riket" in message, message


def test_an_unexpected_error_refuses_that_file_only_and_quotes_nothing(empty_db, tmp_path, monkeypatch, caplog):
    # A reader's own error aborted the whole command (the good file beside it too) and
    # named no file; its text may quote a cell, so neither the message nor the log shows it.
    from pipelines.readers import canonical

    good = _write(tmp_path / "good.csv", INCIDENTS)
    bad = _write(tmp_path / "bad.csv", INCIDENTS.replace("a1", "z1").replace("a2", "z2"))
    real = canonical.read

    def failing(path, ctx, fmt):
        if path.name == "bad.csv":
            raise ValueError("cell 850101-1236")
        return real(path, ctx, fmt)

    monkeypatch.setattr(canonical, "read", failing)
    reports = ingest(empty_db, [bad, good])
    assert [r.status for r in reports] == ["rejected", "ok"]
    message = reports[0].summary()
    assert message.startswith("bad.csv: oväntat fel vid inläsningen (ValueError, ") and "inget lästes in" in message
    assert "1236" not in message and "1236" not in caplog.text
    assert _count(empty_db, "SELECT count(*) FROM incident") == 2


def test_a_text_table_that_ends_mid_row_is_pointed_out(empty_db, tmp_path):
    # A file cut off while saved ("…;2175;21"): its last row was read as if whole, with no
    # word. Every program that saves CSV ends the last row with a line break.
    cut = _write(tmp_path / "cut.csv", INCIDENTS.rstrip("\n"))
    [report] = ingest(empty_db, [cut])
    assert report.status == "ok"
    assert any("slutar mitt på en rad" in line for line in report.lines)
    whole = _write(tmp_path / "whole.csv", INCIDENTS.replace("a", "w"))
    [report] = ingest(empty_db, [whole])
    assert not any("slutar mitt på en rad" in line for line in report.lines)
