"""The typed Python client for the hall server: REST commands and the event stream.

Kiosk, caller and display use this and nothing else of `server`. It needs only
the standard library and `core`. Answers are typed: tickets, windows and cases
come back as `core` records (`TicketInfo`, `WindowInfo`, `CaseInfo`), events as
`core.events.LoggedEvent` holding a typed `core.events` event. Method names are
the names of the core actions they run (`close_window`, `resume_ticket`, ...).

Every command (POST) carries a fresh `Idempotency-Key`: when the connection
breaks after it was sent, the client asks once more with the same key, and the
server answers with the first result if it had already carried the command out,
so a ticket is never issued twice behind the user's back. If that fails too, it
raises `ServerUnavailable`; calling again with the same `idempotency_key` stays
safe. The event stream reconnects by itself and resumes from the last event id it
saw.
"""
from __future__ import annotations

import http.client
import json
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import quote, urlsplit

from core.bookings import BookingInfo, SlotInfo
from core.cases import CaseInfo
from core.events import LoggedEvent, Snapshot, event_from_dict
from core.opening import OpeningInfo
from core.printing import SlipPrint
from core.tickets import HistoryEntry, TicketInfo
from core.windows import WindowInfo
from server.client_cases import CaseCalls
from server.client_floor import CaseProgress, FloorCalls  # noqa: F401  (CaseProgress: re-exported)
from server.client_people import PersonCalls, PersonSession  # noqa: F401  (re-exported)

Key = str | None     # an Idempotency-Key: one per press, the same on its retries
RANGES = ("eta_low", "eta_high")   # an estimate's 80% range, in an answer


class ApiError(Exception):
    """The server refused a request: `error` is its kind, `code` names the refusal
    (say it to a person through the message catalogue), `message` says why in English."""

    def __init__(self, status: int, error: str, message: str, details: dict | None = None,
                 code: str = ""):
        super().__init__(f"{status} {error}: {message}")
        self.status, self.error, self.message = status, error, message
        self.code = code or error
        self.details = details or {}


class ServerUnavailable(ApiError):
    def __init__(self, message: str):
        super().__init__(0, "unavailable", message)


def _logged(events: list[dict]) -> tuple[LoggedEvent, ...]:
    return tuple(LoggedEvent(e["id"], e["data"].get("at", ""),
                             event_from_dict(e["type"], e["data"])) for e in events)


@dataclass(frozen=True)
class IssuedTicket:
    ticket: TicketInfo
    people_ahead: int
    eta_minutes: float | None
    phone_url: str
    phone_token: str
    materials: tuple[str, ...]
    events: tuple[LoggedEvent, ...]
    eta_low: float | None = None      # the estimate's 80% range; None without an estimate
    eta_high: float | None = None

    @property
    def number(self) -> str:
        return self.ticket.number


@dataclass(frozen=True)
class WindowAnswer:
    """A window action's answer: the window and its current ticket just after it."""

    window: WindowInfo
    ticket: TicketInfo | None
    events: tuple[LoggedEvent, ...]
    case: CaseInfo | None = None      # finish: the case it opened (with its page token) ...
    slip: SlipPrint | None = None     # ... and its acceptance slip for the window's printer


@dataclass(frozen=True)
class TicketStatus:
    ticket: TicketInfo
    people_ahead: int
    eta_minutes: float | None
    history: tuple[HistoryEntry, ...]
    eta_low: float | None = None      # the estimate's 80% range; None without an estimate
    eta_high: float | None = None


@dataclass(frozen=True)
class PhoneTicket:
    """What the citizen's phone page shows (reached by the ticket's phone token)."""

    ticket: TicketInfo
    subject_name: str
    materials: tuple[str, ...]
    people_ahead: int
    eta_minutes: float | None
    window_name: str | None
    hall: str
    as_of: str
    eta_low: float | None = None      # the estimate's 80% range; None without an estimate
    eta_high: float | None = None


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    display_name: str
    window: int | None


