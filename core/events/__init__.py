"""Events: past-tense facts about the hall, each with a typed payload.

Every state change produces one or more events; the server stores them in the
same transaction as the change and streams them to every subscriber. Payloads
carry only what a display may show: never an ID card hash or a phone token.

One module per part of the hall's life (tickets, windows, advice, cases, the hall,
bookings); `audiences` says who is sent what, and `log` how the log keeps them.
Import from `core.events` itself: every name is here.
"""
from __future__ import annotations

from core.events.advice import (  # noqa: F401
    AdviceAccepted,
    AdviceDismissed,
    AdviceExtended,
    AdviceIssued,
    AdviceWithdrawn,
)
from core.events.audiences import (  # noqa: F401
    FOR_BOARD,
    MANAGERS_ONLY,
    NOT_PUBLIC,
    PUBLIC_BLANKS,
    for_board,
    for_public,
    for_staff,
)
from core.events.base import (  # noqa: F401
    Event,
)
from core.events.bookings import (  # noqa: F401
    BookingCancelled,
    BookingChanged,
    BookingCheckedIn,
    BookingMade,
)
from core.events.cases import (  # noqa: F401
    CaseApproved,
    CaseMaterialsSupplied,
    CaseOpened,
    CasePartApproved,
    CasePartResubmitted,
    CasePartReturned,
    CasePickedUp,
)
from core.events.hall import (  # noqa: F401
    AlarmRaised,
    DayStarted,
    DeviceHealthChanged,
    HelpFinished,
    HelpRequested,
    HelpTaken,
    RatingSubmitted,
)
from core.events.log import (  # noqa: F401
    EVENT_TYPES,
    LoggedEvent,
    Snapshot,
    event_from_dict,
)
from core.events.tickets import (  # noqa: F401
    ServiceFinished,
    ServiceStarted,
    TicketCalled,
    TicketCancelled,
    TicketIssued,
    TicketMarkedNoShow,
    TicketParked,
    TicketRecalled,
    TicketRequeued,
    TicketResumed,
    TicketTransferred,
)
from core.events.windows import (  # noqa: F401
    ClerkLoggedIn,
    ClerkLoggedOut,
    WindowClosed,
    WindowHelpsPool,
    WindowMovedToPool,
    WindowOpened,
    WindowPaused,
    WindowReleased,
    WindowResumed,
    WindowStopsHelping,
)

__all__ = [
    "Event",
    "ServiceFinished",
    "ServiceStarted",
    "TicketCalled",
    "TicketCancelled",
    "TicketIssued",
    "TicketMarkedNoShow",
    "TicketParked",
    "TicketRecalled",
    "TicketRequeued",
    "TicketResumed",
    "TicketTransferred",
    "ClerkLoggedIn",
    "ClerkLoggedOut",
    "WindowClosed",
    "WindowHelpsPool",
    "WindowMovedToPool",
    "WindowOpened",
    "WindowPaused",
    "WindowReleased",
    "WindowResumed",
    "WindowStopsHelping",
    "AdviceAccepted",
    "AdviceDismissed",
    "AdviceExtended",
    "AdviceIssued",
    "AdviceWithdrawn",
    "CaseApproved",
    "CaseMaterialsSupplied",
    "CaseOpened",
    "CasePartApproved",
    "CasePartResubmitted",
    "CasePartReturned",
    "CasePickedUp",
    "AlarmRaised",
    "DayStarted",
    "DeviceHealthChanged",
    "HelpFinished",
    "HelpRequested",
    "HelpTaken",
    "RatingSubmitted",
    "BookingCancelled",
    "BookingChanged",
    "BookingCheckedIn",
    "BookingMade",
    "FOR_BOARD",
    "MANAGERS_ONLY",
    "NOT_PUBLIC",
    "PUBLIC_BLANKS",
    "for_board",
    "for_public",
    "for_staff",
    "EVENT_TYPES",
    "LoggedEvent",
    "Snapshot",
    "event_from_dict",
]
