#!/usr/bin/env python3
"""Benchmark of the sidekick against a real dockerd and a real etcd on 127.0.0.1.

    python bench/bench_sidekick.py [--quick] [--keep] [--profile] [--log-level LEVEL]

Starts its own etcd (tests/procs/'s EtcdServer), uses the running dockerd (or starts one,
and stops it again at the end) and one ``python -m sidekick run --service bench --check none
--ttl 30 --reconcile-interval 30 --host-ip 127.0.0.1``.  The containers are the test image
(busybox httpd, ``lb-test-httpd:2``, built when missing) published with ``-p 127.0.0.1::80``.
Then measures:

1. Docker ``start`` event -> key visible in etcd, one container at a time;
2. Docker ``kill`` event -> key gone, one container at a time;
3. etcd gRPC requests handled per minute while idle, with 1 and with 100 containers
   (etcd's ``grpc_server_handled_total`` before and after an idle window);
4. the sidekick's peak RSS (VmHWM) and its CPU use during the idle window with 100 containers.

Event times are the Docker daemon's own ``timeNano`` (our own event subscription); key times
are taken (time.time_ns) in the callback of our own etcd watch on ``/services/bench/``.
Every container is named with a unique prefix and labelled with the run id; everything the
script starts is removed/stopped in a finally block.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from common import (REEXEC_FLAG, ROOT, Row, add_run_options, cpu_model, ensure_venv, etcd_version, pct,
                    print_profile, proc_status_kb, raise_on_signals, report_text)

ensure_venv(__file__, ("etcd3", "docker"), "tests/sidekick/test_container.py")

import docker as docker_py  # noqa: E402
import etcd3  # noqa: E402
import procs  # noqa: E402
from etcd3 import etcdrpc  # noqa: E402
from etcd3.utils import prefix_range_end  # noqa: E402
from procs import HTTPD_IMAGE, CliProcess, EtcdServer, docker, http_get, published_address, wait_for  # noqa: E402

SERVICE = "bench"
PREFIX = f"/services/{SERVICE}/"
TTL = 30
RECONCILE = 30
SETTLE = 0.2                  # pause after each isolated start/kill
QUIET_BEFORE_WINDOW = 3.0     # no key change for this long before an idle window starts
CLK_TCK = os.sysconf("SC_CLK_TCK")
DELETE = 1                    # mvccpb.Event.EventType

TARGET_START_P99_MS = 100.0
TARGET_KILL_P99_MS = 100.0
TARGET_CPU_PCT = 1.0
TARGET_RSS_MB = 60.0


# --------------------------------------------------------------------------- processes


class SidekickProcess(CliProcess):
    """``python [-m cProfile -o FILE] -m sidekick run ARGS``; no ETCD_* from our environment."""

    def __init__(self, log_path: Path, profile: Path | None = None) -> None:
        super().__init__("sidekick", log_path)
        self.profile = profile

    def start(self, *args: str, env: dict[str, str] | None = None) -> "SidekickProcess":
        argv = [sys.executable]
        if self.profile is not None:
            argv += ["-m", "cProfile", "-o", str(self.profile)]
        argv += ["-m", "sidekick", "run", *args]
        child_env = {k: v for k, v in os.environ.items() if not k.startswith("ETCD")}
        child_env["PYTHONUNBUFFERED"] = "1"
        child_env.pop(REEXEC_FLAG, None)
        self._spawn(argv, env={**child_env, **(env or {})})
        return self

    def check_alive(self) -> None:
        if not self.running():
            raise self._died("exited")


def cpu_ticks(pid: int) -> int | None:
    """utime + stime of the whole process (all threads), in clock ticks."""
    fields = procs.stat_fields(pid)                   # fields[0] is field 3 (state)
    return int(fields[11]) + int(fields[12]) if fields else None   # fields 14 (utime) and 15 (stime)


def ensure_docker(control: procs.DockerControl, timeout: float = 60.0) -> None:
    """Use the dockerd that answers; start one only when none runs.  A dockerd that is
    starting or restarting (its pid file names a live process) is waited for."""
    deadline = time.monotonic() + timeout
    while not procs.docker_ok():
        if dockerd_pid() is None:
            control.ensure()
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"dockerd (pid {dockerd_pid()}) did not answer within {timeout:g}s")
        time.sleep(1.0)


def dockerd_pid() -> int | None:
    try:
        pid = int(Path("/var/run/docker.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if Path(f"/proc/{pid}").exists() else None


# --------------------------------------------------------------------------- observation


class Observer:
    """Our own Docker event subscription and etcd watch, recording when things happen.

    The watch is a raw gRPC Watch stream (as balancer/store.py does): python-etcd3's Watcher
    thread dies with NameError (an unimported `six`) whenever its stream ends."""

    def __init__(self, etcd_port: int, run_label: str) -> None:
        self.cond = threading.Condition()
        # docker: (action, container id, timeNano, time_ns when we received it)
        self.docker_events: list[tuple[str, str, int, int]] = []
        # etcd: (kind "put"/"delete", key, time_ns seen)
        self.etcd_events: list[tuple[str, str, int]] = []
        self.live: set[str] = set()                       # keys under PREFIX now
        self.errors: list[str] = []
        self._etcd = etcd3.client(procs.LOOPBACK, etcd_port, timeout=10)
        self._rpc: Any = None
        self._watch_done = threading.Event()
        self._watch_created = threading.Event()
        self._docker = docker_py.from_env(timeout=30)
        self._stream: Any = None
        self._run_label = run_label
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        key = PREFIX.encode()
        response = self._etcd.kvstub.Range(etcdrpc.RangeRequest(key=key, range_end=prefix_range_end(key)),
                                           10)
        self.live = {kv.key.decode() for kv in response.kvs}
        revision = response.header.revision

        def requests() -> Any:
            yield etcdrpc.WatchRequest(create_request=etcdrpc.WatchCreateRequest(
                key=key, range_end=prefix_range_end(key), start_revision=revision + 1))
            self._watch_done.wait()                       # keep our half open until close()

        self._rpc = etcdrpc.WatchStub(self._etcd.channel).Watch(requests())
        self._stream = self._docker.api.events(
            decode=True, filters={"type": "container", "event": ["start", "kill", "die"],
                                  "label": [self._run_label]})
        for target, name in ((self._watch, "bench-etcd-watch"), (self._follow, "bench-docker-events")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        if not self._watch_created.wait(10):
            raise RuntimeError(f"our etcd watch on {PREFIX} was not created within 10 s")

    def _watch(self) -> None:
        try:
            for response in self._rpc:
                t = time.time_ns()
                if response.created:
                    self._watch_created.set()
                    continue
                if response.canceled or response.compact_revision:
                    raise RuntimeError(f"watch cancelled: {response.cancel_reason or response.compact_revision}")
                with self.cond:
                    for ev in response.events:
                        key = ev.kv.key.decode()
                        if ev.type == DELETE:
                            self.etcd_events.append(("delete", key, t))
                            self.live.discard(key)
                        else:
                            self.etcd_events.append(("put", key, t))
                            self.live.add(key)
                    self.cond.notify_all()
        except Exception as exc:  # noqa: BLE001 - cancelled at the end, or broken
            self._broken("etcd watch", exc)

    def _follow(self) -> None:
        try:
            for ev in self._stream:
                t = time.time_ns()
                action = str(ev.get("Action") or ev.get("status") or "")
                cid = ev.get("id") or (ev.get("Actor") or {}).get("ID") or ""
                with self.cond:
                    self.docker_events.append((action, cid, int(ev.get("timeNano") or 0), t))
                    self.cond.notify_all()
        except Exception as exc:  # noqa: BLE001 - closed at the end, or broken
            self._broken("docker events", exc)

    def _broken(self, what: str, exc: Exception) -> None:
        """A follower thread ended on an error: record it (unless close() ended it) and wake the waiters."""
        if not self._watch_done.is_set():
            with self.cond:
                self.errors.append(f"{what}: {exc!r}")
                self.cond.notify_all()

    def wait(self, pred: Callable[[], Any], timeout: float, what: str,
             alive: Callable[[], None] | None = None) -> Any:
        """Wait (under the lock) until pred() is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = pred()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
                self.cond.wait(min(left, 0.5))
                if alive is not None:
                    alive()

    def docker_event(self, action: str, cid: str, after: int = 0) -> int | None:
        for a, c, t, _recv in self.docker_events[after:]:
            if a == action and c == cid:
                return t
        return None

    def etcd_event(self, kind: str, key: str | None, after: int = 0) -> tuple[str, int] | None:
        for k, key2, t in self.etcd_events[after:]:
            if k == kind and (key is None or key2 == key):
                return key2, t
        return None

    def close(self) -> None:
        self._watch_done.set()
        if self._rpc is not None:
            self._rpc.cancel()
        if self._stream is not None:
            try:
                self._stream.close()
            except Exception:  # noqa: BLE001 - teardown
                pass
        for client in (self._docker, self._etcd):
            try:
                client.close()
            except Exception:  # noqa: BLE001
                pass
        for thread in self._threads:
            thread.join(5)


