"""Real processes for the tests: etcd, nginx, plain HTTP backends, dockerd helpers.

Everything listens on 127.0.0.1 only, on ports picked by binding port 0.  Each process
runs in its own session (process group) with its output in a log file, so that teardown
can kill it -- and its children -- even when a test fails.
"""
from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, TypeVar

import etcd3

LOOPBACK = "127.0.0.1"


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind port 0, then release)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def free_ports(n: int) -> list[int]:
    """n distinct free ports (all held open at once while picking, so they differ)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind((LOOPBACK, 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _describe(predicate: Callable[..., Any]) -> str:
    name = getattr(predicate, "__qualname__", None) or repr(predicate)
    code = getattr(predicate, "__code__", None)
    if code is not None:
        name += f" ({Path(code.co_filename).name}:{code.co_firstlineno})"
    return name


def wait_for(
    predicate: Callable[[], Any],
    timeout: float = 10.0,
    interval: float = 0.05,
    *,
    message: str | None = None,
    ignore: tuple[type[BaseException], ...] = (Exception,),
) -> Any:
    """Call predicate until it returns something truthy and return that value.

    Exceptions listed in ``ignore`` (by default any Exception: a connection refused while
    nginx reloads, a key not there yet) count as "not yet"; pass ``ignore=()`` to let them
    propagate at once.  Raises AssertionError("timed out waiting for <predicate> ...; last
    exception/value: ...") after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    last_exc: BaseException | None = None
    last_value: Any = None
    while True:
        try:
            last_value = predicate()
            if last_value:
                return last_value
        except ignore as exc:  # noqa: PERF203 - polling loop
            last_exc = exc
        if time.monotonic() >= deadline:
            what = message or _describe(predicate)
            detail = f"; last exception: {last_exc!r}" if last_exc else f"; last value: {last_value!r}"
            raise AssertionError(f"timed out waiting for {what} after {timeout}s{detail}") from last_exc
        time.sleep(interval)


def which(name: str) -> str:
    """Full path of a program, also looking in the sbin directories (nginx, dockerd)."""
    path = os.environ.get("PATH", "") + ":/usr/local/sbin:/usr/sbin:/sbin"
    found = shutil.which(name, path=path)
    if not found:
        raise FileNotFoundError(f"{name} not found (install it: bash scripts/test does)")
    return found


_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 5.0, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """GET url directly (never through an *_proxy), return (status, body text).

    HTTP error statuses are returned; connection errors raise (URLError/OSError).
    """
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with _NO_PROXY_OPENER.open(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, exc.read().decode("utf-8", errors="replace")
        finally:
            exc.close()


def tail(path: Path, lines: int = 50) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:])


