"""The live event log that every stream subscriber reads from.

One shared, append-only list of pre-encoded SSE frames and one condition:
publishing costs the same for 1 subscriber or 100, each frame is encoded once,
and a subscriber that falls behind takes everything it missed in one write.
"""
from __future__ import annotations

import threading


def sse_frame(event_id: int, event_type: str, data: str) -> bytes:
    return f"id: {event_id}\nevent: {event_type}\ndata: {data}\n\n".encode()


class EventBus:
    def __init__(self, last_event_id: int, capacity: int = 20_000) -> None:
        self._condition = threading.Condition()
        self._frames: list[bytes] = []
        self._first_id = last_event_id + 1     # the id of self._frames[0]
        self.last_id = last_event_id
        self.capacity = capacity
        self.closed = False

    def publish(self, stored: list[tuple[int, str, str]]) -> None:
        if not stored:
            return
        frames = [sse_frame(*event) for event in stored]
        with self._condition:
            if stored[0][0] != self.last_id + 1:
                raise RuntimeError(f"event {stored[0][0]} published after {self.last_id}")
            self._frames.extend(frames)
            self.last_id = stored[-1][0]
            if len(self._frames) > self.capacity:
                drop = len(self._frames) - self.capacity // 2
                del self._frames[:drop]
                self._first_id += drop
            self._condition.notify_all()

    def frames_after(self, event_id: int) -> tuple[list[bytes], int] | None:
        """Frames after `event_id` and the new cursor; None if they left the buffer."""
        with self._condition:
            if event_id >= self.last_id:
                return [], self.last_id
            if event_id + 1 < self._first_id:
                return None
            return self._frames[event_id + 1 - self._first_id:], self.last_id

    def wait(self, event_id: int, timeout: float) -> bool:
        """Block until an event after `event_id` exists (True) or the timeout (False)."""
        with self._condition:
            return self._condition.wait_for(
                lambda: self.last_id > event_id or self.closed, timeout)

    def close(self) -> None:
        with self._condition:
            self.closed = True
            self._condition.notify_all()
