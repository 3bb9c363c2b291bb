"""What makes the kiosk usable by anybody: every touch target at least 15 mm on every
screen (normal and large print), back and home everywhere, large print with fewer and
bigger choices and slower timeouts, home again after the idle time, and no way out
without the manager's code."""
from __future__ import annotations

import pytest

from core.kiosk_flow import target_pixels
from kiosk.gallery import screens
from server.client import HallClient
from tests.conftest import TOKENS
from tests.kiosk.test_take_number import opened


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large-print"])
def test_every_touch_target_on_every_screen_is_at_least_15_mm(hall_server, make_kiosk,
                                                              settings, large):
    issued = HallClient(hall_server.url, TOKENS["kiosk"]).issue_ticket("SS-0103")
    driver = opened(make_kiosk(hall_server.url))
    kiosk = driver.kiosk
    kiosk.set_large_print(large)
    smallest = target_pixels(settings.kiosk.min_target_mm, settings.kiosk.screen_dpi)
    checked = 0
    for name, screen in screens(kiosk, issued):
        kiosk.home()
        if not screen.is_home:
            kiosk.show(screen)
        driver.pump(3)
        targets = driver.buttons()
        too_small = [(b.text, round(b.width), round(b.height)) for b in targets
                     if b.width < smallest - 0.5 or b.height < smallest - 0.5]
        assert not too_small, f"{name}: targets under {smallest:.0f} px: {too_small}"
        texts = [b.text for b in targets]
        assert "English" in texts, name                        # the language switch
        if not screen.is_home:
            assert {"返回", "首页"} <= set(texts), name
        off_screen = [b.text for b in targets if b.y < -1 or b.top > kiosk.root.top + 1]
        assert not off_screen, f"{name}: targets off the screen: {off_screen}"
        checked += len(targets)
    assert checked > 100


def test_large_print_has_fewer_bigger_choices_and_waits_longer(hall_server, make_kiosk,
                                                               settings):
    driver = opened(make_kiosk(hall_server.url))
    normal = [b for b in driver.buttons() if getattr(b, "choice", "")]
    driver.touch("大字版")
    large = [b for b in driver.buttons() if getattr(b, "choice", "")]
    assert len(large) < len(normal)
    assert [b.choice for b in large][-1] == "more"
    assert min(b.height for b in large) > min(b.height for b in normal)
    assert large[0].font_size > driver.kiosk.style.font("body")
    assert driver.kiosk.idle.seconds == settings.kiosk.large_print_idle_seconds
    driver.screenshot(driver.shots / "home-large.png")
    driver.touch("更多服务")
    assert driver.find_text("办件查询")
    driver.touch("标准字体")
    assert driver.kiosk.idle.seconds == settings.kiosk.idle_seconds


def test_home_again_after_the_idle_time(hall_server, make_kiosk, settings, fake_time):
    driver = opened(make_kiosk(hall_server.url, now=fake_time))
    driver.touch("English")
    driver.touch("Take a number")
    assert driver.kiosk.screen.name == "categories"
    fake_time.seconds += settings.kiosk.idle_seconds - 1
    driver.kiosk.check_idle()
    assert driver.kiosk.screen.name == "categories"
    driver.touch("Business registration")                     # a touch: the wait starts again
    fake_time.seconds += settings.kiosk.idle_seconds - 1
    driver.kiosk.check_idle()
    assert driver.kiosk.screen.name == "matters"
    fake_time.seconds += 2
    # Kivy's own clock runs the check (every second)
    driver.wait_until(lambda: driver.kiosk.screen.name == "home", timeout=5, what="home")
    assert driver.find_text("取号")                           # and Chinese for the next citizen


def test_no_way_out_without_the_managers_code(hall_server, make_kiosk):
    left = []
    driver = opened(make_kiosk(hall_server.url, on_exit=lambda: left.append(True)))
    assert driver.press_key(27)                               # Esc: swallowed
    assert driver.press_key(1001)                             # Android's back: swallowed
    assert driver.window.dispatch("on_request_close") is True
    assert not left and driver.kiosk.screen.name == "home"
    corner = driver.kiosk.style.mm(10)
    for _ in range(5):
        driver.tap_at(corner, driver.window.height - corner)
    assert driver.kiosk.screen.name == "manager"
    driver.type_keys("1234")
    driver.touch("退出取号程序")
    assert driver.find_text("密码错误") and not left
    driver.type_keys("246810")                                # the demo hall's code
    driver.touch("退出取号程序")
    assert left == [True]
