"""Real statistics files (session 24): shapes a user meets that were refused or misread."""

from __future__ import annotations

import pytest
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


def _scb_page(extra: str = "") -> str:
    # PxWeb 2's "HTML" download (the table as on screen, with its title): the contents over
    # the years (colspan), the region once over its rows (rowspan), a source line below.
    rows = "".join(
        "<tr>" + ("<th rowspan=\"6\">0180 Stockholm</th>" if i == 0 else "")
        + f"<th>{age} år</th><th>{sex}</th><td>{1000 + age}</td><td>{1100 + age}</td></tr>\n"
        for i, (age, sex) in enumerate((a, s) for a in (12, 13, 14) for s in ("män", "kvinnor")))
    return ("<!DOCTYPE html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>TAB638</title></head><body>\n"
            "<table><caption>Folkmängden efter region, ålder, kön och år</caption>\n"
            "<thead><tr><th colspan=\"3\"></th><th colspan=\"2\">Folkmängd</th></tr>\n"
            "<tr><th>region</th><th>ålder</th><th>kön</th><th>2023</th><th>2024</th></tr></thead>\n"
            f"<tbody>{rows}</tbody></table>\n<p>Källa: SCB</p>{extra}</body></html>\n")


def test_scb_table_downloaded_as_html_is_read(empty_db, tmp_path):
    # statistikdatabasen.scb.se offers the table as HTML beside Excel and CSV. It was taken
    # for a CSV and refused with "hittar ingen rubrikrad med kolumnerna region, ålder och
    # kön", which it has.
    path = tmp_path / "TAB638.html"
    path.write_text(_scb_page(), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert report.summary().startswith("TAB638.html: scb-html, 4 rader inlästa")
    assert _query(empty_db, "SELECT year, sex, population FROM population WHERE kommun_code = '0180' "
                            "AND age_band = '12-14' ORDER BY year, sex") == [
        (2023, "K", 3039), (2023, "M", 3039), (2024, "K", 3339), (2024, "M", 3339)]


def test_scb_html_with_a_personnummer_outside_the_table_is_refused(empty_db, tmp_path):
    path = tmp_path / "TAB638.html"
    # In a <div>, which is no table row or title: a page is screened whole.
    path.write_text(_scb_page("<div>Uttaget av 19850312-4540</div>"), encoding="utf-8")
    message = refused(empty_db, path)
    assert "personnummer" in message and "19850312" not in message


def test_a_bra_table_saved_from_the_browser_as_a_web_page_is_read(empty_db, tmp_path):
    # Brå's database shows its result as a table on a web page; saved from the browser
    # ("Spara som … Webbsida"), the years over their units (colspan) and the area over its
    # offences (rowspan). It was taken for a CSV of the page's lines.
    path = tmp_path / "Statistikdatabas.html"
    path.write_text(
        "<html><head><title>Statistikdatabas</title></head><body><h2>Anmälda brott</h2>\n"
        "<table border=1><tr><th rowspan=2>Område</th><th rowspan=2>Brottstyp</th><th colspan=2>2023</th>"
        "<th colspan=2>2024</th></tr>\n"
        "<tr><th>Antal</th><th>Per 100 000 inv</th><th>Antal</th><th>Per 100 000 inv</th></tr>\n"
        "<tr><td rowspan=2>Malmö</td><td>Samtliga brott</td><td>40&nbsp;000</td><td>11&nbsp;234</td>"
        "<td>41 000</td><td>..</td></tr>\n"
        "<tr><td>Våldsbrott</td><td>4 000</td><td>1 123,4</td><td>-</td><td>0</td></tr>\n"
        "</table><p>.. = uppgift saknas</p></body></html>", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert report.summary().startswith("Statistikdatabas.html: bra-html, 4 rader inlästa, 0 avvisade")
    assert "slutar mitt på en rad" not in report.summary()  # a page is no CSV
    assert _query(empty_db, "SELECT offence_category, year, count, per_100k FROM bra_statistic "
                            "WHERE area_code = '1280' ORDER BY 1, 2") == [
        ("Samtliga brott", 2023, 40000, 11234.0), ("Samtliga brott", 2024, 41000, None),
        ("Våldsbrott", 2023, 4000, 1123.4), ("Våldsbrott", 2024, 0, 0.0)]


def _pivoted_xlsx(path, contents):
    # PxWeb's table pivoted with the years over the contents (heading Tid, ContentsCode):
    # the years' row first, each year over its contents, and the contents' row below it
    # with the stub's names beside them.
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Folkmängd efter region, ålder, kön och år"])
    ws.append([])
    years = []
    for year in ("2023", "2024"):
        years += [year] + [None] * (len(contents) - 1)
    ws.append([None, None, None, *years])
    ws.append(["region", "ålder", "kön", *(contents * 2)])
    for age in (12, 13, 14):
        for sex in ("män", "kvinnor"):
            cells = []
            for year in (2023, 2024):
                cells += [1000 + age + (year - 2023) * 100] + [7] * (len(contents) - 1)
            ws.append(["0180 Stockholm", f"{age} år", sex, *cells])
    wb.save(path)
    return path


@pytest.mark.parametrize("contents", [["Folkmängd"], ["Folkmängd", "Folkökning"]], ids=["one", "two"])
def test_scb_contents_written_below_the_years_are_part_of_the_header(empty_db, tmp_path, contents):
    # The contents' row was read as a data row and rejected ('okänd region'); with two
    # contents, Folkökning's columns had no year and were not named in the report.
    path = _pivoted_xlsx(tmp_path / "folkmangd.xlsx", contents)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert rejected_rows(empty_db) == []
    assert _query(empty_db, "SELECT year, sex, population FROM population WHERE kommun_code = '0180' "
                            "ORDER BY year, sex") == [(2023, "K", 3039), (2023, "M", 3039),
                                                      (2024, "K", 3339), (2024, "M", 3339)]
    if len(contents) == 2:
        assert "Folkökning lästes inte in" in report.summary()


@pytest.mark.parametrize("contents", ["Folkmängd", "Folkökning"])
def test_scb_stub_names_on_the_contents_row_above_the_years(empty_db, tmp_path, contents):
    # 'region;ålder;kön;Folkmängd' over ';;;2023;2024': the first row was taken for the
    # header, found no years and refused the file ("hittar varken årskolumner …").
    lines = ["Folkmängd efter region, ålder, kön och år", "", f"region;ålder;kön;{contents};", ";;;2023;2024"]
    lines += [f"0180 Stockholm;{age} år;{sex};{1000 + age};{1100 + age}"
              for age in (12, 13, 14) for sex in ("män", "kvinnor")]
    path = tmp_path / "folkmangd.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if contents == "Folkökning":  # another measure is still refused, named
        assert "Folkökning" in refused(empty_db, path)
        return
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _query(empty_db, "SELECT year, sex, population FROM population WHERE kommun_code = '0180' "
                            "ORDER BY year, sex") == [(2023, "K", 3039), (2023, "M", 3039),
                                                      (2024, "K", 3339), (2024, "M", 3339)]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_bra_labels_on_the_units_row_under_the_years(empty_db, tmp_path, suffix):
    # Years over their units, 'Område' and 'Brottstyp' on the lower row: the years' row was
    # the header without labels, and the file was refused with "raden har fler fält än
    # rubriken" for every row.
    rows = [["Anmälda brott"], ["", "", "2023", "", "2024", ""],
            ["Område", "Brottstyp", "Antal", "Per 100 000 inv", "Antal", "Per 100 000 inv"],
            ["Malmö", "Samtliga brott", "40 000", "11 234", "41 000", "11 300"]]
    path = tmp_path / f"bra.{suffix}"
    if suffix == "csv":
        path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append([c or None for c in r])
        wb.active.merge_cells("C2:D2")
        wb.active.merge_cells("E2:F2")
        wb.save(path)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _query(empty_db, "SELECT offence_category, year, count, per_100k FROM bra_statistic "
                            "WHERE area_code = '1280' ORDER BY year") == [
        ("Samtliga brott", 2023, 40000, 11234.0), ("Samtliga brott", 2024, 41000, 11300.0)]


def test_a_bra_period_cell_excel_made_a_date_of_is_no_year(empty_db, tmp_path):
    # '2024-01' typed into Excel becomes the date 2024-01-01 ('jan-24'): read as the year
    # 2024, January's count was the year's. A year typed is a number and still read.
    import datetime

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Område", "Brottstyp", "Period", "Antal"])
    ws.append(["Malmö", "Samtliga brott", datetime.datetime(2024, 1, 1), 400])
    ws.append(["Malmö", "Samtliga brott", 2023, 4000])
    path = tmp_path / "bra.xlsx"
    wb.save(path)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _query(empty_db, BRA) == [("1280", 2023, 4000)]
    assert rejected_rows(empty_db) == [(2, "Period", MONTH)]


def test_a_statistics_page_with_an_excel_name_is_read_and_another_page_still_refused(empty_db, tmp_path):
    # Web systems' "Exportera till Excel" often writes an HTML table named .xls. Such a file
    # was claimed as an action plan and refused ("webbsida (HTML) med ett Excel-namn").
    path = tmp_path / "TAB638.xls"
    path.write_text(_scb_page(), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert (report.status, report.source_format) == ("ok", "scb-html"), report.summary()
    other = tmp_path / "rapport.xls"
    other.write_text("<html><body><table><tr><td>Något</td><td>annat</td></tr></table></body></html>",
                     encoding="utf-8")
    assert "webbsida (HTML) med ett Excel-namn" in refused(empty_db, other)
