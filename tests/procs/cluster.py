"""Several hosts on one machine: N simulated Docker hosts (see hostns.py), a 3-member etcd
cluster and two `balancer` + nginx load balancers, all real processes.

Where each program runs:

- each host's dockerd, containerd, shims and containers: in the host's network namespace
  (``nsenter --net``); containers publish port 80 on the host's address (``-p 80``);
- each host's sidekick: in the root namespace, talking to its own host's dockerd socket
  (``DOCKER_HOST``) and registering ``--host-ip`` = the host's address.  etcd stays on
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

``python -m procs.cluster demo|down|hold`` (PYTHONPATH=tests) is the command line behind
``scripts/cluster`` (and ``scripts/demo --hosts N``).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import itertools
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import base
from .base import LOOPBACK, ManagedProcess, alive, free_port, free_ports, http_get, wait_for, which
from .cli import CliProcess
from .etcd import EtcdServer
from .hostns import RunState, SimHost, leftovers, new_prefix, reserve_subnet, sweep_stale, teardown_state
from .nginx import Nginx
from .resources import write_resource

ROOT = Path(__file__).resolve().parents[2]
SERVICES_TEMPLATE = ROOT / "balancer" / "examples" / "services" / "templates" / "services.tmpl"
IMAGE = "lb-cluster-httpd:1"
IMAGE_CMD = '["/bin/httpd","-f","-p","80","-h","/www"]'
WEB_HOST = "web.cluster.test"            # the Host header the layout's services answer to
SERVER_LINE = re.compile(r"^\s*server\s+([^\s;]+)[^;\n]*max_fails=", re.MULTILINE)


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


def servers_in(config: str) -> set[str]:
    """The `server ADDRESS ... max_fails=...;` entries of a rendered nginx configuration."""
    return set(SERVER_LINE.findall(config))


# --------------------------------------------------------------------------- etcd


class EtcdMember(EtcdServer):
    def __init__(self, workdir: Path, name: str, cluster: EtcdCluster, port: int, peer_port: int) -> None:
        super().__init__(workdir, name)
        self.cluster = cluster
        self.port, self.peer_port = port, peer_port
        self.endpoint = f"http://{LOOPBACK}:{port}"
        self.hostport = f"{LOOPBACK}:{port}"
        self.peer_url = f"http://{LOOPBACK}:{peer_port}"

    def argv(self) -> list[str]:
        argv = super().argv()
        argv[argv.index("--initial-cluster") + 1] = self.cluster.initial_cluster
        return argv + ["--initial-cluster-state", "new", "--initial-cluster-token", self.cluster.token]


class EtcdCluster:
    """`size` etcd members on 127.0.0.1, started together (each needs a quorum to be healthy)."""

    def __init__(self, workdir: Path, size: int = 3) -> None:
        ports = free_ports(2 * size)
        self.token = "lbc-" + uuid.uuid4().hex[:8]
        self.members = [EtcdMember(workdir / f"etcd{i + 1}", f"n{i + 1}", self, ports[2 * i], ports[2 * i + 1])
                        for i in range(size)]

    @property
    def initial_cluster(self) -> str:
        return ",".join(f"{m.member}={m.peer_url}" for m in self.members)

    @property
    def hostports(self) -> str:
        return ",".join(m.hostport for m in self.members)

    def start(self, timeout: float = 60.0) -> EtcdCluster:
        with ThreadPoolExecutor(max_workers=len(self.members)) as pool:
            for future in [pool.submit(m.start, timeout) for m in self.members]:
                future.result()
        return self

    def get_prefix(self, prefix: str) -> dict[str, str]:
        """key -> value under `prefix`, from the first member that answers."""
        last: Exception | None = None
        for member in self.members:
            if not member.running():
                continue
            try:
                return {meta.key.decode(): value.decode() for value, meta in member.client().get_prefix(prefix)}
            except Exception as exc:  # noqa: BLE001 - python-etcd3 marks the endpoint failed: a new client
                last, member._client = exc, None
        raise RuntimeError(f"no etcd member answered get_prefix({prefix}): {last!r}")

    def close(self) -> None:
        for member in self.members:
            member.close()


# --------------------------------------------------------------------------- load balancers


class LoadBalancer:
    """`balancer run --exec nginx` with the shipped services example, on 127.0.0.1:`port`."""

    def __init__(self, workdir: Path, name: str, endpoints: str, port: int | None = None) -> None:
        self.name = name
        self.endpoints = endpoints
        self.nginx = Nginx(workdir / "nginx")            # prefix and configuration: the balancer runs it
        if port is not None:
            self.nginx.port, self.nginx.url = port, f"http://{LOOPBACK}:{port}"
        self.port, self.url = self.nginx.port, self.nginx.url
        self.tls_port = free_port()
        self.certs = workdir / "certs"
        self.certs.mkdir(parents=True, exist_ok=True)
        self.confdir = workdir / "confdir"
        self.dest = self.nginx.conf_d / "services.conf"
        write_resource(self.confdir, "services", src=SERVICES_TEMPLATE, dest=self.dest, keys=["/services", "/lb"],
                       check_cmd=self.nginx.check_cmd, reload_cmd=self.nginx.reload_cmd, command_timeout=30)
        self.balancer = CliProcess("balancer", workdir / "balancer.log")
        self.balancer.name = f"balancer {name}"

    def spawn(self) -> None:
        nginx = self.nginx
        command = f"{which('nginx')} -p {nginx.prefix} -c {nginx.conf} -g 'daemon off;'"
        self.balancer.start("--confdir", str(self.confdir), "--etcd", self.endpoints, "--exec", command,
                            "--exec-death-signal", "QUIT",
                            env={"BALANCER_LISTEN": f"{LOOPBACK}:{self.port}",
                                 "BALANCER_LISTEN_TLS": f"{LOOPBACK}:{self.tls_port}",
                                 "BALANCER_CERTS": str(self.certs),
                                 "BALANCER_ACCESS_LOG": str(nginx.access_log)})

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Until nginx answers (404 for a host name no service claims)."""
        def ready() -> bool:
            if not self.balancer.running():
                raise RuntimeError(f"{self.balancer.name} exited:\n{self.balancer.log_tail()}")
            return self.get("unknown.cluster.test", timeout=2)[0] == 404
        wait_for(ready, timeout=timeout, ignore=(OSError,), message=f"{self.name} to answer on {self.url}")

    def start(self) -> LoadBalancer:
        self.spawn()
        self.wait_ready()
        return self

    def kill(self) -> int | None:
        """SIGKILL the balancer alone (not its group): the kernel sends its nginx QUIT
        (--exec-death-signal).  Waits until that nginx is gone; returns its pid."""
        master = self.nginx.master_pid()
        self.balancer.send(signal.SIGKILL)
        self.balancer.wait(15)
        if master is not None:
            wait_for(lambda: not alive(master), timeout=15, interval=0.01, message=f"{self.name}'s nginx to exit")
        return master

    def close(self) -> None:
        self.balancer.terminate()

    def get(self, host: str, path: str = "/", timeout: float = 5.0) -> tuple[int, str]:
        return http_get(f"{self.url}{path}", timeout=timeout, headers={"Host": host})

    def served(self, host: str = WEB_HOST, path: str = "/", requests: int = 12) -> set[str]:
        """Bodies of `requests` answers ('HTTP <status>' for an answer that is not 200)."""
        answers = set()
        for _ in range(requests):
            status, body = self.get(host, path)
            answers.add(body.strip() if status == 200 else f"HTTP {status}")
        return answers

    def config(self) -> str:
        try:
            return self.dest.read_text()
        except FileNotFoundError:
            return ""

    def servers(self) -> set[str]:
        return servers_in(self.config())

    def settled(self) -> bool:
        """No nginx worker of an earlier configuration is left (it could still answer)."""
        return self.nginx.settled()

    def reloads(self) -> int:
        return self.balancer.count(": reload_cmd `")

    def processes(self) -> list[ManagedProcess]:
        return [self.balancer]

    def logs(self) -> dict[str, str]:
        return {**self.balancer.logs(), **self.nginx.logs()}


