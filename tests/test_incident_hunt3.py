"""Incident files as people really export them (third hunt): day-first dates, Swedish month
names, 'kl.' before the clock and Excel's serial dates."""

from __future__ import annotations

from datetime import datetime

import duckdb
from helpers import INCIDENT_HEADER, incident_csv, refused, rejected_rows, rows

from pipelines.loading import ingest


def _times(db):
    return dict(rows(db, "SELECT incident_id, occurred_at FROM incident ORDER BY incident_id"))


def test_day_first_dates_as_nordic_and_german_settings_write_them(empty_db, tmp_path):
    f = incident_csv(tmp_path / "export.csv",
             "d1;23.11.2025 14:05;rån;0180;;;\n"
             "d2;23-11-2025 14:05;rån;0180;;;\n"
             "d3;23/11/2025 14:05;rån;0180;;;\n"  # a first number over 12 proves day first
             "d4;1.3.2025 08:00:30;rån;0180;;;\n"  # with dots, always day first
             "d5;01.03.2025;rån;0180;;;\n"
             "d6;31.02.2025 10:00;rån;0180;;;\n")  # no such day
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert _times(empty_db) == {
        "d1": datetime(2025, 11, 23, 14, 5), "d2": datetime(2025, 11, 23, 14, 5),
        "d3": datetime(2025, 11, 23, 14, 5), "d4": datetime(2025, 3, 1, 8, 0, 30),
        "d5": datetime(2025, 3, 1)}
    assert rejected_rows(empty_db) == [(7, "occurred_at", "ogiltig tidpunkt (skriv ÅÅÅÅ-MM-DD TT:MM:SS)")]


