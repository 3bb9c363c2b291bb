"""The kiosk's speed: touch -> ticket on screen, touch -> printed bytes (the fake
printer, image mode), under a busy hall's load; and start-up to the first frame.

    .venv/bin/python -m bench.kiosk [--touches 200] [--rate 50] [--startups 3]

The server is the production one (gevent, `server.http`) serving the bench hall of
bench/hall_load.py (60 windows, 20 kiosks, 300 waiting), in a process of its own, on
a clock shifted to a Monday at 10:00 so the windows are open whatever day the bench
runs; `bench.load_clients actors` drives its clerks and kiosks at RATE actions a
second meanwhile (a real hall's peak is about 10). The kiosk runs offscreen in this
process and is touched through Kivy's event loop like a finger. Aims (issue 8): 1 s
at p99 for both, 5 s start-up.
"""
import sys

if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    from gevent import monkey
    monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
AIM_TOUCH, AIM_START = 1.0, 5.0


def serve(port: int, database: str) -> int:
    """The bench hall on gevent's server, its clock a Monday 10:00 moving in real time."""
    from zoneinfo import ZoneInfo

    from bench.hall_load import big_hall
    from server.app import create_app
    from server.http import serve_forever
    hall = big_hall()
    start, began = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo(hall.timezone)), time.time()
    app = create_app(hall, database=database,
                     clock=lambda: start + timedelta(seconds=time.time() - began))
    serve_forever(app, "127.0.0.1", port)
    return 0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure_touches(url: str, touches: int, work: Path) -> tuple[list[float], list[float]]:
    from kiosk.driver import KioskDriver, prepare_headless, window
    prepare_headless(work / "kivy")
    from bench.hall_load import big_hall, kiosk_token
    from hardware.printer import fake_printer, open_printer
    from kiosk.app import Kiosk
    from kiosk.screens.take import MaterialsScreen
    from server.client import HallClient
    fake_printer("bench-kiosk-printer")
    printer = open_printer("fake://bench-kiosk-printer", mode="image")
    kiosk = Kiosk(big_hall(), HallClient(url, kiosk_token(20)), printer=printer)
    driver = KioskDriver(kiosk, window())
    on_screen, printed = [], []
    for _ in range(touches):
        kiosk.home()
        kiosk.show(MaterialsScreen("SS-0103"))
        driver.pump(2)
        button = driver.button("材料已带齐")
        started = time.perf_counter()
        driver.tap_at(*button.to_window(*button.center), frames=0)
        while kiosk.screen.name != "ticket":
            driver.pump(1)
            if time.perf_counter() - started > 30:
                raise RuntimeError(f"no ticket after 30 s: {driver.texts()[:8]}")
        on_screen.append(time.perf_counter() - started)
        screen = kiosk.screen
        while not screen.printed and screen.printing == "printing":
            driver.pump(1)
        if not screen.printed:
            raise RuntimeError(f"the fake printer failed: {screen.fault_code}")
        printed.append(time.perf_counter() - started)
    driver.close()
    return on_screen, printed


def measure_startups(url: str, count: int, work: Path) -> list[float]:
    """`yichuang kiosk` from launch to its first frame ("ready"), offscreen."""
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_HOME=str(work / "kivy-start"),
               KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1")
    times = []
    for _ in range(count):
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "yichuang.cli", "kiosk", "--server", url,
             "--token", "bench-kiosk-01"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        line = process.stdout.readline()
        times.append(time.perf_counter() - started)
        process.kill()
        process.wait(10)
        process.stdout.close()
        if "ready" not in line:
            raise RuntimeError(f"the kiosk did not start: {line}")
    return times


def table(rows: list[tuple[str, float, float, float]]) -> str:
    lines = ["| measure | p50 | p99 (max for start-up) | aim | met |", "|---|---|---|---|---|"]
    for name, p50, p99, aim in rows:
        lines.append(f"| {name} | {p50 * 1000:.0f} ms | {p99 * 1000:.0f} ms | "
                     f"{aim:.0f} s | {'yes' if p99 <= aim else 'NO'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        return serve(int(argv[1]), argv[2])
    options = argparse.ArgumentParser(prog="bench.kiosk")
    options.add_argument("--touches", type=int, default=200)
    options.add_argument("--rate", type=float, default=50.0, help="load, actions a second")
    options.add_argument("--startups", type=int, default=3)
    args = options.parse_args(argv)
    from bench.hall_load import prepare_hall
    from server.client import HallClient, ServerUnavailable
    from server.wsgi import free_port
    work = Path(tempfile.mkdtemp(prefix="bench-kiosk-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "bench.kiosk", "serve", str(port),
                               str(work / "hall.db")], cwd=ROOT, stdout=subprocess.DEVNULL)
    load = None
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                HallClient(url, timeout=1).health()
                break
            except ServerUnavailable:
                if time.monotonic() > deadline:
                    raise RuntimeError("the bench server did not start") from None
                time.sleep(0.1)
        prepare_hall(url)
        seconds = 3600
        load = subprocess.Popen([sys.executable, "-m", "bench.load_clients", "actors", url,
                                 "0", "1", str(seconds), str(args.rate)], cwd=ROOT,
                                stdout=subprocess.DEVNULL)
        time.sleep(2)                                  # the load under way
        on_screen, printed = measure_touches(url, args.touches, work)
        load.kill()
        load.wait(10)
        load = None
        starts = measure_startups(url, args.startups, work)
    finally:
        for process in (load, server):
            if process is not None:
                process.kill()
                process.wait(10)
    print(f"kiosk bench: {args.touches} touches with the server under {args.rate:g} "
          f"actions/s (bench hall: 60 windows, 20 kiosks); {args.startups} start-ups; "
          f"{os.cpu_count()} cores shared by server, load and kiosk")
    print(table([
        ("touch -> ticket on screen", statistics.median(on_screen),
         percentile(on_screen, 0.99), AIM_TOUCH),
        ("touch -> printed bytes (fake printer, image mode)", statistics.median(printed),
         percentile(printed, 0.99), AIM_TOUCH),
        ("start-up to the first frame (`yichuang kiosk`)", statistics.median(starts),
         max(starts), AIM_START)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
