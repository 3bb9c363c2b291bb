"""Which window may call which ticket, and how a ticket ranks at a moment.

A green-channel window is one whose home pool is of kind `PoolKind.GREEN`
(`WindowView.pool_kind`); it serves green and elderly tickets of every pool.
"""
from __future__ import annotations

from core.allocation.interface import WaitingTicket, WindowView
from core.settings.schema import PoolKind, Priority

# Ranks as in Priority.rank; an appointment before its call window ranks as normal.
NORMAL_RANK = Priority.NORMAL.rank
_GREEN_PRIORITIES = frozenset({Priority.GREEN, Priority.ELDERLY})


def can_serve(window: WindowView, ticket: WaitingTicket) -> bool:
    """True if `window` may call `ticket` now.

    A ticket transferred to one window (pinned) may be called by that window
    only, whatever its skills: the clerk who transferred it chose the window.
    Otherwise the window needs a skill weight above zero for the ticket's
    category, and the ticket must wait in the window's home pool, in a pool it
    helps (``also_serves``), or be a green/elderly ticket at a green window.
    """
    if ticket.pinned_window is not None:
        return ticket.pinned_window == window.number
    if window.skills.get(ticket.category, 0.0) <= 0.0:
        return False
    pool = ticket.pool
    if pool == window.pool or pool in window.also_serves:
        return True
    return ticket.priority in _GREEN_PRIORITIES and window.pool_kind is PoolKind.GREEN


def is_primary(window: WindowView, ticket: WaitingTicket) -> bool:
    """True if the ticket belongs to the window's primary duties (its home pool)."""
    if ticket.pool == window.pool:
        return True
    return ticket.priority in _GREEN_PRIORITIES and window.pool_kind is PoolKind.GREEN


def appointment_active(ticket: WaitingTicket, now: float, early_seconds: float) -> bool:
    """An appointment ranks as one from `early_seconds` before its slot on."""
    slot = ticket.appointment_slot
    return slot is None or now >= slot - early_seconds


def effective_rank(ticket: WaitingTicket, now: float, early_seconds: float) -> int:
    """The ticket's priority rank now (0 = green first, 3 = normal)."""
    priority = ticket.priority
    if priority is Priority.APPOINTMENT and not appointment_active(ticket, now, early_seconds):
        return NORMAL_RANK
    return priority.rank
