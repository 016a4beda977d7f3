"""One load balancer of the simulated cluster: `balancer run --exec nginx` with the shipped
services example on a 127.0.0.1 port (`LoadBalancer`), and what its nginx serves."""
from __future__ import annotations

import re
import signal
from pathlib import Path

from .base import LOOPBACK, ManagedProcess, alive, free_port, http_get, wait_for
from .cli import CliProcess
from .nginx import Nginx
from .resources import write_resource

ROOT = Path(__file__).resolve().parents[2]
SERVICES_TEMPLATE = ROOT / "balancer" / "examples" / "services" / "templates" / "services.tmpl"
WEB_HOST = "web.cluster.test"            # the Host header the layout's services answer to
SERVER_LINE = re.compile(r"^\s*server\s+([^\s;]+)[^;\n]*max_fails=", re.MULTILINE)


def servers_in(config: str) -> set[str]:
    """The `server ADDRESS ... max_fails=...;` entries of a rendered nginx configuration."""
    return set(SERVER_LINE.findall(config))


class LoadBalancer:
    """`balancer run --exec nginx` with the shipped services example, on 127.0.0.1:`port`."""

    def __init__(self, workdir: Path, name: str, endpoints: str, port: int | None = None) -> None:
        self.name = name
        self.endpoints = endpoints
        self.nginx = Nginx(workdir / "nginx")            # prefix and configuration: the balancer runs it
        if port is not None:
            self.nginx.port, self.nginx.url = port, f"http://{LOOPBACK}:{port}"
        self.port, self.url = self.nginx.port, self.nginx.url
        self.tls_port = free_port()
        self.certs = workdir / "certs"
        self.certs.mkdir(parents=True, exist_ok=True)
        self.confdir = workdir / "confdir"
        self.dest = self.nginx.conf_d / "services.conf"
        write_resource(self.confdir, "services", src=SERVICES_TEMPLATE, dest=self.dest, keys=["/services", "/lb"],
                       check_cmd=self.nginx.check_cmd, reload_cmd=self.nginx.reload_cmd, command_timeout=30)
        self.balancer = CliProcess("balancer", workdir / "balancer.log")
        self.balancer.name = f"balancer {name}"

    def spawn(self) -> None:
        nginx = self.nginx
        command = nginx.exec_cmd
        self.balancer.start("--confdir", str(self.confdir), "--etcd", self.endpoints, "--exec", command,
                            "--exec-death-signal", "QUIT",
                            env={"BALANCER_LISTEN": f"{LOOPBACK}:{self.port}",
                                 "BALANCER_LISTEN_TLS": f"{LOOPBACK}:{self.tls_port}",
                                 "BALANCER_CERTS": str(self.certs),
                                 "BALANCER_ACCESS_LOG": str(nginx.access_log)})

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until nginx answers (404 for a host name no service claims)."""
        def ready() -> bool:
            if not self.balancer.running():
                raise RuntimeError(f"{self.balancer.name} exited:\n{self.balancer.log_tail()}")
            return self.get("unknown.cluster.test", timeout=2)[0] == 404
        wait_for(ready, timeout=timeout, ignore=(OSError,), message=f"{self.name} to answer on {self.url}")

    def start(self) -> LoadBalancer:
        self.spawn()
        self.wait_ready()
        return self

    def kill(self) -> int | None:
        """SIGKILL the balancer alone (not its group): the kernel sends its nginx QUIT
        (--exec-death-signal).  Waits until that nginx is gone; returns its pid."""
        master = self.nginx.master_pid()
        self.balancer.send(signal.SIGKILL)
        self.balancer.wait(15)
        if master is not None:
            wait_for(lambda: not alive(master), timeout=15, interval=0.01, message=f"{self.name}'s nginx to exit")
        return master

    def close(self) -> None:
        self.balancer.terminate()

    def get(self, host: str, path: str = "/", timeout: float = 5.0) -> tuple[int, str]:
        return http_get(f"{self.url}{path}", timeout=timeout, headers={"Host": host})

    def served(self, host: str = WEB_HOST, path: str = "/", requests: int = 12) -> set[str]:
        """Bodies of `requests` answers ('HTTP <status>' for an answer that is not 200)."""
        answers = set()
        for _ in range(requests):
            status, body = self.get(host, path)
            answers.add(body.strip() if status == 200 else f"HTTP {status}")
        return answers

    def config(self) -> str:
        try:
            return self.dest.read_text()
        except FileNotFoundError:
            return ""

    def servers(self) -> set[str]:
        return servers_in(self.config())

    def settled(self) -> bool:
        """No nginx worker of an earlier configuration is left (it could still answer)."""
        return self.nginx.settled()

    def reloads(self) -> int:
        return self.balancer.count(": reload_cmd `")

    def processes(self) -> list[ManagedProcess]:
        return [self.balancer]

    def logs(self) -> dict[str, str]:
        return {**self.balancer.logs(), **self.nginx.logs()}
