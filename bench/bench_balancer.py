#!/usr/bin/env python3
"""Benchmark of the balancer in watch mode against a real etcd on 127.0.0.1.

    python bench/bench_balancer.py [--quick] [--keep] [--profile] [--log-level LEVEL]

Starts its own etcd (tests/procs/'s EtcdServer) and one ``python -m balancer run`` (watch
mode, default debounce) whose single resource renders ``server ADDR;`` lines for
``/services/apache/*`` into a file in a temporary directory, with ``check_cmd = "true"`` and a
``reload_cmd`` that appends a line to a counter file.  Then measures:

1. put -> destination updated, for isolated changes (each after the debounce quiet time);
2. a burst of 200 puts from one client: reloads caused, time until all 200 are visible;
3. put -> destination updated with 10,000 keys present;
4. the balancer's peak RSS (VmHWM).

Latency is taken from just before ``put()`` to the moment a tight poll loop (os.stat, then
read) sees the new line in the destination.  Everything it starts is stopped in a finally
block; the work directory is removed unless --keep is given or something failed.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from common import (VENV_PYTHON, Row, add_run_options, cpu_model, ensure_venv, etcd_version, finish, pct,
                    print_profile, proc_status_kb, raise_on_signals, report_failure, report_text)

ensure_venv(__file__, ("etcd3",), "tests/balancer/test_resource.py")

from procs import EtcdServer, ManagedProcess, wait_for, write_resource  # noqa: E402

PREFIX = "/services/apache/"
TEMPLATE = """{% for s in backends("/services/apache/*") %}server {{ s }};
{% endfor %}"""
TXN_OPS = 128                 # etcd's default --max-txn-ops
POLL_SLEEP = 0.0002           # destination poll interval (s)
ISOLATION_SLEEP = 1.05        # pause after each isolated change (> --debounce-max 1 s: no reload rate limit)

TARGET_P50_MS = 4.0
TARGET_BURST_RELOADS = 3
TARGET_BIG_MS = 50.0
TARGET_RSS_MB = 60.0


# --------------------------------------------------------------------------- processes


class BalancerProcess(ManagedProcess):
    """``python -m balancer run`` in its own session, stdout+stderr in ``log_path``."""

    name = "balancer"

    def __init__(self, log_path: Path, argv: list[str], env: dict[str, str] | None = None) -> None:
        super().__init__(log_path)
        self.argv = argv
        self.env = env or {}

    def start(self) -> "BalancerProcess":
        # No ETCD_* from our environment: the balancer reads ETCD_ENDPOINTS & co. as options.
        env = {k: v for k, v in os.environ.items() if not k.startswith("ETCD")} | self.env
        env["PYTHONUNBUFFERED"] = "1"
        self._spawn(self.argv, env=env)
        return self

    def proc_status(self, field_name: str) -> int | None:
        """A kB figure from /proc/PID/status (VmHWM, VmRSS), or None."""
        if not self.running() or self.pid is None:
            return None
        return proc_status_kb(self.pid, field_name)

    def check_alive(self) -> None:
        if not self.running():
            raise self._died("exited")


# --------------------------------------------------------------------------- observation


class Dest:
    """The rendered file, re-read only when its (inode, mtime, size) changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sig: tuple[int, int, int] | None = None
        self.text = ""

    def refresh(self) -> bool:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        sig = (st.st_ino, st.st_mtime_ns, st.st_size)
        if sig == self.sig:
            return False
        try:
            with open(self.path, "r", encoding="utf-8") as f:
                self.text = f.read()
        except FileNotFoundError:
            return False
        self.sig = sig
        return True

    def wait(self, pred: Callable[[str], bool], timeout: float, what: str,
             alive: Callable[[], None] | None = None) -> float:
        """Poll until pred(text) holds; returns time.perf_counter() at that moment."""
        self.refresh()
        if pred(self.text):
            return time.perf_counter()
        deadline = time.perf_counter() + timeout
        n = 0
        while True:
            if self.refresh() and pred(self.text):
                return time.perf_counter()
            now = time.perf_counter()
            if now > deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what} in {self.path}")
            n += 1
            if alive is not None and n % 2000 == 0:
                alive()
            time.sleep(POLL_SLEEP)


