"""Staffing windows, on the hall itself: log in and out, open, close, pause, resume, and
move a window to another pool."""
from __future__ import annotations

import pytest

from core.actions.serving import call_case, call_next, park
from core.actions.staffing import (
    close_window,
    help_pool,
    log_in,
    log_out,
    move_window,
    open_window,
    pause_window,
    resume_window,
)
from core.errors import Conflict, Invalid, NotFound
from core.events import (
    ClerkLoggedIn,
    ClerkLoggedOut,
    WindowClosed,
    WindowMovedToPool,
    WindowOpened,
    WindowPaused,
    WindowResumed,
)
from core.settings.schema import Priority
from core.windows import WindowStatus
from tests.core.actions.helpers import (
    NOTHING,
    NOW,
    at,
    called,
    ready_case,
    serving,
    staffed,
    take,
    touched,
)


def state(hall, number: int) -> tuple[WindowStatus, str, str]:
    window = hall.windows[number]
    return window.status, window.clerk, window.pause_reason


# --- log in ------------------------------------------------------------------------------

def test_log_in(hall):
    assert log_in(hall, 1, "clerk-01", "王丽") == [
        ClerkLoggedIn(window=1, clerk="clerk-01", clerk_name="王丽")]
    assert state(hall, 1) == (WindowStatus.CLOSED, "clerk-01", "")   # logging in opens nothing
    assert hall.window_of_clerk("clerk-01") is hall.windows[1]
    assert touched(hall) == (set(), {1}, set())


def test_logging_in_again_changes_nothing(hall):
    staffed(hall, 1)
    assert log_in(hall, 1, "clerk-01", "王丽") == []
    assert touched(hall) == NOTHING and state(hall, 1) == (WindowStatus.OPEN, "clerk-01", "")


def test_a_window_has_one_clerk(hall):
    staffed(hall, 1)
    with pytest.raises(Conflict) as refused:
        log_in(hall, 1, "clerk-02", "李娜")
    assert "staffed by clerk-01; they must log out first" in refused.value.message
    assert touched(hall) == NOTHING and hall.windows[1].clerk == "clerk-01"
    assert hall.window_of_clerk("clerk-02") is None


def test_logging_in_elsewhere_leaves_the_open_window_first(hall):
    staffed(hall, 1)
    events = log_in(hall, 4, "clerk-01", "王丽")
    assert events == [WindowClosed(window=1), ClerkLoggedOut(window=1, clerk="clerk-01"),
                      ClerkLoggedIn(window=4, clerk="clerk-01", clerk_name="王丽")]
    assert state(hall, 1) == (WindowStatus.CLOSED, "", "")
    assert state(hall, 4) == (WindowStatus.CLOSED, "clerk-01", "")
    assert touched(hall) == (set(), {1, 4}, set())


def test_logging_in_elsewhere_from_a_closed_window(hall):
    log_in(hall, 1, "clerk-01", "王丽")
    hall.take_changes()
    assert [e.type for e in log_in(hall, 4, "clerk-01", "王丽")] == [
        "ClerkLoggedOut", "ClerkLoggedIn"]
    assert hall.windows[1].clerk == "" and touched(hall) == (set(), {1, 4}, set())


def test_a_busy_clerk_cannot_move_to_another_window(hall):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    with pytest.raises(Conflict) as refused:
        log_in(hall, 4, "clerk-01", "王丽")
    assert f"busy with ticket {number}" in refused.value.message
    assert touched(hall) == NOTHING
    assert state(hall, 1) == (WindowStatus.OPEN, "clerk-01", "") and hall.windows[4].clerk == ""


def test_log_in_at_an_unknown_window(hall):
    with pytest.raises(NotFound) as refused:
        log_in(hall, 77, "clerk-01", "")
    assert refused.value.details == {"window": 77} and "no window 77" in refused.value.message


# --- log out -----------------------------------------------------------------------------

