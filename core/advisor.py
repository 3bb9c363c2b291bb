"""The pool advisor: which window to move to (or have help) which pool when the layout
does not fit the day.

Pure: it reads the live state (waiting tickets, the windows' forecast states), projects
every waiting ticket's call with `core.forecast.eta.forecast` (the forward simulation
under the real policy) and tries two kinds of advice for one open window:

* "move" (`Advice.kind == "move"`): its home pool becomes `to_pool` (the server applies
  it with `core.actions.staffing.move_window`, POST /api/windows/<n>/move {pool}; the
  simulator with `Simulation.move_window`);
* "help" (`Advice.kind == "help"`): it keeps its home pool and also serves `to_pool`
  until `until` ("5号窗口 also serves 公安户政 until 11:30"): its `WindowView` gets
  `to_pool` added to `also_serves` (the simulator: `Simulation.help_pool`). Under
  `balanced` a helping window still serves its home pool first, so help strands
  nothing; it ends at `until` (`expired`), the end of the session.

    facts = AdvisorHall.of(settings)
    advice = advise(waiting, windows, now, "balanced", model.expected, facts,
                    recent_work=recent_work_per_pool(issued, now, model.expected))
    if advice: ...  # "move 7号窗口 to 综合受理A区 until 12:00"

How it decides (docs/allocation.md, "The pool advisor"):

1. Project the waits: each waiting ticket's total wait is the time it has waited plus
   its projected call (a ticket no window may serve counts `unserved_minutes`).
2. Trigger: a (pool, category) line suffers when its mean projected wait is at least
   `trigger_ratio` times the mean of the other waiting tickets and at least
   `trigger_minutes`, with at least `min_tickets` waiting. Nothing suffers: no advice.
3. Move candidates, per suffering line: an open window with a skill above 0 for that
   category, at home in another pool, which is not a green-channel window; the
   target is never the green pool (a window moved there would serve every pool's
   priority tickets first); its home pool keeps, for each of its categories, a window
   able to serve it; and, when the recent arrivals are known, its home pool's load
   after the move stays under `max_donor_load` and under the target's. At most
   `windows_per_line` windows per line, preferring a window going back home, then
   the least loaded home pool, the highest skill, the earliest free. Help candidates:
   the same skill rule, never the green-channel window, a window not serving the
   line's pool yet, whose home pool's recent load is at most `max_helper_load` (it
   helps with its slack). A help may go to the green pool's own line (民政 matters
   at a single green window): the helper keeps its home pool and kind, so it serves
   that pool's tickets of its skills, never other pools' priority tickets first.
4. Each candidate is projected with the same forecast; its gain is the cut in the
   mean projected wait plus `worst_weight` times the cut in the worst category's mean.
   The best candidate is advised if its gain is at least `min_gain_minutes`, neither
   the mean nor the worst category gets worse, and the window's own pool does not lose
   more (total projected minutes) than the relieved pool gains. A help is preferred to
   a move whose gain is less than its gain / `prefer_help`.

`assess_many` gives up to `advice_per_tick` advices at once, each assessed on the layout
the earlier ones leave; `arrivals=` (expected tickets to come) joins every projection.

Returning a window home is just another advice: a window away from its home pool is a
candidate for it like any other (and is preferred among equals), so it goes back when
its home pool becomes the suffering one. An advice also carries `until`, the end of
the session it was given in (lunch or closing); `expired(advice, now)` says when the
server (or the simulator) should send the window home unasked.
"""
from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass, field, replace
from typing import Callable, Collection, Iterable, Mapping, Sequence

from core.allocation.eligibility import can_serve
from core.allocation.interface import WaitingTicket, WindowView
from core.forecast.eta import WindowState, forecast
from core.settings.schema import HallSettings, PoolKind, Priority


@dataclass(frozen=True)
class AdvisorHall:
    """The facts the advisor takes from the hall's settings."""

    pool_kinds: Mapping[str, PoolKind]               # pool code -> kind
    home_pools: Mapping[int, str]                    # window -> configured home pool
    pool_categories: Mapping[str, tuple[str, ...]]   # pool -> categories waiting there
    session_ends: tuple[float, ...] = ()             # seconds after midnight, ascending

    @classmethod
    def of(cls, settings: HallSettings) -> AdvisorHall:
        categories: dict[str, list[str]] = {}
        for subject in (*settings.matters, *settings.themes):
            found = categories.setdefault(subject.pool, [])
            if subject.category not in found:
                found.append(subject.category)
        hours = settings.hours
        ends = sorted({hours.lunch_start * 60.0, hours.close * 60.0})
        return cls({p.code: p.kind for p in settings.pools},
                   {w.number: w.pool for w in settings.windows},
                   {p: tuple(c) for p, c in categories.items()}, tuple(ends))


