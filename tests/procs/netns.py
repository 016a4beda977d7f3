"""Network namespaces of simulated hosts, and the record of what one run made: the run's
prefix, the paths every resource of a run lives under, running a command (also inside a
namespace's network), the run's state file (`RunState`) and its subnet's reservation.

Every resource of one run is named with the run's prefix (``lbc`` + 5 hex digits): the
namespaces (``<prefix>h1``), the root-namespace veth ends (``<prefix>v1``), the directories
(``/run/lb-cluster/<prefix>``, ``/var/lib/lb-cluster/<prefix>``) and so every mount, socket and
daemon command line.  A state file (``/run/lb-cluster/<prefix>.json``) lists what was made,
with the pid (and start time) of the process that owns the run; teardown.sweep_stale() tears
down the runs whose owner is gone.

Why ``nsenter --net`` and not ``ip netns exec``: the latter remounts /sys, and dockerd then
stops with "Devices cgroup isn't mounted".
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import threading
from pathlib import Path
from typing import Any

from .base import stat_fields, which

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


def ula_prefix(subnet: str) -> str:
    """The run's IPv6 addresses (a ULA /48), named by its reserved IPv4 subnet: 10.213.91 ->
    ``fd5b:213:5b``; host i's link is ``fd5b:213:5b:i::/64``."""
    return f"fd5b:213:{int(subnet.rsplit('.', 1)[1]):x}"


def reserve_subnet(state: RunState) -> str:
    """A 10.213.X.0/24 (and with it the ULA fd5b:213:X::/48) that no address or route of this
    machine uses and no other run holds: reserved with an O_EXCL file naming the run."""
    SUBNETS.mkdir(parents=True, exist_ok=True)
    used = "".join(run("ip", family, "-o", what, "show", *table).stdout
                   for family in ("-4", "-6") for what, table in (("addr", ()), ("route", ("table", "all"))))
    candidates = list(range(1, 255))
    random.shuffle(candidates)
    for x in candidates:
        subnet = f"{SUBNET_BASE}.{x}"
        if f"{subnet}." in used or f"{ula_prefix(subnet)}:" in used:
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
