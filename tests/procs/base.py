"""Generic helpers for the real-process tests: free ports, polling, plain HTTP GETs, log
tails, and ManagedProcess -- a subprocess in its own session with its output in a log file,
killed at exit if a test left it running -- with track()/started() for pytest fixtures.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, TypeVar

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


def stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name (which may hold spaces and parentheses):
    [state, ppid, pgrp, ...] -- field 3 of proc(5) first; None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2:].split()


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def ppid_of(pid: int) -> int | None:
    fields = stat_fields(pid)
    return int(fields[1]) if fields else None


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
