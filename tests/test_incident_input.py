"""Incident files as users' exports hold them: kommun names for codes, times with an offset."""

from __future__ import annotations

from datetime import datetime

import duckdb
from helpers import INCIDENT_HEADER, incident_csv, refused, rejected_rows, rows

from pipelines.loading import ingest


def _stored(db):
    return {r[0]: r[1:] for r in rows(db, "SELECT incident_id, kommun_code, lan_code, lpo_code, occurred_at "
                                          "FROM incident ORDER BY incident_id")}


def test_kommun_names_are_stored_as_codes_with_lan_and_the_only_lpo(empty_db, tmp_path):
    f = incident_csv(tmp_path / "export.csv",
             "n1;2025-03-01 10:00:00;rån;Malmö;;;\n"
             "n2;2025-03-01 11:00:00;rån;malmö;LPO-MALMO-NORR;;\n"
             "n3;2025-03-01 12:00:00;stöld;Upplands Väsby;;;\n"
             "n4;2025-03-01 13:00:00;stöld;Upplands-Väsby;;;\n"
             "n5;2025-03-01 14:00:00;brand;Malung-Sälen;;;\n"
             "n6;2025-03-01 15:00:00;hot;Malmö kommun;;;\n"
             "n7;2025-03-01 16:00:00;hot; UPPLANDS VÄSBY ;;;\n")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok" and report.rows_accepted == 7
    at = datetime(2025, 3, 1)
    assert _stored(empty_db) == {
        "n1": ("1280", "12", None, at.replace(hour=10)),  # Malmö has five LPOs: none filled in
        "n2": ("1280", "12", "LPO-MALMO-NORR", at.replace(hour=11)),
        "n3": ("0114", "01", "LPO-SOLLENTUNA", at.replace(hour=12)),
        "n4": ("0114", "01", "LPO-SOLLENTUNA", at.replace(hour=13)),
        "n5": ("2023", "20", "LPO-NORRA-DALARNA", at.replace(hour=14)),
        "n6": ("1280", "12", None, at.replace(hour=15)),
        "n7": ("0114", "01", "LPO-SOLLENTUNA", at.replace(hour=16)),
    }
    assert rejected_rows(empty_db) == []


def test_codes_and_names_mixed_and_a_name_that_is_no_kommun_is_rejected(empty_db, tmp_path):
    f = incident_csv(tmp_path / "mixed.csv",
             "m1;2025-03-01 10:00:00;rån;0180;LPO-FARSTA;;\n"
             "m2;2025-03-01 10:00:00;rån;Skåne;;;\n"  # a län, not a kommun
             "m3;2025-03-01 10:00:00;rån;Solna;;;\n"
             "m4;2025-03-01 10:00:00;rån;Farsta;;;\n"  # an LPO's name, not a kommun
             "m5;2025-03-01 10:00:00;rån;114;;;\n"  # a code that lost its leading zero
             "m6;2025-03-01 10:00:00;rån;Solna;LPO-FARSTA;;\n"  # the name is read, the LPO still checked
             "m7;2025-03-01 10:00:00;rån;9999;;;\n")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok" and report.rows_accepted == 3
    assert {k: v[:3] for k, v in _stored(empty_db).items()} == {
        "m1": ("0180", "01", "LPO-FARSTA"),
        "m3": ("0184", "01", "LPO-SOLNA"),
        "m5": ("0114", "01", "LPO-SOLLENTUNA"),
    }
    assert rejected_rows(empty_db) == [
        (3, "kommun_code", "okänd kommunkod"),
        (5, "kommun_code", "okänd kommunkod"),
        (7, "lpo_code", "lokalpolisområdet täcker inte kommunen"),
        (8, "kommun_code", "okänd kommunkod"),
    ]


def test_times_with_an_offset_are_stored_as_stockholm_local_time(empty_db, tmp_path):
    f = incident_csv(tmp_path / "iso.csv",
             "t1;2025-01-10T12:00:00+01:00;rån;0180;;;\n"  # winter: CET, +01:00
             "t2;2025-07-01T10:00:00Z;rån;0180;;;\n"  # summer: CEST, UTC 10:00 is 12:00
             "t3;2025-07-01 12:00:00+0200;rån;0180;;;\n"
             "t4;2025-03-01T12:00:00.123+01:00;rån;0180;;;\n"
             "t5;2025-07-01T08:00:00-02:00;rån;0180;;;\n"
             # the night summer time ends (2025-10-26 03:00 CEST -> 02:00 CET)
             "t6;2025-10-26T00:30:00Z;rån;0180;;;\n"
             "t7;2025-10-26T01:30:00Z;rån;0180;;;\n"
             "t8;2025-01-10 12:00;rån;0180;;;\n")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok" and report.rows_accepted == 8
    assert {k: v[3] for k, v in _stored(empty_db).items()} == {
        "t1": datetime(2025, 1, 10, 12, 0),
        "t2": datetime(2025, 7, 1, 12, 0),
        "t3": datetime(2025, 7, 1, 12, 0),
        "t4": datetime(2025, 3, 1, 12, 0, 0, 123000),
        "t5": datetime(2025, 7, 1, 12, 0),
        "t6": datetime(2025, 10, 26, 2, 30),
        "t7": datetime(2025, 10, 26, 2, 30),
        "t8": datetime(2025, 1, 10, 12, 0),
    }


