"""SCB population: PxWeb CSV (wide and long), Excel, JSON-stat 2, and ``fetch scb``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from helpers import digest, local_api, refused
from helpers import rows as _query

from pipelines import readers, warehouse
from pipelines.fetch import FetchError
from pipelines.fetch import main as fetch_main
from pipelines.loading import ingest
from pipelines.readers import scb

DATA = Path(__file__).parent / "data" / "scb"


def _population(db, kommun, year, band, sex):
    con = warehouse.open_read_only(db)
    try:
        row = con.execute(
            "SELECT population FROM population WHERE kommun_code = ? AND year = ? AND age_band = ? AND sex = ?",
            [kommun, year, band, sex],
        ).fetchone()
        return row[0] if row else None
    finally:
        con.close()



def test_wide_windows_1252_csv_with_title_and_footnotes(empty_db):
    path = DATA / "folkmangd_bred_cp1252.csv"
    assert readers.choose(path).fmt == "scb-csv"
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    # Ages 12, 13 and 14 for men in Upplands Väsby are 112, 113 and 114 in 2023.
    assert _population(empty_db, "0114", 2023, "12-14", "M") == 339
    assert _population(empty_db, "0114", 2022, "12-14", "M") == 336
    assert _population(empty_db, "0180", 2023, "0-11", "K") == sum(1200 + a for a in range(12))
    assert _population(empty_db, "0114", 2023, "65+", "K") == sum(200 + a for a in range(65, 101))
    # 100+ is '..' for women in 2022: the 65+ band would be short, so it is not stored.
    assert _population(empty_db, "0114", 2022, "65+", "K") is None
    assert report.rows_accepted == 2 * 2 * 2 * 6 - 1
    text = report.summary()
    assert "65+" in text and "preliminära" in text and "2023" in text
    assert "län (2)" in text and "riket (1)" in text
    rejected = _query(empty_db, 'SELECT row_number, "column" FROM rejected_row')
    assert rejected == [(411, "region")]  # the unknown kommun 0199, counted from the title line
    assert _query(empty_db, "SELECT DISTINCT source FROM population") == [("SCB",)]


def test_long_semicolon_csv_sums_civilstand_and_keeps_only_complete_bands(empty_db):
    [report] = ingest(empty_db, [DATA / "folkmangd_lang_semikolon.csv"])
    assert report.status == "ok", report.lines
    # ogifta 2060+age plus gifta 40 for men: 2100+age per age.
    assert _population(empty_db, "1280", 2023, "12-14", "M") == 3 * 2100 + 12 + 13 + 14
    assert _population(empty_db, "1280", 2023, "15-17", "K") == 3 * 2200 + 15 + 16 + 17
    bands = {r[0] for r in _query(empty_db, "SELECT DISTINCT age_band FROM population")}
    assert bands == {"0-11", "12-14", "15-17"}  # ages 0-20 only: 18-24 is incomplete
    assert "18-24" in report.summary() and "totalrader" in report.summary()


def test_jsonstat2_skips_riket_and_reports_preliminary_year(empty_db):
    path = DATA / "folkmangd_jsonstat2.json"
    assert readers.choose(path).fmt == "scb-json"
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _population(empty_db, "0180", 2023, "12-14", "M") == 3 * 1100 + 39
    assert _population(empty_db, "2584", 2024, "15-17", "K") == 3 * 3201 + 48
    assert _population(empty_db, "0180", 2024, "65+", "K") is None  # 100+ is '..'
    assert report.rows_accepted == 2 * 2 * 2 * 6 - 1
    assert "riket (" in report.summary() and "2024" in report.summary()
    assert _query(empty_db, "SELECT count(*) FROM population WHERE kommun_code = 'SE' OR kommun_code = '00'") == [(0,)]


def test_xlsx_with_merged_title_renamed_sheet_and_extra_column(empty_db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tabell 1"
    ws["A1"] = "Folkmängd efter region, ålder, kön och år"
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["region", "ålder", "kön", "Folkmängd 2022", "Folkmängd 2023", "Kommentar"])
    for sex, base in (("män", 10), ("kvinnor", 20)):
        for age in list(range(100)) + ["100+"]:
            label = f"{age} år"
            n = base + (100 if age == "100+" else age)
            ws.append(["0380 Uppsala", label, sex, n, n + 1, "ingen"])
    path = tmp_path / "befolkning.xlsx"
    wb.save(path)
    assert readers.choose(path).fmt == "scb-xlsx"
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _population(empty_db, "0380", 2023, "12-14", "K") == 3 * 21 + 39
    assert "Tabell 1" in report.summary()


@pytest.mark.parametrize(
    ("name", "column"),
    [("folkmangd_utan_alder.csv", "ålder"), ("jsonstat_utan_alder.json", "Alder")],
)
def test_wrong_file_is_refused_clearly_and_changes_nothing(empty_db, name, column):
    message = refused(empty_db, DATA / name)
    assert message.startswith(name) and column in message
    if name.endswith(".csv"):
        assert "rad 3" in message  # the header row, below the title and a blank line


def test_personnummer_in_a_footnote_rejects_the_file(empty_db, tmp_path):
    text = (DATA / "folkmangd_bred_cp1252.csv").read_bytes() + '"Kontakt: 811218-9876"\r\n'.encode("cp1252")
    path = tmp_path / "folkmangd.csv"
    path.write_bytes(text)
    message = refused(empty_db, path)
    assert "personnummer" in message and "9876" not in message


def test_cli_ingest(empty_db):
    from pipelines.__main__ import main

    assert main(["ingest", "--db", str(empty_db), str(DATA / "folkmangd_lang_semikolon.csv")]) == 0
    assert _population(empty_db, "1280", 2023, "0-11", "M") == 12 * 2100 + sum(range(12))


# --- fetch against a local stand-in for SCB's API ---------------------------------------


@pytest.fixture
def fake_scb(monkeypatch):
    state = SimpleNamespace(bodies=[], status=200)

    def answer(request):
        body = json.loads(request.body)
        state.bodies.append(body)
        year = next(q for q in body["query"] if q["code"] == "Tid")["selection"]["values"][0]
        if state.status != 200:
            return state.status, b"Bad request"
        return 200, (DATA / f"api_befolkningny_{year}.json").read_bytes()

    with local_api(answer) as base:
        monkeypatch.setattr(scb, "API_V1", f"{base}/OV0104/v1/doris/sv/ssd/START/BE/BE0101/BE0101A/BefolkningNy")
        monkeypatch.setattr(scb, "REQUEST_PAUSE_S", 0)
        yield state


def test_fetch_scb_queries_every_kommun_per_year_and_loads(empty_db, tmp_path, fake_scb):
    args = SimpleNamespace(source="scb", args=[], years="2023-2024", save=tmp_path / "svar", db=str(empty_db))
    assert fetch_main(args) == 0
    assert len(fake_scb.bodies) == 2
    first = {q["code"]: q["selection"] for q in fake_scb.bodies[0]["query"]}
    assert first["Region"]["filter"] == "vs:RegionKommun07" and len(first["Region"]["values"]) == 290
    assert first["Kon"]["values"] == ["1", "2"] and first["ContentsCode"]["values"] == ["BE0101N1"]
    assert first["Tid"]["values"] == ["2023"] and fake_scb.bodies[0]["response"]["format"] == "json-stat2"
    assert sorted(p.name for p in (tmp_path / "svar").iterdir()) == ["scb-folkmangd-2023.json", "scb-folkmangd-2024.json"]
    assert _population(empty_db, "0114", 2023, "12-14", "M") == 339
    assert _population(empty_db, "0180", 2024, "12-14", "M") == 3 * 1101 + 39


def test_fetch_scb_http_error_is_a_clear_fetch_error(empty_db, tmp_path, fake_scb):
    fake_scb.status = 400
    before = digest(empty_db)
    args = SimpleNamespace(source="scb", args=[], years="2023", save=tmp_path, db=str(empty_db))
    with pytest.raises(FetchError, match="400"):
        fetch_main(args)
    assert digest(empty_db) == before


def test_years_option_is_checked():
    assert scb.parse_years("2020-2022,2024") == [2020, 2021, 2022, 2024]
    with pytest.raises(FetchError):
        scb.parse_years("tjugotjugo")


def test_sniff_leaves_other_tables_alone(tmp_path):
    bra = tmp_path / "bra.csv"
    bra.write_text("Anmälda brott\nRegion;Brottstyp;2023\nStockholms län;Rån;123\n", encoding="utf-8")
    assert scb.sniff(bra, bra.read_bytes()) is None
    shutil.copy(DATA / "folkmangd_utan_alder.csv", tmp_path / "x.csv")
    assert scb.sniff(tmp_path / "x.csv", (tmp_path / "x.csv").read_bytes()) == "scb-csv"


def test_dash_is_zero_as_in_scb_symbols_so_bands_are_kept(empty_db, tmp_path):
    # SCB writes '-' (or '–') for zero: a small kommun's '100+ år' for men is '-'. It was
    # read as missing, so the 65+ band was left out instead of stored without the zero.
    lines = ['"Folkmängden efter region, ålder, kön och år"', "", '"region","ålder","kön","2022","2023"']
    for age in [*range(100), "100+"]:
        for sex in ("män", "kvinnor"):
            zero = age == "100+" and sex == "män"
            lines.append(f'"2021 Vansbro","{age} år","{sex}",{"-" if zero else 5},{"–" if zero else 5}')
    lines += ["", '"- = noll, .. = uppgift inte tillgänglig"']
    path = tmp_path / "BE0101N1.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _population(empty_db, "2021", 2022, "65+", "M") == 35 * 5
    assert _population(empty_db, "2021", 2023, "65+", "M") == 35 * 5
    assert _population(empty_db, "2021", 2023, "65+", "K") == 36 * 5
    assert "65+" not in report.summary()
