"""Several hosts on one machine (tests/procs/cluster.py): three simulated Docker hosts, each a
network namespace with its own addresses (dual-stack), dockerd and sidekick; a 3-member etcd
cluster; two balancers, each supervising its own nginx.  Traffic goes to the balancers on
127.0.0.1 and from nginx to the hosts' own addresses, nothing else.

IPv6 is a normal case here: h3's sidekick registers its IPv6 address (``--host-ip
fd5b:213:X:3::2``, keys ``[fd5b:213:X:3::2]:PORT``), so every scenario routes it beside the
IPv4 hosts h1 and h2; h3 is also the host that dies and comes back.

One cluster serves every scenario (module scope); each scenario starts from the same layout
(one `web` and one `api` container per host, both routed for web.cluster.test, api under
/api/), put back by `healthy` whatever the scenario before it left, and is listed with its
measured times under "measured by the tests".
"""
from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import procs
from procs import wait_for
from procs.cluster import IMAGE, WEB_HOST, Cluster, Prober, SimHost, Target, p
from procs.hostns import RUN_BASE, leftovers, shim_sockets, sweep_stale

pytestmark = pytest.mark.integration

TESTS = Path(__file__).resolve().parents[1]
TTL = 6                                     # the sidekicks' lease
LAYOUT = {"web": (f"sidekick.hosts={WEB_HOST}",),
          "api": (f"sidekick.hosts={WEB_HOST}", "sidekick.path=/api/")}
PATHS = {"web": "/", "api": "/api/"}
SLOW = 0.8                                  # a request this slow waited on a dead backend (connect timeout 1 s)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The module's cluster; removed at the end even when a test failed or the run is
    interrupted (Ctrl-C, and SIGTERM while this module runs); what a SIGKILLed run leaves is
    removed by the next run's start (see test_teardown_leaves_nothing_behind)."""
    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, interrupted)
    made = Cluster(tmp_path_factory.mktemp("cluster"), hosts=3, balancers=2, etcd_members=3, ttl=TTL,
                   ipv6_hosts=("h3",))
    errors: list[str] = []
    try:
        try:
            made.start()
        except (RuntimeError, OSError, AssertionError) as exc:
            pytest.fail(f"the simulated cluster did not start: {exc}", pytrace=False)
        yield made
    finally:
        errors = made.close()
        left = made.leftovers()
        signal.signal(signal.SIGTERM, previous)
    assert errors == [] and left == [], f"teardown: errors {errors}, left behind {left}"


@pytest.fixture
def tracked(cluster: Cluster, request: pytest.FixtureRequest) -> Cluster:
    """The cluster, its processes' logs attached to this test's failure report."""
    for proc in cluster.processes() + [lb.nginx for lb in cluster.lbs]:
        procs.track(request, proc)
    return cluster


@pytest.fixture
def healthy(tracked: Cluster) -> Cluster:
    """The cluster with every host and balancer up and the layout served through both."""
    heal(tracked)
    return tracked


def ensure_layout(cluster: Cluster) -> None:
    """Exactly one running container of each layout service per live host, no other one."""
    for host in cluster.live_hosts():
        host.docker("container", "prune", "-f")
        running = host.running()
        extra = [n for n in running if not n.startswith(tuple(f"{s}." for s in LAYOUT))]
        for service, labels in LAYOUT.items():
            mine = sorted(n for n in running if n.startswith(f"{service}."))
            extra += mine[1:]
            if not mine:
                cluster.run(host, service, *labels)
        for i in range(0, len(extra), 50):
            host.docker("rm", "-f", *extra[i:i + 50], timeout=300)


def wait_layout_served(cluster: Cluster, timeout: float = 60) -> None:
    for service in LAYOUT:
        running = cluster.running(service)
        wait_for(lambda s=service, r=running: cluster.keys(s) == set(r.values()), timeout=timeout,
                 message=f"{service}'s keys to be its running containers {sorted(running.values())}")
        cluster.wait_served(set(running), path=PATHS[service], timeout=timeout)


