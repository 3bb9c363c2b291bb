"""The far end of a `fake://NAME` port: an in-memory device shipped in the product.

A hall's config selects a fake by URL (`url = "fake://printer/kiosk-1"`), so the demo
and the tests run the real drivers with no hardware attached. Every `open_port` of the
same name in one process reaches the same `FakeDevice`; `fake(NAME)` gets it from the
other side, to see what a driver wrote or to play the device's answers.
"""
from __future__ import annotations

import errno
import threading
import time

__all__ = ["FakeDevice", "fake", "reset_fakes"]


class FakeDevice:
    """Records every byte a driver writes and hands back the bytes it was fed."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._written = bytearray()
        self._incoming = bytearray()
        self._unplugged = False
        self._changed = threading.Condition()

    def __repr__(self) -> str:
        return f"<FakeDevice {self.name!r}>"

    @property
    def written(self) -> bytes:
        """Every byte written to this device since it was created or cleared."""
        with self._changed:
            return bytes(self._written)

    @property
    def unplugged(self) -> bool:
        return self._unplugged

    def feed(self, data: bytes) -> None:
        """Make `data` readable, as if the device had sent it."""
        with self._changed:
            self._incoming += data
            self._changed.notify_all()

    def clear(self) -> None:
        """Forget what was written, as python-escpos's `Dummy.clear()` does."""
        with self._changed:
            self._written.clear()

    def unplug(self) -> None:
        """Pull the cable: writes and reads fail until `plug_in()`; opening fails too."""
        with self._changed:
            self._unplugged = True
            self._changed.notify_all()

    def plug_in(self) -> None:
        with self._changed:
            self._unplugged = False

    def record(self, data: bytes) -> int:
        """The driver side of a write."""
        with self._changed:
            self._fail_if_unplugged()
            self._written += data
            return len(data)

    def take(self, size: int, timeout: float | None) -> bytes:
        """The driver side of a read: up to `size` bytes, waiting at most `timeout` seconds.

        Like pyserial, it returns early only once `size` bytes are there, and returns
        what it has (maybe b"") when the time is up.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while len(self._incoming) < size and not self._unplugged:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._changed.wait(left)
            self._fail_if_unplugged()
            data = bytes(self._incoming[:size])
            del self._incoming[:size]
            return data

    def _fail_if_unplugged(self) -> None:
        # The same error a serial device gives when its USB cable is pulled.
        if self._unplugged:
            raise OSError(errno.EIO, f"fake device {self.name!r} is unplugged")


_FAKES: dict[str, FakeDevice] = {}
_FAKES_LOCK = threading.Lock()


def fake(name: str, kind: type[FakeDevice] = FakeDevice) -> FakeDevice:
    """The fake device called `name` (the part after `fake://`), created on first use.

    A device module whose fake answers what the driver writes (a printer answering its
    status queries) passes its own subclass as `kind`; asking for a name that already
    holds another kind of fake is a TypeError, not a silent swap.
    """
    with _FAKES_LOCK:
        if name not in _FAKES:
            _FAKES[name] = kind(name)
        device = _FAKES[name]
        if not isinstance(device, kind):
            raise TypeError(f"fake device {name!r} is a {type(device).__name__}, "
                            f"not a {kind.__name__}")
        return device


def reset_fakes() -> None:
    """Forget every fake device, so the next `fake(name)` starts empty."""
    with _FAKES_LOCK:
        _FAKES.clear()
