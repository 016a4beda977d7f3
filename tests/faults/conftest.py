"""Fixtures for the fault-injection suite (tests/faults/test_faults.py).

Builds on tests/conftest.py (etcd, nginx, http_backends, docker_control, httpd_image) and
adds: a three-member etcd cluster, a confdir rendering the shipped template for a service
name of the test's own, factories for the balancer and the sidekick, and uniquely named
busybox httpd containers that are all removed at teardown.

Docker-free tests ask for none of the Docker fixtures (`boxes` pulls in `httpd_image` and
`docker_control`), so they never start or need dockerd.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import procs
from procs.etcd_cluster import EtcdCluster
from procs import CliProcess, EtcdServer, Nginx

EXAMPLE_TEMPLATE = Path(__file__).parents[2] / "balancer" / "examples" / "tutorial" / "templates" / "nginx.tmpl"
SERVER_LINE = re.compile(r"^\s*server\s+(\S+)\s+max_fails=", re.MULTILINE)


def servers_in(text: str) -> set[str]:
    """The `server HOST:PORT max_fails=...` entries of a rendered upstream block."""
    return set(SERVER_LINE.findall(text))


# --------------------------------------------------------------------------- etcd cluster


@pytest.fixture
def etcd_cluster(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[EtcdCluster]:
    cluster = EtcdCluster(tmp_path / "cluster")
    for member in cluster.members:
        procs.track(request, member)
    try:
        cluster.start(timeout=40.0)
        yield cluster
    finally:
        cluster.close()


# --------------------------------------------------------------------------- TCP proxies


class TcpProxy:
    """127.0.0.1:<port> forwarding to 127.0.0.1:<target>, or refusing: in "down" mode every
    connection is accepted and closed at once (and counted), as a dead endpoint looks to gRPC."""

    def __init__(self, target: int) -> None:
        self.target = target
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((procs.LOOPBACK, 0))
        self._listener.listen(64)
        self.port: int = self._listener.getsockname()[1]
        self.hostport = f"{procs.LOOPBACK}:{self.port}"
        self.up = True
        self.accepted: list[tuple[float, bool]] = []      # (monotonic time, forwarded?)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closed = False
        threading.Thread(target=self._accept, name=f"proxy-{self.port}", daemon=True).start()

    def down(self) -> None:
        """Cut every forwarded connection and refuse new ones."""
        self.up = False
        self._cut()

    def restore(self) -> None:
        self.up = True

    def connections(self) -> int:
        with self._lock:
            return len(self._open) // 2

    def refused_since(self, since: float) -> list[float]:
        return [at for at, forwarded in self.accepted if at >= since and not forwarded]

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._cut()

    def _cut(self) -> None:
        with self._lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.accepted.append((time.monotonic(), self.up))
            if not self.up:
                conn.close()
                continue
            try:
                upstream = socket.create_connection((procs.LOOPBACK, self.target), timeout=2)
                upstream.settimeout(None)
            except OSError:
                conn.close()
                continue
            with self._lock:
                self._open |= {conn, upstream}
            for src, dst in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open -= {src, dst}
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


@pytest.fixture
def proxies() -> Iterator[Callable[[int], TcpProxy]]:
    """make(target_port) -> a started TcpProxy; all closed at teardown."""
    made: list[TcpProxy] = []

    def make(target: int) -> TcpProxy:
        proxy = TcpProxy(target)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()


# --------------------------------------------------------------------------- the site


@dataclass
class Stack:
    """A confdir whose app.toml renders the shipped template for this test's service into
    nginx's conf.d, plus how to read the service's keys from etcd."""
    confdir: Path
    nginx: Nginx
    service: str
    endpoints: str                                          # --etcd value
    read_keys: Callable[[str], dict[str, tuple[str, int]]]  # prefix -> {key: (value, lease)}
    env: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        return f"/services/{self.service}/"

    @property
    def dest(self) -> Path:
        return self.nginx.conf_d / "app.conf"

    def write_resource(self, dest: Path | None = None, extra: str = "") -> None:
        procs.write_resource(self.confdir, "app", src=self.confdir / "templates" / "app.tmpl", dest=dest or self.dest,
                             keys=[f"/services/{self.service}"], check_cmd=self.nginx.check_cmd,
                             reload_cmd=self.nginx.reload_cmd, command_timeout=15, extra=extra)

    def registrations(self) -> dict[str, tuple[str, int]]:
        """key -> (value, lease id) of every key under the service's prefix."""
        return self.read_keys(self.prefix)

    def addresses(self) -> set[str]:
        """The registered host:port values (the part of each key after the service prefix)."""
        return {key[len(self.prefix):] for key in self.registrations()}

    def rendered(self) -> str:
        try:
            return self.dest.read_text()
        except FileNotFoundError:
            return ""

    def servers(self) -> set[str]:
        return servers_in(self.rendered())

    def served(self, requests: int = 8) -> set[str]:
        """Bodies nginx answered with (container names, or the empty pool's 503 text)."""
        return {self.nginx.request(timeout=5)[1].strip() for _ in range(requests)}

    def balancer_args(self, *more: str) -> list[str]:
        return ["--confdir", str(self.confdir), "--etcd", self.endpoints, *more]

    def sidekick_args(self, ttl: int = 6, *more: str) -> list[str]:
        return ["--etcd", self.endpoints, "--host-ip", procs.LOOPBACK, "--service", self.service,
                "--ttl", str(ttl), "--check-interval", "0.5", "--check-timeout", "0.4",
                "--reconcile-interval", "5", *more]


