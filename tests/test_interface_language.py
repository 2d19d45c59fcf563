"""The interface speaks Swedish where Streamlit lets it: no widget falls back to Streamlit's
English placeholders ("Choose an option", "Choose options")."""

from __future__ import annotations

import ast
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"


def test_every_select_box_has_a_swedish_placeholder():
    missing = []
    for path in sorted(DASHBOARD.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("selectbox", "multiselect")
                    and "placeholder" not in {k.arg for k in node.keywords}):
                missing.append(f"{path.relative_to(DASHBOARD)}:{node.lineno}")
    assert not missing, f"without placeholder=…: {missing}"
