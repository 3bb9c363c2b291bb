"""Ticket routes: taking a number at a kiosk, checking in, cancelling, looking up."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, g, jsonify, request

from core.actions.tickets import TicketRequest, cancel_ticket, issue_pickup_ticket, issue_ticket
from core.errors import Invalid
from core.events import TicketIssued
from core.forecast.live import estimate_waits
from core.hall import Hall
from core.id_cards import age_on, birth_date
from core.settings.schema import Priority
from core.tickets import Origin
from server.auth import requires
from server.payloads import Payload
from server.views.common import events_json, service, settings

blueprint = Blueprint("tickets", __name__, url_prefix="/api")


def _id_card(payload: Payload) -> tuple[str, int | None]:
    """An HMAC of the ID card number (防黄牛 limits) and the holder's age (适老化)."""
    number = payload.text("id_card", required=False).upper()
    if not number:
        return "", None
    born = birth_date(number)
    return service().id_card_digest(number), age_on(born, service().clock().date())


def _priority(payload: Payload) -> Priority:
    value = payload.text("priority", required=False, default="normal")
    try:
        return Priority(value)
    except ValueError:
        raise Invalid(f"priority must be one of {[p.value for p in Priority]}",
                      field="priority") from None


def issue_and_answer(action, token: str):
    """Issue (one transaction) and answer with the new ticket, its estimate and its link."""
    logged, ticket = service().act(action, lambda hall: hall.by_phone_token[token].public())
    issued = next(e.event for e in logged if isinstance(e.event, TicketIssued))
    base = settings().server.public_url.rstrip("/")
    return jsonify({"ticket": ticket, "people_ahead": issued.people_ahead,
                    "eta_minutes": issued.eta_minutes, "phone_token": token,
                    "phone_url": f"{base}/t/{token}",
                    "materials": list(settings().materials(ticket["subject"])),
                    "events": events_json(logged)}), 201


@blueprint.post("/tickets")
@requires("kiosk", "clerk", "manager")
def issue():
    payload = Payload.from_request()
    staff = g.principal.role in ("clerk", "manager")
    id_card_hash, age = _id_card(payload)
    token = service().new_phone_token()
    ticket_request = TicketRequest(
        subject=payload.text("subject"), phone_token=token,
        origin=Origin.STAFF if staff else Origin.KIOSK, priority=_priority(payload),
        id_card_hash=id_card_hash, age=age, by_staff=staff)
    payload.done()
    return issue_and_answer(lambda hall, now: issue_ticket(hall, ticket_request, now), token)


@blueprint.post("/appointments/check-in")
@requires("kiosk", "clerk", "manager")
def check_in():
    payload = Payload.from_request()
    slot_text = payload.text("slot")
    id_card_hash, age = _id_card(payload)
    subject = payload.text("subject")
    payload.done()
    token = service().new_phone_token()

    def action(hall: Hall, now: datetime):
        try:
            clock = datetime.strptime(slot_text, "%H:%M").time()
        except ValueError:
            raise Invalid("field 'slot' must be a time like 09:30", field="slot") from None
        slot = datetime.combine(now.date(), clock, tzinfo=now.tzinfo)
        ticket_request = TicketRequest(subject=subject, phone_token=token,
                                       origin=Origin.APPOINTMENT, id_card_hash=id_card_hash,
                                       age=age, appointment_slot=slot)
        return issue_ticket(hall, ticket_request, now)
    return issue_and_answer(action, token)


@blueprint.post("/cases/<case_number>/pickup-ticket")
@requires("kiosk", "clerk", "manager")
def pickup_ticket(case_number: str):
    Payload.from_request().done()
    token = service().new_phone_token()
    return issue_and_answer(lambda hall, now: issue_pickup_ticket(hall, case_number, token, now),
                            token)


@blueprint.get("/tickets")
@requires("clerk", "manager", "display")
def list_tickets():
    state = request.args.get("state", "")
    return service().read(lambda hall, now: {"service_day": hall.service_day, "tickets": [
        t.public() for t in hall.tickets.values() if not state or t.state.value == state]})


@blueprint.get("/tickets/<number>")
@requires("kiosk", "clerk", "manager", "display")
def get_ticket(number: str):
    def picture(hall: Hall, now: datetime):
        ticket = hall.ticket(number)
        ahead, minutes = estimate_waits(hall, now).get(ticket.number, (0, None))
        return {"ticket": ticket.public(), "people_ahead": ahead, "eta_minutes": minutes,
                "history": [h.to_dict() for h in ticket.history]}
    return service().read(picture)


@blueprint.post("/tickets/<number>/cancel")
@requires("kiosk", "manager")
def cancel(number: str):
    payload = Payload.from_request()
    reason = payload.text("reason", required=False, default="cancelled")
    payload.done()
    stored = service().act(lambda hall, now: cancel_ticket(hall, number, reason, now))
    return {"events": events_json(stored)}
