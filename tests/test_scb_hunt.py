"""SCB population files that hold something besides Folkmängd (the SCB input hunt).

Each test writes a small table for Stockholm (0180) in the shape PxWeb gives it, with 10
people of each single age and sex in 2023 and, where a second content is ticked,
Folkökning 1, and checks what an analyst would look at afterwards: the population rows,
the rejected rows, the load report or the refusal's message.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import refused, rejected_rows, rows

from pipelines.loading import ingest

AGES = [*(f"{a} år" for a in range(100)), "100+ år"]
SEXES = ("män", "kvinnor")
TITLE = '"Folkmängd efter region, ålder, kön, tabellinnehåll och år"'


def _population(db: Path) -> list[tuple]:
    return rows(db, "SELECT kommun_code, year, age_band, sex, population FROM population ORDER BY ALL")


def _bands(per_age: int) -> list[tuple]:
    """Stockholm's six bands in 2023 for men and women when every single age holds ``per_age``."""
    sizes = {"0-11": 12, "12-14": 3, "15-17": 3, "18-24": 7, "25-64": 40, "65+": 36}
    return sorted(("0180", 2023, band, sex, n * per_age) for band, n in sizes.items() for sex in ("K", "M"))


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


# --- 1. two contents ticked: only Folkmängd is read ------------------------------------------


def _wide(path: Path) -> Path:
    lines = [TITLE, "", '"region","ålder","kön","Folkmängd 2023","Folkökning 2023"']
    lines += [f'"0180 Stockholm","{a}","{s}",10,1' for a in AGES for s in SEXES]
    return _write(path.with_suffix(".csv"), lines)


def _long(path: Path) -> Path:
    lines = [TITLE, "", '"region";"ålder";"kön";"tabellinnehåll";"år";"värde"']
    for a in AGES:
        for s in SEXES:
            lines += [f'"0180 Stockholm";"{a}";"{s}";"Folkmängd";"2023";10',
                      f'"0180 Stockholm";"{a}";"{s}";"Folkökning";"2023";1']
    return _write(path.with_suffix(".csv"), lines)


def _v2_rows(path: Path) -> Path:
    # PxWebApi 2.0's CSV with every variable in the rows, codes only.
    lines = ['"Region","Alder","Kon","ContentsCode","Tid","TAB638"']
    for a in [*map(str, range(100)), "100+"]:
        for s in ("1", "2"):
            lines += [f'"0180","{a}","{s}","BE0101N1","2023",10', f'"0180","{a}","{s}","BE0101N2","2023",1']
    return _write(path.with_suffix(".csv"), lines)


def _px(path: Path) -> Path:
    # PxWeb's "PX-fil" with both contents: CONTVARIABLE in HEADING, Folkmängd first.
    ages = ",".join(f'"{a}"' for a in AGES)
    text = ('CHARSET="ANSI";\nAXIS-VERSION="2013";\nLANGUAGE="sv";\nMATRIX="BE0101N1";\n'
            'TITLE="Folkmängden efter region, ålder, kön, tabellinnehåll och år";\nCONTENTS="Folkmängden";\n'
            'STUB="region","ålder","kön";\nHEADING="tabellinnehåll","år";\nCONTVARIABLE="tabellinnehåll";\n'
            'VALUES("tabellinnehåll")="Folkmängd","Folkökning";\nVALUES("region")="0180 Stockholm";\n'
            f'VALUES("ålder")={ages};\nVALUES("kön")="män","kvinnor";\nVALUES("år")="2023";\n'
            "DATA=\n" + "\n".join("10 1" for _ in AGES for _ in SEXES) + "\n;\n")
    path = path.with_suffix(".px")
    path.write_bytes(text.encode("cp1252"))
    return path


@pytest.mark.parametrize("build", [_wide, _long, _v2_rows, _px])
def test_two_contents_load_folkmangd_only_and_say_so(empty_db, tmp_path, build):
    # Before: the wide layouts (CSV and PX) stored Folkökning (1) as the population, the
    # long ones added the two (11), and the report said nothing of it.
    path = build(tmp_path / "folkmangd_och_folkokning")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands(10)
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]
    summary = report.summary()
    assert "lästes inte in" in summary and ("Folkökning" in summary or "BE0101N2" in summary), summary


