"""The container images (images/): nginx_lb and sidekick built by images/build, run against
the real etcd and dockerd fixtures with busybox httpd containers as the backends.

Select them with ``pytest tests/e2e/test_images.py`` or ``-k test_images`` (the module name).
The first run builds the images (debootstrap of the base image, about a minute here; allow
five); later runs take seconds (cached base image and docker layer cache).  Every container
is published on, or listens on, 127.0.0.1: no traffic goes to container bridge addresses.
"""
from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

import procs
from procs import EtcdServer, http_get, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.docker]

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "images" / "build"
NGINX_LB = "nginx_lb:latest"
SIDEKICK = "sidekick:latest"
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
    for image in (NGINX_LB, SIDEKICK):
        procs.docker("image", "inspect", image)
    return {"nginx_lb": NGINX_LB, "sidekick": SIDEKICK}


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
