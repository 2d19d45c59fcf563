"""Real files and real bad input through the loading path (hunt 19): what a user who
loads an export as the source or a colleague left it sees, for each reader."""

from __future__ import annotations

import pandas as pd
from helpers import digest, refused

from pipelines.loading import ingest

INCIDENT_HEADER = "incident_id;occurred_at;incident_type;kommun_code"


def test_a_personnummer_in_an_incident_column_the_format_does_not_use_refuses_the_file(empty_db, tmp_path):
    # An export from a case system keeps its own columns beside ours ('kommentar', a
    # case number). They are not stored, but formats.md promises that a personnummer
    # anywhere refuses the file, as the signal and measure files already did; before,
    # the incident reader never looked at them and loaded the file.
    csv = tmp_path / "handelser.csv"
    csv.write_text(f"{INCIDENT_HEADER};kommentar\n"
                   "k-1;2025-03-01 21:14;rån;0180;ingen uppgift\n"
                   "k-2;2025-03-02 02:10;rån;1280;gärningsman 121212-1212\n", encoding="utf-8")
    message = refused(empty_db, csv)
    assert "rad 3, kolumn 'kommentar'" in message and "personnummer" in message
    assert "1212" not in message

    # an empty header cell is named by its field number
    blank = tmp_path / "tomrubrik.csv"
    blank.write_text(f"{INCIDENT_HEADER};;\nk-1;2025-03-01 21:14;rån;0180;121212-1212;\n", encoding="utf-8")
    assert "rad 2, kolumn 'fält 5'" in refused(empty_db, blank)

    # Parquet: a text or a number column alike
    for name, extra in (("text.parquet", {"anteckning": ["121212-1212"]}), ("tal.parquet", {"arende": [1212121212]})):
        path = tmp_path / name
        pd.DataFrame({"incident_id": ["k-1"], "occurred_at": ["2025-03-01 21:14"], "incident_type": ["rån"],
                      "kommun_code": ["0180"], **extra}).to_parquet(path)
        assert f"rad 1, kolumn '{next(iter(extra))}'" in refused(empty_db, path)


def test_an_incident_file_with_columns_of_its_own_still_loads(empty_db, tmp_path):
    # The columns the format does not use are screened, not read: without a personnummer
    # the file loads as before, reordered columns and a line break in a quoted cell too.
    csv = tmp_path / "export.csv"
    csv.write_text("kommun_code;incident_type;occurred_at;kommentar;incident_id\n"
                   "0180;skottlossning;2025-03-01 21:14:05;se ärende 2025-0042;k-1\n"
                   '1280;explosion;2025-03-02 02:10;"två\nrader";k-2\n', encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 2, 0), report.summary()
    before = digest(empty_db)
    [again] = ingest(empty_db, [csv])
    assert again.status == "duplicate" and digest(empty_db) == before