def test_log_out_closes_an_open_window(hall):
    staffed(hall, 1)
    assert log_out(hall, 1) == [WindowClosed(window=1), ClerkLoggedOut(window=1,
                                                                        clerk="clerk-01")]
    assert state(hall, 1) == (WindowStatus.CLOSED, "", "")
    assert touched(hall) == (set(), {1}, set())


def test_log_out_of_a_paused_window_closes_it_and_forgets_the_pause(hall):
    staffed(hall, 1)
    pause_window(hall, 1, "午休")
    assert [e.type for e in log_out(hall, 1)] == ["WindowClosed", "ClerkLoggedOut"]
    assert state(hall, 1) == (WindowStatus.CLOSED, "", "")


def test_log_out_of_a_closed_window(hall):
    log_in(hall, 1, "clerk-01", "")
    hall.take_changes()
    assert log_out(hall, 1) == [ClerkLoggedOut(window=1, clerk="clerk-01")]
    assert touched(hall) == (set(), {1}, set())


def test_log_out_with_nobody_logged_in(hall):
    with pytest.raises(Conflict) as refused:
        log_out(hall, 1)
    assert "nobody is logged in at window 1" in refused.value.message
    assert touched(hall) == NOTHING


def test_a_busy_window_cannot_log_out(hall):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    with pytest.raises(Conflict) as refused:
        log_out(hall, 1)
    assert f"window 1 is busy with ticket {number}; finish or transfer it before you log out" \
        in refused.value.message
    assert touched(hall) == NOTHING and state(hall, 1) == (WindowStatus.OPEN, "clerk-01", "")


def test_a_window_with_parked_tickets_cannot_log_out(hall):
    staffed(hall, 1)
    number = serving(hall, 1)
    park(hall, 1, "去复印", NOW)
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        log_out(hall, 1)
    assert f"parked tickets ['{number}']" in refused.value.message
    assert touched(hall) == NOTHING and hall.windows[1].clerk == "clerk-01"


# --- open and close ----------------------------------------------------------------------

def test_open_window(hall):
    log_in(hall, 1, "clerk-01", "")
    hall.take_changes()
    assert open_window(hall, 1) == [WindowOpened(window=1)]
    assert hall.windows[1].status is WindowStatus.OPEN
    assert touched(hall) == (set(), {1}, set())
    assert hall.open_windows() == [hall.windows[1]]


def test_opening_an_open_window_changes_nothing(hall):
    staffed(hall, 1)
    assert open_window(hall, 1) == [] and touched(hall) == NOTHING


def test_a_manager_may_open_an_unstaffed_window_but_it_cannot_call(hall):
    assert open_window(hall, 2) == [WindowOpened(window=2)]
    assert hall.windows[2].status is WindowStatus.OPEN and hall.open_windows() == []
    take(hall)
    with pytest.raises(Conflict):
        call_next(hall, 2, NOW)


def test_opening_a_paused_window_reopens_it(hall):
    staffed(hall, 1)
    pause_window(hall, 1, "午休")
    hall.take_changes()
    assert open_window(hall, 1) == [WindowOpened(window=1)]
    assert state(hall, 1) == (WindowStatus.OPEN, "clerk-01", "")


def test_close_window(hall):
    staffed(hall, 1)
    assert close_window(hall, 1) == [WindowClosed(window=1)]
    assert state(hall, 1) == (WindowStatus.CLOSED, "clerk-01", "")   # the clerk stays
    assert touched(hall) == (set(), {1}, set())
    assert close_window(hall, 1) == [] and touched(hall) == NOTHING


def test_closing_a_paused_window_forgets_the_pause(hall):
    staffed(hall, 1)
    pause_window(hall, 1, "午休")
    assert close_window(hall, 1) == [WindowClosed(window=1)]
    assert state(hall, 1) == (WindowStatus.CLOSED, "clerk-01", "")


