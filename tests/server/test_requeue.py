"""过号 through HTTP: a clerk puts a no-show back by number, a kiosk only by the scanned
ticket's token; once; the board stream hears of it without who did it."""
from __future__ import annotations

from tests.conftest import TOKENS, staff_window


def passed(api, clerk) -> dict:
    ticket = api.post("/api/tickets", json={"subject": "SS-0101"}).json
    assert clerk.post("/api/windows/1/call-next").json["ticket"]["number"] == \
        ticket["ticket"]["number"]
    assert clerk.post("/api/windows/1/no-show").status_code == 200
    return ticket


def take(api, clock) -> str:
    clock.advance(seconds=30)                # tickets a moment apart, as in a hall
    return api.post("/api/tickets", json={"subject": "SS-0101"}).json["ticket"]["number"]


def test_a_clerk_puts_a_no_show_back_in_line_once(api, clock):
    clerk = staff_window(api, 1)
    number = passed(api, clerk)["ticket"]["number"]
    others = [take(api, clock) for _ in range(4)]
    answer = clerk.post(f"/api/tickets/{number}/requeue")
    assert answer.status_code == 200
    (event,) = answer.json["events"]
    assert event["type"] == "TicketRequeued" and event["data"]["after"] == 3
    assert event["data"]["by"] == "clerk-01"
    called = [clerk.post("/api/windows/1/call-next").json["ticket"]["number"] for _ in range(4)]
    assert called == others[:3] + [number]
    clerk.post("/api/windows/1/no-show")
    again = clerk.post(f"/api/tickets/{number}/requeue")
    assert again.status_code == 409 and again.json["code"] == "requeue_once"


def test_only_a_no_show_and_only_staff_by_number(api):
    clerk = staff_window(api, 1)
    number = api.post("/api/tickets", json={"subject": "SS-0101"}).json["ticket"]["number"]
    refused = clerk.post(f"/api/tickets/{number}/requeue")
    assert refused.status_code == 409 and refused.json["code"] == "requeue_not_no_show"
    assert api.post(f"/api/tickets/{number}/requeue").status_code == 403      # a kiosk
    assert api.as_(None).post(f"/api/tickets/{number}/requeue").status_code == 401
    manager = api.as_(TOKENS["manager"])
    assert manager.post("/api/tickets/Z999/requeue").status_code == 404


def test_a_kiosk_puts_back_the_ticket_it_scanned(api):
    clerk = staff_window(api, 1)
    ticket = passed(api, clerk)
    unknown = api.post("/api/requeue", json={"token": "not-a-real-token"})
    assert unknown.status_code == 404 and unknown.json["code"] == "requeue_ticket_unknown"
    answer = api.post("/api/requeue", json={"token": ticket["phone_token"]})
    assert answer.status_code == 200
    assert answer.json["events"][0]["data"]["by"] == "kiosk"
    assert clerk.post("/api/requeue",
                      json={"token": ticket["phone_token"]}).status_code == 403
    status = api.as_(None).get(f"/api/public/tickets/{ticket['phone_token']}").json
    assert status["ticket"]["state"] == "waiting"
