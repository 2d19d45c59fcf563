"""Which areas lie in a selection (geo.within, behind every page's scope) comes from the
link table read once per database version: the same codes, in code order, as asking
the table for each pair, and no query for a new selection."""

from __future__ import annotations

import pytest


@pytest.fixture()
def geo_on_demo(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    from dashboard.queries import geo

    return geo


def test_within_gives_what_the_link_table_holds_for_every_pair(geo_on_demo, raw):
    pairs = raw.execute("SELECT DISTINCT level, within_code FROM mart_area_link").fetchall()
    assert len(pairs) > 20
    for level, within_code in pairs:
        expected = tuple(r[0] for r in raw.execute(
            "SELECT area_code FROM mart_area_link WHERE level = ? AND within_code = ? ORDER BY area_code",
            [level, within_code]).fetchall())
        assert geo_on_demo.within(level, within_code) == expected, (level, within_code)
    assert geo_on_demo.within("kommun", "ingen sådan kod") == ()


def test_a_new_selection_asks_the_database_nothing(geo_on_demo, raw, monkeypatch):
    import dashboard.queries as queries

    geo_on_demo.within("kommun", "01")          # the link table and the area names read once
    geo_on_demo.area_index()
    asked = []
    original = queries.run
    for module in (queries, geo_on_demo):
        monkeypatch.setattr(module, "run", lambda *a, **k: asked.append(a[0]) or original(*a, **k))
    monkeypatch.setattr(geo_on_demo, "rows", lambda *a, **k: asked.append(a[0]) or original(*a, frame=False, **k))
    lan = [r[0] for r in raw.execute("SELECT area_code FROM area WHERE level = 'lan'").fetchall()]
    for code in lan:
        scope = geo_on_demo.scope("kommun", "lan", code)
        assert scope.codes and scope.within_code == code
    assert asked == []
