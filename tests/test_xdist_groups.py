"""Tests marked with one ``xdist_group`` run on one worker under ``make test``'s
``-n 2 --dist loadgroup`` (tests/xdist_groups.py), so a module fixture behind them is built
once, and the browser modules start one server and one Chromium each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

SUITE = '''
import os
import pytest

@pytest.fixture(scope="module")
def built():
    with open("built.txt", "a") as f:
        f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")

def _note(kind):
    with open(kind + ".txt", "a") as f:
        f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")

@pytest.mark.xdist_group("costly")
@pytest.mark.parametrize("i", range(6))
def test_grouped(built, i):
    _note("grouped")

@pytest.mark.parametrize("i", range(6))
def test_free(i):
    _note("free")
'''


def test_a_group_runs_on_one_worker_and_builds_its_module_fixture_once(tmp_path):
    (tmp_path / "test_suite.py").write_text(SUITE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup", "-p", "xdist_groups",
                          "-p", "no:cacheprovider", "test_suite.py"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    grouped = (tmp_path / "grouped.txt").read_text().split()
    assert len(grouped) == 6 and len(set(grouped)) == 1, grouped
    assert len((tmp_path / "built.txt").read_text().split()) == 1
    # The ungrouped tests still go to both workers.
    assert len((tmp_path / "free.txt").read_text().split()) == 6
