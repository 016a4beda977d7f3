"""IPv6 end to end on this host: containers published on ::1 -> a sidekick with `--host-ip ::1`
(keys `[::1]:PORT`) -> etcd -> the balancer, rendering the tutorial's example and the services
example into one nginx listening on [::1] -> the containers.  Every hop is IPv6 loopback."""
from __future__ import annotations

import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

import procs
from procs import EtcdServer, Nginx, wait_for

ROOT = Path(__file__).parents[2]
TUTORIAL = ROOT / "balancer" / "examples" / "tutorial" / "templates" / "nginx.tmpl"
SERVICES = ROOT / "balancer" / "examples" / "services" / "templates" / "services.tmpl"
HOST = "v6.example.test"


@dataclass
class Chain6:
    etcd: EtcdServer
    nginx: Nginx
    image: str
    service: str
    tutorial_port: int                      # the tutorial's single pool of `service`
    balancer: procs.CliProcess
    sidekick: procs.CliProcess
    containers: list[str] = field(default_factory=list)

    def run(self, name: str) -> str:
        """A container of `service` routed for HOST, published on ::1 only, its page saying
        `name`; returns its `[::1]:PORT`."""
        full = f"{self.service}-{name}"
        self.containers.append(full)
        procs.docker("run", "-d", "--init", "--name", full, "-l", f"sidekick.service={self.service}",
                     "-l", f"sidekick.hosts={HOST}", "-p", "[::1]::80", self.image,
                     "sh", "-c", procs.graceful_httpd(name))
        ports = [item.rsplit(":", 1)[1] for item in procs.docker("port", full, "80/tcp").stdout.split()
                 if item.startswith("::1:")]
        assert len(ports) == 1, ports
        return f"[::1]:{ports[0]}"

    def served(self, port: int, host: str | None = None, requests: int = 12) -> set[str]:
        answers = set()
        for _ in range(requests):
            status, body = procs.http_get(f"http://[::1]:{port}/", headers={"Host": host} if host else None)
            answers.add(body.strip() if status == 200 else f"HTTP {status}")
        return answers

    def wait_served(self, expected: set[str], timeout: float = 20) -> None:
        """Both examples answer exactly `expected` (once no worker of an older config is left)."""
        def both() -> bool:
            return self.served(self.tutorial_port) == expected and self.served(self.nginx.port, HOST) == expected
        wait_for(lambda: both() and self.nginx.settled() and both(), timeout=timeout,
                 message=f"both pools to answer {sorted(expected)}")

    def config(self, name: str) -> str:
        return (self.nginx.conf_d / name).read_text()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sidekick", args[0], "--etcd", self.etcd.hostport, *args[1:]],
                              check=False, capture_output=True, text=True, timeout=60)


@pytest.fixture
def chain6(tmp_path: Path, etcd: EtcdServer, httpd_image: str, request: pytest.FixtureRequest) -> Iterator[Chain6]:
    service = "v6" + uuid.uuid4().hex[:8]
    nginx = Nginx(tmp_path / "nginx")
    tutorial_port, tls_port = procs.free_ports(2)
    confdir = tmp_path / "confdir"
    (tmp_path / "tutorial.tmpl").write_text(
        TUTORIAL.read_text().replace("/services/apache/*", f"/services/{service}/*")
        .replace('getenv("BALANCER_LISTEN", "80")', f'"[::1]:{tutorial_port}"'))
    procs.write_resource(confdir, "tutorial", src=tmp_path / "tutorial.tmpl", dest=nginx.conf_d / "tutorial.conf",
                         keys=[f"/services/{service}"], check_cmd=nginx.check_cmd, reload_cmd=nginx.reload_cmd)
    procs.write_resource(confdir, "services", src=SERVICES, dest=nginx.conf_d / "services.conf",
                         keys=["/services", "/lb"], check_cmd=nginx.check_cmd, reload_cmd=nginx.reload_cmd)
    balancer = procs.CliProcess("balancer", tmp_path / "balancer.log")
    sidekick = procs.CliProcess("sidekick", tmp_path / "sidekick.log")
    for proc in (balancer, sidekick):
        procs.track(request, proc)
    result = Chain6(etcd, nginx, httpd_image, service, tutorial_port, balancer, sidekick)
    with procs.removed_after(result.containers, sidekick, balancer):
        balancer.start("--confdir", str(confdir), "--etcd", etcd.hostport,
                       "--exec", nginx.exec_cmd,
                       env={"BALANCER_LISTEN": f"[::1]:{nginx.port}",
                            "BALANCER_LISTEN_TLS": f"[::1]:{tls_port}",
                            "BALANCER_CERTS": str(tmp_path / "no-certs"),
                            "BALANCER_ACCESS_LOG": str(nginx.access_log)})
        sidekick.start("--etcd", etcd.hostport, "--host-ip", "::1", "--ttl", "10",
                       "--check-interval", "0.5", "--check-timeout", "0.4")
        wait_for(lambda: result.served(tutorial_port, requests=1) == {"HTTP 503"}     # up, empty pool
                 and result.served(nginx.port, HOST, requests=1) == {"HTTP 404"}, timeout=20)
        yield result


def test_ipv6_backends_are_registered_rendered_and_served(chain6: Chain6) -> None:
    one = chain6.run("one")
    chain6.wait_served({"one"})
    value, _meta = chain6.etcd.client().get(f"/services/{chain6.service}/{one}")
    assert value is not None and value.decode() == one                          # [::1]:PORT
    assert f"server {one} max_fails=1" in chain6.config("tutorial.conf")
    assert f"server {one} max_fails=1" in chain6.config("services.conf")
    assert f"passed to: {one}: GET / " in chain6.nginx.access_log.read_text()   # the tutorial's upstreamlog

    two = chain6.run("two")
    chain6.wait_served({"one", "two"})

    drained = chain6.cli("drain", chain6.service, one)                          # the operator's address form
    assert drained.returncode == 0 and drained.stdout.startswith(f"drained {chain6.service} {one}"), \
        drained.stdout + drained.stderr
    wait_for(lambda: chain6.served(chain6.nginx.port, HOST) == {"two"} and chain6.nginx.settled()
             and chain6.served(chain6.nginx.port, HOST) == {"two"}, timeout=20, message="one drained")
    assert chain6.served(chain6.tutorial_port) == {"one", "two"}                # the tutorial knows no drain
    assert chain6.cli("undrain", chain6.service, one).returncode == 0
    chain6.wait_served({"one", "two"})

    procs.docker("stop", "-t", "5", f"{chain6.service}-one")
    chain6.wait_served({"two"})
    assert one not in chain6.config("tutorial.conf") and two in chain6.config("tutorial.conf")
