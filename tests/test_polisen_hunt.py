"""The police's events feed: what real saved answers hold beyond the documented shape.

Found by the input hunt. Each test builds an answer as a user would have it on disk and
loads it through ingest, checking what lands in the database and what the report says.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipelines import warehouse
from pipelines.loading import ingest

DATA = Path(__file__).parent / "data" / "polisen"
STYLE_2026 = DATA / "polisen-events-2026-lansnamn.json"


def _events() -> list[dict]:
    return json.loads(STYLE_2026.read_text(encoding="utf-8"))


def _event(event_id: int, label: str, place: str = "Malmö", lan: str = "Skåne län") -> dict:
    return {"id": event_id, "datetime": "2026-08-20 9:05:00 +02:00", "name": f"20 augusti 09.05, {label}, {place}",
            "summary": "Polisen är på plats.", "url": f"/aktuellt/handelser/2026/augusti/20/{event_id}/",
            "type": label, "location": {"name": lan, "gps": "55.99,13.595"}}


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def _stored(db: Path) -> dict[str, tuple]:
    con = warehouse.open_read_only(db)
    try:
        rows = con.execute("SELECT incident_id, incident_type, kommun_code, source_type FROM incident").fetchall()
    finally:
        con.close()
    return {r[0]: r[1:] for r in rows}


# --- type labels seen in the real feed beyond the documented list ---------------------------

def test_information_notices_are_dropped_and_olaga_intrang_is_a_known_type(empty_db, tmp_path):
    # "Information" is the label of the police's press notices (the media centre is closed
    # today, a new phone number); "Olaga intrång" appears beside the documented
    # "Olaga intrång/hemfridsbrott". Neither is a new type the user has to look into.
    f = tmp_path / "polisen-events-typer.json"
    f.write_text(json.dumps([_event(1, "Information", "Värmlands län", "Värmlands län"),
                             _event(2, "Olaga intrång", "Solna", "Stockholms län"),
                             _event(3, "Misshandel")], ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [f])
    assert report.status == "ok", report.summary()
    stored = _stored(empty_db)
    assert set(stored) == {"polisen:2", "polisen:3"}
    assert stored["polisen:2"] == ("övrigt", "0184", "Olaga intrång")
    text = "\n".join(report.lines)
    assert "1 borttagna: meddelanden om polisens verksamhet" in text
    assert "okänd händelsetyp" not in text
