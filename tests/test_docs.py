"""Docs that can be checked are checked: commands, formats, pages and examples."""

from __future__ import annotations

import re

import pytest

from pipelines import readers
from pipelines.__main__ import build_parser
from pipelines.config import ROOT
from pipelines.loading import ingest

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))


def _subcommands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", _subcommands())
def test_every_cli_command_is_in_the_readme(command):
    assert f"python -m pipelines {command}" in README


@pytest.mark.parametrize("fmt", sorted(readers.formats()))
def test_every_format_is_documented(fmt):
    assert fmt in DOCS, f"format {fmt} is not named in docs/"


def test_the_two_commands_are_in_the_readme_and_ci_runs_the_test_one():
    assert "make run" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_page_is_in_the_readme():
    app = (ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")
    pages = re.findall(r'st\.Page\(PAGES_DIR / "(\w+)\.py", title="([^"]+)"', app)
    # Distinct files: the start page is also served at /oversikt (a hidden second entry).
    assert len({file for file, _ in pages}) == len(list((ROOT / "dashboard" / "pages").glob("*.py")))
    for _, title in pages:
        assert f"**{title}**" in README, f"page {title} is not described in the README"


def _examples(doc: str):
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    return re.findall(r"```\n(.*?)```", text, re.S)


@pytest.mark.parametrize("index", range(len(_examples("formats.md"))))
def test_format_examples_load_without_rejections(empty_db, tmp_path, index):
    example = _examples("formats.md")[index]
    f = tmp_path / f"example{index}.csv"
    f.write_text(example, encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.lines
    assert report.rows_rejected == 0, report.lines
