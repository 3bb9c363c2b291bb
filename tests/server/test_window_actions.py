"""Every clerk action at a window, and every way to get one wrong."""
from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import TOKENS, clerk_token, staff_window


def issue(api, subject="SS-0101", **extra):
    answer = api.post("/api/tickets", json={"subject": subject, **extra})
    assert answer.status_code == 201, answer.json
    return answer.json["ticket"]["number"]


def types(answer) -> list[str]:
    return [e["type"] for e in answer.json["events"]]


def history(api, number) -> list[str]:
    return [h["action"] for h in api.get(f"/api/tickets/{number}").json["history"]]


def test_call_next_start_finish(api):
    clerk = staff_window(api, 1)
    number = issue(api)
    called = clerk.post("/api/windows/1/call-next")
    assert types(called) == ["TicketCalled"]
    assert called.json["ticket"]["number"] == number and called.json["window"]["current"] == number
    assert types(clerk.post("/api/windows/1/start")) == ["ServiceStarted"]
    finished = clerk.post("/api/windows/1/finish")
    # SS-0101 opens a case (受审分离): the finish opens it, as the matter says
    assert types(finished) == ["ServiceFinished", "CaseOpened"] and finished.json["ticket"] is None
    assert history(api, number) == ["issued", "called", "started", "finished"]
    assert finished.json["window"]["served_today"] == 1


def test_call_next_with_nobody_waiting_calls_nobody(api):
    clerk = staff_window(api, 1)
    answer = clerk.post("/api/windows/1/call-next")
    assert answer.status_code == 200 and answer.json["ticket"] is None and types(answer) == []


def test_next_while_serving_finishes_and_next_while_called_is_a_no_show(api):
    clerk = staff_window(api, 1)
    first, second, third = issue(api), issue(api), issue(api)
    clerk.post("/api/windows/1/call-next")
    clerk.post("/api/windows/1/start")
    assert types(clerk.post("/api/windows/1/call-next")) == [
        "ServiceFinished", "CaseOpened", "TicketCalled"]
    assert types(clerk.post("/api/windows/1/call-next")) == ["TicketMarkedNoShow", "TicketCalled"]
    assert history(api, first)[-1] == "finished" and history(api, second)[-1] == "no_show"
    assert api.get(f"/api/tickets/{third}").json["ticket"]["state"] == "called"


def test_recall_waits_for_the_cooldown_and_ends_in_a_no_show(api, clock, settings):
    clerk = staff_window(api, 1)
    number = issue(api)
    clerk.post("/api/windows/1/call-next")
    too_soon = clerk.post("/api/windows/1/recall")
    assert too_soon.status_code == 409 and "recall again in" in too_soon.json["message"]
    for count in range(1, settings.rules.max_recalls + 1):
        clock.advance(seconds=settings.rules.recall_cooldown_seconds)
        answer = clerk.post("/api/windows/1/recall")
        assert types(answer) == ["TicketRecalled"]
        assert answer.json["events"][0]["data"]["recalls"] == count
    clock.advance(seconds=settings.rules.recall_cooldown_seconds)
    last = clerk.post("/api/windows/1/recall")
    assert types(last) == ["TicketMarkedNoShow"]
    assert last.json["events"][0]["data"]["reason"] == "max_recalls"
    assert api.get(f"/api/tickets/{number}").json["ticket"]["state"] == "no_show"


def test_mark_no_show(api):
    clerk = staff_window(api, 1)
    number = issue(api)
    clerk.post("/api/windows/1/call-next")
    assert types(clerk.post("/api/windows/1/no-show")) == ["TicketMarkedNoShow"]
    assert api.get(f"/api/tickets/{number}").json["ticket"]["state"] == "no_show"
    assert clerk.post("/api/windows/1/no-show").status_code == 409


