"""The pool advisor's own timer, on the production (gevent) server in a process of its
own: with nobody asking, it assesses the hall every `interval_minutes` and its advice
reaches the managers (`GET /api/advice` only reads). The in-process tests
(test_advice_api.py) drive assessments by hand; this one checks the looker itself."""
from __future__ import annotations

import time

from server.client import HallClient
from server.wsgi import ServerProcess
from tests.conftest import TOKENS, clerk_token, demo_hall_without_issue_limits
from tests.server.test_advice_api import BUSINESS_A, SOCIAL_B

DEADLINE_SECONDS = 100.0     # the first look comes 5 s after the start, the next a minute on


def test_the_advisor_assesses_by_itself_on_the_running_server(tmp_path):
    hall = demo_hall_without_issue_limits(tmp_path)
    text = hall.read_text(encoding="utf-8")
    assert "[advisor]\nenabled = true\ninterval_minutes = 15\n" in text
    hall.write_text(text.replace("interval_minutes = 15\n", "interval_minutes = 1\n", 1),
                    encoding="utf-8")
    with ServerProcess(tmp_path / "hall.db", hall=str(hall), clock="2026-11-23T09:00") as server:
        for window in (1, 2, 3, 8):       # area A idles while B's one social window has ten
            clerk = HallClient(server.url, clerk_token(window))
            clerk.log_in(window)
            clerk.open_window(window)
        kiosk = HallClient(server.url, TOKENS["kiosk"])
        for _ in range(10):
            kiosk.issue_ticket(SOCIAL_B)
        kiosk.issue_ticket(BUSINESS_A)
        manager = HallClient(server.url, TOKENS["manager"])
        deadline = time.monotonic() + DEADLINE_SECONDS
        advice = manager.advice()
        while not advice["advice"] and time.monotonic() < deadline:
            time.sleep(0.5)
            advice = manager.advice()
        assert advice["advice"], f"no advice within {DEADLINE_SECONDS} s: {advice}"
        assert {a["to_pool"] for a in advice["advice"]} == {"acceptance_b"}
        assert {a["category"] for a in advice["advice"]} == {"social"}
        assert advice["projection"]["worst_category"] == "social"
