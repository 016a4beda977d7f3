"""The whole chain on this host: etcd + sidekick + balancer supervising nginx + containers."""
from __future__ import annotations

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
    try:
        balancer.start("--confdir", str(confdir), "--etcd", etcd.hostport,
                       "--exec", f"{procs.which('nginx')} -p {nginx.prefix} -c {nginx.conf} -g 'daemon off;'",
                       env={"BALANCER_LISTEN": f"127.0.0.1:{nginx.port}",
                            "BALANCER_ACCESS_LOG": str(nginx.access_log)})
        sidekick.start("--etcd", etcd.hostport, "--host-ip", "127.0.0.1", "--service", service,
                       "--ttl", "10", "--check-interval", "0.5", "--check-timeout", "0.4")
        procs.wait_for(lambda: nginx.request()[0] == 503, timeout=20)   # up, empty pool
        yield result
    finally:
        for name in result.containers:
            procs.docker("rm", "-f", name, check=False)
        sidekick.terminate()
        balancer.terminate()
