"""Statistics files as real exports from SCB, Kolada and Brå hold them (the input hunt).

Each test builds a small file in the shape a real export has and checks what an analyst
would look at afterwards: the rows in the warehouse, or the refusal's message.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from helpers import refused, rows

from pipelines.loading import ingest

SINGLE_AGES = [f"{a} år" for a in range(100)]


def _population(db: Path) -> list[tuple]:
    return rows(db, "SELECT kommun_code, year, age_band, sex, population FROM population ORDER BY ALL")


def _bands(kommun: str, year: int, per_age: int, oldest: int = 1) -> list[tuple]:
    """The six bands for men and women when every single age holds ``per_age`` people
    (and the oldest age, 100+, ``oldest``)."""
    sizes = {"0-11": 12, "12-14": 3, "15-17": 3, "18-24": 7, "25-64": 40}
    out = []
    for band, n in sizes.items():
        out += [(kommun, year, band, sex, n * per_age) for sex in ("K", "M")]
    out += [(kommun, year, "65+", sex, 35 * per_age + oldest) for sex in ("K", "M")]
    return sorted(out)


# --- SCB --------------------------------------------------------------------------------


def test_scb_xlsx_with_region_and_age_only_on_the_first_row_of_each_group(empty_db, tmp_path):
    # PxWeb's Excel export writes each region and age once, as its table on screen does;
    # the rows below in the group are blank in those columns.
    path = tmp_path / "Folkmangd_kommun.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tabell"
    ws.append(["Folkmängd efter region, ålder, kön och år"])
    ws.append([])
    ws.append(["region", "ålder", "kön", "2023"])
    for region in ("0114 Upplands Väsby", "1280 Malmö"):
        for n, age in enumerate([*SINGLE_AGES, "100+ år"]):
            ws.append([region if n == 0 else None, age, "män", 10 if age != "100+ år" else 1])
            ws.append([None, None, "kvinnor", 10 if age != "100+ år" else 1])
    wb.save(path)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0114", 2023, 10) + _bands("1280", 2023, 10)
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]



def test_scb_xlsx_whose_header_cells_over_region_age_and_sex_are_empty(empty_db, tmp_path):
    # The columns are named from the title, in its order; before, the workbook was
    # 'formatet känns inte igen'.
    path = tmp_path / "Folkmangd.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Folkmängd efter region, ålder och kön. År 2022 - 2023"])
    ws.append([])
    ws.append([None, None, None, "2022", "2023"])
    for n, age in enumerate([*SINGLE_AGES, "100+ år"]):
        ws.append(["1280 Malmö" if n == 0 else None, age, "män", 10, 10])
        ws.append([None, None, "kvinnor", 10, 10])
    wb.save(path)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == sorted(_bands("1280", 2022, 10, 10) + _bands("1280", 2023, 10, 10))

def test_scb_csv_with_blank_cells_below_the_first_of_a_group(empty_db, tmp_path):
    lines = ['"Folkmängd efter region, ålder, kön och år"', "", '"region";"ålder";"kön";"2022";"2023"']
    for n, age in enumerate([*SINGLE_AGES, "100+ år"]):
        lines.append(f'"{"2584 Kiruna" if n == 0 else ""}";"{age}";"män";"5";"6"')
        lines.append('"";"";"kvinnor";"5";"6"')
    path = tmp_path / "folkmangd.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == sorted(_bands("2584", 2022, 5, 5) + _bands("2584", 2023, 6, 6))


def test_scb_oldest_age_written_100_years_or_older(empty_db, tmp_path):
    lines = ["region;ålder;kön;2023"]
    for age in [*SINGLE_AGES, "100 år och äldre"]:
        for sex in ("män", "kvinnor"):
            lines.append(f"0180 Stockholm;{age};{sex};{1 if age.startswith('100') else 10}")
    path = tmp_path / "folkmangd.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", 2023, 10)



def test_scb_sex_total_written_men_and_women_is_a_total_not_an_error(empty_db, tmp_path):
    lines = ["region;ålder;kön;2023"]
    for age in [*SINGLE_AGES, "100+ år"]:
        for sex in ("män", "kvinnor", "män och kvinnor"):
            lines.append(f"0180 Stockholm;{age};{sex};{(1 if age == '100+ år' else 10) * (2 if sex == 'män och kvinnor' else 1)}")
    path = tmp_path / "folkmangd.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", 2023, 10)
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]
    assert "101 totalrader" in report.summary()

AGE_CODES = [str(a) for a in range(100)] + ["100+"]


def test_scb_json_stat_1_from_the_v1_api(empty_db, tmp_path):
    # response.format "json-stat" (version 1) wraps the dataset and keeps id, size and
    # role inside 'dimension'; before, the file was 'formatet känns inte igen'.
    dimension = {
        "Region": {"label": "region", "category": {"index": {"00": 0, "0180": 1}, "label": {"00": "Riket", "0180": "Stockholm"}}},
        "Alder": {"label": "ålder", "category": {"index": {c: i for i, c in enumerate(AGE_CODES)},
                                                 "label": {c: f"{c} år" for c in AGE_CODES}}},
        "Kon": {"label": "kön", "category": {"index": {"1": 0, "2": 1}, "label": {"1": "män", "2": "kvinnor"}}},
        "ContentsCode": {"label": "tabellinnehåll", "category": {"index": {"BE0101N1": 0}, "label": {"BE0101N1": "Folkmängd"}}},
        "Tid": {"label": "år", "category": {"index": {"2023": 0}, "label": {"2023": "2023"}}},
        "id": ["Region", "Alder", "Kon", "ContentsCode", "Tid"],
        "size": [2, 101, 2, 1, 1],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
    }
    values = [1000] * 202 + [10 if a != "100+" else 1 for a in AGE_CODES for _ in (1, 2)]
    doc = {"dataset": {"dimension": dimension, "label": "Folkmängd efter region, ålder, kön, tabellinnehåll och år",
                       "source": "SCB", "updated": "2025-02-21T06:00:00Z", "value": values}}
    path = tmp_path / "BefolkningNy.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", 2023, 10)
    assert "riket (202)" in report.summary()  # one per cell


def test_scb_plain_json_answer_of_the_pxweb_api(empty_db, tmp_path):
    # response.format "json" (the pxweb R package's default): columns and keyed rows.
    columns = [{"code": "Region", "text": "region", "type": "d"}, {"code": "Alder", "text": "ålder", "type": "d"},
               {"code": "Kon", "text": "kön", "type": "d"}, {"code": "Tid", "text": "år", "type": "t"},
               {"code": "BE0101N1", "text": "Folkmängd", "type": "c"}]
    data = [{"key": [region, age, sex, "2023"], "values": ["1" if age == "100+" else "10"]}
            for region in ("1280", "9999") for age in AGE_CODES for sex in ("1", "2")]
    doc = {"columns": columns, "comments": [], "data": data,
           "metadata": [{"infofile": "BE0101", "label": "Folkmängd efter region, ålder, kön och år"}]}
    path = tmp_path / "BefolkningNy.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("1280", 2023, 10)
    # Rejected rows are named by their entry in 'data': 9999 is no kommun.
    assert rows(empty_db, 'SELECT min(row_number), count(*), min("column") FROM rejected_row') == [(203, 202, "region")]



def _px_file(path: Path, data_lines: list[str]) -> None:
    ages = ",".join(f'"{a}"' for a in [*SINGLE_AGES, "100+ år"])
    text = ('CHARSET="ANSI";\nAXIS-VERSION="2010";\nLANGUAGE="sv";\nMATRIX="BE0101N1";\n'
            'TITLE="Folkmängd efter region, ålder, kön och år";\nCONTENTS="Folkmängd";\n'
            'STUB="region","ålder","kön";\nHEADING="år";\n'
            'VALUES("region")="0180 Stockholm","1280 Malmö";\n'
            f'VALUES("ålder")={ages[:250]}\n{ages[250:]};\n'  # PX wraps long lists over lines
            'VALUES("kön")="män","kvinnor";\nVALUES("år")="2022","2023";\n'
            'VALUES[en]("region")="0180 Stockholm","1280 Malmo";\n'
            'NOTE="Uppgifterna för 2023 är preliminära.";\nDATA=\n' + "\n".join(data_lines) + ";\n")
    path.write_bytes(text.encode("cp1252"))  # CHARSET="ANSI": Windows-1252


def test_scb_px_file_as_pxweb_saves_it(empty_db, tmp_path):
    # PxWeb's "PX-fil" (PC-Axis): keywords, then DATA row by row, the heading (år) fastest.
    path = tmp_path / "BE0101N1.px"
    _px_file(path, ['10 11' if age != "100+ år" else '1 ".."'
                    for _region in (1, 2) for age in [*SINGLE_AGES, "100+ år"] for _sex in (1, 2)])
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    got = _population(empty_db)
    expected_2022 = _bands("0180", 2022, 10) + _bands("1280", 2022, 10)
    assert [r for r in got if r[1] == 2022] == sorted(expected_2022)
    # 100+ år is '..' in 2023, so 65+ is not stored for that year; the other bands are.
    assert [r for r in got if r[1] == 2023 and r[2] == "12-14"] == [
        ("0180", 2023, "12-14", "K", 33), ("0180", 2023, "12-14", "M", 33),
        ("1280", 2023, "12-14", "K", 33), ("1280", 2023, "12-14", "M", 33)]
    assert not [r for r in got if r[1] == 2023 and r[2] == "65+"]
    assert "preliminära uppgifter för år 2023" in report.summary()


def test_scb_px_file_cut_short_is_refused(empty_db, tmp_path):
    path = tmp_path / "BE0101N1.px"
    _px_file(path, ["10 11"] * 5)
    message = refused(empty_db, path)
    assert "BE0101N1.px" in message and "10 värden i DATA" in message and "808 celler" in message

# --- Brå --------------------------------------------------------------------------------


def _bra(db: Path) -> list[tuple]:
    return rows(db, "SELECT area_code, offence_category, year, count, per_100k FROM bra_statistic ORDER BY ALL")


def test_bra_footnote_marks_after_area_names_and_numbers(empty_db, tmp_path):
    path = tmp_path / "anmalda_brott.csv"
    path.write_text("Anmälda brott\n\nRegion;Brottsgrupp;År;Antal;Antal per 100 000 invånare\n"
                    "Stockholms län¹;Samtliga brott;2023;250 000;10 000,5\n"
                    "Malmö²;Samtliga brott;2023;40 000¹;11 000\n"
                    "Gotland (1);Rån;2023;12;19,8\n"
                    "\n¹ Gränsen ändrades 2023.\n² Uppgiften är reviderad.\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _bra(empty_db) == [("01", "Samtliga brott", 2023, 250000, 10000.5),
                              ("0980", "Rån", 2023, 12, 19.8),
                              ("1280", "Samtliga brott", 2023, 40000, 11000.0)]


def test_bra_quarters_are_not_summed_into_one_year(empty_db, tmp_path):
    # Before, 2024K1 and 2024K2 both became the year 2024 and the second quarter's count
    # was stored as the whole year's.
    path = tmp_path / "anmalda_brott_kvartal.csv"
    path.write_text("Område;Brottstyp;Period;Antal\nMalmö;Samtliga brott;2023;900\n"
                    "Malmö;Samtliga brott;2024K1;100\nMalmö;Samtliga brott;2024K2;200\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert _bra(empty_db) == [("1280", "Samtliga brott", 2023, 900, None)]
    assert rows(empty_db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY 1') == [
        (3, "Period", "perioden är ett kvartal eller en månad; bra_statistic gäller hela år (exportera per år)"),
        (4, "Period", "perioden är ett kvartal eller en månad; bra_statistic gäller hela år (exportera per år)")]
    assert report.rows_accepted == 1


def test_bra_wide_file_with_quarter_columns_is_refused(empty_db, tmp_path):
    path = tmp_path / "anmalda_brott_kvartal_bred.csv"
    path.write_text("Område;Brottstyp;2024 kv 1;2024 kv 2\nMalmö;Samtliga brott;100;200\n", encoding="utf-8")
    message = refused(empty_db, path)
    assert "rad 1" in message and "2024 kv 1" in message and "hela år" in message


def test_bra_change_column_is_not_taken_for_a_year(empty_db, tmp_path):
    # Before, 'Förändring 2023–2024 (%)' was read as a column for 2023: its 10 replaced
    # the 1 000 offences of 2023, and a negative change was a rejected row.
    path = tmp_path / "anmalda_brott_jamforelse.csv"
    path.write_text("Anmälda brott, antal\n\nOmråde;Brottstyp;2023;2024;Förändring 2023–2024 (%)\n"
                    "Malmö;Samtliga brott;1 000;1 100;10\nMalmö;Rån;50;40;-20\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _bra(empty_db) == [("1280", "Rån", 2023, 50, None), ("1280", "Rån", 2024, 40, None),
                              ("1280", "Samtliga brott", 2023, 1000, None),
                              ("1280", "Samtliga brott", 2024, 1100, None)]
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]


def test_bra_xlsx_with_each_year_merged_over_its_units_in_the_row_below(empty_db, tmp_path):
    # Before, only the first column under each year was read, as a count: the rates per
    # 100 000 were lost without a word and the row of units was a rejected row.
    path = tmp_path / "anmalda_brott.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Anmälda brott"])
    ws.append([])
    ws.append(["Område", "Brottstyp", "2023", None, "2024", None])
    ws.merge_cells("C3:D3")
    ws.merge_cells("E3:F3")
    ws.append([None, None, "Antal", "Per 100 000 inv", "Antal", "Per 100 000 inv"])
    ws.append(["Malmö", "Samtliga brott", 1000, 300.5, 1100, 310.2])
    ws.append([None, "Rån", 50, 14.1, 40, 11.3])
    wb.save(path)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _bra(empty_db) == [("1280", "Rån", 2023, 50, 14.1), ("1280", "Rån", 2024, 40, 11.3),
                              ("1280", "Samtliga brott", 2023, 1000, 300.5),
                              ("1280", "Samtliga brott", 2024, 1100, 310.2)]
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]
