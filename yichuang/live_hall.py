"""The demo hall comes alive: a simulated day's citizens and clerks, played against the
server through its client (`server.client.HallClient`), as a real hall would.

The citizens take their numbers at the demo's second kiosk (`demo-kiosk-2`; green-
channel numbers are given by the duty manager, as staff must), with an ID card where
the matter needs one and read from the card for the elderly. Each window's clerk
(`demo-clerk-NN` at window NN) logs in, opens, calls the next number when free,
waits for the citizen to walk up, serves for the script's time, and finishes; a
citizen who does not come is recalled once and marked a no-show, a late one comes
after the recall, now and then one is transferred to another pool halfway through,
and each window pauses for its lunch break. The script is `simulator.live.live_day`:
times compressed by `pace` (simulated minutes per real minute); the server's clock
is not touched.

Nothing the server refuses stops it: a refusal (the state moved, the hall closed) is
logged and the clerk sits down again; a server that does not answer is waited for.
Threads (greenlets under the demo's gevent) that `stop()` ends.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, fields
from datetime import date

from core.id_cards import check_digit
from core.settings.schema import HallSettings, Priority
from server.client import ApiError, HallClient, ServerUnavailable
from simulator.live import DEFAULT_PACE, Citizen, LiveDay, live_day, walk_in

log = logging.getLogger("yichuang.live")

CROWD_TOKEN = "demo-kiosk-2"           # the user's own kiosk is demo-kiosk-1
STAFF_TOKEN = "demo-manager"           # green-channel numbers are staff-only
LUNCH = "lunch"                        # a standard pause reason (core.windows.PAUSE_REASONS)
PHONE_PAGE_AHEAD = 5                   # the phone page printed: a number with people ahead
# The elderly's cards are read at the kiosk: their names, masked, are on the hall's board.
HOLDER_NAMES = ("王秀兰", "李建国", "张桂英", "刘德明", "陈玉珍", "杨国华", "赵淑芬", "黄志强")
BETWEEN_DAYS_SECONDS = 10.0
CLOSING_GRACE_SECONDS = 120.0          # a window that cannot close does not hold up the next day


def clerk_token(window: int) -> str:
    """The demo hall's clerk n is meant for window n (config/demo-hall.toml)."""
    return f"demo-clerk-{window:02d}"


def id_card_number(serial: int, elderly: bool) -> str:
    """A well-formed made-up ID card number (GB 11643), one per simulated citizen."""
    born = date(1950 + serial % 9 if elderly else 1975 + serial % 25, 1 + serial % 12,
                1 + serial % 28)
    first17 = f"610103{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_digit(first17)