def write_resource(confdir: Path, name: str, *, src: str | Path, dest: str | Path, keys: Sequence[str],
                   check_cmd: str | None = None, reload_cmd: str | None = None) -> Path:
    """Write the balancer resource ``confdir/conf.d/NAME.toml`` (one ``[template]`` table) and
    return its path.  check_cmd / reload_cmd are left out when None ("" is written as "").

    Strings are written with json.dumps: a JSON string is a valid TOML basic string for
    ordinary paths and shell commands (quotes and backslashes escaped).
    """
    def toml(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["[template]", f"src = {toml(str(src))}", f"dest = {toml(str(dest))}", f"keys = {toml(list(keys))}"]
    for directive, command in (("check_cmd", check_cmd), ("reload_cmd", reload_cmd)):
        if command is not None:
            lines.append(f"{directive} = {toml(command)}")
    path = Path(confdir) / "conf.d" / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


# --------------------------------------------------------------------------- processes

_LIVE: set["ManagedProcess"] = set()


@atexit.register
def _kill_leftovers() -> None:
    for p in list(_LIVE):
        p.kill()


class ManagedProcess:
    """A subprocess in its own process group, output appended to ``log_path``."""

    name = "process"

    def __init__(self, log_path: Path):
        self.log_path = Path(log_path)
        self.proc: subprocess.Popen[bytes] | None = None
        self._logf = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _spawn(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        if self.running():
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._logf = open(self.log_path, "ab")
        self._logf.write(f"\n===== {time.strftime('%H:%M:%S')} start: {' '.join(argv)}\n".encode())
        self._logf.flush()
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=self._logf,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
        _LIVE.add(self)

    def _finish(self) -> None:
        _LIVE.discard(self)
        if self._logf is not None:
            self._logf.close()
            self._logf = None

    def _signal(self, sig: int, timeout: float) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                proc.send_signal(sig)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._killpg()
        self._finish()

    def _killpg(self) -> None:
        """SIGKILL the whole group (the leader is not reaped yet, so the id is still ours)."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                proc.kill()
            proc.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL to the process group after ``timeout`` seconds."""
        self._signal(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL the process and its group right away."""
        self._killpg()
        self._finish()

    def log_tail(self, lines: int = 50) -> str:
        return tail(self.log_path, lines)

    def logs(self) -> dict[str, str]:
        """name -> last lines, for failure reports."""
        return {f"{self.name} log ({self.log_path})": self.log_tail()}

    def _died(self, what: str) -> RuntimeError:
        return RuntimeError(
            f"{self.name} {what} (exit status {self.proc.returncode if self.proc else None});"
            f" log {self.log_path}:\n{self.log_tail()}"
        )

    def _wait_ready(self, ready: Callable[[], Any], deadline: float, late: str, interval: float) -> None:
        """After _spawn(): poll ready() until it holds.  Raises RuntimeError with the log tail
        when the process exits first, or (SIGKILLing its group) when time.monotonic() passes
        ``deadline`` ("<name> <late> (exit status ...)")."""
        while True:
            if not self.running():
                err = self._died("exited during startup")
                self._finish()
                raise err
            if ready():
                return
            if time.monotonic() >= deadline:
                err = self._died(late)
                self.kill()
                raise err
            time.sleep(interval)

    def close(self) -> None:
        """Stop it (subclasses also release what they hold, see EtcdServer.close)."""
        self.stop()


M = TypeVar("M", bound=ManagedProcess)


def track(request: Any, proc: ManagedProcess) -> None:
    """Remember the process on the pytest item (``request.node``), so that a failure report
    shows its log (tests/conftest.py's pytest_runtest_makereport reads ``_lb_procs``)."""
    request.node.__dict__.setdefault("_lb_procs", []).append(proc)


@contextlib.contextmanager
def started(request: Any, proc: M) -> Iterator[M]:
    """track() the process, start() it and yield it; close() it at the end, also on errors."""
    track(request, proc)
    try:
        proc.start()  # type: ignore[attr-defined]  # every server subclass has start()
        yield proc
    finally:
        proc.close()


# --------------------------------------------------------------------------- etcd


class EtcdServer(ManagedProcess):
    """A one-member etcd 3.4 cluster on 127.0.0.1 with its data under ``workdir/data``."""

    name = "etcd"

    def __init__(self, workdir: Path, name: str = "n1"):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        super().__init__(self.workdir / f"etcd-{name}.log")
        self.member = name
        self.data_dir = self.workdir / "data"
        self.port, self.peer_port = free_ports(2)
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        self.hostport = f"{LOOPBACK}:{self.port}"
        self.peer_url = f"http://{LOOPBACK}:{self.peer_port}"
        self._client: etcd3.Etcd3Client | None = None
        self._all_clients: list[etcd3.Etcd3Client] = []

    def argv(self) -> list[str]:
        return [
            which("etcd"),
            "--name", self.member,
            "--data-dir", str(self.data_dir),
            "--listen-client-urls", self.endpoint,
            "--advertise-client-urls", self.endpoint,
            "--listen-peer-urls", self.peer_url,
            "--initial-advertise-peer-urls", self.peer_url,
            "--initial-cluster", f"{self.member}={self.peer_url}",
            "--logger", "zap",
            "--log-outputs", "stderr",
            "--log-level", "warn",
        ]

    def start(self, timeout: float = 20.0) -> "EtcdServer":
        # ETCD_* variables would be read as flags by etcd; keep the child's config ours alone.
        env = {k: v for k, v in os.environ.items() if not k.startswith("ETCD")}
        self._spawn(self.argv(), env=env)
        self._client = None  # a fresh gRPC channel per start: no reconnect backoff to wait out
        deadline = time.monotonic() + timeout
        self._wait_ready(self._healthy, deadline, f"not healthy after {timeout}s", 0.05)
        # A real v3 (gRPC) request through the client the tests will use.
        wait_for(lambda: self.client().status(), timeout=max(1.0, deadline - time.monotonic()),
                 message=f"etcd {self.endpoint} status()")
        return self

    def _healthy(self) -> bool:
        try:
            status, body = http_get(self.endpoint + "/health", timeout=1.0)
        except OSError:
            return False
        return status == 200 and '"true"' in body

    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)

    def restart(self, timeout: float = 20.0) -> "EtcdServer":
        """stop() then start() with the same data dir and the same ports."""
        self.stop()
        return self.start(timeout)

    def close(self) -> None:
        """stop() and close every client handed out."""
        self.stop()
        for c in self._all_clients:
            try:
                c.close()
            except Exception:  # noqa: BLE001 - teardown
                pass
        self._all_clients.clear()
        self._client = None

    # -- client side

    def client(self) -> etcd3.Etcd3Client:
        """A cached ``etcd3.client("127.0.0.1", port, timeout=5)``; a new one after each start()."""
        if self._client is None:
            self._client = etcd3.client(LOOPBACK, self.port, timeout=5)
            self._all_clients.append(self._client)
        return self._client

    def put(self, key: str, value: str | bytes, lease: Any = None) -> None:
        self.client().put(key, value, lease=lease)

    def delete(self, key: str) -> bool:
        return bool(self.client().delete(key))

    def get(self, key: str) -> str | None:
        value, _meta = self.client().get(key)
        return None if value is None else value.decode()

    def etcdctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``etcdctl --endpoints <endpoint> ARGS`` (v3 API), capturing text output."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ETCDCTL")}
        env["ETCDCTL_API"] = "3"
        return subprocess.run(
            [which("etcdctl"), "--endpoints", self.endpoint, *args],
            env=env, capture_output=True, text=True, timeout=30, check=check,
        )


# --------------------------------------------------------------------------- nginx


class Nginx(ManagedProcess):
    """An nginx master in the foreground with everything under its own ``prefix``.

    The main config has no server block: tests render theirs into ``conf_d`` and listen on
    ``port`` (reserved for them).
    """

    name = "nginx"

    # The tutorial's log format.  Not defined in the main config by default: like Debian's
    # stock nginx.conf, because the shipped template defines it itself (a second
    # definition is a hard "duplicate log_format" error).
    UPSTREAMLOG = (
        "log_format upstreamlog '[$time_local] $remote_addr passed to: $upstream_addr: "
        "$request Upstream Response Time: $upstream_response_time Request time: $request_time';"
    )

    def __init__(self, prefix: Path, define_upstreamlog: bool = False):
        self.define_upstreamlog = define_upstreamlog
        self.prefix = Path(prefix).resolve()
        self.prefix.mkdir(parents=True, exist_ok=True)
        super().__init__(self.prefix / "nginx.out")
        self.conf_d = self.prefix / "conf.d"
        self.conf_d.mkdir(exist_ok=True)
        self.conf = self.prefix / "nginx.conf"
        self.pid_file = self.prefix / "nginx.pid"
        self.error_log = self.prefix / "error.log"
        self.access_log = self.prefix / "access.log"
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.write_main_conf()

    def write_main_conf(self) -> None:
        p = self.prefix
        self.conf.write_text(
            f"pid {p}/nginx.pid;\n"
            f"error_log {p}/error.log info;\n"
            "worker_processes 1;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            f"    access_log {p}/access.log;\n"
            f"    client_body_temp_path {p}/client_body_temp;\n"
            f"    proxy_temp_path {p}/proxy_temp;\n"
            f"    fastcgi_temp_path {p}/fastcgi_temp;\n"
            f"    uwsgi_temp_path {p}/uwsgi_temp;\n"
            f"    scgi_temp_path {p}/scgi_temp;\n"
            + (f"    {self.UPSTREAMLOG}\n" if self.define_upstreamlog else "")
            + f"    include {p}/conf.d/*.conf;\n"
            "}\n"
        )

    def _base_argv(self) -> list[str]:
        return [which("nginx"), "-p", str(self.prefix), "-c", str(self.conf)]

    @property
    def check_cmd(self) -> str:
        """Shell string: ``nginx -p PREFIX -c CONF -t``."""
        return shlex.join(self._base_argv() + ["-t"])

    @property
    def reload_cmd(self) -> str:
        """Shell string: ``nginx -p PREFIX -c CONF -s reload``."""
        return shlex.join(self._base_argv() + ["-s", "reload"])

    def start(self, timeout: float = 10.0) -> "Nginx":
        self.pid_file.unlink(missing_ok=True)
        self._spawn(self._base_argv() + ["-g", "daemon off;"])
        self._wait_ready(lambda: self.master_pid() == self.pid and self.worker_pids(),
                         time.monotonic() + timeout, f"wrote no pid file / started no worker within {timeout}s",
                         0.02)
        return self

    def master_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def worker_pids(self) -> set[int]:
        """Current children of the master (the workers, including ones shutting down)."""
        if not self.running():
            return set()
        return _children(self.pid)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGQUIT (graceful), then SIGKILL to the whole group after ``timeout`` seconds."""
        self._signal(signal.SIGQUIT, timeout)

    def check(self) -> subprocess.CompletedProcess[str]:
        """Run ``nginx -t`` on the current configuration (does not raise)."""
        return subprocess.run(self._base_argv() + ["-t"], capture_output=True, text=True, timeout=30)

    def reload(self, timeout: float = 10.0) -> None:
        """``nginx -s reload`` and wait until the new workers replaced the old ones.

        Raises RuntimeError when the configuration is rejected (nginx keeps the old one).
        """
        if not self.running():
            raise RuntimeError("nginx is not running")
        old = self.worker_pids()
        offset = self.error_log.stat().st_size if self.error_log.exists() else 0
        res = subprocess.run(self._base_argv() + ["-s", "reload"], capture_output=True, text=True, timeout=30)
        if res.returncode != 0:
            raise RuntimeError(f"nginx -s reload failed ({res.returncode}):\n{res.stderr}")

        def done() -> bool:
            with open(self.error_log, "rb") as f:
                f.seek(offset)
                new = f.read().decode(errors="replace")
            errors = [ln for ln in new.splitlines() if "[emerg]" in ln or "[alert]" in ln]
            if errors:
                raise RuntimeError("nginx rejected the reload:\n" + "\n".join(errors))
            return self._replaced(old)

        wait_for(done, timeout=timeout, interval=0.01, ignore=(),
                 message="nginx workers to be replaced after reload")

    def _replaced(self, old: set[int]) -> bool:
        if not self.running():
            raise self._died("died")
        now = self.worker_pids()
        return bool(now) and not (now & old)

    def wait_reloaded(self, old_workers: set[int], timeout: float = 10.0) -> None:
        """Wait until none of ``old_workers`` (``worker_pids()`` taken before a reload) is left.

        Right after a reload the old worker keeps accepting connections with the old
        configuration until it has handled its shutdown signal; only after this are all
        requests served by the new configuration.
        """
        wait_for(lambda: self._replaced(old_workers), timeout=timeout, interval=0.01, ignore=(),
                 message=f"nginx workers {sorted(old_workers)} to be replaced")

    def request(self, path: str = "/", timeout: float = 5, headers: dict[str, str] | None = None) -> tuple[int, str]:
        """GET ``url + path``; returns (status, body). HTTP errors are returned, connection errors raise."""
        return http_get(self.url + path, timeout=timeout, headers=headers)

    def logs(self) -> dict[str, str]:
        return {
            f"nginx output ({self.log_path})": self.log_tail(),
            f"nginx error.log ({self.error_log})": tail(self.error_log),
        }


def _children(pid: int) -> set[int]:
    kids: set[int] = set()
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return {int(x) for x in text.split()}
    except (FileNotFoundError, PermissionError, ValueError):
        pass
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may contain spaces/parentheses
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            kids.add(int(d.name))
    return kids


# --------------------------------------------------------------------------- HTTP backends


class HttpBackend:
    """A threaded HTTP server on 127.0.0.1 answering every GET with 200 and its name."""

    def __init__(self, name: str):
        self.name = name
        self.hits = 0
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, with_body: bool) -> None:
                body = backend.name.encode()
                backend.hits += 1
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Backend", backend.name)
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self._answer(True)

            def do_HEAD(self) -> None:  # noqa: N802
                self._answer(False)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self.address = f"{LOOPBACK}:{self.port}"
        self.url = f"http://{self.address}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"HttpBackend-{name}", daemon=True,
        )
        self._thread.start()
        self._stopped = False

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __repr__(self) -> str:
        return f"HttpBackend({self.name!r}, {self.address})"


# --------------------------------------------------------------------------- docker

# Debian's CLI matches Debian's dockerd (20.10); another `docker` may come first in PATH.
DOCKER = "/usr/bin/docker" if os.path.exists("/usr/bin/docker") else (shutil.which("docker") or "docker")
DOCKER_SOCK = "/var/run/docker.sock"
HTTPD_IMAGE = "lb-test-httpd:2"


def docker(*args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the docker CLI, capturing text output; raises with stderr when check fails."""
    res = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout)
    if check and res.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed ({res.returncode}):\n{res.stderr}{res.stdout}")
    return res