@pytest.fixture
def service() -> str:
    """A service name (and so a key prefix and a container label) of this test's own."""
    return "fi" + uuid.uuid4().hex[:10]


@pytest.fixture
def make_stack(tmp_path: Path, service: str) -> Callable[..., Stack]:
    """make_stack(nginx, endpoints, read_keys) -> Stack with confdir/conf.d/app.toml written."""
    def make(nginx: Nginx, endpoints: str, read_keys: Callable[[str], dict[str, tuple[str, int]]]) -> Stack:
        confdir = tmp_path / "confdir"
        (confdir / "conf.d").mkdir(parents=True, exist_ok=True)
        (confdir / "templates").mkdir(exist_ok=True)
        (confdir / "templates" / "app.tmpl").write_text(
            EXAMPLE_TEMPLATE.read_text().replace("/services/apache/*", f"/services/{service}/*"))
        env = {"BALANCER_LISTEN": f"{procs.LOOPBACK}:{nginx.port}", "BALANCER_ACCESS_LOG": str(nginx.access_log)}
        stack = Stack(confdir, nginx, service, endpoints, read_keys, env)
        stack.write_resource()
        return stack
    return make


def etcd_reader(server: EtcdServer) -> Callable[[str], dict[str, tuple[str, int]]]:
    def read(prefix: str) -> dict[str, tuple[str, int]]:
        return {meta.key.decode(): (value.decode(), meta.lease_id)
                for value, meta in server.client().get_prefix(prefix)}
    return read


@pytest.fixture
def stack(make_stack: Callable[..., Stack], nginx: Nginx, etcd: EtcdServer) -> Stack:
    """The one-member etcd fixture + the started nginx fixture."""
    return make_stack(nginx, etcd.hostport, etcd_reader(etcd))


# --------------------------------------------------------------------------- our programs


@pytest.fixture
def programs(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[..., CliProcess]]:
    """start(module, *args, env=None) -> a running `python -m balancer|sidekick run ARGS`.

    Every one started is stopped at teardown (SIGTERM, then SIGKILL to its group).
    """
    started: list[CliProcess] = []

    def start(module: str, *args: str, env: dict[str, str] | None = None) -> CliProcess:
        proc = CliProcess(module, tmp_path / f"{module}-{len(started)}.log")
        procs.track(request, proc)
        started.append(proc)
        return proc.start(*args, env=env)

    yield start
    for proc in reversed(started):
        with contextlib.suppress(Exception):
            proc.terminate()


# --------------------------------------------------------------------------- containers


@dataclass
class Box:
    name: str
    address: str            # published 127.0.0.1:PORT


