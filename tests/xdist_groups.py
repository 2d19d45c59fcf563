"""A pytest plugin (loaded by tests/conftest.py) that keeps ``xdist_group`` working."""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep ``xdist_group`` working under ``--dist loadgroup`` (``make test``): pytest-xdist
    3.8 marks a grouped test by appending "@group" to its node id through ``item._nodeid``,
    which pytest 9.2 no longer reads (its ids are structured), so every group was silently
    spread over both workers (pytest-dev/pytest-xdist#1386): the browser modules started
    their server and Chromium on each worker, and a module fixture meant to be built once
    was built twice. The suffix is set here the way xdist's scheduler reads it."""
    if not getattr(config.option, "loadgroup", False):  # set on the xdist workers only
        return
    from _pytest.nodeid import NodeId

    for item in items:
        names = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                 for mark in item.iter_markers("xdist_group")}
        suffix = "@" + "_".join(sorted(names))
        if names and not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
            item._id = NodeId.parse(item.nodeid + suffix)
