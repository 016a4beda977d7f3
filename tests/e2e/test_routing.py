"""Every service routed from container labels, end to end: Docker -> sidekick -> etcd ->
balancer (the shipped services example) -> nginx -> containers, on this host.
Requests carry Host headers and reach 127.0.0.1 only; answers name the container."""
from __future__ import annotations

import http.client
import socket
import ssl
import subprocess
import threading
import time

import pytest

import procs
from procs import LoadLoop, wait_for

WEB, SHOP = "web.example.test", "shop.example.test"
MAINTENANCE_PAGE = "HTTP 503: <!doctype html><title>Down for maintenance</title>"


def test_host_names_and_paths_reach_only_their_containers(routed) -> None:
    routed.run("web1", "web", f"sidekick.hosts={WEB},www.example.test")
    routed.run("web2", "web", f"sidekick.hosts={WEB},www.example.test")
    routed.run("shop1", "shop", f"sidekick.hosts={SHOP}")
    routed.run("api1", "api", f"sidekick.hosts={WEB}", "sidekick.path=/api", path="/api/")
    routed.wait_served(WEB, {"web1", "web2"}, timeout=20)
    routed.wait_served(SHOP, {"shop1"}, timeout=20)
    routed.wait_served(WEB, {"api1"}, path="/api/", timeout=20)
    assert routed.served("www.example.test") == {"web1", "web2"}
    assert routed.served(WEB, "/api/index.html") == {"api1"}       # longest prefix wins
    assert routed.served(WEB, "/apiary/") == {"HTTP 404"}          # from web, which has no such page
    assert routed.served(SHOP, "/api/") == {"HTTP 404"}            # the path belongs to web's host only
    assert no_redirect(routed.nginx.port, WEB, "/api") == (301, f"http://{WEB}:{routed.nginx.port}/api/")
    assert routed.get("unknown.example.test") == (404, "no service for this host name\n")
    assert "upstream svc_web {" in routed.config() and "upstream svc_api {" in routed.config()


def test_weights_split_the_traffic(routed) -> None:
    heavy = routed.run("heavy", "web", f"sidekick.hosts={WEB}", "sidekick.weight=3")
    routed.run("light", "web", f"sidekick.hosts={WEB}")
    routed.wait_served(WEB, {"heavy", "light"}, timeout=20)
    assert f"server {heavy} weight=3 " in routed.config()
    counts = {"heavy": 0, "light": 0}
    for _ in range(400):
        status, body = routed.get(WEB)
        assert status == 200
        counts[body.strip()] += 1
    assert 0.7 <= counts["heavy"] / 400 <= 0.8, counts                # 3:1 is 75 %


