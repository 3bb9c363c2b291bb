"""The typed client's calls for people's log-in: part of `server.client.HallClient` (kept
in a module of its own to keep each file short). Standard library and core only.

    client = HallClient("http://hall:8750")
    session = client.log_in_person("clerk01", "demo1234")   # the client now speaks as them
    client.log_in(3)                                         # ... and logs in at window 3
    client.change_password("demo1234", "a-new-password")
    client.log_out_person()

A device keeps its token (`HallClient(url, token)`) and never logs in this way.
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class PersonSession:
    """A person's session (`POST /api/login`); `token` is also the client's from now on."""

    token: str
    expires_at: str
    idle_minutes: float
    user_name: str
    display_name: str
    role: str
    department: str

    @classmethod
    def from_dict(cls, data: dict) -> PersonSession:
        return cls(**{f.name: data[f.name] for f in fields(cls)})


class PersonCalls:
    """Mixed into `HallClient`, whose `request` sends each call and `token` signs it."""

    token: str

    def log_in_person(self, user_name: str, password: str) -> PersonSession:
        """Log a person in; the client presents their session token from now on. ApiError
        401 `wrong_password`, 429 `too_many_log_ins` (`details["seconds"]`)."""
        session = PersonSession.from_dict(self.request(
            "POST", "/api/login", {"user_name": user_name, "password": password}))
        self.token = session.token
        return session

    def log_out_person(self) -> None:
        """End this person's session; the client has no token afterwards."""
        self.request("POST", "/api/logout", {})
        self.token = ""

    def change_password(self, old_password: str, new_password: str) -> None:
        """The logged-in person's own password (their other sessions end)."""
        self.request("POST", "/api/password", {"old_password": old_password,
                                               "new_password": new_password})