@dataclass(frozen=True)
class AdvisorSettings:
    """Thresholds; tuned on the family's tuning seeds only (bench/advisor --tuning)."""

    trigger_ratio: float = 1.2        # a line's mean wait over the other tickets' mean
    trigger_minutes: float = 5.0      # ... and at least this many minutes
    min_tickets: int = 3              # ... with at least this many waiting
    min_gain_minutes: float = 0.5
    worst_weight: float = 0.5
    windows_per_line: int = 3
    max_donor_load: float = 0.9
    max_helper_load: float = 1.0      # a helping window's home pool's recent load, at most
    prefer_help: float = 0.8          # help wins unless a move gains more than gain / this
    helps: bool = True                # propose help advice
    moves: bool = True                # propose move advice
    unserved_minutes: float = 240.0   # the wait counted for a ticket nobody may serve
    advice_per_tick: int = 5          # `assess_many`: at most this many advices at once
    horizon_minutes: float = 60.0     # expected arrivals this far ahead join the projection
    #                                   (the caller passes them: `arrivals=`; 0: none)


@dataclass(frozen=True)
class Projection:
    """Projected total waits (minutes, queue_since to projected call) of the waiting."""

    mean: float
    by_category: Mapping[str, float]
    by_line: Mapping[tuple[str, str], tuple[float, int]]   # (pool, category) -> mean, count

    @property
    def worst(self) -> float:
        return max(self.by_category.values(), default=0.0)

    @property
    def worst_category(self) -> str | None:
        if not self.by_category:
            return None
        return max(self.by_category, key=lambda c: (self.by_category[c], c))


@dataclass(frozen=True)
class Move:
    """A candidate: window `window` from `from_pool` to `to_pool`, for `category`;
    kind "help": it stays at home in `from_pool` and also serves `to_pool`."""

    window: int
    from_pool: str
    to_pool: str
    category: str
    kind: str = "move"


@dataclass(frozen=True)
class Advice:
    """One proposed move or help, with the projections that justify it (waits in
    minutes). kind "move": the window's home pool becomes `to_pool`; kind "help": it
    stays at home in `from_pool` and also serves `to_pool` until `until`."""

    id: str
    window: int
    from_pool: str
    to_pool: str
    category: str                 # the category it relieves
    mean_before: float
    mean_after: float
    worst_before: float
    worst_after: float
    worst_category: str | None    # the worst category before the move
    gain: float                   # mean cut + worst_weight x worst cut
    at: float                     # when it was computed (seconds after midnight)
    until: float | None = None    # end of the session; then the window may go home
    returns_home: bool = False    # the move sends the window back to its home pool
    kind: str = "move"            # "move" | "help"

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Decision:
    """What `assess` found: the projection, the suffering lines, the scored moves."""

    projection: Projection
    suffering: tuple[tuple[str, str], ...]
    scored: tuple[tuple[Move, Projection], ...] = field(default=())
    advice: Advice | None = None


def project(waiting: Sequence[WaitingTicket], windows: Sequence[WindowState], now: float,
            policy: str, service_minutes: Callable[[str], float], *,
            unserved_minutes: float = 240.0, **forecast_options) -> Projection:
    """The projected total waits of the waiting tickets under `policy` (the forecast)."""
    if not waiting:
        return Projection(0.0, {}, {})
    estimates = forecast(waiting, windows, now, policy, service_minutes, **forecast_options)
    waits: list[float] = []
    by_category: dict[str, list[float]] = {}
    by_line: dict[tuple[str, str], list[float]] = {}
    for t in waiting:
        est = estimates.get(t.ticket_id)
        ahead = (est.wait_seconds / 60.0 if est is not None and est.wait_seconds is not None
                 else unserved_minutes)
        wait = max(0.0, now - t.queue_since) / 60.0 + ahead
        waits.append(wait)
        by_category.setdefault(t.category, []).append(wait)
        by_line.setdefault((t.pool, t.category), []).append(wait)
    return Projection(statistics.fmean(waits),
                      {c: statistics.fmean(v) for c, v in by_category.items()},
                      {k: (statistics.fmean(v), len(v)) for k, v in by_line.items()})