def heal(cluster: Cluster) -> None:
    for host in cluster.dead_hosts():
        cluster.revive_host(host)
    for host in cluster.hosts:
        if not cluster.sidekicks[host.name].running():
            cluster.start_sidekick(host)
    for lb in cluster.lbs:
        if not lb.balancer.running():
            lb.start()
    ensure_layout(cluster)
    wait_layout_served(cluster)


def addresses_of(cluster: Cluster, host: SimHost) -> set[str]:
    """The host's registered backends (every service)."""
    return {address for service in LAYOUT for address in cluster.keys(service) if host.owns(address)}


def layout_targets(cluster: Cluster, lbs: list | None = None) -> list[Target]:
    return [Target(f"{lb.name}{PATHS[service]}", f"{lb.url}{PATHS[service]}", WEB_HOST, f"{service}.")
            for lb in (lbs if lbs is not None else cluster.lbs) for service in LAYOUT]


def failed(prober: Prober) -> str:
    bad = prober.failures()
    return f"{len(bad)} failed of {len(prober.taken())}: {[(s.target, s.detail) for s in bad[:5]]}"


# --------------------------------------------------------------------------- teardown


def test_teardown_leaves_nothing_behind(tmp_path: Path) -> None:
    """Nothing of a run stays on the machine: (1) a run SIGKILLed while it held two hosts,
    etcd, a balancer, sidekicks and containers (no teardown code ran at all) is removed by
    the next run's sweep; (2) a run in which the test fails is removed by its context manager.
    "Nothing": no namespace, link, mount, directory, process naming the run (command line or
    environment), shim socket, state file, subnet reservation or address."""
    lines: queue.Queue[str] = queue.Queue()
    with open(tmp_path / "hold.log", "wb") as log:
        holder = subprocess.Popen([sys.executable, "-m", "procs.cluster", "hold", "--hosts", "2",
                                   "--workdir", str(tmp_path)], cwd=TESTS.parent, env={**os.environ, "PYTHONPATH": str(TESTS)},
                                  stdout=subprocess.PIPE, stderr=log, text=True)
    reader = threading.Thread(target=lambda: [lines.put(line) for line in holder.stdout or []], daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(queue.Empty):
                line = lines.get(timeout=0.5)
                break
            if holder.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the holding run never got ready:\n{procs.tail(tmp_path / 'hold.log')}")
        _ready, prefix, subnet = line.split()
        state = json.loads((RUN_BASE / f"{prefix}.json").read_text())
        sockets = [s for entry in state["shims"] for s in shim_sockets(*entry)]
        held = leftovers(prefix, subnet)
        assert any(item.startswith("namespace") for item in held) and any("dockerd" in item for item in held), held
        assert sockets and all(s.exists() for s in sockets), sockets
    finally:
        holder.kill()                                   # SIGKILL: its own teardown never runs
        holder.wait(30)
        reader.join(10)
        if holder.stdout is not None:
            holder.stdout.close()
    print(f"[cluster] SIGKILLed run {prefix} left {len(held)} things, e.g. {held[:3]}")
    assert prefix in sweep_stale()
    assert leftovers(prefix, subnet) == []
    assert [s for s in sockets if s.exists()] == []

    with pytest.raises(RuntimeError, match="a failing test"):
        with Cluster(tmp_path, hosts=1, balancers=0, etcd_members=0) as small:
            host = small.hosts[0]
            small.run(host, "web")
            sockets = [s for entry in small.state.data["shims"] for s in shim_sockets(*entry)]
            assert small.leftovers() != [] and sockets
            raise RuntimeError("a failing test")
    assert small.leftovers() == []
    assert [s for s in sockets if s.exists()] == []


# --------------------------------------------------------------------------- scenarios


def test_services_spread_over_three_hosts_are_routed_by_both_balancers(tracked: Cluster, timing) -> None:
    cluster = tracked
    for host in cluster.dead_hosts():
        cluster.revive_host(host)
    for host in cluster.hosts:                          # start the layout afresh: its start is measured
        names = list(host.running())
        if names:
            host.docker("rm", "-f", *names)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(cluster.hosts)) as pool:
        list(pool.map(lambda h: [cluster.run(h, s, *labels) for s, labels in LAYOUT.items()], cluster.hosts))
    wait_layout_served(cluster)
    timing("6 containers on 3 hosts: docker run -> served through both balancers", time.monotonic() - started)

    web, api = cluster.running("web"), cluster.running("api")
    assert {a.rsplit(":", 1)[0] for a in web.values()} == {h.advertised for h in cluster.hosts}   # one per host
    assert {a.rsplit(":", 1)[0] for a in api.values()} == {h.advertised for h in cluster.hosts}
    for lb in cluster.lbs:
        assert lb.servers() == set(web.values()) | set(api.values()), lb.name
        assert lb.served(WEB_HOST, "/", 24) == set(web)
        assert lb.served(WEB_HOST, "/api/", 24) == set(api)
        assert lb.get("unknown.cluster.test")[0] == 404
    # each host's sidekick registered its own containers, at its own address
    for host in cluster.hosts:
        assert addresses_of(cluster, host) == set(host.running().values())
    # h3 over IPv6: its keys are [IPv6]:PORT, nginx proxies to them as written, and its
    # containers answer on that address (the port docker published on ::, DNATed by ip6tables)
    h3 = cluster.host("h3")
    assert h3.family == 6 and h3.ip6.startswith("fd5b:")
    v6 = addresses_of(cluster, h3)
    assert len(v6) == 2 and all(a.startswith(f"[{h3.ip6}]:") for a in v6), v6
    for lb in cluster.lbs:
        assert all(f"server {a} " in lb.config() for a in v6), lb.name
    for name, address in h3.running().items():
        assert procs.http_get(f"http://{address}/", timeout=5) == (200, name + "\n")