def test_a_slashed_date_that_could_be_either_way_is_rejected_saying_why(empty_db, tmp_path):
    f = incident_csv(tmp_path / "export.csv",
             "s1;01/03/2025 10:00;rån;0180;;;\n"
             "s2;11/23/2025 10:00;rån;0180;;;\n"  # month first (American): never read
             "s3;13/03/2025 10:00;rån;0180;;;\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert _times(empty_db) == {"s3": datetime(2025, 3, 13, 10, 0)}
    rejected = rejected_rows(empty_db)
    assert [r[:2] for r in rejected] == [(2, "occurred_at"), (3, "occurred_at")]
    assert "dag och månad kan inte skiljas åt" in rejected[0][2] and "ÅÅÅÅ-MM-DD" in rejected[0][2]
    assert rejected[1][2] == "ogiltig tidpunkt (skriv ÅÅÅÅ-MM-DD TT:MM:SS)"


def test_swedish_month_names_and_kl_before_the_clock(empty_db, tmp_path):
    f = incident_csv(tmp_path / "export.csv",
             "m1;23 nov 2025 14:05;rån;0180;;;\n"
             "m2;23 november 2025 kl. 14:05;rån;0180;;;\n"
             "m3;2025-11-23 kl. 14:05;rån;0180;;;\n"
             "m4;2025-11-23 kl 14.05;rån;0180;;;\n"
             "m5;1 Maj 2025;rån;0180;;;\n"
             "m6;3 sept. 2025 kl. 22:10;rån;0180;;;\n"
             "m7;23.11.2025 kl. 14:05;rån;0180;;;\n"
             "m8;23 novembre 2025 14:05;rån;0180;;;\n")  # not Swedish: rejected
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    at = datetime(2025, 11, 23, 14, 5)
    assert _times(empty_db) == {"m1": at, "m2": at, "m3": at, "m4": at, "m5": datetime(2025, 5, 1),
                                "m6": datetime(2025, 9, 3, 22, 10), "m7": at}
    assert [r[:2] for r in rejected_rows(empty_db)] == [(9, "occurred_at")]


def test_excel_serial_dates_are_read_as_the_date_they_stand_for(empty_db, tmp_path):
    # A date column saved from a sheet where it lost its format: days since 1899-12-30.
    f = incident_csv(tmp_path / "export.csv",
             "e1;45717,58333;rån;0180;;;\n"  # 2025-03-01 14:00 with a decimal comma
             "e2;45717.5;rån;0180;;;\n"
             "e3;45717;rån;0180;;;\n"
             "e4;99999;rån;0180;;;\n"  # 2173: in the future
             "e5;1234;rån;0180;;;\n")  # no date of ours
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert _times(empty_db) == {"e1": datetime(2025, 3, 1, 14, 0), "e2": datetime(2025, 3, 1, 12, 0),
                                "e3": datetime(2025, 3, 1)}
    assert rejected_rows(empty_db) == [(5, "occurred_at", "tidpunkten ligger i framtiden"),
                                   (6, "occurred_at", "ogiltig tidpunkt (skriv ÅÅÅÅ-MM-DD TT:MM:SS)")]


def test_a_row_with_a_value_beyond_the_last_column_is_rejected_as_shifted(empty_db, tmp_path):
    # A ';' inside a cell without quotes splits it: every value after it stands one column
    # to the right, so the row is rejected; trailing empty fields (Excel's ';') are fine.
    f = tmp_path / "export.csv"
    f.write_text("incident_id;occurred_at;incident_type;kommun_code;source\n"
                 "x1;2025-03-01 10:00:00;rån;0180;tips;;\n"
                 "x2;2025-03-01 10:00:00;rån;0180;tips; från granne\n"
                 "x3;2025-03-01 10:00:00;rån;0180\n", encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert sorted(_times(empty_db)) == ["x1", "x3"]
    [(row, column, reason)] = rejected_rows(empty_db)
    assert (row, column) == (3, "fält 6")
    assert reason.startswith("raden har fler fält än rubriken") and "citattecken" in reason
    # a reason is a clause: the load's summary ends the sentence (it read 'igen.. Rätta')
    assert not reason.endswith(".") and ".." not in report.summary()


def test_a_shifted_row_deep_in_a_large_file_is_found(empty_db, tmp_path):
    # DuckDB sniffs the columns from the file's start; a row far below must still be seen.
    f = tmp_path / "stor.csv"
    body = "".join(f"y{i};2025-03-01 10:00:00;rån;0180;tips\n" for i in range(60_000))
    f.write_text("incident_id;occurred_at;incident_type;kommun_code;source\n" + body
                 + "z1;2025-03-01 10:00:00;rån;0180;a;b\n", encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 60_000), report.summary()
    assert [r[:2] for r in rejected_rows(empty_db)] == [(60_002, "fält 6")]


def test_a_shifted_row_in_a_file_with_excels_sep_line_and_windows_1252(empty_db, tmp_path):
    f = tmp_path / "ansi.csv"
    f.write_bytes("sep=;\nincident_id;occurred_at;incident_type;kommun_code\n"
                  "w1;2025-03-01 10:00:00;rån;Malmö;\n"
                  "w2;2025-03-01 10:00:00;rån;Malmö;Höör\n".encode("cp1252"))
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert [r[:2] for r in rejected_rows(empty_db)] == [(3, "fält 5")]



def test_parquet_from_pandas_with_kommun_codes_as_floats_and_times_with_a_zone(empty_db, tmp_path):
    # pandas stores a column of whole numbers with a gap as floats (180.0, an id 17.0);
    # databases and pandas write zone-aware timestamps (TIMESTAMP WITH TIME ZONE) and dates.
    f = tmp_path / "export.parquet"
    duckdb.sql("SELECT * FROM (VALUES ('p1', TIMESTAMPTZ '2025-07-01 10:00:00+00', 'rån', 180.0),"
               "                      ('p2', TIMESTAMPTZ '2025-02-01 10:00:00+01', 'stöld', 1280.0),"
               "                      ('p3', TIMESTAMPTZ '2025-02-01 10:00:00+01', 'stöld', NULL),"
               "                      ('p4', TIMESTAMPTZ '2025-02-01 10:00:00+01', 'stöld', 180.5))"
               " AS t(incident_id, occurred_at, incident_type, kommun_code)").write_parquet(str(f))
    dated = tmp_path / "datum.parquet"
    duckdb.sql("SELECT 17.0::DOUBLE AS incident_id, DATE '2025-03-01' AS occurred_at, 'rån' AS incident_type, "
               "'0180' AS kommun_code").write_parquet(str(dated))
    reports = ingest(empty_db, [f, dated])
    assert [r.status for r in reports] == ["ok", "ok"], [r.summary() for r in reports]
    assert rows(empty_db, "SELECT incident_id, kommun_code, occurred_at FROM incident ORDER BY 1") == [
        ("17", "0180", datetime(2025, 3, 1)),
        ("p1", "0180", datetime(2025, 7, 1, 12, 0)), ("p2", "1280", datetime(2025, 2, 1, 10, 0))]
    assert [r[:2] for r in rejected_rows(empty_db)] == [(3, "kommun_code"), (4, "kommun_code")]


def test_rows_after_an_empty_line_keep_their_numbers(empty_db, tmp_path):
    # DuckDB skips empty lines; rows below one were reported a row too high. A note after
    # an empty line at the end (as exports add) is rejected under its own line.
    f = incident_csv(tmp_path / "export.csv",
             "b1;2025-03-01 10:00;rån;0180;;;\n"
             "\n"
             "b2;2025-03-01 10:00;okänd;0180;;;\n"
             "\r\n"
             "\n"
             "b3;2025-03-01 10:00;rån;0180;;;\n"
             "\n"
             "Källa: kommunens händelselogg\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 2), report.summary()
    assert [r[:2] for r in rejected_rows(empty_db)] == [(4, "incident_type"), (9, "occurred_at")]


def test_a_repeated_header_and_a_total_row_are_rejected_saying_what_they_are(empty_db, tmp_path):
    # Files put together repeat the header; spreadsheet exports end with a total row.
    f = incident_csv(tmp_path / "export.csv",
             "h1;2025-03-01 10:00;rån;0180;;;\n"
             + INCIDENT_HEADER +
             "h2;2025-03-01 10:00;rån;0180;;;\n"
             "Totalt;2;;;;;\n"
             "Summa:;;;;;;\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 2), report.summary()
    rejected = rejected_rows(empty_db)
    assert [r[:2] for r in rejected] == [(3, "incident_id"), (5, "incident_id"), (6, "incident_id")]
    assert "rubrikraden upprepas" in rejected[0][2]
    assert all("summeringsrad" in r[2] for r in rejected[1:])


def test_excel_serial_dates_at_full_precision_are_not_taken_for_personnummer(empty_db, tmp_path):
    # Written with all their decimals, about one serial in 130 has a fraction whose ten
    # digits form a valid personnummer ('3709092153'); the cell is stored only as the
    # time it stands for, so its digits never reach the database.
    f = incident_csv(tmp_path / "export.csv",
             "e1;45881,3709092153;rån;0180;;;\n"
             "e2;45881,3709092153;rån;0180;;;källa 19121212-1212\n")  # a real one still refuses
    message = refused(empty_db, f)
    assert "personnummer" in message and "rad 3" in message
    f.write_text(INCIDENT_HEADER + "e1;45881,3709092153;rån;0180;;;\ne3;45881.3709092153;rån;0180;;;\n", encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 2), report.summary()
    assert _times(empty_db)["e1"] == datetime(2025, 8, 12, 8, 54, 7)
