"""Statistics files as users save them (the fourth hunt): SCB's Excel with its contents in
a row of their own, or saved without its title; PxWeb 2's CSV with two contents as codes;
Brå's totals in the offence column and its pivot exports with empty header cells; Kolada's
values as a bare JSON list or as JSON Lines.

SCB's Excel layouts follow PCAxis.Serializers' Xlsx2Serializer (PxWebApi 2.0's xlsx): the
title in A1 when IncludeTitle is on (the table from row 3), else the table from row 1; one
row per heading variable, the contents (ContentsCode) above the years, each content written
once over its years; no header cells over the stub; each stub value on the first row of its
group. Each test checks what an analyst sees: the rows stored, or the refusal and a
database left as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from helpers import refused, rows

from pipelines.loading import ingest

AGES = [f"{a} år" for a in range(100)] + ["100+ år"]
AGE_CODES = [str(a) for a in range(100)] + ["100+"]
SIZES = {"0-11": 12, "12-14": 3, "15-17": 3, "18-24": 7, "25-64": 40, "65+": 36}


def _population(db: Path) -> list[tuple]:
    return rows(db, "SELECT kommun_code, year, age_band, sex, population FROM population ORDER BY ALL")


def _bands(kommun: str, years: dict[int, int]) -> list[tuple]:
    """The six bands for men and women when every single age holds ``years[year]``."""
    return sorted((kommun, y, band, sex, n * v) for y, v in years.items() for band, n in SIZES.items()
                  for sex in ("K", "M"))


def _pxweb_xlsx(path: Path, stub: list[tuple], contents: list[str], years: list[str], values,
                title: str | None = None, merge: bool = False, by_row: bool = False) -> Path:
    """A sheet as PxWeb's Excel export writes it. ``stub`` holds each data row's stub values;
    ``values(content_index, year_index)`` the cell of every row (with ``by_row``,
    ``values(stub_values, content_index, year_index)``). ``merge`` merges each content's
    cell across its years, as Excel shows it after a user's 'merge and centre'."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "TAB638"
    r = 1
    if title:
        ws.cell(1, 1, title)
        r = 3
    first = len(stub[0]) + 1
    for k, content in enumerate(contents):
        ws.cell(r, first + k * len(years), content)
        if merge and len(years) > 1:
            ws.merge_cells(start_row=r, start_column=first + k * len(years), end_row=r,
                           end_column=first + (k + 1) * len(years) - 1)
    r += 1 if contents else 0
    for k in range(max(1, len(contents))):
        for j, year in enumerate(years):
            ws.cell(r, first + k * len(years) + j, year)
    r += 1
    previous: tuple = ()
    for key in stub:
        for c, v in enumerate(key):
            if key[:c + 1] != previous[:c + 1]:
                ws.cell(r, c + 1, v)
        previous = key
        for k in range(max(1, len(contents))):
            for j in range(len(years)):
                ws.cell(r, first + k * len(years) + j, values(key, k, j) if by_row else values(k, j))
        r += 1
    wb.save(path)
    return path


STUB_TEXTS = [(region, age, sex) for region in ("Riket", "0180 Stockholm") for age in AGES
              for sex in ("män", "kvinnor")]
STUB_CODES = [(region, age, sex) for region in ("00", "0180") for age in AGE_CODES for sex in ("1", "2")]


# --- 1. SCB Excel with the contents in a row above the years ---------------------------------


def test_scb_excel_with_two_contents_above_the_years_loads_folkmangd(empty_db, tmp_path):
    # Folkmängd and Folkökning ticked: 'Folkmängd' over 2023-2024 and 'Folkökning' over
    # 2023-2024, merged, in the row above the years. Before, the years were read twice and
    # each kommun/age/sex/year had two values: every row was rejected and none stored.
    path = _pxweb_xlsx(tmp_path / "TAB638.xlsx", STUB_TEXTS, ["Folkmängd", "Folkökning"], ["2023", "2024"],
                       lambda k, j: (500, 100)[k] + j, title="Folkmängden efter region, ålder och kön. År 1968 - 2024",
                       merge=True)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2023: 500, 2024: 501})
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]
    assert any("Folkökning lästes inte in" in line for line in report.lines), report.lines


# --- 2. SCB Excel saved without its title --------------------------------------------------------