# --------------------------------------------------------------------------- the cluster


class Cluster:
    """N simulated hosts + etcd (`etcd_members` on 127.0.0.1) + `balancers` load balancers.

    Use as a context manager, or start() / close(): close() removes everything, whatever
    failed; a run killed before it could is removed by the next one's start() (sweep_stale).
    """

    def __init__(self, workdir: Path, hosts: int = 3, balancers: int = 2, etcd_members: int = 3, ttl: int = 6,
                 lb_ports: Sequence[int] = (), detached: bool = False) -> None:
        self.prefix = new_prefix()
        self.workdir = Path(workdir) / self.prefix          # every path names the run
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.host_count, self.lb_count, self.etcd_size, self.ttl = hosts, balancers, etcd_members, ttl
        self.lb_ports = list(lb_ports)
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
        self.hosts = [SimHost(self.state, i + 1, self.subnet, self.workdir) for i in range(self.host_count)]
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
        for step in ([lb.balancer.kill for lb in self.lbs] + [p.kill for p in self.sidekicks.values()]
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
        proc.start("--etcd", self.endpoints, "--host-ip", host.ip, "--ttl", str(self.ttl),
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
        return self.etcd.get_prefix(prefix)

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


# --------------------------------------------------------------------------- traffic


@dataclass(frozen=True)
class Target:
    label: str
    url: str                       # http://127.x.x.x:PORT/PATH: loopback only
    host: str                      # Host header
    answer_prefix: str             # a good answer is 200 with a body starting with this


@dataclass(frozen=True)
class Sample:
    target: str
    started: float                 # time.monotonic()
    elapsed: float
    ok: bool
    detail: str


class Prober:
    """Bounded request loops (`threads` per target, `interval` s apart, each request with
    `timeout`) recording every request's start, duration and outcome."""

    def __init__(self, targets: Sequence[Target], threads: int = 1, interval: float = 0.0, timeout: float = 8.0,
                 max_seconds: float = 300.0) -> None:
        for target in targets:
            assert target.url.startswith("http://127."), "traffic goes to loopback only"
        self.targets, self.interval, self.timeout = list(targets), interval, timeout
        self.deadline = time.monotonic() + max_seconds
        self.samples: list[Sample] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(t,), daemon=True, name=f"probe {t.label}")
                         for t in self.targets for _ in range(threads)]

    def __enter__(self) -> Prober:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Prober:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> Prober:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)
        return self

    def _run(self, target: Target) -> None:
        while not self._stop.is_set() and time.monotonic() < self.deadline:
            started = time.monotonic()
            try:
                status, body = http_get(target.url, timeout=self.timeout, headers={"Host": target.host})
                ok = status == 200 and body.startswith(target.answer_prefix)
                detail = body.strip()[:80] if ok else f"HTTP {status}: {body.strip()[:80]}"
            except Exception as exc:  # noqa: BLE001 - every failure is a sample
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            sample = Sample(target.label, started, time.monotonic() - started, ok, detail)
            with self._lock:
                self.samples.append(sample)
            if self.interval:
                self._stop.wait(self.interval)

    def taken(self) -> list[Sample]:
        with self._lock:
            return list(self.samples)

    def failures(self) -> list[Sample]:
        return [s for s in self.taken() if not s.ok]

    def ok_count(self) -> int:
        return sum(1 for s in self.taken() if s.ok)


