"""Where a load spends its time: wraps the pipeline's steps and sums seconds per step."""

from __future__ import annotations

import contextlib
import functools
import importlib
import time
from collections.abc import Iterator

# (module, attribute, step name). The wrapped names are looked up at call time, so the
# wrappers see every call the pipeline makes through these module attributes.
STEPS = (
    ("pipelines.loading", "sha256_of", "sha256"),
    ("pipelines.readers.canonical", "read", "read+check"),
    ("pipelines.loading", "_insert", "insert"),
    ("pipelines.marts", "refresh", "marts"),
    ("shutil", "copyfile", "copy for publish"),
    ("os", "fsync", "fsync"),
)


@contextlib.contextmanager
def phases() -> Iterator[dict[str, float]]:
    """Yield a dict that fills with seconds per step (plus 'total') while the block runs."""
    spent: dict[str, float] = {}
    originals = []
    for module_name, attr, step in STEPS:
        module = importlib.import_module(module_name)
        original = getattr(module, attr)
        originals.append((module, attr, original))

        def wrapper(*args, _original=original, _step=step, **kwargs):
            t0 = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_step] = spent.get(_step, 0.0) + time.perf_counter() - t0

        setattr(module, attr, functools.wraps(original)(wrapper))
    started = time.perf_counter()
    try:
        yield spent
    finally:
        spent["total"] = time.perf_counter() - started
        spent["other"] = spent["total"] - sum(v for k, v in spent.items() if k != "total")
        for module, attr, original in originals:
            setattr(module, attr, original)
