"""What a person is told when the server refuses: one message per refusal code.

The server answers every refusal with a stable `code` and its `details`
(`core.errors`); a kiosk, a phone page or a caller says it with `explain()`,
in plain words with the next step, from the `refusals` catalogue. A code without
a message of its own falls back to its kind's (`invalid`, `conflict` ...), so
a person never reads an English exception.

Add a code: raise it in core (`code="..."`), add its message id below, and its
Chinese to `zh/LC_MESSAGES/refusals.po` (tests/core/test_messages.py checks both).
"""
from __future__ import annotations

from core.messages import DEFAULT_LANGUAGE, N_, translator

REFUSALS: dict[str, str] = {
    # --- by kind: the fallbacks --------------------------------------------------
    "invalid": N_("This request could not be accepted. Please check and try again, "
                  "or ask the staff at the information desk."),
    "not_found": N_("We could not find what you asked for. Please check the number "
                    "and try again."),
    "conflict": N_("This cannot be done right now. Please ask the staff at the "
                   "information desk."),
    "forbidden": N_("This is not allowed here. Please ask the staff at the information desk."),
    "unauthorized": N_("This device is not signed in to the hall server. Please call "
                       "the hall's staff."),
    "wrong_role": N_("This device may not do that. Please call the hall's staff."),
    "bad_json": N_("The request was damaged on its way. Please try again."),
    "too_large": N_("The request is too long. Please shorten it and try again."),
    "too_many_requests": N_("Too many numbers are being taken here. Please wait a "
                            "minute and try again."),
    "unavailable": N_("The hall's server cannot be reached right now. We keep trying; "
                      "nothing you asked for will be done twice."),
    "internal_server_error": N_("Something went wrong on the hall's server. Please try "
                                "again, or ask the staff at the information desk."),
    # --- taking a number ------------------------------------------------------------
    "unknown_subject": N_("This matter is not handled in this hall. Please ask the "
                          "staff at the information desk."),
    "id_card_required": N_("This matter needs your ID card to take a number. Please "
                           "place your ID card on the reader."),
    "id_card_invalid": N_("The ID card could not be read correctly. Please place it on "
                          "the reader again."),
    "id_daily_limit": N_("You have taken today's limit of {limit} numbers. You can book "
                         "an appointment for tomorrow."),
    "staff_only_priority": N_("Only the hall's staff can give this priority. Please ask "
                              "at the information desk."),
    "appointment_slot_missing": N_("Your appointment time is missing. Please check in "
                                   "with your booking code."),
    "appointment_other_day": N_("Your appointment is for {day}, not today. Please come "
                                "back on that day."),
    "appointment_missed": N_("Your appointment at {slot} has passed. Please take a "
                             "normal number."),
    "appointment_too_early": N_("Check-in for your appointment at {slot} opens {minutes} "
                                "minutes before it. Please come back then."),
    "ticket_other_day": N_("This ticket is from {day}. Numbers start again each day; "
                           "please take a new number."),
    "unknown_ticket": N_("There is no ticket {number} today. Please check the number."),
    # --- results and cases ------------------------------------------------------------
    "unknown_case": N_("There is no open case {case_number}. Please check the number on "
                       "your acceptance slip."),
    "case_not_ready": N_("Case {case_number} is still being reviewed; it is promised by "
                         "{due_date}. We will tell you when it is ready."),
    "pickup_ticket_exists": N_("Case {case_number} already has a pickup number today. "
                               "Please wait to be called."),
    # --- floor helpers (呼叫帮办), self-service forms (自助办理), device health --------
    "help_reason_unknown": N_("Please choose why you need help."),
    "help_already_requested": N_("A member of staff has already been called to {where}. "
                                 "Please wait here; they are on their way."),
    "unknown_help_request": N_("There is no call for help {id} today."),
    "help_already_taken": N_("This call for help has already been taken by a colleague."),
    "help_not_open": N_("This call for help is already closed."),
    "help_not_taken": N_("Take this call for help before marking it done."),
    "help_taken_by_other": N_("Another colleague took this call for help; they will "
                              "close it."),
    "form_field_invalid": N_("Please check \"{label}\" and try again."),
    "form_field_unknown": N_("This form has changed. Please start it again from the "
                             "home screen."),
    "unknown_form": N_("This self-service matter is not offered here. Please ask the "
                       "staff at the information desk."),
    "device_not_yours": N_("This device may only report its own state. Please call the "
                           "hall's staff."),
    "device_code_invalid": N_("The device reported an unknown state. Please call the "
                              "hall's staff."),
    # --- opening hours and appointments (预约) ----------------------------------------
    "outside_hours": N_("The windows are not taking numbers now. Numbers can be taken again from "
                        "{opens_at} on {day}. You can book an appointment, or use the self-service "
                        "machines."),
    "after_cutoff": N_("Numbers for the windows stopped at {cutoff} today, so that everyone "
                       "holding one is served before closing. Please come again from {opens_at} on "
                       "{day}, or book an appointment."),
    "holiday_closed": N_("The hall is closed for the public holiday. Numbers can be taken again "
                         "from {opens_at} on {day}. You can book an appointment, or use the "
                         "self-service machines."),
    "not_bookable": N_("This matter cannot be booked. Please take a number in the hall."),
    "booking_id_card_required": N_("Please enter the ID card number of the person who will come."),
    "booking_day_unavailable": N_("{day} cannot be booked. You can book open days up to "
                                  "{days_ahead} days ahead."),
    "no_such_slot": N_("There is no slot at {start} on {day}, or it has begun. Please choose "
                       "another time."),
    "slot_full": N_("The slot at {start} on {day} is fully booked. Please choose another time."),
    "booking_daily_limit": N_("This ID card already has a booking on {day} (at most {limit} a "
                              "day). You can change that booking instead."),
    "booking_open_limit": N_("This ID card already holds {limit} bookings, the most allowed. "
                             "Please cancel one, or book again after one of them."),
    "unknown_booking": N_("There is no booking with this code. Please check the code on your "
                          "booking."),
    "booking_not_active": N_("This booking has been cancelled or has expired. Please book again."),
    "booking_checked_in": N_("This booking is checked in already: your number is {number}."),
    "no_booking_today": N_("There is no booking for today with this ID card. Please check in with "
                           "your booking code, or take a number."),
    "booking_code_required": N_("Please enter your booking code, or place your ID card on the "
                                "reader."),
    # --- people's log-in (server/sessions.py, core/people.py) -------------------------------
    "wrong_password": N_("The user name or password is wrong. Please try again."),
    "too_many_log_ins": N_("Too many wrong passwords. Please wait {seconds} seconds and try "
                           "again, or ask the hall's manager."),
    "session_expired": N_("Your log-in has ended. Please log in again."),
    "not_a_person": N_("Only a person logged in with a user name and password can do this."),
    "password_too_short": N_("The new password needs at least {min_length} characters."),
    "password_too_long": N_("The new password takes at most {max_length} characters."),
    "password_is_user_name": N_("The new password must not be the user name."),
    "password_unchanged": N_("The new password must differ from the old one."),
    "user_name_invalid": N_("A user name is 2 to 32 letters, digits, '.', '_' or '-', "
                            "starting with a letter."),
    "person_role_invalid": N_("A person's role is clerk, manager, helper or back_office."),
    "department_required": N_("A back-office person needs a department."),
    "department_not_back_office": N_("Only back-office people have a department."),
    # --- 受审分离 at the front desk (core/actions/cases.py), 过号 (core/actions/requeue.py)
    "case_not_for_matter": N_("{subject} is finished at the window: it opens no case. "
                              "Finish it without opening a case."),
    "case_not_at_pickup": N_("A pickup window hands out results; it does not open cases."),
    "case_details_without_case": N_("Missing materials and their date apply only when a "
                                    "case is opened."),
    "supply_by_required": N_("Please give the date by which the missing materials are to "
                             "be supplied."),
    "supply_by_not_future": N_("The date to supply the missing materials ({supply_by}) "
                               "must be after today."),
    "supply_by_not_working_day": N_("{supply_by} is not a working day. Please choose a "
                                    "working day."),
    "supply_by_after_due_date": N_("The missing materials are due by the promised date "
                                   "({due_date}) at the latest, not {supply_by}."),
    "supply_by_without_missing": N_("A date to supply materials needs the missing materials "
                                    "it is for."),
    "requeue_not_no_show": N_("Number {number} was not passed (过号); only a passed number "
                              "can be put back in line."),
    "requeue_other_day": N_("Number {number} is from another day. Please take a new "
                            "number."),
    "requeue_once": N_("Number {number} has already been put back in line once. Please "
                       "take a new number or ask the hall's helpers."),
    "requeue_ticket_unknown": N_("This ticket is unknown or from an earlier day. Please take "
                                 "a new number."),
    "case_link_unknown": N_("This case link is unknown."),
    # --- caller keypads and 好差评 pads (caller/keypads.py, caller/rating_pads.py) ------
    "keypad_no_clerk": N_("Nobody is logged in at window {window}. Log in on the window's "
                          "computer first; the keypad then acts for you."),
    "keypad_not_its_window": N_("This keypad is not set up for window {window}. Please "
                                "call the hall's staff."),
    "rating_not_its_window": N_("This rating pad is not set up for window {window}. Please "
                                "call the hall's staff."),
    # --- 审批 in the back office (core/actions/back_office.py, server/views/back_office.py)
    "case_part_unknown": N_("Case {case_number} has no part for matter {matter}."),
    "case_part_other_department": N_("This part is decided by another department "
                                     "({department})."),
    "case_other_department": N_("No part of this case is decided by your department."),
    "case_already_decided": N_("This case has already been decided."),
    "case_part_already_approved": N_("This part has already been approved."),
    "case_part_returned": N_("This part was returned for correction; it can be decided "
                             "once the correction is brought."),
    "case_part_not_returned": N_("This part was not returned for correction."),
    "case_materials_missing": N_("Materials are still missing ({missing}); the case cannot "
                                 "be approved until they are supplied."),
    "case_needs_correction": N_("A part of this case waits for a correction (补正); it "
                                "cannot be approved as a whole now."),
    "return_reason_required": N_("Please give the reason for the correction."),
    "department_unknown": N_("Your department is not one of this hall's departments. "
                             "Please ask the hall's manager."),
    "not_rated_with_reason": N_("A service recorded as not rated carries no reason."),
    # --- at the window (core/actions/serving.py): what the clerk is told -------------
    "window_closed": N_("Window {window} is closed. Open it first."),
    "window_paused": N_("Window {window} is paused. Resume it first."),
    "window_without_clerk": N_("Nobody is logged in at window {window}. Log in first."),
    "no_current_ticket": N_("Window {window} has no current ticket. Call the next number first."),
    "ticket_not_in_that_state": N_("Ticket {number} cannot do that now."),
    "ticket_not_waiting": N_("Ticket {number} is no longer waiting."),
    "window_does_not_serve": N_("This window does not serve ticket {number}. Transfer it instead."),
    "recall_cooldown": N_("Please wait {retry_after} s before calling this number again."),
    "called_while_waiting": N_("{number} was just called to this window while you waited. "
                               "Please receive them; to pass them over, press again in "
                               "{retry_after} s."),
    "transfer_note_required": N_("A transfer needs a note saying why and where (首问负责制)."),
    "transfer_target_required": N_("Choose a pool or a window to transfer to."),
    "no_window_skilled": N_("No window of that pool handles this matter. Choose another "
                            "pool or window."),
    "transfer_to_same_window": N_("The ticket is already at this window; choose another window."),
    "transfer_window_closed": N_("Window {window} is closed. Transfer to its pool instead."),
    "unknown_pool": N_("There is no window pool {pool}."),
    "ticket_not_parked_here": N_("Ticket {number} is not set aside at this window."),
    "window_busy": N_("This window is still serving {number}. Finish, set aside or "
                      "transfer it first."),
    "not_a_pickup_window": N_("Window {window} is not a pickup (出件) window."),
    # --- 协同 and the pool advisor (core/actions/staffing.py, core/actions/advice.py) ---
    "help_own_pool": N_("Window {window} is at home in pool {pool} already."),
    "window_no_skill_for_pool": N_("Window {window} handles none of the matters of pool "
                                   "{pool}; choose another window."),
    "help_until_past": N_("The help would end at {until}, which has passed. Choose a later "
                          "time."),
    "window_not_helping": N_("Window {window} is not helping pool {pool}."),
    "unknown_advice": N_("There is no advice {id} today."),
    "advice_closed": N_("This advice is already {state}."),
    "advisor_disabled": N_("The pool advisor is switched off in this hall."),
    "advice_outdated": N_("Window {window} has moved since this advice; it no longer "
                          "applies."),
    # --- the day report (server/views/manage.py) ---------------------------------------
    "report_day_in_future": N_("{day} has not come yet: a report covers today or an "
                               "earlier day."),
    # --- 好差评 from the phone page and the case page (core/actions/ratings.py) --------
    "rating_reason_required": N_("Please choose why you are not satisfied, so that it can "
                                 "be followed up."),
    "rating_not_finished": N_("Number {number} is not finished yet; it can be rated once "
                              "the service is done."),
    "already_rated": N_("This service has already been rated. Thank you."),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def explain(code: str, details: dict | None = None, kind: str = "",
            language: str = DEFAULT_LANGUAGE) -> str:
    """The refusal `code` in plain words, filled with its details; its kind's message
    (or a general one) if the code has none."""
    details = dict(details or {})
    message = REFUSALS.get(code) or REFUSALS.get(kind) or REFUSALS["conflict"]
    if code == "form_field_invalid":      # say what is wrong with the field, in its words
        message = FIELD_PROBLEMS.get(details.get("reason_code", ""), message)
        if language == "en" and details.get("label_en"):
            details["label"] = details["label_en"]
    text = translator("refusals", language)(message)
    return text.format_map(_Blank(details))


# What is wrong with one field of a self-service form (`core.forms`, reason codes):
# `explain("form_field_invalid", details)` picks the one for `details["reason_code"]`.
FIELD_PROBLEMS: dict[str, str] = {
    "required": N_("Please fill in \"{label}\"."),
    "too_short": N_("\"{label}\" needs at least {min_length} characters."),
    "too_long": N_("\"{label}\" takes at most {max_length} characters."),
    "not_digits": N_("\"{label}\" takes digits only."),
    "not_a_choice": N_("Please choose one of the options for \"{label}\"."),
    "not_a_date": N_("\"{label}\" needs a date, such as 2026-11-23."),
    "pattern": N_("\"{label}\" is not in the expected form. Please check it."),
    "not_a_phone": N_("\"{label}\" needs a mobile number of 11 digits, or a "
                      "landline with its area code."),
    "id_number_invalid": N_("\"{label}\" is not a valid ID card number. Please "
                            "check it, or place your ID card on the reader."),
}
