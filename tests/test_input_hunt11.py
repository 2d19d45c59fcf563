"""Our own formats as real exports write them (docs/formats.md): .NET and SQL Server
times, pandas' time-zone Parquet, a header with a column twice, database NULLs and Mac
Excel's encoding. Each test checks what the user sees: rows stored, rows rejected with
row, column and reason, or the refusal."""

from __future__ import annotations

from datetime import datetime

import duckdb
from helpers import incident_csv, refused, rejected_rows, rows

from pipelines.loading import ingest


def _times(db):
    return rows(db, "SELECT incident_id, occurred_at FROM incident ORDER BY incident_id")


def test_times_with_seven_decimals_and_an_offset_as_dotnet_and_sql_server_write_them(empty_db, tmp_path):
    # .NET's round-trip format ('o': seven decimals and Z, as Power Automate and C# exports
    # write UTC times) and SQL Server's datetimeoffset as text (seven decimals, a space
    # before the offset). Before, every such row was 'ogiltig tidpunkt'.
    f = incident_csv(tmp_path / "export.csv",
                     "a;2026-03-01T20:14:00.1234567Z;rån;0180;;;\n"
                     "b;2026-03-01 21:14:00.1234567 +01:00;rån;0180;;;\n"
                     "c;2026-07-01 10:00:00 +02:00;rån;0180;;;\n"
                     "d;2026-03-01T21:14:00.123456789+01:00;rån;0180;;;\n")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert rejected_rows(empty_db) == []
    assert _times(empty_db) == [
        ("a", datetime(2026, 3, 1, 21, 14, 0, 123457)),
        ("b", datetime(2026, 3, 1, 21, 14, 0, 123457)),
        ("c", datetime(2026, 7, 1, 10, 0)),
        ("d", datetime(2026, 3, 1, 21, 14, 0, 123457)),
    ]


def test_parquet_from_pandas_with_zoned_nanosecond_times(empty_db, tmp_path):
    # pandas writes a zoned datetime column as TIMESTAMP WITH TIME ZONE in nanoseconds; a
    # time with a fraction (pd.Timestamp.now(), a log's time) was rejected as 'ogiltig
    # tidpunkt' while whole seconds loaded.
    f = tmp_path / "export.parquet"
    duckdb.sql("SELECT * FROM (VALUES ('p1', '2026-03-01 20:14:00.123456789+00'::TIMESTAMPTZ_NS, 'rån', 180),"
               " ('p2', '2026-07-01 10:00:00+00'::TIMESTAMPTZ_NS, 'rån', 180))"
               " AS t(incident_id, occurred_at, incident_type, kommun_code)").write_parquet(str(f))
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert rejected_rows(empty_db) == []
    assert _times(empty_db) == [("p1", datetime(2026, 3, 1, 21, 14, 0, 123457)),
                                ("p2", datetime(2026, 7, 1, 12, 0))]


def test_an_incident_column_given_twice_refuses_the_file(empty_db, tmp_path):
    # Two exports' columns pasted side by side, or a column renamed to kommun_code next to
    # the old one: before, the second was silently dropped (DuckDB renames it
    # kommun_code_1) and the rows loaded with the first column's values, whichever it was.
    for header in ("incident_id;occurred_at;incident_type;kommun_code;kommun_code",
                   "incident_id;occurred_at;incident_type;kommun_code;Kommun_Code"):
        f = tmp_path / "dubbel.csv"
        f.write_text(header + "\nk-1;2026-03-01 21:14;stöld;0180;1280\n", encoding="utf-8")
        message = refused(empty_db, f)
        assert message.startswith("dubbel.csv: rad 1, kolumn 'kommun_code': kolumnen finns två gånger"), message


