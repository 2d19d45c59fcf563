"""fetch: a live source's answers are loaded, and kept only where --save asks."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

from pipelines.fetch import main as fetch_main
from pipelines.readers import kolada

ANSWER = Path(__file__).parent / "data" / "kolada" / "data_kpi_year.json"


def _answer_with_a_recorded_file(monkeypatch):
    def fetch(args, dest):
        path = dest / "kolada.json"
        shutil.copyfile(ANSWER, path)
        return [path]

    monkeypatch.setattr(kolada, "fetch", fetch)


def test_answers_are_not_left_behind_without_save(empty_db, tmp_path, monkeypatch):
    _answer_with_a_recorded_file(monkeypatch)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    assert fetch_main(SimpleNamespace(source="kolada", args=[], years=None, save=None, db=str(empty_db))) == 0
    assert list((tmp_path / "tmp").iterdir()) == []


def test_answers_are_kept_with_save(empty_db, tmp_path, monkeypatch):
    _answer_with_a_recorded_file(monkeypatch)
    saved = tmp_path / "svar"
    assert fetch_main(SimpleNamespace(source="kolada", args=[], years=None, save=saved, db=str(empty_db))) == 0
    assert [p.name for p in saved.iterdir()] == ["kolada.json"]
