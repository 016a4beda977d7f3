"""Several hosts on one machine: N simulated Docker hosts (see hostns.py), a 3-member etcd
cluster and two `balancer` + nginx load balancers, all real processes.

Where each program runs:

- each host's dockerd, containerd, shims and containers: in the host's network namespace
  (``nsenter --net``); containers publish port 80 on the host's address (``-p 80``);
- each host's sidekick: in the root namespace, talking to its own host's dockerd socket
  (``DOCKER_HOST``) and registering ``--host-ip`` = the host's address: its IPv4 address, or
  its IPv6 one for the hosts named in `ipv6_hosts` (every host is dual-stack, see hostns.py).  etcd stays on
  127.0.0.1 and needs no route into the namespaces; the sidekick's health checks reach the
  containers at the host's address over the host's link, as another machine's would;
- etcd (3 members) and the two balancers, each supervising its own nginx (``--exec``) on a
  127.0.0.1 port: in the root namespace; nginx reaches the backends at the hosts' addresses.

A host "dies" (`Cluster.kill_host`) as a machine that loses power: every packet sent to it is
dropped (no reset), its sidekick and dockerd are SIGKILLed, and so is everything else on it
(containerd, shims, containers).  It "comes back" (`Cluster.revive_host`) as that machine
boots: what a power cycle wipes is gone (mounts, /run, the namespace's links, iptables rules and
conntrack: the namespace is made anew, so packets flow again), dockerd starts on the same data
root (its containers come back by their restart policy), then its sidekick.  Requests go to
127.0.0.1 (the balancers) and to the hosts' own addresses only.

The parts, one module each: hostns.py (a simulated host), etcd_cluster.py (the etcd members),
loadbalancer.py (a balancer and its nginx), prober.py (request loops); cluster_cli.py is the
command line behind ``scripts/cluster`` (and ``scripts/demo --hosts N``):
``python -m procs.cluster_cli demo|down|hold`` (PYTHONPATH=tests; ``-m procs.cluster`` runs it too).
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import base
from .base import LOOPBACK, ManagedProcess, alive, free_port, free_ports, http_get, wait_for, which
from .cli import CliProcess
from .etcd import EtcdServer
from .etcd_cluster import EtcdCluster, EtcdMember
from .hostns import RunState, SimHost, leftovers, new_prefix, reserve_subnet, sweep_stale, teardown_state
from .loadbalancer import ROOT, SERVER_LINE, SERVICES_TEMPLATE, WEB_HOST, LoadBalancer, servers_in
from .nginx import Nginx
from .prober import Prober, Sample, Target, p
from .resources import write_resource

__all__ = [
    "IMAGE", "IMAGE_CMD", "LOOPBACK", "ROOT", "SERVER_LINE", "SERVICES_TEMPLATE", "WEB_HOST",
    "Cluster", "CliProcess", "EtcdCluster", "EtcdMember", "EtcdServer", "LoadBalancer", "ManagedProcess", "Nginx",
    "Prober", "RunState", "Sample", "SimHost", "Target",
    "alive", "base", "build_rootfs_tarball", "free_port", "free_ports", "http_get", "leftovers", "new_prefix", "p",
    "page_script", "reserve_subnet", "servers_in", "sweep_stale", "teardown_state", "wait_for", "which",
    "write_resource",
]

IMAGE = "lb-cluster-httpd:1"
IMAGE_CMD = '["/bin/httpd","-f","-p","80","-h","/www"]'


def page_script(name: str) -> str:
    """`sh -c` script: serve a page saying `name` at / and /api/, and drain on SIGTERM like
    Apache's graceful stop (stop accepting at once, let requests in flight finish)."""
    return (f"mkdir -p /www/api; echo {name} > /www/index.html; echo {name} > /www/api/index.html; "
            "httpd -f -p 80 -h /www & pid=$!; trap 'kill $pid; sleep 1; exit 0' TERM; wait $pid")


def build_rootfs_tarball(workdir: Path) -> Path:
    """A busybox root file system (httpd, sh and a few applets; /www/index.html) as a tar file,
    made once per run and imported into each host's dockerd."""
    tarball = workdir / "httpd-rootfs.tar"
    if tarball.exists():
        return tarball
    root = workdir / "rootfs"
    shutil.rmtree(root, ignore_errors=True)
    (root / "bin").mkdir(parents=True)
    shutil.copy2(os.path.realpath("/bin/busybox"), root / "bin" / "busybox")
    for applet in ("sh", "httpd", "echo", "mkdir", "sleep", "kill", "cat", "hostname", "test"):
        (root / "bin" / applet).symlink_to("busybox")
    (root / "www").mkdir()
    (root / "www" / "index.html").write_text("lb-cluster-httpd\n")
    (root / "tmp").mkdir(mode=0o1777)
    subprocess.run(["tar", "-C", str(root), "-cf", str(tarball) + ".part", "."], check=True, timeout=60)
    os.replace(str(tarball) + ".part", tarball)
    shutil.rmtree(root, ignore_errors=True)
    return tarball


