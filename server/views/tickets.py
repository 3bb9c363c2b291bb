"""Ticket routes: taking a number at a kiosk, checking in, cancelling, looking up."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, g, jsonify, request

from core.actions.alarms import raise_alarm
from core.actions.tickets import TicketRequest, cancel_ticket, issue_pickup_ticket, issue_ticket
from core.events import TicketIssued
from core.forecast.live import estimate_waits
from core.hall import Hall
from core.id_cards import age_on, read
from core.settings.schema import Priority
from core.tickets import Origin, TicketState
from server.auth import Refused, requires
from server.limits import RateLimit
from server.payloads import Values, accepts, like, text
from server.views.common import (
    CASE_NUMBER,
    ID_CARD,
    ID_CARD_READ,
    REASON,
    SUBJECT,
    TICKET_NUMBER,
    act,
    events_json,
    service,
    settings,
)

blueprint = Blueprint("tickets", __name__, url_prefix="/api")
STAFF = ("clerk", "manager")


def _id_card(number: str) -> tuple[str, int | None]:
    """An HMAC of the normalised ID card number (防黄牛 limits: one card however it
    was typed) and the holder's age (适老化)."""
    if not number:
        return "", None
    today = service().clock().date()
    card = read(number, today)
    return service().id_card_digest(card.number), age_on(card.born, today)


def within_issue_limits() -> None:
    """防黄牛: a kiosk past `tickets_per_device_per_minute`, or any address past
    `tickets_per_address_per_minute`, is refused (429) and the managers are alarmed."""
    principal, address = g.principal, request.remote_addr or ""
    limits = _issue_limits()
    checks = [(limits["address"], f"address {address}")]
    if principal.role == "kiosk":
        checks.insert(0, (limits["device"], principal.name))
    for limit, who in checks:
        wait = limit.take(who)
        if wait > 0:
            if limits["alarmed"].take(who) == 0:
                message = f"{who} asks for numbers faster than the hall allows"
                act(lambda hall, now: raise_alarm(hall, who, "issue_rate", message, now))
            raise Refused(f"too many numbers from {who}; please wait", wait)


def _issue_limits() -> dict:
    found = current_app.extensions.get("yichuang.issue_limits")
    if found is None:
        rules = settings().rules
        found = current_app.extensions["yichuang.issue_limits"] = {
            "device": RateLimit(rules.tickets_per_device_per_minute),
            "address": RateLimit(rules.tickets_per_address_per_minute),
            "alarmed": RateLimit(per_minute=0.1, burst=1),      # one alarm per 10 minutes
        }
    return found


def issue_and_answer(action, token: str):
    """Issue (one transaction) and answer with the new ticket, its estimate and its link."""
    logged, (ticket, token) = act(
        action, lambda hall: (hall.by_phone_token[token].public(), token))
    issued = next(e.event for e in logged if isinstance(e.event, TicketIssued))
    base = settings().server.public_url.rstrip("/")
    return jsonify({"ticket": ticket, "people_ahead": issued.people_ahead,
                    "eta_minutes": issued.eta_minutes, "eta_low": issued.eta_low,
                    "eta_high": issued.eta_high, "phone_token": token,
                    "phone_url": f"{base}/t/{token}",
                    "materials": list(settings().material_labels(ticket["subject"])),
                    "events": events_json(logged)}), 201


@blueprint.post("/tickets")
@requires("kiosk", "clerk", "manager")
@accepts(body=[SUBJECT, text("priority", 16, required=False, default="normal",
                             choices=[p.value for p in Priority], doc="`green`: staff only"),
               ID_CARD, ID_CARD_READ,
               text("holder_name", 30, required=False,
                    doc="the name the kiosk's reader read from the card (with `id_card_read`); "
                        "the ticket keeps it masked (张*三) for the hall's board")],
         status=201)
def issue(body: Values):
    within_issue_limits()
    staff = g.principal.role in ("clerk", "manager")
    id_card_hash, age = _id_card(body["id_card"])
    token = service().new_phone_token()
    ticket_request = TicketRequest(
        subject=body["subject"], phone_token=token,
        origin=Origin.STAFF if staff else Origin.KIOSK, priority=Priority(body["priority"]),
        id_card_hash=id_card_hash, age=age, by_staff=staff,
        id_card_read=bool(body["id_card_read"]),
        holder_name=body["holder_name"] if body["id_card_read"] and id_card_hash else "")
    return issue_and_answer(lambda hall, now: issue_ticket(hall, ticket_request, now), token)


@blueprint.post("/cases/<case_number>/pickup-ticket")
@requires("kiosk", "clerk", "manager")
@accepts(body=[], path=[CASE_NUMBER], status=201)
def pickup_ticket(case_number: str, body: Values):
    within_issue_limits()
    token = service().new_phone_token()
    return issue_and_answer(lambda hall, now: issue_pickup_ticket(hall, case_number, token, now),
                            token)


@blueprint.get("/tickets")
@requires("clerk", "manager", "display")
@accepts(query=[text("state", 16, required=False, choices=[s.value for s in TicketState])])
def list_tickets(query: Values):
    state = query["state"]
    return service().read(lambda hall, now: {"service_day": hall.service_day, "tickets": [
        t.public() for t in hall.tickets.values() if not state or t.state.value == state]})


@blueprint.get("/tickets/<number>")
@requires("kiosk", "clerk", "manager", "display")
@accepts(path=[TICKET_NUMBER])
def get_ticket(number: str):
    """A ticket and its history; a kiosk or display (public screens) sees no notes."""
    staff = g.principal.role in STAFF

    def picture(hall: Hall, now: datetime):
        ticket = hall.ticket(number)
        estimate = estimate_waits(hall, now).get(ticket.number, (0, None))
        low, high = hall.wait_range(estimate, now)
        history = [h.to_dict() | ({} if staff else {"note": ""}) for h in ticket.history]
        return {"ticket": ticket.public(), "people_ahead": estimate[0],
                "eta_minutes": estimate[1], "eta_low": low, "eta_high": high,
                "history": history}
    return service().read(picture)


@blueprint.post("/tickets/<number>/cancel")
@requires("clerk", "manager")
@accepts(body=[like(REASON, default="cancelled")], path=[TICKET_NUMBER])
def cancel(number: str, body: Values):
    """Staff cancel a waiting ticket, recorded with who; a citizen cancels their own
    from their phone (by its token). A kiosk cannot: its token is in a public place."""
    reason, by = body["reason"], g.principal.name
    stored = act(lambda hall, now: cancel_ticket(hall, number, reason, now, by))
    return {"events": events_json(stored)}