def test_a_time_with_an_offset_in_the_future_or_unreadable_is_rejected(empty_db, tmp_path):
    f = incident_csv(tmp_path / "iso.csv",
             "f1;2025-01-10T12:00:00+01:00;rån;0180;;;\n"
             "f2;2999-01-10T12:00:00+01:00;rån;0180;;;\n"
             "f3;2025-01-10T12:00:00 CET;rån;0180;;;\n"
             "f4;2025-01-10T12:00:00+25:00;rån;0180;;;\n")
    [report] = ingest(empty_db, [f])
    assert report.rows_accepted == 1
    assert rejected_rows(empty_db) == [
        (3, "occurred_at", "tidpunkten ligger i framtiden"),
        (4, "occurred_at", "ogiltig tidpunkt (skriv ÅÅÅÅ-MM-DD TT:MM:SS)"),
        (5, "occurred_at", "ogiltig tidpunkt (skriv ÅÅÅÅ-MM-DD TT:MM:SS)"),
    ]


def test_parquet_with_kommun_names_and_offset_times(empty_db, tmp_path):
    f = tmp_path / "export.parquet"
    duckdb.sql(
        "SELECT * FROM (VALUES ('p1', '2025-07-01T10:00:00Z', 'rån', 'Upplands Väsby'),"
        "                      ('p2', '2025-02-01 10:00:00', 'stöld', 'Malung-Sälen'),"
        "                      ('p3', '2025-02-01 10:00:00', 'stöld', 'Skåne'))"
        " AS t(incident_id, occurred_at, incident_type, kommun_code)"
    ).write_parquet(str(f))
    [report] = ingest(empty_db, [f])
    assert report.status == "ok" and report.rows_accepted == 2
    assert _stored(empty_db) == {
        "p1": ("0114", "01", "LPO-SOLLENTUNA", datetime(2025, 7, 1, 12, 0)),
        "p2": ("2023", "20", "LPO-NORRA-DALARNA", datetime(2025, 2, 1, 10, 0)),
    }
    assert rejected_rows(empty_db) == [(3, "kommun_code", "okänd kommunkod")]  # Parquet has no header row


def test_times_with_fractions_of_a_second_or_a_swedish_clock(empty_db, tmp_path):
    # Databases and their exports write milliseconds ('10:00:00.000'); Swedish texts write
    # the clock with a full stop ('10.00', as the police's own notices do).
    f = incident_csv(tmp_path / "export.csv",
             "f1;2025-03-01 10:00:00.000;rån;0180;;;\n"
             "f2;2025-03-01T10:00:00.5;rån;0180;;;\n"
             "f3;2025-03-01 10:00:00.123456789;rån;0180;;;\n"
             "f4;2025-03-01 18.30;rån;0180;;;\n"
             "f5;2025-03-01 18.30.15;rån;0180;;;\n"
             "f6;01/03/2025 10:00;rån;0180;;;\n")  # day and month cannot be told apart: rejected
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert {k: v[3] for k, v in _stored(empty_db).items()} == {
        "f1": datetime(2025, 3, 1, 10, 0), "f2": datetime(2025, 3, 1, 10, 0, 0, 500000),
        "f3": datetime(2025, 3, 1, 10, 0, 0, 123457), "f4": datetime(2025, 3, 1, 18, 30),
        "f5": datetime(2025, 3, 1, 18, 30, 15)}
    assert [r[:2] for r in rejected_rows(empty_db)] == [(7, "occurred_at")]


def test_parquet_timestamps_with_fractions_of_a_second(empty_db, tmp_path):
    # A timestamp column written by pandas or a database keeps its milliseconds.
    f = tmp_path / "export.parquet"
    duckdb.sql("SELECT * FROM (VALUES ('q1', TIMESTAMP '2025-03-01 10:00:00.123', 'rån', 180),"
               "                      ('q2', TIMESTAMP '2025-03-02 11:00:00', 'stöld', 1280))"
               " AS t(incident_id, occurred_at, incident_type, kommun_code)").write_parquet(str(f))
    [report] = ingest(empty_db, [f])
    assert report.status == "ok" and report.rows_rejected == 0, report.summary()
    assert {k: (v[0], v[3]) for k, v in _stored(empty_db).items()} == {
        "q1": ("0180", datetime(2025, 3, 1, 10, 0, 0, 123000)), "q2": ("1280", datetime(2025, 3, 2, 11, 0))}


