"""Real statistics files (session 24): shapes a user meets that were refused or misread."""

from __future__ import annotations

from helpers import refused, rejected_rows
from helpers import rows as _query

from pipelines.loading import ingest

BRA = "SELECT area_code, year, count FROM bra_statistic ORDER BY area_code, year"
MONTH = "perioden är ett kvartal eller en månad; bra_statistic gäller hela år (exportera per år)"


def test_a_bra_period_written_as_a_month_in_digits_is_no_year(empty_db, tmp_path):
    # Brå's monthly tables, and a sheet whose period cells Excel turned into ISO months,
    # write '2024-01'. It was read as the year 2024: January's 400 offences stored as
    # Malmö's whole year. Two dates of one year are a year only from 1 January to 31 December.
    path = tmp_path / "bra-manad.csv"
    path.write_text("Område;Brottstyp;Period;Antal\n"
                    "Malmö;Samtliga brott;2024-01;400\n"
                    "Malmö;Samtliga brott;2023;4000\n"
                    "Lund;Samtliga brott;2024-01-01 – 2024-06-30;10\n"
                    "Lund;Samtliga brott;2024-01-01 – 2024-12-31;20\n"
                    "Lomma;Samtliga brott;03/2024;1\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _query(empty_db, BRA) == [("1280", 2023, 4000), ("1281", 2024, 20)]
    assert rejected_rows(empty_db) == [(2, "Period", MONTH), (4, "Period", MONTH), (6, "Period", MONTH)]


def test_bra_columns_of_months_in_digits_refuse_the_file(empty_db, tmp_path):
    # Wide: '2024-01' and '2024-02' both landed on 2024 and were rejected as one key with
    # two values, which said nothing of months.
    path = tmp_path / "bra-manader.csv"
    path.write_text("Område;Brottstyp;2024-01;2024-02\nMalmö;Samtliga brott;400;300\n", encoding="utf-8")
    assert refused(empty_db, path) == f"bra-manader.csv: rad 1, kolumn '2024-01': {MONTH}."
