"""Finding and removing what runs of simulated hosts leave: the processes of a run (in its
namespaces, naming its prefix, or recorded by pid and start time, with all their
descendants), shim sockets, mounts, namespaces, links, directories, subnet reservations and
state files (`teardown_state`); the runs whose owner died (`sweep_stale`); and what of a run is
still on the machine (`leftovers`).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .base import stat_fields, wait_for
from .netns import DATA_BASE, NETNS_DIR, RUN_BASE, SHIM_SOCKETS, SUBNETS, run, start_time, ula_prefix


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
        if f" {ula_prefix(subnet)}:" in run("ip", "-6", "-o", "addr", "show").stdout:
            found.append(f"an address in {ula_prefix(subnet)}::/48")
    return found
