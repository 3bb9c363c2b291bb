"""Every answer carries the security headers; the phone page is never cached and runs
only its own script."""
from __future__ import annotations

import re


def test_every_answer_carries_the_headers(api):
    for answer in (api.get("/api/health"), api.get("/api/windows"),
                   api.post("/api/tickets", json={"subjct": "x"})):
        headers = answer.headers
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"


def test_the_phone_page_runs_only_its_own_script_and_is_not_cached(api):
    token = api.post("/api/tickets", json={"subject": "SS-0101"}).json["phone_token"]
    pages = [api.as_(None).get(f"/t/{token}") for _ in range(2)]
    nonces = []
    for page in pages:
        policy = page.headers["Content-Security-Policy"]
        nonce = re.search(r"script-src 'nonce-([\w-]+)'", policy)[1]
        assert f'<script nonce="{nonce}">' in page.text and "unsafe-inline" not in policy
        assert page.headers["Cache-Control"] == "no-store"
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "a fresh nonce each time"
    status = api.as_(None).get(f"/api/public/tickets/{token}")
    assert status.headers["Cache-Control"] == "no-store"
