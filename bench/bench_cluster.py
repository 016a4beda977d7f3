"""Benchmark on the simulated cluster (tests/procs/cluster.py): N hosts (network namespaces,
a dockerd and a sidekick each), a 3-member etcd cluster, two balancers each supervising its
own nginx.  Traffic goes to the balancers on 127.0.0.1 and from nginx to the hosts' own
addresses only.

1. host failure: in each round one host (in turn) dies the hard way -- every packet sent to
   it dropped, its sidekick, dockerd and everything on it SIGKILLed -- while 2 request loops per
   balancer (one request every 20 ms each) go through both balancers to a service with one
   container per host.  Timed from the drop: the last failed or slow (>= 0.8 s: it waited on
   the dead backend) request answered; the host's keys expired (the sidekick's --ttl); its
   backends gone from both nginx configurations.  Then the host comes back (packets, dockerd,
   restart policy, sidekick) and is served again before the next round.
2. container start on any host -> served through both balancers: containers started in turn
   on the hosts, each `docker create`d beforehand and started after 1.1 s of quiet (longer than
   --debounce-max: isolated changes).  Timed from the `docker start` call (and from its return)
   until its route key, its backend key, lb1, lb2 and both answer from it.  Two kinds: a new
   container of a known service (its host name is routed already: a drained container of the
   service keeps it known, so requests reach only the new one), the usual case of a deploy or
   a scale-up; and a container routed for a host name nobody claimed before (a new server
   block: its route key goes with its backend key, in one etcd transaction).

The last host registers its IPv6 address (``[fd5b:213:X:3::2]:PORT``), the others their IPv4
one (``--ipv6-hosts`` to choose): the first failure round kills it, and every third start is on it.

    python bench/bench_cluster.py [--hosts 3] [--failures 3] [--starts 30] [--new-host-starts 10]
                                  [--ttl 6] [--ipv6-hosts h3] [--keep]
"""
from __future__ import annotations

import argparse
import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ensure_venv, pct, raise_on_signals

ensure_venv(__file__, ("etcd3",), "tests/e2e/test_cluster.py")

from procs import wait_for  # noqa: E402
from procs.cluster import WEB_HOST, Cluster, Prober, Target  # noqa: E402

SLOW = 0.8                 # seconds: a request that waited on the dead backend's connect timeout (1 s)
ISOLATION = 1.1            # seconds of quiet before each timed start


def host_failures(cluster: Cluster, rounds: int) -> list[dict[str, float]]:
    for host in cluster.hosts:
        cluster.run(host, "web", f"sidekick.hosts={WEB_HOST}")
    cluster.wait_served(set(cluster.running("web")))
    results = []
    for r in range(rounds):
        victim = cluster.hosts[(len(cluster.hosts) - 1 - r) % len(cluster.hosts)]
        gone = {a for a in cluster.keys("web") if victim.owns(a)}
        targets = [Target(lb.name, lb.url + "/", WEB_HOST, "web.") for lb in cluster.lbs]
        prober = Prober(targets, threads=2, interval=0.02, timeout=8).start()
        marks: dict[str, float] = {}
        try:
            time.sleep(1.0)
            killed = cluster.kill_host(victim)

            def gone_everywhere() -> bool:
                if "keys" not in marks and not (cluster.keys("web") & gone):
                    marks["keys"] = time.monotonic() - killed
                for lb in cluster.lbs:
                    if lb.name not in marks and not (lb.servers() & gone):
                        marks[lb.name] = time.monotonic() - killed
                return len(marks) == 1 + len(cluster.lbs)

            wait_for(gone_everywhere, timeout=cluster.ttl + 60, interval=0.01, message=f"{victim.name} to leave nginx")
            time.sleep(1.5)
        finally:
            prober.stop()
        after = [s for s in prober.taken() if s.started + s.elapsed >= killed]
        bad = [s for s in after if s.elapsed >= SLOW or not s.ok]
        results.append({
            "last bad": max((s.started + s.elapsed - killed for s in bad), default=0.0),
            "failed": float(sum(1 for s in after if not s.ok)),
            "slow": float(sum(1 for s in after if s.ok and s.elapsed >= SLOW)),
            "requests": float(len(after)),
            "slowest": max((s.elapsed for s in after), default=0.0),
            "keys": marks["keys"],
            "nginx": max(marks[lb.name] for lb in cluster.lbs),
        })
        print(f"round {r + 1}: {victim.name} died; last slow/failed request answered after {results[-1]['last bad']:.2f} s "
              f"({results[-1]['slow']:.0f} slow, {results[-1]['failed']:.0f} failed of {len(after)}), keys expired "
              f"{marks['keys']:.2f} s, gone from both nginx {results[-1]['nginx']:.2f} s", flush=True)
        cluster.revive_host(victim)
        cluster.wait_served(set(cluster.running("web")))
    return results