def test_scb_excel_without_title_names_its_columns_from_their_values(empty_db, tmp_path):
    # IncludeTitle off: the sheet starts with the contents row; nothing names region, ålder
    # and kön. Before: 'formatet känns inte igen'.
    path = _pxweb_xlsx(tmp_path / "TAB638.xlsx", STUB_TEXTS, ["Folkmängd"], ["2023", "2024"], lambda k, j: 4 + j)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2023: 4, 2024: 5})


def test_scb_excel_without_title_with_codes_only(empty_db, tmp_path):
    # Codes for every value ('0180', '12', '1') and the content: '1' and '2' are ages too,
    # but the column of ages holds '0' and '100+', so they are the sexes.
    path = _pxweb_xlsx(tmp_path / "TAB638.xlsx", STUB_CODES, ["BE0101N1"], ["2024"], lambda k, j: 9)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2024: 9})


def test_scb_excel_without_title_in_another_column_order(empty_db, tmp_path):
    # The stub pivoted in PxWeb: kön, region, ålder.
    stub = [(sex, region, age) for sex in ("kvinnor", "män") for region in ("0180 Stockholm",) for age in AGES]
    path = _pxweb_xlsx(tmp_path / "TAB638.xlsx", stub, ["Folkmängd"], ["2024"], lambda k, j: 2)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2024: 2})


# BE0101N1 with civilstånd ticked: Folkmängden efter region, civilstånd, ålder och kön.
CIVIL = {"ogifta": 1, "gifta": 2, "skilda": 3, "änkor/änklingar": 4}
CIVIL_CODES = {"OG": 1, "G": 2, "SK": 3, "ÄNKL": 4}


@pytest.mark.parametrize(("regions", "ages", "sexes", "civil"),
                         [(("Riket", "0180 Stockholm"), AGES, ("män", "kvinnor"), CIVIL),
                          (("00", "0180"), AGE_CODES, ("1", "2"), CIVIL_CODES)], ids=["texts", "codes"])
def test_scb_excel_without_title_with_civilstand_sums_it(empty_db, tmp_path, regions, ages, sexes, civil):
    # The stub is region, civilstånd, ålder, kön, named by nothing: before, the column of
    # civilstånd could be a region as well as the regions, so no column was named and the
    # file was 'formatet känns inte igen'. Each age holds 1 + 2 + 3 + 4 = 10 people in 2023.
    stub = [(r, c, a, s) for r in regions for c in civil for a in ages for s in sexes]
    path = _pxweb_xlsx(tmp_path / "TAB638.xlsx", stub, ["Folkmängd"], ["2023", "2024"],
                       lambda key, k, j: civil[key[1]] + j, by_row=True)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2023: 10, 2024: 14})
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]
    listed = ", ".join(list(civil)[:3]) + " och " + list(civil)[3]
    assert (f"Folkmängden summerades över civilstånd ({listed}) för varje kommun, år, kön och ålder."
            in report.lines), report.lines


def test_scb_excel_without_title_with_civilstand_and_its_total_reads_the_total(empty_db, tmp_path):
    # 'totalt' first, then the four: the total is read and the four are left out, so no one
    # is counted twice (summed, each age would be 20 instead of 10).
    civil = {"totalt": 10, **CIVIL}
    stub = [(r, c, a, s) for r in ("Riket", "0180 Stockholm") for c in civil for a in AGES for s in ("män", "kvinnor")]
    path = _pxweb_xlsx(tmp_path / "TAB638.xlsx", stub, ["Folkmängd"], ["2024"], lambda key, k, j: civil[key[1]],
                       by_row=True)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2024: 10})
    assert ("Av civilstånd lästes totalen 'totalt'; ogifta, gifta, skilda och änkor/änklingar lästes inte in (de "
            "ingår i totalen).") in report.lines, report.lines


def test_scb_excel_without_title_whose_content_is_another_measure_is_refused(empty_db, tmp_path):
    # Only the contents row says what the numbers are. Before: 'formatet känns inte igen'.
    path = _pxweb_xlsx(tmp_path / "TAB638.xlsx", STUB_TEXTS, ["Folkökning"], ["2024"], lambda k, j: 7)
    message = refused(empty_db, path)
    assert message.startswith("TAB638.xlsx: rad 2, kolumn 'Folkökning 2024': tabellinnehållet är 'Folkökning', "
                              "inte folkmängd"), message


def test_scb_excel_without_title_or_contents_is_refused(empty_db, tmp_path):
    # Only years over the values: Folkmängd, Folkökning or Döda alike. Not taken for people.
    path = _pxweb_xlsx(tmp_path / "TAB638.xlsx", STUB_TEXTS, [], ["2024"], lambda k, j: 3)
    message = refused(empty_db, path)
    assert message.startswith("TAB638.xlsx: rad 1, kolumn '2024': blad 'TAB638': tabellen har varken titel, "
                              "kolumnrubriker eller tabellinnehåll"), message
    assert "IncludeTitle" in message and "Folkmängd" in message