def grpc_handled(endpoint: str) -> dict[str, float]:
    """'Service/Method' -> grpc_server_handled_total summed over codes, from etcd's /metrics."""
    status, body = http_get(endpoint + "/metrics", timeout=10)
    if status != 200:
        raise RuntimeError(f"GET {endpoint}/metrics: status {status}")
    out: dict[str, float] = {}
    for line in body.splitlines():
        if not line.startswith("grpc_server_handled_total{"):
            continue
        labels, _, value = line.rpartition(" ")
        method = re.search(r'grpc_method="([^"]*)"', labels)
        service = re.search(r'grpc_service="([^"]*)"', labels)
        name = f"{service.group(1).rsplit('.', 1)[-1] if service else '?'}/{method.group(1) if method else '?'}"
        out[name] = out.get(name, 0.0) + float(value)
    return out


# --------------------------------------------------------------------------- results


@dataclass
class Idle:
    containers: int
    window_s: float
    per_method: dict[str, float]          # handled in the window
    cpu_s: float | None
    dockerd_cpu_s: float | None
    key_changes: int
    foreign_keys: int
    foreign_log_lines: int        # sidekick log lines about other services' keys in the window

    @property
    def total(self) -> float:
        return sum(self.per_method.values())

    def per_min(self, value: float) -> float:
        return value * 60.0 / self.window_s

    @property
    def cpu_pct(self) -> float | None:
        return None if self.cpu_s is None else 100.0 * self.cpu_s / self.window_s

    @property
    def dockerd_cpu_pct(self) -> float | None:
        return None if self.dockerd_cpu_s is None else 100.0 * self.dockerd_cpu_s / self.window_s


