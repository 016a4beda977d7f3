"""A small etcd cluster on 127.0.0.1 for the simulated cluster: `EtcdCluster`, `size`
members (`EtcdMember`) started together."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .base import LOOPBACK, free_ports
from .etcd import EtcdServer


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