def suffering_lines(waiting: Sequence[WaitingTicket], projection: Projection,
                    settings: AdvisorSettings = AdvisorSettings()) -> list[tuple[str, str]]:
    """(pool, category) lines whose projected wait runs well above the other tickets',
    worst first."""
    total = projection.mean * len(waiting)
    found = []
    for line, (mean, count) in projection.by_line.items():
        if count < settings.min_tickets or mean < settings.trigger_minutes:
            continue
        others = len(waiting) - count
        others_mean = (total - mean * count) / others if others else 0.0
        if mean >= settings.trigger_ratio * others_mean:
            found.append((mean, line))
    return [line for _, line in sorted(found, reverse=True)]


def recent_work_per_pool(issued: Iterable[tuple[str, str, float]], now: float,
                         service_minutes: Callable[[str], float],
                         span_seconds: float = 3600.0) -> dict[str, float]:
    """Expected minutes of work per hour that arrived in each pool over the last
    `span_seconds`, from (pool, matter, issued_at) of the tickets issued today."""
    work: dict[str, float] = {}
    for pool, matter, at in issued:
        if now - span_seconds <= at <= now:
            work[pool] = work.get(pool, 0.0) + service_minutes(matter)
    return {p: w * 3600.0 / span_seconds for p, w in work.items()}


def moved(state: WindowState, pool: str, kind: PoolKind) -> WindowState:
    """The window's forecast state at home in `pool` (skills and helped pools unchanged,
    as `move_window` leaves them)."""
    return replace(state, view=replace(state.view, pool=pool, pool_kind=kind))


def helped(state: WindowState, pool: str) -> WindowState:
    """The window's forecast state also serving `pool` (as `Simulation.help_pool`)."""
    if pool in state.view.also_serves:
        return state
    return replace(state, view=replace(state.view,
                                       also_serves=state.view.also_serves + (pool,)))


def _capacity(views: Sequence[WindowView], pool: str) -> float:
    """Windows working a pool: 1 at home there, 1/2 helping it."""
    return sum(1.0 if v.pool == pool else 0.5 for v in views
               if v.pool == pool or pool in v.also_serves)


def _load(recent_work: Mapping[str, float], views: Sequence[WindowView], pool: str) -> float:
    capacity = _capacity(views, pool)
    work = recent_work.get(pool, 0.0)
    if capacity <= 0:
        return float("inf") if work > 0 else 0.0
    return work / (60.0 * capacity)


def _keeps_its_lines(views: Sequence[WindowView], after: Sequence[WindowView], pool: str,
                     hall: AdvisorHall, waiting: Sequence[WaitingTicket]) -> bool:
    """The pool still has a window able to serve each category it had one for, and
    each of its waiting (unpinned) tickets."""
    for category in hall.pool_categories.get(pool, ()):
        probe = WaitingTicket("?", "?", category, pool, Priority.NORMAL, 0.0)
        if any(can_serve(v, probe) for v in views) and not any(can_serve(v, probe)
                                                               for v in after):
            return False
    return all(any(can_serve(v, t) for v in after) for t in waiting
               if t.pool == pool and t.pinned_window is None)


def candidate_moves(waiting: Sequence[WaitingTicket], windows: Sequence[WindowState],
                    lines: Sequence[tuple[str, str]], hall: AdvisorHall, *,
                    recent_work: Mapping[str, float] | None = None,
                    settings: AdvisorSettings = AdvisorSettings(),
                    keep: Collection[int] = ()) -> list[Move]:
    """The moves worth projecting for the suffering `lines` (see the module doc): never
    a window without a skill for the line's category, never a green-channel window,
    never into the green pool, never leaving a pool without a window for one of its
    categories; never a window in `keep` (say, one moved less than half an hour ago)."""
    views = [s.view for s in windows]
    moves: list[Move] = []
    for pool, category in lines:
        if hall.pool_kinds.get(pool) in (None, PoolKind.GREEN):
            continue
        ranked = []
        for i, state in enumerate(windows):
            view = state.view
            if (view.pool == pool or view.number in keep or view.pool_kind is PoolKind.GREEN
                    or hall.pool_kinds.get(view.pool) is PoolKind.GREEN
                    or view.skills.get(category, 0.0) <= 0.0):
                continue
            after = views[:i] + [moved(state, pool, hall.pool_kinds[pool]).view] + views[i + 1:]
            if not _keeps_its_lines(views, after, view.pool, hall, waiting):
                continue
            home = hall.home_pools.get(view.number) == pool
            donor_load = 0.0
            if recent_work is not None and not home:
                donor_load = _load(recent_work, after, view.pool)
                if (donor_load > settings.max_donor_load
                        or donor_load > _load(recent_work, after, pool)):
                    continue
            ranked.append(((not home, donor_load, -view.skills[category], state.busy_until,
                            view.number), view))
        ranked.sort(key=lambda r: r[0])
        for _, view in ranked[:settings.windows_per_line]:
            moves.append(Move(view.number, view.pool, pool, category))
    return moves


