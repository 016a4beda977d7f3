"""Running the real sidekick against the real etcd and dockerd fixtures."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest

import procs
from procs import EtcdServer


@dataclass
class Box:
    """A test container (busybox httpd) published on a loopback address."""
    id: str
    name: str
    address: str            # the published host address, e.g. 127.0.0.1:32768

    def docker(self, *args: str, check: bool = True) -> None:
        """`docker ARGS NAME`, e.g. box.docker("stop", "-t", "1")."""
        procs.docker(*args, self.name, check=check)

    def exec(self, *command: str) -> None:
        procs.docker("exec", self.name, *command)


@dataclass
class Env:
    etcd: EtcdServer
    service: str

    @property
    def prefix(self) -> str:
        return f"/services/{self.service}/"

    def keys(self) -> dict[str, str]:
        return {meta.key.decode(): value.decode()
                for value, meta in self.etcd.client().get_prefix(self.prefix)}

    def lease_of(self, key: str) -> int:
        _value, meta = self.etcd.client().get(key)
        assert meta is not None, f"{key} is not in etcd"
        return meta.lease_id

    def key(self, box: Box) -> str:
        return self.prefix + box.address

    def wait_keys(self, expected: set[str], timeout: float = 10.0) -> None:
        procs.wait_for(lambda: set(self.keys()) == expected, timeout=timeout, ignore=(),
                       message=f"keys under {self.prefix} to be {sorted(expected)} (now {sorted(self.keys())})")


@pytest.fixture
def env(etcd: EtcdServer) -> Env:
    """The test's etcd and a service name of its own (containers are labelled with it)."""
    return Env(etcd, "t" + uuid.uuid4().hex[:10])


@pytest.fixture
def boxes(httpd_image: str, env: Env) -> Iterator[Callable[..., Box]]:
    """Factory run(*docker_run_args, bind="127.0.0.1", label=True, cmd=()) -> Box; all removed after."""
    made: list[str] = []

    def run(*args: str, bind: str = "127.0.0.1", label: bool = True, cmd: tuple[str, ...] = (),
            name: str | None = None) -> Box:
        name = name or f"sk-{env.service}-{len(made)}"
        labels = ["-l", f"sidekick.service={env.service}"] if label else []
        procs.docker("rm", "-f", name, check=False)
        made.append(name)
        cid = procs.docker("run", "-d", "--name", name, *labels, "-p", f"{bind}::80", *args,
                           httpd_image, *cmd).stdout.strip()
        return Box(cid, name, procs.published_address(name, "80/tcp", host=bind))

    yield run
    for name in made:
        procs.docker("rm", "-f", name, check=False)


@pytest.fixture
def sidekick(tmp_path: Path, request: pytest.FixtureRequest, env: Env,
             docker_daemon: str) -> Iterator[Callable[..., procs.CliProcess]]:
    """Factory start(*args, host_ip="127.0.0.1") -> a running `sidekick run`; stopped after."""
    started: list[procs.CliProcess] = []

    def start(*args: str, host_ip: str = "127.0.0.1", ttl: int = 6) -> procs.CliProcess:
        proc = procs.CliProcess("sidekick", tmp_path / f"sidekick-{len(started)}.log")
        procs.track(request, proc)
        started.append(proc)
        return proc.start("--etcd", env.etcd.hostport, "--host-ip", host_ip, "--service", env.service,
                          "--ttl", str(ttl), "--check-interval", "0.5", "--check-timeout", "0.4",
                          "--reconcile-interval", "5", *args)

    yield start
    for proc in started:
        proc.terminate()
