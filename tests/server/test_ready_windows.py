"""待叫 on the real server: a clerk who pressed "call next" when nobody waited gets the
next citizen at once, announced on the board like any call, and across a restart."""
from __future__ import annotations

from server.app import create_app
from server.client import HallClient
from tests.conftest import TOKENS, clerk_token, staff_window
from tests.server.test_stream import reading, wait_until


def test_a_citizen_is_called_to_the_waiting_window_the_moment_they_take_a_number(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk = HallClient(live_server.url, clerk_token(1))
    board, _ = reading(HallClient(live_server.url, TOKENS["display"]).events())
    clerk.log_in(1)
    clerk.open_window(1)
    pressed = clerk.call_next(1)
    assert pressed.ticket is None and pressed.window.ready == "09:00"
    assert {w.number: w.ready for w in clerk.windows()}[1] == "09:00"
    other = kiosk.issue_ticket("SB-0501")       # social, area B: not window 1's
    assert other.ticket.state == "waiting"
    issued = kiosk.issue_ticket("SS-0101")
    assert (issued.ticket.state, issued.ticket.window) == ("called", 1)
    assert [e.type for e in issued.events] == ["TicketIssued", "TicketCalled"]
    wait_until(lambda: any(e.type == "TicketCalled" for e in board))
    called = [e.event for e in board if e.type == "TicketCalled"]
    assert [(e.number, e.window) for e in called] == [(issued.number, 1)]
    window = {w.number: w for w in clerk.windows()}[1]
    assert (window.current, window.ready) == (issued.number, None)
    assert kiosk.ticket(other.number).ticket.state == "waiting"


def test_the_waiting_window_is_remembered_across_a_restart(settings, clock, tmp_path):
    from tests.conftest import Api
    database = str(tmp_path / "hall.db")
    app = create_app(settings, database=database, clock=clock)
    clerk = staff_window(Api(app.test_client(), TOKENS["kiosk"]), 1)
    assert clerk.post("/api/windows/1/call-next").json["ticket"] is None
    app.extensions["yichuang.service"].close()
    restarted = create_app(settings, database=database, clock=clock)
    kiosk = Api(restarted.test_client(), TOKENS["kiosk"])
    issued = kiosk.post("/api/tickets", json={"subject": "SS-0101"}).json
    assert (issued["ticket"]["state"], issued["ticket"]["window"]) == ("called", 1)
    restarted.extensions["yichuang.service"].close()


def test_a_wait_that_ran_out_is_not_shown(app, clock):
    """After `ready_minutes` (15) a read shows the window no longer waiting, and a ticket
    taken then waits for a press."""
    from tests.conftest import Api
    clerk = staff_window(Api(app.test_client(), TOKENS["kiosk"]), 1)
    assert clerk.post("/api/windows/1/call-next").json["window"]["ready"] == "09:00"
    clock.advance(minutes=14)
    assert clerk.get("/api/windows").json["windows"][0]["ready"] == "09:00"
    clock.advance(minutes=1)
    assert clerk.get("/api/windows").json["windows"][0]["ready"] is None
    issued = Api(app.test_client(), TOKENS["kiosk"]).post("/api/tickets",
                                                          json={"subject": "SS-0101"}).json
    assert issued["ticket"]["state"] == "waiting"