def candidate_helps(windows: Sequence[WindowState], lines: Sequence[tuple[str, str]],
                    hall: AdvisorHall, *, recent_work: Mapping[str, float] | None = None,
                    settings: AdvisorSettings = AdvisorSettings(),
                    keep: Collection[int] = ()) -> list[Move]:
    """The help advice worth projecting for the suffering `lines`: a window with a skill
    for the line's category, not a green-channel window, helping a pool (the green one
    too: the helper stays an ordinary window) that it does not serve yet, its home
    pool's recent load at most
    `max_helper_load`; at most `windows_per_line` per line (least loaded home pool,
    highest skill, earliest free first)."""
    views = [s.view for s in windows]
    helps: list[Move] = []
    for pool, category in lines:
        if hall.pool_kinds.get(pool) is None:
            continue
        ranked = []
        for state in windows:
            view = state.view
            if (view.pool == pool or pool in view.also_serves or view.number in keep
                    or view.pool_kind is PoolKind.GREEN
                    or hall.pool_kinds.get(view.pool) is PoolKind.GREEN
                    or view.skills.get(category, 0.0) <= 0.0):
                continue
            load = 0.0 if recent_work is None else _load(recent_work, views, view.pool)
            if load > settings.max_helper_load:
                continue
            ranked.append(((load, -view.skills[category], state.busy_until, view.number),
                           view))
        ranked.sort(key=lambda r: r[0])
        for _, view in ranked[:settings.windows_per_line]:
            helps.append(Move(view.number, view.pool, pool, category, "help"))
    return helps


def with_move(windows: Sequence[WindowState], index: Mapping[int, int], move: Move,
              hall: AdvisorHall) -> list[WindowState]:
    """The window states with `move` (or help) applied (`index`: number -> position)."""
    trial = list(windows)
    i = index[move.window]
    if move.kind == "help":
        trial[i] = helped(windows[i], move.to_pool)
    else:
        trial[i] = moved(windows[i], move.to_pool, hall.pool_kinds[move.to_pool])
    return trial


def _pool_total(projection: Projection, pool: str) -> float:
    return sum(mean * count for (p, _), (mean, count) in projection.by_line.items()
               if p == pool)


def score_move(move: Move, waiting: Sequence[WaitingTicket], windows: Sequence[WindowState],
               now: float, policy: str, service_minutes: Callable[[str], float],
               hall: AdvisorHall, *, settings: AdvisorSettings = AdvisorSettings(),
               **forecast_options) -> float:
    """The projected gain of one given move (positive: it helps), as `assess` scores it.
    Used to decide whether an expired advice's window goes home: it does unless
    staying is projected to be better by `min_gain_minutes` (`should_return`)."""
    options = dict(forecast_options, unserved_minutes=settings.unserved_minutes)
    index = {s.view.number: i for i, s in enumerate(windows)}
    before = project(waiting, windows, now, policy, service_minutes, **options)
    after = project(waiting, with_move(windows, index, move, hall), now, policy,
                    service_minutes, **options)
    return (before.mean - after.mean) + settings.worst_weight * (before.worst - after.worst)


def should_return(window: int, waiting: Sequence[WaitingTicket],
                  windows: Sequence[WindowState], now: float, policy: str,
                  service_minutes: Callable[[str], float], hall: AdvisorHall, *,
                  settings: AdvisorSettings = AdvisorSettings(), **forecast_options) -> bool:
    """Whether a window away from home (its advice `expired`) should go back now: yes,
    unless the projection says the return costs at least `min_gain_minutes`."""
    state = next(s for s in windows if s.view.number == window)
    home = hall.home_pools[window]
    if state.view.pool == home:
        return False
    move = Move(window, state.view.pool, home, "")
    gain = score_move(move, waiting, windows, now, policy, service_minutes, hall,
                      settings=settings, **forecast_options)
    return gain > -settings.min_gain_minutes


