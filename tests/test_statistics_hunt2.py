"""Statistics files as users download them today (the second input hunt).

Each test builds a small file in the shape a real export or API answer has (SCB's
PxWebApi 2.0, Brå's statistics database, Kolada's API) and checks what an analyst would
look at afterwards: the rows in the warehouse, or the refusal's message.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers import refused, rows

from pipelines.loading import ingest

AGE_CODES = [str(a) for a in range(100)] + ["100+"]


def _population(db: Path) -> list[tuple]:
    return rows(db, "SELECT kommun_code, year, age_band, sex, population FROM population ORDER BY ALL")


def _bands(kommun: str, year: int, per_age: int) -> list[tuple]:
    """The six bands for men and women when every single age, 100+ included, holds ``per_age``."""
    sizes = {"0-11": 12, "12-14": 3, "15-17": 3, "18-24": 7, "25-64": 40, "65+": 36}
    return sorted((kommun, year, band, sex, n * per_age) for band, n in sizes.items() for sex in ("K", "M"))


# --- SCB PxWebApi 2.0 ---------------------------------------------------------------------


def test_scb_v2_csv_with_codes_and_texts(empty_db, tmp_path):
    # api.scb.se/ov0104/v2beta/api/v2/tables/TAB638/data?outputFormat=csv
    #   &outputFormatParams=UseCodesAndTexts,IncludeTitle,SeparatorSemicolon
    # writes every value as its code and its text: '0180 Stockholm', '1 män', '12 12 år',
    # 'tot totalt ålder'. Before, every row was rejected as 'okänt kön'.
    lines = ['"Folkmängd efter region, ålder, kön, tabellinnehåll och år"',
             '"region";"ålder";"kön";"000003O5 Folkmängd 2024 2024"']
    for region in ("00 Riket", "01 Stockholms län", "0180 Stockholm"):
        for code in [*AGE_CODES, "tot"]:
            age = f"{code} totalt ålder" if code == "tot" else f"{code} {code} år"
            for sex in ("1 män", "2 kvinnor"):
                lines.append(f'"{region}";"{age}";"{sex}";10')
    path = tmp_path / "TAB638.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", 2024, 10)
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]
    assert "2 totalrader" in report.summary()


def test_scb_code_and_text_that_disagree_is_a_rejected_row(empty_db, tmp_path):
    # A code and a text naming different things is no guess of ours: '1 kvinnor'.
    lines = ["region;ålder;kön;2024"]
    for code in AGE_CODES:
        for sex in ("1 män", "1 kvinnor"):
            lines.append(f"0180 Stockholm;{code} {code} år;{sex};10")
    path = tmp_path / "TAB638.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ingest(empty_db, [path])
    assert rows(empty_db, 'SELECT count(*), min("column") FROM rejected_row') == [(101, "kön")]


def test_scb_v2_json_stat_answer_with_a_missing_cell(empty_db, tmp_path):
    # PxWebApi 2.0's default answer (JSON-stat 2.0 with role.geo, extension and a status
    # object); Stockholm's 100+ år for women is null with status '..': 65+ for women is not
    # stored, the other bands are. Pinned: this already loaded right.
    codes = [*AGE_CODES, "tot"]
    dims = {
        "Region": {"label": "region", "category": {"index": {"00": 0, "0180": 1},
                                                   "label": {"00": "Riket", "0180": "Stockholm"}}},
        "Alder": {"label": "ålder", "category": {"index": {c: i for i, c in enumerate(codes)},
                                                 "label": {c: "totalt ålder" if c == "tot" else f"{c} år" for c in codes}}},
        "Kon": {"label": "kön", "category": {"index": {"1": 0, "2": 1}, "label": {"1": "män", "2": "kvinnor"}}},
        "ContentsCode": {"label": "tabellinnehåll", "category": {"index": {"000003O5": 0},
                                                                 "label": {"000003O5": "Folkmängd"}}},
        "Tid": {"label": "år", "category": {"index": {"2024": 0}, "label": {"2024": "2024"}}},
    }
    values: list = [10] * (2 * len(codes) * 2)
    missing = len(codes) * 2 + 100 * 2 + 1  # Stockholm, 100+ år, kvinnor
    values[missing] = None
    doc = {"version": "2.0", "class": "dataset", "label": "Folkmängd efter region, ålder, kön, tabellinnehåll och år",
           "source": "SCB", "updated": "2025-02-20T07:00:00Z",
           "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
           "id": list(dims), "size": [2, len(codes), 2, 1, 1], "dimension": dims,
           "extension": {"px": {"tableid": "TAB638", "decimals": 0, "language": "sv"}},
           "value": values, "status": {str(missing): ".."}}
    path = tmp_path / "TAB638.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == [r for r in _bands("0180", 2024, 10) if r[2:4] != ("65+", "K")]


# --- Brå ----------------------------------------------------------------------------------


def test_bra_one_offence_named_above_a_table_of_kommuner_by_year(empty_db, tmp_path):
    # Brå's statistics database exporting one offence for the kommuner of a län: the
    # offence is named in a line above the table, not in a column. Before, the file was
    # 'formatet känns inte igen'.
    path = tmp_path / "anmalda_brott_kommun.csv"
    path.write_text("Anmälda brott, antal. Kommuner i Gotlands och Skåne län, 2022–2024\n"
                    "Brottstyp: Samtliga brott\n\n"
                    "Kommun;2022;2023;2024*\n"
                    "Region Gotland;4 512;4 730;4 801\n"
                    "Malmö stad;68 000;..;-\n"
                    "Burlövs kommun;2 100;2 050;1 990\n"
                    "Hässelby;1;1;1\n"
                    "\n* Preliminär statistik\n.. Uppgift saknas\n- Noll\nKälla: Brå\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert rows(empty_db, "SELECT area_code, offence_category, year, count, preliminary FROM bra_statistic "
                          "ORDER BY ALL") == [
        ("0980", "Samtliga brott", 2022, 4512, False), ("0980", "Samtliga brott", 2023, 4730, False),
        ("0980", "Samtliga brott", 2024, 4801, True),
        ("1231", "Samtliga brott", 2022, 2100, False), ("1231", "Samtliga brott", 2023, 2050, False),
        ("1231", "Samtliga brott", 2024, 1990, True),
        ("1280", "Samtliga brott", 2022, 68000, False), ("1280", "Samtliga brott", 2024, 0, True)]
    # Hässelby is a district of Stockholm, no kommun: a rejected row naming the area column.
    assert rows(empty_db, 'SELECT row_number, "column" FROM rejected_row') == [(8, "Kommun")]


# --- Kolada -------------------------------------------------------------------------------


def test_kolada_values_per_organisational_unit_are_refused_with_what_they_are(empty_db, tmp_path):
    # /v3/oudata/kpi/{id}/year/{år} (v2: /v2/oudata/…) answers per school or unit ('ou'),
    # not per kommun; before, the file was 'formatet känns inte igen'.
    doc = {"count": 1, "values": [{"kpi": "N15505", "ou": "V15E018000101", "period": 2023,
                                   "values": [{"gender": "T", "count": 1, "status": "", "value": 75.0}]}]}
    path = tmp_path / "kolada_oudata.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    message = refused(empty_db, path)
    assert "kolada_oudata.json" in message and "organisatorisk enhet" in message
    assert "/v3/data/kpi/" in message
