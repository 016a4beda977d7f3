"""A bounded HTTP load loop on loopback, counting answers, failures and latencies."""
from __future__ import annotations

import http.client
import threading
import time

from .base import http_get


class LoadLoop:
    """A bounded request loop on loopback: `threads` clients GET `url` until stop() (or
    `max_seconds`), counting answers by body and every failure (status != 200 or error)."""

    def __init__(self, url: str, threads: int = 4, max_seconds: float = 300.0, timeout: float = 5.0,
                 headers: dict[str, str] | None = None) -> None:
        assert url.startswith("http://127."), "load goes to loopback only"
        self.url = url
        self.headers = headers
        self.timeout = timeout
        self.deadline = time.monotonic() + max_seconds
        self.ok = 0
        self.failed: list[str] = []
        self.bodies: dict[str, int] = {}
        self.latencies: list[float] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self) -> "LoadLoop":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> "LoadLoop":
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)
        return self

    def _run(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self.deadline:
            started = time.monotonic()
            try:
                status, body = http_get(self.url, timeout=self.timeout, headers=self.headers)
                error = None if status == 200 else f"HTTP {status}: {body.strip()[:80]}"
            except (OSError, http.client.HTTPException) as exc:
                body, error = "", f"{type(exc).__name__}: {exc}"
            elapsed = time.monotonic() - started
            with self._lock:
                if error:
                    self.failed.append(error)
                else:
                    self.ok += 1
                    self.bodies[body.strip()] = self.bodies.get(body.strip(), 0) + 1
                    self.latencies.append(elapsed)
