"""呼叫帮办: call a floor helper to this kiosk, saying why."""
from __future__ import annotations

from core.kiosk_flow import Attempt
from core.messages import N_
from kiosk.app import Kiosk
from kiosk.screens.common import ListScreen, with_key
from kiosk.screens.notice import NoticeScreen

REASONS = (("cannot_find_matter", N_("I cannot find my matter")),
           ("needs_assistance", N_("I need help with the kiosk or a form")),
           ("device_problem", N_("The kiosk or its printer is not working")),
           ("other", N_("Something else")))


class HelpScreen(ListScreen):
    name = "help"
    title = N_("Call a helper")
    hint = N_("Choose why; a member of staff will come to this kiosk.")

    def items(self, kiosk: Kiosk):
        return [(kiosk.tr(label), lambda r=reason: self.call(kiosk, r))
                for reason, label in REASONS]

    def call(self, kiosk: Kiosk, reason: str) -> None:
        def answered(_request) -> None:
            kiosk.replace(NoticeScreen(
                kiosk.tr("A helper has been called and will come to this kiosk ({where}). "
                         "Please wait here.", where=kiosk.config.where),
                title=N_("A helper is coming")))
        kiosk.ask(Attempt("request_help"),
                  lambda key: with_key(kiosk.client.request_help, key, kiosk.config.where,
                                        reason),
                  answered)