def test_contents_none_of_which_is_folkmangd_are_refused(empty_db, tmp_path):
    lines = ['"Befolkningsförändringar efter region, ålder, kön och år"', "",
             '"region","ålder","kön","Folkökning 2023","Döda 2023"']
    lines += [f'"0180 Stockholm","{a}","{s}",1,2' for a in AGES for s in SEXES]
    path = _write(tmp_path / "forandringar.csv", lines)
    message = refused(empty_db, path)
    assert message.startswith("forandringar.csv: rad 3, kolumn 'Folkökning 2023': "), message
    assert "'Folkökning' och 'Döda'" in message and "Välj tabellinnehållet Folkmängd" in message


# --- 2. another measure alone is refused when the file says what it is ------------------------


def _jsonstat(path: Path) -> Path:
    # The API's json-stat2 for ContentsCode BE0101N2 only (Folkökning); the table's label
    # still says Folkmängd, as BefolkningNy's does.
    codes = [*map(str, range(100)), "100+"]
    doc = {"version": "2.0", "class": "dataset", "label": "Folkmängd efter region, ålder, kön, tabellinnehåll och år",
           "id": ["Region", "Alder", "Kon", "ContentsCode", "Tid"], "size": [1, len(codes), 2, 1, 1],
           "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
           "dimension": {
               "Region": {"label": "region", "category": {"index": {"0180": 0}, "label": {"0180": "Stockholm"}}},
               "Alder": {"label": "ålder", "category": {"index": {c: i for i, c in enumerate(codes)}}},
               "Kon": {"label": "kön", "category": {"index": {"1": 0, "2": 1}, "label": {"1": "män", "2": "kvinnor"}}},
               "ContentsCode": {"label": "tabellinnehåll", "category": {"index": {"BE0101N2": 0},
                                                                        "label": {"BE0101N2": "Folkökning"}}},
               "Tid": {"label": "år", "category": {"index": {"2023": 0}}}},
           "value": [1] * (len(codes) * 2)}
    path = path.with_suffix(".json")
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _pxweb_json(path: Path) -> Path:
    # The v1 API's plain json for Folkökning: its content column is BE0101N2.
    doc = {"columns": [{"code": "Region", "text": "region", "type": "d"}, {"code": "Alder", "text": "ålder", "type": "d"},
                       {"code": "Kon", "text": "kön", "type": "d"}, {"code": "Tid", "text": "år", "type": "t"},
                       {"code": "BE0101N2", "text": "Folkökning", "type": "c"}],
           "data": [{"key": ["0180", a, s, "2023"], "values": ["1"]} for a in [*map(str, range(100)), "100+"]
                    for s in ("1", "2")],
           "metadata": []}
    path = path.with_suffix(".json")
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _titled_csv(path: Path) -> Path:
    lines = ['"Döda efter region, ålder, kön och år"', "", '"region","ålder","kön","2023"']
    lines += [f'"0180 Stockholm","{a}","{s}",1' for a in AGES for s in SEXES]
    return _write(path.with_suffix(".csv"), lines)


def _named_value_column(path: Path) -> Path:
    # PxWeb 2's all-in-rows CSV names its value column after the content when there is one.
    lines = ['"Region";"Alder";"Kon";"Tid";"Folkökning"']
    lines += [f'"0180";"{a}";"{s}";"2023";1' for a in [*map(str, range(100)), "100+"] for s in ("1", "2")]
    return _write(path.with_suffix(".csv"), lines)


