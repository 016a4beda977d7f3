"""A small etcd cluster on 127.0.0.1: `EtcdCluster`, `size` members (`EtcdMember`) started
together, with what the tests ask of it (its leader, moving the leadership, who is connected to
which member, reads through whichever member answers).  Used by the fault tests and by the
simulated cluster (procs.cluster)."""
from __future__ import annotations

import contextlib
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

from .base import LOOPBACK, free_ports, wait_for
from .etcd import EtcdServer

T = TypeVar("T")


class EtcdMember(EtcdServer):
    """One member of an EtcdCluster: the one-member EtcdServer with the cluster's peers."""

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
        self.token = "etcd-" + uuid.uuid4().hex[:8]
        self.members = [EtcdMember(Path(workdir) / f"etcd{i + 1}", f"n{i + 1}", self, ports[2 * i], ports[2 * i + 1])
                        for i in range(size)]

    @property
    def initial_cluster(self) -> str:
        return ",".join(f"{m.member}={m.peer_url}" for m in self.members)

    @property
    def hostports(self) -> str:
        """host:port,host:port,host:port -- what --etcd takes."""
        return ",".join(m.hostport for m in self.members)

    def start(self, timeout: float = 60.0) -> EtcdCluster:
        with ThreadPoolExecutor(max_workers=len(self.members)) as pool:
            for future in [pool.submit(m.start, timeout) for m in self.members]:
                future.result()
        return self

    def live(self) -> list[EtcdMember]:
        return [m for m in self.members if m.running()]

    @staticmethod
    def ask(member: EtcdMember, request: Callable[[object], T]) -> T:
        """request(member's client); a failure drops the cached client, because python-etcd3
        marks its only endpoint failed for 300 s after one error ("Trying to use a failed node")."""
        try:
            return request(member.client())
        except Exception:
            client, member._client = member._client, None
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()
            raise

    def leader(self, timeout: float = 15.0) -> EtcdMember:
        """The member every live member names as leader (python-etcd3: status().leader.name)."""
        def agreed() -> EtcdMember | None:
            names = {self.ask(m, lambda c: c.status().leader.name) for m in self.live()}
            if len(names) != 1 or None in names:
                return None
            name = names.pop()
            return next(m for m in self.members if m.member == name)
        return wait_for(agreed, timeout=timeout, message="the live etcd members to agree on a leader")

    def move_leader(self, target: EtcdMember, timeout: float = 15.0) -> None:
        """Make `target` the leader (`etcdctl move-leader`, sent to the current leader)."""
        leader = self.leader()
        if leader is target:
            return
        ids = {m.name: m.id for m in self.ask(leader, lambda c: list(c.members))}
        leader.etcdctl("move-leader", format(ids[target.member], "x"))
        wait_for(lambda: self.leader() is target, timeout=timeout, message=f"{target.member} to lead")

    def used_by(self, pid: int) -> set[EtcdMember]:
        """Members process `pid` holds an established TCP connection to (from `ss -tnp`)."""
        out = subprocess.run(["ss", "-tnpH", "state", "established"], capture_output=True, text=True,
                             timeout=30, check=True).stdout
        ports = set()
        for line in out.splitlines():
            fields = line.split()
            if len(fields) >= 5 and f"pid={pid}," in line:
                ports.add(int(fields[3].rsplit(":", 1)[1]))
        return {m for m in self.members if m.port in ports}

    def get_prefix(self, prefix: str) -> dict[str, tuple[str, int]]:
        """key -> (value, lease id), read (linearizably) through the first live member that answers."""
        last: Exception | None = None
        for member in self.live():
            try:
                return {meta.key.decode(): (value.decode(), meta.lease_id)
                        for value, meta in self.ask(member, lambda c: list(c.get_prefix(prefix)))}
            except Exception as exc:  # noqa: BLE001 - try the next member
                last = exc
        raise RuntimeError(f"no live etcd member answered get_prefix({prefix}): {last!r}")

    def lease_ttl(self, lease_id: int) -> int:
        for member in self.live():
            with contextlib.suppress(Exception):
                return int(self.ask(member, lambda c: c.get_lease_info(lease_id).TTL))
        raise RuntimeError(f"no live etcd member answered get_lease_info({lease_id:x})")

    def close(self) -> None:
        for member in self.members:
            member.close()

    def logs(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for member in self.members:
            merged.update(member.logs())
        return merged
