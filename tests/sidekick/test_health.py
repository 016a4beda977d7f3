from __future__ import annotations

import pytest

from sidekick.health import HealthState, probe


def test_rise_and_fall() -> None:
    state = HealthState(rise=2, fall=2)
    assert not state.record(True) and not state.healthy
    assert state.record(True) and state.healthy
    assert not state.record(False) and state.healthy       # one failure is tolerated
    assert not state.record(True)                          # and forgotten after a pass
    assert not state.record(False)
    assert state.record(False) and not state.healthy


def test_probes_against_real_servers(http_backends) -> None:
    backend = http_backends("alpha")
    assert probe("http", backend.address, 2.0) == (True, "http 200")
    assert probe("tcp", backend.address, 2.0)[0]
    assert probe("none", "ignored:1", 2.0)[0]


def test_probe_failures_say_why() -> None:
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                                              # nothing listens there now
    passed, detail = probe("http", f"127.0.0.1:{port}", 1.0)
    assert not passed and f"127.0.0.1:{port}" in detail and "ConnectionRefused" in detail


@pytest.mark.parametrize("status,passed", [(200, True), (302, True), (404, False), (500, False)])
def test_http_status_rules(status: int, passed: bool) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert probe("http", f"127.0.0.1:{server.server_port}", 2.0)[0] is passed
    finally:
        server.shutdown()
        server.server_close()


def test_a_starting_container_is_re_probed_quickly_then_every_interval() -> None:
    state = HealthState(rise=2, fall=2)
    delays = []
    for passed in (False, False, False, False, False, True, True, True, False):
        state.record(passed)
        delays.append(state.next_delay(5.0))
    #        failing starter: 50 ms doubling to 0.5 s | rising | healthy (a failure below fall too)
    assert delays == [0.05, 0.1, 0.2, 0.4, 0.5, 0.5, 5.0, 5.0, 5.0]
    assert HealthState(rise=1, fall=1, failures=1).next_delay(0.02) == 0.02   # never slower than asked


def test_probes_of_an_ipv6_address() -> None:
    """`[::1]:PORT`, as registered: the brackets are the address's, not the host's."""
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.headers["Host"].startswith("[::1]") else 400)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    class Server6(ThreadingHTTPServer):
        address_family = socket.AF_INET6

    server = Server6(("::1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"[::1]:{server.server_address[1]}"
        assert probe("http", address, 2.0) == (True, "http 200")
        assert probe("tcp", address, 2.0)[0]
    finally:
        server.shutdown()
        server.server_close()
