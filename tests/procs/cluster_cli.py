"""The command line behind ``scripts/cluster`` (and ``scripts/demo --hosts N``):
``python -m procs.cluster_cli demo|down|hold`` (PYTHONPATH=tests) -- start the demo cluster and
show traffic, a host failure and its return; remove it; or hold a small cluster for the teardown
test.  ``python -m procs.cluster`` runs the same."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import cluster as cluster_module
from .base import wait_for
from .cluster import IMAGE, Cluster
from .hostns import sweep_stale
from .loadbalancer import WEB_HOST, LoadBalancer


DEMO_STATE = Path(os.environ.get("CLUSTER_DEMO_STATE", "/tmp/container-lb-cluster"))


def _say(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m", flush=True)


def _traffic(lb: LoadBalancer, host: str, path: str, n: int) -> str:
    counts: dict[str, int] = {}
    slowest = 0.0
    for _ in range(n):
        began = time.monotonic()
        try:
            status, body = lb.get(host, path, timeout=8)
            answer = body.strip() if status == 200 else f"HTTP {status}"
        except OSError as exc:
            answer = f"failed ({exc})"
        slowest = max(slowest, time.monotonic() - began)
        counts[answer] = counts.get(answer, 0) + 1
    shown = "  ".join(f"{k} x{v}" for k, v in sorted(counts.items()))
    return f"   {lb.name} {lb.url} {host}{path}: {shown}  (slowest {slowest * 1000:.0f} ms)"


def _demo(args: argparse.Namespace) -> int:
    for prefix in sweep_stale(include_detached=True):
        print(f"removed the earlier demo cluster {prefix}")
    DEMO_STATE.mkdir(parents=True, exist_ok=True)
    _say(f"{args.hosts} hosts (network namespaces, a dockerd each), 3 etcd members, 2 balancers + nginx")
    ipv6 = (f"h{args.hosts}",) if args.hosts >= 2 else ()       # the last host registers over IPv6
    cluster = Cluster(DEMO_STATE, hosts=args.hosts, ttl=args.ttl, lb_ports=args.ports, detached=True, ipv6_hosts=ipv6)
    ok = False
    try:
        cluster.start()
        for host in cluster.hosts:
            print(f"   {host.name}: namespace {host.netns}, addresses {host.ip} and {host.ip6}, registered at "
                  f"{host.address('PORT')}, dockerd {host.sock}")
        for lb in cluster.lbs:
            print(f"   {lb.name}: nginx on {lb.url} (balancer log {lb.balancer.log_path})")
        _say("one web and one api container per host (labels sidekick.hosts=web.cluster.test, sidekick.path=/api/)")
        for host in cluster.hosts:
            cluster.run(host, "web", f"sidekick.hosts={WEB_HOST}")
            cluster.run(host, "api", f"sidekick.hosts={WEB_HOST}", "sidekick.path=/api/")
        cluster.wait_served(set(cluster.running("web")))
        cluster.wait_served(set(cluster.running("api")), path="/api/")
        for lb in cluster.lbs:
            print(_traffic(lb, WEB_HOST, "/", 12))
            print(_traffic(lb, WEB_HOST, "/api/", 6))
        victim = cluster.hosts[-1]
        _say(f"{victim.name} dies: packets to {victim.host_ip} dropped, its sidekick, dockerd and containers SIGKILLed")
        gone = {a for a in cluster.keys("web") | cluster.keys("api") if victim.owns(a)}
        killed = cluster.kill_host(victim)
        for lb in cluster.lbs:
            print(_traffic(lb, WEB_HOST, "/", 6))
        wait_for(lambda: all(not (lb.servers() & gone) for lb in cluster.lbs), timeout=args.ttl + 30)
        print(f"   {victim.name}'s backends left both nginx configurations {time.monotonic() - killed:.1f} s after "
              f"the failure (its lease expired: --ttl {args.ttl})")
        for lb in cluster.lbs:
            print(_traffic(lb, WEB_HOST, "/", 6))
        _say(f"{victim.name} comes back: packets flow, dockerd restarts its containers, its sidekick registers them")
        back = time.monotonic()
        cluster.revive_host(victim)
        cluster.wait_served(set(cluster.running("web")))
        print(f"   served again {time.monotonic() - back:.1f} s after the host came back")
        for lb in cluster.lbs:
            print(_traffic(lb, WEB_HOST, "/", 12))
        cluster.detach()
        ok = True
    finally:
        if not ok:
            cluster.close()
    _say("running")
    e = cluster.endpoints
    ip = cluster.hosts[0].ip
    v6 = "".join(f"\n                        curl 'http://{h.address('PORT')}/'   ({h.name}, over IPv6)"
                 for h in cluster.hosts if h.family == 6)
    print(f"""through the balancers:  curl -H 'Host: {WEB_HOST}' {cluster.lbs[0].url}/   (and {cluster.lbs[1].url}, /api/)
