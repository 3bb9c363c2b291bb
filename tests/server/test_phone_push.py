"""GET /api/public/tickets/<token>/events: a phone's ticket, pushed when it changes.

Through the real server on 127.0.0.1 (a stream read as a phone's browser reads it),
and the shared watcher's batches run by hand on a frozen clock.
"""
from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import urlsplit

import pytest

from server.client import HallClient
from server.phone_watch import PhoneWatch, eta_bucket
from tests.conftest import TOKENS, clerk_token, staff_window


class Phone:
    """One phone page's stream, read in a thread: its frames as (event, data)."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.conn.request("GET", f"/api/public/tickets/{token}/events",
                          headers={"Accept": "text/event-stream"})
        self.response = self.conn.getresponse()
        self.frames: list[tuple[str, dict]] = []
        self.keepalives = 0
        self.ended = threading.Event()
        if self.response.status == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event, data = "message", ""
        try:
            while line := self.response.readline():
                line = line.decode().rstrip("\n")
                if line.startswith(":"):
                    self.keepalives += 1
                elif line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data += line[6:]
                elif line == "" and data:
                    self.frames.append((event, json.loads(data)))
                    event, data = "message", ""
        except (OSError, http.client.HTTPException, ValueError):
            pass
        self.ended.set()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[str, dict]]:
        deadline = time.monotonic() + timeout
        while len(self.frames) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.frames) >= count, f"{count} frames expected, got {self.frames}"
        return self.frames

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def hall(live_server):
    kiosk = HallClient(live_server.url, TOKENS["kiosk"])
    clerk = HallClient(live_server.url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    return kiosk, clerk


def state(frame) -> str:
    return frame[1]["ticket"]["state"]


def test_the_first_frame_is_the_status_then_a_call_and_a_recall_arrive(live_server, hall):
    kiosk, clerk = hall
    ticket = kiosk.issue_ticket("SS-0101")
    phone = Phone(live_server.url, ticket.phone_token)
    assert phone.response.status == 200
    assert phone.response.getheader("Content-Type").startswith("text/event-stream")
    first = phone.wait_for(1)[0]
    assert first[0] == "status" and state(first) == "waiting"
    assert first[1]["ticket"]["number"] == ticket.number
    assert first[1]["people_ahead"] == 0 and first[1]["materials"] == list(ticket.materials)
    plain = HallClient(live_server.url).request("GET", f"/api/public/tickets/{ticket.phone_token}")
    assert set(first[1]) == set(plain)                       # the same JSON as the GET

    assert clerk.call_next(1).ticket.number == ticket.number
    called = phone.wait_for(2)[1]
    assert state(called) == "called"
    assert called[1]["ticket"]["window"] == 1 and called[1]["window_name"] == "1号窗口"
    live_server.clock.advance(seconds=20)           # a recall waits 15 s after a call
    clerk.recall(1)
    recalled = phone.wait_for(3)[2]
    assert state(recalled) == "called" and recalled[1]["ticket"]["recalls"] == 1
    clerk.start_service(1)
    assert state(phone.wait_for(4)[3]) == "serving"
    clerk.finish_service(1)
    assert state(phone.wait_for(5)[4]) == "finished"
    assert phone.ended.wait(10), "the stream ends after the final status"
    assert len(phone.frames) == 5
    phone.close()


def test_events_that_do_not_change_a_ticket_send_it_nothing(live_server, hall):
    kiosk, clerk = hall
    # Area B's ticket: window 1 (area A) does not serve it, so its count and wait hold still
    # (no wait: no open window serves it) while area A issues and calls.
    mine = kiosk.issue_ticket("BDC-0401")
    phone = Phone(live_server.url, mine.phone_token)
    assert state(phone.wait_for(1)[0]) == "waiting"
    theirs = kiosk.issue_ticket("SS-0101")
    other = Phone(live_server.url, theirs.phone_token)
    other.wait_for(1)
    for _ in range(3):
        kiosk.issue_ticket("SS-0102")
    clerk.call_ticket(1, theirs.number)
    assert state(other.wait_for(2)[1]) == "called"     # the watcher has seen those events
    clerk.start_service(1)
    clerk.finish_service(1)
    clerk.call_next(1)
    HallClient(live_server.url).request("POST", f"/api/public/tickets/{mine.phone_token}/cancel")
    frames = phone.wait_for(2)
    assert phone.ended.wait(10)
    assert [state(f) for f in frames] == ["waiting", "cancelled"]
    assert phone.keepalives >= 1                    # kept alive meanwhile (every 0.5 s here)
    phone.close()
    other.close()


def test_an_unknown_token_is_404_before_any_stream(live_server):
    phone = Phone(live_server.url, "not-a-real-token")
    assert phone.response.status == 404
    assert phone.response.getheader("Content-Type") == "application/json"
    assert json.loads(phone.response.read())["error"] == "not_found"
    phone.close()


def test_a_ticket_of_an_earlier_day_is_404_and_a_stream_open_at_midnight_is_told(app, api,
                                                                                  clock):
    token = api.post("/api/tickets", json={"subject": "SS-0101"}).json["phone_token"]
    response = app.test_client().get(f"/api/public/tickets/{token}/events", buffered=False)
    chunks = iter(response.response)
    assert b"event: status" in next(chunks)
    clock.advance(days=1)
    assert api.post("/api/tickets", json={"subject": "SS-0101"}).status_code == 201  # a new day
    rest = b""
    for chunk in chunks:                # keep-alives (0.2 s here) until the news, then the end
        rest += chunk
    assert b"event: gone" in rest and b"retry: 600000" in rest
    response.close()
    again = app.test_client().get(f"/api/public/tickets/{token}/events")
    assert again.status_code == 404 and again.json["error"] == "not_found"


# --- the shared watcher, one batch at a time (frozen clock: waits stand still) -----------

def issue(api, clock, subject: str) -> str:
    clock.advance(seconds=1)                      # one after the other, not all at 09:00:00
    return api.post("/api/tickets", json={"subject": subject}).json["phone_token"]


def versions(streams) -> list[int]:
    return [s.watched.current[0] for s in streams]


def test_one_batch_reads_the_hall_once_and_wakes_only_the_changed(app, api, clock):
    service = app.extensions["yichuang.service"]
    watch = PhoneWatch(service, keepalive=0.2, watcher=False)
    clerk = staff_window(api, 1)
    # Area B's ticket, first in line: window 1 (area A) does not serve it.
    other_area = issue(api, clock, "BDC-0401")
    tokens = [issue(api, clock, "SS-0102") for _ in range(4)]
    streams = [watch.subscribe(t) for t in tokens + [other_area]]
    assert watch.batch(waits=True) == 0             # nothing happened since they came
    reads, forecasts = [], service.hall.estimator.full_forecasts
    original = service.read
    service.read = lambda query: reads.append(1) or original(query)
    clerk.post("/api/windows/1/call-next")
    clock.advance(seconds=2)                        # the estimator's second-old cache expires
    before = versions(streams)
    assert watch.batch(waits=False) == 1            # the call at once, by look-ups alone
    assert service.hall.estimator.full_forecasts == forecasts
    called = versions(streams)
    assert watch.batch(waits=True) == 3             # then the counts behind it, in one go
    after = versions(streams)
    service.read = original
    assert len(reads) == 2                          # one read of the hall a batch, all phones
    assert service.hall.estimator.full_forecasts == forecasts + 1
    assert [b != c for b, c in zip(before, called)] == [True, False, False, False, False]
    assert [c != a for c, a in zip(called, after)] == [False, True, True, True, False]
    assert watch.batch(waits=True) == 0
    for stream in streams:
        stream.close()
    assert watch.watched == 0


def test_a_far_away_count_waits_its_turn_but_a_call_does_not(app, api, clock):
    watch = PhoneWatch(app.extensions["yichuang.service"], keepalive=0.2, watcher=False,
                       minor_every=3600)
    clerk = staff_window(api, 1)
    tokens = [issue(api, clock, "SS-0102") for _ in range(9)]
    first, last = watch.subscribe(tokens[0]), watch.subscribe(tokens[-1])
    clerk.post("/api/windows/1/call-next")
    clock.advance(seconds=2)
    assert watch.batch(waits=True) == 1             # the call goes; 8 -> 7 ahead waits
    assert first.watched.current[0] == 1 and last.watched.current[0] == 0
    for _ in range(3):                              # three more calls: 4 ahead, near now
        clerk.post("/api/windows/1/finish")
        clerk.post("/api/windows/1/call-next")
    clock.advance(seconds=2)
    watch.batch(waits=True)
    assert last.watched.current[0] == 1
    assert b'"people_ahead":4' in last.watched.current[1]


def test_a_range_that_moves_while_the_wait_stays_reaches_the_phone(app, api, clock):
    service = app.extensions["yichuang.service"]
    watch = PhoneWatch(service, keepalive=0.2, watcher=False)
    staff_window(api, 1)
    tokens = [issue(api, clock, "SS-0102") for _ in range(4)]
    stream = watch.subscribe(tokens[-1])
    first = json.loads(stream.watched.current[1].split(b"data: ", 1)[1])
    assert first["eta_minutes"] > 10
    clock.advance(seconds=2)
    assert watch.batch(waits=True) == 0             # nothing moved
    # The hall records that waits like this one all ran twice as long as told: the
    # range moves (to about twice the point, and narrower), while the point stays.
    minutes = first["eta_minutes"]
    service.read(lambda hall, now: [hall.wait_ranges.record(minutes, 2 * minutes, 3, 9)
                                    for _ in range(300)])
    clock.advance(seconds=2)
    assert watch.batch(waits=True) == 1
    frame = json.loads(stream.watched.current[1].split(b"data: ", 1)[1])
    assert eta_bucket(frame["eta_minutes"]) == eta_bucket(minutes)   # the wait: same news
    assert eta_bucket(frame["eta_high"]) != eta_bucket(first["eta_high"])
    assert frame["eta_low"] > first["eta_low"] + 5
    stream.close()


def test_eta_buckets():
    assert [eta_bucket(m) for m in (None, 0.2, 4.6, 10.4, 12.4, 13, 37, 38.4)] == \
        [None, 0, 5, 10, 10, 15, 35, 40]
