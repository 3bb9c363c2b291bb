"""The pool advisor's advice for managers: read it, accept (apply) or dismiss it, or ask
for an assessment now (`server.advisor`; docs/allocation.md "The pool advisor").

GET /api/advice answers the advices recorded by the last assessments; it does not assess.
The production server assesses every `[advisor] interval_minutes` by itself; a manager
(or a test) asks for one at once with POST /api/advice/assess.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g

from core.actions.advice import accept_advice, advice_of, dismiss_advice
from core.advice_records import AdviceState
from core.errors import Conflict
from server.advisor import PoolAdvisor
from server.auth import requires
from server.payloads import Values, accepts, text
from server.views.common import act, events_json, service

blueprint = Blueprint("advice", __name__, url_prefix="/api/advice")

ADVICE_ID = text("advice_id", 16, doc="an advice's id", example="3f2a9c01b7d4")
STATES = {"open": (AdviceState.OPEN,), "all": tuple(AdviceState),
          **{s.value: (s,) for s in AdviceState if s is not AdviceState.OPEN}}


def advisor() -> PoolAdvisor:
    return current_app.extensions["yichuang.advisor"]


def _listed(hall, wanted) -> list[dict]:
    return [a.public() for a in sorted(hall.advice.values(), key=lambda a: a.issued_at)
            if a.state in wanted]


@blueprint.get("")
@requires("manager")
@accepts(query=[text("state", 16, required=False, default="open", choices=list(STATES),
                     doc="open (default), accepted, dismissed, withdrawn, all")])
def list_advice(query: Values):
    """Today's advice (the open ones by default, oldest first; several may be open, one
    per window) and the last assessment's projected waits per category (minutes; null
    before the first assessment)."""
    wanted = STATES[query["state"]]
    listed = service().read(lambda hall, now: _listed(hall, wanted))
    return {"advice": listed, "projection": advisor().summary()}


@blueprint.post("/assess")
@requires("manager")
@accepts(body=[])
def assess_now(body: Values):
    """Assess the hall now (the server also does so every `interval_minutes`): the open
    advices after it (several at once, one per window), the events it caused
    (AdviceIssued, AdviceWithdrawn, and with `auto_apply` the moves or helps themselves)
    and the projection. The computation runs outside the hall's lock; an advice the hall
    has moved past meanwhile is not recorded."""
    pool_advisor = advisor()
    if not pool_advisor.config.enabled:
        raise Conflict("the pool advisor is switched off ([advisor] enabled = false)",
                       code="advisor_disabled")
    logged, listed = pool_advisor.assess(act, lambda hall: _listed(hall, (AdviceState.OPEN,)))
    return {"advice": listed, "events": events_json(logged),
            "projection": pool_advisor.summary()}


def _decided(advice_id: str, action):
    def picture(hall):
        record = advice_of(hall, advice_id)
        return record.public(), hall.window(record.window).public()
    logged, (advice, window) = act(action, picture)
    return {"advice": advice, "window": window, "events": events_json(logged)}


@blueprint.post("/<advice_id>/accept")
@requires("manager")
@accepts(body=[], path=[ADVICE_ID])
def accept(advice_id: str, body: Values):
    """Apply the advice (a move through the move route's action, or a help until its
    time), recorded with who accepted it; accepting it again answers the same."""
    manager = g.principal.name
    return _decided(advice_id, lambda hall, now: accept_advice(hall, advice_id, manager, now))


@blueprint.post("/<advice_id>/dismiss")
@requires("manager")
@accepts(body=[], path=[ADVICE_ID])
def dismiss(advice_id: str, body: Values):
    """Close the advice unapplied; dismissing it again answers the same."""
    manager = g.principal.name
    return _decided(advice_id, lambda hall, now: dismiss_advice(hall, advice_id, manager, now))