def test_a_busy_window_cannot_close(hall):
    staffed(hall, 1)
    number = serving(hall, 1)
    with pytest.raises(Conflict) as refused:
        close_window(hall, 1)
    assert f"busy with ticket {number}; finish or transfer it before you close" in (
        refused.value.message)
    assert touched(hall) == NOTHING and hall.windows[1].status is WindowStatus.OPEN


def test_a_window_with_parked_tickets_cannot_close(hall):
    staffed(hall, 1)
    serving(hall, 1)
    park(hall, 1, "去复印", NOW)
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        close_window(hall, 1)
    assert "resume or transfer them before you close" in refused.value.message
    assert touched(hall) == NOTHING


# --- pause and resume --------------------------------------------------------------------

def test_pause_window(hall):
    staffed(hall, 1)
    assert pause_window(hall, 1, "  午休 ") == [WindowPaused(window=1, reason="午休")]
    assert state(hall, 1) == (WindowStatus.PAUSED, "clerk-01", "午休")
    assert touched(hall) == (set(), {1}, set())
    assert hall.open_windows() == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_pause_needs_a_reason(hall, reason):
    staffed(hall, 1)
    with pytest.raises(Invalid) as refused:
        pause_window(hall, 1, reason)
    assert "needs a reason" in refused.value.message
    assert touched(hall) == NOTHING and hall.windows[1].status is WindowStatus.OPEN


def test_only_an_open_window_pauses(hall):
    log_in(hall, 1, "clerk-01", "")
    hall.take_changes()
    with pytest.raises(Conflict) as closed:
        pause_window(hall, 1, "午休")
    assert "window 1 is closed; only an open window can pause" in closed.value.message
    open_window(hall, 1)
    pause_window(hall, 1, "午休")
    hall.take_changes()
    with pytest.raises(Conflict) as paused:
        pause_window(hall, 1, "开会")
    assert "window 1 is paused" in paused.value.message
    assert touched(hall) == NOTHING and hall.windows[1].pause_reason == "午休"


def test_a_window_may_pause_with_a_citizen_called(hall):
    staffed(hall, 1)
    number = take(hall)
    called(hall, 1)
    pause_window(hall, 1, "系统故障")
    assert hall.windows[1].current == number


def test_resume_window(hall):
    staffed(hall, 1)
    pause_window(hall, 1, "午休")
    hall.take_changes()
    assert resume_window(hall, 1) == [WindowResumed(window=1)]
    assert state(hall, 1) == (WindowStatus.OPEN, "clerk-01", "")
    assert touched(hall) == (set(), {1}, set())


@pytest.mark.parametrize("open_it", [False, True])
def test_only_a_paused_window_resumes(hall, open_it):
    log_in(hall, 1, "clerk-01", "")
    if open_it:
        open_window(hall, 1)
    hall.take_changes()
    with pytest.raises(Conflict) as refused:
        resume_window(hall, 1)
    assert "not paused" in refused.value.message and touched(hall) == NOTHING


# --- move to another pool ----------------------------------------------------------------

def test_move_a_window_to_another_pool(hall):
    staffed(hall, 5)
    realty = take(hall, "BDC-0401")                       # acceptance_b: window 5 helps it
    take(hall, "SS-0101")                                  # acceptance_a: window 5's home
    events = move_window(hall, 5, "acceptance_b")
    assert events == [WindowMovedToPool(window=5, pool="acceptance_b",
                                        previous_pool="acceptance_a")]
    assert hall.windows[5].pool == "acceptance_b"
    assert hall.windows[5].spec.pool == "acceptance_a"     # the configured home stays
    assert hall.window_view(hall.windows[5]).pool == "acceptance_b"
    assert touched(hall) == (set(), {5}, set())
    assert call_next(hall, 5, NOW)[-1].number == realty


def test_moving_to_the_same_pool_changes_nothing(hall):
    assert move_window(hall, 5, "acceptance_a") == [] and touched(hall) == NOTHING


def test_move_to_an_unknown_pool(hall):
    with pytest.raises(NotFound) as refused:
        move_window(hall, 5, "nowhere")
    assert "unknown pool 'nowhere'" in refused.value.message
    assert "acceptance_a" in refused.value.message                  # the known ones are named
    assert touched(hall) == NOTHING and hall.windows[5].pool == "acceptance_a"