class HallClient(FloorCalls, PersonCalls, CaseCalls):
    def __init__(self, base_url: str, token: str = "", timeout: float = 10.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.token, self.timeout = token, timeout
        self._local = threading.local()

    # --- transport ---------------------------------------------------------------
    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._local.conn = conn
            self._local.used = False
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def _headers(self, body: bytes | None) -> dict:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            headers["Content-Type"] = "application/json"
        return headers

    def request(self, method: str, path: str, body: dict | None = None,
                idempotency_key: str | None = None) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = self._headers(data)
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or uuid.uuid4().hex
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                self._local.used = True
                return self._decode(response.status, payload)
            except (OSError, http.client.HTTPException) as error:
                self._drop_connection()
                # Safe to ask once more: a read changes nothing, and a command's key
                # makes the server answer a repeat with its first result.
                if attempt == 1:
                    continue
                raise ServerUnavailable(f"{method} {path}: {error!r}") from None

    @staticmethod
    def _decode(status: int, payload: bytes) -> Any:
        try:
            body = json.loads(payload) if payload else {}
        except ValueError:
            body = {"error": "bad_response", "message": payload[:200].decode(errors="replace")}
        if status >= 400:
            raise ApiError(status, body.get("error", "error"), body.get("message", ""),
                           body.get("details"), body.get("code", ""))
        return body

    def close(self) -> None:
        self._drop_connection()

    # --- the hall ----------------------------------------------------------------
    def health(self) -> dict:
        return self.request("GET", "/api/health")

    def whoami(self) -> Identity:
        body = self.request("GET", "/api/whoami")
        return Identity(body["name"], body["role"], body["display_name"], body["window"])

    def hall(self) -> dict:
        """The hall's matters, themes, pools and windows, as `GET /api/hall` describes."""
        return self.request("GET", "/api/hall")

    def stats(self) -> dict:
        """Today's figures (`GET /api/stats`)."""
        return self.request("GET", "/api/stats")
    # --- tickets ------------------------------------------------------------------
    @staticmethod
    def _issued(body: dict) -> IssuedTicket:
        return IssuedTicket(TicketInfo.from_dict(body["ticket"]), body["people_ahead"],
                            body["eta_minutes"], body["phone_url"], body["phone_token"],
                            tuple(body["materials"]), _logged(body["events"]),
                            *map(body.get, RANGES))

    def issue_ticket(self, subject: str, priority: str | None = None,
                     id_card: str | None = None, id_card_read: bool = False,
                     idempotency_key: str | None = None,
                     holder_name: str = "") -> IssuedTicket:
        """`id_card_read`: the kiosk's reader read the card (a typed number is untrusted);
        `holder_name`, read from it, is kept masked (张*三) for the hall's board."""
        body: dict = {"subject": subject}
        if priority:
            body["priority"] = priority
        if id_card:
            body["id_card"], body["id_card_read"] = id_card, id_card_read
            if holder_name and id_card_read:
                body["holder_name"] = holder_name
        return self._issued(self.request("POST", "/api/tickets", body, idempotency_key))

    def pickup_ticket(self, case_number: str, idempotency_key: str | None = None
                      ) -> IssuedTicket:
        return self._issued(self.request(
            "POST", f"/api/cases/{quote(case_number)}/pickup-ticket", {}, idempotency_key))

    def ticket(self, number: str) -> TicketStatus:
        body = self.request("GET", f"/api/tickets/{quote(number)}")
        history = tuple(HistoryEntry.from_dict(h) for h in body["history"])
        return TicketStatus(TicketInfo.from_dict(body["ticket"]), body["people_ahead"],
                            body["eta_minutes"], history, *map(body.get, RANGES))

    def tickets(self, state: str = "") -> list[TicketInfo]:
        path = "/api/tickets" + (f"?state={quote(state)}" if state else "")
        return [TicketInfo.from_dict(t) for t in self.request("GET", path)["tickets"]]

    def cancel_ticket(self, number: str, reason: str = "") -> tuple[LoggedEvent, ...]:
        body = {"reason": reason} if reason else {}
        return _logged(self.request("POST", f"/api/tickets/{quote(number)}/cancel",
                                    body)["events"])

    def public_ticket(self, phone_token: str) -> PhoneTicket:
        body = self.request("GET", f"/api/public/tickets/{quote(phone_token)}")
        return PhoneTicket(TicketInfo.from_dict(body["ticket"]), body["subject_name"],
                           tuple(body["materials"]), body["people_ahead"], body["eta_minutes"],
                           body["window_name"], body["hall"], body["as_of"], *map(body.get, RANGES))

    # --- opening hours and appointments (预约) -----------------------------------------
    def opening(self) -> OpeningInfo:
        """What the hall offers now: window tickets, appointment check-ins, pickups."""
        return OpeningInfo.from_dict(self.request("GET", "/api/opening"))

    def booking_slots(self, subject: str, day: str | None = None) -> list[SlotInfo]:
        """The slots of a matter on `day` ("2026-11-24"), or on every bookable day."""
        query = f"?subject={quote(subject)}" + (f"&day={quote(day)}" if day else "")
        days = self.request("GET", "/api/booking/slots" + query)["days"]
        return [SlotInfo.from_dict(slot) for one in days for slot in one["slots"]]

    def book(self, subject: str, day: str, start: str, id_card: str) -> BookingInfo:
        body = {"subject": subject, "day": day, "start": start, "id_card": id_card}
        return BookingInfo.from_dict(self.request("POST", "/api/bookings", body)["booking"])

    def booking(self, code: str) -> BookingInfo:
        return BookingInfo.from_dict(self.request("GET", f"/api/bookings/{quote(code)}")
                                     ["booking"])

    def cancel_booking(self, code: str) -> BookingInfo:
        return BookingInfo.from_dict(self.request(
            "POST", f"/api/bookings/{quote(code)}/cancel", {})["booking"])

    def change_booking(self, code: str, day: str, start: str) -> BookingInfo:
        return BookingInfo.from_dict(self.request(
            "POST", f"/api/bookings/{quote(code)}/change", {"day": day, "start": start})
            ["booking"])

    def check_in_booking(self, code: str | None = None, id_card: str | None = None,
                         id_card_read: bool = False,
                         idempotency_key: str | None = None) -> IssuedTicket:
        """The appointment ticket of a booking: by its code (typed, or
        `core.bookings.code_from_scan` of its QR code) or by the ID card."""
        body: dict = {}
        if code:
            body["code"] = code
        if id_card:
            body["id_card"], body["id_card_read"] = id_card, id_card_read
        return self._issued(self.request("POST", "/api/booking/check-in", body,
                                         idempotency_key))

    # --- windows ------------------------------------------------------------------
    def windows(self) -> list[WindowInfo]:
        return [WindowInfo.from_dict(w) for w in self.request("GET", "/api/windows")["windows"]]

    def _window(self, number: int, action: str, body: dict | None = None,
                key: Key = None) -> WindowAnswer:
        answer = self.request("POST", f"/api/windows/{number}/{action}", body or {}, key)
        ticket, case, slip = answer["ticket"], answer.get("case"), answer.get("slip")
        return WindowAnswer(WindowInfo.from_dict(answer["window"]),
                            TicketInfo.from_dict(ticket) if ticket else None,
                            _logged(answer["events"]), CaseInfo.from_dict(case) if case else None,
                            SlipPrint.from_dict(slip) if slip else None)

    def log_in(self, window: int, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "login", key=idempotency_key)

    def log_out(self, window: int, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "logout", key=idempotency_key)

    def open_window(self, window: int, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "open", key=idempotency_key)

    def close_window(self, window: int, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "close", key=idempotency_key)

    def pause_window(self, window: int, reason: str, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "pause", {"reason": reason}, key=idempotency_key)

    def resume_window(self, window: int, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "resume", key=idempotency_key)

    def release_window(self, window: int, idempotency_key: Key = None) -> WindowAnswer:
        """A manager frees a window its clerk left with tickets (they wait again)."""
        return self._window(window, "release", key=idempotency_key)

    def move_window(self, window: int, pool: str, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "move", {"pool": pool}, key=idempotency_key)

    def call_next(self, window: int, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "call-next", key=idempotency_key)

    def call_ticket(self, window: int, number: str, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "call", {"number": number}, key=idempotency_key)

    def recall(self, window: int, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "recall", key=idempotency_key)

    def start_service(self, window: int, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "start", key=idempotency_key)

    def finish_service(self, window: int, open_case: bool = False,
                       missing_materials: list[str] = (),
                       supply_by: str | None = None,
                       idempotency_key: Key = None) -> WindowAnswer:
        """The matter's opens_case decides whether a case opens (`open_case` is kept for
        old callers); 容缺: the missing materials and their date."""
        body: dict = {"open_case": True} if open_case else {}
        if missing_materials:
            body["missing_materials"] = list(missing_materials)
        if supply_by:
            body["supply_by"] = supply_by
        return self._window(window, "finish", body, key=idempotency_key)

    def mark_no_show(self, window: int, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "no-show", key=idempotency_key)

    def transfer(self, window: int, note: str, to_pool: str | None = None,
                 to_window: int | None = None, subject: str | None = None,
                 idempotency_key: Key = None) -> WindowAnswer:
        body = {"note": note, "to_pool": to_pool, "to_window": to_window, "subject": subject}
        body = {k: v for k, v in body.items() if v is not None}
        return self._window(window, "transfer", body, key=idempotency_key)

    def park(self, window: int, note: str = "", idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "park", {"note": note}, key=idempotency_key)

    def resume_ticket(self, window: int, number: str, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "resume-ticket", {"number": number}, key=idempotency_key)

    def call_case(self, window: int, case_number: str, idempotency_key: Key = None) -> WindowAnswer:
        return self._window(window, "call-case", {"case_number": case_number}, key=idempotency_key)

    # --- cases and ratings -----------------------------------------------------------
    def cases(self, status: str = "", overdue: bool = False) -> list[CaseInfo]:
        query = "&".join(filter(None, [f"status={quote(status)}" if status else "",
                                       "overdue=1" if overdue else ""]))
        found = self.request("GET", "/api/cases" + (f"?{query}" if query else ""))["cases"]
        return [CaseInfo.from_dict(c) for c in found]

    def case(self, number: str) -> CaseInfo:
        return CaseInfo.from_dict(self.request("GET", f"/api/cases/{quote(number)}")["case"])

    def approve_case(self, number: str) -> tuple[LoggedEvent, ...]:
        return _logged(self.request("POST", f"/api/cases/{quote(number)}/approve",
                                    {})["events"])

    def supply_materials(self, number: str, materials: list[str]) -> tuple[LoggedEvent, ...]:
        return _logged(self.request("POST", f"/api/cases/{quote(number)}/supply",
                                    {"materials": materials})["events"])

    # --- the event stream -------------------------------------------------------------
    def events(self, last_event_id: int | None = None, reconnect: bool = True) -> EventStream:
        return EventStream(self, last_event_id, reconnect)

    def board_events(self, last_event_id: int | None = None,
                     reconnect: bool = True) -> EventStream:
        """The display role's stream, without a token (`/api/public/board/events`)."""
        return EventStream(self, last_event_id, reconnect, "/api/public/board/events")


class EventStream:
    """Iterate to receive a `core.events.Snapshot`, then `core.events.LoggedEvent`s;
    reconnects with Last-Event-ID (and may then start again from a new Snapshot).

    `close()` from any thread ends the iteration.
    """

    def __init__(self, client: HallClient, last_event_id: int | None, reconnect: bool,
                 path: str = "/api/events") -> None:
        self.client, self.last_event_id, self.reconnect = client, last_event_id, reconnect
        self.path = path
        self.retry_seconds = 2.0
        self.connections = 0
        self._closed = threading.Event()
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        self._closed.set()
        conn = self._conn
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __iter__(self) -> Iterator[LoggedEvent | Snapshot]:
        backoff = 0.2
        while not self._closed.is_set():
            try:
                for event in self._one_connection():
                    backoff = 0.2
                    yield event
            except (OSError, http.client.HTTPException, ServerUnavailable):
                pass
            if not self.reconnect or self._closed.is_set():
                return
            self._closed.wait(min(backoff, self.retry_seconds))
            backoff = min(backoff * 2, 5.0)

    def _one_connection(self) -> Iterator[LoggedEvent | Snapshot]:
        client = self.client
        conn = http.client.HTTPConnection(client.host, client.port, timeout=60)
        self._conn = conn
        headers = {"Accept": "text/event-stream"}
        if client.token:
            headers["Authorization"] = f"Bearer {client.token}"
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        try:
            conn.request("GET", self.path, headers=headers)
            response = conn.getresponse()
            if response.status != 200:
                body = response.read()
                error = HallClient._decode(response.status, body)
                raise ServerUnavailable(f"event stream answered {response.status}: {error}")
            self.connections += 1
            yield from self._parse(response)
        finally:
            conn.close()
            self._conn = None

    def _parse(self, response) -> Iterator[LoggedEvent | Snapshot]:
        event_id, event_type, data = None, "message", []
        while not self._closed.is_set():
            raw = response.readline()
            if not raw:
                return                      # the server went away: reconnect
            line = raw.decode("utf-8").rstrip("\r\n")
            if line == "":
                if data and event_id is not None:
                    self.last_event_id = event_id
                    yield _stream_item(event_id, event_type, "\n".join(data))
                event_id, event_type, data = None, "message", []
            elif line.startswith(":"):
                continue
            else:
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "id":
                    event_id = int(value)
                elif name == "event":
                    event_type = value
                elif name == "data":
                    data.append(value)
                elif name == "retry":
                    self.retry_seconds = int(value) / 1000


def _stream_item(event_id: int, event_type: str, text: str) -> LoggedEvent | Snapshot:
    if event_type == "snapshot":
        return Snapshot(event_id, json.loads(text))
    return LoggedEvent.decode(event_id, event_type, text)
