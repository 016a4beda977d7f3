"""The container images (images/): nginx_lb, sidekick and apache built by images/build, run
against the real etcd and dockerd fixtures with busybox httpd containers as the backends; the
apache image on its own (its page, HEALTHCHECK and SIGWINCH graceful stop) and as units/apache@
runs it.

Select them with ``pytest tests/e2e/test_images.py`` or ``-k test_images`` (the module name).
The first run builds the images (debootstrap of the base image, about a minute here; allow
five); later runs take seconds (cached base image and docker layer cache).  Every container
is published on, or listens on, 127.0.0.1: no traffic goes to container bridge addresses.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

import procs
from procs import EtcdServer, http_get, wait_for
from unitfile import expand, unit_defaults, values

pytestmark = [pytest.mark.integration, pytest.mark.docker]

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "images" / "build"
NGINX_LB = "nginx_lb:latest"
SIDEKICK = "sidekick:latest"
APACHE = "apache:latest"
APACHE_UNIT = ROOT / "units" / "apache@.service"
BUILD_TIMEOUT = 900          # seconds; the first build takes about a minute here
TUTORIAL = "/usr/share/balancer/tutorial"     # the tutorial's confdir in nginx_lb (default: services)


@pytest.fixture(scope="session")
def lb_images(docker_daemon: str) -> dict[str, str]:
    """Runs images/build once per session; fails (never skips) when the build fails."""
    started = time.monotonic()
    try:
        res = subprocess.run(["bash", str(BUILD)], capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                             env={**os.environ, "DOCKER": procs.DOCKER})
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
        pytest.fail(f"images/build did not finish within {BUILD_TIMEOUT}s:\n{err[-8000:]}", pytrace=False)
    if res.returncode != 0:
        pytest.fail(f"images/build failed ({res.returncode}) after {time.monotonic() - started:.0f}s:\n"
                    f"{res.stderr[-8000:]}\n{res.stdout[-2000:]}", pytrace=False)
    for image in (NGINX_LB, SIDEKICK, APACHE):
        procs.docker("image", "inspect", image)
    return {"nginx_lb": NGINX_LB, "sidekick": SIDEKICK, "apache": APACHE}


class Containers:
    """Containers of one test, under unique names; their logs go into failure reports."""

    def __init__(self, httpd_image: str) -> None:
        self.tag = uuid.uuid4().hex[:8]
        self.httpd_image = httpd_image
        self.names: list[str] = []

    def run(self, role: str, *args: str, image: str, cmd: tuple[str, ...] = ()) -> str:
        """`docker run -d --name lbimg-TAG-ROLE ARGS IMAGE CMD`; returns the name."""
        name = f"lbimg-{self.tag}-{role}"
        procs.docker("rm", "-f", name, check=False)
        self.names.append(name)
        procs.docker("run", "-d", "--name", name, *args, image, *cmd)
        return name

    def httpd(self, role: str, page: str, *args: str) -> tuple[str, str]:
        """A busybox httpd serving PAGE, published on 127.0.0.1; returns (name, 'ip:port')."""
        name = self.run(role, "--init", "-p", f"{procs.LOOPBACK}::80", *args, image=self.httpd_image)
        procs.docker("exec", name, "sh", "-c", f"echo {page} > /www/index.html")
        return name, procs.published_address(name)

    def stop(self, name: str, timeout: int = 10) -> tuple[float, int]:
        """`docker stop`; returns (seconds it took, the container's exit code)."""
        started = time.monotonic()
        procs.docker("stop", "-t", str(timeout), name, timeout=timeout + 30)
        took = time.monotonic() - started
        return took, int(procs.docker("inspect", "-f", "{{.State.ExitCode}}", name).stdout.strip())

    def output(self, name: str) -> str:
        res = procs.docker("logs", name, check=False)
        return res.stdout + res.stderr

    def logs(self) -> dict[str, str]:
        """For tests/conftest.py's failure report (it calls .logs() on what a test tracks)."""
        out = {}
        for name in self.names:
            res = procs.docker("logs", "--tail", "80", name, check=False)
            out[f"docker logs {name}"] = (res.stdout + res.stderr).strip() or "(no output)"
        return out

    def remove_all(self) -> None:
        for name in reversed(self.names):
            procs.docker("rm", "-f", name, check=False)


@pytest.fixture
def containers(httpd_image: str, request: pytest.FixtureRequest) -> Iterator[Containers]:
    made = Containers(httpd_image)
    request.node.__dict__.setdefault("_lb_procs", []).append(made)
    try:
        yield made
    finally:
        made.remove_all()


def _nginx_lb_args(etcd: EtcdServer, port: int) -> tuple[str, ...]:
    return ("--network", "host",
            "-e", f"ETCD_ENDPOINTS={etcd.hostport}",
            "-e", f"BALANCER_LISTEN={procs.LOOPBACK}:{port}",
            "-e", "BALANCER_ACCESS_LOG=/var/log/nginx/access.log")


def _bodies(url: str, n: int = 8, host: str | None = None) -> list[str]:
    out = []
    for _ in range(n):
        status, body = http_get(url, timeout=3, headers={"Host": host} if host else None)
        out.append(f"{status} {body.strip()}")
    return out


def _wait_serving(url: str, expected: set[str], timeout: float = 20.0, host: str | None = None) -> None:
    """Until the answers seen are exactly ``expected`` (e.g. {"200 one", "200 two"})."""
    def ok() -> bool:
        return set(_bodies(url, host=host)) == expected
    wait_for(ok, timeout=timeout, interval=0.1,
             message=f"{url} to answer {sorted(expected)}")


def test_image_nginx_lb_follows_etcd_and_stops_cleanly(etcd: EtcdServer, lb_images: dict[str, str],
                                                        containers: Containers) -> None:
    _, one = containers.httpd("one", "one")
    _, two = containers.httpd("two", "two")
    port = procs.free_port()
    url = f"http://{procs.LOOPBACK}:{port}/"
    lb = containers.run("nginx_lb", *_nginx_lb_args(etcd, port), image=lb_images["nginx_lb"],
                        cmd=("--confdir", TUTORIAL))

    # An empty pool is a valid configuration answering 503.
    wait_for(lambda: http_get(url, timeout=3) == (503, "no backend available\n"), timeout=30,
             message=f"{url} to answer 503 for the empty pool")

    etcd.put(f"/services/apache/{one}", one)
    etcd.put(f"/services/apache/{two}", two)
    _wait_serving(url, {"200 one", "200 two"})

    etcd.delete(f"/services/apache/{one}")
    _wait_serving(url, {"200 two"})
    assert set(_bodies(url, 20)) == {"200 two"}

    output = containers.output(lb)
    assert f"passed to: {two}" in output         # the upstreamlog access log, on the container's stdout
    assert "exec: starting nginx" in output
    assert "(SIGQUIT if the balancer dies)" in output     # the entrypoint's --exec-death-signal

    # The image's HEALTHCHECK asks the balancer's /healthz (--metrics-addr 127.0.0.1:9105 by default).
    wait_for(lambda: procs.docker("inspect", "-f", "{{.State.Health.Status}}", lb).stdout.strip() == "healthy",
             timeout=60, interval=1, message="the nginx_lb container to turn healthy")
    metrics = http_get("http://127.0.0.1:9105/metrics", timeout=3)[1]
    assert 'balancer_pool_size{resource="nginx.toml"} 1.0' in metrics

    took, code = containers.stop(lb)
    assert code == 0, containers.output(lb)[-3000:]
    assert took < 5, f"docker stop took {took:.1f}s"
    assert "exec: forwarding SIGTERM" in containers.output(lb)
    with pytest.raises(OSError):
        http_get(url, timeout=2)


def test_image_sidekick_registers_and_revokes_on_stop(etcd: EtcdServer, lb_images: dict[str, str],
                                                      containers: Containers) -> None:
    service = f"img{containers.tag}"
    _, address = containers.httpd("web", "web", "-l", f"sidekick.service={service}")
    sk = containers.run(
        "sidekick", "--network", "host", "-v", f"{procs.DOCKER_SOCK}:{procs.DOCKER_SOCK}",
        image=lb_images["sidekick"],
        cmd=("--etcd", etcd.hostport, "--host-ip", procs.LOOPBACK, "--service", service,
             "--check-interval", "1", "--check-timeout", "0.5"))
    key = f"/services/{service}/{address}"
    wait_for(lambda: etcd.get(key) == address, timeout=30, message=f"{key} = {address} in etcd")
    _value, meta = etcd.client().get(key)
    assert meta is not None and meta.lease_id != 0

    took, code = containers.stop(sk)
    assert code == 0, containers.output(sk)[-3000:]
    assert took < 5, f"docker stop took {took:.1f}s"
    assert etcd.get(key) is None        # revoked before the container exited (the lease TTL is 30 s)


def test_image_chain_sidekick_to_nginx_lb(etcd: EtcdServer, lb_images: dict[str, str],
                                          containers: Containers) -> None:
    """The tutorial's setup, all in containers: one sidekick per apache (labelled with its host
    name), nginx_lb in front with its default services example."""
    prefix = f"/lbimg-{containers.tag}"           # passed through both entrypoints
    host = "web.example.test"
    a, a_address = containers.httpd("apache-a", "a", "-l", f"sidekick.hosts={host}")
    b, _ = containers.httpd("apache-b", "b", "-l", f"sidekick.hosts={host}")
    for name in (a, b):
        containers.run(
            f"discovery-{name.rsplit('-', 1)[1]}", "--network", "host",
            "-v", f"{procs.DOCKER_SOCK}:{procs.DOCKER_SOCK}", image=lb_images["sidekick"],
            cmd=("--etcd", etcd.hostport, "--host-ip", procs.LOOPBACK, "--container", name,
                 "--service", "apache", "--prefix", f"{prefix}/services", "--lb-prefix", f"{prefix}/lb",
                 "--check-interval", "1", "--check-timeout", "0.5"))
    port = procs.free_port()
    url = f"http://{procs.LOOPBACK}:{port}/"
    lb = containers.run("nginx_lb", *_nginx_lb_args(etcd, port), image=lb_images["nginx_lb"],
                        cmd=("--prefix", prefix))

    _wait_serving(url, {"200 a", "200 b"}, timeout=30, host=host)
    assert set(_bodies(url, host="other.example.test")) == {"404 no service for this host name"}

    # apache-a stops: its sidekick removes the key, nginx_lb drops it from the pool.
    containers.stop(a, timeout=2)
    wait_for(lambda: etcd.get(f"{prefix}/services/apache/{a_address}") is None, timeout=10,
             message="apache-a's key to leave etcd")
    _wait_serving(url, {"200 b"}, host=host)
    assert f"{host} \"GET / HTTP/1.1\" -> " in containers.output(lb)   # the `routed` access log


# --------------------------------------------------------------------------- apache


def _health(name: str) -> str:
    return procs.docker("inspect", "-f", "{{.State.Health.Status}}", name).stdout.strip()


def _refused(url: str) -> bool:
    """True when a new request to `url` fails (refused, or reset by docker's port proxy)."""
    try:
        http_get(url, timeout=3)
    except OSError:
        return True
    return False


def test_image_apache_serves_its_name_and_stops_gracefully(lb_images: dict[str, str],
                                                          containers: Containers) -> None:
    """Debian's Apache: a page naming the container at every path, the access log on stdout,
    a HEALTHCHECK that turns healthy, and `docker stop` = SIGWINCH (STOPSIGNAL): new connections
    are refused at once while a request in flight finishes, then exit 0."""
    image = lb_images["apache"]
    assert procs.docker("image", "inspect", "-f", "{{.Config.StopSignal}}", image).stdout.strip() == "SIGWINCH"
    web = containers.run("web", "--init", "-p", f"{procs.LOOPBACK}::80", "-e", "NAME=web.1",
                         "--health-interval", "1s", image=image)
    url = f"http://{procs.published_address(web)}/"
    wait_for(lambda: http_get(url, timeout=3) == (200, "web.1\n"), timeout=30, message=f"{url} to say web.1")
    assert http_get(url + "api/items?x=1", timeout=3) == (200, "web.1\n")      # any path: the page
    assert http_get(url + "cgi-bin/slow?0", timeout=10) == (200, "web.1\n")
    wait_for(lambda: _health(web) == "healthy", timeout=60, interval=0.5, message=f"{web} to turn healthy")
    output = containers.output(web)
    assert '"GET /api/items?x=1 HTTP/1.1" 200' in output        # the access log, on the container's stdout
    assert "apache-healthcheck" not in output                   # the HEALTHCHECK's requests are not logged

    # Without NAME (and without --init: Apache is PID 1), the page is the container's host name.
    plain = containers.run("plain", "-p", f"{procs.LOOPBACK}::80", "--hostname", "apache-host", image=image)
    plain_url = f"http://{procs.published_address(plain)}/"
    wait_for(lambda: http_get(plain_url, timeout=3) == (200, "apache-host\n"), timeout=30,
             message=f"{plain_url} to say apache-host")

    for name, page_url in ((web, url), (plain, plain_url)):
        slow: dict[str, object] = {}

        def request(page_url: str = page_url, slow: dict[str, object] = slow) -> None:
            try:
                slow["answer"] = http_get(page_url + "cgi-bin/slow?5", timeout=60)
            except OSError as exc:
                slow["answer"] = exc

        in_flight = threading.Thread(target=request, daemon=True)
        in_flight.start()
        wait_for(lambda name=name: "/usr/lib/cgi-bin/slow" in procs.docker("top", name).stdout, timeout=20,
                 message=f"the slow request to run in {name}")
        stop: dict[str, tuple[float, int]] = {}
        stopper = threading.Thread(target=lambda name=name, stop=stop: stop.update(result=containers.stop(name, 30)),
                                   daemon=True)
        stopper.start()
        # Graceful stop: new connections fail while the request in flight still runs ...
        wait_for(lambda page_url=page_url: _refused(page_url), timeout=20, message=f"{name} to stop accepting")
        assert in_flight.is_alive() and "answer" not in slow, slow
        # ... and it finishes with its answer; then Apache exits 0.
        in_flight.join(60)
        stopper.join(60)
        expected = "web.1\n" if name == web else "apache-host\n"
        assert slow.get("answer") == (200, expected), slow
        assert "result" in stop, f"docker stop {name} did not return"
        _took, code = stop["result"]
        assert code == 0, containers.output(name)[-3000:]
        assert "caught SIGWINCH, shutting down gracefully" in containers.output(name)


def _unit_command(unit: Path, key: str, env: dict[str, str], instance: str) -> list[str]:
    """The unit's `key` command of [Service], expanded as systemd does (its "-" prefix dropped)."""
    (command,) = values(unit, "Service", key)
    return expand(command.lstrip("-"), env, instance)


def test_unit_apache_runs_the_apache_image(lb_images: dict[str, str], containers: Containers) -> None:
    """units/apache@.service's own `docker run` and `docker stop` lines, with its defaults and
    COREOS_PRIVATE_IPV4=127.0.0.1: the apache image serves on 127.0.0.1:%i and stops gracefully."""
    port = str(procs.free_port())
    env = {**unit_defaults(APACHE_UNIT), "COREOS_PRIVATE_IPV4": procs.LOOPBACK, "APACHE_HOSTS": "web.example.test"}
    assert env["APACHE_IMAGE"] == lb_images["apache"]
    start = _unit_command(APACHE_UNIT, "ExecStart", env, port)
    stop = _unit_command(APACHE_UNIT, "ExecStop", env, port)
    name = f"apache.{port}"
    assert start[-1] == lb_images["apache"], start             # no command: the image's own CMD
    assert stop[:2] == ["/usr/bin/docker", "stop"] and stop[-1] == name, stop
    procs.docker("rm", "-f", name, check=False)
    containers.names.append(name)                              # removed at teardown, logs in reports
    start[0] = procs.DOCKER
    stop[0] = procs.DOCKER
    # ExecStart: `docker run` in the foreground, as systemd runs it.
    with subprocess.Popen(start, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as run:
        try:
            url = f"http://{procs.LOOPBACK}:{port}/"
            wait_for(lambda: http_get(url, timeout=3)[0] == 200, timeout=30, message=f"{url} to answer")
            hostname = procs.docker("inspect", "-f", "{{.Config.Hostname}}", name).stdout.strip()
            assert http_get(url, timeout=3) == (200, hostname + "\n")
            labels = procs.docker("inspect", "-f", "{{json .Config.Labels}}", name).stdout
            assert '"sidekick.hosts":"web.example.test"' in labels and '"sidekick.path":""' in labels, labels
            wait_for(lambda: _health(name) == "healthy", timeout=60, interval=0.5, message=f"{name} to turn healthy")
            res = subprocess.run(stop, capture_output=True, text=True, timeout=60)
            assert res.returncode == 0, res
            output, _ = run.communicate(timeout=30)
        finally:
            if run.poll() is None:
                procs.docker("rm", "-f", name, check=False)
                run.kill()
    assert run.returncode == 0, output[-3000:]                 # the container's exit status: graceful
    assert "caught SIGWINCH, shutting down gracefully" in output
