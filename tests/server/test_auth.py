"""Device and person tokens: how they are hashed and matched, and the demo hall's."""
from __future__ import annotations

import re

import pytest

from server.auth import hash_token, token_matches
from tests.conftest import DEMO_HALL, ROOT

DEMO_TOKENS = {
    "kiosk-1": ("kiosk", "demo-kiosk-1"),
    "kiosk-2": ("kiosk", "demo-kiosk-2"),
    "hall-display": ("display", "demo-display"),
    "manager": ("manager", "demo-manager"),
    **{f"clerk-{i:02d}": ("clerk", f"demo-clerk-{i:02d}") for i in range(1, 16)},
    "helper-1": ("helper", "demo-helper-1"),
    "helper-2": ("helper", "demo-helper-2"),
}


@pytest.fixture(scope="module")
def demo():
    from core.settings.loader import load_settings
    return load_settings(DEMO_HALL)


def test_demo_credentials_and_tokens(demo):
    creds = {c.name: c for c in demo.credentials}
    roles = [c.role for c in demo.credentials]
    assert roles.count("kiosk") == 2 and roles.count("display") == 1
    assert roles.count("manager") == 1 and roles.count("clerk") >= 12
    assert all(c.display_name for c in demo.credentials if c.role == "clerk")
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name, (role, token) in DEMO_TOKENS.items():
        assert creds[name].role == role
        assert creds[name].token_hash == hash_token(token)
        assert token_matches(token, creds[name].token_hash)
        assert f"`{token}`" in docs, f"docs/configuration.md does not list {token}"


def test_hash_token():
    assert hash_token("demo-manager") == (
        "sha256:ae4a180a148c6fa73b885f1715c71b54f9f41980b20a0b3223cbac19b1b172ec")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", hash_token("长的随机令牌"))
    assert not token_matches("demo-manager", hash_token("demo-clerk-01"))
    assert not token_matches("", hash_token("x"))
    with pytest.raises(ValueError):
        hash_token("")


def test_token_matches_survives_odd_hashes():
    assert not token_matches("demo-manager", "sha256:非十六进制")
    assert not token_matches("demo-manager", None)
