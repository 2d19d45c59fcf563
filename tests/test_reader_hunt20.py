"""Real files and real bad input through the loading path (hunt 20): Parquet as R, Power
BI, polars and pandas write it, signal areas as municipal exports name them, and what a
user is told about a file packed or compressed before it was handed over."""

from __future__ import annotations

import pandas as pd
from helpers import digest, refused, rejected_rows, rows

from pipelines.loading import ingest

SIGNALS = {"month": ["2025-01", "2025-02"], "area_code": ["0180", "LPO-JARVA"], "age_band": ["15-17", "12-14"],
           "sex": ["M", "K"], "source": ["polis", "skola"],
           "signal_type": ["rekryteringsförsök", "kontakt via sociala medier"], "count": [7, 3]}
STORED_SIGNALS = [("2025-01-01", "0180", 7), ("2025-02-01", "LPO-JARVA", 3)]


def _signals(db):
    return rows(db, "SELECT strftime(month, '%Y-%m-%d'), area_code, count FROM recruitment_signal ORDER BY 1")


def test_parquet_column_names_in_another_case_or_with_a_byte_order_mark_are_read(empty_db, tmp_path):
    # R's arrow::write_parquet, Power BI and polars keep the names a table was given
    # ('Month', 'AREA_CODE'); a data frame read from Excel's CSV UTF-8 without
    # 'utf-8-sig' keeps the byte order mark in its first name, and a header cell typed
    # with a space after the name keeps the space. A CSV header is read in any case and
    # trimmed; the same Parquet file was refused as lacking a column it has.
    upper = tmp_path / "signaler.parquet"
    pd.DataFrame({k.upper() if k != "count" else "Count": v for k, v in SIGNALS.items()}).to_parquet(upper)
    [report] = ingest(empty_db, [upper])
    assert (report.status, report.rows_accepted) == ("ok", 2), report.summary()
    assert _signals(empty_db) == STORED_SIGNALS

    incidents = tmp_path / "handelser.parquet"
    pd.DataFrame({"\ufeffIncident_ID": ["k-1"], "occurred_at ": ["2025-03-01 21:14"], "Incident_Type": ["rån"],
                  "KOMMUN_CODE": ["0180"]}).to_parquet(incidents)
    [report] = ingest(empty_db, [incidents])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert rows(empty_db, "SELECT incident_id, incident_type, kommun_code FROM incident") == [("k-1", "rån", "0180")]
    before = digest(empty_db)
    assert [r.status for r in ingest(empty_db, [upper, incidents])] == ["duplicate", "duplicate"]
    assert digest(empty_db) == before


def test_a_signal_month_column_with_a_time_zone_from_pandas_is_read_as_stockholms_month(empty_db, tmp_path):
    # pandas writes a zoned datetime column (tz_localize('Europe/Stockholm'), or
    # converted to UTC before saving) as instants. Before, the load failed as an
    # 'oväntat fel'; the month is the one the instant falls in in Stockholm.
    months = pd.to_datetime(["2025-01-01", "2025-02-01"]).tz_localize("Europe/Stockholm")
    for name, column in (("stockholm.parquet", months), ("utc.parquet", months.tz_convert("UTC"))):
        db = tmp_path / f"{name}.duckdb"
        db.write_bytes(empty_db.read_bytes())
        path = tmp_path / name
        pd.DataFrame({**SIGNALS, "month": column}).to_parquet(path)
        [report] = ingest(db, [path])
        assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 2, 0), report.summary()
        assert _signals(db) == STORED_SIGNALS


