"""The statistics readers' one rule for a key given twice (pipelines.readers.keyed), the
same for SCB, Brå and Kolada: an equal value is read once and counted; different values
reject every row of the key, each naming the others, and nothing of the key is stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import rejected_rows, rows

from pipelines.loading import ingest
from pipelines.readers.keyed import OneValuePerKey
from pipelines.readers.text import swedish_list


@dataclass
class Case:
    name: str
    what: str  # the key, as the messages name it
    place: str  # 'rad' or 'post'
    rows: tuple[int, int]  # where Malmö's two values stand
    column: str
    stored: str  # SQL: the areas stored for the repeated key


def _scb(path: Path) -> Path:
    # Every single age for both kommuner (a band needs all its ages), then 13 år, män again:
    # Stockholm's with the same value, Malmö's with another.
    lines = ["region;ålder;kön;år;Folkmängd"]
    lines += [f"{k};{a} år;{s};2023;10" for k in ("0180 Stockholm", "1280 Malmö") for a in range(101) for s in (1, 2)]
    lines += ["0180 Stockholm;13 år;1;2023;10", "1280 Malmö;13 år;1;2023;11"]
    path = path / "folkmangd.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _bra(path: Path) -> Path:
    path = path / "anmalda_brott.csv"
    path.write_text("Område;Brottstyp;År;Antal\nStockholm;Rån;2023;500\nMalmö;Rån;2023;300\n"
                    "Stockholm;Rån;2023;500\nMalmö;Rån;2023;310\n", encoding="utf-8")
    return path


def _kolada(path: Path) -> Path:
    def entry(muni: str, value: float) -> dict:
        return {"kpi": "N07403", "municipality": muni, "period": 2023,
                "values": [{"gender": "T", "count": 1, "status": "", "value": value}]}

    path = path / "kolada.json"
    path.write_text(json.dumps({"count": 4, "values": [entry("0180", 500.0), entry("1280", 300.0),
                                                       entry("0180", 500.0), entry("1280", 310.0)]}), "utf-8")
    return path


CASES = {
    "scb": (_scb, Case("SCB", "kommun, år, kön och ålder", "rad", (2 + 202 + 26, 407), "Folkmängd",
                       "SELECT kommun_code FROM population WHERE age_band = '12-14' AND sex = 'M'")),
    "bra": (_bra, Case("Brå", "område, brott och år", "rad", (3, 5), "Antal",
                       "SELECT area_code FROM bra_statistic")),
    "kolada": (_kolada, Case("Kolada", "nyckeltal, kommun, år och kön", "post", (2, 4), "value",
                             "SELECT kommun_code FROM kolada_value")),
}


@pytest.mark.parametrize("source", CASES)
def test_a_key_twice_is_read_once_or_not_at_all_by_every_statistics_reader(empty_db, tmp_path, source):
    write, case = CASES[source]
    [report] = ingest(empty_db, [write(tmp_path)])
    assert report.status == "ok", report.summary()
    # Stockholm's repeat is stored once; Malmö's key, given 300 and 310, not at all.
    assert rows(empty_db, case.stored) == [("0180",)]
    first, second = case.rows
    assert rejected_rows(empty_db) == [
        (first, case.column, f"samma {case.what} som {case.place} {second} men ett annat värde; ingen av dem lästes in"),
        (second, case.column, f"samma {case.what} som {case.place} {first} men ett annat värde; ingen av dem lästes in")]
    plural = {"rad": "raderna", "post": "posterna"}[case.place]
    assert f"1 värde stod två gånger med samma värde (samma {case.what}) och lästes en gång." in report.lines
    assert (f"Samma {case.what} stod två gånger med olika värden ({case.place} {first} och {second}); ingen av dem "
            f"lästes in (2 värden). Rätta {plural} och läs in filen igen.") in report.lines


def test_a_key_three_times_names_the_other_two_rows_and_a_repeat_before_it_is_not_counted():
    keyed = OneValuePerKey("område, brott och år")
    keyed.add("Malmö", 300, 3, "Antal")
    keyed.add("Malmö", 300, 5, "Antal")
    keyed.add("Malmö", 310, 8, "Antal")
    assert keyed.values == {} and keyed.repeated == 0
    assert [(r.row_number, r.reason) for r in keyed.rejections()] == [
        (3, "samma område, brott och år som rad 5 och 8 men ett annat värde; ingen av dem lästes in"),
        (5, "samma område, brott och år som rad 3 och 8 men ett annat värde; ingen av dem lästes in"),
        (8, "samma område, brott och år som rad 3 och 5 men ett annat värde; ingen av dem lästes in")]
    assert keyed.lines() == ["Samma område, brott och år stod två gånger med olika värden (rad 3, 5 och 8); ingen av "
                             "dem lästes in (3 värden). Rätta raderna och läs in filen igen."]


def test_many_keys_given_twice_name_the_first_ten_rows_and_count_the_rest():
    # A file put together from two exports, one of them edited: the report line names
    # the first ten rows, as the other readers' report lines do, and says how many more.
    keyed = OneValuePerKey("nyckeltal, kommun, år och kön", place="post")
    for key in range(8):
        keyed.add(key, 1, 2 + key, "value")
        keyed.add(key, 2, 20 + key, "value")
    [line] = keyed.lines()
    assert line == ("Samma nyckeltal, kommun, år och kön stod två gånger med olika värden (post 2, 3, 4, 5, 6, 7, 8, "
                    "9, 20, 21 och 6 poster till); ingen av dem lästes in (16 värden). Rätta posterna och läs in "
                    "filen igen.")


@pytest.mark.parametrize(("items", "said"), [
    ([4], "4"),
    ([4, 5], "4 och 5"),
    ([4, 5, 9], "4, 5 och 9"),
    (list(range(1, 12)), "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 och 11"),  # one over: named, not counted
    (list(range(1, 13)), "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 och 2 rader till"),
])
def test_the_load_reports_one_way_to_list_rows(items, said):
    assert swedish_list(items, 10, "rader") == said
