"""What the hall's calling board shows: a pure fold of the display's event stream.

    board = Board(settings)
    board.load(snapshot)               # the stream's first item (and after a reconnect)
    change = board.apply(logged)       # each LoggedEvent, in id order
    if change and change.new_call:     # a call made after the snapshot: flash it, say it
        ...
    board.picture(now, "zh")           # everything a board draws, JSON-ready

One fold feeds both boards: the Kivy board (display/) folds its own stream, the web
board's picture (`GET /api/public/board`) is folded on the server from the same
audience's stream. The rules:
- an event whose id is not above the last one applied is ignored: a replay after a
  reconnect never applies (nor flashes) anything twice;
- calls known from a snapshot are shown, never as new: only calls applied after it
  flash (`Change.new_call`);
- the latest calls (shown large) are, per window, its newest call while that ticket is
  still called or served there; the recent calls are the earlier ones, newest first;
- names come masked on the stream (张*三) and are shown as given; a pickup call shows
  its case number; a pause reason is shown only when it is one of `PAUSE_REASONS`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.announcements import Announcement, spoken_text
from core.events import LoggedEvent, Snapshot
from core.messages import N_, translator
from core.opening import APPOINTMENT, WORKING, opening
from core.settings.schema import HallSettings
from core.settings.voice import VoiceSettings
from core.windows import PAUSE_REASONS as PAUSE_REASON_CODES

# The standard pause reasons a board may show (`core.windows.PAUSE_REASONS`, which
# the stream keeps) and what they read; any other reason a clerk types stays off the
# board and off its stream.
PAUSE_REASONS: dict[str, str] = {
    "lunch": N_("Lunch break"),
    "break": N_("Short break"),
    "meeting": N_("Meeting"),
    "training": N_("Training"),
    "system_fault": N_("System fault"),
}
if set(PAUSE_REASONS) != set(PAUSE_REASON_CODES):      # one list, said once
    raise ImportError("core.board.PAUSE_REASONS must label exactly core.windows.PAUSE_REASONS")
HISTORY = 60                  # calls kept, newest first: enough for any recent list
ACTIVE = ("called", "serving")
FINAL = ("finished", "no_show", "cancelled")
DIGITS_ZH = dict(zip("0123456789", "零一二三四五六七八九"))


@dataclass(frozen=True)
class Call:
    """A ticket called (or recalled) to a window, as the board shows it."""

    event_id: int             # 0: known from a snapshot, never new
    kind: str                 # call, recall, pickup
    number: str
    window: int
    window_name: str
    holder_name: str = ""     # masked (张*三) or ""
    case_number: str = ""     # a pickup call's case
    at: str = ""              # when it was made (ISO), "" when known from a snapshot


@dataclass(frozen=True)
class Change:
    """What one applied event changed: `new_call` when it is a call to flash and say."""

    event_id: int
    new_call: Call | None = None


@dataclass
class _Ticket:
    number: str
    category: str
    pool: str
    issued_at: str
    state: str = "waiting"
    window: int | None = None
    case_number: str = ""
    holder_name: str = ""


@dataclass
class _Window:
    number: int
    name: str
    pool: str
    status: str = "closed"
    reason: str = ""
    current: str = ""


class Board:
    def __init__(self, settings: HallSettings) -> None:
        self.settings = settings
        self.config = settings.board
        self.service_day = ""
        self.last_id = 0
        self.loaded = False               # a snapshot has been loaded
        self.tickets: dict[str, _Ticket] = {}
        self.windows = {w.number: _Window(w.number, w.name, w.pool) for w in settings.windows}
        self.history: list[Call] = []     # newest first

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot, settings: HallSettings) -> Board:
        board = cls(settings)
        board.load(snapshot)
        return board

    # --- folding ------------------------------------------------------------------
    def load(self, snapshot: Snapshot) -> None:
        """Start again from a snapshot (at start or after a reconnect): its calls are
        shown but are not new; calls already shown today stay in the recent list."""
        picture = snapshot.picture
        day = picture.get("service_day", "")
        earlier = self.history if day == self.service_day else []
        self.service_day, self.last_id, self.loaded = day, snapshot.id, True
        self.tickets = {}
        for info in picture.get("tickets", ()):
            self.tickets[info["number"]] = _Ticket(
                info["number"], info["category"], info["pool"], info["issued_at"],
                info["state"], info.get("window"), info.get("case_number", ""),
                info.get("holder_name", ""))
        current = []
        for info in picture.get("windows", ()):
            window = self.windows.setdefault(info["number"], _Window(
                info["number"], info["name"], info["pool"]))
            window.name, window.pool = info.get("name", window.name), info["pool"]
            window.status, window.reason = info["status"], info.get("pause_reason", "")
            window.current = info.get("current", "")
            ticket = self.tickets.get(window.current)
            if ticket is not None and ticket.state in ACTIVE:
                current.append(Call(0, self._kind_of(ticket, recall=False), ticket.number,
                                    window.number, window.name, ticket.holder_name,
                                    ticket.case_number))
        shown = {(c.number, c.window) for c in earlier}
        # newest call first, as the events would have drawn them (an older server's
        # snapshot without call times: called before served, then by window)
        called_at = {t["number"]: t.get("last_called_at", "") for t in picture.get("tickets", ())}
        current.sort(key=lambda c: (self.tickets[c.number].state != "called", c.window))
        current.sort(key=lambda c: called_at.get(c.number, ""), reverse=True)
        self.history = ([c for c in current if (c.number, c.window) not in shown]
                        + earlier)[:HISTORY]

    def apply(self, logged: LoggedEvent) -> Change | None:
        """Fold one event; None if it was already applied (a replay)."""
        if logged.id <= self.last_id:
            return None
        self.last_id = logged.id
        handler = getattr(self, "_on_" + logged.type, None)
        call = handler(logged.event, logged) if handler else None
        return Change(logged.id, call)

    def _kind_of(self, ticket: _Ticket, recall: bool) -> str:
        return "recall" if recall else "pickup" if ticket.case_number else "call"

    def _ticket(self, number: str) -> _Ticket:
        ticket = self.tickets.get(number)
        if ticket is None:            # not seen yet (a board that joined late): still shown
            ticket = self.tickets[number] = _Ticket(number, "", "", "")
        return ticket

    def _window(self, number: int) -> _Window:
        window = self.windows.get(number)
        if window is None:
            window = self.windows[number] = _Window(number, f"{number}", "")
        return window

    def _leave(self, number: str, state: str) -> None:
        """The ticket leaves its window (finished, no show, transferred, parked ...)."""
        ticket = self._ticket(number)
        ticket.state = state
        for window in self.windows.values():
            if window.current == number:
                window.current = ""
        if state in FINAL:
            del self.tickets[number]

    def _called(self, event, logged: LoggedEvent, recall: bool) -> Call:
        ticket = self._ticket(event.number)
        ticket.state, ticket.window = "called", event.window
        if not recall:
            ticket.case_number = event.case_number or ticket.case_number
            ticket.holder_name = getattr(event, "holder_name", "") or ticket.holder_name
        window = self._window(event.window)
        window.current, window.name = event.number, event.window_name or window.name
        call = Call(logged.id, self._kind_of(ticket, recall), ticket.number, window.number,
                    window.name, ticket.holder_name, ticket.case_number, logged.at)
        self.history = [call] + self.history[:HISTORY - 1]
        return call

    def _on_TicketIssued(self, event, logged):
        self.tickets[event.number] = _Ticket(
            event.number, event.category, event.pool, logged.at,
            case_number=event.case_number, holder_name=getattr(event, "holder_name", ""))

    def _on_TicketCalled(self, event, logged):
        return self._called(event, logged, recall=False)

    def _on_TicketRecalled(self, event, logged):
        return self._called(event, logged, recall=True)

    def _on_ServiceStarted(self, event, logged):
        self._ticket(event.number).state = "serving"

    def _on_ServiceFinished(self, event, logged):
        self._leave(event.number, "finished")

    def _on_TicketMarkedNoShow(self, event, logged):
        self._leave(event.number, "no_show")

    def _on_TicketCancelled(self, event, logged):
        self._leave(event.number, "cancelled")

    def _on_TicketRequeued(self, event, logged):
        """过号 put back in line: waiting again, its wait counted from its new place."""
        ticket = self._ticket(event.number)
        ticket.state, ticket.window = "waiting", None
        ticket.pool, ticket.category = event.pool, event.category
        ticket.issued_at = event.queue_since or logged.at

    def _on_TicketParked(self, event, logged):
        self._leave(event.number, "parked")

    def _on_TicketTransferred(self, event, logged):
        self._leave(event.number, "waiting")
        self.tickets[event.number].pool = event.to_pool

    def _on_TicketResumed(self, event, logged):
        ticket = self._ticket(event.number)
        ticket.state, ticket.window = "serving", event.window
        self._window(event.window).current = event.number

    def _on_WindowOpened(self, event, logged):
        window = self._window(event.window)
        window.status, window.reason = "open", ""

    def _on_WindowClosed(self, event, logged):
        window = self._window(event.window)
        window.status, window.reason, window.current = "closed", "", ""

    def _on_WindowPaused(self, event, logged):
        window = self._window(event.window)
        window.status, window.reason = "paused", event.reason

    def _on_WindowResumed(self, event, logged):
        window = self._window(event.window)
        window.status, window.reason = "open", ""

    def _on_WindowMovedToPool(self, event, logged):
        self._window(event.window).pool = event.pool

    def _on_WindowReleased(self, event, logged):
        for number in event.tickets:
            self._leave(number, "waiting")
        window = self._window(event.window)
        window.status, window.reason, window.current = "closed", "", ""

    def _on_DayStarted(self, event, logged):
        self.service_day, self.tickets, self.history = event.service_day, {}, []
        for window in self.windows.values():
            window.status, window.reason, window.current = "closed", "", ""

    # --- what the board shows --------------------------------------------------------
    def latest(self) -> list[Call]:
        """Per window its newest call while that ticket is still called or served
        there; newest first, at most `[board] latest_calls`."""
        found: list[Call] = []
        windows: set[int] = set()
        for call in self.history:
            ticket = self.tickets.get(call.number)
            if (call.window in windows or ticket is None or ticket.state not in ACTIVE
                    or ticket.window != call.window
                    or self.windows[call.window].current != call.number):
                continue
            windows.add(call.window)
            found.append(call)
            if len(found) == self.config.latest_calls:
                break
        return found

    def recent(self) -> list[Call]:
        """The calls before, newest first, each ticket once, at most `recent_calls`."""
        shown = {c.number for c in self.latest()}
        found: list[Call] = []
        for call in self.history:
            if call.number in shown:
                continue
            shown.add(call.number)
            found.append(call)
            if len(found) == self.config.recent_calls:
                break
        return found

    def waiting(self, now: datetime, by: str | None = None) -> list[dict]:
        """Per category (or pool): how many wait and the longest wait, in whole minutes
        since the ticket was issued (None when nobody waits); `[board] waiting_shown`
        chooses which, in the configuration's order."""
        by = by or self.config.waiting_by
        groups = self.settings.categories if by == "category" else self.settings.pools
        shown = self.config.waiting_shown if by == self.config.waiting_by else ()
        counts: dict[str, int] = {}
        oldest: dict[str, str] = {}
        for ticket in self.tickets.values():
            if ticket.state != "waiting":
                continue
            key = ticket.category if by == "category" else ticket.pool
            counts[key] = counts.get(key, 0) + 1
            if ticket.issued_at and (key not in oldest or ticket.issued_at < oldest[key]):
                oldest[key] = ticket.issued_at
        answer = []
        for group in groups:
            if shown and group.code not in shown:
                continue
            longest = None
            if group.code in oldest:
                waited = (now - datetime.fromisoformat(oldest[group.code])).total_seconds()
                longest = max(0, int(waited // 60))
            answer.append({"code": group.code, "name": group.name, "name_en": group.name_en,
                           "prefix": getattr(group, "prefix", ""),
                           "waiting": counts.get(group.code, 0),
                           "longest_wait_minutes": longest})
        return answer

    def paused(self) -> list[dict]:
        """Windows paused now, with the reason's code only when it is a standard one."""
        return [{"window": w.number, "name": w.name,
                 "reason": w.reason if w.reason in PAUSE_REASONS else ""}
                for w in sorted(self.windows.values(), key=lambda w: w.number)
                if w.status == "paused"]

    def picture(self, now: datetime, language: str | None = None) -> dict:
        """Everything a board draws, as JSON-ready values, texts in `language`."""
        language = language or self.config.language
        tr = translator("display", language)

        def call_view(call: Call) -> dict:
            ticket = self.tickets.get(call.number)
            window_name = (call.window_name if language == "zh"
                           else tr("Window {number}", number=call.window))
            return {"event_id": call.event_id, "kind": call.kind, "number": call.number,
                    "window": call.window, "window_name": window_name,
                    "holder_name": call.holder_name, "case_number": call.case_number,
                    "at": call.at, "state": ticket.state if ticket else "finished",
                    "sentence": sentence(call, language, self.settings.voice)}

        waiting = self.waiting(now)
        for group in waiting:
            group["label"] = group["name"] if language == "zh" else group["name_en"]
        paused = self.paused()
        for window in paused:
            reason = PAUSE_REASONS.get(window["reason"])
            window["reason_label"] = tr(reason) if reason else ""
            if language != "zh":
                window["name"] = tr("Window {number}", number=window["window"])
        return {
            "service_day": self.service_day, "last_event_id": self.last_id,
            "language": language, "hall": (self.settings.name if language == "zh"
                                            else self.settings.name_en),
            "now": now.isoformat(timespec="seconds"), "timezone": self.settings.timezone,
            "date": date_text(now, language), "time": f"{now:%H:%M}",
            "latest": [call_view(c) for c in self.latest()],
            "recent": [call_view(c) for c in self.recent()],
            "waiting_by": self.config.waiting_by, "waiting": waiting, "paused": paused,
            "windows": [{"number": w.number, "name": w.name, "status": w.status,
                         "current": w.current}
                        for w in sorted(self.windows.values(), key=lambda w: w.number)],
            "notice": self.config.notice, "hours": hours_text(self.settings, now, language),
            "orientation": self.config.orientation,
            "flash_seconds": self.config.flash_seconds,
            "speak_in_browser": self.config.speak_in_browser,
            "labels": labels(language),
        }


def labels(language: str) -> dict[str, str]:
    """The board's fixed texts in one language (the web board has no catalogue)."""
    tr = translator("display", language)
    return {"now_calling": tr("Now calling"), "number": tr("Number"), "window": tr("Window"),
            "recent": tr("Recent calls"), "waiting": tr("Waiting"),
            "longest": tr("Longest wait"), "paused": tr("Paused"),
            "people": tr("{n} waiting", n="{n}"), "minutes": tr("{minutes} min",
                                                               minutes="{minutes}"),
            "pickup": tr("Pickup {case_number}", case_number="{case_number}"),
            "recall": tr("Called again"), "nobody": tr("No one waiting"),
            "connecting": tr("Connecting to the hall server…"),
            "no_calls": tr("Please wait for your number to be called")}


def spoken_number(number: str, language: str) -> str:
    """A ticket number as it is read out: letters as letters, each digit a digit
    ("A012" -> "A零一二"; in English "A 0 1 2")."""
    if language == "zh":
        return "".join(DIGITS_ZH.get(ch, ch) for ch in number)
    return " ".join(number)


def sentence(call: Call, language: str, voice: VoiceSettings | None = None) -> str:
    """What the web board's speech says for the call: in Chinese the loudspeaker's own
    sentence from the `[voice]` templates (core.announcements), else the catalogue's."""
    if language == "zh" and voice is not None:
        return spoken_text(Announcement(call.event_id, call.kind, call.number, call.window,
                                        call.window_name, call.case_number), voice)
    tr = translator("display", language)
    window = (call.window_name if language == "zh"
              else tr("Window {number}", number=call.window))
    message = (N_("Number {number}, please go to {window} to collect your documents")
               if call.kind == "pickup" else N_("Number {number}, please go to {window}"))
    return tr(message, number=spoken_number(call.number, language), window=window)


WEEKDAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
                 N_("Saturday"), N_("Sunday"))


def date_text(now: datetime, language: str) -> str:
    tr = translator("display", language)
    return tr("{weekday}, {year}-{month}-{day}", weekday=tr(WEEKDAY_NAMES[now.weekday()]),
              year=now.year, month=now.month, day=now.day)


def hours_text(settings: HallSettings, now: datetime, language: str) -> str:
    """Today's opening hours in one line, from `[hours]` (core.opening)."""
    tr = translator("display", language)
    today = opening(settings, now)
    hours = settings.hours

    def hhmm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if today.day_kind not in (WORKING, APPOINTMENT):
        parts = [tr("Closed today")]
        if today.next_opening:
            parts.append(tr("Open again {weekday} {time}",
                            weekday=tr(WEEKDAY_NAMES[today.next_opening.weekday()]),
                            time=f"{today.next_opening:%H:%M}"))
        return " · ".join(parts)
    parts = [tr("Open today {start}–{end}", start=hhmm(hours.open), end=hhmm(hours.close))]
    if today.day_kind == APPOINTMENT:
        parts.append(tr("Appointments only"))
    elif hours.lunchtime_service:
        parts.append(tr("Open through lunch"))
    else:
        parts.append(tr("Lunch break {start}–{end}", start=hhmm(hours.lunch_start),
                        end=hhmm(hours.lunch_end)))
    if today.day_kind == WORKING and today.cutoff_at and today.cutoff_at != today.closes_at:
        parts.append(tr("Numbers until {time}", time=f"{today.cutoff_at:%H:%M}"))
    if today.day_kind == WORKING and hours.extended_until:
        parts.append(tr("Appointments and pickups until {time}",
                        time=hhmm(hours.extended_until)))
    return " · ".join(parts)

