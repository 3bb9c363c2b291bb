"""The web board: `GET /board` (the page, for any TV with a browser) and
`GET /api/public/board` (what it draws: `core.board.Board.picture`).

The picture comes from one `core.board.Board` per server, folded from the board
audience's own stream frames (`server.event_log`, audience "board"): the same fold
and the same events as the Kivy board. Folding (rather than drawing a snapshot of the
hall each time) keeps the order of the calls, their event ids (the page flashes and
says a call whose id is newer than the last it showed) and the recent calls, which a
snapshot of the hall does not hold. See `BoardFeed`.

The page follows `GET /api/public/board/events` (server/views/stream.py) with
EventSource and fetches the picture after events (debounced).
"""
from __future__ import annotations

import json
import secrets
import threading

from flask import Blueprint, current_app, make_response, render_template

from core.board import Board
from core.events import LoggedEvent, Snapshot
from core.settings.board import BOARD_LANGUAGES, BOARD_ORIENTATIONS
from server.auth import public
from server.event_log import AUDIENCE_OF_ROLE
from server.payloads import Values, accepts, text
from server.security import content_security_policy
from server.views.common import service

blueprint = Blueprint("board", __name__)
AUDIENCE = AUDIENCE_OF_ROLE["display"]      # what the hall's boards are sent: "board"
LANGUAGE = text("lang", 2, required=False, choices=BOARD_LANGUAGES,
                doc="zh or en; the hall's [board] language by default")
ORIENTATION = text("orientation", 9, required=False, choices=BOARD_ORIENTATIONS,
                   doc="landscape or portrait; the hall's [board] orientation by default")


class BoardFeed:
    """One Board, folded from the board audience's frames, shared by every request.

    It starts the way a board reconnecting with the id before today's first event
    would (`EventLog.catch_up`): today's events folded in order, so the calls keep
    their order and ids; a snapshot when there is too much to replay or no event yet.
    Each request then catches up from the last event folded.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.board: Board | None = None

    def picture(self, hall_service, language: str | None) -> dict:
        """The board's picture, caught up with every event published so far."""
        with self.lock:
            return self._caught_up(hall_service).picture(hall_service.clock(), language)

    def _caught_up(self, hall_service) -> Board:
        log = hall_service.event_log
        board = self.board
        if board is None or board.settings is not hall_service.settings:
            board = self.board = Board(hall_service.settings)
            first, day = hall_service.read(lambda hall, now: (log.first_id_today,
                                                              hall.service_day))
            start = first - 1 if first else None
            board.load(Snapshot(start or 0, {"service_day": day}))   # the day's empty hall
            frames, cursor = log.catch_up(start, AUDIENCE)
        else:
            frames, cursor = log.catch_up(board.last_id, AUDIENCE)
        for frame in frames:
            item = decode_frame(frame)
            if isinstance(item, Snapshot):
                board.load(item)
            elif item is not None:
                board.apply(item)
        board.last_id = max(board.last_id, cursor)    # past events a board is not sent
        return board


def decode_frame(frame: bytes) -> LoggedEvent | Snapshot | None:
    """The event (or snapshot) in one SSE frame of the log; None for b"" (an event
    the audience does not see)."""
    if not frame:
        return None
    fields = dict(line.split(": ", 1) for line in frame.decode("utf-8").splitlines()
                  if ": " in line)
    if fields["event"] == "snapshot":
        return Snapshot(int(fields["id"]), json.loads(fields["data"]))
    return LoggedEvent.decode(int(fields["id"]), fields["event"], fields["data"])


def feed() -> BoardFeed:
    return current_app.extensions.setdefault("yichuang.board", BoardFeed())


@blueprint.get("/api/public/board")
@public
@accepts(query=[LANGUAGE])
def board_picture(query: Values):
    """What the web board draws: core.board.Board.picture, in `lang`."""
    return feed().picture(service(), query["lang"])


@blueprint.get("/board")
@public
@accepts(query=[LANGUAGE, ORIENTATION], media_type="text/html", ignore_unknown_query=True)
def board_page(query: Values):
    """The board as a web page: the same picture and layout rules as the Kivy board."""
    settings = service().settings
    nonce = secrets.token_urlsafe(16)
    language = query["lang"] or settings.board.language
    page = make_response(render_template(
        "board.html", nonce=nonce, language=language,
        orientation=query["orientation"] or settings.board.orientation,
        latest_calls=settings.board.latest_calls,
        hall=settings.name if language == "zh" else settings.name_en))
    page.headers["Content-Security-Policy"] = content_security_policy(nonce)
    page.headers["Cache-Control"] = "no-store"
    return page