# --- 3. PxWeb 2's CSV with codes only and two contents ---------------------------------------

# PxWebApi 2.0's csv without a label parameter writes codes: the contents too. Which code is
# Folkmängd is not in the file, and SCB's content codes differ between tables (000003O5 is
# Folkmängd in the monthly TAB5444; nothing we could check says what it is in TAB638), so it
# is not guessed: the refusal says how to download a file that says it.
CODES_WIDE = ['"Region","Alder","Kon","000003O5 2024","0000053A 2024"',
              *(f'"{r}","{a}","{s}",10,1' for r in ("00", "0180") for a in AGE_CODES for s in ("1", "2"))]
CODES_IN_ROWS = ['"Region";"Alder";"Kon";"ContentsCode";"Tid";"TAB638"',
                 *(f'"{r}";"{a}";"{s}";"{c}";"2024";{v}' for r in ("00", "0180") for a in AGE_CODES
                   for s in ("1", "2") for c, v in (("000003O5", 10), ("0000053A", 1)))]


@pytest.mark.parametrize(("lines", "where"), [(CODES_WIDE, "rad 1, kolumn '000003O5 2024'"),
                                              (CODES_IN_ROWS, "rad 2, kolumn 'ContentsCode'")],
                         ids=["contents-in-the-header", "contents-in-the-rows"])
def test_scb_v2_csv_with_two_contents_as_codes_is_refused_with_what_to_do(empty_db, tmp_path, lines, where):
    path = tmp_path / "TAB638.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = refused(empty_db, path)
    assert message.startswith(f"TAB638.csv: {where}: tabellinnehållet är '000003O5' och '0000053A'. "
                              "En kod som '000003O5' säger inte vad den mäter"), message
    assert "UseTexts eller UseCodesAndTexts" in message and "bara tabellinnehållet Folkmängd" in message


# --- 4. Brå: the total in the offence column ----------------------------------------------------


def _bra(db: Path) -> list[tuple]:
    return rows(db, "SELECT area_code, offence_category, year, count FROM bra_statistic ORDER BY ALL")


def test_bra_totalt_in_the_offence_column_is_samtliga_brott(empty_db, tmp_path):
    # Brå's table with a total row under each area's offences. Before, 'Totalt' was stored as
    # an offence of its own, an indicator 'Totalt' beside 'Samtliga brott' on the
    # comparison page. As 'Totalt' in the area column is the whole area (SE, or the län),
    # 'Totalt' in the offence column is the whole: Brå's 'Samtliga brott'.
    path = tmp_path / "anmalda_brott_lan.csv"
    path.write_text("Anmälda brott, antal\n\nLän;Brottstyp;2022;2023\n"
                    "Stockholms län;Misshandel;10 000;11 000\n;Rån;1 000;1 100\n;Totalt;11 000;12 100\n"
                    "Skåne län;Misshandel;5 000;5 500\n;Rån;500;550\n;Totalt antal brott;5 500;6 050\n"
                    "\nKälla: Brå\n", encoding="cp1252")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _bra(empty_db) == [
        ("01", "Misshandel", 2022, 10000), ("01", "Misshandel", 2023, 11000), ("01", "Rån", 2022, 1000),
        ("01", "Rån", 2023, 1100), ("01", "Samtliga brott", 2022, 11000), ("01", "Samtliga brott", 2023, 12100),
        ("12", "Misshandel", 2022, 5000), ("12", "Misshandel", 2023, 5500), ("12", "Rån", 2022, 500),
        ("12", "Rån", 2023, 550), ("12", "Samtliga brott", 2022, 5500), ("12", "Samtliga brott", 2023, 6050)]
    assert "Brottstypen 'Totalt' och 'Totalt antal brott' (summan av alla brott) lästes in som 'Samtliga brott', " \
           "Brås namn för den." in report.lines


