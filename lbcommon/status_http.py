"""The status page (`/` and `/status`, one self-contained HTML file: inline CSS and JS, nothing
from the internet) and its data (`/status.json`), for lbcommon.observe's server.  The page polls
`/status.json` every second and redraws; it has no action."""
from __future__ import annotations

import json
import logging
import threading
import time
from importlib import resources
from typing import Any, Callable

log = logging.getLogger(__name__)

Page = Callable[[], tuple[int, bytes, str]]
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


def page_html() -> bytes:
    return resources.files("lbcommon").joinpath("static/status.html").read_bytes()


class StatusPages:
    """`build()` gives the program's status document; it is built at most every `max_age`
    seconds whatever the number of pages open (each build reads etcd)."""

    def __init__(self, build: Callable[[], dict[str, Any]], max_age: float = 0.5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._build = build
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, bytes] | None = None
        self._html = page_html()

    def routes(self) -> dict[str, Page]:
        html: Page = lambda: (200, self._html, HTML_TYPE)   # noqa: E731
        return {"/": html, "/status": html, "/status.json": self.document}

    def document(self) -> tuple[int, bytes, str]:
        with self._lock:
            now = self._clock()
            if self._cached is None or now - self._cached[0] >= self._max_age:
                self._cached = (now, self._encode())
            return 200, self._cached[1], JSON_TYPE

    def _encode(self) -> bytes:
        try:
            document = self._build()
        except Exception as exc:  # noqa: BLE001 - the page must say what broke, not go blank
            log.exception("status document")
            document = {"error": f"status document failed: {type(exc).__name__}: {exc}"}
        return json.dumps(document, default=str).encode("utf-8")
