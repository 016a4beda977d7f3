"""units/ run for real: Debian's systemd as PID 1 in a container per simulated host.

Three simulated hosts (tests/procs: network namespaces, each with its own dockerd).  On each
host, a container of the image ``systemd-host`` (images/systemd-host: systemd, the sidekick as
/usr/local/bin/sidekick, stand-in etcd.service/docker.service) runs on the host's own dockerd
with ``--network host`` (the host's namespace) and that dockerd's socket (and the machine's
docker CLI) mounted, so its units drive the host's dockerd: containers are published on the
host's own address, and nothing of the test runs on the machine's dockerd.  The
units are copied into ``/etc/systemd/system`` as they are; ``/etc/environment`` says what a
CoreOS machine's says (COREOS_PRIVATE_IPV4/COREOS_PUBLIC_IPV4 = the host's address) plus
ETCD_ENDPOINTS (an etcd on 127.0.0.1 that also listens on the root namespace's end of every
host's link, so that nginx_lb's container in h3 reaches it), the locally built images and the
routed host name.

h1 and h2: ``systemctl start apache@8081 apache-discovery@8081`` (then the same with the
host-wide ``sidekick.service``); h3: ``systemctl start nginx_lb``.  Traffic (to h3's address)
reaches both apache containers (the run's hosts route to each other through the root
namespace, as one network, for this test only); ``systemctl stop apache@8081`` on h1 takes it out of etcd
before the stop returns and out of nginx within seconds, with no failed request meanwhile.
"""
from __future__ import annotations

import contextlib
import http.client
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from procs import EtcdServer, wait_for
from procs.apache import build_images
from procs.cluster import Cluster
from procs.dockerd import DOCKER
from procs.hostns import SimHost

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "units"
UNIT_FILES = ("apache@.service", "apache-discovery@.service", "nginx_lb.service", "sidekick.service")
SYSTEMD_IMAGE = "systemd-host:latest"
ROUTED = "units.test"                # APACHE_HOSTS: the Host header nginx_lb routes to apache
PORT = "8081"
# nginx_lb.service mounts this path of the machine (the hosts' dockerds run in its mount
# namespace): Docker makes it when it is missing, and the fixture removes it again.
CERTS = Path("/etc/nginx/certs")


class WideEtcd(EtcdServer):
    """A one-member etcd on 127.0.0.1 that also listens on the root namespace's end of every
    simulated host's link (the only address a container in a simulated host can reach)."""

    def __init__(self, workdir: Path, extra_ips: list[str]) -> None:
        super().__init__(workdir)
        self.extra_ips = extra_ips

    def argv(self) -> list[str]:
        argv = super().argv()
        urls = [self.endpoint] + [f"http://{ip}:{self.port}" for ip in self.extra_ips]
        argv[argv.index("--listen-client-urls") + 1] = ",".join(urls)
        return argv