def test_every_field_quoted_and_excels_sep_line(empty_db, tmp_path):
    # Many systems quote every field, the header too (R's write.csv, SAS, LibreOffice's
    # "quote all text cells"); some add Excel's 'sep=;' line so Excel splits the columns.
    quoted = tmp_path / "citerad.csv"
    quoted.write_bytes('\ufeff"incident_id";"occurred_at";"incident_type";"kommun_code"\r\n'
                       '"q1";"2025-03-01 10:00:00";"rån";"0180"\r\n"q2";"2025-03-01";"okänd";"0180"\r\n'
                       .encode("utf-8"))
    sep = tmp_path / "sep.csv"
    sep.write_text("sep=;\nincident_id;occurred_at;incident_type;kommun_code\ns1;2025-03-01 11:00:00;rån;0180;;\n"
                   "s2;2025-03-01;okänd;0180\n", encoding="utf-8")
    signals = tmp_path / "signaler.csv"
    signals.write_text('sep=,\n"month","area_code","age_band","sex","source","signal_type","count"\n'
                       '"2025-03","0114","12-14","M","skola","rekryteringsförsök","3"\n', encoding="utf-8")
    reports = ingest(empty_db, [quoted, sep, signals])
    assert [(r.status, r.rows_accepted) for r in reports] == [("ok", 1), ("ok", 1), ("ok", 1)], [
        r.summary() for r in reports]
    assert sorted(_stored(empty_db)) == ["q1", "s1"]
    # Row numbers as a spreadsheet shows them: Excel hides the sep line.
    assert [r[:2] for r in rejected_rows(empty_db)] == [(3, "incident_type"), (3, "incident_type")]
    assert rows(empty_db, "SELECT area_code, count FROM recruitment_signal") == [("0114", 3)]


def test_a_file_whose_later_part_is_not_utf8_is_refused_naming_the_row(empty_db, tmp_path):
    # Two exports put together, the second saved as Windows-1252: the encoding is decided
    # from the file's first MiB, so the row where it changes is named, with what to do.
    f = tmp_path / "ihopsatt.csv"
    body = "".join(f"id{i};2025-03-01 10:00:00;rån;0180;;;\n" for i in range(40_000))
    f.write_bytes((INCIDENT_HEADER + body).encode("utf-8") + "x1;2025-03-01 10:00:00;rån;Malmö;;;\n".encode("cp1252"))
    message = refused(empty_db, f)
    assert message.startswith("ihopsatt.csv: rad 40002: ") and "UTF-8" in message and "Spara" in message


def test_a_line_longer_than_duckdb_reads_is_refused_in_words(empty_db, tmp_path):
    # A quote that never closes (or a file that is no CSV) makes one "line" of megabytes.
    f = tmp_path / "lang.csv"
    f.write_text(INCIDENT_HEADER + "a1;2025-03-01 10:00:00;rån;0180;;;" + "x" * 2_100_000 + "\n", encoding="utf-8")
    message = refused(empty_db, f)
    assert message.startswith("lang.csv: en rad är längre än 2 MB") and "Error" not in message


def test_a_personnummer_in_a_row_with_a_kommun_name_refuses_the_file(empty_db, tmp_path):
    cases = [
        ("source", "b2;2025-03-02T10:00:00+01:00;stöld;Malmö;;;tips 121212-1212\n"),
        ("kommun_code", "b2;2025-03-02 10:00:00;stöld;Malmö 121212-1212;;;\n"),
        ("incident_id", "121212-1212;2025-03-02 10:00:00;stöld;Upplands Väsby;;;\n"),
        ("occurred_at", "b2;121212-1212+01:00;stöld;Malmö;;;\n"),
    ]
    for n, (column, row) in enumerate(cases):
        message = refused(empty_db, incident_csv(tmp_path / f"pnr_{n}.csv", "b1;2025-03-01 10:00:00;rån;Malmö;;;\n" + row))
        assert f"rad 3, kolumn '{column}'" in message and "121212" not in message, column


def test_lpo_codes_as_users_spell_them_are_stored_in_the_reference_form(empty_db, tmp_path):
    # The stored form is upper case with 'LPO-' (data/reference/lpo.csv); exports write
    # the prefix with a space or an underscore, or the code in lower case.
    f = incident_csv(tmp_path / "lpo.csv",
             "l1;2025-03-01 10:00:00;rån;0180;LPO-FARSTA;;\n"
             "l2;2025-03-01 10:00:00;rån;0180;lpo-farsta;;\n"
             "l3;2025-03-01 10:00:00;rån;0180;LPO Farsta;;\n"
             "l4;2025-03-01 10:00:00;rån;0180;lpo_farsta;;\n"
             "l5;2025-03-01 10:00:00;rån;0180;LPO-farsta;;\n"
             "l6;2025-03-01 10:00:00;rån;0180; LPO  FARSTA ;;\n"
             "l7;2025-03-01 10:00:00;rån;0180;LPO-LPO FARSTA;;\n")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok" and report.rows_accepted == 6
    assert {k: v[2] for k, v in _stored(empty_db).items()} == {f"l{n}": "LPO-FARSTA" for n in range(1, 7)}
    assert rejected_rows(empty_db) == [(8, "lpo_code", "okänt lokalpolisområde (se data/reference/lpo.csv)")]
