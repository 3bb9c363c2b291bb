"""One background thread running jobs in order (one per device: the server, a printer,
a card reader), so an app's screen never waits for I/O."""
from __future__ import annotations

import logging
import queue
import threading

log = logging.getLogger("yichuang.apps")


class Worker:
    def __init__(self, name: str) -> None:
        self.jobs: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def submit(self, job) -> None:
        self.jobs.put(job)

    def _run(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            try:
                job()
            except Exception:                       # a job's bug must not kill the app
                log.exception("background job on %s failed", self.thread.name)

    def stop(self) -> None:
        self.jobs.put(None)
