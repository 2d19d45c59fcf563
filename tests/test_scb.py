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


# --- fetch against a local stand-in for SCB's APIs ---------------------------------------
# The answers in tests/data/scb (README there): PxWebApi 2.0's v2_*.json are constructed from
# SCB's documentation of the API, not downloaded.

V2_PATH = "/api/v2/tables/TAB638/data"
V1_PATH = "/OV0104/v1/doris/sv/ssd/START/BE/BE0101/BE0101A/BefolkningNy"


def _v2_answer_for(regions: list[str], year: str) -> bytes:
    """The recorded API 2.0 answer for ``year`` for the kommuner asked for, one block per
    kommun as SCB answers (a kommun the recording lacks gets Upplands Väsby's figures)."""
    doc = json.loads((DATA / f"v2_tab638_{year}.json").read_bytes())
    recorded = list(doc["dimension"]["Region"]["category"]["index"])
    block = len(doc["value"]) // len(recorded)
    values, status = [], {}
    for code in regions:
        r = recorded.index(code) if code in recorded else 0
        for k in range(block):
            if str(r * block + k) in doc["status"]:
                status[str(len(values))] = doc["status"][str(r * block + k)]
            values.append(doc["value"][r * block + k])
    names = doc["dimension"]["Region"]["category"]["label"]
    doc["dimension"]["Region"]["category"] = {"index": {c: i for i, c in enumerate(regions)},
                                              "label": {c: names.get(c, c) for c in regions}}
    doc["size"][0], doc["value"], doc["status"] = len(regions), values, status
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def fake_scb(monkeypatch):
    """SCB's two APIs on one local server. ``v2`` is what API 2.0 does: "ok" answers the
    recorded file, a file name answers that problem (with ``v2_status``), "cut" answers the
    kommuner asked for and refuses more than ``max_regions`` of them as too many cells."""
    state = SimpleNamespace(requests=[], v2="ok", v2_status=404, v1_status=200, max_regions=None)

    def answer(request):
        body = json.loads(request.body)
        state.requests.append((request.method, request.path, body))
        if request.path.startswith(V2_PATH):
            chosen = {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
            if state.v2 == "cut":
                if len(chosen["Region"]) > state.max_regions:
                    return 400, (DATA / "v2_fel_for_manga_celler.json").read_bytes()
                return 200, _v2_answer_for(chosen["Region"], chosen["Tid"][0])
            if state.v2 != "ok":
                return state.v2_status, (DATA / state.v2).read_bytes()
            return 200, (DATA / f"v2_tab638_{chosen['Tid'][0]}.json").read_bytes()
        if request.path == V1_PATH:
            if state.v1_status != 200:
                return state.v1_status, b'{"error": "Not found"}'
            year = next(q for q in body["query"] if q["code"] == "Tid")["selection"]["values"][0]
            return 200, (DATA / f"api_befolkningny_{year}.json").read_bytes()
        return 404, b"{}"

    with local_api(answer) as base:
        monkeypatch.setattr(scb, "API_V2", f"{base}/api/v2")
        monkeypatch.setattr(scb, "API_V1", f"{base}{V1_PATH}")
        monkeypatch.setattr(scb, "REQUEST_PAUSE_S", 0)
        state.base = base
        yield state


def _fetch(db, save, years="2023-2024"):
    return fetch_main(SimpleNamespace(source="scb", args=[], years=years, save=save, db=str(db)))


def test_fetch_scb_asks_api_2_for_every_kommun_per_year_and_loads(empty_db, tmp_path, fake_scb, capsys):
    assert _fetch(empty_db, tmp_path / "svar") == 0
    assert [(m, p) for m, p, _ in fake_scb.requests] == [("POST", f"{V2_PATH}?lang=sv&outputFormat=json-stat2")] * 2
    first = {s["variableCode"]: s["valueCodes"] for s in fake_scb.requests[0][2]["selection"]}
    assert len(first["Region"]) == 290 and first["Kon"] == ["1", "2"] and first["Alder"] == ["*"]
    assert first["ContentsCode"] == ["BE0101N1"] and first["Tid"] == ["2023"] and "Civilstand" not in first
    assert sorted(p.name for p in (tmp_path / "svar").iterdir()) == ["scb-folkmangd-2023.json", "scb-folkmangd-2024.json"]
    # Upplands Väsby's men aged 12, 13 and 14 are 312, 313 and 314 in 2023, one more each in 2024.
    assert _population(empty_db, "0114", 2023, "12-14", "M") == 939
    assert _population(empty_db, "0114", 2024, "12-14", "M") == 942
    assert _population(empty_db, "0180", 2023, "65+", "K") == sum(5100 + a for a in range(65, 101))
    # Vansbro's men aged 100+ are '-' (zero) in API 2.0's status, the value null: the 65+ band
    # is stored without them; Stockholm's women aged 100+ are '..' in 2024, so that band is not.
    assert _population(empty_db, "2021", 2023, "65+", "M") == sum(20 + a % 7 for a in range(65, 100))
    assert _population(empty_db, "0180", 2024, "65+", "K") is None
    assert _population(empty_db, "0180", 2024, "15-17", "K") == 3 * 5101 + 15 + 16 + 17
    assert "v1" not in capsys.readouterr().err


def test_v2_zero_symbol_makes_a_band_whole(empty_db, tmp_path):
    # The same answer with Vansbro's men aged 100+ missing ('..') instead of zero: the band
    # cannot be built. So the '-' in the test above is what completes it.
    doc = json.loads((DATA / "v2_tab638_2023.json").read_bytes())
    doc["status"] = {k: (".." if v == "-" else v) for k, v in doc["status"].items()}
    path = tmp_path / "scb-folkmangd-2023.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _population(empty_db, "2021", 2023, "65+", "M") is None
    assert _population(empty_db, "2021", 2023, "65+", "K") == sum(25 + a % 7 for a in range(65, 101))


def test_fetch_scb_falls_back_to_v1_when_api_2_has_no_such_table(empty_db, tmp_path, fake_scb, capsys):
    fake_scb.v2 = "v2_fel_tabell_saknas.json"
    assert _fetch(empty_db, tmp_path / "svar") == 0
    # API 2.0 is asked once; its "Non-existent table" sends both years to v1.
    assert [p.split("?")[0] for _, p, _ in fake_scb.requests] == [V2_PATH, V1_PATH, V1_PATH]
    v1 = {q["code"]: q["selection"] for q in fake_scb.requests[1][2]["query"]}
    assert v1["Region"]["filter"] == "vs:RegionKommun07" and len(v1["Region"]["values"]) == 290
    assert v1["Tid"]["values"] == ["2023"] and fake_scb.requests[1][2]["response"]["format"] == "json-stat2"
    err = capsys.readouterr().err
    assert "SCB:s API 2.0 har inte tabellen TAB638" in err and "'Non-existent table'" in err
    assert f"det äldre API:t v1 ({fake_scb.base}{V1_PATH})" in err
    assert _population(empty_db, "0114", 2023, "12-14", "M") == 339  # v1's recorded answer
    assert _population(empty_db, "0180", 2024, "12-14", "M") == 3 * 1101 + 39


def test_fetch_scb_spaces_v1_requests_under_its_lower_rate_limit(empty_db, tmp_path, fake_scb, monkeypatch):
    # API 2.0 allows 30 requests per 10 seconds, v1 only 10: the pauses before the v1
    # requests are twice as long, or a run of ten years would be turned away half-way.
    pauses = []
    monkeypatch.setattr(scb, "time", SimpleNamespace(sleep=pauses.append))
    monkeypatch.setattr(scb, "REQUEST_PAUSE_S", 0.5)
    assert _fetch(empty_db, tmp_path / "v2") == 0
    assert pauses == [0.5]
    pauses.clear()
    fake_scb.v2 = "v2_fel_tabell_saknas.json"
    assert _fetch(empty_db, tmp_path / "v1") == 0
    assert pauses == [1.0, 1.0]  # before each year's v1 request; 10 or fewer per 10 seconds


def test_fetch_scb_names_both_apis_when_neither_has_the_table(empty_db, tmp_path, fake_scb):
    fake_scb.v2, fake_scb.v1_status = "v2_fel_tabell_saknas.json", 404
    before = digest(empty_db)
    with pytest.raises(FetchError) as error:
        _fetch(empty_db, tmp_path, years="2023")
    message = str(error.value)
    assert message.startswith("SCB:s befolkning kunde inte hämtas. Provade API 2.0 (POST "
                              f"{fake_scb.base}/api/v2/tables/TAB638/data?lang=sv&outputFormat=json-stat2 "
                              "svarade HTTP 404: 'Non-existent table') och sedan API v1 "
                              f"({fake_scb.base}{V1_PATH}): SCB:s API v1 svarade med fel (HTTP 404) för år 2023"), message
    assert "\n" not in message and "inget lästes in" in message
    assert digest(empty_db) == before


def test_fetch_scb_api_2_refusing_the_query_is_a_clear_error_without_fallback(empty_db, tmp_path, fake_scb):
    fake_scb.v2, fake_scb.v2_status = "v2_fel_varde_saknas.json", 400
    before = digest(empty_db)
    with pytest.raises(FetchError) as error:
        _fetch(empty_db, tmp_path, years="2023")
    assert str(error.value) == ("SCB:s API 2.0 svarade med fel (HTTP 400) för år 2023: 'Non-existent value' – "
                                "kontrollera urvalet och försök igen; inget lästes in.")
    assert [p.split("?")[0] for _, p, _ in fake_scb.requests] == [V2_PATH]  # v1 was not asked
    assert digest(empty_db) == before


def test_fetch_scb_splits_a_year_by_kommun_when_api_2_says_too_many_cells(empty_db, tmp_path, fake_scb):
    fake_scb.v2, fake_scb.max_regions = "cut", 100
    assert _fetch(empty_db, tmp_path / "svar", years="2023") == 0
    refused = [b for _, _, b in fake_scb.requests if len(b["selection"][0]["valueCodes"]) > 100]
    answered = [b["selection"][0]["valueCodes"] for _, _, b in fake_scb.requests
                if len(b["selection"][0]["valueCodes"]) <= 100]
    assert refused and len(answered) > 1
    asked = [code for part in answered for code in part]
    assert len(asked) == len(set(asked)) == 290  # every kommun once, none twice
    saved = sorted(p.name for p in (tmp_path / "svar").iterdir())
    assert saved == [f"scb-folkmangd-2023-del{n}.json" for n in range(1, len(answered) + 1)]
    # 0114 and 2021 are asked in different parts; both load.
    assert _population(empty_db, "0114", 2023, "12-14", "M") == 939
    assert _population(empty_db, "2021", 2023, "12-14", "K") == sum(25 + a % 7 for a in (12, 13, 14))


def test_fetch_scb_splits_a_year_that_passes_the_cell_limit_before_asking(empty_db, tmp_path, fake_scb, monkeypatch):
    monkeypatch.setattr(scb, "MAX_CELLS_V2", 150 * scb.AGES_IN_TABLE * 2)
    fake_scb.v2, fake_scb.max_regions = "cut", 150
    assert _fetch(empty_db, tmp_path / "svar", years="2023") == 0
    assert [len(b["selection"][0]["valueCodes"]) for _, _, b in fake_scb.requests] == [150, 140]
    assert _population(empty_db, "2021", 2023, "12-14", "K") == sum(25 + a % 7 for a in (12, 13, 14))


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
