"""Privacy: what each role's stream carries, and ID-card digests that cannot be
recovered from the database or linked across days."""
from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from server.client import HallClient
from tests.conftest import TOKENS, clerk_token, staff_window
from tests.server.test_stream import reading, wait_until

NOTE = "张三 13912345678 需补材料"


def test_a_display_never_sees_notes_names_or_ratings(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk = HallClient(live_server.url, clerk_token(1))
    shown, _ = reading(HallClient(live_server.url, TOKENS["display"]).events())
    staff, _ = reading(HallClient(live_server.url, TOKENS["manager"]).events())
    clerk.log_in(1)
    clerk.open_window(1)
    first = kiosk.issue_ticket("SS-0101")
    clerk.call_next(1)
    clerk.transfer(1, NOTE, to_pool="acceptance_b")
    second = kiosk.issue_ticket("SS-0103")                  # opens a case (3 working days)
    clerk.call_next(1)
    clerk.park(1, NOTE)
    clerk.resume_ticket(1, second.number)
    clerk.finish_service(1, open_case=True, missing_materials=["户口簿"], supply_by="2026-11-25")
    HallClient(live_server.url, "demo-pad-01").submit_rating(second.number, 1, NOTE)
    sentinel = kiosk.issue_ticket("SS-0103")
    for stream in (shown, staff):
        wait_until(lambda s=stream: any(getattr(e, "event", None) == sentinel.events[0].event
                                        for e in s))
    assert first and [e for e in staff if e.type == "RatingSubmitted"]
    public_text = repr(shown)
    assert NOTE not in public_text and "clerk-01" not in public_text
    assert {e.type for e in shown} & {"RatingSubmitted", "CaseOpened"} == set()
    assert {"TicketTransferred", "TicketParked", "TicketCalled"} <= {e.type for e in shown}
    assert NOTE in repr(staff) and "clerk-01" in repr(staff)
    ids = [e.id for e in shown]
    assert ids == sorted(ids), "ids still increase for the public (with gaps)"


def test_a_display_s_snapshot_names_no_clerk(live_server):
    clerk = HallClient(live_server.url, clerk_token(2))
    clerk.log_in(2)
    shown, _ = reading(HallClient(live_server.url, TOKENS["display"]).events())
    staff, _ = reading(HallClient(live_server.url, TOKENS["manager"]).events())
    assert {w["clerk"] for w in shown[0].picture["windows"]} == {""}
    assert "clerk-02" in {w["clerk"] for w in staff[0].picture["windows"]}


def test_the_id_card_key_lives_outside_the_database(api, db_path):
    card = "610502199001011233"
    assert api.post("/api/tickets", json={"subject": "SS-0101", "id_card": card}).status_code \
        == 201
    key_file = Path(db_path).with_suffix(".key")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM meta WHERE key = 'secret'").fetchone()[0] == 0
        digests = [row[0] for row in db.execute("SELECT id_card_hash FROM tickets")]
    assert digests and all(len(d) == 64 and card not in d for d in digests)
    for name in (db_path, db_path + "-wal"):
        if Path(name).exists():
            assert key.encode() not in Path(name).read_bytes()


def test_digests_are_keyed_by_the_day_and_erased_at_rollover(api, clock, db_path):
    card = "610502199001011233"
    api.post("/api/tickets", json={"subject": "SS-0101", "id_card": card})
    with sqlite3.connect(db_path) as db:
        monday = db.execute("SELECT id_card_hash FROM tickets").fetchone()[0]
    clock.advance(days=1)
    api.post("/api/tickets", json={"subject": "SS-0101", "id_card": card})
    with sqlite3.connect(db_path) as db:
        rows = dict(db.execute("SELECT service_day, id_card_hash FROM tickets"))
    assert rows["2026-11-23"] == "", "yesterday's digest is erased at rollover"
    assert rows["2026-11-24"] and rows["2026-11-24"] != monday, "days cannot be linked"


def test_the_daily_limit_still_counts_one_card(api, settings):
    card = "610502199001011233"
    limit = settings.rules.tickets_per_id_per_day
    for _ in range(limit):
        assert api.post("/api/tickets", json={"subject": "SS-0101", "id_card": card}
                        ).status_code == 201
    refused = api.post("/api/tickets", json={"subject": "SS-0101", "id_card": card})
    assert refused.status_code == 409


def test_a_window_staffed_by_tests(api):
    """The test helper works as the other tests expect (a guard for the fixtures above)."""
    clerk = staff_window(api, 3)
    assert clerk.get("/api/whoami").json["window"] == 3
