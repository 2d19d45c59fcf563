"""Kolada: API v3 JSON values, KPI titles, skipped non-kommuner, and ``fetch kolada``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import digest, local_api, refused
from helpers import rows as _query

from pipelines import readers
from pipelines.fetch import FetchError
from pipelines.fetch import main as fetch_main
from pipelines.loading import ingest
from pipelines.readers import kolada

DATA = Path(__file__).parent / "data" / "kolada"


def test_values_land_per_kommun_year_and_gender(empty_db):
    path = DATA / "data_kpi_year.json"
    assert readers.choose(path).fmt == "kolada-json"
    started = datetime.now().replace(microsecond=0)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    rows = _query(empty_db, "SELECT kpi_id, kommun_code, year, gender, value, preliminary FROM kolada_value "
                            "ORDER BY kpi_id, kommun_code, year, gender")
    assert rows == [
        ("N07403", "0114", 2022, "T", 1050.3, False),
        ("N07403", "0114", 2023, "T", 1012.9, False),
        ("N07403", "0180", 2022, "T", 1611.0, False),
        ("N07403", "0180", 2023, "T", 1587.4, False),
        ("N07403", "1280", 2023, "T", None, False),
        ("N07403", "1280", 2024, "T", 1700.5, True),
        ("U07414", "0180", 2023, "K", 55.0, False),
        ("U07414", "0180", 2023, "M", 49.3, False),
        ("U07414", "0180", 2023, "T", 52.1, False),
    ]
    # Riket (0000), Region Stockholm (0001) and a kommungrupp are skipped, not errors.
    assert "riket (1), regioner (1) och kommungrupper (1)" in report.summary()
    assert _query(empty_db, 'SELECT row_number, "column" FROM rejected_row') == [(11, "municipality")]
    [(retrieved, source, status)] = _query(
        empty_db, "SELECT DISTINCT retrieved_at, source, status FROM kolada_value WHERE kommun_code = '1280' AND year = 2023")
    assert source == "Kolada" and status == "Saknas"
    assert started - timedelta(seconds=1) <= retrieved <= datetime.now() + timedelta(seconds=1)
    assert "Titel saknas" in report.summary()


@pytest.mark.parametrize(
    ("name", "expected"),
    [("municipality_meta.json", "metadata"), ("fel_form.json", "rad 2, kolumn 'period'")],
)
def test_wrong_shape_is_refused_clearly_and_changes_nothing(empty_db, name, expected):
    message = refused(empty_db, DATA / name)
    assert message.startswith(name) and expected in message


@pytest.mark.parametrize("text", ['{"count": 0, "values": []}', '{"values": [], "count": 0, "next_url": null}'])
def test_an_answer_without_values_says_so(empty_db, tmp_path, text):
    # Kolada answers a KPI without data for the asked years with an empty list, and a user
    # saving that answer should hear that it is empty, not that its format is unknown.
    f = tmp_path / "kolada.json"
    f.write_text(text, encoding="utf-8")
    message = refused(empty_db, f)
    assert message.startswith("kolada.json: ") and "inga värden" in message


def test_personnummer_anywhere_rejects_the_file(empty_db, tmp_path):
    doc = json.loads((DATA / "data_kpi_year.json").read_text(encoding="utf-8"))
    doc["values"][3]["values"][0]["status"] = "granskad av 811218-9876"
    path = tmp_path / "kolada.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    message = refused(empty_db, path)
    assert "personnummer" in message
    assert "values[3]" in message and "9876" not in message


# --- fetch against a local stand-in for Kolada's API ------------------------------------


@pytest.fixture
def fake_kolada(monkeypatch):
    state = SimpleNamespace(paths=[], fail=False)

    def answer(request):
        state.paths.append(request.path)
        if state.fail:
            return 503, b""
        if request.path.startswith("/v3/kpi/"):
            body = (DATA / "api_kpi.json").read_text(encoding="utf-8")
        elif request.path.startswith("/v3/data/kpi/"):
            body = (DATA / "api_data_page1.json").read_text(encoding="utf-8").replace("NEXT", f"{request.base}/v3/page2")
        elif request.path == "/v3/page2":
            body = (DATA / "api_data_page2.json").read_text(encoding="utf-8").replace("PREV", f"{request.base}/v3/page1")
        else:
            return 404, b""
        return 200, body.encode("utf-8")

    with local_api(answer) as base:
        monkeypatch.setattr(kolada, "API", f"{base}/v3")
        yield state


def test_fetch_follows_pages_and_records_titles_and_retrieval_time(empty_db, tmp_path, fake_kolada):
    args = SimpleNamespace(source="kolada", args=["N07403", "N07402"], years="2018-2024",
                           save=tmp_path / "svar", db=str(empty_db))
    assert fetch_main(args) == 0
    assert fake_kolada.paths == [
        "/v3/kpi/N07403,N07402",
        "/v3/data/kpi/N07403,N07402/year/2018,2019,2020,2021,2022,2023,2024",
        "/v3/page2",
    ]
    [saved] = list((tmp_path / "svar").iterdir())
    stamped = datetime.fromisoformat(json.loads(saved.read_text(encoding="utf-8"))["retrieved_at"])
    rows = _query(empty_db, "SELECT kpi_id, kpi_title, kommun_code, gender, value, retrieved_at FROM kolada_value "
                            "ORDER BY kpi_id, kommun_code, gender")
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [
        ("N07402", "0180", "K", 12000.0), ("N07402", "0180", "M", 14003.0), ("N07402", "0180", "T", 13001.5),
        ("N07403", "0114", "T", 1050.3), ("N07403", "0180", "T", 1611.0),
    ]
    assert {r[1] for r in rows} == {"Anmälda brott totalt, antal/100 000 inv", "Anmälda våldsbrott, antal/100 000 inv"}
    assert {r[5] for r in rows} == {stamped}


def test_fetch_errors_are_clear(empty_db, tmp_path, fake_kolada):
    before = digest(empty_db)
    with pytest.raises(FetchError, match="nyckeltal"):
        fetch_main(SimpleNamespace(source="kolada", args=[], years=None, save=tmp_path, db=str(empty_db)))
    fake_kolada.fail = True
    with pytest.raises(FetchError, match="503"):
        fetch_main(SimpleNamespace(source="kolada", args=["N07403"], years="2023", save=tmp_path, db=str(empty_db)))
    assert digest(empty_db) == before


def test_a_municipality_id_that_is_neither_kommun_nor_group_is_not_skipped_silently(empty_db, tmp_path):
    # Only 'G…' ids are kommungrupper. A kommun code whose leading zero was lost (114, as a
    # tool that makes numbers of the ids writes it) is the kommun; any other id is a rejected
    # row. Both were counted as kommungrupper and skipped.
    doc = {"values": [
        {"kpi": "N07403", "municipality": 114, "period": 2023, "values": [{"gender": "T", "value": 1.5}]},
        {"kpi": "N07403", "municipality": "Upplands Väsby", "period": 2023, "values": [{"gender": "T", "value": 2}]},
        {"kpi": "N07403", "municipality": "G33", "period": 2023, "values": [{"gender": "T", "value": 3}]},
    ]}
    path = tmp_path / "kolada.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _query(empty_db, "SELECT kommun_code, value FROM kolada_value") == [("0114", 1.5)]
    assert _query(empty_db, 'SELECT row_number, "column" FROM rejected_row') == [(2, "municipality")]
    assert "kommungrupper (1)" in report.summary()


def test_a_saved_page_with_more_pages_after_it_says_so(empty_db, tmp_path):
    # An answer saved from the browser is one page; its next_url says more pages exist.
    # The load gave no sign that the file holds only part of the answer.
    doc = {"count": 5000, "values": [
        {"kpi": "N07403", "municipality": "0180", "period": "2023", "values": [{"gender": "T", "value": 1.5}]}],
        "next_url": "https://api.kolada.se/v3/data/kpi/N07403/year/2023?page=2&per_page=1"}
    path = tmp_path / "kolada.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _query(empty_db, "SELECT count(*) FROM kolada_value") == [(1,)]
    assert "fler sidor" in report.summary() and "fetch kolada" in report.summary()


def test_a_value_written_as_true_is_a_rejected_row_not_a_crash(empty_db, tmp_path):
    # JSON's true is a Python int: it reached the insert as a number and aborted the whole
    # command, other files with it, with "TransactionException" and no file named.
    entry = {"kpi": "N07403", "municipality": "0180", "period": 2023,
             "values": [{"gender": "T", "count": 1, "status": "", "value": True},
                        {"gender": "K", "count": 1, "status": "", "value": 1500.5}]}
    path = tmp_path / "kolada.json"
    path.write_text(json.dumps({"count": 1, "values": [entry]}), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _query(empty_db, "SELECT gender, value FROM kolada_value") == [("K", 1500.5)]
    assert _query(empty_db, 'SELECT "column", reason FROM rejected_row') == [("value", "värdet är inte ett tal")]


def _kolada_web_csv(folder: Path) -> Path:
    # "Fri sökning" on kolada.se, downloaded as CSV: kommun names, kön, one column per year.
    path = folder / "kolada_fri_sokning.csv"
    path.write_text('"Kommun";"Kön";"2021";"2022";"2023"\n'
                    '"Stockholm";"Totalt";"1 598,2";"1 611,0";"1 587,4"\n'
                    '"Malmö";"Kvinnor";"1 500,1";"1 490,0";"-"\n', encoding="utf-8-sig")
    return path


def _kolada_web_xlsx(folder: Path) -> Path:
    # A KPI's table on kolada.se, downloaded as Excel: the KPI in the title, kommuner by year.
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Kolada"
    ws.append(["Anmälda brott om våld mot person, antal/100 000 inv (N07403)"])
    ws.append([])
    ws.append(["Kommun", "2022", "2023"])
    ws.append(["Stockholm", 1611.0, 1587.4])
    path = folder / "kolada_N07403.xlsx"
    wb.save(path)
    return path


def test_an_export_from_kolada_se_without_its_kpi_id_points_to_fetch_kolada(empty_db, tmp_path):
    # Before: the CSV was taken for an SCB table (it has 'Kön') and refused with SCB's
    # advice: "kolumnen 'ålder' saknas. Välj ålder i SCB:s tabell …". An export whose title
    # names its KPI is read (tests/test_reader_hunt24.py).
    path = _kolada_web_csv(tmp_path)
    message = refused(empty_db, path)
    assert message.startswith(path.name + ": formatet känns inte igen (filen ser ut som en export från kolada.se")
    assert "python -m pipelines fetch kolada" in message and "JSON" in message
    assert "nyckeltalets id" in message
    assert "ålder" not in message and "SCB" not in message


def test_a_fetched_file_with_long_kpi_descriptions_is_recognised(empty_db, tmp_path):
    # fetch kolada writes the KPIs' metadata (with their descriptions) before the values;
    # for many KPIs that is more than the 64 KB every sniff is shown. Before: 'formatet
    # känns inte igen'.
    meta = [{"id": f"N{7400 + i:05d}", "title": f"Nyckeltal {i}", "description": "En lång beskrivning. " * 80}
            for i in range(50)]
    doc = {"source": "https://api.kolada.se/v3/data/kpi/N07403/year/2023", "retrieved_at": "2025-03-14T10:00:00",
           "kpi": meta, "count": 1,
           "values": [{"kpi": "N07403", "municipality": "0180", "period": 2023, "values": [{"gender": "T", "value": 1587.4}]}]}
    path = tmp_path / "kolada-N07403-2023-2023.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    assert path.read_bytes().index(b'"values"') > 65536
    assert readers.choose(path).fmt == "kolada-json"
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _query(empty_db, "SELECT kpi_id, kpi_title, kommun_code, year, value FROM kolada_value") == [
        ("N07403", "Nyckeltal 3", "0180", 2023, 1587.4)]


def test_a_code_and_a_value_that_went_through_a_spreadsheet_are_read(empty_db, tmp_path):
    # "municipality": 180.0 and "value": "1 587,4" (statistics hunt): both were rejected.
    entry = {"kpi": "N07403", "municipality": 180.0, "period": 2023,
             "values": [{"gender": "T", "count": 1, "status": "", "value": "1 587,4"}]}
    path = tmp_path / "kolada.json"
    path.write_text(json.dumps({"count": 1, "values": [entry]}), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _query(empty_db, "SELECT kommun_code, value FROM kolada_value") == [("0180", 1587.4)]


def test_the_same_value_twice_is_read_once_and_two_values_are_rejected(empty_db, tmp_path):
    # Second statistics hunt: 1234.5 then 999.0 for the same kommun, year and gender kept
    # the last one ("det sista gäller"), as SCB's and Brå's readers no longer do.
    def entry(muni, value):
        return {"kpi": "N07403", "municipality": muni, "period": 2023,
                "values": [{"gender": "T", "count": 1, "status": "", "value": value}]}

    path = tmp_path / "kolada.json"
    path.write_text(json.dumps({"count": 4, "values": [entry("0180", 1234.5), entry("0180", 999.0),
                                                       entry("1280", 800.0), entry("1280", 800.0)]}), "utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _query(empty_db, "SELECT kommun_code, value FROM kolada_value") == [("1280", 800.0)]
    assert _query(empty_db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY 1') == [
        (1, "value", "samma nyckeltal, kommun, år och kön som post 2 men ett annat värde; ingen av dem lästes in"),
        (2, "value", "samma nyckeltal, kommun, år och kön som post 1 men ett annat värde; ingen av dem lästes in")]
    assert "1 värde stod två gånger med samma värde (samma nyckeltal, kommun, år och kön) och lästes en gång." \
        in report.lines


def test_a_value_written_with_a_percent_sign_or_thousands_spaces_is_read(empty_db, tmp_path):
    # kolada.se shows a share as '23,5 %' (a no-break or narrow no-break space before the
    # sign), and a copy edited by hand keeps it, or writes '23.5%'. They were rejected as
    # 'värdet är inte ett tal'; what is not one number still is, naming its entry and column.
    written = {"0114": "23,5\u00a0%", "0180": "23.5%", "1280": "1\u202f234,5", "1480": "1\u00a0234",
               "0380": "\u22124,5\u202f%", "0580": "23,5 % 24", "0680": "ca 20 %", "0880": "%"}
    entries = [{"kpi": "N07403", "municipality": muni, "period": 2023,
                "values": [{"gender": "T", "count": 1, "status": "", "value": value}]}
               for muni, value in written.items()]
    path = tmp_path / "kolada.json"
    path.write_text(json.dumps({"count": len(entries), "values": entries}, ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _query(empty_db, "SELECT kommun_code, value FROM kolada_value ORDER BY kommun_code") == [
        ("0114", 23.5), ("0180", 23.5), ("0380", -4.5), ("1280", 1234.5), ("1480", 1234.0)]
    assert _query(empty_db, 'SELECT row_number, "column", reason FROM rejected_row ORDER BY row_number') == [
        (6, "value", "värdet ('23,5 % 24') är inte ett tal"), (7, "value", "värdet ('ca 20 %') är inte ett tal"),
        (8, "value", "värdet ('%') är inte ett tal")]


def test_a_municipality_written_with_its_name_is_the_kommun_when_they_agree(empty_db, tmp_path):
    # SCB and Brå read '0180 Stockholm'; a Kolada answer edited by hand (or put together
    # from a table) was rejected as 'okänd kommunkod'. A code and a name of two kommuner
    # is still rejected, naming both; riket with its name is skipped as riket.
    def entry(muni, value):
        return {"kpi": "N07403", "municipality": muni, "period": 2023, "values": [{"gender": "T", "value": value}]}

    path = tmp_path / "kolada.json"
    path.write_text(json.dumps({"count": 4, "values": [entry("0180 Stockholm", 1.5), entry("1280 - Malmö", 2.5),
                                                       entry("0180 Malmö", 3.5), entry("0000 Riket", 4.5)]},
                               ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.lines
    assert _query(empty_db, "SELECT kommun_code, value FROM kolada_value ORDER BY 1") == [("0180", 1.5), ("1280", 2.5)]
    assert _query(empty_db, 'SELECT row_number, "column", reason FROM rejected_row') == [
        (3, "municipality", "koden 0180 är Stockholm, men namnet är Malmö")]
    assert "riket (1)" in report.summary()


def test_an_export_from_kolada_se_naming_its_kpi_is_read(empty_db, tmp_path):
    # The KPI's table downloaded as Excel names the KPI in its title: it was refused as
    # "en export från kolada.se, som inte läses in".
    path = _kolada_web_xlsx(tmp_path)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert report.source_format == "kolada-table"
    assert _query(empty_db, "SELECT kpi_id, kpi_title, kommun_code, year, gender, value FROM kolada_value "
                            "ORDER BY year") == [
        ("N07403", "Anmälda brott om våld mot person, antal/100 000 inv", "0180", 2022, "T", 1611.0),
        ("N07403", "Anmälda brott om våld mot person, antal/100 000 inv", "0180", 2023, "T", 1587.4)]


def test_a_kolada_se_table_of_shares_with_percent_signs_and_kön(empty_db, tmp_path):
    # A share as kolada.se shows it ('23,5 %', a no-break space before the sign), the kommun
    # written once over its kön rows, riket and a län beside the kommuner, a cell with no
    # value ('-') and one that is no number.
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Andel elever i åk 9 som är behöriga till yrkesprogram, kommunala skolor, % (N15428)"])
    ws.append([])
    ws.append(["Kommun", "Kön", "2022", "2023"])
    ws.append(["Riket", "Totalt", "85,0 %", "85,5 %"])
    ws.append(["Stockholm", "Totalt", "23,5\u00a0%", "24.1%"])
    ws.append([None, "Kvinnor", "25,0 %", "-"])
    ws.append(["Malmö", "Totalt", 12.5, "ca 13"])
    ws.append(["Stockholms län", "Totalt", "1", "2"])
    ws.append([])
    ws.append(["Källa: Kolada"])
    path = tmp_path / "kolada.xlsx"
    wb.save(path)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _query(empty_db, "SELECT kommun_code, year, gender, value FROM kolada_value ORDER BY 1, 2, 3") == [
        ("0180", 2022, "K", 25.0), ("0180", 2022, "T", 23.5), ("0180", 2023, "T", 24.1), ("1280", 2022, "T", 12.5)]
    assert _query(empty_db, 'SELECT row_number, "column", reason FROM rejected_row') == [
        (7, "2023", "värdet ('ca 13') är inte ett tal")]
    summary = report.summary()
    assert "Hoppade över riket (1) och län, regioner eller kommungrupper (1)" in summary
    assert "1 cell saknade värde" in summary


def test_a_kolada_se_table_with_a_personnummer_on_another_sheet_is_refused(empty_db, tmp_path):
    import openpyxl

    path = _kolada_web_xlsx(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Anteckningar").append(["Uttaget för 19850312-4540"])
    wb.save(path)
    message = refused(empty_db, path)
    assert "personnummer" in message and "19850312" not in message