def p(values: Sequence[float], q: int) -> float:
    """The q-th percentile (statistics.quantiles, inclusive); the one value when there is one."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


# --------------------------------------------------------------------------- command line


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
    cluster = Cluster(DEMO_STATE, hosts=args.hosts, ttl=args.ttl, lb_ports=args.ports, detached=True)
    ok = False
    try:
        cluster.start()
        for host in cluster.hosts:
            print(f"   {host.name}: namespace {host.netns}, address {host.ip}, dockerd {host.sock}")
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
        _say(f"{victim.name} dies: packets to {victim.ip} dropped, its sidekick, dockerd and containers SIGKILLed")
        gone = {a for a in cluster.keys("web") | cluster.keys("api") if a.startswith(victim.ip + ":")}
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
    print(f"""through the balancers:  curl -H 'Host: {WEB_HOST}' {cluster.lbs[0].url}/   (and {cluster.lbs[1].url}, /api/)
keys and routes:        .venv/bin/python -m sidekick status --etcd {e}
a host's docker:        docker -H unix://{cluster.hosts[0].sock} ps
more backends:          docker -H unix://{cluster.hosts[0].sock} run -d --init -p 80 -l sidekick.service=web \\
                            -l sidekick.hosts={WEB_HOST} {IMAGE} sh -c 'echo mine > /www/index.html; httpd -f -p 80 -h /www'
a host's address:       curl http://{ip}:PORT/   (ports: docker ... port NAME)
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
    parser = argparse.ArgumentParser(prog="scripts/cluster", description=__doc__,
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
