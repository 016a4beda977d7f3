#!/usr/bin/env python3
"""Benchmark of the shipped services example (routing from labels) at scale, against a real
etcd on 127.0.0.1.

    python bench/bench_routing.py [--quick] [--keep] [--profile] [--log-level LEVEL]

Starts its own etcd and one ``python -m balancer run`` (watch mode, default debounce) with
the shipped ``balancer/examples/services`` template rendering into a file, ``check_cmd =
"true"`` and a ``reload_cmd`` that appends a line to a counter file.  Loads 1,000 services x
10 backends (10,000 backend keys and 10,000 route keys: every service has a host name, half of
them a path under a host shared with another service), then measures:

1. one more put (a backend key of an existing service) -> the file has its server line;
2. the balancer's peak RSS (VmHWM);
3. a rolling replacement across 20 services at once (each backend replaced by a new one:
   route key + backend key put, then the old pair deleted, 20 services in parallel): reloads
   against the rate limit of one per --debounce-max (1 s).

Latency is taken from just before ``put()`` to the moment a tight poll loop sees the line.
"""
from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import (VENV_PYTHON, Row, add_run_options, ensure_venv, finish, pct, print_profile, raise_on_signals,
                    report_failure, report_text)

ensure_venv(__file__, ("etcd3",), "tests/lbcommon/test_routing.py")

from bench_balancer import TXN_OPS, BalancerProcess, Dest, Env, log_command_times, machine_facts  # noqa: E402
from procs import EtcdServer, wait_for, write_resource  # noqa: E402

from lbcommon.routes import Route  # noqa: E402

TEMPLATE = Path(__file__).resolve().parent.parent / "balancer" / "examples" / "services" / "templates" / "services.tmpl"
ISOLATION_SLEEP = 1.05        # pause after each isolated change (> --debounce-max 1 s)
DEBOUNCE_MAX = 1.0
TARGET_PUT_P50_MS = 50.0
TARGET_RSS_MB = 60.0


def route_of(service: int) -> Route:
    """Service i: host h<i//2>.bench.test; even ones at /, odd ones under /s<i>/ of the same host."""
    return Route((f"h{service // 2}.bench.test",), "/" if service % 2 == 0 else f"/s{service}/", 1)


def address(service: int, backend: int) -> str:
    return f"10.{service // 250}.{service % 250}.{backend + 1}:80"


def load(env: Env, services: int, backends: int) -> None:
    client = env.etcd.client()
    ops = []
    for i in range(services):
        route = route_of(i).to_value()
        for j in range(backends):
            addr = address(i, j)
            ops += [client.transactions.put(f"/lb/routes/s{i}/{addr}", route),
                    client.transactions.put(f"/services/s{i}/{addr}", addr)]
    for start in range(0, len(ops), TXN_OPS):
        client.transaction(compare=[], success=ops[start:start + TXN_OPS], failure=[])


def one_more_put(env: Env, changes: int, services: int) -> list[float]:
    client = env.etcd.client()
    latencies = []
    for n in range(changes):
        service = (n * 37) % services
        addr = address(service, 100 + n)
        needle = f"server {addr} "
        t0 = time.perf_counter()
        client.put(f"/services/s{service}/{addr}", addr)
        t1 = env.dest.wait(lambda text: needle in text, 30, needle, env.balancer.check_alive)
        latencies.append((t1 - t0) * 1000)
        time.sleep(ISOLATION_SLEEP)
    return latencies


