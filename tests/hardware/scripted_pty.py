"""A device played on the master side of a real pty, for the polled RS-485 devices
(keypads, rating pads): the driver opens the slave through a symlink, as it would
/dev/serial/by-id/..., so a test can pull the cable and plug another one in."""
from __future__ import annotations

import os
import select
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path

from hardware.rs485 import FrameBuffer, Framing


class ScriptedLine:
    """Reads frames (cut by `framing`) from the line and writes what `answer(frame)`
    returns. `pull()` closes both ends of the pty (the adapter pulled out), `vanish()`
    also removes the path; `plug_in()` makes a new pty behind the same path."""

    def __init__(self, link: Path, framing: Framing, answer: Callable[[bytes], bytes]) -> None:
        self.link, self.framing, self.answer = link, framing, answer
        self.changed = threading.Condition()
        self.frames = 0
        self.stop = threading.Event()
        self.stop.set()
        self.plug_in()

    @property
    def url(self) -> str:
        return f"serial://{self.link}"

    def plug_in(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        if self.link.is_symlink():
            self.link.unlink()
        self.link.symlink_to(os.ttyname(self.slave))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def pull(self) -> None:
        if self.stop.is_set():
            return
        self.stop.set()
        self.thread.join(2)
        for fd in (self.master, self.slave):
            os.close(fd)

    def vanish(self) -> None:
        self.pull()
        self.link.unlink()

    def write(self, data: bytes) -> None:
        """Bytes on the line from the device's side, unasked (noise, a stray frame)."""
        os.write(self.master, data)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Whether `condition()` came true within `timeout` (looked at on every frame
        and every 20 ms, for conditions on the driver's side)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not condition():
                if time.monotonic() >= deadline:
                    return False
                self.changed.wait(0.02)
            return True

    def _run(self) -> None:
        buffer = FrameBuffer(self.framing)
        while not self.stop.is_set():
            if not select.select([self.master], [], [], 0.05)[0]:
                continue
            try:
                data = os.read(self.master, 1024)
            except OSError:
                return
            for frame in buffer.feed(data):
                answer = self.answer(frame)
                with self.changed:
                    self.frames += 1
                    self.changed.notify_all()
                if answer:
                    os.write(self.master, answer)

    def close(self) -> None:
        self.pull()
        if self.link.is_symlink():
            self.link.unlink()