def docker_ok() -> bool:
    try:
        return docker("info", check=False, timeout=15).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class Dockerd(ManagedProcess):
    """A ``dockerd`` started by the tests (only when none answers already)."""

    name = "dockerd"

    def start(self, timeout: float = 60.0) -> "Dockerd":
        _remove_stale_pidfile(Path("/var/run/docker.pid"))
        self._spawn([which("dockerd"), "--host", f"unix://{DOCKER_SOCK}"])
        deadline = time.monotonic() + timeout
        while not docker_ok():
            if not self.running():
                err = self._died("exited during startup")
                self._finish()
                raise err
            if time.monotonic() >= deadline:
                err = self._died(f"did not answer `docker info` within {timeout}s")
                self.stop()
                raise err
            time.sleep(0.5)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        super().stop(timeout)


class DockerControl:
    """The session's Docker daemon, and a way to restart it (for reconnect tests)."""

    PID_FILE = Path("/var/run/docker.pid")

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.owned: Dockerd | None = None       # a dockerd started by the tests
        self.starts = 0

    def ensure(self) -> None:
        if not docker_ok():
            self._start()

    def _start(self) -> None:
        self.starts += 1
        self.owned = Dockerd(self.workdir / f"dockerd-{self.starts}.log").start()

    def stop_daemon(self, timeout: float = 60.0) -> None:
        """SIGTERM whatever dockerd runs (ours or not) and wait until it is gone."""
        if self.owned is not None and self.owned.running():
            self.owned.stop(timeout)
            self.owned = None
            return
        try:
            pid = int(self.PID_FILE.read_text().strip())
        except (FileNotFoundError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout=timeout, ignore=(),
                 message=f"dockerd {pid} to exit")

    def restart(self) -> None:
        self.stop_daemon()
        self._start()

    def close(self) -> None:
        """Stop the daemon only if the tests started it."""
        if self.owned is not None:
            self.owned.stop()
            self.owned = None