def server_lines(text: str) -> int:
    return text.count("server ")


@dataclass
class Env:
    etcd: EtcdServer
    balancer: BalancerProcess
    dest: Dest
    counter: Path

    def reloads(self) -> int:
        try:
            with open(self.counter, "rb") as f:
                return f.read().count(b"\n")
        except FileNotFoundError:
            return 0

    def wait_quiet(self, quiet: float, timeout: float = 60.0) -> None:
        """Until neither the destination nor the reload counter changed for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        last = None
        since = time.monotonic()
        while True:
            self.dest.refresh()
            cur = (self.dest.sig, self.reloads())
            now = time.monotonic()
            if cur != last:
                last, since = cur, now
            elif now - since >= quiet:
                return
            if now > deadline:
                raise TimeoutError(f"no {quiet}s of quiet within {timeout}s")
            self.balancer.check_alive()
            time.sleep(0.02)


@dataclass
class Results:
    isolated_ms: list[float] = field(default_factory=list)
    isolated_put_ms: list[float] = field(default_factory=list)
    isolated_reloads: int = 0
    burst_n: int = 0
    burst_reloads: int = 0
    burst_put_s: float = 0.0
    burst_visible_s: float = 0.0
    big_n: int = 0
    big_load_s: float = 0.0
    big_render_s: float = 0.0
    big_ms: list[float] = field(default_factory=list)
    big_put_ms: list[float] = field(default_factory=list)
    rss_kb: int | None = None
    rss_now_kb: int | None = None


# --------------------------------------------------------------------------- phases


def isolated_changes(env: Env, addrs: list[str], timeout: float) -> tuple[list[float], list[float]]:
    """One put at a time; each waited for, then ISOLATION_SLEEP of quiet."""
    client = env.etcd.client()
    lat, put_lat = [], []
    for addr in addrs:
        needle = f"server {addr};\n"
        key = PREFIX + addr
        t0 = time.perf_counter()
        client.put(key, addr)
        t_put = time.perf_counter()
        t1 = env.dest.wait(lambda text: needle in text, timeout, needle.strip(), env.balancer.check_alive)
        lat.append((t1 - t0) * 1000)
        put_lat.append((t_put - t0) * 1000)
        time.sleep(ISOLATION_SLEEP)
    return lat, put_lat


def burst(env: Env, addrs: list[str], res: Results) -> None:
    client = env.etcd.client()
    before = env.reloads()
    needles = [f"server {a};\n" for a in addrs]
    t0 = time.perf_counter()
    for addr in addrs:
        client.put(PREFIX + addr, addr)
    t_put = time.perf_counter()
    t1 = env.dest.wait(lambda text: all(n in text for n in needles), 30, f"all {len(addrs)} burst lines",
                       env.balancer.check_alive)
    env.wait_quiet(2.0)
    res.burst_n = len(addrs)
    res.burst_put_s = t_put - t0
    res.burst_visible_s = t1 - t0
    res.burst_reloads = env.reloads() - before


def load_keys(env: Env, addrs: list[str]) -> None:
    client = env.etcd.client()
    for i in range(0, len(addrs), TXN_OPS):
        ops = [client.transactions.put(PREFIX + a, a) for a in addrs[i:i + TXN_OPS]]
        client.transaction(compare=[], success=ops, failure=[])


def addresses(first_octets: str, n: int, start: int = 0) -> list[str]:
    """n distinct 'A.B.C.D:80' addresses under first_octets ('127.1'), last octet 1..250."""
    out = []
    for i in range(start, start + n):
        out.append(f"{first_octets}.{i // 250}.{i % 250 + 1}:80")
    return out


# --------------------------------------------------------------------------- reporting


def machine_facts(balancer_python: str) -> str:
    pyver = subprocess.run([balancer_python, "-c", "import sys; print(sys.version.split()[0])"],
                           capture_output=True, text=True).stdout.strip()
    return (f"machine: nproc={os.cpu_count()} (usable {len(os.sched_getaffinity(0))}), "
            f"python {pyver}, etcd {etcd_version()}, {platform.system()} {platform.release()}, cpu: {cpu_model()}")


def log_command_times(log_path: Path) -> dict[str, list[float]]:
    """check_cmd / reload_cmd durations the balancer logged ('... ok in N ms')."""
    out: dict[str, list[float]] = {"check_cmd": [], "reload_cmd": []}
    try:
        text = log_path.read_text(errors="replace")
    except OSError:
        return out
    for m in re.finditer(r": (check_cmd|reload_cmd) `.*?` ok in (\d+) ms", text):
        out[m.group(1)].append(float(m.group(2)))
    return out


def report(res: Results, quick: bool, facts: str, cmd_times: dict[str, list[float]]) -> str:
    rows: list[Row] = []
    n = len(res.isolated_ms)
    if n:
        p50 = pct(res.isolated_ms, 50)
        rows.append((f"put -> dest updated, p50 ({n} isolated changes)", f"{p50:.2f} ms",
                     f"< {TARGET_P50_MS:g} ms", p50 < TARGET_P50_MS))
        rows.append(("put -> dest updated, p99", f"{pct(res.isolated_ms, 99):.2f} ms", "", None))
        rows.append(("put -> dest updated, max", f"{max(res.isolated_ms):.2f} ms", "", None))
        rows.append(("  of which put() call (etcd commit), p50",
                     f"{pct(res.isolated_put_ms, 50):.2f} ms", "", None))
    if res.burst_n:
        rows.append((f"burst of {res.burst_n} puts: reloads", str(res.burst_reloads),
                     f"<= {TARGET_BURST_RELOADS}", res.burst_reloads <= TARGET_BURST_RELOADS))
        rows.append((f"burst: first put -> all {res.burst_n} visible", f"{res.burst_visible_s * 1000:.0f} ms",
                     "", None))
        rows.append(("  of which issuing the puts", f"{res.burst_put_s * 1000:.0f} ms", "", None))
    if res.big_n:
        rows.append((f"{res.big_n:,} keys: initial load (txns) -> all visible",
                     f"{res.big_render_s * 1000:.0f} ms", "", None))
    if res.big_ms:
        m = len(res.big_ms)
        p50 = pct(res.big_ms, 50)
        p99 = pct(res.big_ms, 99)
        rows.append((f"{res.big_n:,} keys: put -> dest updated, p50 ({m} changes)", f"{p50:.2f} ms",
                     f"< {TARGET_BIG_MS:g} ms", p50 < TARGET_BIG_MS))
        rows.append((f"{res.big_n:,} keys: put -> dest updated, p99", f"{p99:.2f} ms",
                     f"< {TARGET_BIG_MS:g} ms", p99 < TARGET_BIG_MS))
    if res.rss_kb is not None:
        mb = res.rss_kb / 1024
        rows.append(("balancer peak RSS (VmHWM)", f"{mb:.1f} MB", f"< {TARGET_RSS_MB:g} MB", mb < TARGET_RSS_MB))
    extra = []
    for what, vals in cmd_times.items():
        if vals:
            extra.append(f"{what} as logged by the balancer: n={len(vals)} median {statistics.median(vals):.0f} ms"
                         f" max {max(vals):.0f} ms (log resolution 1 ms)")
    if res.rss_now_kb is not None:
        extra.append(f"balancer VmRSS at the end: {res.rss_now_kb / 1024:.1f} MB")
    if res.isolated_reloads:
        extra.append(f"reloads during the isolated phase: {res.isolated_reloads} (one per change expected)")
    return report_text(facts, f"mode: {'quick' if quick else 'full'}", rows, extra)


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="20 isolated changes, 1,000 keys")
    add_run_options(ap, "balancer")
    args = ap.parse_args()

    raise_on_signals()

    n_isolated, n_big, n_big_changes, n_burst = (20, 1_000, 20, 200) if args.quick else (100, 10_000, 20, 200)

    python = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
    work = Path(tempfile.mkdtemp(prefix="bench-balancer-", dir=args.workdir))
    confdir, out = work / "confdir", work / "out"
    (confdir / "conf.d").mkdir(parents=True)
    (confdir / "templates").mkdir()
    out.mkdir()
    dest_path, counter = out / "upstream.conf", work / "reloads"
    (confdir / "templates" / "bench.tmpl").write_text(TEMPLATE)
    write_resource(confdir, "bench", src="bench.tmpl", dest=dest_path, keys=["/services/apache"],
                   check_cmd="true", reload_cmd=f"echo x >> {shlex.quote(str(counter))}")
    profile_path = work / "balancer.prof"

    etcd = EtcdServer(work / "etcd")
    balancer: BalancerProcess | None = None
    res = Results()
    failed, interrupted = True, False
    facts = machine_facts(python)
    print(facts, flush=True)
    print(f"work directory: {work}", flush=True)
    try:
        etcd.start()
        argv = [python]
        if args.profile:
            argv += ["-m", "cProfile", "-o", str(profile_path)]
        argv += ["-m", "balancer", "run", "--confdir", str(confdir), "--etcd", etcd.hostport,
                 "--log-level", args.log_level]
        balancer = BalancerProcess(work / "balancer.log", argv).start()
        dest = Dest(dest_path)
        env = Env(etcd, balancer, dest, counter)
        # First sync of the empty pool (an empty file), then quiet.
        wait_for(lambda: (balancer.check_alive(), dest_path.exists())[1], timeout=30,
                 message="the balancer's first render")
        env.wait_quiet(0.5)

        # Warm-up (not counted): the first change pays for lazy imports and first spawns.
        isolated_changes(env, addresses("127.0", 2, start=0), timeout=10)

        # 1. isolated changes
        print(f"[1/4] {n_isolated} isolated changes ...", flush=True)
        before = env.reloads()
        res.isolated_ms, res.isolated_put_ms = isolated_changes(
            env, addresses("127.0", n_isolated, start=250), timeout=10)
        env.wait_quiet(0.3)
        res.isolated_reloads = env.reloads() - before

        # 2. burst
        print(f"[2/4] burst of {n_burst} puts ...", flush=True)
        burst(env, addresses("127.0", n_burst, start=1000), res)

        # 3. many keys: start from an empty pool, load n_big keys, then isolated changes
        print(f"[3/4] {n_big:,} keys ...", flush=True)
        etcd.client().delete_prefix(PREFIX)
        dest.wait(lambda text: server_lines(text) == 0, 30, "an empty pool", balancer.check_alive)
        env.wait_quiet(0.5)
        big = addresses("127.1", n_big)
        t0 = time.perf_counter()
        load_keys(env, big)
        res.big_load_s = time.perf_counter() - t0
        t1 = dest.wait(lambda text: server_lines(text) == n_big, 120, f"{n_big} lines", balancer.check_alive)
        res.big_n = n_big
        res.big_render_s = t1 - t0
        env.wait_quiet(1.5)
        res.big_ms, res.big_put_ms = isolated_changes(env, addresses("127.2", n_big_changes), timeout=30)
        env.wait_quiet(0.5)

        # 4. peak RSS
        print("[4/4] peak RSS", flush=True)
        res.rss_kb = balancer.proc_status("VmHWM")
        res.rss_now_kb = balancer.proc_status("VmRSS")
        failed = False
    except BaseException as exc:
        interrupted = report_failure("bench_balancer", exc, balancer)
    finally:
        if balancer is not None:
            balancer.stop(timeout=15)
        etcd.close()

    cmd_times = log_command_times(work / "balancer.log")
    print()
    print(report(res, args.quick, facts, cmd_times))
    if args.profile:
        print_profile(profile_path, f"cProfile of the balancer's main thread ({profile_path}), "
                                    "top 35 by cumulative time:", 35)
    return finish(work, failed, interrupted, args.keep)


if __name__ == "__main__":
    sys.exit(main())