keys and routes:        .venv/bin/python -m sidekick status --etcd {e}
a host's docker:        docker -H unix://{cluster.hosts[0].sock} ps
more backends:          docker -H unix://{cluster.hosts[0].sock} run -d --init -p 80 -l sidekick.service=web \\
                            -l sidekick.hosts={WEB_HOST} {IMAGE} sh -c 'echo mine > /www/index.html; httpd -f -p 80 -h /www'
a host's address:       curl http://{ip}:PORT/   (ports: docker ... port NAME){v6}
logs:                   {cluster.workdir}
stop everything:        bash scripts/cluster --down   (or bash scripts/demo --hosts {args.hosts} --down)""")
    return 0


def _down(_args: argparse.Namespace) -> int:
    swept = sweep_stale(include_detached=True)
    print(f"removed {', '.join(swept)}" if swept else "no cluster to remove")
    return 0


def _hold(args: argparse.Namespace) -> int:
    """For the teardown test: a small cluster with one container per host, announced on
    stdout, then held until this process is killed."""
    cluster = Cluster(Path(args.workdir), hosts=args.hosts, balancers=1, etcd_members=1, ttl=args.ttl)
    cluster.start()
    for host in cluster.hosts:
        cluster.run(host, "web", f"sidekick.hosts={WEB_HOST}")
    cluster.wait_served(set(cluster.running("web")))
    print(f"ready {cluster.prefix} {cluster.subnet}", flush=True)
    while True:
        time.sleep(60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/cluster", description=cluster_module.__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="start N hosts + etcd + 2 balancers, show traffic, a host failure and return")
    demo.add_argument("--hosts", type=int, default=3)
    demo.add_argument("--ttl", type=int, default=6, help="the sidekicks' lease TTL")
    demo.add_argument("--ports", type=lambda s: [int(x) for x in s.split(",")],
                      default=[int(os.environ.get("CLUSTER_PORT", "8180")), int(os.environ.get("CLUSTER_PORT2", "8181"))],
                      help="the two balancers' 127.0.0.1 ports (default 8180,8181)")
    demo.set_defaults(func=_demo)
    sub.add_parser("down", help="remove the demo's cluster (and any run whose owner died)").set_defaults(func=_down)
    hold = sub.add_parser("hold", help=argparse.SUPPRESS)
    hold.add_argument("--hosts", type=int, default=1)
    hold.add_argument("--ttl", type=int, default=6)
    hold.add_argument("--workdir", required=True)
    hold.set_defaults(func=_hold)
    args = parser.parse_args(argv)
    # PYTHONPATH=tests found this module; our programs must not find tests/lbcommon (a test
    # folder) before the real lbcommon.
    os.environ.pop("PYTHONPATH", None)
    if not 1 <= getattr(args, "hosts", 1) <= 60:
        parser.error("--hosts: 1 to 60")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
