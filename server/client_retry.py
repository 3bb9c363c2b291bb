"""Asking the server until it answers: what a kiosk's touch and a clerk's press do.

The same idempotency key goes with every try (`core.kiosk_flow.Attempt.key`), so a
request the server carried out before the connection dropped is answered again, never
carried out twice (docs/api.md, Idempotency-Key).
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from server.client import ApiError, ServerUnavailable

log = logging.getLogger("yichuang.client")


def until_answered(call: Callable[[str], Any], attempt, still_wanted: Callable[[], bool],
                   unreachable: Callable[[], None], pause: Callable[[], None]
                   ) -> tuple[str, Any] | None:
    """`call(attempt.key)` again and again while the server cannot be reached (telling
    `unreachable()` each time, then `pause()`), as long as `still_wanted()`.
    ("answer", result), ("refused", ApiError) — a client's bug is a refusal too, never
    an exception on a screen — or None once the answer is no longer wanted."""
    while still_wanted():
        attempt.tries += 1
        try:
            result = call(attempt.key)
        except ServerUnavailable:
            unreachable()
            pause()
            continue
        except ApiError as error:
            return "refused", error
        except Exception as error:
            log.exception("%s failed", getattr(attempt, "what", "a call to the server"))
            return "refused", ApiError(500, "internal_server_error", str(error))
        return "answer", result
    return None