class Machine:
    """A simulated host with systemd: the SimHost, and the systemd container that drives it."""

    def __init__(self, host: SimHost, prefix: str) -> None:
        self.host = host
        self.container = f"{prefix}-systemd-{host.name}"

    def start(self, environment: dict[str, str]) -> None:
        self.host.docker("run", "-d", "--name", self.container, "--network", "host",
                         "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
                         "--security-opt", "apparmor=unconfined", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
                         "--tmpfs", "/run", "--tmpfs", "/run/lock", "-e", "container=docker",
                         "-v", f"{self.host.sock}:/var/run/docker.sock", "-v", f"{DOCKER}:/usr/bin/docker:ro",
                         SYSTEMD_IMAGE)
        wait_for(lambda: self.exec("systemctl", "is-system-running", check=False).stdout.strip()
                 in ("running", "degraded"), timeout=60, interval=0.2,
                 message=f"{self.container}: systemd running")
        for name in UNIT_FILES:
            self.host.docker("cp", str(UNITS / name), f"{self.container}:/etc/systemd/system/{name}")
        text = "".join(f"{k}={v}\n" for k, v in environment.items())
        self.exec("sh", "-c", f"cat >/etc/environment <<'EOF'\n{text}EOF\n")
        self.exec("systemctl", "daemon-reload")

    def exec(self, *argv: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return self.host.docker("exec", self.container, *argv, check=check, timeout=timeout)

    def systemctl(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return self.exec("systemctl", "--no-ask-password", *argv)

    def active(self, unit: str) -> str:
        return self.exec("systemctl", "is-active", unit, check=False).stdout.strip()

    def journal(self) -> str:
        return self.exec("journalctl", "--no-pager", "-n", "150", check=False).stdout

    def hostname_of(self, container: str) -> str:
        """The page an apache container serves: its host name (its short id)."""
        return self.host.docker("inspect", "-f", "{{.Config.Hostname}}", container).stdout.strip()

    def remove(self) -> None:
        self.host.docker("rm", "-f", self.container, check=False, timeout=60)


def copy_image(host: SimHost, image: str) -> None:
    """`docker save IMAGE | docker -H <host> load`: the host's data root starts empty."""
    with subprocess.Popen([DOCKER, "save", image], stdout=subprocess.PIPE) as save:
        res = subprocess.run([DOCKER, "-H", f"unix://{host.sock}", "load"], stdin=save.stdout,
                             capture_output=True, text=True, timeout=300)
    assert res.returncode == 0 and save.returncode == 0, f"{host.name}: load {image}: {res.stderr}"


class Site:
    """Everything of the module: hosts, etcd, the systemd containers."""

    def __init__(self, cluster: Cluster, etcd: WideEtcd, machines: dict[str, Machine]) -> None:
        self.cluster, self.etcd, self.machines = cluster, etcd, machines
        self.lb_ip = machines["h3"].host.ip

    def get(self, timeout: float = 5.0) -> tuple[int, str]:
        conn = http.client.HTTPConnection(self.lb_ip, 80, timeout=timeout)
        try:
            conn.request("GET", "/", headers={"Host": ROUTED})
            resp = conn.getresponse()
            return resp.status, resp.read().decode(errors="replace").strip()
        finally:
            conn.close()

    def served(self, n: int = 12) -> set[str]:
        pages = set()
        for _ in range(n):
            status, body = self.get()
            if status != 200:
                return {f"status {status}"}
            pages.add(body)
        return pages

    def keys(self) -> set[str]:
        return {meta.key.decode().rsplit("/", 1)[-1]
                for _value, meta in self.etcd.client().get_prefix("/services/apache/")}

    def diagnostics(self) -> str:
        return "\n".join(f"==== {name} journal\n{m.journal()}" for name, m in self.machines.items())

    def wait(self, predicate: object, what: str, timeout: float = 90) -> None:
        try:
            wait_for(predicate, timeout=timeout, interval=0.2, message=what)  # type: ignore[arg-type]
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nkeys {self.keys()}\n{self.diagnostics()}") from None


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(list(argv), capture_output=True, text=True, timeout=30)
    assert res.returncode == 0 or not check, f"{' '.join(argv)}: {res.stderr}"
    return res


def forward_rule(cluster: Cluster) -> list[str]:
    """The DOCKER-USER rule that lets the run's hosts reach each other through the root
    namespace (the FORWARD policy is DROP where dockerd runs): between the run's veths only."""
    veths = f"{cluster.prefix}v+"
    return ["DOCKER-USER", "-i", veths, "-o", veths, "-j", "ACCEPT"]


def link_hosts(cluster: Cluster) -> None:
    """One network for the run's hosts, as machines of a fleet cluster have: each host routes
    the run's /24 through the root namespace's end of its link (still no default route), and
    the root namespace forwards between the run's links."""
    sh("iptables", "-I", *forward_rule(cluster))
    for host in cluster.hosts:
        sh("ip", "-n", host.netns, "route", "add", f"{cluster.subnet}.0/24", "via", host.outer_ip)


def unlink_hosts(cluster: Cluster) -> list[str]:
    res = sh("iptables", "-D", *forward_rule(cluster), check=False)
    return [] if res.returncode == 0 else [f"iptables -D {forward_rule(cluster)}: {res.stderr}"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, docker_daemon: str) -> Iterator[Site]:
    build_images("apache", "nginx_lb", "systemd-host")
    workdir = tmp_path_factory.mktemp("units-systemd")
    cluster = Cluster(workdir, hosts=3, balancers=0, etcd_members=0)
    machines: dict[str, Machine] = {}
    etcd: WideEtcd | None = None
    errors: list[str] = []
    linked = False
    made_certs = not CERTS.exists()
    try:
        cluster.start()
        link_hosts(cluster)
        linked = True
        copies = [(cluster.host("h1"), "apache:latest"), (cluster.host("h2"), "apache:latest"),
                  (cluster.host("h3"), "nginx_lb:latest")] + [(h, SYSTEMD_IMAGE) for h in cluster.hosts]
        with ThreadPoolExecutor(max_workers=len(copies)) as pool:
            for future in [pool.submit(copy_image, host, image) for host, image in copies]:
                future.result()
        etcd = WideEtcd(workdir / "etcd", [h.outer_ip for h in cluster.hosts])
        etcd.start()
        assert cluster.state is not None
        cluster.state.add_pid(etcd.pid)
        for host in cluster.hosts:
            machine = machines[host.name] = Machine(host, cluster.prefix)
            machine.start({
                "COREOS_PRIVATE_IPV4": host.ip,
                "COREOS_PUBLIC_IPV4": host.ip,
                # Reached from the sidekick (root namespace) and from nginx_lb's container.
                "ETCD_ENDPOINTS": f"http://{host.outer_ip}:{etcd.port}",
                "APACHE_IMAGE": "apache:latest",
                "NGINX_LB_IMAGE": "nginx_lb:latest",
                "APACHE_HOSTS": ROUTED,
            })
        yield Site(cluster, etcd, machines)
    finally:
        for machine in machines.values():
            machine.remove()
        if etcd is not None:
            etcd.close()
        errors = unlink_hosts(cluster) if linked else []
        if made_certs:
            with contextlib.suppress(OSError):
                CERTS.rmdir()                  # only when empty: what Docker made
        errors += cluster.close()
        left = cluster.leftovers()
    assert errors == [] and left == [], f"teardown: errors {errors}, left behind {left}"


def scenario(site: Site, sidekick_units: list[str], timing: object) -> None:
    h1, h2, h3 = (site.machines[n] for n in ("h1", "h2", "h3"))
    try:
        h3.systemctl("start", "nginx_lb.service")
        for m in (h1, h2):
            m.systemctl("start", f"apache@{PORT}.service", *sidekick_units)
        for m in (h1, h2):
            site.wait(lambda m=m: m.active(f"apache@{PORT}.service") == "active"
                      and m.host.docker("inspect", f"apache.{PORT}", check=False).returncode == 0,
                      f"{m.host.name}: apache@{PORT} running")
        pages = {m.host.name: m.hostname_of(f"apache.{PORT}") for m in (h1, h2)}
        site.wait(lambda: site.keys() == {f"{h1.host.ip}:{PORT}", f"{h2.host.ip}:{PORT}"},
                  "both apache containers registered in etcd")
        site.wait(lambda: site.served() == set(pages.values()), f"nginx_lb on h3 serving both {pages}")

        # Stop h1's apache while requests flow: it leaves the pool, no request fails.
        failures: list[str] = []
        answered: list[str] = []
        stop = threading.Event()

        def probe() -> None:
            while not stop.is_set():
                try:
                    status, body = site.get()
                    (answered if status == 200 else failures).append(body if status == 200 else str(status))
                except OSError as exc:
                    failures.append(repr(exc))

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        time.sleep(0.5)
        began = time.monotonic()
        h1.systemctl("stop", f"apache@{PORT}.service")
        stopped = time.monotonic() - began
        keys_after_stop = site.keys()
        site.wait(lambda: site.served(6) == {pages["h2"]}, "nginx_lb serving h2 only", timeout=10)
        out_of_nginx = time.monotonic() - began
        time.sleep(0.5)
        stop.set()
        prober.join(10)
        timing("systemctl stop apache@ (docker stop, graceful)", stopped)   # type: ignore[operator]
        timing("stop -> out of nginx_lb", out_of_nginx)                       # type: ignore[operator]
        assert keys_after_stop == {f"{h2.host.ip}:{PORT}"}, \
            f"h1's key still in etcd when systemctl stop returned: {keys_after_stop}\n{site.diagnostics()}"
        assert failures == [], f"requests failed during the stop: {failures[:5]}"
        assert pages["h1"] in answered and pages["h2"] in answered
        assert h1.active(f"apache@{PORT}.service") == "inactive"
        if sidekick_units == [f"apache-discovery@{PORT}.service"]:
            assert h1.active(f"apache-discovery@{PORT}.service") == "inactive", "BindsTo= did not stop it"
        else:
            assert h1.active("sidekick.service") == "active"
        assert h1.host.docker("inspect", f"apache.{PORT}", "-f", "{{.State.Running}}").stdout.strip() == "false"
    finally:
        for m in (h1, h2):
            with contextlib.suppress(Exception):
                m.systemctl("stop", f"apache@{PORT}.service", *sidekick_units)
        with contextlib.suppress(Exception):
            h3.systemctl("stop", "nginx_lb.service")


def test_units_under_systemd_apache_discovery(site: Site, timing: object) -> None:
    scenario(site, [f"apache-discovery@{PORT}.service"], timing)


def test_units_under_systemd_hostwide_sidekick(site: Site, timing: object) -> None:
    scenario(site, ["sidekick.service"], timing)