class Boxes:
    """busybox httpd containers named `fi-<hex>-<name>` whose page is their name."""

    def __init__(self, image: str, service: str) -> None:
        self.image = image
        self.service = service
        self.prefix = f"{service}-"
        self.names: list[str] = []
        self._lock = threading.Lock()

    def full(self, name: str) -> str:
        return self.prefix + name

    def run(self, name: str, *docker_args: str, host_port: int | None = None) -> Box:
        """`docker run -d` a container answering its name, published on 127.0.0.1 (a random
        port unless `host_port`)."""
        full = self.full(name)
        with self._lock:
            self.names.append(full)
        script = f"echo {name} > /www/index.html; exec httpd -f -p 80 -h /www"
        procs.docker("run", "-d", "--init", "--name", full, "-l", f"sidekick.service={self.service}",
                     "-p", f"{procs.LOOPBACK}:{host_port or ''}:80", *docker_args, self.image, "sh", "-c", script,
                     timeout=120)
        return Box(name, procs.published_address(full))

    def run_many(self, names: list[str], threads: int = 6) -> list[Box]:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(self.run, names))

    def address(self, name: str) -> str:
        return procs.published_address(self.full(name))

    def stop(self, name: str, seconds: int = 2) -> None:
        procs.docker("stop", "-t", str(seconds), self.full(name))

    def running(self) -> dict[str, str]:
        """name -> published address of every running container of ours."""
        out = procs.docker("ps", "--filter", f"name={self.prefix}", "--format", "{{.Names}}").stdout
        return {n[len(self.prefix):]: procs.published_address(n) for n in out.split() if n.startswith(self.prefix)}

    def remove_all(self) -> None:
        listed = procs.docker("ps", "-aq", "--filter", f"name={self.prefix}", check=False).stdout.split()
        ids = sorted(set(listed))
        for i in range(0, len(ids), 50):
            procs.docker("rm", "-f", *ids[i:i + 50], check=False, timeout=180)
        # names that a `docker run` raced with the listing
        leftovers = [n for n in self.names
                     if procs.docker("inspect", "--type", "container", n, check=False).returncode == 0]
        if leftovers:
            procs.docker("rm", "-f", *leftovers, check=False, timeout=180)


@pytest.fixture
def boxes(httpd_image: str, service: str, docker_control: procs.DockerControl) -> Iterator[Boxes]:
    """Containers labelled sidekick.service=<service>; every one removed at teardown."""
    made = Boxes(httpd_image, service)
    try:
        yield made
    finally:
        with contextlib.suppress(Exception):
            docker_control.ensure()          # a test that stopped dockerd and failed before starting it
        made.remove_all()


# --------------------------------------------------------------------------- small file systems


@dataclass
class SmallFs:
    """A tmpfs mounted over a directory: remount it read-only, or fill it up."""
    path: Path
    filler: Path

    def remount(self, mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.path)], check=True,
                       capture_output=True, text=True, timeout=30)

    def fill(self) -> None:
        """Write a filler file until the file system has no page left."""
        for size in (65536, 4096, 1):
            try:
                with open(self.filler, "ab", buffering=0) as handle:
                    while True:
                        handle.write(b"\0" * size)
            except OSError:
                pass

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


@pytest.fixture
def small_fs() -> Iterator[Callable[..., SmallFs]]:
    """mount(path, size="256k") -> SmallFs: a tmpfs over `path`, unmounted at teardown.

    Skips the test when this sandbox refuses mounts."""
    mounted: list[Path] = []

    def mount(path: Path, size: str = "256k") -> SmallFs:
        path.mkdir(parents=True, exist_ok=True)
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                             capture_output=True, text=True, timeout=30, check=False)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
        mounted.append(path)
        return SmallFs(path, path / ".filler")

    yield mount
    for path in reversed(mounted):
        subprocess.run(["mount", "-o", "remount,rw", str(path)], capture_output=True, timeout=30, check=False)
        subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=30, check=False)


# --------------------------------------------------------------------------- processes by id


@pytest.fixture
def reaper() -> Iterator[list[int]]:
    """A list of pids (e.g. an nginx orphaned by a SIGKILLed balancer) SIGKILLed at teardown."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