def _advice_id(move: Move, now: float) -> str:
    text = f"{move.window}:{move.from_pool}:{move.to_pool}:{move.category}:{int(now)}"
    if move.kind != "move":
        text += f":{move.kind}"
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def assess(waiting: Sequence[WaitingTicket], windows: Sequence[WindowState], now: float,
           policy: str, service_minutes: Callable[[str], float], hall: AdvisorHall, *,
           call_early_seconds: float = 600.0, params: Mapping[str, float] | None = None,
           no_show_rate: float = 0.06, no_show_seconds: float = 45.0,
           recent_work: Mapping[str, float] | None = None,
           settings: AdvisorSettings = AdvisorSettings(), keep: Collection[int] = (),
           arrivals: Sequence[WaitingTicket] = ()) -> Decision:
    """The whole decision, for display and tests: the projection, the suffering lines,
    every candidate's projection, and the advice (or None). See the module doc.
    `arrivals`: expected tickets to come (`core.forecast.arrivals`, sorted by arrival),
    which compete with the waiting ones in every projection."""
    options = dict(call_early_seconds=call_early_seconds, params=params,
                   no_show_rate=no_show_rate, no_show_seconds=no_show_seconds,
                   unserved_minutes=settings.unserved_minutes, arrivals=arrivals)
    before = project(waiting, windows, now, policy, service_minutes, **options)
    lines = tuple(suffering_lines(waiting, before, settings))
    if not lines:
        return Decision(before, lines)
    index = {s.view.number: i for i, s in enumerate(windows)}
    scored = []
    best: dict[str, tuple[float, Move, Projection]] = {}
    candidates = []
    if settings.helps:
        candidates += candidate_helps(windows, lines, hall, recent_work=recent_work,
                                      settings=settings, keep=keep)
    if settings.moves:
        candidates += candidate_moves(waiting, windows, lines, hall, recent_work=recent_work,
                                      settings=settings, keep=keep)
    for move in candidates:
        after = project(waiting, with_move(windows, index, move, hall), now, policy,
                        service_minutes, **options)
        scored.append((move, after))
        if after.mean > before.mean or after.worst > before.worst:
            continue
        # The window's own pool may not lose more than the relieved pool gains.
        lost = _pool_total(after, move.from_pool) - _pool_total(before, move.from_pool)
        won = _pool_total(before, move.to_pool) - _pool_total(after, move.to_pool)
        if lost > max(won, 0.0):
            continue
        gain = (before.mean - after.mean) + settings.worst_weight * (before.worst - after.worst)
        found = best.get(move.kind)
        if gain >= settings.min_gain_minutes and (found is None or gain > found[0]):
            best[move.kind] = (gain, move, after)
    choice = best.get("help")
    if "move" in best and (choice is None
                           or best["move"][0] * settings.prefer_help > choice[0]):
        choice = best["move"]
    advice = None
    if choice is not None:
        gain, move, after = choice
        returns_home = move.kind == "move" and hall.home_pools.get(move.window) == move.to_pool
        until = None if returns_home else next((e for e in hall.session_ends if e > now), None)
        advice = Advice(_advice_id(move, now), move.window, move.from_pool, move.to_pool,
                        move.category, before.mean, after.mean, before.worst, after.worst,
                        before.worst_category, gain, now, until, returns_home, move.kind)
    return Decision(before, lines, tuple(scored), advice)


def assess_many(waiting: Sequence[WaitingTicket], windows: Sequence[WindowState], now: float,
                policy: str, service_minutes: Callable[[str], float], hall: AdvisorHall, *,
                settings: AdvisorSettings = AdvisorSettings(), keep: Collection[int] = (),
                **options) -> list[Decision]:
    """Up to `settings.advice_per_tick` decisions at once, greedily: each is `assess` on
    the windows as the advices before it leave them (a window advised once is not
    advised again in the same round), so each advice's gain is counted on top of the
    others'. It stops at the first decision without advice; the list ends with it
    (or holds `advice_per_tick` advised decisions)."""
    index = {s.view.number: i for i, s in enumerate(windows)}
    trial, kept = list(windows), set(keep)
    decisions: list[Decision] = []
    for _ in range(max(1, settings.advice_per_tick)):
        decision = assess(waiting, trial, now, policy, service_minutes, hall,
                          settings=settings, keep=kept, **options)
        decisions.append(decision)
        advice = decision.advice
        if advice is None:
            break
        move = Move(advice.window, advice.from_pool, advice.to_pool, advice.category,
                    advice.kind)
        trial = with_move(trial, index, move, hall)
        kept.add(advice.window)
    return decisions


def advise(waiting: Sequence[WaitingTicket], windows: Sequence[WindowState], now: float,
           policy: str, service_minutes: Callable[[str], float], hall: AdvisorHall,
           **options) -> Advice | None:
    """The move or help with the greatest projected gain (help preferred, see
    `AdvisorSettings.prefer_help`), or None (`assess` for the options)."""
    return assess(waiting, windows, now, policy, service_minutes, hall, **options).advice


def expired(advice: Advice, now: float) -> bool:
    """True once the session the advice was given for is over: a moved window may go
    home (`should_return`); a helping window stops helping `to_pool`."""
    return advice.until is not None and now >= advice.until