def _remove_stale_pidfile(path: Path) -> None:
    try:
        pid = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        path.unlink(missing_ok=True)
    except PermissionError:
        pass


def build_httpd_image(workdir: Path, tag: str = HTTPD_IMAGE) -> str:
    """``docker import`` a busybox-only image running ``httpd -f -p 80 -h /www``.

    /www/index.html says "lb-test-httpd"; /cgi-bin/hostname answers the container's hostname.
    """
    root = Path(workdir) / "rootfs"
    if root.exists():
        shutil.rmtree(root)
    (root / "bin").mkdir(parents=True)
    shutil.copy2(os.path.realpath("/bin/busybox"), root / "bin" / "busybox")
    for applet in ("sh", "httpd", "hostname", "echo", "cat", "rm", "mv", "touch", "sleep", "kill", "test"):
        (root / "bin" / applet).symlink_to("busybox")
    (root / "www" / "cgi-bin").mkdir(parents=True)
    (root / "www" / "index.html").write_text("lb-test-httpd\n")
    cgi = root / "www" / "cgi-bin" / "hostname"
    cgi.write_text('#!/bin/sh\necho "Content-Type: text/plain"\necho\nhostname\n')
    cgi.chmod(0o755)
    (root / "tmp").mkdir()
    (root / "tmp").chmod(0o1777)
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    try:
        res = subprocess.run(
            [DOCKER, "import",
             "-c", 'CMD ["/bin/httpd","-f","-p","80","-h","/www"]',
             "-c", "EXPOSE 80",
             "-", tag],
            stdin=tar.stdout, capture_output=True, text=True, timeout=120,
        )
    finally:
        assert tar.stdout is not None
        tar.stdout.close()
        tar.wait()
    if res.returncode != 0 or tar.returncode != 0:
        raise RuntimeError(f"docker import of {tag} failed ({res.returncode}/{tar.returncode}):\n{res.stderr}")
    return tag


