"""The server's estimates expect the citizens who have not come yet: those the hall's past
days bring at this hour (learned from the stored tickets at start, and from each day as it
ends) and today's bookings not yet checked in. The real server on 127.0.0.1, a real
SQLite file per hall."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from core.id_cards import check_digit
from core.settings.schema import Priority
from server.client import HallClient
from tests.conftest import TOKENS, ZONE, FakeClock, clerk_token

MONDAY_TEN = datetime(2026, 11, 23, 10, 0, tzinfo=ZONE)
TUESDAY = datetime(2026, 11, 24, 9, 50, tzinfo=ZONE)
SUBJECT = "SS-0102"          # the demo hall's acceptance_a (10 minutes), window 1's pool
LINE = 6                     # normal tickets already waiting at 09:50


def card(serial: int, born: str = "19800101") -> str:
    first17 = f"610503{born}{serial % 1000:03d}"
    return first17 + check_digit(first17)


@contextmanager
def server(settings, path, clock):
    from server.app import create_app
    from server.wsgi import BackgroundServer
    app = create_app(settings, database=str(path), clock=clock)
    try:
        with BackgroundServer(app, threads=8) as running:
            yield running.url
    finally:
        app.extensions["yichuang.service"].close()


def elderly_morning(settings, path, count: int = 30) -> None:
    """Monday: `count` elderly citizens take a number at 10:00 (nobody is served)."""
    clock = FakeClock(MONDAY_TEN)
    with server(settings, path, clock) as url:
        kiosk = HallClient(url, TOKENS["kiosk"])
        for serial in range(count):
            issued = kiosk.issue_ticket(SUBJECT, id_card=card(serial, "19500101"),
                                        id_card_read=True)
            assert issued.ticket.priority == Priority.ELDERLY.value


def tuesday_estimate(url: str, clock: FakeClock) -> float:
    """Tuesday 09:50: window 1 opens, LINE normal tickets; the one at 09:55, its estimate."""
    return estimate_at_955(url, clock)


def estimate_at_955(url: str, clock: FakeClock) -> float:
    """The clock's day, 09:50: window 1 opens, LINE normal tickets; the one at 09:55, its
    estimate."""
    clerk = HallClient(url, clerk_token(1))
    clerk.log_in(1)
    clerk.open_window(1)
    kiosk = HallClient(url, TOKENS["kiosk"])
    for serial in range(LINE):
        kiosk.issue_ticket(SUBJECT, id_card=card(100 + serial))
    clock.now = clock.now.replace(minute=55)
    mine = kiosk.issue_ticket(SUBJECT, id_card=card(200))
    assert mine.eta_low <= mine.eta_minutes <= mine.eta_high
    return mine.eta_minutes


def test_a_past_day_of_elderly_at_ten_makes_a_normal_ticket_at_955_wait_longer(settings,
                                                                              tmp_path):
    without = FakeClock(TUESDAY)
    with server(settings, tmp_path / "new.db", without) as url:
        plain = tuesday_estimate(url, without)

    # The same hall with Monday behind it, the day rolled over while the server runs.
    elderly_morning(settings, tmp_path / "hall.db")
    clock = FakeClock(MONDAY_TEN)
    with server(settings, tmp_path / "hall.db", clock) as url:
        clock.now = TUESDAY
        rolled = tuesday_estimate(url, clock)
    # The rate: 30 elderly numbers in the 10 o'clock hour, 2 minutes apart from 10:00;
    # each one goes before the normal line.
    assert rolled >= plain + 10, (plain, rolled)

    # Restarted on Tuesday, the server learns Monday from the stored tickets
    # (Store._learn_arrivals: the days before the stored day, Tuesday).
    clock = FakeClock(TUESDAY.replace(minute=55))
    with server(settings, tmp_path / "hall.db", clock) as url:
        learned = HallClient(url, TOKENS["kiosk"]).ticket("A007").eta_minutes
    assert learned >= plain + 10, (plain, learned)
    assert abs(learned - rolled) <= 1.0, (rolled, learned)

    # A server started on Tuesday on Monday's file: the day rolls over at its first action.
    stored = tmp_path / "stored.db"
    elderly_morning(settings, stored)
    clock = FakeClock(TUESDAY)
    with server(settings, stored, clock) as url:
        started = tuesday_estimate(url, clock)
    assert abs(started - rolled) <= 1.0, (rolled, started)


def test_a_booking_not_yet_checked_in_counts_ahead(settings, tmp_path):
    without = FakeClock(TUESDAY)
    with server(settings, tmp_path / "new.db", without) as url:
        plain = tuesday_estimate(url, without)

    clock = FakeClock(MONDAY_TEN)
    with server(settings, tmp_path / "booked.db", clock) as url:
        public = HallClient(url)
        codes = [public.book(SUBJECT, "2026-11-24", "10:00", card(300 + serial)).code
                 for serial in range(2)]          # the 10:00 slot's two places
        clock.now = TUESDAY
        booked = tuesday_estimate(url, clock)
        # Once they have checked in they are real tickets, no longer expected ones.
        kiosk = HallClient(url, TOKENS["kiosk"])
        clock.now = TUESDAY.replace(minute=56)
        for code in codes:
            kiosk.check_in_booking(code)
        waiting = kiosk.ticket("A007")
    # Four appointments called at their slot (10:00 less the call-early minutes) go before
    # the normal line: at least a service each, shared by one window.
    assert booked >= plain + 2 * 5, (plain, booked)
    assert abs(waiting.eta_minutes - (booked - 1)) <= 3, (booked, waiting.eta_minutes)


def test_a_monday_expects_what_past_mondays_brought(settings, tmp_path):
    """Monday 23 brought 72 elderly citizens at ten, Tuesday 24 one normal ticket. On
    Wednesday (no Wednesday seen) ten o'clock expects the days' mean, 36 elderly an hour;
    on the next Monday, leaning on its own weekday (core.forecast.arrivals), (72 + 2 x 36)
    / 3 = 48. An elderly citizen goes before the normal ticket taken at 09:55 if they come
    within its 15-minute credit, by 10:10: about 6 on Wednesday, 8 on Monday, each a
    10-minute service at window 1."""
    history = tmp_path / "history.db"
    elderly_morning(settings, history, count=72)
    clock = FakeClock(TUESDAY)
    with server(settings, history, clock) as url:
        HallClient(url, TOKENS["kiosk"]).issue_ticket(SUBJECT, id_card=card(400))
    estimates = {}
    for name, day in (("wednesday", datetime(2026, 11, 25, 9, 50, tzinfo=ZONE)),
                      ("monday", datetime(2026, 11, 30, 9, 50, tzinfo=ZONE))):
        copy = tmp_path / f"{name}.db"
        copy.write_bytes(history.read_bytes())
        clock = FakeClock(day)
        with server(settings, copy, clock) as url:
            estimates[name] = estimate_at_955(url, clock)
    assert estimates["monday"] >= estimates["wednesday"] + 15, estimates