# Excel for Mac saves 'CSV' (Kommaavgränsade värden) in Mac Roman, where ä, å and ö are
# the bytes that Windows-1252 reads as Š, Œ and š.
def test_mac_excel_csv_in_mac_roman_is_read_with_its_letters(empty_db, tmp_path):
    signals = tmp_path / "signaler.csv"
    signals.write_bytes("month;area_code;age_band;sex;source;signal_type;count\r"
                        "2025-03;Malmö;15-17;M;socialtjänst;rekryteringsförsök;7\r".encode("mac_roman"))
    measures = tmp_path / "åtgärder.csv"
    measures.write_bytes("organisation;kommun_code;year;prioritised_area;title;status\r"
                         "Tyresö kommun;0138;2025;Trygghet i offentlig miljö;Belysning på gångvägar;Pågår\r"
                         .encode("mac_roman"))
    incidents = tmp_path / "händelser.csv"
    incidents.write_bytes("incident_id;occurred_at;incident_type;kommun_code;lpo_code;grid_cell;source\r"
                          "m1;2026-03-01 21:14;stöld;Malmö;;;kommunens händelselogg\r".encode("mac_roman"))
    reports = ingest(empty_db, [signals, measures, incidents])
    assert [r.status for r in reports] == ["ok"] * 3, [r.summary() for r in reports]
    assert rejected_rows(empty_db) == []
    assert rows(empty_db, "SELECT area_code, source, signal_type FROM recruitment_signal") == [
        ("1280", "socialtjänst", "rekryteringsförsök")]
    # before, the area was stored as the organisation's own 'Trygghet i offentlig miljš'
    assert rows(empty_db, "SELECT p.organisation, m.prioritised_area, m.status FROM measure m JOIN plan p "
                          "USING (plan_id)") == [("Tyresö kommun", "Trygghet i offentlig miljö", "påbörjad")]
    assert rows(empty_db, "SELECT kommun_code, incident_type, source FROM incident") == [
        ("1280", "stöld", "kommunens händelselogg")]


def test_a_windows_file_with_a_euro_sign_and_no_swedish_letters_stays_windows_1252(empty_db, tmp_path):
    # '€' is 0x80 in Windows-1252 and 'Ä' in Mac Roman: one sign alone proves no Mac file.
    f = tmp_path / "händelser.csv"
    f.write_bytes("incident_id;occurred_at;incident_type;kommun_code;lpo_code;grid_cell;source\r\n"
                  "w1;2026-03-01 21:14;bedrägeri;0180;;;kassa 500 € – kvitto\r\n".encode("cp1252"))
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert rows(empty_db, "SELECT source FROM incident") == [("kassa 500 € – kvitto",)]


def test_signal_and_measure_files_with_mac_line_ends_are_read(empty_db, tmp_path):
    # Lines ending in a lone CR, as Excel for Mac saves 'CSV': before, the whole file was
    # one line and refused as 'ett citattecken (") avslutas inte'. The row numbers are the
    # lines' (the summary row is row 4).
    signals = tmp_path / "signaler.csv"
    signals.write_text("sep=;\rmonth;area_code;age_band;sex;source;signal_type;count\r"
                       "2025-03;0180;15-17;M;polis;rekryteringsförsök;7\r"
                       "2025-03;0180;15-17;K;polis;rekryteringsförsök;2\rSumma;;;;;;9\r", encoding="utf-8", newline="")
    measures = tmp_path / "atgarder.csv"
    measures.write_text('organisation;kommun_code;year;prioritised_area;title;status\r'
                        'Tyresö kommun;0138;2025;Trygghet i offentlig miljö;"Belysning\rpå gångvägar";Klar\r',
                        encoding="utf-8", newline="")
    reports = ingest(empty_db, [signals, measures])
    assert [r.status for r in reports] == ["ok", "ok"], [r.summary() for r in reports]
    assert rows(empty_db, "SELECT sex, count FROM recruitment_signal ORDER BY sex") == [("K", 2), ("M", 7)]
    assert rejected_rows(empty_db) == [(4, "month", "summeringsrad (Summa), ingen signal")]
    assert rows(empty_db, "SELECT title, status FROM measure") == [("Belysning\rpå gångvägar", "uppnådd")]


