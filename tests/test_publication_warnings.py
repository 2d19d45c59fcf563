"""What publication tells the person loading data: a warning only where a published layer
may give a hidden value away, not for a step the later rounds mend.

The engine (suppression.protect_hierarchy) can get stuck: a hidden value whose every
partner is a total another output already showed. It notes that on the layer, and
signal_layers.police_layers, which checks each month's layers as a whole, judges it.
"""
from __future__ import annotations

import logging
from dataclasses import replace

import pandas as pd

from dashboard import signal_layers
from dashboard import suppression as sup


def _stuck_layer() -> sup.Protected:
    # Region R: LPO A with 2 signals (hidden, a small count) and LPO B with 10. The region
    # total and B are locked as shown, so nothing can partner A: R − B gives it away.
    df = pd.DataFrame({"polisregion": ["R", "R"], "lpo": ["A", "B"], "count": [2, 10]})
    return sup.protect_hierarchy(df, "count", ["polisregion", "lpo"],
                                 locked=[(("polisregion",), ("R",)), (("polisregion", "lpo"), ("R", "B"))])


def test_the_engine_notes_a_stuck_layer_without_warning(caplog):
    with caplog.at_level(logging.WARNING):
        layer = _stuck_layer()
    assert sup.STUCK_NOTE in layer.notes
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # The layer really does give A away: this is what the caller must catch.
    assert len(sup.worked_out(layer, ["polisregion", "lpo"]))


def test_a_checked_layer_drops_the_note_and_a_layer_too_large_to_check_warns(caplog):
    layer = _stuck_layer()
    plain = replace(layer, notes=())
    start, end = pd.Timestamp("2025-10-01").date(), pd.Timestamp("2025-10-31").date()
    with caplog.at_level(logging.WARNING):
        sound = signal_layers._sound_notes(start, end, {None: layer, "age_band": layer, "sex": plain}, {"age_band"})
    assert sup.STUCK_NOTE not in sound[None].notes  # vouched for by a checked breakdown
    assert sup.STUCK_NOTE not in sound["age_band"].notes
    assert not caplog.records
    with caplog.at_level(logging.WARNING):
        kept = signal_layers._sound_notes(start, end, {None: layer, "age_band": layer}, set())
    assert sup.STUCK_NOTE in kept["age_band"].notes
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 2 and all("2025-10-01" in m and "för stort" in m for m in warned)
    assert any("age_band" in m for m in warned)

