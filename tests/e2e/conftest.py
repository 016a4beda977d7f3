"""The whole chain on this host: etcd + sidekick + balancer supervising nginx + containers,
with the tutorial's single-pool example (`chain`) and with the services example (`routed`)."""
from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

import procs
from procs import EtcdServer, Nginx

TEMPLATE = Path(__file__).parents[2] / "balancer" / "examples" / "tutorial" / "templates" / "nginx.tmpl"


@dataclass
class Chain:
    etcd: EtcdServer
    nginx: Nginx                     # prefix and config only: the balancer starts it
    service: str
    image: str
    balancer: procs.CliProcess
    sidekick: procs.CliProcess
    containers: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return f"/services/{self.service}/"

    def run(self, name: str) -> str:
        """Start a container whose page names it; returns its published 127.0.0.1 address.
        It drains on SIGTERM like Apache's graceful stop (see procs.graceful_httpd)."""
        full = f"{self.service}-{name}"
        self.containers.append(full)
        procs.docker("run", "-d", "--init", "--name", full, "-l", f"sidekick.service={self.service}",
                     "-p", "127.0.0.1::80", self.image, "sh", "-c", procs.graceful_httpd(name))
        return procs.published_address(full)

    def stop(self, name: str) -> None:
        procs.docker("stop", "-t", "5", f"{self.service}-{name}")

    def keys(self) -> set[str]:
        return {meta.key.decode()[len(self.prefix):]
                for _value, meta in self.etcd.client().get_prefix(self.prefix)}

    def served(self, requests: int = 12) -> set[str]:
        return {self.nginx.request()[1].strip() for _ in range(requests)}

    def pool_file(self) -> str:
        return (self.nginx.conf_d / "app.conf").read_text()


@pytest.fixture
def chain(tmp_path: Path, etcd: EtcdServer, httpd_image: str, request: pytest.FixtureRequest) -> Iterator[Chain]:
    service = "e2e" + uuid.uuid4().hex[:8]
    nginx = Nginx(tmp_path / "nginx")
    confdir = tmp_path / "confdir"
    procs.write_resource(confdir, "app", src=tmp_path / "app.tmpl", dest=nginx.conf_d / "app.conf",
                         keys=[f"/services/{service}"], check_cmd=nginx.check_cmd, reload_cmd=nginx.reload_cmd)
    # the shipped template, for this test's service instead of apache
    (tmp_path / "app.tmpl").write_text(TEMPLATE.read_text().replace("/services/apache/*", f"/services/{service}/*"))
    balancer = procs.CliProcess("balancer", tmp_path / "balancer.log")
    sidekick = procs.CliProcess("sidekick", tmp_path / "sidekick.log")
    for proc in (balancer, sidekick):
        procs.track(request, proc)
    result = Chain(etcd, nginx, service, httpd_image, balancer, sidekick)
    with procs.removed_after(result.containers, sidekick, balancer):
        balancer.start("--confdir", str(confdir), "--etcd", etcd.hostport,
                       "--exec", nginx.exec_cmd,
                       env={"BALANCER_LISTEN": f"127.0.0.1:{nginx.port}",
                            "BALANCER_ACCESS_LOG": str(nginx.access_log)})
        sidekick.start("--etcd", etcd.hostport, "--host-ip", "127.0.0.1", "--service", service,
                       "--ttl", "10", "--check-interval", "0.5", "--check-timeout", "0.4")
        procs.wait_for(lambda: nginx.request()[0] == 503, timeout=20)   # up, empty pool
        yield result


SERVICES = Path(__file__).parents[2] / "balancer" / "examples" / "services"


def routed_httpd(name: str, path: str = "/") -> str:
    """`sh -c` script: procs.graceful_httpd serving `name` at / and under `path`, plus
    /cgi-bin/slow, which answers `name` after 2 s (a request in flight)."""
    folder = "/www" + path.rstrip("/")
    return (f"busybox mkdir -p {folder}; echo {name} > {folder}/index.html; "
            f"busybox printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\nsleep 2\\necho {name}\\n' "
            "> /www/cgi-bin/slow; busybox chmod +x /www/cgi-bin/slow; " + procs.graceful_httpd(name))


