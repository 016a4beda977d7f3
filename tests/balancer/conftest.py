"""Running the real balancer CLI against the real etcd and nginx fixtures."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import pytest

import procs
from procs import EtcdServer, Nginx

EXAMPLE_TEMPLATE = Path(__file__).parents[2] / "balancer" / "examples" / "tutorial" / "templates" / "nginx.tmpl"


@dataclass
class Site:
    """A confdir whose app.toml renders the shipped example template into nginx's conf.d."""
    confdir: Path
    nginx: Nginx
    etcd: EtcdServer
    env: dict[str, str]

    @property
    def dest(self) -> Path:
        return self.nginx.conf_d / "app.conf"

    def write_resource(self, name: str = "app.toml", src: Path = EXAMPLE_TEMPLATE, dest: Path | None = None,
                       keys: Sequence[str] = ("/services/apache",), extra: str = "",
                       check_cmd: str | None = None, reload_cmd: str | None = None) -> Path:
        return procs.write_resource(
            self.confdir, name.removesuffix(".toml"), src=src, dest=dest or self.dest, keys=keys,
            check_cmd=check_cmd if check_cmd is not None else self.nginx.check_cmd,
            reload_cmd=reload_cmd if reload_cmd is not None else self.nginx.reload_cmd,
            command_timeout=10, extra=extra)

    def args(self, *more: str) -> list[str]:
        return ["--confdir", str(self.confdir), "--etcd", self.etcd.hostport, *more]

    def served(self, requests: int = 6) -> set[str]:
        """Bodies nginx answered with over a few requests (backend names, or the 503 text)."""
        return {self.nginx.request()[1].strip() for _ in range(requests)}


@pytest.fixture
def site(tmp_path: Path, nginx: Nginx, etcd: EtcdServer) -> Site:
    confdir = tmp_path / "confdir"
    (confdir / "conf.d").mkdir(parents=True)
    (confdir / "templates").mkdir()
    env = {"BALANCER_LISTEN": f"127.0.0.1:{nginx.port}", "BALANCER_ACCESS_LOG": str(nginx.access_log)}
    result = Site(confdir, nginx, etcd, env)
    result.write_resource()
    return result


@pytest.fixture
def run_balancer(tmp_path: Path, request: pytest.FixtureRequest,
                 site: Site) -> Iterator[Callable[..., procs.CliProcess]]:
    """Start `balancer run` with the site's confdir and etcd; killed at teardown."""
    started: list[procs.CliProcess] = []

    def start(*more: str, env: dict[str, str] | None = None) -> procs.CliProcess:
        proc = procs.CliProcess("balancer", tmp_path / f"balancer-{len(started)}.log")
        procs.track(request, proc)
        started.append(proc)
        return proc.start(*site.args(*more), env={**site.env, **(env or {})})

    yield start
    for proc in started:
        proc.terminate()


@pytest.fixture
def onetime(site: Site) -> Callable[..., tuple[int, str]]:
    """`balancer run --onetime ...` -> (exit status, stdout + stderr)."""
    def run(*more: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        res = subprocess.run([sys.executable, "-m", "balancer", "run", *site.args("--onetime", *more)],
                             env={**os.environ, **site.env, **(env or {})}, capture_output=True,
                             text=True, timeout=60)
        return res.returncode, res.stdout + res.stderr
    return run


@pytest.fixture
def good(site: Site, onetime: Callable[..., tuple[int, str]], http_backends: Callable[[str], procs.HttpBackend]) -> bytes:
    """A first successful sync (backend "alpha" under /services/apache/, nginx reloaded): the
    file a failure must leave as it is."""
    a = http_backends("alpha")
    site.etcd.put("/services/apache/" + a.address, a.address)
    status, output = onetime()
    assert status == 0, output
    site.nginx.reload()
    assert site.served() == {"alpha"}
    return site.dest.read_bytes()