def test_bra_totalt_beside_samtliga_brott_is_not_stored_twice(empty_db, tmp_path):
    # Both names of the total in one table: the same figure is read once; another figure for
    # the same area and year rejects both rows, each naming the other, and neither is stored.
    path = tmp_path / "anmalda_brott.csv"
    path.write_text("Område;Brottstyp;År;Antal\n"
                    "Malmö;Samtliga brott;2023;52 000\nMalmö;Totalt;2023;52 000\n"
                    "Lund;Samtliga brott;2023;14 000\nLund;Alla brott;2023;14 100\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _bra(empty_db) == [("1280", "Samtliga brott", 2023, 52000)]
    assert rows(empty_db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY 1') == [
        (4, "Antal", "samma område, brott och år som rad 5 men ett annat värde; ingen av dem lästes in"),
        (5, "Antal", "samma område, brott och år som rad 4 men ett annat värde; ingen av dem lästes in")]


# --- 5. Brå: pivot exports with empty header cells, or the header over two rows -------------


def test_bra_pivot_csv_with_empty_header_cells_over_area_and_offence(empty_db, tmp_path):
    # Only the years are in the header row; the cells over the area and offence columns are
    # empty. Before: 'formatet känns inte igen'.
    path = tmp_path / "anmalda_brott_pivot.csv"
    path.write_text("Anmälda brott, antal\n\n;;2022;2023\n"
                    "Stockholms län;Samtliga brott;250 000;260 000\n;Misshandel;10 000;11 000\n"
                    "Skåne län;Samtliga brott;150 000;155 000\n;Misshandel;5 000;5 500\n", encoding="cp1252")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _bra(empty_db) == [
        ("01", "Misshandel", 2022, 10000), ("01", "Misshandel", 2023, 11000), ("01", "Samtliga brott", 2022, 250000),
        ("01", "Samtliga brott", 2023, 260000), ("12", "Misshandel", 2022, 5000), ("12", "Misshandel", 2023, 5500),
        ("12", "Samtliga brott", 2022, 150000), ("12", "Samtliga brott", 2023, 155000)]


def test_bra_pivot_xlsx_with_units_above_years_and_kommun_names(empty_db, tmp_path):
    # The units merged over their years above the year row, nothing over the label
    # columns; the areas are bare kommun names, so the column with 'brott' in it is the
    # offences and the other the area.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Anmälda brott"
    for r in (["Anmälda brott"], [], [None, None, "Antal", None, "Per 100 000 invånare", None],
              [None, None, 2022, 2023, 2022, 2023],
              ["Malmö", "Samtliga brott", 52000, 51998, 14000.5, 14358.9], [None, "Rån", 500, 520, 140.1, 143.2],
              ["Lund", "Samtliga brott", 14000, 14100, 11000.2, 11050.3], [None, "Rån", 100, 90, 78.1, 70.2]):
        ws.append(r)
    ws.merge_cells("C3:D3")
    ws.merge_cells("E3:F3")
    path = tmp_path / "anmalda_brott_pivot.xlsx"
    wb.save(path)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert rows(empty_db, "SELECT area_code, offence_category, year, count, per_100k FROM bra_statistic "
                          "ORDER BY ALL") == [
        ("1280", "Rån", 2022, 500, 140.1), ("1280", "Rån", 2023, 520, 143.2),
        ("1280", "Samtliga brott", 2022, 52000, 14000.5), ("1280", "Samtliga brott", 2023, 51998, 14358.9),
        ("1281", "Rån", 2022, 100, 78.1), ("1281", "Rån", 2023, 90, 70.2),
        ("1281", "Samtliga brott", 2022, 14000, 11000.2), ("1281", "Samtliga brott", 2023, 14100, 11050.3)]


def test_bra_header_split_over_two_rows(empty_db, tmp_path):
    # 'Område' and 'Brottstyp' on one row, the years on the next under empty cells.
    path = tmp_path / "anmalda_brott.csv"
    path.write_text("Anmälda brott\n\nOmråde;Brottstyp;;\n;;2022;2023\n"
                    "Hela landet;Samtliga brott;1 440 000;1 441 900\n;Rån;8 000;7 900\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _bra(empty_db) == [("SE", "Rån", 2022, 8000), ("SE", "Rån", 2023, 7900),
                              ("SE", "Samtliga brott", 2022, 1440000), ("SE", "Samtliga brott", 2023, 1441900)]


def test_bra_pivot_whose_columns_cannot_be_told_apart_is_not_guessed(empty_db, tmp_path):
    # Two label columns, neither with 'brott' or a län/region in it: which is the area is
    # not guessed (a brottskod such as 0180 would be a kommun). Before: 'formatet känns
    # inte igen'; now the refusal names the header row and what to write in it.
    path = tmp_path / "anmalda_brott.csv"
    path.write_text("Anmälda brott\n\n;;2023\nMalmö;Rån;500\nLund;Rån;100\n", encoding="utf-8")
    message = refused(empty_db, path)
    assert message == ("anmalda_brott.csv: rad 3: kolumnerna till vänster om åren saknar rubrik, och vilken som är "
                       "område och vilken som är brottstyp går inte att se på innehållet. Inget lästes in. Skriv "
                       "Område och Brottstyp i de tomma rubrikcellerna och läs in filen igen."), message


# --- 6. Kolada: the entries as a bare list, or as JSON Lines ----------------------------------


def _entry(municipality: str, period: int, value, gender: str = "T") -> dict:
    return {"kpi": "N07403", "municipality": municipality, "period": period,
            "values": [{"gender": gender, "count": 1, "status": "", "value": value}]}


ENTRIES = [_entry("0180", 2022, 1500.5), _entry("0180", 2023, 1587.4), _entry("1280", 2023, 2001.0),
           _entry("0000", 2023, 1300.0), _entry("1280", 2023, 1999.0)]


def _kolada(db: Path) -> list[tuple]:
    return rows(db, "SELECT kpi_id, kommun_code, year, gender, value FROM kolada_value ORDER BY ALL")


def _expect_kolada_rules(db: Path, report) -> None:
    """The rules of an API answer: riket skipped and counted, two values for Malmö 2023
    rejected (entries 3 and 5, each naming the other), the rest stored."""
    assert report.status == "ok", report.summary()
    assert _kolada(db) == [("N07403", "0180", 2022, "T", 1500.5), ("N07403", "0180", 2023, "T", 1587.4)]
    assert rows(db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY row_number') == [
        (3, "value", "samma nyckeltal, kommun, år och kön som post 5 men ett annat värde; ingen av dem lästes in"),
        (5, "value", "samma nyckeltal, kommun, år och kön som post 3 men ett annat värde; ingen av dem lästes in")]
    assert any("riket (1)" in line for line in report.lines), report.lines


def test_kolada_entries_as_a_bare_list_load_by_the_same_rules(empty_db, tmp_path):
    # 'jq .values' or a script saving only the list. Before: 'formatet känns inte igen'.
    path = tmp_path / "kolada_N07403.json"
    path.write_text(json.dumps(ENTRIES, ensure_ascii=False, indent=1), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    _expect_kolada_rules(empty_db, report)


def test_kolada_json_lines_load_by_the_same_rules(empty_db, tmp_path):
    # One entry per line ('jq -c .values[]'). Before: 'filen är inte giltig JSON (rad 2…)'.
    path = tmp_path / "kolada_N07403.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in ENTRIES), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    _expect_kolada_rules(empty_db, report)


def test_kolada_pages_one_per_line_load_as_one_answer(empty_db, tmp_path):
    # A collector appending each page of the answer as a line: the entries of all pages.
    path = tmp_path / "kolada_N07403.json"
    pages = [{"count": 5, "values": ENTRIES[:3], "next_url": "https://api.kolada.se/v3/data/kpi/N07403?page=2"},
             {"count": 5, "values": ENTRIES[3:]}]
    path.write_text("".join(json.dumps(page) + "\n" for page in pages), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    _expect_kolada_rules(empty_db, report)
    assert not any("fler sidor" in line for line in report.lines), report.lines


def test_kolada_json_lines_cut_off_are_refused_naming_the_line(empty_db, tmp_path):
    path = tmp_path / "kolada_N07403.jsonl"
    path.write_text(json.dumps(ENTRIES[0]) + "\n" + json.dumps(ENTRIES[1])[:40] + "\n", encoding="utf-8")
    message = refused(empty_db, path)
    assert message == ("kolada_N07403.jsonl: rad 2 är inte giltig JSON (filen har en post per rad, JSON Lines) – "
                       "raden kan vara avbruten. Rätta eller ta bort raden; inget lästes in."), message


def test_kolada_json_lines_of_units_are_refused_as_units(empty_db, tmp_path):
    # Values per organisational unit, one per line: still named for what they are.
    path = tmp_path / "kolada_ou.jsonl"
    entry = {"kpi": "N15033", "ou": "V15E018000101", "period": 2023, "values": [{"gender": "T", "value": 1.0}]}
    path.write_text(json.dumps(entry) + "\n" + json.dumps(entry) + "\n", encoding="utf-8")
    message = refused(empty_db, path)
    assert message.startswith("kolada_ou.jsonl: rad 1, kolumn 'ou': det här är Koladas värden per organisatorisk "
                              "enhet"), message
