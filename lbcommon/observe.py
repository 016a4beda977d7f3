"""/metrics (Prometheus, from prometheus-client) and /healthz on one small HTTP server."""
from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

log = logging.getLogger(__name__)

# Returns the reasons the program is not healthy; an empty list means healthy.
HealthCheck = Callable[[], list[str]]
# More paths to serve (the status page): path -> () -> (status, body, content type).
Pages = Mapping[str, Callable[[], tuple[int, bytes, str]]]


class ObserveServer:
    def __init__(self, address: tuple[str, int], registry: CollectorRegistry, health: HealthCheck,
                 pages: Pages | None = None) -> None:
        self._registry = registry
        self._health = health
        self._pages = dict(pages or {})
        self._server = ThreadingHTTPServer(address, self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]

    def start(self) -> "ObserveServer":
        threading.Thread(target=self._server.serve_forever, name="observe", daemon=True).start()
        host, port = self._server.server_address[:2]
        log.info("serving /metrics and /healthz%s on %s:%d", " and the status page" if self._pages else "",
                 host, port)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        registry, health, pages = self._registry, self._health, self._pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    self._send(200, generate_latest(registry), CONTENT_TYPE_LATEST)
                elif path == "/healthz":
                    try:
                        reasons = health()
                    except Exception as exc:  # noqa: BLE001 - a broken check is a failed check
                        reasons = [f"health check raised {type(exc).__name__}: {exc}"]
                    body = ("\n".join(reasons) if reasons else "ok") + "\n"
                    self._send(503 if reasons else 200, body.encode(), "text/plain; charset=utf-8")
                elif path in pages:
                    self._send(*pages[path]())
                else:
                    self._send(404, b"not found: try /metrics or /healthz\n", "text/plain")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler


def run_observed(address: tuple[str, int] | None, registry: CollectorRegistry, health: HealthCheck,
                 run: Callable[[], int], failed: int = 1, pages: Pages | None = None) -> int:
    """run() with /metrics and /healthz served meanwhile when an address was given.
    A port that cannot be bound is one error line and exit status `failed`."""
    observer = None
    if address is not None:
        try:
            observer = ObserveServer(address, registry, health, pages).start()
        except OSError as exc:
            log.error("--metrics-addr %s:%d: %s", address[0], address[1], exc.strerror)
            return failed
    try:
        return run()
    finally:
        if observer:
            observer.stop()
