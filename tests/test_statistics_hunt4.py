"""Statistics files as users save them (the fourth hunt).

SCB's Excel layouts follow PCAxis.Serializers' Xlsx2Serializer (PxWebApi 2.0's xlsx): the
title in A1 when IncludeTitle is on (the table from row 3), else the table from row 1; one
row per heading variable, the contents (ContentsCode) above the years, each content written
once over its years; no header cells over the stub; each stub value on the first row of its
group. Each test checks what an analyst sees: the rows stored, or the refusal and a
database left as it was.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from helpers import rows

from pipelines.loading import ingest

AGES = [f"{a} år" for a in range(100)] + ["100+ år"]
AGE_CODES = [str(a) for a in range(100)] + ["100+"]
SIZES = {"0-11": 12, "12-14": 3, "15-17": 3, "18-24": 7, "25-64": 40, "65+": 36}


def _population(db: Path) -> list[tuple]:
    return rows(db, "SELECT kommun_code, year, age_band, sex, population FROM population ORDER BY ALL")


def _bands(kommun: str, years: dict[int, int]) -> list[tuple]:
    """The six bands for men and women when every single age holds ``years[year]``."""
    return sorted((kommun, y, band, sex, n * v) for y, v in years.items() for band, n in SIZES.items()
                  for sex in ("K", "M"))


def _pxweb_xlsx(path: Path, stub: list[tuple], contents: list[str], years: list[str], values,
                title: str | None = None, merge: bool = False) -> Path:
    """A sheet as PxWeb's Excel export writes it. ``stub`` holds each data row's stub values;
    ``values(content_index, year_index)`` the cell of every row. ``merge`` merges each
    content's cell across its years, as Excel shows it after a user's 'merge and centre'."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "TAB638"
    r = 1
    if title:
        ws.cell(1, 1, title)
        r = 3
    first = len(stub[0]) + 1
    for k, content in enumerate(contents):
        ws.cell(r, first + k * len(years), content)
        if merge and len(years) > 1:
            ws.merge_cells(start_row=r, start_column=first + k * len(years), end_row=r,
                           end_column=first + (k + 1) * len(years) - 1)
    r += 1 if contents else 0
    for k in range(max(1, len(contents))):
        for j, year in enumerate(years):
            ws.cell(r, first + k * len(years) + j, year)
    r += 1
    previous: tuple = ()
    for key in stub:
        for c, v in enumerate(key):
            if key[:c + 1] != previous[:c + 1]:
                ws.cell(r, c + 1, v)
        previous = key
        for k in range(max(1, len(contents))):
            for j in range(len(years)):
                ws.cell(r, first + k * len(years) + j, values(k, j))
        r += 1
    wb.save(path)
    return path


STUB_TEXTS = [(region, age, sex) for region in ("Riket", "0180 Stockholm") for age in AGES
              for sex in ("män", "kvinnor")]
STUB_CODES = [(region, age, sex) for region in ("00", "0180") for age in AGE_CODES for sex in ("1", "2")]


# --- 1. SCB Excel with the contents in a row above the years ---------------------------------


def test_scb_excel_with_two_contents_above_the_years_loads_folkmangd(empty_db, tmp_path):
    # Folkmängd and Folkökning ticked: 'Folkmängd' over 2023-2024 and 'Folkökning' over
    # 2023-2024, merged, in the row above the years. Before, the years were read twice and
    # each kommun/age/sex/year had two values: every row was rejected and none stored.
    path = _pxweb_xlsx(tmp_path / "TAB638.xlsx", STUB_TEXTS, ["Folkmängd", "Folkökning"], ["2023", "2024"],
                       lambda k, j: (500, 100)[k] + j, title="Folkmängden efter region, ålder och kön. År 1968 - 2024",
                       merge=True)
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert _population(empty_db) == _bands("0180", {2023: 500, 2024: 501})
    assert rows(empty_db, "SELECT count(*) FROM rejected_row") == [(0,)]
    assert any("Folkökning lästes inte in" in line for line in report.lines), report.lines
