"""caller.rating_pads: a pad on a real pty invites a rating when the real server's
window finishes a service; a bad level asks why; no rating is recorded as none; a bad
level without its reason as 未说明; the server's side of it (the pads bridge's windows,
level 0, the day's figures)."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from caller.rating_pads import Pad, PadBridge, pads_of
from hardware.rating_pad import ASK_REASON, INVITE, THANK, EventKind
from server.client import HallClient
from tests.conftest import TOKENS, clerk_token
from tests.hardware.test_rating_pad import ScriptedPad
from tests.server.test_stream import wait_until

FAST = {"answer_timeout": 0.2, "retries": 1, "round_seconds": 0.01,
        "reopen_after": (0.05, 0.2)}


def test_the_demo_hall_has_a_pad_per_window_owned_by_the_pads_bridge(settings):
    pads = pads_of(settings)
    assert [p.window for p in pads] == list(range(1, 16)) and {p.address for p in pads} == {1}
    assert {d.owner for d in settings.devices if d.kind == "rating_pad"} == {"pads-bridge"}
    assert len(settings.ratings.reasons) == 6 and settings.ratings.unexplained == "未说明"


@pytest.fixture
def bridged(live_server, settings, tmp_path):
    pad = ScriptedPad(tmp_path)
    bridge = PadBridge([Pad("window-1-rating-pad", 1, pad.line.url, 1)],
                       HallClient(live_server.url, "demo-pads"), settings.ratings, FAST)
    stream = HallClient(live_server.url, "demo-pads").events()
    follower = threading.Thread(target=bridge.follow, args=(stream,), daemon=True)
    bridge.start()
    follower.start()
    clerk = HallClient(live_server.url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    yield pad, bridge, clerk
    stream.close()
    follower.join(5)
    bridge.stop()
    pad.line.close()


def _serve(live_server, clerk) -> str:
    ticket = HallClient(live_server.url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    clerk.call_next(1)
    clerk.start_service(1)
    clerk.finish_service(1)
    return ticket.number


def _invitation(pad, number: str) -> int:
    assert pad.line.wait_for(lambda: any(r.command == INVITE and r.text == number
                                         for r in pad.requests))
    return next(r.invitation for r in pad.requests if r.command == INVITE and r.text == number)


def _ratings(tmp_path) -> list[tuple]:
    with sqlite3.connect(tmp_path / "live.db") as conn:
        return conn.execute("select ticket_id, window, clerk, level, reason from ratings "
                            "order by id").fetchall()


def test_a_bad_rating_asks_why_and_is_stored_with_the_reason(live_server, bridged, tmp_path):
    pad, bridge, clerk = bridged
    number = _serve(live_server, clerk)
    invitation = _invitation(pad, number)
    pad.send(1, invitation, EventKind.LEVEL, 2)                       # 不满意
    assert pad.line.wait_for(lambda: any(r.command == ASK_REASON for r in pad.requests))
    asked = next(r for r in pad.requests if r.command == ASK_REASON)
    assert asked.reasons[:3] == ("等候时间长", "服务态度差", "材料要求不清")
    pad.send(2, invitation, EventKind.REASON, 3)
    assert pad.line.wait_for(lambda: any(r.command == THANK for r in pad.requests))
    wait_until(lambda: len(_ratings(tmp_path)) == 1)
    assert _ratings(tmp_path) == [(f"2026-11-23/{number}", 1, "clerk-01", 2, "材料要求不清")]
    # pressed again: the invitation is closed, nothing more is stored
    pad.send(3, invitation, EventKind.LEVEL, 5)
    wait_until(lambda: bridge.buses[pad.line.url].stale_events == 1)
    assert len(_ratings(tmp_path)) == 1
    figures = HallClient(live_server.url, TOKENS["manager"]).stats()["ratings"]
    assert figures["by_level"]["2"] == 1 and figures["bad"] == 1 and figures["none"] == 0


def test_an_invitation_left_alone_is_none_and_a_missing_reason_unexplained(
        live_server, bridged, tmp_path):
    pad, bridge, clerk = bridged
    first = _serve(live_server, clerk)
    pad.send(1, _invitation(pad, first), EventKind.TIMED_OUT, 0)      # nobody pressed
    wait_until(lambda: len(_ratings(tmp_path)) == 1)
    second = _serve(live_server, clerk)
    invitation = _invitation(pad, second)
    pad.send(2, invitation, EventKind.LEVEL, 1)                       # 非常不满意 ...
    assert pad.line.wait_for(lambda: any(r.command == ASK_REASON for r in pad.requests))
    pad.send(3, invitation, EventKind.TIMED_OUT, 1)                   # ... and no reason
    wait_until(lambda: len(_ratings(tmp_path)) == 2)
    assert [row[3:] for row in _ratings(tmp_path)] == [(0, ""), (1, "未说明")]
    figures = HallClient(live_server.url, TOKENS["manager"]).stats()["ratings"]
    assert figures["none"] == 1 and figures["rated"] == 1 and figures["by_level"]["5"] == 0


def test_the_next_finish_before_a_rating_records_none(live_server, bridged, tmp_path):
    pad, bridge, clerk = bridged
    first = _serve(live_server, clerk)
    _invitation(pad, first)
    second = _serve(live_server, clerk)
    pad.send(1, _invitation(pad, second), EventKind.LEVEL, 5)
    wait_until(lambda: len(_ratings(tmp_path)) == 2)
    assert sorted((row[0][-4:], row[3]) for row in _ratings(tmp_path)) == \
        sorted([(first, 0), (second, 5)])


# ------------------------------------------------------------------ the server's side

def test_a_pads_bridge_rates_only_at_the_windows_of_its_pads(api, settings):
    pads = api.as_("demo-pads")
    refused = pads.post("/api/ratings", json={"number": "A001", "level": 5})
    assert refused.status_code == 403 and refused.get_json()["code"] == "rating_not_its_window"
    assert pads.post("/api/ratings", json={"number": "A001", "level": 5, "window": 99}
                     ).get_json()["code"] == "rating_not_its_window"
    # the window's own pad still rates without naming it; it may not name another
    single = api.as_(TOKENS["rating_pad"])
    assert single.post("/api/ratings", json={"number": "A001", "level": 5, "window": 2}
                       ).get_json()["code"] == "rating_not_its_window"
    # a phone may not record "none": level 0 is a pad's only
    assert pads.post("/api/ratings", json={"number": "A001", "level": 6, "window": 1}
                     ).status_code == 422
