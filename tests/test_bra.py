"""Brå: reported offences from the statistical database's CSV and Excel exports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from helpers import refused
from helpers import rows as _query

from pipelines import readers, warehouse
from pipelines.loading import ingest

DATA = Path(__file__).parent / "data" / "bra"


def _loaded(db, path):
    """The load report of ``path``, which must load."""
    [report] = ingest(db, [path])
    assert report.status == "ok", report.lines
    return report


def _stat(db, area, offence, year):
    rows = _query(db, "SELECT count, per_100k, preliminary FROM bra_statistic "
                      "WHERE area_code = ? AND offence_category = ? AND year = ?", [area, offence, year])
    return rows[0] if rows else None


def test_long_csv_windows_1252_with_title_footnotes_and_area_names(empty_db):
    path = DATA / "anmalda_brott_region_lan.csv"
    assert readers.choose(path).fmt == "bra-csv"
    report = _loaded(empty_db, path)
    assert _stat(empty_db, "SE", "Samtliga brott", 2023) == (1441900, 13662.3, False)
    assert _stat(empty_db, "SE", "Samtliga brott", 2024) == (1401010, 13210.8, True)  # "2024*"
    assert _stat(empty_db, "SE", "Skjutning med dödlig utgång", 2023) == (53, 0.5, False)  # footnote mark dropped
    assert _stat(empty_db, "STOCKHOLM", "Samtliga brott", 2023) == (426312, 16740.2, False)  # "Region Stockholm"
    assert _stat(empty_db, "01", "Rån", 2023) == (2571, 100.9, False)  # "Stockholms län"
    assert _stat(empty_db, "12", "Sprängning", 2023) == (0, 0.0, False)  # "–" is zero
    assert _stat(empty_db, "01", "Rån", 2024) is None  # ".." in both columns: nothing to store
    assert _query(empty_db, 'SELECT row_number, "column" FROM rejected_row') == [(14, "Region")]
    assert _query(empty_db, "SELECT DISTINCT source, retrieved_at FROM bra_statistic") == [
        ("Brå", datetime(2025, 3, 14))]
    assert report.rows_accepted == 8


def test_wide_csv_with_unit_row_grouped_areas_and_preliminary_footnote(empty_db):
    [report] = ingest(empty_db, [DATA / "anmalda_brott_kommun_bred.csv"])
    assert report.status == "ok", report.lines
    assert _stat(empty_db, "0180", "Samtliga brott", 2022) == (175331, 17913.0, False)
    assert _stat(empty_db, "0180", "Skadegörelse", 2023) == (19870, 2017.8, True)  # blank area = Stockholm
    assert _stat(empty_db, "1280", "Samtliga brott", 2023) == (51998, 14358.9, True)
    assert _stat(empty_db, "0114", "Samtliga brott", 2022) == (6120, 12720.4, False)
    assert report.rows_accepted == 8 and report.rows_rejected == 0


def test_xlsx_merged_titles_and_areas_renamed_sheet(empty_db, tmp_path):
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "Information"
    info["A1"] = "Brottsförebyggande rådet, statistikdatabasen"
    ws = wb.create_sheet("Anmälda brott 2024")
    ws["A1"] = "Antal anmälda brott efter polisregion, brottskategori och år"
    ws.merge_cells("A1:D1")
    ws["A2"] = "Uppgifterna för 2024 är preliminära."
    ws.merge_cells("A2:D2")
    ws.append([])
    ws.append(["Område", "Brottskategori", "2023", "2024 (prel.)"])
    ws.append(["Region Syd", "Rån", 1390, 1402])
    ws.append([None, "Våldsbrott", 20110, 19876])
    ws.merge_cells("A5:A6")
    ws.append(["Hela riket", "Rån", 7400, "..", None, "extra"])
    ws.append(["Källa: Brå"])
    path = tmp_path / "bra_export.xlsx"
    wb.save(path)
    assert readers.choose(path).fmt == "bra-xlsx"
    report = _loaded(empty_db, path)
    assert _stat(empty_db, "SYD", "Rån", 2023) == (1390, None, False)
    assert _stat(empty_db, "SYD", "Våldsbrott", 2024) == (19876, None, True)
    assert _stat(empty_db, "SE", "Rån", 2023) == (7400, None, False)
    assert _stat(empty_db, "SE", "Rån", 2024) is None
    assert "Anmälda brott 2024" in report.summary()


def test_file_without_areas_is_refused_clearly_and_changes_nothing(empty_db):
    message = refused(empty_db, DATA / "utan_omrade.csv")
    assert message.startswith("utan_omrade.csv: rad 2, kolumn 'område'")


def test_area_from_title_line(empty_db, tmp_path):
    path = tmp_path / "malmo.csv"
    path.write_bytes("Anmälda brott\nOmråde: Malmö\nBrottstyp;2023\nRån;310\n".encode("cp1252"))
    _loaded(empty_db, path)
    assert _stat(empty_db, "1280", "Rån", 2023) == (310, None, False)


def test_personnummer_in_any_cell_rejects_the_file(empty_db, tmp_path):
    text = (DATA / "anmalda_brott_region_lan.csv").read_bytes() + "Handläggare 811218-9876\r\n".encode("cp1252")
    path = tmp_path / "bra.csv"
    path.write_bytes(text)
    message = refused(empty_db, path)
    assert "personnummer" in message and "rad 20" in message


@pytest.mark.parametrize(
    ("name", "level", "code"),
    [("Hela landet", None, "SE"), ("Region Mitt", None, "MITT"), ("Polisregion Väst", None, "VAST"),
     ("Västra Götalands län", None, "14"), ("Stockholm", "lan", "01"), ("Stockholm", None, "0180"),
     ("0180 Stockholm", None, "0180"), ("Region Gotland", None, "0980"), ("Atlantis", None, None)],
)
def test_area_names(empty_db, name, level, code):
    from pipelines.geography import Gazetteer
    from pipelines.readers.bra import resolve_area

    con = warehouse.open_read_only(empty_db)
    try:
        gz = Gazetteer.from_connection(con)
    finally:
        con.close()
    assert resolve_area(name, gz, level) == code


def test_zip_bomb_workbook_is_refused_before_unpacking(empty_db, tmp_path):
    """A statistics workbook whose sheet unpacks to hundreds of MB is refused unopened."""
    import zipfile

    from pipelines.readers import scb

    bomb = tmp_path / "bra-export.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"<c><v>0</v></c>" * 65536
            for _ in range(scb.MAX_XLSX_UNPACKED // len(block) + 2):
                fh.write(block)
    with pytest.raises(Exception) as info:
        scb.xlsx_grids(bomb)
    assert "för stor" in str(info.value)
    refused(empty_db, bomb)


def test_thousands_with_narrow_no_break_space(empty_db, tmp_path):
    # A narrow no-break space (U+202F, what Swedish number formats on Linux and newer Windows
    # put between thousands) or a thin space was not a thousands separator: the value was
    # rejected and the row stored without it.
    path = tmp_path / "anmalda.csv"
    path.write_text("Anmälda brott\n\nRegion;Brott;År;Antal;Antal per 100 000 inv\n"
                    "Malmö;Skadegörelse;2023;10\u202f001;2\u2009891,3\n", encoding="utf-8")
    _loaded(empty_db, path)
    assert _stat(empty_db, "1280", "Skadegörelse", 2023) == (10001, 2891.3, False)
    assert _query(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_a_lan_column_beside_the_kommun_column_keeps_the_kommuner(empty_db, tmp_path):
    # "Län" left of "Kommun": the first area column was taken, so every kommun's count
    # landed on its län, the last one winning. A row with only the län is its total.
    path = _csv(tmp_path / "export.csv", "Anmälda brott efter län, kommun, brottstyp och år\n"
                "Län;Kommun;Brottstyp;2023\n"
                "Stockholms län;Botkyrka;Samtliga brott;8 000\n"
                ";Danderyd;Samtliga brott;2 000\n"
                "Stockholms län;;Samtliga brott;10 000\n")
    _loaded(empty_db, path)
    assert _stat(empty_db, "0127", "Samtliga brott", 2023)[0] == 8000
    assert _stat(empty_db, "0162", "Samtliga brott", 2023)[0] == 2000
    assert _stat(empty_db, "01", "Samtliga brott", 2023)[0] == 10000


def test_the_same_area_offence_and_year_twice_is_not_silently_the_later(empty_db, tmp_path):
    # A row pasted again with another value, and a sub-heading ("Mot kvinna") under two
    # offences: the later value overwrote the first with no word. An equal repeat is read once;
    # two values are both rejected and neither is stored (the statistics' one rule,
    # pipelines.readers.keyed; before, the first row's value was kept).
    path = _csv(tmp_path / "export.csv", "Region;Brottstyp;2023\n"
                "Malmö;Misshandel;9 000\nMalmö;Mot kvinna;4 000\n"
                "Malmö;Olaga hot;8 000\nMalmö;Mot kvinna;3 100\n"
                "Malmö;Rån;500\nMalmö;Rån;500\n")
    report = _loaded(empty_db, path)
    assert _query(empty_db, "SELECT count(*) FROM bra_statistic WHERE offence_category = 'Mot kvinna'") == [(0,)]
    assert _query(empty_db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY 1') == [
        (3, "2023", "samma område, brott och år som rad 5 men ett annat värde; ingen av dem lästes in"),
        (5, "2023", "samma område, brott och år som rad 3 men ett annat värde; ingen av dem lästes in")]
    assert any("två gånger med samma värde" in line for line in report.lines)


def test_a_rejected_count_takes_its_years_rate_with_it(empty_db, tmp_path):
    # "-5" beside a rate of 1,0: the row was rejected yet its rate was stored; "1E+25" (a
    # cell Excel wrote in scientific notation) crashed the load with an OverflowError.
    path = _csv(tmp_path / "export.csv", "Region;Brottstyp;År;Antal;Per 100 000 inv\n"
                "Malmö;Samtliga brott;2023;51 998;14 358,9\n"
                "Malmö;Rån;2023;-5;1,0\n"
                "Malmö;Stöld;2023;1E+25;3,0\n")
    _loaded(empty_db, path)
    assert _query(empty_db, "SELECT offence_category FROM bra_statistic") == [("Samtliga brott",)]
    assert _query(empty_db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY 1') == [
        (3, "Antal", "värdet är negativt"), (4, "Antal", "värdet är orimligt stort (över 1 000 000 000)")]


@pytest.mark.parametrize(("text", "english"), [
    ("13,662.3", True), ("1,441,900", True), ("13,662", False), ("1,234", False), ("1 234,5", False),
    ("1.234,5", False)])
def test_what_only_an_english_excel_writes(text, english):
    from pipelines.readers.text import english_written, parse_number

    assert english_written(text) is english
    assert parse_number("13,662", english=True) == 13662


@pytest.mark.parametrize(("text", "value"), [
    ("1 441 900", 1441900), ("14 358,9", 14358.9), ("1234.5", 1234.5), ("2,5", 2.5),
    ("1.234,5", 1234.5), ("1.234.567,89", 1234567.89),   # a German or Swedish Excel's thousands
    ("13,662.3", 13662.3), ("1,234,567", 1234567),       # an English Excel's: was 13.6623
    ("1,234", 1.234),                                    # one comma is the Swedish decimal comma
    ("1.2,3", None), ("1,23.4", None), ("många", None),
    ("\u22124,5", -4.5), ("\u2212 1 234", -1234),            # a minus sign as our exports write it
])
def test_numbers_as_swedish_and_english_exports_write_them(text, value):
    from pipelines.readers.text import parse_number

    assert parse_number(text) == value


def test_an_english_excels_numbers_are_read_as_written(empty_db, tmp_path):
    # A Brå table re-saved by an English-locale Excel: the rate 13,662.3 was stored as
    # 13.6623 and the count 1,441,900 rejected.
    path = _csv(tmp_path / "export.csv", 'Region;Brottstyp;År;Antal;Per 100 000 inv\n'
                'Hela landet;Samtliga brott;2023;"1,441,900";"13,662.3"\n')
    _loaded(empty_db, path)
    assert _stat(empty_db, "SE", "Samtliga brott", 2023)[:2] == (1441900, 13662.3)


def test_a_code_and_a_name_that_disagree_are_rejected(empty_db, tmp_path):
    # "0180 Malmö": the code was taken and Malmö's figure stored as Stockholm's.
    path = _csv(tmp_path / "export.csv", "Region;Brottstyp;2023\n0180 Malmö;Rån;500\n"
                "1280 Malmö;Rån;400\n01 Stockholms län;Rån;2 571\n")
    _loaded(empty_db, path)
    assert _query(empty_db, "SELECT area_code FROM bra_statistic ORDER BY 1") == [("01",), ("1280",)]
    assert _query(empty_db, 'SELECT row_number, "column", reason FROM rejected_row') == [
        (2, "Region", "koden 0180 är Stockholm, men namnet är Malmö: rätta koden eller namnet")]


def test_a_download_of_other_years_under_the_same_name_keeps_the_years_it_lacks(empty_db, tmp_path):
    # The last three years downloaded again a year later, under the same name: the new
    # file replaced the old one and 2020 was gone (second statistics hunt).
    path = tmp_path / "export.csv"
    _csv(path, "Region;Brottstyp;2020;2021;2022\nMalmö;Rån;500;510;520\nLund;Rån;100;110;120\n")
    ingest(empty_db, [path])
    _csv(path, "Region;Brottstyp;2021;2022;2023\nMalmö;Rån;510;525;530\nLund;Rån;110;120;130\n")
    report = _loaded(empty_db, path)
    assert _query(empty_db, "SELECT year, count FROM bra_statistic WHERE area_code = '1280' ORDER BY 1") == [
        (2020, 500), (2021, 510), (2022, 525), (2023, 530)]
    # One line says both what is replaced and what stays (it said "Ersätter …" first).
    assert [line for line in report.lines if "inläsning 1" in line] == [
        "Ersätter åren 2021 och 2022 från inläsning 1; 2020 finns inte i den här filen och ligger kvar."]


def test_a_kommun_written_once_over_its_offences_and_a_totalt_kommun(empty_db, tmp_path):
    # Second hunt: a blank Kommun under a repeated Län was read as the län's total (Botkyrka's
    # Rån became Stockholms län's), and "Totalt" in the Kommun column became Sweden.
    path = _csv(tmp_path / "export.csv", "Län;Kommun;Brottstyp;2023\n"
                "Stockholms län;Totalt;Samtliga brott;300 000\n"
                "Stockholms län;Botkyrka;Samtliga brott;10 000\n"
                "Stockholms län;;Rån;100\n"
                "Skåne län;Totalt;Samtliga brott;200 000\n")
    _loaded(empty_db, path)
    assert _query(empty_db, "SELECT area_code, offence_category, count FROM bra_statistic ORDER BY 1, 2") == [
        ("01", "Samtliga brott", 300000), ("0127", "Rån", 100), ("0127", "Samtliga brott", 10000),
        ("12", "Samtliga brott", 200000)]
    assert _query(empty_db, "SELECT count(*) FROM rejected_row")[0][0] == 0


def test_a_column_an_english_excel_wrote_reads_its_commas_as_thousands(empty_db, tmp_path):
    # Second hunt: "13,662.3" beside "13,662" in one rate column gave 13662.3 and 13.662.
    path = _csv(tmp_path / "export.csv", 'Region;Brottstyp;År;Antal;Per 100 000 inv\n'
                'Hela landet;Samtliga brott;2023;"1,441,900";"13,662.3"\n'
                'Hela landet;Samtliga brott;2024;"1,401,010";"13,662"\n'
                'Malmö;Samtliga brott;2024;"1,234";"14,358.9"\n')
    _loaded(empty_db, path)
    assert _query(empty_db, "SELECT area_code, year, count, per_100k FROM bra_statistic ORDER BY 1, 2") == [
        ("1280", 2024, 1234, 14358.9), ("SE", 2023, 1441900, 13662.3), ("SE", 2024, 1401010, 13662.0)]
