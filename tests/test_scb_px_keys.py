"""SCB population as a PX file with KEYS: each DATA row starts with its keys, and rows of
zeros are left out (the PX file format, "Files with KEYS").

Each test writes the PX text itself and checks what an analyst would look at afterwards:
the population rows, the rejected rows, or the refusal's message.
"""

from __future__ import annotations

from pathlib import Path

from helpers import refused, rows

from pipelines.loading import ingest

AGES = [*(f"{a} år" for a in range(100)), "100+ år"]
BANDS = {"0-11": range(0, 12), "12-14": range(12, 15), "15-17": range(15, 18), "18-24": range(18, 25),
         "25-64": range(25, 65), "65+": range(65, 101)}


def _px(path: Path, keys: str, data_lines: list[str], extra: str = "") -> Path:
    """A population file by kommun (codes 0180, 1280), ålder, kön and år (2022, 2023)."""
    ages = ",".join(f'"{a}"' for a in AGES)
    text = ('CHARSET="ANSI";\nAXIS-VERSION="2013";\nLANGUAGE="sv";\nMATRIX="BE0101N1";\n'
            'TITLE="Folkmängd efter region, ålder, kön och år";\nCONTENTS="Folkmängd";\n'
            'STUB="region","ålder","kön";\nHEADING="år";\n'
            'VALUES("region")="Stockholm","Malmö";\nCODES("region")="0180","1280";\n'
            f'VALUES("ålder")={ages};\nVALUES("kön")="män","kvinnor";\nVALUES("år")="2022","2023";\n'
            + keys + extra + "DATA=\n" + "\n".join(data_lines) + "\n;\n")
    path.write_bytes(text.encode("cp1252"))
    return path


def _population(db: Path) -> list[tuple]:
    return rows(db, "SELECT kommun_code, year, age_band, sex, population FROM population ORDER BY ALL")


def _banded(per_age: dict[int, int]) -> dict[str, int]:
    """Population per band when single age a holds per_age.get(a, 0) people."""
    return {band: sum(per_age.get(a, 0) for a in span) for band, span in BANDS.items()}


def test_keys_on_every_stub_variable_rows_of_zeros_left_out(empty_db, tmp_path):
    # The spec's form: every stub variable keyed, then the heading's cells (2022 2023).
    # Stockholm has people aged 0-99 only; Malmö has only men aged 20: every other row is
    # all zeros, so the file leaves it out.
    keys = 'KEYS("region")=CODES;\nKEYS("ålder")=VALUES;\nKEYS("kön")=VALUES;\n'
    lines = [f'"0180","{a}","{s}" 10 11' for a in AGES[:100] for s in ("män", "kvinnor")]
    lines.append('"1280","20 år","män" 5 0')
    path = _px(tmp_path / "BE0101N1_keys.px", keys, lines)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    got = _population(empty_db)
    # Every band is stored, 65+ included: 100+ år is a row of zeros, not missing.
    stockholm_2022 = _banded({a: 10 for a in range(100)})
    stockholm_2023 = _banded({a: 11 for a in range(100)})
    expected = [("0180", y, b, s, n) for y, per in ((2022, stockholm_2022), (2023, stockholm_2023))
                for b, n in per.items() for s in ("K", "M")]
    expected += [("1280", y, b, s, 5 if (y, b, s) == (2022, "18-24", "M") else 0)
                 for y in (2022, 2023) for b in BANDS for s in ("K", "M")]
    assert got == sorted(expected)
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]


def test_keys_on_the_region_only_carry_every_age_and_sex_in_the_row(empty_db, tmp_path):
    # KEYS on the kommun alone: each row is one kommun's cells for every ålder x kön x år,
    # the last variable fastest. Malmö is all zeros, so it has no row.
    cells = " ".join(f"{a + 1} {a + 2}" for a in range(len(AGES)) for _sex in ("män", "kvinnor"))
    path = _px(tmp_path / "BE0101N1_kommun.px", 'KEYS("region")=CODES;\n', [f'"0180" {cells}'])
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    got = _population(empty_db)
    men_2023 = _banded({a: a + 2 for a in range(101)})
    assert [r for r in got if r[0] == "0180" and r[1] == 2023 and r[3] == "M"] == sorted(
        ("0180", 2023, b, "M", n) for b, n in men_2023.items())
    assert [r[4] for r in got if r[0] == "1280"] == [0] * 24  # 2 years x 6 bands x 2 sexes


