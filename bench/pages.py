"""Page benchmarks through Streamlit's ``AppTest``: server time per interaction, the query
layer's share of it, and the map payload per level.

Pages are discovered from ``dashboard/pages/*.py``. Each gets the shared interactions
(change area level, change area, drill down as a map click does, change period, change
incident types) and one interaction per widget found on the page itself (its metric,
level or view selectors, toggles), each repeated with a new value where the widget has
one. A page in lazy tabs (only the chosen tab runs) is measured on the tab it opens on,
then each other tab is opened, its own widgets changed and the level and area changed
with it open. The caches stay as the session left them, as in the server: a new area misses the
caches keyed by the area and hits those that do not depend on it (names, polygons). The
page is also opened with every data cache cleared ("öppna sidan (tom cache)"), the worst
case. Rekryteringssignaler is also switched to each breakdown, with its layers cached and
with every cache emptied (its default view has none). The read-only connection stays open, as it does in the server.

The query layer's time is measured inside the same reruns by wrapping
``dashboard.queries.run`` (every topic module's SQL goes through it).

Child side: ``python -m bench.pages --db DB [--reps N] [--session]``.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import pkgutil
import statistics
import time
from pathlib import Path

from bench.proc import ROOT, answer

APP = ROOT / "dashboard" / "app.py"
PAGES_DIR = ROOT / "dashboard" / "pages"
# Widget kinds a user changes on a page (downloads, text search and tables are not "views").
CHANGEABLE = ("selectbox", "radio", "segmented_control", "button_group", "multiselect", "toggle", "checkbox",
              "select_slider")
SKIP_KEYS = ("export",)  # image export toggles render kaleido PNGs: measured by the exports tests

QUERY_SAMPLES: list[float] = []


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank, 0–100) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered) - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def instrument_queries() -> None:
    """Wrap ``dashboard.queries.run`` (and every topic module's imported copy) with a timer."""
    import dashboard.queries as q

    original = q.run

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            QUERY_SAMPLES.append(time.perf_counter() - t0)

    q.run = timed
    for info in pkgutil.iter_modules(q.__path__):
        module = importlib.import_module(f"dashboard.queries.{info.name}")
        if getattr(module, "run", None) is original:
            module.run = timed


def patch_apptest() -> None:
    """Let ``Selectbox.select_index`` work on select boxes with a ``format_func``.

    AppTest's ``select_index`` stores the option's label as the value and then formats it
    again, which fails when labels differ from values. The browser sends the label itself
    (``string_value``), so the label is resolved to its index directly.
    """
    from streamlit.testing.v1 import element_tree as et

    original = et.Selectbox.index.fget

    def index(self):
        value = self._value
        if not isinstance(value, et.InitialValue) and isinstance(value, str) and value in self.options:
            return self.options.index(value)
        try:
            return original(self)
        except ValueError:
            # A value set through session state (as a map click's callback does) that the
            # last run's options do not hold yet: the browser would send nothing either.
            return None

    et.Selectbox.index = property(index)


def clear_caches() -> None:
    import streamlit as st

    from dashboard import queries

    st.cache_data.clear()
    queries.forget()


def rerun(at, *, cold: bool = False) -> tuple[float, list[float], list[str]]:
    """One timed rerun: (seconds, query durations, exception messages)."""
    if cold:
        clear_caches()
    QUERY_SAMPLES.clear()
    t0 = time.perf_counter()
    try:
        at.run()
    except Exception as exc:  # the harness's own widget handling, not the app: reported, not fatal
        return time.perf_counter() - t0, list(QUERY_SAMPLES), [f"AppTest: {type(exc).__name__}: {exc}"[:300]]
    seconds = time.perf_counter() - t0
    errors = [str(e.value)[:300] for e in at.exception]
    return seconds, list(QUERY_SAMPLES), errors


def widget(at, key: str):
    """The widget with ``key`` in the sidebar or the page, or None."""
    for root in (at.sidebar, at.main):
        for kind in CHANGEABLE:
            try:
                found = getattr(root, kind)(key=key)
            except (KeyError, AttributeError):
                continue
            return found
    return None


def page_widgets(at) -> list:
    """The keyed, changeable widgets in the page's main area (not the shared sidebar)."""
    found = []
    for kind in CHANGEABLE:
        try:
            for w in getattr(at.main, kind):
                if w.key and not any(s in w.key for s in SKIP_KEYS) and not getattr(w, "disabled", False):
                    found.append((kind, w))
        except AttributeError:
            continue
    return found


def _values_for(kind: str, w) -> list:
    """New values to cycle through: option indices for select boxes (their labels may be
    formatted), labels for the rest, both states for toggles."""
    if kind in ("toggle", "checkbox"):
        return [not w.value, w.value]
    options = list(getattr(w, "options", []) or [])
    if not options:
        return []
    if kind == "selectbox":
        return list(range(len(options)))
    try:  # AppTest can only set labels that are the values themselves
        if any(str(w.format_func(o)) != o for o in options):
            return []
    except AttributeError:  # no format_func: labels are values
        pass
    except Exception:
        return []
    if kind == "multiselect":
        return [[o] for o in options[:6]] + [[]]
    return options


def _set(at, key: str, kind: str, value) -> bool:
    w = widget(at, key)
    if w is None:
        return False
    try:
        if kind == "selectbox":
            if value >= len(w.options):
                return False
            w.select_index(value)
        else:
            w.set_value(value)
    except Exception:  # an option the last rerun removed: the next value is tried
        return False
    return True


class Recorder:
    """Collects timed reruns per (page, interaction)."""

    def __init__(self):
        self.results: dict[str, dict[str, dict]] = {}
        self.errors: list[str] = []
        self.query_samples: list[float] = []

    def add(self, page: str, interaction: str, sample: tuple[float, list[float], list[str]]) -> None:
        seconds, queries, errors = sample
        slot = self.results.setdefault(page, {}).setdefault(interaction, {"server": [], "query": [], "queries": []})
        slot["server"].append(seconds)
        slot["query"].append(sum(queries))
        slot["queries"].append(len(queries))
        self.query_samples.extend(queries)
        self.errors.extend(f"{page} / {interaction}: {e}" for e in errors)

    def summary(self) -> dict:
        out = {}
        for page, interactions in self.results.items():
            out[page] = {}
            for name, s in interactions.items():
                out[page][name] = {
                    "n": len(s["server"]),
                    "server_p50_ms": 1000 * statistics.median(s["server"]),
                    "server_p95_ms": 1000 * percentile(s["server"], 95),
                    "query_p50_ms": 1000 * statistics.median(s["query"]),
                    "query_p95_ms": 1000 * percentile(s["query"], 95),
                    "queries_per_rerun": statistics.median(s["queries"]),
                }
        return out


def _areas(db: Path) -> dict[str, list[str]]:
    from pipelines import warehouse

    con = warehouse.open_read_only(db)
    try:
        rows = con.execute("SELECT level, area_code FROM area ORDER BY level, area_code").fetchall()
    finally:
        con.close()
    by_level: dict[str, list[str]] = {}
    for level, code in rows:
        by_level.setdefault(level, []).append(code)
    return by_level


def level_and_area(at, areas: dict[str, list[str]], page: str, rec: Recorder, reps: int, *,
                   suffix: str = "", offset: int = 0) -> None:
    """Change the area's level, then the area, ``reps`` times (the sidebar's two choices).
    ``offset`` moves to other areas, so a second round (with another tab open) misses the
    caches as a user's new choice would."""
    levels = [lvl for lvl in ("polisregion", "lan", "kommun", "lpo", "polisomrade") if areas.get(lvl)]
    for i in range(reps):
        level = levels[(i + offset) % len(levels)]
        if not _set_value(at, "niva", level):
            break
        rec.add(page, f"byt nivå{suffix}", rerun(at))
        codes = areas[level]
        code = codes[(7 * (i + offset) + 3) % len(codes)]
        if _set_value(at, "omrade", code):
            rec.add(page, f"byt område{suffix}", rerun(at))


def shared_interactions(at, areas: dict[str, list[str]], page: str, rec: Recorder, reps: int) -> None:
    """Sidebar changes every page reacts to."""
    level_and_area(at, areas, page, rec, reps)
    # Drill down, as a click on the map does (filters.set_area): level and area at once.
    for i in range(reps):
        level = ("polisregion", "polisomrade", "lpo", "lan", "kommun")[i % 5]
        if not areas.get(level):
            continue
        code = areas[level][(5 * i + 1) % len(areas[level])]
        at.session_state["niva"] = level
        at.session_state["omrade"] = code
        rec.add(page, "klick på kartan (ner en nivå)", rerun(at))
    _set_value(at, "niva", "riket")
    rerun(at)
    period = widget(at, "period")
    if period is not None:
        # The choices themselves: the widget shows them with their months ("Hittills i år
        # (jan–okt 2025)"), which its value is not.
        from dashboard.periods import CUSTOM, PERIODS

        options = [o for o in PERIODS if o != CUSTOM]
        for i in range(reps):
            period.set_value(options[(i + 1) % len(options)])
            rec.add(page, "byt period", rerun(at))
            period = widget(at, "period")
        period.set_value(options[0])
        rerun(at)
    types = widget(at, "typ")
    if types is not None:
        options = list(types.options)
        for i in range(reps):
            types.set_value([options[i % len(options)]])
            rec.add(page, "byt händelsetyp", rerun(at))
            types = widget(at, "typ")
        types.set_value([])
        rerun(at)


def breakdowns(at, rec: Recorder, reps: int) -> None:
    """Rekryteringssignaler by a breakdown ("Uppdelning", a segmented control with Swedish
    labels that own_interactions cannot set), as on a served dashboard (:func:`served_state`:
    its warm-up has read the quick periods' published layers and summed the default
    period's per breakdown before a visitor comes). The breakdown is switched in the
    default period, chosen in a period of the user's own (summed from the published
    layers read), and opened with every data cache emptied (in the seconds after a new
    load, before the warm-up: the worst case)."""
    dimensions = ["sex", "age_band", "source", "signal_type"]
    for i in range(reps):
        at.session_state["uppdelning"] = dimensions[i % len(dimensions)]
        rec.add("rekrytering", "byt uppdelning", rerun(at))
    # A period of the user's own ("Välj månader"), new each time and each time another
    # breakdown: summed from the published calendar years' layers (until 2026-11 the page
    # protected a layer for it).
    from dashboard.periods import shift_months
    from dashboard.queries import incidents

    last = incidents.last_complete()
    if last is not None:
        at.session_state["period"] = "Välj månader"
        for i in range(reps):
            at.session_state["fran"] = shift_months(last, -10 - i)
            at.session_state["till"] = last
            at.session_state["uppdelning"] = dimensions[(i + 1) % len(dimensions)]
            rec.add("rekrytering", "uppdelning, egen period", rerun(at))
        at.session_state["period"] = "Senaste 12 månaderna"
        at.session_state["uppdelning"] = dimensions[0]
        rerun(at)
    for _ in range(reps):
        rec.add("rekrytering", "uppdelning öppnad (tom cache)", rerun(at, cold=True))
    served_state()
    at.session_state["uppdelning"] = "total"
    rerun(at)


def served_state() -> None:
    """Warm the caches as a served dashboard's warm-up thread has them: at start and again
    after each newly published database (dashboard.__main__: warm_first, warm_signals).
    The rows measured with every data cache emptied leave the caches as they are only
    in the seconds after a load; the interactions after them are measured as a visitor
    finds the server."""
    from dashboard.__main__ import warm_first, warm_signals

    warm_first()
    warm_signals()


def _set_value(at, key: str, value) -> bool:
    w = widget(at, key)
    if w is None:
        return False
    try:
        w.set_value(value)
    except Exception:
        return False
    return True


def own_interactions(at, page: str, rec: Recorder, reps: int, *, skip: frozenset[str] = frozenset()) -> None:
    """Every changeable widget on the page itself (but those keyed in ``skip``), cycled
    through its options."""
    for kind, w in page_widgets(at):
        key, label = w.key, getattr(w, "label", w.key)
        if key in skip:
            continue
        values = _values_for(kind, w)
        if not values:
            continue
        try:
            original = w.index if kind == "selectbox" else w.value
        except ValueError:  # a select box showing its placeholder
            original = None
        done = 0
        for value in values * (1 + reps // max(1, len(values))):
            if done >= reps:
                break
            if not _set(at, key, kind, value):
                continue
            rec.add(page, f"ändra '{label}'", rerun(at))
            done += 1
        current = widget(at, key)
        if current is not None and original is not None:
            try:
                current.select_index(original) if kind == "selectbox" else current.set_value(original)
                rerun(at)
            except Exception:
                pass


def page_tabs(at) -> list[tuple[str, list[str]]]:
    """The page's tabs that track their state (lazy tabs: only the chosen tab runs), as
    (key, labels); the first label is the tab a page opens on."""
    found = []

    def walk(node) -> None:
        if getattr(node, "type", None) == "tab_container":
            key = node.proto.tab_container.query_param_key or node.proto.tab_container.id.rsplit("-", 1)[-1]
            if key:
                found.append((key, [tab.label for tab in node.children.values()]))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return found


def tab_interactions(at, areas: dict[str, list[str]], page: str, rec: Recorder, reps: int) -> None:
    """For a page in lazy tabs: open each other tab (from the first), change the widgets
    only that tab has, and change the level and the area with the tab open (the tab then
    computes its own view of the new area)."""
    for key, labels in page_tabs(at):
        first = labels[0]
        seen = frozenset(w.key for _, w in page_widgets(at))
        for n, label in enumerate(labels[1:], start=1):
            for _ in range(reps):
                at.session_state[key] = label
                rec.add(page, f"öppna fliken '{label}'", rerun(at))
                at.session_state[key] = first
                rerun(at)
            at.session_state[key] = label
            rerun(at)
            own_interactions(at, page, rec, reps, skip=seen)
            level_and_area(at, areas, page, rec, reps, suffix=f" (fliken '{label}')", offset=n)
            _set_value(at, "niva", "riket")
            rerun(at)
        at.session_state[key] = first
        rerun(at)


def map_payloads(at) -> dict[str, int]:
    """Bytes of every map (deck.gl JSON) the current page sent, by element index."""
    return {str(i): len(e.proto.json.encode("utf-8")) for i, e in enumerate(at.get("deck_gl_json_chart"))}


def karta_levels(at, rec: Recorder, reps: int) -> dict[str, int]:
    """The map page at riket for each map level: bytes sent per level."""
    sizes: dict[str, int] = {}
    w = widget(at, "karta_niva")
    if w is None:
        return sizes
    for index, label in enumerate(list(w.options)):
        if label.startswith("Nivån under"):
            continue
        widget(at, "karta_niva").select_index(index)
        sample = rerun(at)
        rec.add("karta", "byt kartnivå", sample)
        payload = map_payloads(at)
        if payload:
            sizes[label] = max(payload.values())
    return sizes


def discover_pages() -> list[str]:
    return [p.stem for p in sorted(PAGES_DIR.glob("*.py")) if not p.name.startswith("_")]


def fast_apptest() -> None:
    """Take away two costs AppTest has and a served dashboard has not.

    - Streamlit's scan of installed packages for custom components, which each new AppTest
      repeats (about 1.7 s) and ``python -m dashboard`` skips too; it is set-up, not part
      of any rerun measured here.
    - Compiling the page's script on every rerun (4-6 ms): AppTest makes a new script
      cache for each run, while the server keeps one for its lifetime and compiles a page
      once (again only when its file changes). One cache is shared here likewise.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    from dashboard.__main__ import skip_component_scan

    skip_component_scan()
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def _page_app(page: str):
    from streamlit.testing.v1 import AppTest

    # AppTest reruns of the multipage frame run only the page script after the first run,
    # so each page is run as its own script: it then draws the shared filters itself, as
    # the frame does on every rerun in the server.
    return AppTest.from_file(str(PAGES_DIR / f"{page}.py"), default_timeout=600)


def run_pages(db: Path, reps: int) -> dict:
    from streamlit.testing.v1 import AppTest

    instrument_queries()
    patch_apptest()
    fast_apptest()
    areas = _areas(db)
    rec = Recorder()
    frame = AppTest.from_file(str(APP), default_timeout=600)
    t0 = time.perf_counter()
    frame.run()
    first_run = time.perf_counter() - t0
    # The state a served dashboard is in before its first visitor (python -m dashboard).
    from dashboard.__main__ import settle, warm

    warm()
    settle()
    frame_errors = [str(e.value)[:300] for e in frame.exception]
    map_bytes: dict[str, int] = {}
    order = ["oversikt", "karta", *[p for p in discover_pages() if p not in ("oversikt", "karta")]]
    for page in order:
        at = _page_app(page)
        rerun(at)  # the session's first run (imports, connection): not an interaction
        for _ in range(reps):
            rec.add(page, "öppna sidan (tom cache)", rerun(at, cold=True))
        served_state()
        if page == "oversikt":
            for k, v in map_payloads(at).items():
                map_bytes[f"översikt {k}"] = v
        if page == "karta":
            map_bytes.update(karta_levels(at, rec, reps))
            widget(at, "karta_niva").select_index(0)
            rerun(at)
        own_interactions(at, page, rec, reps)
        if page == "rekrytering":
            breakdowns(at, rec, reps)
        shared_interactions(at, areas, page, rec, reps)
        tab_interactions(at, areas, page, rec, reps)
    return {"pages": rec.summary(), "errors": (frame_errors + rec.errors)[:20],
            "n_errors": len(frame_errors) + len(rec.errors),
            "first_run_s": first_run, "map_bytes": map_bytes,
            "query_p50_ms": 1000 * statistics.median(rec.query_samples) if rec.query_samples else None,
            "query_p95_ms": 1000 * percentile(rec.query_samples, 95) if rec.query_samples else None,
            "query_max_ms": 1000 * max(rec.query_samples) if rec.query_samples else None,
            "n_queries": len(rec.query_samples)}


def run_session(db: Path, reps: int, start_at: float) -> dict:
    """A fixed user session (overview and map, areas and periods) for the concurrency test."""
    instrument_queries()
    patch_apptest()
    fast_apptest()
    areas = _areas(db)
    apps = {page: _page_app(page) for page in ("oversikt", "karta")}
    for at in apps.values():
        at.run()
    while time.time() < start_at:  # both sessions start together
        time.sleep(0.005)
    times = []
    for i in range(reps):
        for at in apps.values():
            times.append(rerun(at)[0])
            level = ("lan", "kommun", "polisregion")[i % 3]
            _set_value(at, "niva", level)
            times.append(rerun(at)[0])
            _set_value(at, "omrade", areas[level][(3 * i + 1) % len(areas[level])])
            times.append(rerun(at)[0])
            _set_value(at, "niva", "riket")
            times.append(rerun(at)[0])
    return {"server_p50_ms": 1000 * statistics.median(times), "server_p95_ms": 1000 * percentile(times, 95),
            "n": len(times)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--session", action="store_true", help="run the fixed session (concurrency test)")
    parser.add_argument("--start-at", type=float, default=0.0)
    args = parser.parse_args()
    os.environ["LAGESBILD_DB"] = str(args.db.resolve())
    if args.session:
        answer(run_session(args.db, args.reps, args.start_at))
    else:
        answer(run_pages(args.db, args.reps))


if __name__ == "__main__":
    main()
