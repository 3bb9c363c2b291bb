"""What each caller action does when its button or key is pressed: sent straight to the
server (call next, recall, start, no-show, park, resume), or a panel first for what
needs a choice (transfer, pause, 容缺 finish, a chosen number, a case, 过号).

Each send is one `Caller.ask` (one idempotency key, retried until answered); what
the server refuses is said in Chinese by the refusals catalogue.
"""
from __future__ import annotations

from caller import panels


def run_action(caller, action: str) -> None:
    if caller.asking is not None:
        caller.say(caller.tr("One moment: the last action is still on its way."), True)
        return
    handler = HANDLERS.get(action)
    if handler is not None:
        handler(caller)


def send(caller, what: str, method: str, *args, **kwargs) -> bool:
    """The window action `method` of the client, with the press's idempotency key."""
    client, number = caller.client, caller.number

    def call(key: str):
        return getattr(client, method)(number, *args, idempotency_key=key, **kwargs)
    return caller.ask(what, call)


def call_next(caller) -> None:
    send(caller, "call_next", "call_next")


def recall(caller) -> None:
    wait = caller.recall_wait
    if wait:
        caller.say(caller.tr("Recall possible in {seconds} s (called {calls} times).",
                             seconds=wait, calls=caller.calls_made), True)
        return
    send(caller, "recall", "recall")


def start(caller) -> None:
    send(caller, "start", "start_service")


def finish(caller) -> None:
    """A case-opening matter with materials not ticked off: the 容缺 panel first."""
    ticket = caller.ticket
    if ticket is None:
        send(caller, "finish", "finish_service")
        return
    subject = caller.settings.subject(ticket.subject) if caller.settings.has(
        "subject", ticket.subject) else None
    unticked = [need for need in caller.checklist()
                if need.id not in caller.ticked_materials()]
    if subject is not None and subject.opens_case and unticked:
        caller.open_panel(panels.FinishPanel(caller, subject, unticked))
        return
    send(caller, "finish", "finish_service")


def finish_with_missing(caller, missing: list[str], supply_by: str) -> None:
    send(caller, "finish", "finish_service", missing_materials=missing,
         supply_by=supply_by or None)


def no_show(caller) -> None:
    send(caller, "no_show", "mark_no_show")


def transfer(caller) -> None:
    caller.open_panel(panels.TransferPanel(caller))


def park(caller) -> None:
    send(caller, "park", "park", "")


def resume_ticket(caller) -> None:
    parked = caller.window.parked if caller.window else ()
    if len(parked) == 1:
        send(caller, "resume_ticket", "resume_ticket", parked[0])
    else:
        caller.open_panel(panels.ResumePanel(caller))


def pause(caller) -> None:
    """Pause with a reason; on a paused window the same key resumes it."""
    if caller.window is not None and caller.window.status == "paused":
        send(caller, "resume_window", "resume_window")
    else:
        caller.open_panel(panels.PausePanel(caller))


def call_chosen(caller) -> None:
    caller.open_panel(panels.ChoosePanel(caller))


def call_case(caller) -> None:
    caller.open_panel(panels.CasePanel(caller))


def requeue(caller) -> None:
    caller.open_panel(panels.RequeuePanel(caller))


def requeue_number(caller, number: str) -> None:
    client = caller.client

    def call(key: str):
        return client.requeue_ticket(number, idempotency_key=key)

    def answered(_events) -> None:
        caller.panel = None
        caller.redraw()
        caller.say(caller.tr("Number {number} is back in line.", number=number))
        caller.refresh()
    caller.ask("requeue", call, answered)


def call_case_by_scan(caller, text: str) -> None:
    """A typed case number, the slip's printed number, or its scanned QR (the case page
    URL /c/<token>, looked up through the public case page's JSON)."""
    from caller.state import case_number_from_text, case_token_from_scan
    token = case_token_from_scan(text)
    number = "" if token else case_number_from_text(text)
    if not token and not number:
        caller.say(caller.tr("Please type the case number from the slip, or scan its QR "
                             "code."), True)
        return
    client, window = caller.client, caller.number

    def call(key: str):
        found = client.public_case(token)["case_number"] if token else number
        return client.call_case(window, found, idempotency_key=key)
    caller.ask("call_case", call)


HANDLERS = {"call_next": call_next, "recall": recall, "start": start, "finish": finish,
            "no_show": no_show, "transfer": transfer, "park": park,
            "resume_ticket": resume_ticket, "pause": pause, "call_chosen": call_chosen,
            "call_case": call_case, "requeue": requeue}
