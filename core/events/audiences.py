"""Who is sent what: the staff, the public (kiosks and hall screens), the boards and the
managers alone. One place for every audience's rule."""
from __future__ import annotations

from dataclasses import replace

from core.events.base import Event
from core.events.windows import WindowPaused
from core.windows import PAUSE_REASONS

# What the public (hall displays and kiosks: screens anyone in the hall can read) may
# see: calls, counts and waits. These events are not sent to it at all ...
NOT_PUBLIC = frozenset({"RatingSubmitted", "CaseOpened", "CaseMaterialsSupplied",
                        "CasePartApproved", "CasePartReturned", "CasePartResubmitted",
                        "AlarmRaised", "DeviceHealthChanged",
                        # bookings are the citizen's business, not the hall screens'
                        "BookingMade", "BookingCancelled", "BookingChanged",
                        "BookingCheckedIn",
                        # the pool advisor speaks to managers only (MANAGERS_ONLY)
                        "AdviceIssued", "AdviceAccepted", "AdviceDismissed",
                        "AdviceWithdrawn", "AdviceExtended"})
# What only managers are sent (not clerks, helpers, kiosks or boards): the advisor's advice.
MANAGERS_ONLY = frozenset({"AdviceIssued", "AdviceAccepted", "AdviceDismissed",
                           "AdviceWithdrawn", "AdviceExtended"})
# ... and these are sent with free text and people's log-in names blanked.
PUBLIC_BLANKS = {
    "TicketTransferred": ("note",), "TicketParked": ("note",),
    "TicketCancelled": ("reason", "by"), "ClerkLoggedIn": ("clerk",),
    "ClerkLoggedOut": ("clerk",), "WindowReleased": ("clerk", "by"),
    # a kiosk learns its call for help was taken, not who took it nor what was said
    "HelpRequested": ("note",), "HelpTaken": ("taken_by",), "HelpFinished": ("by",),
    "TicketRequeued": ("by",),
}


def for_staff(event: Event) -> Event | None:
    """The event as clerks and floor helpers see it: everything but the managers' own."""
    return None if event.type in MANAGERS_ONLY else event


def for_public(event: Event) -> Event | None:
    """The event as the public may see it, or None if it is not for the public."""
    if event.type in NOT_PUBLIC:
        return None
    blanks = PUBLIC_BLANKS.get(event.type)
    return replace(event, **{name: "" for name in blanks}) if blanks else event


# What a hall board (the big screen, the LED window screens, the web board at /board,
# open to anyone) is sent: only what it draws. Calls and the tickets' comings and goings
# (for waiting counts and the longest wait), the windows' states; no log-ins, no calls
# for help, no notes or reasons, no names but the masked holder name.
FOR_BOARD = frozenset({
    "TicketIssued", "TicketCalled", "TicketRecalled", "ServiceStarted", "ServiceFinished",
    "TicketMarkedNoShow", "TicketTransferred", "TicketParked", "TicketResumed",
    "TicketCancelled", "TicketRequeued", "WindowOpened", "WindowClosed", "WindowPaused",
    "WindowResumed", "WindowReleased", "WindowMovedToPool", "DayStarted"})


def for_board(event: Event) -> Event | None:
    """The event as a hall board may see it, or None if a board has no use for it.
    A pause's reason is kept only when it is one of the standard ones
    (`core.windows.PAUSE_REASONS`): what a clerk types is not for the hall."""
    if event.type not in FOR_BOARD:
        return None
    if isinstance(event, WindowPaused):
        return event if event.reason in PAUSE_REASONS else replace(event, reason="")
    return for_public(event)
