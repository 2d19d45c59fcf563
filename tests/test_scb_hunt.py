"""SCB population files that hold something besides Folkmängd (the SCB input hunt).

Each test writes a small table for Stockholm (0180) in the shape PxWeb gives it, with 10
people of each single age and sex in 2023 and, where a second content is ticked,
Folkökning 1, and checks what an analyst would look at afterwards: the population rows,
the rejected rows, the load report or the refusal's message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import refused, rows

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