@dataclass
class Results:
    start_ms: list[float] = field(default_factory=list)
    start_cli_ms: list[float] = field(default_factory=list)      # `docker start` call duration
    kill_ms: list[float] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    foreign_during: dict[str, int] = field(default_factory=dict)   # phase -> foreign log lines
    loadavg: dict[str, str] = field(default_factory=dict)          # phase -> /proc/loadavg after it
    idle: list[Idle] = field(default_factory=list)
    rss_kb: int | None = None
    rss_now_kb: int | None = None
    bulk_start_s: float = 0.0
    bulk_n: int = 0


# --------------------------------------------------------------------------- phases


def create_containers(names: list[str], run_label: str) -> dict[str, str]:
    """docker create NAME ... -> {name: id}, 4 at a time."""
    def one(name: str) -> tuple[str, str]:
        cid = docker("create", "--name", name, "-l", f"sidekick.service={SERVICE}", "-l", run_label,
                     "-p", f"{procs.LOOPBACK}::80", HTTPD_IMAGE).stdout.strip()
        return name, cid

    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(one, names))


def isolated_starts(obs: Observer, sk: SidekickProcess, names: list[str], ids: dict[str, str],
                    res: Results) -> dict[str, str]:
    """docker start one container at a time; latency = key put seen - start event timeNano."""
    keys: dict[str, str] = {}
    for name in names:
        cid = ids[name]
        with obs.cond:
            d0, e0 = len(obs.docker_events), len(obs.etcd_events)
        t0 = time.perf_counter()
        docker("start", name)
        res.start_cli_ms.append((time.perf_counter() - t0) * 1000)
        t_event = obs.wait(lambda: obs.docker_event("start", cid, d0), 10, f"the start event of {name}",
                           sk.check_alive)
        key, t_key = obs.wait(lambda: obs.etcd_event("put", None, e0), 10, f"a key put for {name}",
                              sk.check_alive)
        expected = PREFIX + published_address(name)
        if key != expected:
            raise RuntimeError(f"{name}: key {key} appeared, expected {expected}")
        keys[name] = key
        res.start_ms.append((t_key - t_event) / 1e6)
        time.sleep(SETTLE)
    return keys


def isolated_kills(obs: Observer, sk: SidekickProcess, names: list[str], ids: dict[str, str],
                   keys: dict[str, str], res: Results) -> None:
    """docker kill one container at a time; latency = key delete seen - kill event timeNano."""
    for name in names:
        cid, key = ids[name], keys[name]
        with obs.cond:
            d0, e0 = len(obs.docker_events), len(obs.etcd_events)
        docker("kill", name)
        t_event = obs.wait(lambda: obs.docker_event("kill", cid, d0), 10, f"the kill event of {name}",
                           sk.check_alive)
        _key, t_gone = obs.wait(lambda: obs.etcd_event("delete", key, e0), 10, f"{key} to be deleted",
                                sk.check_alive)
        obs.wait(lambda: obs.docker_event("die", cid, d0), 10, f"the die event of {name}", sk.check_alive)
        res.kill_ms.append((t_gone - t_event) / 1e6)
        time.sleep(SETTLE)


