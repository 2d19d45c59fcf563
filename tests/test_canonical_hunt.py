"""Our own signal and measure CSVs as coordinators have them after opening and saving
them in Excel with Swedish settings (docs/formats.md): what the user sees for each."""

from __future__ import annotations

from helpers import rows

from pipelines.loading import ingest

HEADER = "month;area_code;age_band;sex;source;signal_type;count"
MEASURE_HEADER = "organisation;kommun_code;year;prioritised_area;title;status"
AREA = "Unga i riskzon för destruktivt beteende"


def _signals(path, *lines: str, header: str = HEADER, encoding: str = "utf-8-sig"):
    path.write_bytes(("\r\n".join([header, *lines]) + "\r\n").encode(encoding))
    return path


def _stored(db):
    return rows(db, "SELECT month::VARCHAR, area_code, sex, count FROM recruitment_signal ORDER BY 1, 2, 3")


def _rejected(db):
    return rows(db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY 1')


def test_empty_columns_excel_kept_right_of_the_table_are_no_columns(empty_db, tmp_path):
    # A sheet whose columns H and I once held something: Excel saves ';;' after every row,
    # the header too. Before, the two empty names were 'kolumnen finns två gånger'.
    f = _signals(tmp_path / "signaler.csv", "2025-03;0180;15-17;M;socialtjänst;rekryteringsförsök;7;;",
                 header=HEADER + ";;", encoding="cp1252")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert _stored(empty_db) == [("2025-03-01", "0180", "M", 7)]


def test_a_value_past_the_header_rejects_the_row_instead_of_being_dropped(empty_db, tmp_path):
    # 'avvikelse från HVB;SiS' typed with ';' splits the row: before, the values past the
    # header were dropped unseen and the row loaded with its count in the wrong place.
    f = _signals(tmp_path / "signaler.csv",
                 "2025-03;0180;15-17;M;socialtjänst;rekryteringsförsök;7",
                 "2025-03;0180;15-17;K;socialtjänst;rekryteringsförsök;2;4")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert _stored(empty_db) == [("2025-03-01", "0180", "M", 7)]
    [(row, column, reason)] = _rejected(empty_db)
    assert (row, column) == (3, "fält 8") and reason.startswith("raden har fler fält än rubriken")


def test_a_total_row_at_the_bottom_is_named_as_one(empty_db, tmp_path):
    f = _signals(tmp_path / "signaler.csv", "2025-03;0180;15-17;M;socialtjänst;rekryteringsförsök;7",
                 "", "Summa;;;;;;7")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    # the empty line is row 3 as Excel shows it
    assert _rejected(empty_db) == [(4, "month", "summeringsrad (Summa), ingen signal")]


def test_months_as_excel_and_exports_write_them(empty_db, tmp_path):
    # 45870 is 2025-08-01 as Excel's serial number, written when the column lost its date
    # format; a database export writes a date with its midnight.
    months = ["2025-06-01", "202507", "45870", "2025-09-01 00:00:00"]
    f = _signals(tmp_path / "signaler.csv",
                 *(f"{m};0180;15-17;M;socialtjänst;rekryteringsförsök;{n}" for n, m in enumerate(months, start=1)),
                 "2025-09-01 12:00;0180;15-17;M;socialtjänst;rekryteringsförsök;1")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert [(m, n) for m, _, _, n in _stored(empty_db)] == [
        ("2025-06-01", 1), ("2025-07-01", 2), ("2025-08-01", 3), ("2025-09-01", 4)]
    assert _rejected(empty_db) == [(6, "month", "ogiltig månad '2025-09-01 12:00' (skriv ÅÅÅÅ-MM)")]


def test_months_by_their_swedish_names_as_excel_shows_them(empty_db, tmp_path):
    # A month cell formatted mmm-åå shows and saves 'mar-25' with Swedish settings; people
    # type 'mars 2025'. A quarter names no month and stays a rejected row.
    months = ["mars 2025", "Apr 2025", "maj-25", "sept. 2025"]
    f = _signals(tmp_path / "signaler.csv",
                 *(f"{m};0180;15-17;M;socialtjänst;rekryteringsförsök;{n}" for n, m in enumerate(months, start=1)),
                 "Q4 2025;0180;15-17;M;socialtjänst;rekryteringsförsök;1")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert [(m, n) for m, _, _, n in _stored(empty_db)] == [
        ("2025-03-01", 1), ("2025-04-01", 2), ("2025-05-01", 3), ("2025-09-01", 4)]
    assert _rejected(empty_db) == [(6, "month", "ogiltig månad 'Q4 2025' (skriv ÅÅÅÅ-MM)")]


def test_the_same_signal_twice_in_one_file(empty_db, tmp_path):
    # Rows that agree (a row copied, Stockholm written as name and as code) count once;
    # rows whose counts differ store neither, and both name each other's rows.
    f = _signals(tmp_path / "signaler.csv",
                 "2025-03;0180;15-17;M;socialtjänst;rekryteringsförsök;7",
                 "2025-03;0180 Stockholm;15-17;M;socialtjänst;rekryteringsförsök;7",
                 "2025-03;Malmö;15-17;K;socialtjänst;rekryteringsförsök;2",
                 "2025-03;1280;15–17;k;Socialtjänst;rekryteringsförsök;5")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert _stored(empty_db) == [("2025-03-01", "0180", "M", 7)]
    rejected = _rejected(empty_db)
    assert [(r, c) for r, c, _ in rejected] == [(3, "count"), (4, "count"), (5, "count")]
    assert "som rad 2 (dubblett)" in rejected[0][2]
    assert "(rad 4: 2, rad 5: 5)" in rejected[1][2] and "ingen av dem lästes in" in rejected[1][2]
    # the same file again adds nothing
    assert ingest(empty_db, [f])[0].status == "duplicate"
    assert _stored(empty_db) == [("2025-03-01", "0180", "M", 7)]


def test_a_measure_file_with_empty_columns_a_split_row_and_a_total_row(empty_db, tmp_path):
    f = tmp_path / "atgarder.csv"
    f.write_text("\n".join([
        MEASURE_HEADER + ";;",
        f"Tyresö kommun;0138;2025;{AREA};Fältgrupp;Pågår;;",
        f"Tyresö kommun;0138;2025;{AREA};Läxhjälp; för alla;påbörjad",
        "Summa;;;;;;",
    ]) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert rows(empty_db, "SELECT title, status FROM measure") == [("Fältgrupp", "påbörjad")]
    assert [(r, c) for r, c, _ in _rejected(empty_db)] == [(3, "fält 7"), (4, "organisation")]


def test_a_parquet_file_is_reported_as_parquet(empty_db, tmp_path):
    import pandas as pd

    f = tmp_path / "signaler.parquet"
    # pandas' categorical and nullable types; a kommun code as a float (an integer column
    # with a gap) and a count left empty
    pd.DataFrame({"month": pd.Categorical(["2025-03", "2025-04"]), "area_code": pd.array([180.0, 180.0]),
                  "age_band": ["15-17", "15-17"], "sex": pd.Categorical(["M", "M"]), "source": ["skola", "skola"],
                  "signal_type": ["rekryteringsförsök"] * 2,
                  "count": pd.array([7, None], dtype="Int64")}).to_parquet(f)
    [report] = ingest(empty_db, [f])
    assert report.status == "ok" and "signal-parquet" in report.summary(), report.summary()
    assert _stored(empty_db) == [("2025-03-01", "0180", "M", 7)]
    assert _rejected(empty_db) == [(2, "count", "antal saknas; skriv 0 om inga signaler fanns")]


def test_a_workbook_of_signals_is_refused_with_how_to_save_it_as_csv(empty_db, tmp_path):
    import pandas as pd

    before = rows(empty_db, "SELECT count(*) FROM load_log")
    frame = pd.DataFrame([["2025-03", "0180", "15-17", "M", "skola", "rekryteringsförsök", 7]],
                         columns=HEADER.split(";"))
    for name in ("signaler.xlsx", "signaler.csv"):  # also a workbook given a CSV's name
        frame.to_excel(tmp_path / name, index=False, engine="openpyxl")
        [report] = ingest(empty_db, [tmp_path / name])
        assert report.status == "rejected", report.summary()
        assert "Excel-arbetsbok med kolumnerna för rekryteringssignaler" in report.summary()
        assert "Spara bladet som CSV" in report.summary()
    assert rows(empty_db, "SELECT count(*) FROM load_log") == before
    assert _stored(empty_db) == []


def test_a_quote_inside_an_unquoted_cell_keeps_the_rows_below_empty_lines_numbered(empty_db, tmp_path):
    # 'skärm 24"' and 'sa "stick"' are text, not quoted cells (a quote opens one only as a
    # cell's first character). Before, the quote's odd count hid the empty lines below it,
    # and the rejected rows were named one or two rows too high.
    # Excel rows: 1 header; 2 s1; 3 empty; 4 s2 (bad time); 5 s3; 6 empty; 7 s4 (bad type).
    f = tmp_path / "export.csv"
    f.write_text("\n".join([
        "incident_id;occurred_at;incident_type;kommun_code;lpo_code;grid_cell;source",
        's1;2025-03-01 10:00;stöld;0180;;;skärm 24" från bil',
        "",
        "s2;igår;rån;0180;;;logg",
        's3;2025-03-01 10:00;hot;0180;;;sa "stick" till vakten, ""lugnt""',
        "",
        's4;2025-03-01 10:00;okänd;0180;;;"citerad ""cell""\nmed radbrytning"',
    ]) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    assert [r[:2] for r in _rejected(empty_db)] == [(4, "occurred_at"), (7, "incident_type")]


def test_a_row_with_several_problems_names_them_all(empty_db, tmp_path):
    # Before, only the first problem was named: the user fixed the area, loaded again and
    # only then learnt that the sex and the count were wrong too.
    f = _signals(tmp_path / "signaler.csv", "2025-03;0180;15-17;M;socialtjänst;rekryteringsförsök;7",
                 "2025-03;Okänd ort;15-17;flicka;socialtjänst;rekryteringsförsök;<5")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    [(row, column, reason)] = _rejected(empty_db)
    assert (row, column) == (3, "area_code")
    assert reason.startswith("okänt område")
    assert "; sex: okänt värde; tillåtna: " in reason and "; count: antalet är dolt" in reason
    assert _stored(empty_db) == [("2025-03-01", "0180", "M", 7)]


def test_a_measure_row_with_several_problems_names_them_all(empty_db, tmp_path):
    f = _signals(tmp_path / "atgarder.csv", f"Solna stad;0184;2025;{AREA};Läxhjälp;pågår",
                 "Solna stad;0184;1899;;Fältarbete;kanske", header=MEASURE_HEADER)
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    [(row, column, reason)] = _rejected(empty_db)
    assert (row, column) == (3, "year")
    assert reason.startswith("ogiltigt år; status: okänd status")
    assert reason.endswith("; prioritised_area: prioriterat område saknas")