def test_drain_and_maintenance_under_load_fail_no_request_but_the_asked_503s(routed, timing) -> None:
    a = routed.run("a", "web", f"sidekick.hosts={WEB}")
    routed.run("b", "web", f"sidekick.hosts={WEB}")
    routed.run("s", "shop", f"sidekick.hosts={SHOP}")
    wait_for(lambda: routed.served(WEB) == {"a", "b"} and routed.served(SHOP) == {"s"}, timeout=20)
    # two slow requests in flight, one on each backend (nginx's round robin), while `a` is drained
    slow: list[tuple[int, str]] = []
    threads = [threading.Thread(target=lambda: slow.append(routed.get(WEB, "/cgi-bin/slow"))) for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    url = f"http://127.0.0.1:{routed.nginx.port}/"
    web = LoadLoop(url, threads=2, max_seconds=120, headers={"Host": WEB}).start()
    shop = LoadLoop(url, threads=1, max_seconds=120, headers={"Host": SHOP}).start()
    try:
        time.sleep(0.3)
        drained_at = time.monotonic()
        out = routed.cli("sidekick", "drain", "web", a)
        assert out.returncode == 0 and out.stdout.startswith(f"drained web {a}"), out.stderr
        wait_for(lambda: routed.served(WEB, requests=8) == {"b"}, timeout=10)
        timing("drain -> no new request to the backend", time.monotonic() - drained_at)
        for thread in threads:
            thread.join(10)
        assert sorted(body.strip() for _status, body in slow) == ["a", "b"], slow   # in flight: finished
        assert f"# drained: {a}" in routed.config()
        routed.wait_served(WEB, {"b"}, timeout=10)                      # the old worker is gone too
        served_before = web.bodies.get("a", 0)
        time.sleep(1.0)
        assert web.bodies.get("a", 0) == served_before                # nothing new for `a`

        assert routed.cli("sidekick", "undrain", "web", a).returncode == 0
        routed.wait_served(WEB, {"a", "b"}, timeout=10)

        on = routed.cli("sidekick", "maintenance", "web", "on")
        assert on.returncode == 0 and on.stdout.startswith("maintenance on for web"), on.stderr
        routed.wait_served(WEB, {"HTTP 503"}, timeout=10)
        status, body = routed.get(WEB)
        assert status == 503 and "web is down for maintenance" in body
        assert routed.served(SHOP) == {"s"}                             # other services untouched
        status = routed.cli("sidekick", "status").stdout
        assert any(line.startswith("web ") and line.endswith("maintenance") for line in status.splitlines()), status
        off = routed.cli("sidekick", "maintenance", "web", "off")
        assert off.returncode == 0 and off.stdout.startswith("maintenance off for web")
        routed.wait_served(WEB, {"a", "b"}, timeout=10)
    finally:
        web.stop()
        shop.stop()
    unexpected = [f for f in web.failed if not f.startswith(MAINTENANCE_PAGE)]
    assert unexpected == [], unexpected[:5]
    assert len(web.failed) > 0                                          # the maintenance page was served
    assert shop.failed == [], shop.failed[:5]
    assert web.ok > 100 and shop.ok > 50


def test_bad_labels_and_conflicts_are_kept_out_and_reported(routed) -> None:
    routed.run("good", "web", f"sidekick.hosts={WEB}")
    routed.run("badhost", "web", "sidekick.hosts=web example.test")
    routed.run("badpath", "web", f"sidekick.hosts={WEB}", "sidekick.path=no-slash")
    routed.run("badweight", "web", f"sidekick.hosts={WEB}", "sidekick.weight=0")
    routed.run("major1", "blog", "sidekick.hosts=blog.example.test")
    routed.run("major2", "blog", "sidekick.hosts=blog.example.test")
    minor = routed.run("minor", "blog", "sidekick.hosts=old-blog.example.test")
    routed.run("zeta", "zeta", f"sidekick.hosts={WEB},zeta.example.test")    # web's host and path
    routed.wait_served("blog.example.test", {"major1", "major2"}, timeout=20)
    routed.wait_served("zeta.example.test", {"zeta"}, timeout=20)
    routed.wait_served(WEB, {"good"}, timeout=20)
    assert routed.served(WEB, requests=20) == {"good"}                 # no bad label, no zeta
    assert routed.served("old-blog.example.test") == {"HTTP 404"}
    for name, label in (("badhost", "sidekick.hosts"), ("badpath", "sidekick.path"), ("badweight", "sidekick.weight")):
        lines = [ln for ln in routed.sidekick.output().splitlines() if f"container {routed.container(name)} " in ln]
        assert len(lines) == 1 and f"label {label}=" in lines[0] and "ERROR" in lines[0], lines
    # both conflicts in one render (minor may be registered a moment after the majors): the
    # gauge is set after the render that logged them
    wait_for(lambda: 'balancer_route_conflicts{resource="services.toml"} 2.0' in routed.metrics(), timeout=15)
    conflicts = [ln for ln in routed.balancer.output().splitlines() if "routing conflict" in ln]
    assert any(f"backend {minor} claims hosts old-blog.example.test" in ln for ln in conflicts), conflicts
    assert any("claimed by services web and zeta; web gets it" in ln for ln in conflicts), conflicts
    status = routed.cli("sidekick", "status")
    assert status.returncode == 0, status.stderr
    assert status.stdout.count("conflict: ") == 2
    assert status.stdout.count("not registered: container ") == 3
    report = routed.cli("balancer", "status", "--confdir", str(routed.confdir))
    assert report.returncode == 0 and report.stdout.count("conflict: ") == 2, report.stdout + report.stderr


def test_a_container_leaving_then_the_service_emptying_answers_503(routed) -> None:
    routed.run("one", "web", f"sidekick.hosts={WEB}")
    routed.run("two", "web", f"sidekick.hosts={WEB}")
    routed.wait_served(WEB, {"one", "two"}, timeout=20)
    procs.docker("stop", "-t", "5", routed.container("two"))
    routed.wait_served(WEB, {"one"}, timeout=10)
    # the last one fails its health check: no backend, but its host is still known (503, not 404)
    procs.docker("exec", routed.container("one"), "rm", "/www/index.html")
    routed.wait_served(WEB, {"HTTP 503"}, timeout=15)
    assert routed.get(WEB) == (503, "web: no backend available\n")
    procs.docker("exec", routed.container("one"), "sh", "-c", "echo back > /www/index.html")
    routed.wait_served(WEB, {"back"}, timeout=15)
    procs.docker("stop", "-t", "5", routed.container("one"))       # no container claims the host any more
    routed.wait_served(WEB, {"HTTP 404"}, timeout=10)


def no_redirect(port: int, host: str, path: str) -> tuple[int, str | None]:
    """(status, Location) of a GET to 127.0.0.1:port that is not followed anywhere."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def https_get(port: int, host: str, path: str, cafile: str) -> tuple[int, str]:
    """GET over TLS to 127.0.0.1:port with SNI `host`, verifying the certificate against `cafile`."""
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            connection = http.client.HTTPConnection(host)
            connection.sock = tls
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode()


def test_tls_when_the_operator_provides_a_certificate(routed) -> None:
    host = "secure.example.test"
    cert, key = routed.certs / f"{host}.crt", routed.certs / f"{host}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={host}",
                    "-addext", f"subjectAltName=DNS:{host}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    routed.run("sec", "secure", f"sidekick.hosts={host}")
    routed.run("plain", "web", f"sidekick.hosts={WEB}")
    wait_for(lambda: https_get(routed.tls_port, host, "/", str(cert)) == (200, "sec\n"), timeout=20)
    routed.wait_served(WEB, {"plain"}, timeout=20)
    assert no_redirect(routed.nginx.port, host, "/page?x=1") == (301, f"https://{host}:{routed.tls_port}/page?x=1")
    assert https_get(routed.tls_port, host, "/", str(cert)) == (200, "sec\n")
    # a host without a certificate has no TLS: the handshake for it is refused
    with pytest.raises(ssl.SSLError, match="UNRECOGNIZED_NAME"):
        https_get(routed.tls_port, WEB, "/", str(cert))


def test_the_tutorial_example_still_works_beside_it(routed) -> None:
    routed.run("ap1", "apache", f"sidekick.hosts={WEB}")
    routed.run("ap2", "apache", f"sidekick.hosts={WEB}")
    routed.wait_served(WEB, {"ap1", "ap2"}, timeout=20)
    wait_for(lambda: {procs.http_get(f"http://127.0.0.1:{routed.tutorial_port}/")[1].strip()
                      for _ in range(8)} == {"ap1", "ap2"}, timeout=20)
    assert "upstream apache_pool {" in (routed.nginx.conf_d / "tutorial.conf").read_text()