def rolling_replacement(env: Env, services: list[int], backends: int, step: float) -> tuple[int, float]:
    """Each of `services` replaces its backends one by one, all in parallel; returns
    (reloads, seconds from the first change to the last one rendered)."""
    before = env.reloads()
    errors: list[BaseException] = []

    def roll(service: int) -> None:
        try:
            client = env.etcd.client()
            route = route_of(service).to_value()
            for j in range(backends):
                old, new = address(service, j), address(service, 200 + j)
                client.put(f"/lb/routes/s{service}/{new}", route)
                client.put(f"/services/s{service}/{new}", new)
                time.sleep(step)
                client.delete(f"/services/s{service}/{old}")
                client.delete(f"/lb/routes/s{service}/{old}")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=roll, args=(s,)) for s in services]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    last_new, last_old = address(services[-1], 200 + backends - 1), address(services[-1], backends - 1)
    done = env.dest.wait(lambda text: f"server {last_new} " in text and f"server {last_old} " not in text,
                         30, "the last replacement", env.balancer.check_alive)
    env.wait_quiet(2.0)
    return env.reloads() - before, done - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="100 services, 10 changes")
    add_run_options(ap, "balancer")
    args = ap.parse_args()
    raise_on_signals()
    n_services, n_backends, n_changes = (100, 10, 10) if args.quick else (1000, 10, 30)

    python = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
    work = Path(tempfile.mkdtemp(prefix="bench-routing-", dir=args.workdir))
    confdir, out, certs = work / "confdir", work / "out", work / "certs"
    for folder in (confdir, out, certs):
        folder.mkdir()
    dest_path, counter = out / "services.conf", work / "reloads"
    write_resource(confdir, "services", src=TEMPLATE, dest=dest_path, keys=["/services", "/lb"],
                   check_cmd="true", reload_cmd=f"echo x >> {shlex.quote(str(counter))}")
    profile_path = work / "balancer.prof"
    etcd = EtcdServer(work / "etcd")
    balancer: BalancerProcess | None = None
    rows: list[Row] = []
    extra: list[str] = []
    failed, interrupted = True, False
    facts = machine_facts(python)
    print(facts, flush=True)
    print(f"work directory: {work}", flush=True)
    try:
        etcd.start()
        argv = [python] + (["-m", "cProfile", "-o", str(profile_path)] if args.profile else [])
        argv += ["-m", "balancer", "run", "--confdir", str(confdir), "--etcd", etcd.hostport,
                 "--log-level", args.log_level]
        balancer = BalancerProcess(work / "balancer.log", argv, env={
            "BALANCER_LISTEN": "127.0.0.1:8080", "BALANCER_CERTS": str(certs)}).start()
        dest = Dest(dest_path)
        env = Env(etcd, balancer, dest, counter)
        wait_for(lambda: (balancer.check_alive(), dest_path.exists())[1], timeout=30,
                 message="the balancer's first render")
        env.wait_quiet(0.5)
        extra.append(f"balancer RSS idle, before any key: {(balancer.proc_status('VmRSS') or 0) / 1024:.1f} MB")

        print(f"[1/3] {n_services:,} services x {n_backends} backends ...", flush=True)
        t0 = time.perf_counter()
        load(env, n_services, n_backends)
        last = f"server {address(n_services - 1, n_backends - 1)} "
        t1 = dest.wait(lambda text: last in text, 120, "the last backend", balancer.check_alive)
        keys = 2 * n_services * n_backends
        extra.append(f"{keys:,} keys loaded in {TXN_OPS}-op transactions; all rendered "
                     f"{(t1 - t0):.1f} s after the first; file {dest_path.stat().st_size / 1e6:.1f} MB")
        env.wait_quiet(1.5)
        extra.append(f"balancer RSS / peak after the load: {(balancer.proc_status('VmRSS') or 0) / 1024:.1f} / "
                     f"{(balancer.proc_status('VmHWM') or 0) / 1024:.1f} MB")
        latencies = one_more_put(env, n_changes, n_services)
        p50, p99 = pct(latencies, 50), pct(latencies, 99)
        rows.append((f"{keys:,} keys: one more put -> file updated, p50 ({n_changes} changes)",
                     f"{p50:.1f} ms", f"< {TARGET_PUT_P50_MS:g} ms", p50 < TARGET_PUT_P50_MS))
        rows.append(("  p99 / max", f"{p99:.1f} / {max(latencies):.1f} ms", "", None))

        print("[2/3] peak RSS", flush=True)
        rss = (balancer.proc_status("VmHWM") or 0) / 1024
        rows.append(("balancer peak RSS (VmHWM)", f"{rss:.1f} MB", f"< {TARGET_RSS_MB:g} MB", rss < TARGET_RSS_MB))

        print("[3/3] rolling replacement across 20 services at once ...", flush=True)
        rolled = list(range(0, n_services, n_services // 20))[:20]
        reloads, seconds = rolling_replacement(env, rolled, n_backends, step=0.3)
        allowed = int(seconds / DEBOUNCE_MAX) + 1
        rows.append((f"rolling replacement, {len(rolled)} services x {n_backends} backends in parallel: reloads",
                     f"{reloads} in {seconds:.1f} s", f"<= {allowed} (one per {DEBOUNCE_MAX:g} s)",
                     reloads <= allowed))
        failed = False
    except BaseException as exc:
        interrupted = report_failure("bench_routing", exc, balancer)
    finally:
        if balancer is not None:
            balancer.stop(timeout=15)
        etcd.close()

    for what, values in log_command_times(work / "balancer.log").items():
        if values:
            extra.append(f"{what}: n={len(values)}")
    print()
    print(report_text(facts, f"mode: {'quick' if args.quick else 'full'}", rows, extra))
    if args.profile:
        print_profile(profile_path, f"cProfile of the balancer's main thread ({profile_path}):", 35)
    return finish(work, failed, interrupted, args.keep)


if __name__ == "__main__":
    sys.exit(main())