def test_keys_missing_marks_and_datasymbols(empty_db, tmp_path):
    # '..' and '...' (any one to six dots) are missing; '-' is zero; a DATASYMBOL text
    # written in DATA means the same as the mark it stands for.
    keys = 'KEYS("region")=VALUES;\nKEYS("ålder")=VALUES;\nKEYS("kön")=VALUES;\n'
    symbols = 'DATASYMBOL2="n/a";\nDATASYMBOLNIL="0*";\n'
    lines = [f'"Stockholm","{a}","{s}" 10 10' for a in AGES[:12] for s in ("män", "kvinnor")]
    lines[0] = '"Stockholm","0 år","män" "-" ".."'       # 2022: 0; 2023: missing
    lines[1] = '"Stockholm","0 år","kvinnor" "0*" "..."'  # 2022: 0 (nil symbol); 2023: missing
    lines[2] = '"Stockholm","1 år","män" n/a 10'          # 2022: missing (DATASYMBOL2)
    path = _px(tmp_path / "BE0101N1_marks.px", keys, lines, symbols)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    young = {r[1:4]: r[4] for r in _population(empty_db) if r[0] == "0180" and r[2] == "0-11"}
    # 0-11 needs every age 0-11: a missing cell leaves the band out for its year and sex;
    # only women 2022 (0 år written with the nil symbol) have every age.
    assert young == {(2022, "0-11", "K"): 110}
    assert "3 värden saknades" in report.summary()
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]


def test_unknown_key_is_a_rejected_row_named_by_its_line(empty_db, tmp_path):
    keys = 'KEYS("region")=CODES;\nKEYS("ålder")=VALUES;\nKEYS("kön")=VALUES;\n'
    lines = ['"0180","12 år","män" 3 4', '"9999","12 år","män" 3 4', '"0180","12 år","kvinnor" 3 4']
    path = _px(tmp_path / "BE0101N1_unknown.px", keys, lines)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    data_line = path.read_text(encoding="cp1252").splitlines().index("DATA=") + 1  # 0-based index
    got = rows(empty_db, 'SELECT row_number, "column", reason FROM rejected_row')
    assert got == [(data_line + 2, "region", 'nyckeln finns inte i CODES("region")')]
    assert ("0180", 2023, "12-14", "M", 4) in _population(empty_db)


def test_row_with_too_few_cells_is_refused_and_nothing_changes(empty_db, tmp_path):
    keys = 'KEYS("region")=CODES;\nKEYS("ålder")=VALUES;\nKEYS("kön")=VALUES;\n'
    path = _px(tmp_path / "BE0101N1_short.px", keys, ['"0180","12 år","män" 3 4', '"0180","13 år","män" 3'])
    message = refused(empty_db, path)
    assert "BE0101N1_short.px" in message and "3 nycklar och 2 värden" in message


def test_codes_keys_without_codes_are_refused(empty_db, tmp_path):
    path = _px(tmp_path / "BE0101N1_nocodes.px", 'KEYS("kön")=CODES;\nKEYS("region")=CODES;\nKEYS("ålder")=VALUES;\n',
               ['"0180","12 år","1" 3 4'])
    message = refused(empty_db, path)
    assert 'CODES("kön") saknas' in message


def test_personnummer_in_a_key_refuses_the_file_without_the_number(empty_db, tmp_path):
    keys = 'KEYS("region")=VALUES;\nKEYS("ålder")=VALUES;\nKEYS("kön")=VALUES;\n'
    path = _px(tmp_path / "BE0101N1_pnr.px", keys, ['"Stockholm","12 år","män" 3 4', '"19121212-1212","12 år","män" 3 4'])
    message = refused(empty_db, path)
    assert "personnummer" in message.lower() and "1212" not in message


def test_same_keys_file_twice_adds_nothing(empty_db, tmp_path):
    keys = 'KEYS("region")=CODES;\nKEYS("ålder")=VALUES;\nKEYS("kön")=VALUES;\n'
    path = _px(tmp_path / "BE0101N1_twice.px", keys, ['"0180","12 år","män" 3 4'])
    first, second = ingest(empty_db, [path]), ingest(empty_db, [path])
    assert first[0].status == "ok" and second[0].status == "duplicate"
    assert rows(empty_db, "SELECT count(*) FROM load_log") == [(1,)]