def test_null_from_a_database_export_is_an_empty_cell(empty_db, tmp_path):
    # SQL Server (Spara resultat som), Access and Power BI write an empty cell as NULL,
    # quoted or not. Before, incident rows were rejected as 'okänt lokalpolisområde', a
    # measure stored the text 'NULL' as its description and due date, and a signal with
    # count NULL was 'antal måste vara ett heltal' rather than a missing count.
    incidents = tmp_path / "handelser.csv"
    incidents.write_text('"incident_id","occurred_at","incident_type","kommun_code","lpo_code","grid_cell","source"\r\n'
                         '"1","2026-03-01 21:14:00.000","rån","0180","NULL","NULL","NULL"\r\n'
                         "2,2026-03-01 22:14:00.000,stöld,0180,NULL,NULL,NULL\r\n"
                         "3,2026-03-01 23:14:00.000,stöld,NULL,NULL,NULL,NULL\r\n", encoding="utf-8")
    measures = tmp_path / "atgarder.csv"
    measures.write_text("organisation;kommun_code;year;prioritised_area;title;status;description;due\n"
                        "Tyresö kommun;0138;2025;Trygghet i offentlig miljö;Belysning;NULL;NULL;NULL\n",
                        encoding="utf-8")
    signals = tmp_path / "signaler.csv"
    signals.write_text("month;area_code;age_band;sex;source;signal_type;count\n"
                       "2025-03;0180;15-17;M;polis;rekryteringsförsök;7\n"
                       "2025-03;0180;15-17;K;polis;rekryteringsförsök;NULL\n", encoding="utf-8")
    reports = ingest(empty_db, [incidents, measures, signals])
    assert [r.status for r in reports] == ["ok"] * 3, [r.summary() for r in reports]
    assert rows(empty_db, "SELECT incident_id, lpo_code, grid_cell, source FROM incident ORDER BY 1") == [
        ("1", None, None, "egen fil"), ("2", None, None, "egen fil")]
    assert rows(empty_db, "SELECT status, description, due FROM measure") == [("ej bedömd", None, None)]
    assert rows(empty_db, 'SELECT l.source_file, r.row_number, r."column", r.reason FROM rejected_row r '
                          "JOIN load_log l USING (load_id) ORDER BY 1") == [
        ("handelser.csv", 4, "kommun_code", "kommunkod saknas"),
        ("signaler.csv", 3, "count", "antal saknas; skriv 0 om inga signaler fanns"),
    ]


def test_bra_and_scb_tables_saved_by_excel_for_mac_are_read(empty_db, tmp_path):
    # A Brå or SCB table opened and saved as 'CSV' in Excel for Mac: Mac Roman, lines ending
    # in a lone CR. Before, it was 'formatet känns inte igen' (the whole file one line).
    bra = tmp_path / "anmalda_brott.csv"
    bra.write_bytes("Anmälda brott\rOmråde;Brottstyp;2023;2024\rMalmö;Samtliga brott;40 000;41 000\r"
                    .encode("mac_roman"))
    scb = tmp_path / "folkmangd.csv"
    scb.write_bytes(('"Folkmängd efter region, ålder, kön och år"\r\r"region";"ålder";"kön";"2023"\r'
                     + "".join(f'"0180 Stockholm";"{age} år";"{sex}";"{n}"\r'
                               for age, n in ((12, 5012), (13, 5013), (14, 5014)) for sex in ("män", "kvinnor")))
                    .encode("mac_roman"))
    reports = ingest(empty_db, [bra, scb])
    assert [r.status for r in reports] == ["ok", "ok"], [r.summary() for r in reports]
    assert rows(empty_db, "SELECT area_code, offence_category, year, count FROM bra_statistic ORDER BY year") == [
        ("1280", "Samtliga brott", 2023, 40000), ("1280", "Samtliga brott", 2024, 41000)]
    assert rows(empty_db, "SELECT kommun_code, year, age_band, sex, population FROM population ORDER BY sex") == [
        ("0180", 2023, "12-14", "K", 15039), ("0180", 2023, "12-14", "M", 15039)]


def test_signal_months_written_with_a_slash_or_a_point(empty_db, tmp_path):
    # Before: each of these rows was rejected as an invalid month ("skriv ÅÅÅÅ-MM"), though
    # a four-digit year leaves no doubt which number is the month.
    months = ["03/2025", "4/2025", "05.2025", "2025/06", "2025.07", "2025-08-01T00:00:00Z"]
    signals = tmp_path / "signaler.csv"
    signals.write_text("month;area_code;age_band;sex;source;signal_type;count\n"
                       + "".join(f"{m};0180;15-17;M;skola;rekryteringsförsök;{i + 1}\n" for i, m in enumerate(months))
                       + "13/2025;0180;15-17;K;skola;rekryteringsförsök;1\n", encoding="utf-8")
    [report] = ingest(empty_db, [signals])
    assert report.status == "ok", report.lines
    assert rows(empty_db, "SELECT strftime(month, '%Y-%m'), count FROM recruitment_signal ORDER BY month") == [
        ("2025-03", 1), ("2025-04", 2), ("2025-05", 3), ("2025-06", 4), ("2025-07", 5), ("2025-08", 6)]
    assert [r[:2] for r in rejected_rows(empty_db)] == [(8, "month")]  # no month 13
