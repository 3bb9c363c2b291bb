"""Headers every answer carries, so a browser shows the hall's pages as they are."""
from __future__ import annotations

from flask import Response, request

# Nothing runs, loads or frames but what the server sends; the phone page's own inline
# script and style carry a fresh nonce each time (server/views/public.py).
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src 'self' data:; connect-src 'self'; "
                           "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def content_security_policy(nonce: str) -> str:
    return (f"{CONTENT_SECURITY_POLICY}; script-src 'nonce-{nonce}'; "
            f"style-src 'nonce-{nonce}'")


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith(("/t/", "/c/", "/api/public/")):
        headers["Cache-Control"] = "no-store"      # a citizen's ticket, not for caches
    return response
