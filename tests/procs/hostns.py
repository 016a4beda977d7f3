"""Simulated Docker hosts on this machine: each a network namespace with its own address (a
veth pair to the root namespace), its own dockerd (socket, data root, exec root, bridge,
containerd namespace) started with ``nsenter --net``, a power cycle and a hard death.

The pieces: netns.py (prefixes, paths, `run`, `in_netns`, `RunState`, `reserve_subnet`) and
teardown.py (finding and killing processes, `teardown_state`, `sweep_stale`, `leftovers`); their
names are importable from here as well.

Why the host address is on a /30 with no default route: nothing in a simulated host can send a
packet anywhere but to the root namespace's end of its own link.

Every host is dual-stack, as a machine on a modern network is: beside its IPv4 address its link
has a ULA /64 of the run (``fd5b:213:X:i::2``, X from the run's reserved 10.213.X.0/24, so two
runs never share one), and its dockerd publishes ports on both families: ``--ipv6`` with a ULA
/80 for its bridge and ``--ip6tables`` (experimental in 20.10) for the IPv6 DNAT rules, as
``--userland-proxy=false`` leaves IPv6 to ip6tables.  A host's ``family`` says which of its
addresses its sidekick registers (``--host-ip``): ``10.213.X.6:PORT`` or ``[fd5b:213:X:1::2]:PORT``.
"""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from .base import ManagedProcess, stat_fields, wait_for, which
from .dockerd import DOCKER
from .netns import (
    DATA_BASE,
    NETNS_DIR,
    RUN_BASE,
    SHIM_SOCKETS,
    SUBNET_BASE,
    SUBNETS,
    RunState,
    in_netns,
    new_prefix,
    reserve_subnet,
    run,
    start_time,
    ula_prefix,
)
from .teardown import (
    find_processes,
    kill_processes,
    leftovers,
    mounts_under,
    owner_alive,
    shim_sockets,
    stale_states,
    sweep_stale,
    teardown_state,
)

__all__ = [
    "DATA_BASE", "DOCKER", "NETNS_DIR", "RUN_BASE", "SHIM_SOCKETS", "SUBNETS", "SUBNET_BASE",
    "HostDockerd", "ManagedProcess", "RunState", "SimHost",
    "find_processes", "in_netns", "kill_processes", "leftovers", "mounts_under", "new_prefix", "owner_alive",
    "reserve_subnet", "run", "shim_sockets", "stale_states", "start_time", "stat_fields", "sweep_stale",
    "teardown_state", "ula_prefix", "wait_for", "which",
]

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
                             "--userland-proxy=false", "--ipv6", "--fixed-cidr-v6", h.bip6,
                             "--experimental", "--ip6tables"))
        h.state.add_pid(self.pid)
        self._wait_ready(lambda: h.docker("info", check=False, timeout=15).returncode == 0,
                         time.monotonic() + timeout, f"did not answer `docker info` within {timeout}s", 0.1)
        return self


class SimHost:
    """Host ``name`` (h1, h2...) of a run: namespace ``<prefix><name>`` with addresses
    ``10.213.X.(4i+2)``/30 and ``fd5b:213:X:i::2``/64 on its ``eth0``, the root namespace's end
    ``<prefix>v<i>`` at ``10.213.X.(4i+1)`` and ``fd5b:213:X:i::1``, and a dockerd of its own.
    `family` (4 or 6): the address its backends are registered at (`host_ip`, `address`)."""

    def __init__(self, state: RunState, index: int, subnet: str, logdir: Path, family: int = 4) -> None:
        self.state = state
        self.index = index
        self.name = f"h{index}"
        prefix = state.prefix
        self.netns = f"{prefix}{self.name}"
        self.veth = f"{prefix}v{index}"
        self.outer_ip = f"{subnet}.{4 * index + 1}"
        self.ip = f"{subnet}.{4 * index + 2}"
        prefix6 = f"{ula_prefix(subnet)}:{index:x}"
        self.outer_ip6, self.ip6 = f"{prefix6}::1", f"{prefix6}::2"
        if family not in (4, 6):
            raise ValueError(f"family: 4 or 6, not {family!r}")
        self.family = family
        run_dir, data_dir = RUN_BASE / prefix, DATA_BASE / prefix
        self.exec_root = run_dir / self.name
        self.sock = run_dir / f"{self.name}.sock"
        self.pidfile = run_dir / f"{self.name}.pid"
        self.data_root = data_dir / self.name
        self.bip = f"172.30.{index}.1/24"            # inside the namespace: never seen outside it
        self.bip6 = f"fd5b:213:ffff:{index:x}::/80"  # the same: each namespace routes only its own
        self.logdir = logdir / self.name
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.dockerd = HostDockerd(self)
        self.dropping = False

    def __repr__(self) -> str:
        return f"SimHost({self.name}, {self.host_ip})"

    @property
    def host_ip(self) -> str:
        """The address its sidekick registers (``--host-ip``)."""
        return self.ip6 if self.family == 6 else self.ip

    @property
    def advertised(self) -> str:
        """`host_ip` as a backend key writes it: ``10.213.X.6`` or ``[fd5b:213:X:1::2]``."""
        return f"[{self.ip6}]" if self.family == 6 else self.ip

    def address(self, port: int | str) -> str:
        """A backend key (``IP:PORT``, ``[IPv6]:PORT``) on this host."""
        return f"{self.advertised}:{port}"

    def owns(self, address: str) -> bool:
        return address.rsplit(":", 1)[0] == self.advertised

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
        # nodad: usable at once (duplicate address detection would hold them "tentative" ~1 s)
        run("ip", "-6", "addr", "add", f"{self.outer_ip6}/64", "dev", self.veth, "nodad")
        run("ip", "-n", self.netns, "-6", "addr", "add", f"{self.ip6}/64", "dev", "eth0", "nodad")
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
        for tables in ("iptables", "ip6tables"):
            run(*in_netns(self.netns, which(tables), "-t", "raw", "-I", "PREROUTING", "-i", "eth0", "-j", "DROP"))
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
        """name -> registered address (`address`: the port published on 0.0.0.0, or on :: for an
        IPv6 host) of every running container publishing port 80."""
        out = self.docker("ps", "--format", "{{.Names}}\t{{.Ports}}", timeout=60).stdout
        bound = ":::" if self.family == 6 else "0.0.0.0:"
        found = {}
        for line in out.splitlines():
            name, _, ports = line.partition("\t")
            for item in ports.split(", "):
                if item.startswith(bound) and item.endswith("->80/tcp"):
                    found[name] = self.address(item[len(bound):-len("->80/tcp")])
        return found
