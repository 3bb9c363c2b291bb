"""What a hall board is sent (the display role, and the web board's stream without a
token): only what it draws; and the holder's name, kept masked, never whole."""
from __future__ import annotations

import sqlite3

import pytest

from core.id_cards import mask_name
from server.client import HallClient
from tests.conftest import TOKENS, clerk_token
from tests.server.test_stream import reading, wait_until

CARD = "610502199001011233"


@pytest.mark.parametrize("name, shown", [("张三", "张*"), ("张小三", "张*三"),
                                         ("欧阳小明", "欧**明"), ("王", "*"), ("", ""),
                                         (" 李 四 ", "李*")])
def test_a_name_is_masked_to_its_first_and_last_characters(name, shown):
    assert mask_name(name) == shown


def _types(items) -> set[str]:
    return {getattr(item, "type", "") for item in items}


def test_the_board_gets_calls_and_windows_but_no_log_ins_help_or_free_reasons(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk, other = HallClient(live_server.url, clerk_token(1)), HallClient(
        live_server.url, clerk_token(2))
    board, _ = reading(HallClient(live_server.url, TOKENS["display"]).events())
    web_board, _ = reading(HallClient(live_server.url).board_events())
    kiosk_view, _ = reading(HallClient(live_server.url, TOKENS["kiosk"]).events())
    for window, client in ((1, clerk), (2, other)):
        client.log_in(window)
        client.open_window(window)
    kiosk.issue_ticket("SS-0101")
    clerk.call_next(1)
    clerk.pause_window(1, "lunch")
    other.pause_window(2, "孩子生病 张三 13912345678")
    kiosk.request_help("一楼自助区", "needs_assistance")
    sentinel = kiosk.issue_ticket("SS-0102")
    for stream in (board, web_board, kiosk_view):
        wait_until(lambda s=stream: any(getattr(e, "event", None) == sentinel.events[0].event
                                        for e in s))
    for stream in (board, web_board):
        types = _types(stream)
        assert {"TicketIssued", "TicketCalled", "WindowOpened", "WindowPaused"} <= types
        assert not types & {"ClerkLoggedIn", "HelpRequested", "RatingSubmitted"}
        reasons = {e.event.window: e.event.reason for e in stream
                   if e.type == "WindowPaused"}
        assert reasons == {1: "lunch", 2: ""}, "a typed reason is the clerk's, not the hall's"
    assert "ClerkLoggedIn" in _types(kiosk_view), "a kiosk's stream is unchanged"
    assert [e.id for e in board[1:]] == [e.id for e in web_board[1:]]


def test_the_board_snapshot_keeps_only_standard_pause_reasons(live_server):
    for window, reason in ((1, "meeting"), (2, "去接孩子")):
        clerk = HallClient(live_server.url, clerk_token(window))
        clerk.log_in(window)
        clerk.open_window(window)
        clerk.pause_window(window, reason)
    board, _ = reading(HallClient(live_server.url, TOKENS["display"]).events())
    staff, _ = reading(HallClient(live_server.url, TOKENS["manager"]).events())
    shown = {w["number"]: w["pause_reason"] for w in board[0].picture["windows"]}
    assert shown[1] == "meeting" and shown[2] == ""
    assert {w["clerk"] for w in board[0].picture["windows"]} == {""}
    assert {w["number"]: w["pause_reason"] for w in staff[0].picture["windows"]}[2] == "去接孩子"


def test_a_read_card_s_name_reaches_the_board_masked_and_is_never_stored_whole(
        live_server, tmp_path):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk = HallClient(live_server.url, clerk_token(1))
    board, _ = reading(HallClient(live_server.url, TOKENS["display"]).events())
    clerk.log_in(1)
    clerk.open_window(1)
    named = kiosk.issue_ticket("SS-0101", id_card=CARD, id_card_read=True,
                               holder_name="张小三")
    typed = kiosk.issue_ticket("SS-0102", id_card="610503198001011235",
                               holder_name="李小四")
    assert named.ticket.holder_name == "张*三"
    assert typed.ticket.holder_name == "", "a typed number is no read card: no name"
    asked = kiosk.request("POST", "/api/tickets", {"subject": "SS-0102", "id_card": CARD,
                                                   "holder_name": "王小五"})
    assert asked["ticket"]["holder_name"] == "", "the server too wants a read card"
    clerk.call_ticket(1, named.number)
    wait_until(lambda: any(e.type == "TicketCalled" for e in board[1:]))
    called = next(e for e in board if e.type == "TicketCalled")
    assert called.event.holder_name == "张*三"
    issued = next(e for e in board if e.type == "TicketIssued")
    assert issued.event.holder_name == "张*三"
    database = tmp_path / "live.db"
    with sqlite3.connect(database) as db:
        names = {row[0] for row in db.execute("SELECT holder_name FROM tickets")}
    assert names == {"张*三", ""}
    for path in database.parent.glob(database.name + "*"):
        assert "张小三".encode() not in path.read_bytes()
