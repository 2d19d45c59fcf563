"""Small helpers shared by tests (tests import it as ``from helpers import …``: pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path

from pipelines import warehouse


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    """All rows of a query on a published warehouse, opened read-only."""
    con = warehouse.open_read_only(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def swedish_number(text: str) -> float:
    """A number as a page shows it ('1 234', '23,2 %', '-4,5') as a float."""
    return float(text.replace("\xa0", "").replace("\u202f", "").replace(" ", "").replace("%", "").replace(",", "."))