def test_call_a_chosen_ticket(api):
    clerk = staff_window(api, 1)
    issue(api)
    second = issue(api)
    answer = clerk.post("/api/windows/1/call", json={"number": second.lower()})
    assert answer.json["ticket"]["number"] == second
    again = api.as_(clerk_token(2))
    staff_window(api, 2)
    refused = again.post("/api/windows/2/call", json={"number": second})
    assert refused.status_code == 409 and "not waiting" in refused.json["message"]


def test_a_window_cannot_call_a_ticket_it_has_no_skill_for(api):
    clerk = staff_window(api, 13)                   # a pickup window
    number = issue(api, "SS-0101")
    refused = clerk.post("/api/windows/13/call", json={"number": number})
    assert refused.status_code == 409 and "does not serve" in refused.json["message"]
    assert clerk.post("/api/windows/13/call-next").json["ticket"] is None


def test_transfer_to_a_pool_keeps_the_place_in_line(api, clock):
    window1, window6 = staff_window(api, 1), staff_window(api, 6)
    moved = issue(api, "SS-0101")
    clock.advance(minutes=5)
    later = issue(api, "BDC-0401")
    window1.post("/api/windows/1/call-next")
    answer = window1.post("/api/windows/1/transfer", json={
        "to_pool": "acceptance_b", "subject": "BDC-0402", "note": "实为不动产抵押登记"})
    assert types(answer) == ["TicketTransferred"]
    ticket = window1.get(f"/api/tickets/{moved}").json
    assert (ticket["ticket"]["state"], ticket["ticket"]["pool"]) == ("waiting", "acceptance_b")
    assert ticket["history"][-1]["note"] == "实为不动产抵押登记"
    assert api.get(f"/api/tickets/{moved}").json["history"][-1]["note"] == "", \
        "a kiosk sees no clerk's note"
    assert window6.post("/api/windows/6/call-next").json["ticket"]["number"] == moved
    assert window6.post("/api/windows/6/call-next").json["ticket"]["number"] == later


def test_transfer_to_a_window_only_that_window_calls_it(api):
    window1, window2, window3 = staff_window(api, 1), staff_window(api, 2), staff_window(api, 3)
    number = issue(api)
    window1.post("/api/windows/1/call-next")
    window1.post("/api/windows/1/transfer", json={"to_window": 3, "note": "请税务窗口协助"})
    assert window2.post("/api/windows/2/call-next").json["ticket"] is None
    assert window3.post("/api/windows/3/call-next").json["ticket"]["number"] == number


@pytest.mark.parametrize("body, status, words", [
    ({"to_pool": "acceptance_b"}, 422, "field 'note' is required"),
    ({"to_pool": "acceptance_b", "note": " "}, 422, "needs a note"),
    ({"note": "去哪里"}, 422, "names a pool"),
    ({"to_pool": "nowhere", "note": "x"}, 404, "unknown pool"),
    ({"to_window": 1, "note": "x"}, 422, "window it is at"),
    ({"to_window": 99, "note": "x"}, 404, "no window 99"),
    ({"to_window": 9, "note": "x"}, 409, "window 9 is closed"),
    ({"to_pool": "pickup", "note": "x"}, 409, "no window of pool pickup is skilled"),
    ({"to_pool": "acceptance_b", "subject": "XX", "note": "x"}, 404, "unknown matter"),
])
def test_bad_transfers_change_nothing(api, db_path, body, status, words):
    clerk = staff_window(api, 1)
    number = issue(api)
    clerk.post("/api/windows/1/call-next")
    with sqlite3.connect(db_path) as conn:
        before = conn.execute("select count(*) from events").fetchone()[0]
    answer = clerk.post("/api/windows/1/transfer", json=body)
    assert answer.status_code == status and words in answer.json["message"], answer.json
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("select count(*) from events").fetchone()[0] == before
    assert api.get(f"/api/tickets/{number}").json["ticket"]["state"] == "called"


