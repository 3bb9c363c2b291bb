"""One vocabulary for a window action: the core function, the route's view and the
client's method share one name (close_window, resume_ticket, ...)."""
from __future__ import annotations

import inspect

from core.actions import serving, staffing
from server.client import HallClient

ACTIONS = {name for module in (serving, staffing)
           for name, fn in inspect.getmembers(module, inspect.isfunction)
           if fn.__module__ == module.__name__ and not name.startswith("_")}
HELPERS = {"working_window", "current_ticket",     # queries, not commands
           "call_ready_windows", "ready_expired"}  # the server's own (待叫)


def window_endpoints(app) -> dict[str, str]:
    """View name -> URL of every POST route on a window."""
    return {rule.endpoint.split(".", 1)[1]: rule.rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("windows.") and "POST" in rule.methods}


def test_every_window_route_is_named_after_its_core_action(app):
    views = window_endpoints(app)
    assert set(views) - ACTIONS == set(), "window routes with no core action of their name"
    assert ACTIONS - HELPERS - set(views) == set(), "core window actions with no route"


def test_the_client_speaks_the_same_names(app):
    missing = {name for name in window_endpoints(app) if not hasattr(HallClient, name)}
    assert missing == set()


def test_a_url_is_its_action_s_short_name(app):
    for name, url in window_endpoints(app).items():
        short = url.rsplit("/", 1)[1].replace("-", "_")
        assert name.startswith(short) or short in name or name in {
            "log_in": "login", "log_out": "logout"}, (name, url)
