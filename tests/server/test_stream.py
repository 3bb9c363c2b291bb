"""GET /api/events: snapshot, ordered ids, Last-Event-ID replay, keep-alive, reconnect."""
from __future__ import annotations

import threading
import time

from server.app import create_app
from server.client import HallClient
from server.wsgi import BackgroundServer
from tests.conftest import MONDAY, TOKENS, RunningClock, clerk_token


def collect(stream, count: int, timeout: float = 10.0) -> list:
    """Read `count` items from a stream in a thread, closing it on timeout."""
    got: list = []
    done = threading.Event()

    def read():
        for event in stream:
            got.append(event)
            if len(got) >= count:
                break
        done.set()
    threading.Thread(target=read, daemon=True).start()
    if not done.wait(timeout):
        stream.close()
    return got


def reading(stream) -> tuple[list, threading.Thread]:
    """Read a stream into a list in a thread; returns once its first event (the snapshot) is in."""
    got: list = []
    thread = threading.Thread(target=lambda: got.extend(stream), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not got and time.monotonic() < deadline:
        time.sleep(0.01)
    assert got and got[0].type == "snapshot"
    return got, thread


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_snapshot_first_then_every_event_in_order(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    display = HallClient(live_server.url, TOKENS["display"])
    kiosk.issue_ticket("SS-0101")
    stream = display.events()
    reader, _ = reading(stream)
    for subject in ("SS-0102", "BDC-0401", "SB-0501"):
        kiosk.issue_ticket(subject)
    wait_until(lambda: len(reader) >= 4)
    stream.close()
    assert [e.type for e in reader] == ["snapshot", "TicketIssued", "TicketIssued", "TicketIssued"]
    snapshot = reader[0]
    assert [t["number"] for t in snapshot.picture["tickets"]] == ["A001"]
    ids = [e.id for e in reader]
    assert ids == sorted(ids) and ids[1:] == list(range(ids[0] + 1, ids[0] + 4))
    assert [e.event.number for e in reader[1:]] == ["A002", "B001", "C001"]


def test_last_event_id_replays_what_was_missed(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    display = HallClient(live_server.url, TOKENS["display"])
    first = kiosk.issue_ticket("SS-0101")
    seen = collect(display.events(), 1)[0].id
    for _ in range(5):
        kiosk.issue_ticket("SS-0102")
    replay = collect(display.events(last_event_id=seen), 5)
    assert [e.id for e in replay] == list(range(seen + 1, seen + 6))
    assert all(e.type == "TicketIssued" for e in replay)
    assert first.number not in [e.event.number for e in replay]


def test_replay_after_a_restart_comes_from_the_database(settings, tmp_path):
    database = str(tmp_path / "restart.db")
    app = create_app(settings, database=database, clock=RunningClock(MONDAY))
    with BackgroundServer(app) as server:
        kiosk = HallClient(server.url, TOKENS["kiosk"])
        kiosk.issue_ticket("SS-0101")
        seen = collect(HallClient(server.url, TOKENS["display"]).events(), 1)[0].id
        for _ in range(3):
            kiosk.issue_ticket("BDC-0401")
    app.extensions["yichuang.service"].close()
    # a fresh process: empty live buffer
    app = create_app(settings, database=database, clock=RunningClock(MONDAY))
    with BackgroundServer(app) as server:
        replay = collect(HallClient(server.url, TOKENS["display"]).events(last_event_id=seen), 3)
        assert [e.event.number for e in replay] == ["B001", "B002", "B003"]
        ahead = collect(HallClient(server.url, TOKENS["display"]).events(last_event_id=10**6), 1)
        assert ahead[0].type == "snapshot"
    app.extensions["yichuang.service"].close()


def first_chunk(api, headers, last_event_id: int) -> str:
    response = api.get("/api/events", headers=headers | {"Last-Event-ID": str(last_event_id)},
                       buffered=False)
    first = next(iter(response.response)).decode()
    response.close()
    return first


def test_a_client_that_missed_part_of_an_earlier_day_gets_a_fresh_snapshot(app, clock):
    api = app.test_client()
    headers = {"Authorization": f"Bearer {TOKENS['kiosk']}"}
    api.post("/api/tickets", json={"subject": "SS-0101"}, headers=headers)    # event 1
    api.post("/api/tickets", json={"subject": "SS-0101"}, headers=headers)    # event 2
    clock.advance(days=1)
    api.post("/api/tickets", json={"subject": "SS-0101"}, headers=headers)    # events 3, 4
    stale = first_chunk(api, headers, 1)
    assert "event: snapshot" in stale and '"service_day":"2026-11-24"' in stale
    current = first_chunk(api, headers, 2)      # missed only today's events: replay them
    assert "event: snapshot" not in current
    assert current.index("event: DayStarted") < current.index("event: TicketIssued")


def test_keep_alive_comments_while_quiet(app):
    response = app.test_client().get("/api/events", buffered=False,
                                     headers={"Authorization": f"Bearer {TOKENS['display']}"})
    chunks = iter(response.response)
    assert b"event: snapshot" in next(chunks)
    assert next(chunks) == b": keep-alive\n\n"
    response.close()


def test_the_client_reconnects_and_catches_up_after_a_restart(settings, tmp_path):
    database = str(tmp_path / "reconnect.db")
    app = create_app(settings, database=database, clock=RunningClock(MONDAY))
    server = BackgroundServer(app).__enter__()
    port = int(server.url.rsplit(":", 1)[1])
    display = HallClient(server.url, TOKENS["display"])
    stream = display.events()
    got, _ = reading(stream)
    HallClient(server.url, TOKENS["kiosk"]).issue_ticket("SS-0101")
    wait_until(lambda: len(got) >= 2)
    server.__exit__(None, None, None)
    app.extensions["yichuang.service"].close()
    app = create_app(settings, database=database, clock=RunningClock(MONDAY))
    with BackgroundServer(app, port=port) as restarted:
        kiosk = HallClient(restarted.url, TOKENS["kiosk"])
        kiosk.issue_ticket("SS-0102")
        kiosk.issue_ticket("SS-0103")
        wait_until(lambda: len(got) >= 4)
        stream.close()
    app.extensions["yichuang.service"].close()
    assert [e.type for e in got] == ["snapshot", "TicketIssued", "TicketIssued", "TicketIssued"]
    assert [e.event.number for e in got[1:]] == ["A001", "A002", "A003"]
    # It reconnected by itself (a reconnect may first reach the old server as it shuts down).
    assert stream.connections >= 2


def test_a_wrong_token_on_the_stream_is_refused(live_server):
    from server.client import ApiError
    stream = HallClient(live_server.url, "wrong").events(reconnect=False)
    try:
        list(stream)
    except ApiError as error:
        assert error.status == 401
    else:
        raise AssertionError("the stream accepted a wrong token")
    assert clerk_token(1) != "wrong"
