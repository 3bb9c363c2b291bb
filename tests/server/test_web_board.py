"""The web board: GET /api/public/board (the board's picture, folded on the server from
the board audience's stream) and GET /board in headless Chromium against the real
server, where a call made through the API appears and flashes."""
from __future__ import annotations

import time
from dataclasses import replace

from server.client import HallClient
from tests.browser import chromium, needs_chromium
from tests.conftest import SCREENSHOTS, TOKENS, clerk_token, staff_window


def test_the_picture_follows_the_calls_in_order(api):
    clerk = staff_window(api, 1)
    staff_window(api, 2)
    for subject in ("SS-0101", "SS-0102", "SS-0103"):
        assert api.post("/api/tickets", json={"subject": subject}).status_code == 201
    anyone = api.as_(None)
    empty = anyone.get("/api/public/board")
    assert empty.status_code == 200 and empty.json["latest"] == []
    first = clerk.post("/api/windows/1/call-next").json["ticket"]["number"]
    second = api.as_(clerk_token(2)).post("/api/windows/2/call-next").json["ticket"]["number"]
    clerk.post("/api/windows/1/pause", json={"reason": "给王五打电话"})       # not standard
    picture = anyone.get("/api/public/board").json
    assert [(c["number"], c["window"]) for c in picture["latest"]] == [(second, 2), (first, 1)]
    assert picture["latest"][0]["event_id"] > picture["latest"][1]["event_id"] > 0
    assert picture["latest"][0]["sentence"].startswith("请")
    assert picture["labels"]["now_calling"] == "正在呼叫"
    assert "王五" not in empty.get_data(as_text=True) + str(picture)
    assert picture["paused"] == [{"window": 1, "name": "1号窗口", "reason": "",
                                  "reason_label": ""}]      # paused, the reason kept off
    english = anyone.get("/api/public/board?lang=en").json
    assert english["labels"]["now_calling"] == "Now calling"
    assert anyone.get("/api/public/board?lang=fr").status_code == 422
    assert anyone.get("/api/public/board?colour=red").status_code == 422
    assert empty.headers["Cache-Control"] == "no-store"


def test_a_new_server_on_the_same_database_keeps_the_order_of_the_day(settings, tmp_path,
                                                                         clock):
    from server.app import create_app
    from tests.conftest import Api
    database = str(tmp_path / "hall.db")
    app = create_app(settings, database=database, clock=clock)
    api = Api(app.test_client(), TOKENS["kiosk"])
    clerks = [staff_window(api, n) for n in (2, 1)]
    for _ in range(2):
        api.post("/api/tickets", json={"subject": "SS-0101"})
    order = [c.post(f"/api/windows/{n}/call-next").json["ticket"]["number"]
             for c, n in zip(clerks, (2, 1))]
    before = api.as_(None).get("/api/public/board").json
    app.extensions["yichuang.service"].close()
    again = create_app(settings, database=database, clock=clock)
    after = Api(again.test_client(), None).get("/api/public/board").json
    again.extensions["yichuang.service"].close()
    # folded from the day's events, not drawn from a snapshot: the newest call first
    assert [c["number"] for c in after["latest"]] == order[::-1] == \
        [c["number"] for c in before["latest"]]
    assert [c["event_id"] for c in after["latest"]] == [c["event_id"] for c in before["latest"]]


def test_the_board_page_is_public_with_its_own_nonce(api):
    page = api.as_(None).get("/board?orientation=portrait&from=tv")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    nonce = page.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html and 'class="portrait"' in html
    assert "EventSource(\"/api/public/board/events\")" in html
    assert api.as_(None).get("/board?orientation=sideways").status_code == 422


def open_board(browser, url: str, width: int, height: int) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    browser.get(url)
    wait_for(browser, "return document.body.dataset.ready === '1'")


def wait_for(browser, script: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = browser.execute_script(script)
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out: {script}\n{browser.find_element('tag name', 'body').text}")


@needs_chromium
def test_a_call_made_through_the_api_appears_on_the_web_board(live_server, tmp_path):
    url = live_server.url
    clerk = HallClient(url, clerk_token(3))
    clerk.log_in(3)
    clerk.open_window(3)
    kiosk = HallClient(url, TOKENS["kiosk"])
    for subject in ("SW-0301", "SW-0302"):
        kiosk.issue_ticket(subject)
    old = clerk.call_next(3).ticket.number          # called before the page opened
    browser = chromium(tmp_path / "chromium", 1920, 1080)
    try:
        open_board(browser, f"{url}/board", 1920, 1080)
        rows = "return [...document.querySelectorAll('.row')]"
        assert browser.execute_script(rows + ".map(r => r.querySelector('.number')"
                                      ".textContent)")[0] == old
        assert not browser.execute_script(rows + ".some(r => r.classList.contains('flash'))")
        clerk.finish_service(3)
        called = clerk.call_next(3)
        number = called.ticket.number
        started = time.monotonic()
        wait_for(browser, rows + f"[0].querySelector('.number').textContent === '{number}'")
        arrived = time.monotonic() - started
        assert browser.execute_script(rows + "[0].classList.contains('flash')")
        assert browser.execute_script(rows + "[0].querySelector('.window').textContent") == "3"
        # the digits' size rule: 1/6 of the screen's shorter side, in ink (0.73 em)
        size = browser.execute_script("return parseFloat(getComputedStyle("
                                      "document.querySelector('.number')).fontSize)")
        assert size * 0.735 >= 1080 / 6
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / "board-web-call-landscape.png"))
        assert arrived < 5
        open_board(browser, f"{url}/board?orientation=portrait", 1080, 1920)
        browser.save_screenshot(str(SCREENSHOTS / "board-web-call-portrait.png"))
        assert browser.execute_script("return document.body.className") == "portrait"
    finally:
        browser.quit()


@needs_chromium
def test_the_web_board_says_new_calls_when_the_hall_chooses(settings, tmp_path):
    from server.app import create_app
    from server.wsgi import BackgroundServer
    from tests.conftest import MONDAY, RunningClock
    hall = replace(settings, board=replace(settings.board, speak_in_browser=True))
    app = create_app(hall, database=str(tmp_path / "hall.db"), clock=RunningClock(MONDAY))
    app.config["SSE_KEEPALIVE_SECONDS"] = 0.5
    with BackgroundServer(app, threads=16) as server:
        clerk = HallClient(server.url, clerk_token(1))
        clerk.log_in(1)
        clerk.open_window(1)
        kiosk = HallClient(server.url, TOKENS["kiosk"])
        kiosk.issue_ticket("SS-0101")
        kiosk.issue_ticket("SS-0101")
        browser = chromium(tmp_path / "chromium", 1280, 720)
        try:
            open_board(browser, f"{server.url}/board", 1280, 720)
            first = clerk.call_next(1).ticket.number
            wait_for(browser, "return window.spoken.length === 1")
            clerk.finish_service(1)
            clerk.call_next(1)
            spoken = wait_for(browser, "return window.spoken.length === 2 && window.spoken")
        finally:
            browser.quit()
    app.extensions["yichuang.service"].close()
    digits = "".join("零一二三四五六七八九"[int(d)] for d in first[1:])
    assert spoken[0] == f"请{first[0]}{digits}号到一号窗口办理"
    assert spoken[0] != spoken[1]
