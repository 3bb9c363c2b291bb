"""synchronous = FULL by group commit: commits are written with NORMAL and flushed (one
fsync of the WAL) before any of them is answered or published; actions that queue up
share one flush, and a failed flush answers 503 instead of an acknowledgement."""
from __future__ import annotations

import secrets
import threading
from datetime import datetime, timezone

import pytest

from core.actions.tickets import TicketRequest, issue_ticket
from core.events import TicketCancelled
from core.hall import Changes
from server.service import HallService, Unavailable
from server.storage import Store


def test_a_full_store_writes_with_normal_and_counts_what_is_not_yet_flushed(tmp_path):
    store = Store(str(tmp_path / "hall.db"), "FULL")
    assert store.group_commit
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 1      # NORMAL
    now = datetime.now(timezone.utc)
    for i in range(3):
        store.commit([TicketCancelled(number=f"A{i}", reason="")], Changes(), now, "d")
    assert (store.commits, store.unflushed) == (3, 3)
    store.flush()
    assert store.unflushed == 0
    store.close()
    plain = Store(str(tmp_path / "other.db"), "NORMAL")
    plain.commit([TicketCancelled(number="A1", reason="")], Changes(), now, "d")
    assert not plain.group_commit and plain.unflushed == 0
    plain.close()


def _issue(subject: str):
    def action(hall, now):
        return issue_ticket(hall, TicketRequest(subject=subject,
                                                phone_token=secrets.token_urlsafe(16)), now)
    return action


def test_no_action_is_answered_or_published_before_its_flush(settings, clock, tmp_path):
    service = HallService(settings, str(tmp_path / "hall.db"), clock)
    store, flushes, published = service._store, [], []
    flush, publish = store.flush, service.event_log.publish

    def counted_flush():
        flushes.append(store.last_event_id)      # every event up to here is now durable
        flush()

    def watched_publish(logged):
        assert all(e.id <= flushes[-1] for e in logged), "published before its flush"
        published.extend(e.id for e in logged)
        publish(logged)
    store.flush, service.event_log.publish = counted_flush, watched_publish
    answered, errors = [], []

    def citizen(n: int) -> None:
        try:
            for i in range(25):
                clock.advance(seconds=0.001)
                logged = service.act(_issue("SS-0102"))
                durable = flushes[-1] if flushes else 0
                answered.append(all(e.id <= durable for e in logged))
        except Exception as error:          # noqa: BLE001 (reported below)
            errors.append(error)
    threads = [threading.Thread(target=citizen, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(answered) == 200 and all(answered)
    assert published == sorted(published) == list(range(published[0], published[-1] + 1))
    assert service.event_log.last_id == store.last_event_id
    assert len(flushes) < 200          # actions that queued shared flushes (about 27 here)
    service.close()


def test_a_failed_flush_answers_unavailable_and_the_next_one_recovers(settings, clock,
                                                                       tmp_path):
    service = HallService(settings, str(tmp_path / "hall.db"), clock)
    store = service._store
    flush = store.flush

    def broken():
        raise OSError(5, "Input/output error")
    store.flush = broken
    with pytest.raises(Unavailable):
        service.act(_issue("SS-0102"))
    assert service.health()["status"] == "degraded"
    store.flush = flush
    clock.advance(seconds=1)
    logged = service.act(_issue("SS-0102"))
    # the events of the unanswered commit come out with the next flush, in order
    assert [e.event.number for e in logged] == ["A002"]
    assert service.event_log.last_id == store.last_event_id
    service.close()
