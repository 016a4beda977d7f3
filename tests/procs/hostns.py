"""Simulated Docker hosts on this machine: each a network namespace with its own address (a
veth pair to the root namespace), its own dockerd (socket, data root, exec root, bridge,
containerd namespace) started with ``nsenter --net``, and a teardown that removes all of it,
also what a run killed with SIGKILL left behind.

Every resource of one run is named with the run's prefix (``lbc`` + 5 hex digits): the
namespaces (``<prefix>h1``), the root-namespace veth ends (``<prefix>v1``), the directories
(``/run/lb-cluster/<prefix>``, ``/var/lib/lb-cluster/<prefix>``) and so every mount, socket and
daemon command line.  A state file (``/run/lb-cluster/<prefix>.json``) lists what was made,
with the pid (and start time) of the process that owns the run; `sweep_stale()` tears down
the runs whose owner is gone.

Why ``nsenter --net`` and not ``ip netns exec``: the latter remounts /sys, and dockerd then
stops with "Devices cgroup isn't mounted".  Why the host address is on a /30 with no default
route: nothing in a simulated host can send a packet anywhere but to the root namespace's end
of its own link.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .base import ManagedProcess, stat_fields, wait_for, which
from .dockerd import DOCKER

RUN_BASE = Path("/run/lb-cluster")          # exec roots, sockets, state files: short paths (unix sockets)
DATA_BASE = Path("/var/lib/lb-cluster")     # data roots: image layers and containers, on disk
SUBNETS = RUN_BASE / "subnets"              # one file per 10.213.X.0/24 in use, naming its run
SHIM_SOCKETS = Path("/run/containerd/s")    # where containerd 1.6 puts every shim's socket
NETNS_DIR = Path("/var/run/netns")
SUBNET_BASE = "10.213"


def new_prefix() -> str:
    return "lbc" + "".join(random.choice("0123456789abcdef") for _ in range(5))


def run(*argv: str, check: bool = True, timeout: float = 60, **kw: Any) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False, **kw)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({res.returncode}): {res.stderr.strip()}{res.stdout.strip()}")
    return res


def in_netns(netns: str, *argv: str) -> list[str]:
    """argv run inside the namespace's network (and nothing else: /sys and the mounts stay)."""
    return [which("nsenter"), f"--net={NETNS_DIR / netns}", *argv]


def start_time(pid: int) -> str | None:
    """The process's start time (field 22 of /proc/PID/stat): a pid and its start time name
    one process, even after the pid is reused."""
    fields = stat_fields(pid)
    return fields[19] if fields and fields[0] != "Z" else None


# --------------------------------------------------------------------------- run state


class RunState:
    """What one run made, in ``/run/lb-cluster/<prefix>.json``, written as each thing is made
    (so that a run killed half-way is torn down all the same)."""

    def __init__(self, prefix: str, detached: bool = False) -> None:
        self.prefix = prefix
        self.path = RUN_BASE / f"{prefix}.json"
        self._lock = threading.RLock()           # hosts come up on threads of their own
        me = os.getpid()
        self.data: dict[str, Any] = {
            "prefix": prefix, "owner": [me, start_time(me)], "detached": detached,
            "netns": [], "links": [], "pids": [], "roots": [], "dirs": [], "subnet": None,
            "shims": [],   # [exec root, containerd namespace, data root] per host
        }
        RUN_BASE.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)   # the prefix is ours alone
        os.close(fd)
        self.save()

    def save(self) -> None:
        with self._lock:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data, indent=1))
            os.replace(tmp, self.path)

    def add(self, kind: str, value: Any) -> None:
        with self._lock:
            if value in self.data[kind]:
                return
            self.data[kind].append(value)
        self.save()

    def add_pid(self, pid: int | None) -> None:
        if pid is not None:
            self.add("pids", [pid, start_time(pid)])

    def set(self, kind: str, value: Any) -> None:
        self.data[kind] = value
        self.save()