def test_a_host_dies_the_hard_way_requests_keep_succeeding(healthy: Cluster, timing) -> None:
    """h3 loses power: packets to it dropped (no reset), its sidekick and dockerd (and all on
    it) SIGKILLed.  Requests through both balancers keep succeeding: one that meets a dead
    backend waits the template's connect timeout (1 s) and is retried on another
    (proxy_next_upstream); the client's own timeout (8 s) bounds it.  The host's backends
    leave nginx when the sidekick's lease expires (--ttl 6)."""
    cluster = healthy
    victim = cluster.hosts[-1]
    gone = addresses_of(cluster, victim)
    assert len(gone) == 2 and all(gone <= lb.servers() for lb in cluster.lbs)

    prober = Prober(layout_targets(cluster), interval=0.02, timeout=8).start()
    try:
        time.sleep(1.0)
        killed = cluster.kill_host(victim)
        left_etcd: float | None = None
        left_nginx: dict[str, float] = {}

        def all_gone() -> bool:
            nonlocal left_etcd
            if left_etcd is None and not addresses_of(cluster, victim):
                left_etcd = time.monotonic()
            for lb in cluster.lbs:
                if lb.name not in left_nginx and not (lb.servers() & gone):
                    left_nginx[lb.name] = time.monotonic()
            return left_etcd is not None and len(left_nginx) == len(cluster.lbs)

        wait_for(all_gone, timeout=TTL + 40, interval=0.02, message=f"{victim.name}'s backends to leave nginx")
        time.sleep(1.5)                                 # and requests after that
    finally:
        prober.stop()
    samples = prober.taken()
    after = [s for s in samples if s.started + s.elapsed >= killed]
    slow = [s for s in after if s.elapsed >= SLOW or not s.ok]
    assert prober.failures() == [], failed(prober)
    assert after and len({s.target for s in after}) == 4
    last_slow = max((s.started + s.elapsed - killed for s in slow), default=0.0)
    timing("host death -> last slow (>= 0.8 s) or failed request answered", last_slow)
    timing("requests slowed by the dead host", len(slow), f"of {len(after)}")
    timing("slowest request while the host was dying", max(s.elapsed for s in after))
    assert left_etcd is not None
    timing(f"host death -> its keys expired (--ttl {TTL})", left_etcd - killed)
    timing("host death -> its backends gone from both nginx configurations", max(left_nginx.values()) - killed)
    for lb in cluster.lbs:                              # the live hosts' backends stayed
        assert lb.servers() == set(cluster.running("web").values()) | set(cluster.running("api").values())
        assert lb.served(WEB_HOST, "/", 12) == set(cluster.running("web"))