def test_a_window_is_not_moved_where_it_could_serve_nobody(hall):
    """Window 3 knows tax, business, fund and social: no pickup, so in the pickup pool it
    would call nobody; the move is refused as a help there is, and nothing changes."""
    with pytest.raises(Invalid) as refused:
        move_window(hall, 3, "pickup")
    assert refused.value.code == "window_no_skill_for_pool"
    assert refused.value.details == {"window": 3, "pool": "pickup"}
    assert touched(hall) == NOTHING and hall.windows[3].pool == "acceptance_a"


def test_a_window_may_always_go_home(hall):
    """Home is where the hall's config put the window, whatever its skills (the config's
    checks allow a window with none for its home pool, and an advised move's return home
    must never be refused): window 13, at home in pickup but knowing only realty here,
    moves to area B and goes home again."""
    from dataclasses import replace
    spec = hall.windows[13].spec
    hall.windows[13].spec = replace(spec, skills={"realty": 1.0})
    assert move_window(hall, 13, "acceptance_b")[0].pool == "acceptance_b"
    assert move_window(hall, 13, "pickup") == [WindowMovedToPool(
        window=13, pool="pickup", previous_pool="acceptance_b")]


def test_a_window_helping_the_green_channel_serves_its_line_not_every_pool_s_priority(hall):
    """Window 8 (area B, knows social and civil) helps the green pool: it calls the green
    pool's own 民政 ticket, but an elderly social ticket of area A, which the green-channel
    window 15 would call first, stays out of its reach: a helper is no green window."""
    staffed(hall, 8)
    elderly_a = take(hall, "SB-0503", priority=Priority.ELDERLY, by_staff=True)
    green_civil = take(hall, "MZ-0803", now=at(minutes=1))
    assert hall.tickets[elderly_a].priority is Priority.ELDERLY
    assert call_next(hall, 8, at(minutes=2)) == []      # neither is area B's
    help_pool(hall, 8, "green", None, NOW)
    assert called(hall, 8, at(minutes=2)) == green_civil
    assert hall.tickets[elderly_a].state.value == "waiting"


def test_a_window_is_a_pickup_window_by_the_pool_it_is_in_now(hall):
    case = ready_case(hall)
    staffed(hall, 14)
    assert move_window(hall, 14, "acceptance_b")[0].previous_pool == "pickup"
    with pytest.raises(Invalid):
        call_case(hall, 14, case, "phone-1", NOW)
    move_window(hall, 14, "pickup")
    hall.take_changes()
    assert [e.type for e in call_case(hall, 14, case, "phone-1", NOW)] == [
        "TicketIssued", "TicketCalled"]


# --- a manager's release of a window its clerk left --------------------------------

def test_release_puts_the_current_and_parked_tickets_back_in_their_place(hall):
    from core.actions.staffing import release_window
    from core.events import WindowReleased
    from core.tickets import TicketState
    staffed(hall, 1)
    first, second, third = take(hall), take(hall), take(hall)
    called(hall, 1)
    park(hall, 1, "去复印", at(minutes=1))
    called(hall, 1, at(minutes=2))
    hall.take_changes()
    events = release_window(hall, 1, "manager", at(minutes=30))
    assert events == [WindowReleased(window=1, clerk="clerk-01", tickets=(second, first),
                                     by="manager")]
    assert state(hall, 1) == (WindowStatus.CLOSED, "", "")
    assert hall.windows[1].parked == []
    for number in (first, second):
        ticket = hall.tickets[number]
        assert ticket.state is TicketState.WAITING and ticket.queue_since == NOW
        assert ticket.history[-1].action == "released" and "manager" in ticket.history[-1].note
    assert sorted(hall.waiting_numbers()) == sorted([first, second, third])
    assert touched(hall) == ({first, second}, {1}, set())