BENCH_HOST = "bench.cluster.test"


def answer_everywhere(cluster: Cluster, vhost: str, status: int) -> bool:
    return all(lb.get(vhost, timeout=2)[0] == status for lb in cluster.lbs)


def known_service(cluster: Cluster) -> None:
    """Service `bench`, routed for BENCH_HOST, with one drained container: the host name is
    known (503, no backend) and a new container of the service only adds a backend."""
    anchor = cluster.run(cluster.hosts[0], "bench", f"sidekick.hosts={BENCH_HOST}", name="bench.anchor")
    address = wait_for(lambda: next(iter(cluster.keys("bench")), None), timeout=30, message=f"{anchor}'s key")
    subprocess.run([sys.executable, "-m", "sidekick", "drain", "--etcd", cluster.endpoints, "bench", address],
                   check=True, capture_output=True, timeout=60)
    wait_for(functools.partial(answer_everywhere, cluster, BENCH_HOST, 503), timeout=30)


def starts(cluster: Cluster, count: int, new_hosts: bool) -> dict[str, list[float]]:
    """`count` timed starts, each of a container of `bench`: routed for BENCH_HOST (a known host
    name), or, with `new_hosts`, for a host name of its own (a new server block)."""
    timed: dict[str, list[float]] = {"route": [], "key": [], "lb1": [], "lb2": [], "both": [], "both after the CLI": []}
    idle = 404 if new_hosts else 503
    for i in range(count):
        host = cluster.hosts[i % len(cluster.hosts)]
        # a new host name goes with a service of its own: containers of one service that claim
        # different host names are a routing conflict, settled for the one that sorts first
        service, vhost = (f"fresh{i}", f"s{i}.new.cluster.test") if new_hosts else ("bench", BENCH_HOST)
        routes, keys = len(cluster.etcd_prefix(f"/lb/routes/{service}/")), len(cluster.keys(service))
        name = cluster.run(host, service, f"sidekick.hosts={vhost}", create_only=True, restart="no")
        time.sleep(ISOLATION)
        began = time.monotonic()
        host.docker("start", name)
        returned = time.monotonic()
        seen: dict[str, float] = {}

        def served() -> bool:
            if "route" not in seen and len(cluster.etcd_prefix(f"/lb/routes/{service}/")) > routes:
                seen["route"] = time.monotonic()
            if "key" not in seen and len(cluster.keys(service)) > keys:
                seen["key"] = time.monotonic()
            for lb in cluster.lbs:
                if lb.name not in seen and lb.get(vhost, timeout=2) == (200, f"{name}\n"):
                    seen[lb.name] = time.monotonic()
            return len(seen) == len(cluster.lbs) + 2

        wait_for(served, timeout=30, interval=0.002, message=f"{name} served through both balancers")
        for key in ("route", "key", *(lb.name for lb in cluster.lbs)):
            timed[key].append(seen[key] - began)
        timed["both"].append(max(seen[lb.name] for lb in cluster.lbs) - began)
        timed["both after the CLI"].append(max(seen[lb.name] for lb in cluster.lbs) - returned)
        host.docker("rm", "-f", name)
        wait_for(functools.partial(answer_everywhere, cluster, vhost, idle), timeout=30)
    return timed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--failures", type=int, default=3, help="host failure rounds")
    parser.add_argument("--starts", type=int, default=30, help="timed starts of a new container of a known service")
    parser.add_argument("--new-host-starts", type=int, default=10,
                        help="timed starts of a container routed for a new host name")
    parser.add_argument("--ttl", type=int, default=6, help="the sidekicks' lease TTL")
    parser.add_argument("--ipv6-hosts", default=None,
                        help="comma-separated hosts whose sidekick registers their IPv6 address (default: the last)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args()
    raise_on_signals()
    work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    ipv6 = [h for h in (args.ipv6_hosts if args.ipv6_hosts is not None else f"h{args.hosts}").split(",") if h]
    cluster = Cluster(work, hosts=args.hosts, ttl=args.ttl, ipv6_hosts=ipv6)
    failed = True
    try:
        cluster.start()
        print(f"cluster {cluster.prefix}: {args.hosts} hosts up in {cluster.timings['cluster up']:.1f} s", flush=True)
        failures = host_failures(cluster, args.failures) if args.failures else []
        known_service(cluster)
        started = {"known": starts(cluster, args.starts, False) if args.starts else {},
                   "new": starts(cluster, args.new_host_starts, True) if args.new_host_starts else {}}
        failed = False
    finally:
        errors = cluster.close()
        if errors:
            print(f"teardown errors: {errors}", file=sys.stderr)
        if failed or args.keep:
            print(f"work directory kept: {work}")
        else:
            import shutil
            shutil.rmtree(work, ignore_errors=True)
    ms = 1000.0
    print(f"\nmachine: nproc={os.cpu_count()}, python {sys.version.split()[0]}; {args.hosts} simulated hosts, "
          f"3 etcd members, 2 balancers; registered over IPv6: {', '.join(ipv6) or 'none'}; sidekick --ttl {args.ttl}; template: proxy_connect_timeout 1s, 3 tries")
    print("\n| figure | n | p50 | p99 | max |\n|---|---:|---:|---:|---:|")
    if failures:
        for key, label in (("last bad", "host failure -> last failed or slow (>= 0.8 s) request answered"),
                           ("keys", f"host failure -> its keys expired (--ttl {args.ttl})"),
                           ("nginx", "host failure -> its backends gone from both nginx configurations"),
                           ("slowest", "slowest request while the host was dying")):
            values = [r[key] for r in failures]
            print(f"| {label} | {len(values)} | {statistics.median(values):.2f} s | {pct(values, 99):.2f} s | "
                  f"{max(values):.2f} s |")
    for kind, what in (("known", "new container of a known service"), ("new", "container for a new host name")):
        for key, label in (("route", "-> its route key in etcd"),
                           ("key", "-> its backend key in etcd (health check passed)"),
                           ("lb1", "-> served through lb1"), ("lb2", "-> served through lb2"),
                           ("both", "-> served through both balancers"),
                           ("both after the CLI", "-> served through both, from `docker start` returned")):
            values = started[kind].get(key, [])
            if values:
                print(f"| {what}: `docker start` on any host {label} | {len(values)} | "
                      f"{statistics.median(values) * ms:.0f} ms | {pct(values, 99) * ms:.0f} ms | "
                      f"{max(values) * ms:.0f} ms |")
    if failures:
        failed_requests = sum(int(r["failed"]) for r in failures)
        print(f"\nrequests while hosts died: {sum(int(r['requests']) for r in failures)}, failed {failed_requests}, "
              f"slow {sum(int(r['slow']) for r in failures)}")
        return 1 if failed_requests else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