def published_address(container: str, port: str = "80/tcp", host: str = LOOPBACK) -> str:
    """'HOST:PORT' published for the container's ``port`` (from ``docker port``)."""
    out = docker("port", container, port).stdout.split()
    for item in out:
        if item.startswith(host + ":"):
            return item
    raise RuntimeError(f"{container} publishes {port} on no {host} address: {out}")


# --------------------------------------------------------------------------- our CLIs


class CliProcess(ManagedProcess):
    """`python -m <module> run ARGS` (the balancer or the sidekick), output in a log file."""

    def __init__(self, module: str, log_path: Path) -> None:
        super().__init__(log_path)
        self.module = module
        self.name = module

    def start(self, *args: str, env: dict[str, str] | None = None) -> "CliProcess":
        import sys
        self._spawn([sys.executable, "-m", self.module, "run", *args], env={**os.environ, **(env or {})})
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def count(self, text: str) -> int:
        return self.output().count(text)

    def wait_output(self, text: str, count: int = 1, timeout: float = 15.0) -> None:
        wait_for(lambda: self.count(text) >= count, timeout=timeout, ignore=(),
                 message=f"{count}x {text!r} in the {self.module}'s output")

    def send(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait(self, timeout: float = 15.0) -> int:
        assert self.proc is not None
        status = self.proc.wait(timeout)
        self._finish()
        return status

    def terminate(self) -> None:
        """SIGTERM and wait; SIGKILL the group if it does not exit (teardown)."""
        if self.running():
            self.send(signal.SIGTERM)
            try:
                self.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


# --------------------------------------------------------------------------- load


class LoadLoop:
    """A bounded request loop on loopback: `threads` clients GET `url` until stop() (or
    `max_seconds`), counting answers by body and every failure (status != 200 or error)."""

    def __init__(self, url: str, threads: int = 4, max_seconds: float = 300.0, timeout: float = 5.0) -> None:
        assert url.startswith("http://127."), "load goes to loopback only"
        self.url = url
        self.timeout = timeout
        self.deadline = time.monotonic() + max_seconds
        self.ok = 0
        self.failed: list[str] = []
        self.bodies: dict[str, int] = {}
        self.latencies: list[float] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self) -> "LoadLoop":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> "LoadLoop":
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)
        return self

    def _run(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self.deadline:
            started = time.monotonic()
            try:
                status, body = http_get(self.url, timeout=self.timeout)
                error = None if status == 200 else f"HTTP {status}: {body.strip()[:80]}"
            except (OSError, http.client.HTTPException) as exc:
                body, error = "", f"{type(exc).__name__}: {exc}"
            elapsed = time.monotonic() - started
            with self._lock:
                if error:
                    self.failed.append(error)
                else:
                    self.ok += 1
                    self.bodies[body.strip()] = self.bodies.get(body.strip(), 0) + 1
                    self.latencies.append(elapsed)
