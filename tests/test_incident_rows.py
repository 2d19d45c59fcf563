"""Row numbers and shifted rows in incident CSV files as users send them: rows are numbered
as Excel shows them (a cell with a line break stays in its row, an empty line is a row of
its own), in files with quotes too; a value anywhere past the header's last column rejects
the row."""

from __future__ import annotations

from helpers import INCIDENT_HEADER, incident_csv, refused, rejected_rows, rows

from pipelines.loading import ingest

OK = "2025-03-01 10:00;rån;0180;;"


def _ids(db) -> list[str]:
    return [r[0] for r in rows(db, "SELECT incident_id FROM incident ORDER BY 1")]


def test_empty_lines_in_a_file_with_quotes_keep_the_rows_numbered_as_excel_shows_them(empty_db, tmp_path):
    # Excel rows: 1 header; 2 q1 (a cell with a line break, file lines 2-3); 3 empty;
    # 4 q2 (bad type); 5 empty; 6 q3 (an empty line inside its cell, lines 7-9); 7 q4.
    f = incident_csv(tmp_path / "export.csv",
             f'q1;{OK};"tips\nfrån granne"\n'
             "\n"
             "q2;2025-03-01 10:00;okänd;0180;;;\n"
             "\r\n"
             f'q3;{OK};"rad ett\n\nrad tre"\n'
             "q4;2025-03-01 10:00;rån;9999;;;\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 2), report.summary()
    assert _ids(empty_db) == ["q1", "q3"]
    assert [r[:2] for r in rejected_rows(empty_db)] == [(4, "incident_type"), (7, "kommun_code")]


def test_every_field_quoted_and_empty_lines_between_parts(empty_db, tmp_path):
    # An export of two parts with an empty line between, and a note after an empty line.
    f = tmp_path / "export.csv"
    f.write_text(INCIDENT_HEADER
                 + '"a1";"2025-03-01 10:00";"rån";"0180";"";"";""\n'
                 "\n"
                 '"a2";"2025-03-01 10:00";"okänd";"0180";"";"";""\n'
                 "\n"
                 "\n"
                 '"Källa: ""händelseloggen"""\n', encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert [r[:2] for r in rejected_rows(empty_db)] == [(4, "incident_type"), (7, "occurred_at")]


def test_a_personnummer_below_an_empty_line_in_a_file_with_quotes_names_its_row(empty_db, tmp_path):
    f = incident_csv(tmp_path / "export.csv",
             f'p1;{OK};"ett\ntvå"\n'
             "\n"
             f"p2;{OK};anmälare 19121212-1212\n")
    message = refused(empty_db, f)
    assert "personnummer" in message and "rad 4" in message, message
    assert "19121212" not in message


def test_a_value_past_an_empty_field_after_the_header_rejects_the_row(empty_db, tmp_path):
    # 'tips;;granne' in a source cell without quotes: the row has two fields more than the
    # header, the first of them empty. A trailing ';' (an empty field) is still accepted.
    f = incident_csv(tmp_path / "export.csv",
             f"s1;{OK};tips;\n"
             f"s2;{OK};tips;;granne\n"
             f"s3;{OK};tips; ;;granne\n"
             f"s4;{OK};tips;;;\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 2), report.summary()
    assert _ids(empty_db) == ["s1", "s4"]
    rejected = rejected_rows(empty_db)
    assert [r[:2] for r in rejected] == [(3, "fält 9"), (4, "fält 10")]
    assert all(r[2].startswith("raden har fler fält än rubriken") for r in rejected)


def test_a_value_past_an_empty_field_deep_in_a_large_file_rejects_the_row(empty_db, tmp_path):
    # DuckDB sniffs the columns from the file's start: a wider row far below is read with
    # the columns sniffed, and its fields past them were dropped without a word.
    body = "".join(f"y{i};{OK};\n" for i in range(60_000))
    f = incident_csv(tmp_path / "stor.csv", body + f"z1;{OK};tips;;;granne\nz2;{OK};;;;\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 60_001), report.summary()
    assert [r[:2] for r in rejected_rows(empty_db)] == [(60_002, "fält 10")]


def test_a_personnummer_in_a_field_past_the_header_refuses_the_file(empty_db, tmp_path):
    # A shifted row is rejected, but a personnummer anywhere in the file refuses all of it.
    f = incident_csv(tmp_path / "export.csv", f"p0;{OK};\np1;{OK};tips;;anmälare 19121212-1212\n")
    message = refused(empty_db, f)
    assert "personnummer" in message and "rad 3, kolumn 'fält 9'" in message, message
    assert "19121212" not in message


def test_an_empty_line_only_inside_a_quoted_cell_moves_no_row(empty_db, tmp_path):
    # Excel rows: 1 header; 2 c1 (its cell holds an empty line, file lines 2-4); 3 c2.
    f = incident_csv(tmp_path / "export.csv",
             f'c1;{OK};"första stycket\n\nandra stycket"\n'
             "c2;2025-03-01 10:00;okänd;0180;;;\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert [r[:2] for r in rejected_rows(empty_db)] == [(3, "incident_type")]


def test_a_quote_at_the_end_of_a_cells_text_keeps_the_rows_below_empty_lines_numbered(empty_db, tmp_path):
    # 'skärm 24"' ends its cell with a quote that is text (a quote opens a cell only as its
    # first character). Its odd count took the empty line below for one inside a quoted
    # cell, and with no other empty line the rows under it were named a row too high.
    # Excel rows: 1 header; 2 e1; 3 empty; 4 e2 (bad type); 5 e3 (bad kommun).
    f = incident_csv(tmp_path / "export.csv",
             f'e1;{OK};skärm 24"\n'
             "\n"
             "e2;2025-03-01 10:00;okänd;0180;;;\n"
             "e3;2025-03-01 10:00;rån;9999;;;\n")
    [report] = ingest(empty_db, [f])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert [r[:2] for r in rejected_rows(empty_db)] == [(4, "incident_type"), (5, "kommun_code")]
