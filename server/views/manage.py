"""The manager's console, figures and day report (日报), and 好差评 ratings from the
windows' rating pads."""
from __future__ import annotations

import csv
import io
import secrets

from flask import Blueprint, g, make_response, render_template

from core.actions.ratings import submit_rating
from core.errors import Forbidden, Invalid
from core.figures import day_figures, help_figures
from core.reports import REPORT_COLUMNS, day_report, report_rows, spreadsheet_cell
from server.auth import owned_windows, public, requires
from server.payloads import Values, accepts, day, integer
from server.security import content_security_policy
from server.views.common import (
    PAGE_LANGUAGE,
    REASON,
    TICKET_NUMBER,
    act,
    events_json,
    service,
    settings,
)
from server.web.console import console_refusals, console_texts, report_words
from server.web.texts import language_of

blueprint = Blueprint("manage", __name__)

CONSOLE_REFRESH_SECONDS = 5


@blueprint.get("/manage")
@public
@accepts(query=[PAGE_LANGUAGE], media_type="text/html", ignore_unknown_query=True)
def console_page(query: Values):
    """The manager's console: log in, today's figures, each pool's line, the pool
    advisor's open advice (accept, dismiss, ask now), the windows (move one to another
    pool, let it also serve one until a time, stop a help); refreshed every few seconds."""
    nonce = secrets.token_urlsafe(16)
    language = language_of(query["lang"] or "")
    page = make_response(render_template(
        "manage.html", hall=settings().name_en if language == "en" else settings().name,
        nonce=nonce, language=language,
        texts=console_texts(language), refusals=console_refusals(language),
        refresh_seconds=CONSOLE_REFRESH_SECONDS))
    page.headers["Content-Security-Policy"] = content_security_policy(nonce)
    page.headers["Cache-Control"] = "no-store"
    return page


@blueprint.get("/api/stats")
@requires("manager")
@accepts()
def stats():
    return service().read(lambda hall, now: day_figures(hall, now)
                          | {"help_requests": help_figures(hall, now)})


REPORT_DAY = day("day", doc="the service day; today when absent", example="2026-11-23")


def _report_day(query: Values) -> str:
    today = service().read(lambda hall, now: hall.service_day)
    asked = query["day"]
    if asked is None:
        return today
    if asked.isoformat() > today:
        raise Invalid(f"{asked.isoformat()} has not come yet", day=asked.isoformat(),
                      code="report_day_in_future")
    return asked.isoformat()


@blueprint.get("/api/report")
@requires("manager")
@accepts(query=[REPORT_DAY])
def report(query: Values):
    """The day report (日报) of today or an earlier day: totals, waits, service times and
    好差评, by category, by window and by hour of issue."""
    service_day = _report_day(query)
    return service().on_tickets_of(
        service_day, lambda tickets: day_report(service_day, tickets, settings()))


@blueprint.get("/api/report.csv")
@requires("manager")
@accepts(query=[REPORT_DAY, PAGE_LANGUAGE], media_type="text/csv")
def report_csv(query: Values):
    """The day's tickets, one row each, for a spreadsheet (UTF-8 with a byte-order mark,
    so that Excel reads the Chinese)."""
    service_day = _report_day(query)
    language = language_of(query["lang"] or "")
    rows = service().on_tickets_of(
        service_day, lambda tickets: report_rows(tickets, settings(), language))
    words = report_words(language)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([words["columns"][column] for column in REPORT_COLUMNS])
    for row in rows:
        writer.writerow([spreadsheet_cell(words["values"].get((column, row[column]),
                                                              row[column]))
                         for column in REPORT_COLUMNS])
    answer = make_response("\ufeff" + out.getvalue())
    answer.headers["Content-Type"] = "text/csv; charset=utf-8"
    answer.headers["Content-Disposition"] = (
        f'attachment; filename="report-{service_day}.csv"')
    answer.headers["Cache-Control"] = "no-store"
    return answer


@blueprint.post("/api/ratings")
@requires("rating_pad")
@accepts(body=[TICKET_NUMBER,
               integer("level", minimum=0, maximum=5, doc="5 非常满意 … 1 非常不满意 (1 and 2 "
                       "need a reason); 0: the pad invited and no rating came (未评价)",
                       example=5),
               REASON,
               integer("window", required=False, minimum=1,
                       doc="the window served: a pads bridge's, one of its pads' windows",
                       example=1)],
         status=201)
def rate(body: Values):
    """A window's rating pad rates what that window served. (The citizen's phone rates
    through its own route; never a clerk, nor a kiosk anyone can walk up to.) A pads
    bridge (`yichuang pads`) names the window, one of the windows whose pads it owns."""
    number, level, reason = body["number"], body["level"], body["reason"]
    window = g.principal.window
    if window is None or body["window"] is not None:
        owned = owned_windows(settings(), g.principal.name, "rating_pad")
        if window is not None:
            owned |= {window}
        if body["window"] not in owned:
            raise Forbidden(f"{g.principal.name} rates only at windows {sorted(owned)}",
                            window=body["window"], code="rating_not_its_window")
        window = body["window"]

    def action(hall, now):
        return submit_rating(hall, number, level, reason, now, window, allow_none=True)
    return {"events": events_json(act(action))}, 201
