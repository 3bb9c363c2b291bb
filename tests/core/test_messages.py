"""The message catalogues: every message the code asks for has its Chinese, every
refusal code the server can raise has a message, and placeholders agree."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir, extract_from_file

from core.messages import HERE, read_catalogue, translator
from core.messages.refusals import REFUSALS, explain

ROOT = Path(__file__).resolve().parents[2]
DOMAINS = sorted(p.stem for p in (HERE / "zh" / "LC_MESSAGES").glob("*.po"))
# Which source folders speak through which catalogue: messages marked there with
# tr("..."), _("...") or N_("...") must be in that domain's catalogue.
DOMAIN_SOURCES = {
    "refusals": ["core/messages"],
    "advisor": ["core/actions/advice.py"],
    "materials": ["core/settings"],
    "printing": ["core/printing.py"],
    "kiosk": ["kiosk"],
    "web": ["server/web"],
    "leds": ["display/leds.py"],
    "keypads": ["caller/keypads.py", "caller/rating_pads.py"],
    "display": ["core/board.py", "display/app.py", "display/board_view.py"],
    "caller": ["caller/app.py", "caller/actions.py", "caller/panels.py", "caller/state.py",
               "caller/views.py"],
}
KEYWORDS = {"N_": None, "tr": None, "_": None}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _marked(domain: str) -> set[str]:
    found: set[str] = set()
    for folder in DOMAIN_SOURCES.get(domain, []):
        if not (ROOT / folder).exists():
            continue
        if (ROOT / folder).is_file():   # a single module speaks through the domain
            extracted = ((None, *found) for found in extract_from_file(
                "python", ROOT / folder, keywords=KEYWORDS))
        else:
            extracted = extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS)
        for _file, _line, message, _comments, _context in extracted:
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_marked_message_has_its_chinese(domain):
    catalogue = read_catalogue(domain, "zh")
    translated = {m.id: m.string for m in catalogue if m.id}
    missing = sorted(m for m in _marked(domain) if not translated.get(m))
    assert missing == [], f"{domain}: no Chinese for {missing[:5]} ({len(missing)} in all)"
    assert _marked(domain), f"{domain}: the catalogue's sources mark no message"


@pytest.mark.parametrize("domain", DOMAINS)
def test_placeholders_agree(domain):
    for message in read_catalogue(domain, "zh"):
        if not message.id or isinstance(message.id, tuple):
            continue
        assert message.string, f"{domain}: {message.id!r} has no Chinese"
        assert (set(PLACEHOLDER.findall(message.id))
                == set(PLACEHOLDER.findall(message.string))), message.id


def test_every_refusal_code_raised_has_a_message():
    raised = set()
    for folder in ("core", "server"):
        for path in (ROOT / folder).rglob("*.py"):
            raised.update(re.findall(r'\bcode="([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert raised, "no refusal code found in the sources"
    assert sorted(raised - set(REFUSALS)) == []


def test_a_refusal_is_said_in_chinese_by_default_and_in_english_on_request():
    assert explain("id_daily_limit", {"limit": 5}) == "今日取号已达上限（5个），可预约明日办理。"
    assert "limit of 5" in explain("id_daily_limit", {"limit": 5}, language="en")
    # an unknown code falls back to its kind, never to an English exception
    assert explain("no_such_code", {}, kind="not_found") == "未查到相关信息，请核对号码后重试。"
    # a missing detail leaves a gap, it does not fail
    assert "…" in explain("case_not_ready", {"case_number": "WH1"})


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError):
        translator("refusals", "fr")
