"""A module imported on first use, for the dashboard's cold start.

The first page's title needs no pandas (the database check and the sidebar read plain
rows), so pandas, numpy and pyarrow are loaded after it is on screen: a module written
``pd = lazy.module("pandas")`` imports pandas the first time an attribute is read.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    """Stands in for a module and imports it on the first attribute access."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        module: ModuleType = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"


def module(name: str) -> LazyModule:
    """A stand-in for the module ``name``, imported when first used."""
    return LazyModule(name)
