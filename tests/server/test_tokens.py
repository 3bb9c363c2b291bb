"""Tokens: where they may ride, and guessing them."""
from __future__ import annotations

from tests.conftest import TOKENS


def test_a_token_in_the_url_is_refused_on_writes_and_other_reads(api):
    anonymous = api.as_(None)
    kiosk = TOKENS["kiosk"]
    assert anonymous.post(f"/api/tickets?token={kiosk}",
                          json={"subject": "SS-0101"}).status_code == 401
    assert anonymous.get(f"/api/windows?token={kiosk}").status_code == 401
    assert api.post("/api/tickets", json={"subject": "SS-0101"}).status_code == 201


def test_the_event_stream_takes_a_token_in_the_url(app):
    response = app.test_client().get(f"/api/events?token={TOKENS['display']}", buffered=False)
    assert response.status_code == 200
    first = next(iter(response.response))
    response.close()
    assert b"event: snapshot" in first


def test_wrong_tokens_are_slowed_to_a_few_a_minute_then_refused_whatever_comes(api, caplog):
    guesser = api.as_("guess-0")
    statuses = [guesser.as_(f"guess-{i}").get("/api/windows").status_code for i in range(40)]
    assert statuses[:10] == [401] * 10
    assert 429 in statuses and statuses.count(401) <= 12
    refused = api.as_(TOKENS["manager"]).get("/api/windows")
    assert refused.status_code == 429, "a right token from a guessing address is refused too"
    assert int(refused.headers["Retry-After"]) >= 1
    assert any("wrong or missing token" in r.message for r in caplog.records)
    assert any("ALARM" in r.message for r in caplog.records)