# --------------------------------------------------------------------------- the cluster


class Cluster:
    """N simulated hosts + etcd (`etcd_members` on 127.0.0.1) + `balancers` load balancers.

    Use as a context manager, or start() / close(): close() removes everything, whatever
    failed; a run killed before it could is removed by the next one's start() (sweep_stale).
    """

    def __init__(self, workdir: Path, hosts: int = 3, balancers: int = 2, etcd_members: int = 3, ttl: int = 6,
                 lb_ports: Sequence[int] = (), detached: bool = False, ipv6_hosts: Sequence[str] = ()) -> None:
        self.prefix = new_prefix()
        self.workdir = Path(workdir) / self.prefix          # every path names the run
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host_count, self.lb_count, self.etcd_size, self.ttl = hosts, balancers, etcd_members, ttl
        self.lb_ports = list(lb_ports)
        self.ipv6_hosts = set(ipv6_hosts)
        self.detached = detached
        self.state: RunState | None = None
        self.subnet: str | None = None
        self.hosts: list[SimHost] = []
        self.sidekicks: dict[str, CliProcess] = {}
        self.etcd: EtcdCluster | None = None
        self.lbs: list[LoadBalancer] = []
        self._names = itertools.count(1)
        self.timings: dict[str, float] = {}

    # -- life cycle

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> Cluster:
        began = time.monotonic()
        sweep_stale()
        self.state = RunState(self.prefix, detached=self.detached)
        self.subnet = reserve_subnet(self.state)
        self.hosts = [SimHost(self.state, i + 1, self.subnet, self.workdir,
                              family=6 if f"h{i + 1}" in self.ipv6_hosts else 4) for i in range(self.host_count)]
        for host in self.hosts:
            host.create()
        tarball = build_rootfs_tarball(self.workdir)
        if self.etcd_size:
            self.etcd = EtcdCluster(self.workdir, self.etcd_size)

        def bring_up(host: SimHost) -> None:
            host.dockerd.start()
            host.load_image(tarball, IMAGE, IMAGE_CMD)

        with ThreadPoolExecutor(max_workers=self.host_count + 1) as pool:
            futures: list[Future[object]] = [pool.submit(bring_up, host) for host in self.hosts]
            if self.etcd is not None:
                futures.append(pool.submit(self.etcd.start))
            for future in futures:
                future.result()
        if self.etcd is not None:
            for member in self.etcd.members:
                self.state.add_pid(member.pid)
        self.timings["hosts and etcd up"] = time.monotonic() - began
        if self.etcd is None:
            return self
        for host in self.hosts:
            self.start_sidekick(host)
        ports = self.lb_ports + [None] * self.lb_count
        self.lbs = [LoadBalancer(self.workdir / f"lb{i + 1}", f"lb{i + 1}", self.endpoints, ports[i])
                    for i in range(self.lb_count)]
        for lb in self.lbs:
            lb.spawn()
            self.state.add_pid(lb.balancer.pid)
        for lb in self.lbs:
            lb.wait_ready()
        self.timings["cluster up"] = time.monotonic() - began
        return self

    def close(self) -> list[str]:
        """Stop and remove everything of this run; the errors met (also logged to stderr)."""
        errors: list[str] = []
        for step in ([lb.balancer.kill for lb in self.lbs] + [proc.kill for proc in self.sidekicks.values()]
                     + ([self.etcd.close] if self.etcd else []) + [h.kill_everything for h in self.hosts]):
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - carry on: the state-driven teardown follows
                errors.append(f"{step}: {exc!r}")
        if self.state is not None:
            errors += teardown_state(self.state.data)
        for error in errors:
            print(f"cluster {self.prefix} teardown: {error}", file=sys.stderr)
        return errors

    def leftovers(self) -> list[str]:
        return leftovers(self.prefix, self.subnet)

    def detach(self) -> None:
        """Leave everything running when this process exits (the demo): no atexit kill."""
        for proc in self.processes():
            base._LIVE.discard(proc)
            with contextlib.suppress(Exception):
                if proc._logf is not None:
                    proc._logf.close()
                    proc._logf = None

    # -- parts

    @property
    def endpoints(self) -> str:
        assert self.etcd is not None
        return self.etcd.hostports

    def host(self, name: str) -> SimHost:
        return next(h for h in self.hosts if h.name == name)

    def processes(self) -> list[ManagedProcess]:
        found: list[ManagedProcess] = [h.dockerd for h in self.hosts]
        found += list(self.sidekicks.values())
        found += self.etcd.members if self.etcd else []
        for lb in self.lbs:
            found += lb.processes()
        return found

    def logs(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for proc in self.processes():
            merged.update(proc.logs())
        for lb in self.lbs:
            merged.update(lb.nginx.logs())
        return merged

    def start_sidekick(self, host: SimHost) -> CliProcess:
        assert self.state is not None
        proc = self.sidekicks.get(host.name) or CliProcess("sidekick", host.logdir / "sidekick.log")
        proc.name = f"sidekick {host.name}"
        self.sidekicks[host.name] = proc
        proc.start("--etcd", self.endpoints, "--host-ip", host.host_ip, "--ttl", str(self.ttl),
                   "--check-interval", "2", "--check-timeout", "1", "--reconcile-interval", "5",
                   env={"DOCKER_HOST": f"unix://{host.sock}"})
        self.state.add_pid(proc.pid)
        return proc

    # -- faults

    def kill_host(self, host: SimHost) -> float:
        """The host dies the hard way: every packet sent to it dropped, then its sidekick and
        dockerd SIGKILLed, and everything else on it.  Returns the time of the drop."""
        host.drop_packets()
        killed = time.monotonic()
        self.sidekicks[host.name].kill()
        host.kill_everything()
        return killed

    def revive_host(self, host: SimHost) -> None:
        """The host boots again: what a power cycle wipes is gone (SimHost.power_cycle: packets
        flow again), dockerd starts (restart policies bring the containers back), then the
        host's sidekick."""
        host.kill_everything()                      # nothing of it may still run
        host.power_cycle()
        host.dockerd.start()
        self.start_sidekick(host)

    def dead_hosts(self) -> list[SimHost]:
        return [h for h in self.hosts if h.dropping or not h.dockerd.running()]

    def live_hosts(self) -> list[SimHost]:
        return [h for h in self.hosts if h not in self.dead_hosts()]

    # -- containers and what they became

    def run(self, host: SimHost, service: str, *labels: str, restart: str = "always", name: str | None = None,
            create_only: bool = False) -> str:
        """Start a container of `service` on `host` (labels: "sidekick.hosts=...", ...), its page
        saying its name (`<service>.<host>.<n>`), published on the host's address; returns the
        name.  `create_only`: `docker create` it, for a `docker start` later."""
        name = name or f"{service}.{host.name}.{next(self._names)}"
        label_args = [arg for label in (f"sidekick.service={service}", *labels) for arg in ("-l", label)]
        host.docker(*(["create"] if create_only else ["run", "-d"]), "--init", "--name", name, "--restart", restart,
                    *label_args, "-p", "80", IMAGE, "sh", "-c", page_script(name))
        return name

    def keys(self, service: str) -> set[str]:
        """Registered addresses of `service` in etcd."""
        prefix = f"/services/{service}/"
        return {key[len(prefix):] for key in self.etcd_prefix(prefix)}

    def etcd_prefix(self, prefix: str) -> dict[str, str]:
        assert self.etcd is not None
        return {key: value for key, (value, _lease) in self.etcd.get_prefix(prefix).items()}

    def running(self, service: str, hosts: Sequence[SimHost] | None = None) -> dict[str, str]:
        """name -> address of the running containers of `service` on the (live) hosts."""
        found: dict[str, str] = {}
        for host in hosts if hosts is not None else self.live_hosts():
            found.update({n: a for n, a in host.running().items() if n.startswith(service + ".")})
        return found

    def wait_served(self, expected: set[str], host: str = WEB_HOST, path: str = "/", timeout: float = 60,
                    lbs: Sequence[LoadBalancer] | None = None) -> None:
        """Until every balancer answers exactly `expected`, still does once no worker of an
        earlier configuration is left (it may answer a connection or two after a reload)."""
        def answers(lb: LoadBalancer) -> bool:
            return (lb.served(host, path, 4 * len(expected)) == expected and lb.settled()
                    and lb.served(host, path, 4 * len(expected)) == expected)

        for lb in lbs if lbs is not None else self.lbs:
            wait_for(functools.partial(answers, lb), timeout=timeout, interval=0.05,
                     message=f"{lb.name}: {host}{path} to answer {sorted(expected)}")


def __getattr__(name: str) -> Any:
    """The command line's names (cluster_cli imports this module: imported on first use)."""
    if name in ("DEMO_STATE", "main"):
        from . import cluster_cli
        return getattr(cluster_cli, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    from .cluster_cli import main
    sys.exit(main())