def start_many(obs: Observer, sk: SidekickProcess, names: list[str], want_keys: int, res: Results) -> None:
    """Start the containers (chunks of 10, 3 CLI calls at once) and wait for want_keys keys."""
    t0 = time.perf_counter()
    chunks = [names[i:i + 10] for i in range(0, len(names), 10)]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda chunk: docker("start", *chunk, timeout=300), chunks))
    obs.wait(lambda: len(obs.live) >= want_keys, 60, f"{want_keys} keys under {PREFIX}", sk.check_alive)
    res.bulk_start_s = time.perf_counter() - t0
    res.bulk_n = len(names)


def wait_quiet(obs: Observer, sk: SidekickProcess, quiet: float, timeout: float = 60.0) -> None:
    """Until no key under PREFIX changed for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with obs.cond:
            last = obs.etcd_events[-1][2] if obs.etcd_events else 0
        age = (time.time_ns() - last) / 1e9
        if age >= quiet:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {quiet}s without key changes within {timeout}s")
        sk.check_alive()
        time.sleep(min(0.2, quiet - age + 0.01))


def idle_window(etcd: EtcdServer, obs: Observer, sk: SidekickProcess, containers: int,
                window: float) -> Idle:
    wait_quiet(obs, sk, QUIET_BEFORE_WINDOW)
    assert sk.pid is not None
    dpid = dockerd_pid()
    with obs.cond:
        e0 = len(obs.etcd_events)
    log0 = _size(sk.log_path)
    m0 = grpc_handled(etcd.endpoint)
    c0, d0 = cpu_ticks(sk.pid), (cpu_ticks(dpid) if dpid else None)
    t0 = time.monotonic()
    while time.monotonic() - t0 < window:
        time.sleep(min(1.0, window - (time.monotonic() - t0)))
        sk.check_alive()
    m1 = grpc_handled(etcd.endpoint)
    c1, d1 = cpu_ticks(sk.pid), (cpu_ticks(dpid) if dpid else None)
    elapsed = time.monotonic() - t0
    log1 = _size(sk.log_path)
    with obs.cond:
        changes = len(obs.etcd_events) - e0
    per_method = {k: v - m0.get(k, 0.0) for k, v in m1.items() if v - m0.get(k, 0.0) > 0}
    # Registrations of other labelled containers on this host (the sidekick is host-wide):
    # they would add requests of their own.  Read after the window, so not counted in it.
    foreign = sum(1 for _v, meta in etcd.client().get_prefix("/services/")
                  if not meta.key.decode().startswith(PREFIX))
    foreign_log = foreign_lines(log_lines_between(sk.log_path, log0, log1))
    return Idle(containers, elapsed, per_method,
                None if c0 is None or c1 is None else (c1 - c0) / CLK_TCK,
                None if d0 is None or d1 is None else (d1 - d0) / CLK_TCK,
                changes, foreign, foreign_log)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# --------------------------------------------------------------------------- the sidekick's log


LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \w+ [\w.]+: (.*)$")


def _log_times(log_path: Path) -> list[tuple[int, str]]:
    out = []
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return out
    for line in text.splitlines():
        m = LOG_LINE.match(line)
        if m:
            t = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()   # local time
            out.append((int(t * 1e9), m.group(2)))
    return out


@dataclass
class Sample:
    phase: str                    # "start" / "kill"
    name: str
    total_ms: float               # event timeNano -> our watch saw the key change
    parts: dict[str, float]       # the split below (None-free; missing when a log line is missing)


START_PARTS = ("event -> we received it (dockerd delivery, our side)",
               "event -> sidekick 'tracking as' (delivery + inspect)",
               "'tracking as' -> 'registered' (etcd put)",
               "'registered' -> our watch (< 0: etcd tells watchers before the writer)")
KILL_PARTS = ("event -> we received it (dockerd delivery, our side)",
              "event -> sidekick 'removing' (delivery + queueing)",
              "'removing' -> 'deregistered' (etcd txn)",
              "'deregistered' -> our watch (< 0: see above)")


def log_breakdown(log_path: Path, obs: Observer, ids: dict[str, str], keys: dict[str, str]) -> list[Sample]:
    """Split each measured latency with the sidekick's INFO lines (1 ms resolution, truncated):
    start: event -> 'tracking as' (event delivery + docker inspect) -> 'registered' (etcd put);
    kill: event -> 'removing' (event delivery) -> 'deregistered' (etcd txn).
    Also when our own Docker event subscription received the event: a late delivery there too
    means dockerd (or a starved CPU) was slow, not the sidekick."""
    lines = _log_times(log_path)
    first: dict[tuple[str, str], tuple[int, int]] = {}
    for a, c, t, recv in obs.docker_events:            # the first start / kill of each container
        first.setdefault((a, c), (t, recv))
    seen: dict[tuple[str, str], int] = {}
    for kind, key, t in obs.etcd_events:
        seen.setdefault((kind, key), t)
    out: list[Sample] = []
    for name, key in keys.items():
        cid = ids[name]
        short = cid[:12]
        ev = first.get(("start", cid))
        if ev and ("put", key) in seen:
            t_track = next((t for t, msg in lines if f"({short}): tracking as {key}" in msg), None)
            t_reg = next((t for t, msg in lines if msg.startswith(f"registered {key} =")), None)
            parts = {START_PARTS[0]: (ev[1] - ev[0]) / 1e6}
            if t_track and t_reg:
                parts.update({START_PARTS[1]: (t_track - ev[0]) / 1e6, START_PARTS[2]: (t_reg - t_track) / 1e6,
                              START_PARTS[3]: (seen[("put", key)] - t_reg) / 1e6})
            out.append(Sample("start", name, (seen[("put", key)] - ev[0]) / 1e6, parts))
        ev = first.get(("kill", cid))
        if ev and ("delete", key) in seen:
            t_rm = next((t for t, msg in lines if f"({short}): kill signal" in msg and f"removing {key}" in msg),
                        None)
            t_dereg = next((t for t, msg in lines if msg == f"deregistered {key}"), None)
            parts = {KILL_PARTS[0]: (ev[1] - ev[0]) / 1e6}
            if t_rm and t_dereg:
                parts.update({KILL_PARTS[1]: (t_rm - ev[0]) / 1e6, KILL_PARTS[2]: (t_dereg - t_rm) / 1e6,
                              KILL_PARTS[3]: (seen[("delete", key)] - t_dereg) / 1e6})
            out.append(Sample("kill", name, (seen[("delete", key)] - ev[0]) / 1e6, parts))
    return out


def write_samples(path: Path, samples: list[Sample]) -> None:
    cols = ["phase", "container", "total_ms", *dict.fromkeys(START_PARTS + KILL_PARTS)]
    with open(path, "w") as f:
        f.write(",".join(f'"{c}"' for c in cols) + "\n")
        for smp in samples:
            vals = [smp.phase, smp.name, f"{smp.total_ms:.3f}"] + \
                   [f"{smp.parts[c]:.3f}" if c in smp.parts else "" for c in cols[3:]]
            f.write(",".join(vals) + "\n")


def log_lines_between(log_path: Path, start: int, end: int) -> str:
    try:
        with open(log_path, "rb") as f:
            f.seek(start)
            return f.read(max(0, end - start)).decode(errors="replace")
    except OSError:
        return ""


def foreign_lines(text: str) -> int:
    """Sidekick log lines about keys of other services (other labelled containers)."""
    return sum(1 for m in re.finditer(r"(/services/\S+)", text) if not m.group(1).startswith(PREFIX))


# --------------------------------------------------------------------------- reporting


def machine_facts() -> str:
    try:
        dv = docker("version", "--format", "{{.Server.Version}} (client {{.Client.Version}})",
                    check=False, timeout=20).stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        dv = "?"
    return (f"machine: nproc={os.cpu_count()} (usable {len(os.sched_getaffinity(0))}), "
            f"python {platform.python_version()}, docker {dv}, etcd {etcd_version(procs.which)}, "
            f"{platform.system()} {platform.release()}, cpu: {cpu_model()}; code: {code_version()}")


def code_version() -> str:
    """The commit, and whether sidekick/ or lbcommon/ differ from it (read-only git calls)."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "-C", str(ROOT), "diff", "--quiet", "HEAD", "--",
                                "sidekick", "lbcommon"], capture_output=True, timeout=10).returncode
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return f"{head or '?'}{' + uncommitted changes in sidekick/ or lbcommon/' if dirty == 1 else ''}"