@pytest.mark.parametrize(("build", "where", "said"), [
    (_jsonstat, "kolumn 'ContentsCode'", "'Folkökning (BE0101N2)', inte folkmängd"),
    (_pxweb_json, "kolumn 'BE0101N2'", "'Folkökning (BE0101N2)', inte folkmängd"),
    (_titled_csv, "rad 1", "tabellen är 'Döda efter region, ålder, kön och år', inte folkmängd"),
    (_named_value_column, "rad 1, kolumn 'Folkökning'", "'Folkökning', inte folkmängd"),
], ids=["json-stat", "pxweb-json", "title", "value-column"])
def test_another_measure_is_refused_not_loaded_as_population(empty_db, tmp_path, build, where, said):
    # Before: each loaded Stockholm's 12 bands of growth or deaths as its population.
    path = build(tmp_path / "tabell")
    message = refused(empty_db, path)
    assert message.startswith(f"{path.name}: {where}: "), message
    assert said in message and "Folkmängd" in message


def test_a_bare_table_that_says_nothing_of_its_measure_is_read_as_before(empty_db, tmp_path):
    lines = ['"region","ålder","kön","2023"'] + [f'"0180 Stockholm","{a}","{s}",10' for a in AGES for s in SEXES]
    [report] = ingest(empty_db, [_write(tmp_path / "utan_rubrik.csv", lines)])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands(10)


# --- 3. a row pasted twice ----------------------------------------------------------------------


def _table_with_row_again(path: Path, again: str) -> Path:
    lines = ['"region";"ålder";"kön";"2023"'] + [f'"0180 Stockholm";"{a}";"{s}";10' for a in AGES for s in SEXES]
    lines.append(f'"0180 Stockholm";"13 år";"män";{again}')  # row 204; the first 13 år, män is row 28
    return _write(path, lines)


def test_a_row_again_with_another_value_rejects_both_rows(empty_db, tmp_path):
    # Before: the pasted value (1) won silently: 12-14 för män became 21, and the report
    # said only "1 värden förekom två gånger; det sista gäller".
    [report] = ingest(empty_db, [_table_with_row_again(tmp_path / "folkmangd.csv", "1")])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == [r for r in _bands(10) if r[2:4] != ("12-14", "M")]
    assert rejected_rows(empty_db) == [
        (28, "2023", "samma kommun, år, kön och ålder som rad 204 men ett annat värde; ingen av dem lästes in"),
        (204, "2023", "samma kommun, år, kön och ålder som rad 28 men ett annat värde; ingen av dem lästes in"),
    ]
    assert "olika värden (rad 28 och 204)" in report.summary() and "12-14" in report.summary()


def test_a_row_again_with_the_same_value_is_read_once(empty_db, tmp_path):
    [report] = ingest(empty_db, [_table_with_row_again(tmp_path / "folkmangd.csv", "10")])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands(10)
    assert rejected_rows(empty_db) == []
    assert "1 värde stod två gånger med samma värde (samma kommun, år, kön och ålder) och lästes en gång." \
        in report.lines


# --- second hunt: English labels ---------------------------------------------------------------


def test_english_population_growth_or_density_is_not_the_population(empty_db, tmp_path):
    # "Population growth" and "Population density" held the word and counted as the
    # population: English downloads of Folkökning were stored as people.
    for label in ("Population growth", "Population density"):
        lines = ['"region","age","sex",' + f'"{label} 2023"']
        lines += [f'"0180 Stockholm","{a.replace(" år", " years")}","{"men" if s == "män" else "women"}",1'
                  for a in AGES for s in SEXES]
        message = refused(empty_db, _write(tmp_path / f"{label}.csv", lines))
        assert f"'{label}', inte folkmängd" in message
    assert _population(empty_db) == []


def test_english_observations_column_reads_the_population_only(empty_db, tmp_path):
    # SCB's English PxWeb calls the contents "observations": it was an extra column, and
    # Population and Population growth were added together.
    lines = ['"region","age","sex","observations","year","value"']
    for a in AGES:
        for s in SEXES:
            sex, age = ("men" if s == "män" else "women"), a.replace(" år", " years")
            lines += [f'"0180 Stockholm","{age}","{sex}","Population","2023",10',
                      f'"0180 Stockholm","{age}","{sex}","Population growth","2023",1']
    [report] = ingest(empty_db, [_write(tmp_path / "en.csv", lines)])
    assert report.status == "ok", report.lines
    assert _population(empty_db) == _bands(10)