@dataclass
class Routed:
    """The services example on this host: sidekick + balancer (supervising nginx) + labelled
    containers.  The tutorial's example renders into the same nginx on `tutorial_port`."""
    etcd: EtcdServer
    nginx: Nginx
    image: str
    balancer: procs.CliProcess
    sidekick: procs.CliProcess
    tls_port: int
    tutorial_port: int
    metrics_port: int
    certs: Path
    confdir: Path
    tag: str                                # makes this test's container names its own
    containers: list[str] = field(default_factory=list)

    def run(self, name: str, service: str, *labels: str, path: str = "/") -> str:
        """Start a container labelled sidekick.service=SERVICE plus `labels` ("sidekick.hosts=...");
        its pages say `name`.  Returns its published 127.0.0.1 address."""
        full = f"{self.tag}-{name}"
        self.containers.append(full)
        label_args = [arg for label in (f"sidekick.service={service}", *labels) for arg in ("-l", label)]
        procs.docker("run", "-d", "--init", "--name", full, *label_args, "-p", "127.0.0.1::80", self.image,
                     "sh", "-c", routed_httpd(name, path))
        return procs.published_address(full)

    def container(self, name: str) -> str:
        return f"{self.tag}-{name}"

    def get(self, host: str, path: str = "/", port: int | None = None) -> tuple[int, str]:
        return procs.http_get(f"http://127.0.0.1:{port or self.nginx.port}{path}", headers={"Host": host})

    def served(self, host: str, path: str = "/", requests: int = 12) -> set[str]:
        """Bodies of `requests` answers through nginx; a non-200 answer counts as 'HTTP <status>'."""
        answers = set()
        for _ in range(requests):
            status, body = self.get(host, path)
            answers.add(body.strip() if status == 200 else f"HTTP {status}")
        return answers

    def wait_served(self, host: str, expected: set[str], path: str = "/", timeout: float = 20) -> None:
        """Until nginx answers exactly `expected`, and still does once no worker of an earlier
        configuration is left (right after a reload the old one may answer a connection or two)."""
        procs.wait_for(lambda: self.served(host, path) == expected and self.nginx.settled()
                       and self.served(host, path) == expected, timeout=timeout,
                       message=f"{host}{path} to answer {sorted(expected)}")

    def config(self) -> str:
        return (self.nginx.conf_d / "services.conf").read_text()

    def cli(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", program, *args[:1], "--etcd", self.etcd.hostport, *args[1:]],
                              check=False, capture_output=True, text=True, timeout=60)

    def metrics(self) -> str:
        return procs.http_get(f"http://127.0.0.1:{self.metrics_port}/metrics")[1]


@pytest.fixture
def routed(tmp_path: Path, etcd: EtcdServer, httpd_image: str, request: pytest.FixtureRequest) -> Iterator[Routed]:
    nginx = Nginx(tmp_path / "nginx")
    tls_port, tutorial_port, metrics_port = procs.free_ports(3)
    certs = tmp_path / "certs"
    certs.mkdir()
    confdir = tmp_path / "confdir"
    procs.write_resource(confdir, "services", src=SERVICES / "templates" / "services.tmpl",
                         dest=nginx.conf_d / "services.conf", keys=["/services", "/lb"],
                         check_cmd=nginx.check_cmd, reload_cmd=nginx.reload_cmd)
    # the tutorial's template beside it, on a port of its own
    (tmp_path / "tutorial.tmpl").write_text(TEMPLATE.read_text().replace(
        'getenv("BALANCER_LISTEN", "80")', f'"127.0.0.1:{tutorial_port}"'))
    procs.write_resource(confdir, "tutorial", src=tmp_path / "tutorial.tmpl", dest=nginx.conf_d / "tutorial.conf",
                         keys=["/services/apache"], check_cmd=nginx.check_cmd, reload_cmd=nginx.reload_cmd)
    balancer = procs.CliProcess("balancer", tmp_path / "balancer.log")
    sidekick = procs.CliProcess("sidekick", tmp_path / "sidekick.log")
    for proc in (balancer, sidekick):
        procs.track(request, proc)
    result = Routed(etcd, nginx, httpd_image, balancer, sidekick, tls_port, tutorial_port, metrics_port, certs,
                    confdir, tag="rt" + uuid.uuid4().hex[:8])
    with procs.removed_after(result.containers, sidekick, balancer):
        balancer.start("--confdir", str(confdir), "--etcd", etcd.hostport,
                       "--metrics-addr", f"127.0.0.1:{metrics_port}",
                       "--exec", nginx.exec_cmd,
                       env={"BALANCER_LISTEN": f"127.0.0.1:{nginx.port}",
                            "BALANCER_LISTEN_TLS": f"127.0.0.1:{tls_port}",
                            "BALANCER_CERTS": str(certs),
                            "BALANCER_ACCESS_LOG": str(nginx.access_log)})
        sidekick.start("--etcd", etcd.hostport, "--host-ip", "127.0.0.1", "--ttl", "10",
                       "--check-interval", "0.5", "--check-timeout", "0.4")
        procs.wait_for(lambda: result.get("unknown.example.test")[0] == 404, timeout=20)   # up, no service
        yield result