def test_park_and_resume(api):
    clerk = staff_window(api, 1)
    first, second = issue(api), issue(api)
    clerk.post("/api/windows/1/call-next")
    clerk.post("/api/windows/1/start")
    parked = clerk.post("/api/windows/1/park", json={"note": "去复印身份证"})
    assert types(parked) == ["TicketParked"] and parked.json["window"]["parked"] == [first]
    assert clerk.post("/api/windows/1/call-next").json["ticket"]["number"] == second
    busy = clerk.post("/api/windows/1/resume-ticket", json={"number": first})
    assert busy.status_code == 409 and "busy with" in busy.json["message"]
    clerk.post("/api/windows/1/finish")
    resumed = clerk.post("/api/windows/1/resume-ticket", json={"number": first})
    assert types(resumed) == ["TicketResumed"]
    assert resumed.json["ticket"]["state"] == "serving" and resumed.json["window"]["parked"] == []
    assert clerk.post("/api/windows/1/close").status_code == 409


def test_closed_paused_and_unstaffed_windows_cannot_call(api):
    clerk = api.as_(clerk_token(1))
    issue(api)
    clerk.post("/api/windows/1/login")
    closed = clerk.post("/api/windows/1/call-next")
    assert closed.status_code == 409 and "window 1 is closed" in closed.json["message"]
    clerk.post("/api/windows/1/open")
    assert clerk.post("/api/windows/1/pause", json={}).status_code == 422
    assert clerk.post("/api/windows/1/pause", json={"reason": "午休"}).status_code == 200
    paused = clerk.post("/api/windows/1/call-next")
    assert paused.status_code == 409 and "paused (午休)" in paused.json["message"]
    clerk.post("/api/windows/1/resume")
    manager = api.as_(TOKENS["manager"])
    assert manager.post("/api/windows/2/open").status_code == 200
    unstaffed = api.as_(clerk_token(2)).post("/api/windows/2/call-next")
    assert unstaffed.status_code == 403 and "not logged in at window 2" in unstaffed.json[
        "message"]


def test_a_clerk_acts_only_at_their_own_window(api):
    staff_window(api, 1)
    staff_window(api, 2)
    issue(api)
    answer = api.as_(clerk_token(1)).post("/api/windows/2/call-next")
    assert answer.status_code == 403
    assert "logged in at window 1, not 2" in answer.json["message"]


def test_a_window_has_one_clerk_and_a_clerk_one_window(api):
    staff_window(api, 1)
    taken = api.as_(clerk_token(2)).post("/api/windows/1/login")
    assert taken.status_code == 409 and "staffed by clerk-01" in taken.json["message"]
    moved = api.as_(clerk_token(1)).post("/api/windows/4/login")
    assert types(moved) == ["WindowClosed", "ClerkLoggedOut", "ClerkLoggedIn"]


def test_logout_needs_an_idle_window(api):
    clerk = staff_window(api, 1)
    issue(api)
    clerk.post("/api/windows/1/call-next")
    busy = clerk.post("/api/windows/1/logout")
    assert busy.status_code == 409 and "busy with ticket A001" in busy.json["message"]
    clerk.post("/api/windows/1/finish")
    assert types(clerk.post("/api/windows/1/logout")) == ["WindowClosed", "ClerkLoggedOut"]


def test_manager_moves_a_window_to_another_pool(api):
    manager = api.as_(TOKENS["manager"])
    clerk = staff_window(api, 5)
    number = issue(api, "BDC-0401")       # 不动产: pool acceptance_b, window 5 helps it
    issue(api, "SS-0101")
    moved = manager.post("/api/windows/5/move", json={"pool": "acceptance_b"})
    assert types(moved) == ["WindowMovedToPool"] and moved.json["window"]["pool"] == "acceptance_b"
    assert clerk.post("/api/windows/5/call-next").json["ticket"]["number"] == number
    assert manager.post("/api/windows/5/move", json={"pool": "x"}).status_code == 404
    assert api.as_(clerk_token(5)).post("/api/windows/5/move",
                                        json={"pool": "pickup"}).status_code == 403


def test_unknown_window(api):
    answer = api.as_(clerk_token(1)).post("/api/windows/77/login")
    assert answer.status_code == 404 and "no window 77" in answer.json["message"]
