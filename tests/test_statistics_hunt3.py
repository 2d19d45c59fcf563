"""Statistics files as SCB's PxWebApi 2.0 and Brå's database write them (the third hunt).

SCB's layouts follow PCAxis.Serializers, which PxWebApi 2.0 uses: its CsvSerializer
writes a code and its text as '0180 - Stockholm' (UseCodesAndTexts), only codes when no
label parameter is given ('Region', 'Alder', 'Kon'; '0180', '12', '1'), and puts every
variable in the rows when the query places them all in the stub (PxWeb 2's
"relational" CSV), the value column then named after the table. Its Xlsx2Serializer
(the web's "Excel" download, with IncludeTitle) writes the title in A1, no header
cells over the stub, each stub value on the first row of its group, and the table's
footnotes and information ('Källa:' | 'SCB') below a blank row. Each test checks what an
analyst sees: the population or bra_statistic rows stored, or the rejected rows.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from helpers import rows

from pipelines.loading import ingest

AGE_CODES = [str(a) for a in range(100)] + ["100+"]
REGIONS = (("00", "Riket"), ("0180", "Stockholm"))
SEXES = (("1", "män"), ("2", "kvinnor"))


def _population(db: Path) -> list[tuple]:
    return rows(db, "SELECT kommun_code, year, age_band, sex, population FROM population ORDER BY ALL")


def _bands(kommun: str, years: dict[int, int]) -> list[tuple]:
    """The six bands for men and women when every single age holds ``years[year]``."""
    sizes = {"0-11": 12, "12-14": 3, "15-17": 3, "18-24": 7, "25-64": 40, "65+": 36}
    return sorted((kommun, y, band, sex, n * v) for y, v in years.items() for band, n in sizes.items()
                  for sex in ("K", "M"))


def _rejected(db: Path) -> list[tuple]:
    return rows(db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY row_number')


def test_scb_v2_csv_with_codes_and_texts_joined_by_a_dash(empty_db, tmp_path):
    # outputFormat=csv&outputFormatParams=UseCodesAndTexts writes '{code} - {text}' in the
    # header and in every cell. Before, the file was refused: "kolumnen 'ålder' saknas".
    lines = ['"Region - region","Alder - ålder","Kon - kön","2023","2024"']
    for rc, rt in REGIONS:
        for a in [*AGE_CODES, "tot"]:
            age = "tot - totalt ålder" if a == "tot" else f"{a} - {a} år"
            for sc, st in SEXES:
                lines.append(f'"{rc} - {rt}","{age}","{sc} - {st}",10,11')
    path = tmp_path / "TAB638.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2023: 10, 2024: 11})
    assert _rejected(empty_db) == []


def test_scb_v2_csv_with_codes_only_as_the_api_answers_without_parameters(empty_db, tmp_path):
    # outputFormat=csv&outputFormatParams=SeparatorTab: no label parameter, so codes only.
    # Before: 'formatet känns inte igen' (no word like 'ålder' or 'folkmängd' in the file).
    lines = ['"Region"\t"Alder"\t"Kon"\t"2024"']
    for rc, _ in REGIONS:
        for a in AGE_CODES:
            for sc, _ in SEXES:
                lines.append(f'"{rc}"\t"{a}"\t"{sc}"\t7')
    path = tmp_path / "TAB638.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2024: 7})


def test_scb_v2_csv_with_every_variable_in_the_rows(empty_db, tmp_path):
    # PxWeb 2's CSV with all variables in the stub ("all in rows"): ContentsCode and Tid are
    # columns, and the value column is named after the table ('TAB638'). Before:
    # 'formatet känns inte igen'; with a named value column the year was never found.
    lines = ['"Region";"Alder";"Kon";"ContentsCode";"Tid";"TAB638"']
    for rc, _ in REGIONS:
        for a in AGE_CODES:
            for sc, _ in SEXES:
                for year, v in (("2023", 3), ("2024", 4)):
                    lines.append(f'"{rc}";"{a}";"{sc}";"000003O5";"{year}";{v}')
    path = tmp_path / "TAB638.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2023: 3, 2024: 4})


def test_scb_v2_excel_from_the_web_with_table_information_below(empty_db, tmp_path):
    # The web's "Excel" download (xlsx with IncludeTitle). Below the table, after a blank
    # row: a footnote and the table information as label | value ('Källa:' | 'SCB'). Before,
    # 'Källa:' took the age and sex of the row above and was a rejected row ('okänd region').
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "TAB638"
    ws.cell(1, 1, "Folkmängd efter region, ålder, kön och år")
    ws.cell(3, 4, "2024")
    r = 4
    for _, rt in REGIONS:
        for k, a in enumerate(AGE_CODES):
            for s, (_, st) in enumerate(SEXES):
                if k == 0 and s == 0:
                    ws.cell(r, 1, rt)
                if s == 0:
                    ws.cell(r, 2, f"{a} år")
                ws.cell(r, 3, st)
                ws.cell(r, 4, 5)
                r += 1
    ws.cell(r + 1, 1, "Folkmängden avser förhållandet den 31 december.")
    ws.cell(r + 3, 1, "Källa:")
    ws.cell(r + 3, 2, "SCB")
    ws.cell(r + 4, 1, "Senast uppdaterad:")
    ws.cell(r + 4, 2, "2025-02-20")
    path = tmp_path / "TAB638.xlsx"
    wb.save(path)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2024: 5})
    assert _rejected(empty_db) == []


def test_bra_area_and_offence_above_a_table_of_years(empty_db, tmp_path):
    # An export of one area and one offence: both stand above the table, which holds only
    # the years and the units. Before, 'formatet känns inte igen' (each line alone worked).
    path = tmp_path / "anmalda_brott_malmo.csv"
    path.write_text("Anmälda brott\nOmråde: Malmö\nBrottstyp: Samtliga brott\n\n"
                    "År;Antal;Per 100 000 inv\n"
                    "2022;68 000;19 500\n2023;66 100;18 900,5\n2024*;..;-\n"
                    "\n* Preliminär statistik\nKälla: Brå\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert rows(empty_db, "SELECT area_code, offence_category, year, count, per_100k, preliminary "
                          "FROM bra_statistic ORDER BY ALL") == [
        ("1280", "Samtliga brott", 2022, 68000, 19500.0, False),
        ("1280", "Samtliga brott", 2023, 66100, 18900.5, False),
        ("1280", "Samtliga brott", 2024, None, 0.0, True)]
    assert _rejected(empty_db) == []