def reserve_subnet(state: RunState) -> str:
    """A 10.213.X.0/24 that no address or route of this machine uses and no other run holds:
    reserved with an O_EXCL file naming the run."""
    SUBNETS.mkdir(parents=True, exist_ok=True)
    used = run("ip", "-4", "-o", "addr", "show").stdout + run("ip", "-4", "route", "show", "table", "all").stdout
    candidates = list(range(1, 255))
    random.shuffle(candidates)
    for x in candidates:
        subnet = f"{SUBNET_BASE}.{x}"
        if f"{subnet}." in used:
            continue
        try:
            fd = os.open(SUBNETS / subnet, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as f:
            f.write(state.prefix + "\n")
        state.set("subnet", subnet)
        return subnet
    raise RuntimeError(f"no free {SUBNET_BASE}.X.0/24 left")


# --------------------------------------------------------------------------- one host


class HostDockerd(ManagedProcess):
    """The host's dockerd, in its namespace: ``nsenter --net=... dockerd`` (nsenter execs it,
    so the pid is dockerd's)."""

    name = "dockerd"

    def __init__(self, host: SimHost) -> None:
        super().__init__(host.logdir / "dockerd.log")
        self.host = host
        self.name = f"dockerd {host.name}"

    def start(self, timeout: float = 90.0) -> HostDockerd:
        h = self.host
        # A SIGKILLed daemon leaves its pid files: a reused pid would pass for a live one.
        for stale in (h.pidfile, h.exec_root / "containerd" / "containerd.pid"):
            stale.unlink(missing_ok=True)
        config = h.sock.with_suffix(".json")        # not the machine's /etc/docker/daemon.json
        config.write_text("{}\n")
        self._spawn(in_netns(h.netns, which("dockerd"), "--config-file", str(config),
                             "--host", f"unix://{h.sock}", "--pidfile", str(h.pidfile),
                             "--data-root", str(h.data_root), "--exec-root", str(h.exec_root),
                             "--bip", h.bip, "--containerd-namespace", h.netns,
                             "--containerd-plugins-namespace", h.netns + "p",
                             "--userland-proxy=false"))
        h.state.add_pid(self.pid)
        self._wait_ready(lambda: h.docker("info", check=False, timeout=15).returncode == 0,
                         time.monotonic() + timeout, f"did not answer `docker info` within {timeout}s", 0.1)
        return self


class SimHost:
    """Host ``name`` (h1, h2...) of a run: namespace ``<prefix><name>`` with address
    ``10.213.X.(4i+2)``/30 on its ``eth0``, the root namespace's end ``<prefix>v<i>`` at
    ``10.213.X.(4i+1)``, and a dockerd of its own."""

    def __init__(self, state: RunState, index: int, subnet: str, logdir: Path) -> None:
        self.state = state
        self.index = index
        self.name = f"h{index}"
        prefix = state.prefix
        self.netns = f"{prefix}{self.name}"
        self.veth = f"{prefix}v{index}"
        self.outer_ip = f"{subnet}.{4 * index + 1}"
        self.ip = f"{subnet}.{4 * index + 2}"
        run_dir, data_dir = RUN_BASE / prefix, DATA_BASE / prefix
        self.exec_root = run_dir / self.name
        self.sock = run_dir / f"{self.name}.sock"
        self.pidfile = run_dir / f"{self.name}.pid"
        self.data_root = data_dir / self.name
        self.bip = f"172.30.{index}.1/24"            # inside the namespace: never seen outside it
        self.logdir = logdir / self.name
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.dockerd = HostDockerd(self)
        self.dropping = False

    def __repr__(self) -> str:
        return f"SimHost({self.name}, {self.ip})"

    # -- network

    def create(self) -> None:
        """The namespace, its link and addresses, and the host's directories."""
        st = self.state
        for d in (RUN_BASE / st.prefix, DATA_BASE / st.prefix):
            d.mkdir(parents=True, exist_ok=True)
            st.add("dirs", str(d))
            st.add("roots", str(d))
        st.add("shims", [str(self.exec_root), self.netns, str(self.data_root)])
        st.add("netns", self.netns)
        run("ip", "netns", "add", self.netns)
        st.add("links", self.veth)
        run("ip", "link", "add", self.veth, "type", "veth", "peer", "name", "eth0", "netns", self.netns)
        run("ip", "addr", "add", f"{self.outer_ip}/30", "dev", self.veth)
        run("ip", "link", "set", self.veth, "up")
        run("ip", "-n", self.netns, "addr", "add", f"{self.ip}/30", "dev", "eth0")
        run("ip", "-n", self.netns, "link", "set", "eth0", "up")
        run("ip", "-n", self.netns, "link", "set", "lo", "up")
        self.exec_root.mkdir(parents=True, exist_ok=True)
        self.data_root.mkdir(parents=True, exist_ok=True)

    def power_cycle(self) -> None:
        """What a power cycle wipes, after kill_everything(): every mount (the containers' root
        file systems and network namespaces), /run (the exec root: containerd's state; the shims'
        sockets) and the kernel's network state (the namespace is made anew: links, bridge,
        iptables rules, conntrack).  The data root (the disk) stays: dockerd finds its containers
        there and restarts them by their restart policy.  (Keeping the old kernel state instead
        is not a reboot: a restarted container can then share its bridge address with the
        previous run's network namespace, which still answers with resets.)"""
        for _ in range(5):
            points = mounts_under([str(self.exec_root), str(self.data_root)])
            if not points:
                break
            for point in points:
                run("umount", "-l", point, check=False)
        for sock in shim_sockets(str(self.exec_root), self.netns, str(self.data_root)):
            sock.unlink(missing_ok=True)
        run("rm", "-rf", "--one-file-system", str(self.exec_root), timeout=120)
        if Path(f"/sys/class/net/{self.veth}").exists():
            run("ip", "link", "delete", self.veth, check=False)
        run("ip", "netns", "delete", self.netns, check=False)
        wait_for(lambda: not Path(f"/sys/class/net/{self.veth}").exists() and not (NETNS_DIR / self.netns).exists(),
                 timeout=10, ignore=(), message=f"{self.name}'s old link and namespace to go")
        self.dropping = False
        self.create()

    def drop_packets(self) -> None:
        """Every packet that reaches the host over its link is dropped before anything sees it
        (raw PREROUTING: the INPUT chain never sees traffic DNATed to published ports): its
        backends stop answering without a reset, as a host that lost power."""
        run(*in_netns(self.netns, which("iptables"), "-t", "raw", "-I", "PREROUTING", "-i", "eth0", "-j", "DROP"))
        self.dropping = True

    # -- processes

    def netns_inode(self) -> int | None:
        try:
            return os.stat(NETNS_DIR / self.netns).st_ino
        except OSError:
            return None

    def kill_everything(self) -> list[int]:
        """SIGKILL dockerd and every process of the host: containerd, the shims, the containers
        (a container's init dies, and with it its whole pid namespace).  Returns the pids."""
        self.dockerd.kill()
        inode = self.netns_inode()
        return kill_processes(netns_inodes={inode} if inode else set())

    # -- docker

    def docker(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        res = subprocess.run([DOCKER, "-H", f"unix://{self.sock}", *args], capture_output=True, text=True,
                             timeout=timeout, check=False)
        if check and res.returncode != 0:
            raise RuntimeError(f"{self.name}: docker {' '.join(args)} failed ({res.returncode}):\n"
                               f"{res.stderr}{res.stdout}")
        return res

    def load_image(self, tarball: Path, tag: str, cmd: str) -> None:
        """``docker import`` the rootfs tarball as ``tag`` (a busybox image: two tenths of a
        second; no registry here, and the host's data root starts empty)."""
        if self.docker("image", "inspect", tag, check=False).returncode == 0:
            return
        with open(tarball, "rb") as f:
            res = subprocess.run([DOCKER, "-H", f"unix://{self.sock}", "import", "-c", f"CMD {cmd}",
                                  "-c", "EXPOSE 80", "-", tag], stdin=f, capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            raise RuntimeError(f"{self.name}: docker import {tag} failed: {res.stderr}")

    def running(self) -> dict[str, str]:
        """name -> registered address (``IP:PORT``, the port published on 0.0.0.0) of every running
        container publishing port 80."""
        out = self.docker("ps", "--format", "{{.Names}}\t{{.Ports}}", timeout=60).stdout
        found = {}
        for line in out.splitlines():
            name, _, ports = line.partition("\t")
            for item in ports.split(", "):
                if item.startswith("0.0.0.0:") and item.endswith("->80/tcp"):
                    found[name] = f"{self.ip}:{item[len('0.0.0.0:'):-len('->80/tcp')]}"
        return found


# --------------------------------------------------------------------------- finding and killing


def _pids() -> list[int]:
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _command(pid: int) -> str:
    return _read(f"/proc/{pid}/cmdline").replace(b"\0", b" ").decode(errors="replace").strip()[:160]


def _ancestors(pid: int) -> set[int]:
    seen = set()
    while pid > 1 and pid not in seen:
        seen.add(pid)
        fields = stat_fields(pid)
        if not fields:
            break
        pid = int(fields[1])
    return seen


def _mentions(pid: int, ppid: int, marks: list[bytes]) -> bool:
    text = _read(f"/proc/{pid}/cmdline") + b"\0" + _read(f"/proc/{pid}/environ")
    if any(m in text for m in marks):
        return True
    if ppid != 1:                   # open files count for orphans only: not for a `tail -f` of a log
        return False
    links = [f"/proc/{pid}/cwd"]
    with contextlib.suppress(OSError):
        links += [f"/proc/{pid}/fd/{fd}" for fd in os.listdir(f"/proc/{pid}/fd")]
    for link in links:
        with contextlib.suppress(OSError):
            target = os.readlink(link).encode()
            if any(m in target for m in marks):
                return True
    return False


def find_processes(netns_inodes: Iterable[int] = (), markers: Iterable[str] = (),
                   pids: Iterable[tuple[int, str | None]] = ()) -> set[int]:
    """Live processes (zombies left out) that are in one of the network namespaces, or that
    name one of the markers (command line or environment; for an orphan also its working
    directory or an open file: an nginx worker has only its log files to tell whose it is), or
    that are one of the recorded
    (pid, start time) pairs, plus all their descendants.  Never this process or its
    ancestors."""
    inodes, marks = set(netns_inodes), [m.encode() for m in markers]
    parent: dict[int, int] = {}
    found: set[int] = set()
    for pid in _pids():
        fields = stat_fields(pid)
        if not fields or fields[0] == "Z":
            continue
        parent[pid] = int(fields[1])
        if inodes:
            with contextlib.suppress(OSError):
                if os.stat(f"/proc/{pid}/ns/net").st_ino in inodes:
                    found.add(pid)
                    continue
        if marks and _mentions(pid, parent[pid], marks):
            found.add(pid)
    for pid, started in pids:
        if pid in parent and started is not None and start_time(pid) == started:
            found.add(pid)
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    todo = list(found)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found - _ancestors(os.getpid())


def kill_processes(**what: Any) -> list[int]:
    """SIGKILL what find_processes(**what) finds, again until nothing is left (10 rounds).

    Each round first stops them all (SIGSTOP) and looks again, until no new one appears: a
    parent killed after its child could start another one first (an nginx master respawns a
    killed worker), and that orphan would name nothing of ours."""
    killed: list[int] = []
    for _ in range(10):
        found = find_processes(**what)
        if not found:
            break
        stopped: set[int] = set()
        while found - stopped:
            for pid in found - stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGSTOP)
            stopped |= found
            found |= find_processes(**what)
        for pid in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        killed.extend(found)
        time.sleep(0.1)
    return killed


def shim_sockets(exec_root: str, namespace: str, data_root: str) -> list[Path]:
    """Sockets containerd 1.6 made in /run/containerd/s for this daemon's containers (named
    sha256(<containerd address>/<namespace>/<container id>)); a SIGKILLed shim leaves its own."""
    address = os.path.join(exec_root, "containerd", "containerd.sock")
    try:
        ids = os.listdir(os.path.join(data_root, "containers"))
    except OSError:
        return []
    return [SHIM_SOCKETS / hashlib.sha256(os.path.join(address, namespace, cid).encode()).hexdigest()
            for cid in ids]


def mounts_under(roots: Iterable[str]) -> list[str]:
    """Mount points at or under any of the roots, deepest first."""
    roots = [r.rstrip("/") for r in roots]
    points = []
    for line in _read("/proc/self/mountinfo").decode(errors="replace").splitlines():
        fields = line.split()
        if len(fields) < 5:
            continue
        point = fields[4].encode().decode("unicode_escape")        # \040 etc.
        if any(point == r or point.startswith(r + "/") for r in roots):
            points.append(point)
    return sorted(set(points), key=lambda p: (-p.count("/"), p))


def teardown_state(data: dict[str, Any]) -> list[str]:
    """Remove what a run's state lists: processes (recorded pids, anything in its namespaces or
    naming its prefix, and their descendants), shim sockets, mounts, namespaces, links,
    directories, the subnet reservation and the state file.  Returns the errors met (each step
    runs whatever the earlier ones did)."""
    errors: list[str] = []
    prefix = data["prefix"]
    inodes = set()
    for netns in data["netns"]:
        with contextlib.suppress(OSError):
            inodes.add(os.stat(NETNS_DIR / netns).st_ino)
    kill_processes(netns_inodes=inodes, markers=[prefix],
                   pids=[(int(p), s) for p, s in data["pids"]])
    for exec_root, namespace, data_root in data.get("shims", []):
        for sock in shim_sockets(exec_root, namespace, data_root):
            with contextlib.suppress(FileNotFoundError):
                sock.unlink()
    for _ in range(5):
        points = mounts_under(data["roots"])
        if not points:
            break
        for point in points:
            run("umount", "-l", point, check=False)
    else:
        errors.append(f"still mounted: {mounts_under(data['roots'])}")
    for netns in data["netns"]:
        if (NETNS_DIR / netns).exists():
            res = run("ip", "netns", "delete", netns, check=False)
            if res.returncode != 0:
                errors.append(f"ip netns delete {netns}: {res.stderr.strip()}")
    for link in data["links"]:
        if Path(f"/sys/class/net/{link}").exists():
            run("ip", "link", "delete", link, check=False)
    with contextlib.suppress(AssertionError):
        # the veth pair goes with the namespace, a moment later
        wait_for(lambda: not any(Path(f"/sys/class/net/{link}").exists() for link in data["links"]),
                 timeout=10, ignore=())
    for link in data["links"]:
        if Path(f"/sys/class/net/{link}").exists():
            errors.append(f"link {link} is still there")
    for d in data["dirs"]:
        res = run("rm", "-rf", "--one-file-system", d, check=False, timeout=300)
        if res.returncode != 0:
            errors.append(f"rm -rf {d}: {res.stderr.strip()}")
    if data.get("subnet"):
        reservation = SUBNETS / data["subnet"]
        with contextlib.suppress(OSError):
            if reservation.read_text().strip() == prefix:
                reservation.unlink()
    (RUN_BASE / f"{prefix}.json").unlink(missing_ok=True)
    return errors


def owner_alive(data: dict[str, Any]) -> bool:
    pid, started = data["owner"]
    return bool(start_time(int(pid)) == started)


def stale_states(include_detached: bool = False) -> list[dict[str, Any]]:
    """States of runs whose owner is gone (detached runs, e.g. the demo's, only when asked)."""
    found = []
    for path in sorted(RUN_BASE.glob("lbc*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if data.get("detached") and not include_detached:
            continue
        if data.get("detached") or not owner_alive(data):
            found.append(data)
    return found


def sweep_stale(include_detached: bool = False) -> list[str]:
    """Tear down every run whose owner died without tearing it down; their prefixes."""
    swept = []
    for data in stale_states(include_detached):
        teardown_state(data)
        swept.append(data["prefix"])
    return swept


def leftovers(prefix: str, subnet: str | None = None) -> list[str]:
    """Anything of run `prefix` still on this machine: namespaces, links, processes naming it
    (command line or environment), mounts, directories, its state file, its subnet's
    reservation and addresses."""
    found = []
    netns = run("ip", "netns", "list", check=False).stdout.split()
    found += [f"namespace {n}" for n in netns if n.startswith(prefix)]
    found += [f"link {n}" for n in os.listdir("/sys/class/net") if n.startswith(prefix)]
    found += [f"process {pid}: {_command(pid)}" for pid in sorted(find_processes(markers=[prefix]))]
    found += [f"mount {p}" for p in mounts_under([str(RUN_BASE / prefix), str(DATA_BASE / prefix)])]
    found += [f"directory {d}" for d in (RUN_BASE / prefix, DATA_BASE / prefix) if d.exists()]
    if (RUN_BASE / f"{prefix}.json").exists():
        found.append(f"state file {RUN_BASE / prefix}.json")
    if subnet:
        if (SUBNETS / subnet).exists() and (SUBNETS / subnet).read_text().strip() == prefix:
            found.append(f"subnet reservation {SUBNETS / subnet}")
        if f"{subnet}." in run("ip", "-4", "-o", "addr", "show").stdout:
            found.append(f"an address in {subnet}.0/24")
    return found