def test_a_signal_area_named_as_a_kommun_is_the_kommun_where_an_lpo_has_its_name(empty_db, tmp_path):
    # LPO Västerås covers Västerås, Surahammar and Skinnskatteberg. A socialtjänst export
    # that names its kommun 'Västerås kommun' was stored as the LPO: Västerås kommun then
    # showed no signals ('Registreras per lokalpolisområde'). A bare 'Västerås' stays the
    # LPO, as signals are mostly recorded per LPO (docs/formats.md).
    csv = tmp_path / "signaler.csv"
    csv.write_text("month;area_code;age_band;sex;source;signal_type;count\n"
                   "2025-01;Västerås kommun;15-17;M;socialtjänst;rekryteringsförsök;7\n"
                   "2025-01;Uppsala kommun;15-17;M;socialtjänst;rekryteringsförsök;4\n"
                   "2025-01;Surahammars kommun;15-17;M;socialtjänst;rekryteringsförsök;2\n"
                   "2025-01;Västerås;12-14;K;polis;rekryteringsförsök;5\n"
                   "2025-01;Lokalpolisområde Uppsala;12-14;K;polis;rekryteringsförsök;6\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 5, 0), report.summary()
    assert rows(empty_db, "SELECT area_code, count FROM recruitment_signal ORDER BY count") == [
        ("1907", 2), ("0380", 4), ("LPO-VASTERAS", 5), ("LPO-UPPSALA", 6), ("1980", 7)]


def test_an_lpo_written_where_the_kommun_belongs_is_rejected_not_read_as_its_kommun(empty_db, tmp_path):
    # 'LPO Västerås' covers three kommuner; read as the kommun Västerås it put the
    # incident there unseen. docs/formats.md promises 'okänd kommunkod' for an LPO's name.
    csv = tmp_path / "handelser.csv"
    csv.write_text("incident_id;occurred_at;incident_type;kommun_code\n"
                   "k-1;2025-03-01 21:14;rån;LPO Västerås\n"
                   "k-2;2025-03-01 21:20;rån;Lokalpolisområde Uppsala\n"
                   "k-3;2025-03-01 21:30;rån;Västerås\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 1, 2), report.summary()
    assert [(r, c) for r, c, _ in rejected_rows(empty_db)] == [(2, "kommun_code"), (3, "kommun_code")]
    assert all("okänd kommunkod" in reason for *_, reason in rejected_rows(empty_db))
    assert rows(empty_db, "SELECT incident_id, kommun_code FROM incident") == [("k-3", "1980")]


def test_na_as_r_writes_a_missing_value_is_an_empty_cell(empty_db, tmp_path):
    # R's write.csv quotes text and row names but writes a missing value as a bare NA.
    # Before, NA in lpo_code rejected the row as an unknown LPO, NA in source was stored
    # as the source's name, and NA as a count was 'not a whole number' instead of missing.
    csv = tmp_path / "handelser.csv"
    csv.write_text('"","incident_id","occurred_at","incident_type","kommun_code","lpo_code","source"\n'
                   '"1","k-1","2025-03-01 21:14","rån","0180",NA,"kommunens logg"\n'
                   '"2","k-2","2025-03-02 02:10","hot","1280","LPO-MALMO-NORR",NA\n', encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 2, 0), report.summary()
    assert rows(empty_db, "SELECT incident_id, lpo_code, source FROM incident ORDER BY 1") == [
        ("k-1", None, "kommunens logg"), ("k-2", "LPO-MALMO-NORR", "egen fil")]

    signals = tmp_path / "signaler.csv"
    signals.write_text('"","month","area_code","age_band","sex","source","signal_type","count"\n'
                       '"1","2025-01","0180","15-17","M","polis","rekryteringsförsök",7\n'
                       '"2","2025-02","LPO-JARVA","12-14","K","skola","kontakt via sociala medier",NA\n',
                       encoding="utf-8")
    [report] = ingest(empty_db, [signals])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 1, 1), report.summary()
    assert rejected_rows(empty_db) == [(3, "count", "antal saknas; skriv 0 om inga signaler fanns")]


def test_a_packed_or_compressed_file_and_names_with_spaces_get_advice_not_just_unknown(empty_db, tmp_path):
    # A colleague mails a ZIP of CSV files, pandas writes 'export.csv.gz', a Parquet file
    # from a report tool has our names with spaces: each was 'formatet känns inte igen'
    # with no hint (the ZIP was called a workbook, the Parquet file damaged).
    import gzip
    import zipfile

    header = "month;area_code;age_band;sex;source;signal_type;count\n"
    packed = tmp_path / "signaler.zip"
    with zipfile.ZipFile(packed, "w") as zf:
        zf.writestr("export/signaler jan.csv", header)
        zf.writestr("export/signaler feb.csv", header)
    assert "ZIP-arkiv med 2 filer: signaler jan.csv, signaler feb.csv; packa upp det" in refused(empty_db, packed)

    compressed = tmp_path / "handelser.csv.gz"
    compressed.write_bytes(gzip.compress(b"incident_id;occurred_at;incident_type;kommun_code\n"))
    assert "komprimerad med gzip; packa upp den" in refused(empty_db, compressed)

    spaced = tmp_path / "handelser.parquet"
    pd.DataFrame({"incident id": ["k-1"], "occurred at": ["2025-03-01 21:14"], "incident type": ["rån"],
                  "kommun code": ["0180"]}).to_parquet(spaced)
    message = refused(empty_db, spaced)
    assert "'incident id', 'occurred at'" in message and "skadad" not in message
    assert "understreck, inte mellanslag: incident_id, occurred_at, incident_type, kommun_code" in message
    spaced_csv = tmp_path / "signaler.csv"
    spaced_csv.write_text(header.replace("_", " ") + "2025-01;0180;15-17;M;polis;rekryteringsförsök;7\n",
                          encoding="utf-8")
    assert "understreck, inte mellanslag: month, area_code" in refused(empty_db, spaced_csv)

    # a name inside the archive is shown with a personnummer masked
    named = tmp_path / "arkiv.zip"
    with zipfile.ZipFile(named, "w") as zf:
        zf.writestr("ärende 121212-1212.csv", header)
    message = refused(empty_db, named)
    assert "ärende ÅÅMMDD-XXXX.csv" in message and "1212" not in message


def test_an_incidents_lpo_written_by_its_name_as_the_police_write_it_is_read(empty_db, tmp_path):
    # Police and municipal exports name the LPO ('LPO Malmö Norr', 'Järva',
    # 'Lokalpolisområde Järva'; in Göteborg 'Centrum'). Only the code's spellings were
    # read, so every such row was rejected as 'okänt lokalpolisområde'.
    csv = tmp_path / "handelser.csv"
    csv.write_text("incident_id;occurred_at;incident_type;kommun_code;lpo_code\n"
                   "k-1;2025-03-01 21:14;rån;1280;LPO Malmö Norr\n"
                   "k-2;2025-03-01 21:15;rån;Malmö;Malmö Norr\n"
                   "k-3;2025-03-01 21:16;rån;0180;Järva\n"
                   "k-4;2025-03-01 21:17;rån;Stockholm;Lokalpolisområde Järva\n"
                   "k-5;2025-03-01 21:18;rån;1480;Centrum\n"
                   "k-6;2025-03-01 21:19;rån;0180;LPO Malmö Norr\n"
                   "k-7;2025-03-01 21:20;rån;0180;Rinkeby\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 5, 2), report.summary()
    assert rows(empty_db, "SELECT incident_id, kommun_code, lpo_code FROM incident ORDER BY 1") == [
        ("k-1", "1280", "LPO-MALMO-NORR"), ("k-2", "1280", "LPO-MALMO-NORR"), ("k-3", "0180", "LPO-JARVA"),
        ("k-4", "0180", "LPO-JARVA"), ("k-5", "1480", "LPO-GOTEBORG-CENTRUM")]
    assert rejected_rows(empty_db) == [(7, "lpo_code", "lokalpolisområdet täcker inte kommunen"),
                                       (8, "lpo_code", "okänt lokalpolisområde (se data/reference/lpo.csv)")]


def test_an_incident_id_given_twice_with_different_content_stores_neither_row(empty_db, tmp_path):
    # A case system's export with one row per revision gives an id twice with another
    # time, type or place. One of the rows was kept, whichever the parallel insert put
    # first (here the later one), and nothing was said. Now neither is stored and both
    # rows are named, as for a signal given twice with two counts; the same row twice is
    # still stored once.
    pristine = empty_db.read_bytes()
    header = "incident_id;occurred_at;incident_type;kommun_code\n"
    csv = tmp_path / "handelser.csv"
    csv.write_text(header + "k-1;2025-03-01 21:14;rån;0180\n"
                            "k-2;2025-03-02 10:00;rån;0180\n"
                            "\n"
                            "k-2;2025-03-05 10:00;hot;1280\n"
                            "k-1;2025-03-01 21:14;rån;0180\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 1, 2), report.summary()
    assert rows(empty_db, "SELECT incident_id FROM incident") == [("k-1",)]
    reason = ("samma id på 2 rader med olika tid, typ, plats eller källa (rad 3, 5); ingen av dem lästes in. "
              "Behåll bara den rätta raden")
    assert rejected_rows(empty_db) == [(3, "incident_id", reason), (5, "incident_id", reason)]
    assert "1 rader fanns redan" in report.summary()

    # --strict refuses the file; a file of nothing else loads nothing
    again = tmp_path / "andra.csv"
    again.write_text(header + "k-9;2025-03-02 10:00;rån;0180\nk-9;2025-03-02 11:00;rån;0180\n", encoding="utf-8")
    assert "samma id på 2 rader" in refused(empty_db, again)
    fresh = tmp_path / "fresh.duckdb"
    fresh.write_bytes(pristine)
    assert "rad 3, kolumn 'incident_id'" in refused(fresh, csv, strict=True)


def test_an_incident_row_with_an_empty_type_cell_is_rejected_not_a_failed_load(empty_db, tmp_path):
    # A type cell cleared in Excel (or NULL in a Parquet export) was offered as a row and
    # broke the insert: the whole file failed as 'oväntat fel (ConstraintException …)'.
    csv = tmp_path / "handelser.csv"
    csv.write_text("incident_id;occurred_at;incident_type;kommun_code\n"
                   "k-1;2025-03-01 21:14;rån;0180\n"
                   "k-2;2025-03-01 21:15;;0180\n"
                   "k-3;2025-03-01 21:16;NULL;0180\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 1, 2), report.summary()
    assert rejected_rows(empty_db) == [(3, "incident_type", "händelsetyp saknas (se docs/formats.md)"),
                                       (4, "incident_type", "händelsetyp saknas (se docs/formats.md)")]

    parquet = tmp_path / "handelser.parquet"
    pd.DataFrame({"incident_id": ["p-1", "p-2"], "occurred_at": ["2025-03-01 21:14", "2025-03-01 21:15"],
                  "incident_type": ["rån", None], "kommun_code": ["0180", "0180"]}).to_parquet(parquet)
    [report] = ingest(empty_db, [parquet])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 1, 1), report.summary()


def test_a_time_written_with_utc_after_it_is_read_as_utc(empty_db, tmp_path):
    # R's format(usetz = TRUE), many logs and Java write a UTC time as '… UTC'; it was
    # rejected as an invalid time. A zone name that changes with the season stays rejected.
    csv = tmp_path / "handelser.csv"
    csv.write_text("incident_id;occurred_at;incident_type;kommun_code\n"
                   "k-1;2025-03-01 20:14:00 UTC;rån;0180\n"
                   "k-2;2025-07-01 08:00 GMT;rån;0180\n"
                   "k-3;2025-07-01 10:00:00 CEST;rån;0180\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 2, 1), report.summary()
    assert rows(empty_db, "SELECT incident_id, strftime(occurred_at, '%Y-%m-%d %H:%M') FROM incident ORDER BY 1") == [
        ("k-1", "2025-03-01 21:14"), ("k-2", "2025-07-01 10:00")]
    assert [(r, c) for r, c, _ in rejected_rows(empty_db)] == [(4, "occurred_at")]


def test_an_empty_time_or_kommun_cell_is_called_missing_not_invalid(empty_db, tmp_path):
    # An empty cell was rejected as 'ogiltig tidpunkt (skriv ÅÅÅÅ-MM-DD TT:MM:SS)' or
    # 'okänd kommunkod', which sends the user looking for a wrong value that is not there.
    csv = tmp_path / "handelser.csv"
    csv.write_text("incident_id;occurred_at;incident_type;kommun_code\n"
                   "k-1;2025-03-01 21:14;rån;\n"
                   "k-2;;rån;0180\n"
                   "k-3;2025-03-01 21:14;rån;0180\n"
                   "Summa;;;\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert rejected_rows(empty_db) == [(2, "kommun_code", "kommunkod saknas"), (3, "occurred_at", "tidpunkt saknas"),
                                       (5, "incident_id", "summeringsrad (Summa), ingen händelse")]


def test_a_signal_rows_autosum_without_a_label_is_named_a_total_row(empty_db, tmp_path):
    # Excel's AutoSum under the count column leaves a row with only the sum. It was
    # rejected with six problems (no month, unknown area, …), as if a signal were broken.
    csv = tmp_path / "signaler.csv"
    csv.write_bytes(b"month;area_code;age_band;sex;source;signal_type;count\r\n"
                    + "2025-01;0180;15-17;M;polis;rekryteringsförsök;7\r\n".encode("cp1252")
                    + "2025-01;1280;15-17;M;polis;rekryteringsförsök;5\r\n".encode("cp1252")
                    + b";;;;;;12\r\n")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted) == ("ok", 2), report.summary()
    assert rejected_rows(empty_db) == [(4, "count", "raden har bara ett antal (12), troligen en summeringsrad; "
                                                    "ingen signal")]