def _lat_rows(name: str, values: list[float], target: float) -> list[Row]:
    if not values:
        return []
    p99 = pct(values, 99)
    return [(f"{name}, p50 (n={len(values)})", f"{pct(values, 50):.1f} ms", "", None),
            (f"{name}, p99", f"{p99:.1f} ms", f"< {target:g} ms", p99 < target),
            (f"{name}, max", f"{max(values):.1f} ms", "", None)]


def _same_requests(a: Idle, b: Idle) -> tuple[bool, str]:
    """Equal per minute; or off by at most one request per method in the window (the window
    edges can catch one timer tick more or less)."""
    ra = {k: a.per_min(v) for k, v in a.per_method.items()}
    rb = {k: b.per_min(v) for k, v in b.per_method.items()}
    if abs(a.per_min(a.total) - b.per_min(b.total)) < 0.5:
        return True, "same"
    methods = set(ra) | set(rb)
    slack = {m: max(a.per_min(1), b.per_min(1)) for m in methods}
    if all(abs(ra.get(m, 0) - rb.get(m, 0)) <= slack[m] + 1e-9 for m in methods):
        return True, "same within one timer tick per method"
    return False, "differ"


def _disturbed(idle: Idle) -> bool:
    return bool(idle.foreign_keys or idle.foreign_log_lines or idle.key_changes)