def test_the_host_comes_back_and_its_backends_return(tracked: Cluster, timing) -> None:
    """After the previous test h3 is dead (run alone, this test kills it first): packets flow
    again, dockerd is restarted, its containers come back by their restart policy (the same
    containers: none is created again), its sidekick registers them, both balancers route them."""
    cluster = tracked
    dead = cluster.dead_hosts()
    if not dead:
        heal(cluster)
        victim = cluster.hosts[-1]
        gone = addresses_of(cluster, victim)
        cluster.kill_host(victim)
        wait_for(lambda: all(not (lb.servers() & gone) for lb in cluster.lbs), timeout=TTL + 40)
        dead = [victim]
    victim = dead[0]
    revived = time.monotonic()
    cluster.revive_host(victim)
    timing("host back -> its dockerd answers", time.monotonic() - revived)
    wait_for(lambda: {n.split(".")[0] for n in victim.running()} >= set(LAYOUT), timeout=60,
             message=f"{victim.name}'s containers to be restarted by their restart policy")
    timing("host back -> its containers running again (restart policy)", time.monotonic() - revived)
    wait_layout_served(cluster)
    timing("host back -> its backends served through both balancers", time.monotonic() - revived)

    listed = victim.docker("ps", "-a", "--format", "{{.Names}} {{.State}} {{.CreatedAt}}").stdout.splitlines()
    assert len(listed) == len(LAYOUT) and all(" running " in line for line in listed), listed
    assert addresses_of(cluster, victim) == set(victim.running().values())
    for lb in cluster.lbs:
        assert set(victim.running().values()) <= lb.servers()


def test_one_balancer_killed_the_other_serves_and_a_restart_serves_the_current_pools(healthy: Cluster,
                                                                                        timing) -> None:
    """SIGKILL of lb1's balancer (its nginx gets QUIT from the kernel): lb2 serves every
    request meanwhile; the pools change while lb1 is down (a web container more on h2, h1's
    api container stopped); lb1 restarted serves the current pools, not what it had."""
    cluster = healthy
    lb1, lb2 = cluster.lbs
    h1, h2 = cluster.hosts[0], cluster.hosts[1]
    prober = Prober(layout_targets(cluster, [lb2]), interval=0.02, timeout=8).start()
    try:
        killed = time.monotonic()
        lb1.kill()
        timing("balancer SIGKILL -> its nginx gone", time.monotonic() - killed)
        with pytest.raises(OSError):
            lb1.get(WEB_HOST, timeout=2)
        stale = lb1.servers()
        extra = cluster.run(h2, "web", *LAYOUT["web"])
        stopped = next(n for n in h1.running() if n.startswith("api."))
        h1.docker("stop", "-t", "5", stopped)
        web, api = set(cluster.running("web")), set(cluster.running("api"))
        assert extra in web and stopped not in api
        cluster.wait_served(web, lbs=[lb2])
        cluster.wait_served(api, path="/api/", lbs=[lb2])
        restarted = time.monotonic()
        lb1.start()
        cluster.wait_served(web, lbs=[lb1])
        cluster.wait_served(api, path="/api/", lbs=[lb1])
        timing("new balancer -> current pools served", time.monotonic() - restarted)
    finally:
        prober.stop()
    assert prober.failures() == [], failed(prober)
    assert prober.ok_count() > 0
    assert lb1.servers() == lb2.servers() != stale


