"""Idempotency-Key: a retried command gets its first answer, even across a restart."""
from __future__ import annotations

import sqlite3

from server.app import create_app
from tests.conftest import TOKENS, staff_window


def kiosk_post(client, path, body, key):
    return client.post(path, json=body, headers={"Authorization": f"Bearer {TOKENS['kiosk']}",
                                                 "Idempotency-Key": key})


def count(db_path, table) -> int:
    with sqlite3.connect(db_path) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_repeated_key_gets_the_first_answer_and_issues_once(app, db_path):
    client = app.test_client()
    first = kiosk_post(client, "/api/tickets", {"subject": "SS-0101"}, "key-1")
    again = kiosk_post(client, "/api/tickets", {"subject": "SS-0101"}, "key-1")
    assert first.status_code == again.status_code == 201
    assert again.json == first.json, "the same ticket, phone token and events"
    assert count(db_path, "tickets") == 1 and count(db_path, "events") == 1
    other = kiosk_post(client, "/api/tickets", {"subject": "SS-0101"}, "key-2")
    assert other.json["ticket"]["number"] == "A002"


def test_a_key_reused_for_another_request_is_refused(app, db_path):
    client = app.test_client()
    kiosk_post(client, "/api/tickets", {"subject": "SS-0101"}, "key-1")
    reused = kiosk_post(client, "/api/tickets", {"subject": "SS-0102"}, "key-1")
    assert reused.status_code == 422 and reused.json["details"]["field"] == "Idempotency-Key"
    assert count(db_path, "tickets") == 1


def test_the_first_answer_survives_a_restart(settings, clock, tmp_path):
    database = str(tmp_path / "hall.db")
    app = create_app(settings, database=database, clock=clock)
    first = kiosk_post(app.test_client(), "/api/tickets", {"subject": "SS-0101"}, "cut-off")
    app.extensions["yichuang.service"].close()        # the answer never reached the kiosk
    restarted = create_app(settings, database=database, clock=clock)
    again = kiosk_post(restarted.test_client(), "/api/tickets", {"subject": "SS-0101"},
                       "cut-off")
    assert again.json == first.json and count(database, "tickets") == 1
    restarted.extensions["yichuang.service"].close()


def test_window_actions_and_refusals(api, db_path):
    clerk = staff_window(api, 1)
    api.post("/api/tickets", json={"subject": "SS-0101"})
    api.post("/api/tickets", json={"subject": "SS-0101"})
    headers = {"Authorization": "Bearer demo-clerk-01", "Idempotency-Key": "press-1"}
    first = clerk.client.post("/api/windows/1/call-next", headers=headers, json={})
    again = clerk.client.post("/api/windows/1/call-next", headers=headers, json={})
    assert first.json == again.json and first.json["ticket"]["number"] == "A001"
    assert clerk.get("/api/windows").json["windows"][0]["current"] == "A001", \
        "the repeat did not pass A001 as a no-show and call A002"
    bad = clerk.client.post("/api/windows/1/call-next", json={},
                            headers={"Authorization": "Bearer demo-clerk-01",
                                     "Idempotency-Key": "x" * 65})
    assert bad.status_code == 422 and bad.json["details"]["field"] == "Idempotency-Key"


def test_keys_are_forgotten_with_the_day(app, clock, db_path):
    client = app.test_client()
    kiosk_post(client, "/api/tickets", {"subject": "SS-0101"}, "key-1")
    clock.advance(days=1)
    kiosk_post(client, "/api/tickets", {"subject": "SS-0102"}, "key-2")
    with sqlite3.connect(db_path) as db:
        assert [row[0] for row in db.execute("SELECT key FROM answers")] == ["key-2"]


def test_the_client_asks_again_with_the_same_key_when_the_answer_is_lost(live_server):
    """A proxy on 127.0.0.1 passes the first command to the server, then drops the
    connection instead of passing the answer back: the client asks once more with the
    same key and gets the ticket that was issued, not a second one."""
    import socket
    import threading
    from urllib.parse import urlsplit

    from server.client import HallClient
    target = urlsplit(live_server.url)
    listener = socket.create_server(("127.0.0.1", 0))
    dropped = []

    def whole(side) -> bytes:
        """One whole HTTP message (head and a Content-Length body) from a socket."""
        data = b""
        while b"\r\n\r\n" not in data:
            data += side.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            body += side.recv(65536)
        return head + b"\r\n\r\n" + body

    def relay(client_side):
        with client_side, socket.create_connection((target.hostname, target.port)) as server:
            request = whole(client_side)
            server.sendall(request)
            answer = whole(server)
            if not dropped:
                dropped.append(request)
                return                         # the answer is lost on the way back
            client_side.sendall(answer)

    def accept():
        for _ in range(2):
            connection, _ = listener.accept()
            threading.Thread(target=relay, args=(connection,), daemon=True).start()
    threading.Thread(target=accept, daemon=True).start()
    kiosk = HallClient(f"http://127.0.0.1:{listener.getsockname()[1]}", TOKENS["kiosk"],
                       timeout=5)
    issued = kiosk.issue_ticket("SS-0101")
    listener.close()
    assert dropped and b"Idempotency-Key" in dropped[0]
    direct = HallClient(live_server.url, TOKENS["manager"])
    assert [t.number for t in direct.tickets()] == [issued.number] == ["A001"]
