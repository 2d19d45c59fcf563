"""Data contracts (pipelines/sql/contracts.toml) hold on the built demo warehouse."""

from __future__ import annotations

import tomllib

import pytest

from pipelines import categories, warehouse
from pipelines.config import ROOT

CONTRACTS = tomllib.loads((ROOT / "pipelines" / "sql" / "contracts.toml").read_text(encoding="utf-8"))["contract"]
KNOWN_KEYS = {"table", "unique", "not_null", "accepted", "in_area", "unique_where_ok"}


def _cases():
    for c in CONTRACTS:
        unknown = set(c) - KNOWN_KEYS
        assert not unknown, f"unknown contract keys {unknown} for {c['table']}"
        t = c["table"]
        if "unique" in c:
            yield pytest.param(t, "unique", c["unique"], id=f"{t}-unique")
        if "unique_where_ok" in c:
            yield pytest.param(t, "unique_where_ok", c["unique_where_ok"], id=f"{t}-unique-ok")
        for col in c.get("not_null", []):
            yield pytest.param(t, "not_null", col, id=f"{t}-{col}-not-null")
        for col, values in c.get("accepted", {}).items():
            yield pytest.param(t, "accepted", (col, values), id=f"{t}-{col}-accepted")
        for col, level in c.get("in_area", {}).items():
            yield pytest.param(t, "in_area", (col, level), id=f"{t}-{col}-in-area")


@pytest.fixture(scope="module")
def con(demo_db):
    c = warehouse.open_read_only(demo_db)
    yield c
    c.close()


@pytest.mark.parametrize("table, kind, arg", list(_cases()))
def test_contract(con, table, kind, arg):
    assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0, f"{table} is empty in the demo"
    if kind in ("unique", "unique_where_ok"):
        cols = ", ".join(f'"{c}"' for c in arg)
        where = "WHERE status = 'ok'" if kind == "unique_where_ok" else ""
        dupes = con.execute(
            f"SELECT {cols}, count(*) n FROM {table} {where} GROUP BY ALL HAVING count(*) > 1 LIMIT 5").fetchall()
        assert dupes == []
    elif kind == "not_null":
        assert con.execute(f'SELECT count(*) FROM {table} WHERE "{arg}" IS NULL').fetchone()[0] == 0
    elif kind == "accepted":
        col, values = arg
        allowed = list(getattr(categories, values)) if isinstance(values, str) else values
        bad = con.execute(
            f'SELECT DISTINCT "{col}" FROM {table} WHERE "{col}" IS NOT NULL AND NOT list_contains($a, "{col}")',
            {"a": allowed}).fetchall()
        assert bad == []
    elif kind == "in_area":
        col, level = arg
        level_clause = "AND a.level = $level" if level else ""
        missing = con.execute(
            f'SELECT DISTINCT t."{col}" FROM {table} t WHERE t."{col}" IS NOT NULL AND t."{col}" <> \'SE\' '
            f'AND NOT EXISTS (SELECT 1 FROM area a WHERE a.area_code = t."{col}" {level_clause}) LIMIT 5',
            {"level": level} if level else {}).fetchall()
        assert missing == []


def test_split_kommun_shares_sum_to_one(con):
    off = con.execute(
        "SELECT kommun_code, sum(share) s FROM lpo_kommun GROUP BY kommun_code HAVING abs(sum(share) - 1) > 1e-6"
    ).fetchall()
    assert off == []