def report(res: Results, quick: bool, facts: str) -> str:
    rows: list[Row] = []
    rows += _lat_rows("docker start event -> key visible", res.start_ms, TARGET_START_P99_MS)
    rows += _lat_rows("docker kill event -> key gone", res.kill_ms, TARGET_KILL_P99_MS)
    by_n = {i.containers: i for i in res.idle}
    ones, many = (by_n.get(min(by_n)), by_n.get(max(by_n))) if by_n else (None, None)
    for idle in res.idle:
        ok: bool | None = None
        target = ""
        if idle is many and ones is not None and many is not ones:
            ok, _why = _same_requests(ones, many)
            target = f"same as with {ones.containers}"
            if _disturbed(ones) or _disturbed(many):
                ok = None
                target += " (not judged: disturbed, rerun on a quiet host)"
        note = " (disturbed by other services' containers)" if _disturbed(idle) else ""
        rows.append((f"etcd requests/min idle, {idle.containers} container(s)",
                     f"{idle.per_min(idle.total):.1f}{note}", target, ok))
    if many is not None and many.cpu_pct is not None:
        rows.append((f"sidekick idle CPU, {many.containers} containers", f"{many.cpu_pct:.2f} %",
                     f"< {TARGET_CPU_PCT:g} %", many.cpu_pct < TARGET_CPU_PCT))
    if res.rss_kb is not None:
        mb = res.rss_kb / 1024
        rows.append(("sidekick peak RSS (VmHWM)", f"{mb:.1f} MB", f"< {TARGET_RSS_MB:g} MB", mb < TARGET_RSS_MB))
    extra: list[str] = []
    if res.start_cli_ms:
        extra.append(f"`docker start` CLI call: p50 {pct(res.start_cli_ms, 50):.0f} ms, "
                     f"max {max(res.start_cli_ms):.0f} ms")
    for phase, names in (("start", START_PARTS), ("kill", KILL_PARTS)):
        samples = [smp for smp in res.samples if smp.phase == phase]
        if not samples:
            continue
        extra.append(f"{phase} latency split (sidekick log lines have 1 ms resolution):")
        for part in names:
            vals = [smp.parts[part] for smp in samples if part in smp.parts]
            if vals:
                extra.append(f"  {part}: p50 {pct(vals, 50):.1f} ms, p99 {pct(vals, 99):.1f} ms, "
                             f"max {max(vals):.1f} ms")
        for smp in sorted(samples, key=lambda x: -x.total_ms)[:3]:
            split = "; ".join(f"{k.split(' (')[0]} {v:.1f}" for k, v in smp.parts.items())
            extra.append(f"  slowest: {smp.name} {smp.total_ms:.1f} ms ({split})")
    for phase, n in res.foreign_during.items():
        if n:
            extra.append(f"WARNING: during {phase} the sidekick also handled other services' containers "
                         f"({n} log lines): the latencies may include waiting for that work")
    if res.loadavg:
        extra.append("load average after each phase: " +
                     "; ".join(f"{k}: {v}" for k, v in res.loadavg.items()))
    if res.bulk_n:
        extra.append(f"bulk start of {res.bulk_n} containers (3 CLI calls at once) until all keys "
                     f"visible: {res.bulk_start_s:.1f} s")
    for idle in res.idle:
        methods = ", ".join(f"{m} {v:g}" for m, v in sorted(idle.per_method.items())) or "none"
        cpu = f"{idle.cpu_pct:.2f} %" if idle.cpu_pct is not None else "?"
        dcpu = f"{idle.dockerd_cpu_pct:.2f} %" if idle.dockerd_cpu_pct is not None else "?"
        extra.append(f"idle {idle.containers} container(s), {idle.window_s:.1f} s window: "
                     f"{idle.total:g} requests ({methods}); sidekick CPU {cpu}, dockerd CPU {dcpu}; "
                     f"key changes seen {idle.key_changes}" +
                     (f"; WARNING: other labelled containers on this host were handled too "
                      f"({idle.foreign_log_lines} sidekick log lines about other services' keys in the "
                      f"window, {idle.foreign_keys} such keys registered at its end)"
                      if idle.foreign_keys or idle.foreign_log_lines else ""))
    if quick and res.idle:
        extra.append("quick mode: requests scaled to per minute from a short window; with timers of "
                     f"{TTL / 3:g} s and {RECONCILE} s the figure is coarse")
    if res.rss_now_kb is not None:
        extra.append(f"sidekick VmRSS at the end: {res.rss_now_kb / 1024:.1f} MB")
    mode = f"mode: {'quick' if quick else 'full'}; sidekick: --check none --ttl {TTL} --reconcile-interval {RECONCILE}"
    return report_text(facts, mode, rows, extra)


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="20 isolated starts/kills, 20 s idle windows (scaled to per minute)")
    ap.add_argument("--containers", type=int, default=100, help="containers for the idle measurement")
    add_run_options(ap, "sidekick", "the sidekick's --log-level (INFO or DEBUG keep the latency split)")
    args = ap.parse_args()

    raise_on_signals()

    n_iso, window = (20, 20.0) if args.quick else (50, 60.0)
    n_many = max(args.containers, n_iso, 2)
    run_id = uuid.uuid4().hex[:8]
    run_label = f"sidekick-bench={run_id}"
    name_prefix = f"skbench-{run_id}-"
    names = [f"{name_prefix}{i:03d}" for i in range(n_many)]

    work = Path(tempfile.mkdtemp(prefix="bench-sidekick-", dir=args.workdir))
    profile_path = work / "sidekick.prof"
    control = procs.DockerControl(work / "dockerd")
    etcd = EtcdServer(work / "etcd")
    sk: SidekickProcess | None = None
    obs: Observer | None = None
    res = Results()
    ids: dict[str, str] = {}
    keys: dict[str, str] = {}
    failed, interrupted, kept_dockerd = True, False, False
    facts = "machine: ?"
    print(f"work directory: {work}; containers {name_prefix}*", flush=True)
    try:
        ensure_docker(control)
        if control.owned is not None:
            print("started a dockerd for the benchmark (stopped at the end)", flush=True)
        facts = machine_facts()
        print(facts, flush=True)
        if docker("image", "inspect", HTTPD_IMAGE, check=False).returncode != 0:
            print(f"building {HTTPD_IMAGE} ...", flush=True)
            procs.build_httpd_image(work / "image")
        etcd.start()

        foreign = docker("ps", "-q", "--filter", "label=sidekick.service", check=False).stdout.split()
        if foreign:
            print(f"WARNING: {len(foreign)} running containers of others carry a sidekick.service label; "
                  "the host-wide sidekick registers them too, which disturbs the figures", flush=True)
        print(f"creating {n_many} containers ...", flush=True)
        ids = create_containers(names, run_label)

        sk = SidekickProcess(work / "sidekick.log", profile_path if args.profile else None)
        sk.start("--etcd", etcd.hostport, "--host-ip", procs.LOOPBACK, "--service", SERVICE,
                 "--check", "none", "--ttl", str(TTL), "--reconcile-interval", str(RECONCILE),
                 "--log-level", args.log_level)
        obs = Observer(etcd.port, run_label)
        obs.start()
        if args.log_level.upper() in ("INFO", "DEBUG"):
            wait_for(lambda: (sk.check_alive(), "Docker event stream connected" in sk.output())[1],
                     timeout=30, ignore=(), message="the sidekick's Docker event stream")
            wait_for(lambda: (sk.check_alive(), "lease" in sk.output() and "granted" in sk.output())[1],
                     timeout=30, ignore=(), message="the sidekick's lease")
            time.sleep(1.0)
        else:
            time.sleep(5.0)
            sk.check_alive()

        # Warm-up (not counted): the first start pays for lazy imports and first connections.
        warm = names[-1]
        warm_keys = isolated_starts(obs, sk, [warm], ids, Results())
        isolated_kills(obs, sk, [warm], ids, warm_keys, Results())

        def phase_done(phase: str, log_from: int) -> int:
            log_to = _size(sk.log_path)
            res.foreign_during[phase] = foreign_lines(log_lines_between(sk.log_path, log_from, log_to))
            res.loadavg[phase] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
            return log_to

        log_at = _size(sk.log_path)
        print(f"[1/4] {n_iso} isolated docker start ...", flush=True)
        keys = isolated_starts(obs, sk, names[:n_iso], ids, res)
        log_at = phase_done("start", log_at)
        print(f"[2/4] {n_iso} isolated docker kill ...", flush=True)
        isolated_kills(obs, sk, names[:n_iso], ids, keys, res)
        log_at = phase_done("kill", log_at)

        print(f"[3/4] idle {window:g} s with 1 container ...", flush=True)
        isolated_starts(obs, sk, names[:1], ids, Results())
        res.idle.append(idle_window(etcd, obs, sk, 1, window))
        res.loadavg["idle 1"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])

        print(f"[3/4] starting {n_many - 1} more containers, then idle {window:g} s ...", flush=True)
        start_many(obs, sk, names[1:], n_many, res)
        res.idle.append(idle_window(etcd, obs, sk, n_many, window))
        res.loadavg[f"idle {n_many}"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])

        print("[4/4] peak RSS", flush=True)
        assert sk.pid is not None
        res.rss_kb = proc_status_kb(sk.pid, "VmHWM")
        res.rss_now_kb = proc_status_kb(sk.pid, "VmRSS")
        failed = False
    except BaseException as exc:
        print(f"\nbench_sidekick: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        if sk is not None:
            print(f"--- sidekick log ({sk.log_path}):\n{sk.log_tail(40)}", file=sys.stderr)
        if obs is not None and obs.errors:
            print("--- observer errors: " + "; ".join(obs.errors), file=sys.stderr)
        interrupted = not isinstance(exc, Exception)
    finally:
        if sk is not None:
            sk.terminate()                       # SIGTERM: revokes the lease
        if obs is not None:
            obs.close()
        _remove_containers(names, run_label)
        etcd.close()
        kept_dockerd = _stop_our_dockerd(control)

    if obs is not None and ids and keys:
        res.samples = log_breakdown(work / "sidekick.log", obs, ids, keys)
        write_samples(work / "samples.csv", res.samples)
    print()
    print(report(res, args.quick, facts))
    if args.profile:
        print_profile(profile_path, f"cProfile of the sidekick's main thread ({profile_path}), top 30:", 30)
    if failed or args.keep or kept_dockerd:
        print(f"\nwork directory kept: {work}")
    else:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    return 130 if interrupted else (1 if failed else 0)


def _stop_our_dockerd(control: procs.DockerControl) -> bool:
    """Stop the dockerd this run started -- unless containers that are not ours appeared on it
    meanwhile (someone else on this host started using it): then leave it running and say so.
    Returns True when it was left running."""
    owned = control.owned
    if owned is None:
        return False
    others = docker("ps", "-q", check=False, timeout=30).stdout.split() if owned.running() else []
    if not others:
        control.close()
        return False
    print(f"bench_sidekick: NOT stopping the dockerd this run started (pid {owned.pid}): "
          f"{len(others)} running containers of others use it; stop it with `kill {owned.pid}` "
          f"when they are done (log {owned.log_path})", file=sys.stderr)
    owned._finish()   # noqa: SLF001 - forget it, so procs' atexit hook does not kill it
    control.owned = None
    return True


def _remove_containers(names: list[str], run_label: str) -> None:
    """docker rm -f every container of this run: by name, and by label for any stragglers."""
    try:
        for i in range(0, len(names), 50):
            docker("rm", "-f", *names[i:i + 50], check=False, timeout=300)
        left = docker("ps", "-aq", "--filter", f"label={run_label}", check=False).stdout.split()
        if left:
            docker("rm", "-f", *left, check=False, timeout=300)
    except Exception as exc:  # noqa: BLE001 - report, never hide the benchmark's own error
        print(f"bench_sidekick: removing containers failed: {exc}; remove them with\n"
              f"  docker rm -f $(docker ps -aq --filter label={run_label})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