@dataclass
class Figures:
    """What the live hall did (and what was refused), for its tests and its user."""

    issued: int = 0
    called: int = 0
    started: int = 0
    finished: int = 0
    no_shows: int = 0
    recalls: int = 0
    transfers: int = 0
    lunch_breaks: int = 0
    refusals: int = 0
    unavailable: int = 0
    errors: int = 0

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class LiveHall:
    """`start()` the simulated crowd and clerks against the server at `url`; `stop()`."""

    def __init__(self, settings: HallSettings, url: str, pace: float = DEFAULT_PACE,
                 seed: int = 1, load: float = 0.8, public_url: str | None = None,
                 say=None) -> None:
        if not pace > 0:
            raise ValueError(f"pace must be above 0, not {pace!r}")
        self.settings, self.url, self.pace, self.seed, self.load = (
            settings, url, pace, seed, load)
        self.public_url = (public_url or url).rstrip("/")
        self.say = say or (lambda text: None)
        self.figures = Figures()
        self.phone_page: str | None = None
        self._counting = threading.Lock()
        self._stopping = threading.Event()
        self._arrived = threading.Condition()
        self._citizens: dict[str, Citizen] = {}     # ticket number -> its script
        self._day: tuple[int, LiveDay, float] | None = None   # (index, script, began)
        self._done: set[int] = set()                 # windows closed for the day
        self._threads: list[threading.Thread] = []
        # ID cards differ from run to run: a demo day runs again and again, and one card
        # takes at most `tickets_per_id_per_day` numbers a day
        self._serial = int(time.time()) % 1_000_000

    # --- running ------------------------------------------------------------------------
    def start(self) -> LiveHall:
        targets = [("crowd", self._crowd)] + [
            (f"clerk-{w.number}", lambda n=w.number: self._clerk(n))
            for w in self.settings.windows]
        for name, target in targets:
            thread = threading.Thread(target=self._guarded, args=(target,), daemon=True,
                                      name=f"live-{name}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        with self._arrived:
            self._arrived.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def _guarded(self, target) -> None:
        """Run a part until stopped; an unexpected error is logged and the part goes on."""
        while not self._stopping.is_set():
            try:
                target()
                return
            except Exception:            # noqa: BLE001 (the demo must not die of a bug)
                self._count("errors")
                log.exception("the live hall: unexpected error; going on")
                self._stopping.wait(1.0)

    def _count(self, name: str, by: int = 1) -> None:
        with self._counting:
            setattr(self.figures, name, getattr(self.figures, name) + by)

    def _wait(self, seconds: float) -> bool:
        """Sleep `seconds` (real); False if the live hall is stopping."""
        return not self._stopping.wait(max(0.0, seconds))

    def _ask(self, what: str, call, *args, **kwargs):
        """(True, answer), or (False, None) when the server refused or did not answer."""
        try:
            return True, call(*args, **kwargs)
        except ServerUnavailable as error:
            self._count("unavailable")
            log.info("the live hall: %s: the server did not answer (%s)", what, error)
            self._wait(1.0)
        except ApiError as error:
            self._count("refusals")
            log.info("the live hall: %s refused: %s", what, error)
        return False, None

    # --- the citizens -----------------------------------------------------------------
    def _crowd(self) -> None:
        kiosk = HallClient(self.url, CROWD_TOKEN)
        staff = HallClient(self.url, STAFF_TOKEN)
        index = 0
        while not self._stopping.is_set():
            if not self._wait_for_opening(kiosk):
                return
            day = live_day(self.settings, self.seed + index, self.pace, self.load)
            began = time.monotonic()
            with self._arrived:
                self._day, self._done = (index, day, began), set()
                self._arrived.notify_all()
            for citizen in day.citizens:
                if not self._wait(began + citizen.at - time.monotonic()):
                    return
                self._issue(kiosk, staff, citizen)
            last_call = began + day.ends + CLOSING_GRACE_SECONDS
            while len(self._done) < len(self.settings.windows) and time.monotonic() < last_call:
                if not self._wait(1.0):
                    return
            self.say(f"yichuang: the simulated day {index + 1} is over; the next starts in "
                     f"{BETWEEN_DAYS_SECONDS:.0f} s")
            if not self._wait(BETWEEN_DAYS_SECONDS):
                return
            index += 1

    def _wait_for_opening(self, kiosk: HallClient) -> bool:
        said = False
        while not self._stopping.is_set():
            ok, opening = self._ask("opening hours", kiosk.opening)
            if ok and (opening.windows_open or not self.settings.hours.refuse_outside_hours):
                return True
            if ok and not said:
                self.say(f"yichuang: the simulated citizens wait for the hall to give window "
                         f"numbers ({opening.reason}; next {opening.next_opening or '?'})")
                said = True
            self._wait(30.0 if ok else 2.0)
        return False

    def _issue(self, kiosk: HallClient, staff: HallClient, citizen: Citizen) -> None:
        subject = self.settings.subject(citizen.matter)
        self._serial += 1
        elderly = citizen.priority is Priority.ELDERLY
        id_card = (id_card_number(self._serial, elderly) if elderly or subject.real_name
                   else None)
        if citizen.priority is Priority.GREEN:
            ok, issued = self._ask("a green-channel number", staff.issue_ticket, subject.code,
                                   priority="green", id_card=id_card)
        else:   # an appointment would come from a booking's check-in: a walk-in here
            name = HOLDER_NAMES[self._serial % len(HOLDER_NAMES)] if elderly else ""
            ok, issued = self._ask(f"a number for {subject.code}", kiosk.issue_ticket,
                                   subject.code, id_card=id_card, id_card_read=elderly,
                                   holder_name=name)
        if not ok:
            return
        self._count("issued")
        with self._arrived:
            self._citizens[issued.number] = citizen
            self._arrived.notify_all()
        if self.phone_page is None and (issued.people_ahead >= PHONE_PAGE_AHEAD
                                        or self.figures.issued >= PHONE_PAGE_AHEAD * 2):
            self.phone_page = f"{self.public_url}/t/{issued.phone_token}"
            self.say(f"yichuang: a citizen's phone page (ticket {issued.number}, "
                     f"{issued.people_ahead} ahead): {self.phone_page}")

    # --- the clerks ---------------------------------------------------------------------
    def _clerk(self, window: int) -> None:
        client = HallClient(self.url, clerk_token(window))
        seen, lunch_taken = None, False
        while not self._stopping.is_set():
            current = self._day
            if current is None:
                with self._arrived:
                    self._arrived.wait(1.0)
                continue
            index, day, began = current
            if index != seen:
                if not self._wait(0.2 * (window % 8)):      # clerks sit down one by one
                    return
                self._sit_down(client, window)
                seen, lunch_taken = index, False
            if window in self._done:                     # closed until the next day
                with self._arrived:
                    self._arrived.wait(2.0)
                continue
            elapsed = time.monotonic() - began
            lunch = day.breaks.get(window)
            if lunch and not lunch_taken and lunch[0] <= elapsed < lunch[1]:
                lunch_taken = True
                if not self._lunch(client, window, began + lunch[1]):
                    return
                continue
            ok, answer = self._ask(f"window {window} calls next", client.call_next, window)
            if not ok:
                if self._wait(2.0):
                    self._sit_down(client, window)
                continue
            if answer.ticket is not None:
                self._count("called")
                self._serve(client, window, answer.ticket)
            elif elapsed > day.ends:
                self._ask(f"window {window} closes", client.close_window, window)
                self._done.add(window)
            else:
                with self._arrived:
                    self._arrived.wait(2.0)
                called = self._called_here(client, window) if answer.window.ready else None
                if called is not None:         # 待叫: a citizen came and was called here
                    self._count("called")
                    self._serve(client, window, called)

    def _called_here(self, client: HallClient, window: int):
        """The ticket the server called to this waiting window by itself (待叫), if any:
        a clerk looks up at the caller's screen before pressing again."""
        ok, windows = self._ask(f"window {window} looks at its screen", client.windows)
        number = next((w.current for w in windows if w.number == window), "") if ok else ""
        if not number:
            return None
        ok, status = self._ask(f"window {window} reads {number}", client.ticket, number)
        return status.ticket if ok and status.ticket.state == "called" else None

    def _sit_down(self, client: HallClient, window: int) -> None:
        self._ask(f"clerk {window} logs in", client.log_in, window)
        self._ask(f"window {window} opens", client.open_window, window)

    def _lunch(self, client: HallClient, window: int, until: float) -> bool:
        ok, _ = self._ask(f"window {window} pauses for lunch", client.pause_window, window,
                          LUNCH)
        if ok:
            self._count("lunch_breaks")
        if not self._wait(until - time.monotonic()):
            return False
        self._ask(f"window {window} resumes", client.resume_window, window)
        return True

    def _serve(self, client: HallClient, window: int, ticket) -> None:
        with self._arrived:
            citizen = self._citizens.pop(ticket.number, None)
        if citizen is None:
            citizen = walk_in(self.settings, ticket.subject, self.pace)
        if citizen.no_show or citizen.late:
            if not self._wait(self.settings.rules.recall_cooldown_seconds + 0.5):
                return
            ok, _ = self._ask(f"window {window} recalls {ticket.number}", client.recall, window)
            self._count("recalls", ok)
            if citizen.no_show:
                if self._wait(max(2.0, citizen.walk_seconds)):
                    ok, _ = self._ask(f"window {window}: {ticket.number} did not come",
                                      client.mark_no_show, window)
                    self._count("no_shows", ok)
                return
        if not self._wait(citizen.walk_seconds):
            return
        ok, _ = self._ask(f"window {window} starts {ticket.number}", client.start_service, window)
        if not ok:
            return
        self._count("started")
        if citizen.transfer and self._transfer(client, window, ticket, citizen):
            return
        if self._wait(citizen.service_seconds):
            ok, _ = self._ask(f"window {window} finishes {ticket.number}",
                              client.finish_service, window)
            self._count("finished", ok)

    def _transfer(self, client: HallClient, window: int, ticket, citizen: Citizen) -> bool:
        """Halfway through, send the citizen to another pool skilled for their matter."""
        here = self.settings.window(window).pool
        pools = sorted({w.pool for w in self.settings.windows
                        if ticket.category in w.skills and w.pool != here})
        if not pools or not self._wait(citizen.service_seconds / 2):
            return False
        ok, _ = self._ask(f"window {window} transfers {ticket.number}", client.transfer,
                          window, note="模拟：转其他区办理", to_pool=pools[0])
        if not ok:
            return False
        self._count("transfers")
        rest = Citizen(citizen.trace_id, citizen.at, citizen.matter, citizen.priority,
                       citizen.walk_seconds, citizen.service_seconds / 2)
        with self._arrived:
            self._citizens[ticket.number] = rest
            self._arrived.notify_all()
        return True