def test_rolling_replacement_across_all_hosts_under_load_fails_no_request(healthy: Cluster, timing) -> None:
    """Every container of every host replaced one at a time (start the new one, wait until
    both balancers serve it, stop the old one gracefully) under unpaced load through both
    balancers, on both services: not one failed request."""
    cluster = healthy
    prober = Prober(layout_targets(cluster), threads=1, interval=0.0, timeout=8).start()
    started = time.monotonic()
    replaced = 0
    try:
        for host in cluster.hosts:
            for service, labels in LAYOUT.items():
                old = next(n for n in host.running() if n.startswith(f"{service}."))
                old_address = host.running()[old]
                new = cluster.run(host, service, *labels)
                wait_for(lambda n=new, s=service: all(n in lb.served(WEB_HOST, PATHS[s], 12) for lb in cluster.lbs),
                         timeout=60, message=f"{new} to be served through both balancers")
                host.docker("stop", "-t", "5", old)
                wait_for(lambda a=old_address: all(a not in lb.servers() for lb in cluster.lbs), timeout=60,
                         message=f"{old} to leave both balancers")
                host.docker("rm", old)
                replaced += 1
    finally:
        prober.stop()
    elapsed = time.monotonic() - started
    samples = prober.taken()
    assert prober.failures() == [], failed(prober)
    assert replaced == len(cluster.hosts) * len(LAYOUT)
    wait_layout_served(cluster)
    latencies = [s.elapsed for s in samples]
    timing("rolling replacement: containers replaced", replaced, f"in {elapsed:.0f} s")
    timing("rolling replacement: requests through both balancers, 0 failed", len(samples), "requests")
    timing("rolling replacement: through the balancers", len(samples) / elapsed, "req/s")
    timing("rolling replacement: p99", p(latencies, 99) * 1000, "ms")


def test_two_hundred_containers_across_the_hosts_registered_and_rendered(healthy: Cluster, timing) -> None:
    """200 containers started across the three hosts at once: all registered and rendered by
    both balancers, nginx reloaded about once a second (not once per container); then all
    removed, and gone from both."""
    cluster = healthy
    count = 200
    plan = [(cluster.hosts[i % len(cluster.hosts)], f"bulk.h{i % len(cluster.hosts) + 1}.{i:03d}") for i in range(count)]
    before = [lb.reloads() for lb in cluster.lbs]

    def run(item: tuple[SimHost, str]) -> None:
        host, name = item
        host.docker("run", "-d", "--name", name, "-l", "sidekick.service=bulk", "-l", "sidekick.hosts=bulk.cluster.test",
                    "-p", "80", IMAGE, timeout=300)

    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=3 * len(cluster.hosts)) as pool:
            list(pool.map(run, plan))
        timing("200 x docker run on 3 hosts", time.monotonic() - started)
        wait_for(lambda: len(cluster.keys("bulk")) == count, timeout=300, interval=0.2,
                 message=f"{count} keys (now {len(cluster.keys('bulk'))})")
        registering = time.monotonic() - started
        timing("first docker run -> 200 keys", registering)
        keys = cluster.keys("bulk")
        for lb in cluster.lbs:
            wait_for(lambda lb=lb: keys <= lb.servers(), timeout=120, interval=0.1,
                     message=f"{lb.name} to render the 200 (now {len(keys & lb.servers())})")
        timing("first docker run -> 200 rendered by both balancers", time.monotonic() - started)
        running = {a for h in cluster.hosts for n, a in h.running().items() if n.startswith("bulk.")}
        assert keys == running and len(running) == count
        assert {a.rsplit(":", 1)[0] for a in keys} == {h.advertised for h in cluster.hosts}
        for lb in cluster.lbs:
            assert lb.get("bulk.cluster.test") == (200, "lb-cluster-httpd\n")
        counts = [lb.reloads() - b for lb, b in zip(cluster.lbs, before)]
        for lb, reloads in zip(cluster.lbs, counts):
            timing(f"{lb.name}: nginx reloads for the 200 registrations over {registering:.0f} s", reloads, "reloads")
            # renders are at least --debounce-max (1 s) apart
            assert 1 <= reloads <= int(registering / 1.0) + 2, f"{lb.name}: {reloads} reloads in {registering:.1f}s"
            assert lb.balancer.count(" ERROR ") == 0
    finally:
        removing = time.monotonic()

        def remove(host: SimHost) -> None:
            names = [n for n in host.running() if n.startswith("bulk.")]
            for i in range(0, len(names), 50):
                host.docker("rm", "-f", *names[i:i + 50], timeout=300)

        with ThreadPoolExecutor(max_workers=len(cluster.hosts)) as pool:
            list(pool.map(remove, cluster.live_hosts()))
    wait_for(lambda: not cluster.keys("bulk") and all("svc_bulk" not in lb.config() for lb in cluster.lbs),
             timeout=120, interval=0.1, message="the 200 to leave etcd and both balancers")
    timing("docker rm -f of the 200 -> gone from both balancers", time.monotonic() - removing)
    wait_layout_served(cluster)
