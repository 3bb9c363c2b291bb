"""The back office page's words (catalogue `web`), handed to the page's script."""
from __future__ import annotations

from core.messages import N_
from server.web.texts import refusals_said, said

# the refusals the page may meet, said in the page's language ({names} filled by the page)
OFFICE_REFUSALS = ("case_part_unknown", "case_part_other_department", "case_other_department",
                   "case_already_decided", "case_part_already_approved", "case_part_returned",
                   "case_materials_missing", "return_reason_required", "department_unknown",
                   "not_found", "invalid", "conflict", "forbidden")

OFFICE_PAGE = {
    "title": N_("Back office (审批)"),
    "user_name": N_("User name"),
    "password": N_("Password"),
    "log_in": N_("Log in"),
    "log_out": N_("Log out"),
    "not_back_office": N_("This page is for back-office staff and managers."),
    "all_departments": N_("All departments"),
    "in_review_tab": N_("In review"),
    "needs_correction_tab": N_("Returned for correction"),
    "overdue_tab": N_("Overdue"),
    "all_tab": N_("All open cases"),
    "matter_filter": N_("Matter code (optional)"),
    "refresh": N_("Refresh"),
    "no_cases": N_("No cases here."),
    "case_number": N_("Case number"),
    "matter": N_("Matter"),
    "opened_at": N_("Accepted"),
    "due_date": N_("Promised date"),
    "status": N_("Status"),
    "in_review": N_("In review"),
    "needs_correction": N_("Needs correction"),
    "ready": N_("Ready for pickup"),
    "picked_up": N_("Picked up"),
    "returned": N_("Returned for correction"),
    "approved": N_("Approved"),
    "past_due_date": N_("Past the promised date"),
    "materials_overdue": N_("Missing materials past their date"),
    "parts": N_("Parts and departments (并联审批)"),
    "department": N_("Department"),
    "received": N_("Materials received"),
    "missing": N_("Materials missing (容缺), to supply by {date}"),
    "history": N_("History"),
    "opened": N_("Accepted"),
    "resubmitted": N_("Correction brought"),
    "approve": N_("Approve"),
    "return": N_("Return for correction"),
    "reason": N_("What must the citizen correct or bring?"),
    "send_return": N_("Send back"),
    "cancel": N_("Cancel"),
    "back": N_("Back to the list"),
    "done": N_("Done."),
    "days_in_correction": N_("Working days added for corrections: {days}"),
    "wrong_password": N_("Wrong user name or password."),
    "too_many": N_("Too many tries; please wait and try again."),
    "expired": N_("Your session has ended; please log in again."),
    "network": N_("The network is unsteady; please try again."),
}


def office_texts(language: str) -> dict[str, str]:
    return said(OFFICE_PAGE, language)


def office_refusals(language: str) -> dict[str, str]:
    return refusals_said(OFFICE_REFUSALS, language)
