"""The manager's console page's words (catalogue `web`), handed to the page's script."""
from __future__ import annotations

from core.messages import N_
from server.web.texts import refusals_said, said

# the refusals the console may meet, said in the page's language ({names} filled by the page)
CONSOLE_REFUSALS = ("advisor_disabled", "advice_closed", "advice_outdated", "unknown_advice",
                    "window_no_skill_for_pool", "help_own_pool", "help_until_past",
                    "window_not_helping", "unknown_pool", "report_day_in_future", "not_found",
                    "invalid", "conflict", "forbidden")

CONSOLE_PAGE = {
    "title": N_("Manager's console"),
    "user_name": N_("User name"),
    "password": N_("Password"),
    "log_in": N_("Log in"),
    "log_out": N_("Log out"),
    "not_manager": N_("This page is for the hall's managers."),
    "wrong_password": N_("Wrong user name or password."),
    "too_many": N_("Too many tries; please wait and try again."),
    "expired": N_("Your session has ended; please log in again."),
    "network": N_("The network is unsteady; please try again."),
    "done": N_("Done."),
    "updated": N_("Updated {time}"),
    # today
    "today": N_("Today"),
    "issued": N_("Numbers taken"),
    "finished": N_("Served"),
    "waiting_now": N_("Waiting now"),
    "mean_wait": N_("Mean wait"),
    "p95_wait": N_("95% waited at most"),
    "within_15": N_("Called within 15 min"),
    "longest_now": N_("Longest waiting now"),
    "satisfied": N_("Satisfied (好差评)"),
    "minutes": N_("{minutes} min"),
    "none": N_("—"),
    # lines
    "lines": N_("Lines"),
    "pool": N_("Area"),
    "waiting": N_("Waiting"),
    "longest_wait": N_("Longest wait"),
    "windows_open": N_("Windows open"),
    "helped_by": N_("Helped by"),
    "window_number": N_("Window {number}"),
    # advice
    "advice": N_("The pool advisor"),
    "assess": N_("Ask the advisor now"),
    "no_advice": N_("No advice now: the lines fit the windows."),
    "no_advice_lines": N_("No open advice; the long lines, and why, are below."),
    "long_lines": N_("Long lines"),
    "long_line": N_("{area} · {category}: {waiting} waiting, about {minutes} min each."),
    "line_relieved": N_("Advised: window {window} helps."),
    "line_no_skilled_window": N_("No other open window can serve these matters: only staff "
                                 "with this skill can help."),
    "line_cannot_spare": N_("The windows that can serve them cannot be spared now (their own "
                            "line, a pause, or a move a short while ago)."),
    "line_no_gain": N_("Every move and help tried would not shorten the waits enough."),
    "projection": N_("Projected at {time}: mean wait {mean} min; longest, {category}: {worst} min"),
    "gain": N_("Mean wait {before} → {after} min; {category}: {worst_before} → {worst_after} min"),
    "accept": N_("Accept"),
    "dismiss": N_("Dismiss"),
    # windows
    "windows": N_("Windows"),
    "window": N_("Window"),
    "home_pool": N_("Home area"),
    "status": N_("Window status"),
    "clerk": N_("Clerk"),
    "current": N_("Now serving"),
    "served_today": N_("Served today"),
    "ready_since": N_("Waiting for the next citizen since {time}"),
    "helping": N_("Also serving"),
    "until": N_("until {time}"),
    "stop_helping": N_("Stop"),
    "choose_pool": N_("Choose an area"),
    "move": N_("Move there"),
    "help": N_("Help there"),
    "help_until": N_("Until (optional)"),
    # the day report
    "report": N_("Day report (日报)"),
    "report_day": N_("Day"),
    "show_report": N_("Show"),
    "download": N_("Download the spreadsheet (CSV)"),
    "by_window": N_("By window"),
    "by_category": N_("By category"),
    "by_hour": N_("By hour of the day"),
    "category": N_("Category"),
    "time_of_day": N_("Time of day"),
    "no_shows": N_("No-shows"),
    "mean_service": N_("Mean service"),
    "rated": N_("Rated"),
    "bad": N_("Not satisfied"),
    "hour": N_("{hour}:00–{next}:00"),
    "release": N_("Release"),
    "release_confirm": N_("Release it? Its tickets wait again"),
    "open": N_("Open"),
    "paused": N_("Paused"),
    "closed": N_("Closed"),
    "lunch": N_("Lunch break"),
    "break": N_("Short break"),
    "meeting": N_("Meeting"),
    "training": N_("Training"),
    "system_fault": N_("System fault"),
}


def console_texts(language: str) -> dict[str, str]:
    return said(CONSOLE_PAGE, language)


def console_refusals(language: str) -> dict[str, str]:
    return refusals_said(CONSOLE_REFUSALS, language)


# the day report's spreadsheet (core.reports.REPORT_COLUMNS): its headers, and the words
# for the codes in its state, priority and origin columns
REPORT_HEADERS = {
    "number": N_("Number"),
    "subject": N_("Matter code"),
    "subject_name": N_("Matter"),
    "category_name": N_("Category"),
    "pool_name": N_("Area"),
    "priority": N_("Priority"),
    "origin": N_("Taken by"),
    "issued_at": N_("Taken at"),
    "called_at": N_("Called at"),
    "finished_at": N_("Finished at"),
    "window": N_("Window"),
    "clerk": N_("Clerk"),
    "wait_minutes": N_("Wait (min)"),
    "service_minutes": N_("Service (min)"),
    "state": N_("Ticket state"),
    "rating": N_("Rating (好差评)"),
    "case_number": N_("Case number"),
}
REPORT_VALUES = {
    ("state", "waiting"): N_("Waiting in line"),
    ("state", "called"): N_("Called"),
    ("state", "serving"): N_("Being served"),
    ("state", "parked"): N_("Set aside"),
    ("state", "finished"): N_("Served"),
    ("state", "no_show"): N_("No-show (过号)"),
    ("state", "cancelled"): N_("Cancelled"),
    ("priority", "green"): N_("Green channel"),
    ("priority", "elderly"): N_("Elderly"),
    ("priority", "appointment"): N_("Appointment"),
    ("priority", "normal"): N_("Normal"),
    ("origin", "kiosk"): N_("Kiosk"),
    ("origin", "appointment"): N_("Appointment check-in"),
    ("origin", "staff"): N_("Staff"),
}


def report_words(language: str) -> dict:
    """{"columns": column -> header, "values": (column, code) -> word} in `language`."""
    return {"columns": said(REPORT_HEADERS, language),
            "values": said(REPORT_VALUES, language)}
