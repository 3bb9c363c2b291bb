"""The citizen's case page's words (catalogue `web`), handed to the page's script."""
from __future__ import annotations

from core.messages import N_
from server.web.texts import said

CASE_PAGE = {
    "title": N_("Your case"),
    "loading": N_("Looking up your case…"),
    "case_number": N_("Case number"),
    "matter": N_("Matter"),
    "status": N_("Status"),
    "in_review": N_("In review"),
    "needs_correction": N_("Needs correction: please see the reason below"),
    "ready": N_("Ready for pickup: please take a pickup number at the hall"),
    "picked_up": N_("Picked up"),
    "due_date": N_("Promised completion date"),
    "received": N_("Materials received"),
    "missing": N_("Materials to supply by {date}"),
    "overdue": N_("The date to supply these has passed. Please bring them as soon as "
                  "possible."),
    "rate": N_("Rate the service you received (好差评)"),
    "levels": N_("Very satisfied|Satisfied|Fair|Dissatisfied|Very dissatisfied"),
    "reason": N_("What went wrong? (required for a bad rating)"),
    "send": N_("Send"),
    "thanks": N_("Thank you for your rating."),
    "unknown": N_("This case link is unknown."),
    "network": N_("The network is unsteady; please try again."),
    # 审批 in the back office: each part and its department (并联审批), 补正 reasons
    "parts": N_("Progress by department"),
    "part_in_review": N_("In review"),
    "part_returned": N_("Returned for correction"),
    "part_approved": N_("Approved"),
    "correction": N_("To correct: {reason}. Please bring it to the hall's front desk; the "
                     "days until then do not count towards the promised date."),
}


def case_texts(language: str) -> dict[str, str]:
    return said(CASE_PAGE, language)


def case_status_texts(language: str) -> dict[str, str]:
    """The case statuses' words for the phone page, as `case_<status>`."""
    texts = case_texts(language)
    return {f"case_{status}": texts[status]
            for status in ("in_review", "needs_correction", "ready", "picked_up")}
