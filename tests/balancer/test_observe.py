"""/metrics and /healthz of a running balancer, against real etcd and nginx."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys

from procs import free_port, http_get, wait_for

KEY = "/services/apache/"


def metric(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in a Prometheus text exposition, None when absent."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        match = re.match(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return None


def test_metrics_and_healthz(site, run_balancer, http_backends) -> None:
    a, b = http_backends("alpha"), http_backends("beta")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    site.etcd.put(KEY + a.address, a.address)
    site.etcd.put(KEY + b.address, b.address)
    site.etcd.put(KEY + "evil", "1.2.3.4:80; }")
    balancer = run_balancer("--metrics-addr", f"127.0.0.1:{port}")
    wait_for(lambda: site.served(8) == {"alpha", "beta"})

    def scrape() -> str:
        status, body = http_get(base + "/metrics")
        assert status == 200
        return body

    wait_for(lambda: metric(scrape(), "balancer_pool_size", resource="app.toml") == 2)
    text = scrape()
    assert metric(text, "balancer_renders_total", resource="app.toml", outcome="ok") >= 1
    assert metric(text, "balancer_checks_total", resource="app.toml", outcome="ok") >= 1
    assert metric(text, "balancer_reloads_total", resource="app.toml", outcome="ok") >= 1
    assert metric(text, "balancer_rejected_backend_values_total", resource="app.toml") == 1
    assert metric(text, "balancer_render_duration_seconds_count", resource="app.toml") >= 1
    assert metric(text, "balancer_reload_duration_seconds_count", resource="app.toml") >= 1
    assert 0 <= metric(text, "balancer_seconds_since_last_successful_sync") < 30
    assert metric(text, "balancer_etcd_watch_restarts_total") == 0
    assert http_get(base + "/healthz") == (200, "ok\n")

    site.etcd.stop()                                     # out of touch: 503 with the reason
    status, body = wait_for(lambda: (r := http_get(base + "/healthz"))[0] == 503 and r, timeout=20)
    assert "etcd watch down" in body and site.etcd.hostport in body
    assert site.served() == {"alpha", "beta"}            # still serving the last good config
    site.etcd.start()
    wait_for(lambda: http_get(base + "/healthz") == (200, "ok\n"), timeout=30)
    assert metric(scrape(), "balancer_etcd_watch_restarts_total") >= 1

    site.write_resource(check_cmd="false")               # failing checks are counted
    balancer.send(signal.SIGHUP)
    balancer.wait_output("SIGHUP")
    site.etcd.delete(KEY + a.address)
    wait_for(lambda: (metric(scrape(), "balancer_checks_total", resource="app.toml", outcome="error") or 0) >= 1,
             timeout=20)
    assert balancer.running()


def test_json_logs(site, run_balancer) -> None:
    balancer = run_balancer("--log-format", "json")
    wait_for(lambda: site.dest.exists())
    balancer.wait_output("installed")
    lines = [json.loads(line) for line in balancer.output().splitlines() if line.startswith("{")]
    assert any(e["msg"].startswith("app.toml: installed") and e["level"] == "info" for e in lines)
    assert all({"ts", "level", "logger", "msg"} <= set(e) for e in lines)


def test_metrics_port_in_use_is_one_clear_line(site) -> None:
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        res = subprocess.run([sys.executable, "-m", "balancer", "run", *site.args("--metrics-addr",
                                                                                    f"127.0.0.1:{port}")],
                             capture_output=True, text=True, timeout=30)
    assert res.returncode == 1
    assert f"--metrics-addr 127.0.0.1:{port}: Address already in use" in res.stderr
