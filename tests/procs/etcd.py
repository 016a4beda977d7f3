"""A real one-member etcd server for the tests, with a v3 client and etcdctl."""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import etcd3

from .base import LOOPBACK, ManagedProcess, free_ports, http_get, wait_for, which


class EtcdServer(ManagedProcess):
    """A one-member etcd 3.4 cluster on 127.0.0.1 with its data under ``workdir/data``."""

    name = "etcd"

    def __init__(self, workdir: Path, name: str = "n1"):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        super().__init__(self.workdir / f"etcd-{name}.log")
        self.member = name
        self.data_dir = self.workdir / "data"
        self.port, self.peer_port = free_ports(2)
        self.endpoint = f"http://{LOOPBACK}:{self.port}"
        self.hostport = f"{LOOPBACK}:{self.port}"
        self.peer_url = f"http://{LOOPBACK}:{self.peer_port}"
        self._client: etcd3.Etcd3Client | None = None
        self._all_clients: list[etcd3.Etcd3Client] = []

    def argv(self) -> list[str]:
        return [
            which("etcd"),
            "--name", self.member,
            "--data-dir", str(self.data_dir),
            "--listen-client-urls", self.endpoint,
            "--advertise-client-urls", self.endpoint,
            "--listen-peer-urls", self.peer_url,
            "--initial-advertise-peer-urls", self.peer_url,
            "--initial-cluster", f"{self.member}={self.peer_url}",
            "--logger", "zap",
            "--log-outputs", "stderr",
            "--log-level", "warn",
        ]

    def start(self, timeout: float = 20.0) -> "EtcdServer":
        # ETCD_* variables would be read as flags by etcd; keep the child's config ours alone.
        env = {k: v for k, v in os.environ.items() if not k.startswith("ETCD")}
        self._spawn(self.argv(), env=env)
        self._client = None  # a fresh gRPC channel per start: no reconnect backoff to wait out
        deadline = time.monotonic() + timeout
        self._wait_ready(self._healthy, deadline, f"not healthy after {timeout}s", 0.05)
        # A real v3 (gRPC) request through the client the tests will use.
        wait_for(lambda: self.client().status(), timeout=max(1.0, deadline - time.monotonic()),
                 message=f"etcd {self.endpoint} status()")
        return self

    def _healthy(self) -> bool:
        try:
            status, body = http_get(self.endpoint + "/health", timeout=1.0)
        except OSError:
            return False
        return status == 200 and '"true"' in body

    def stop(self, timeout: float = 10.0) -> None:
        super().stop(timeout)

    def restart(self, timeout: float = 20.0) -> "EtcdServer":
        """stop() then start() with the same data dir and the same ports."""
        self.stop()
        return self.start(timeout)

    def close(self) -> None:
        """stop() and close every client handed out."""
        self.stop()
        for c in self._all_clients:
            try:
                c.close()
            except Exception:  # noqa: BLE001 - teardown
                pass
        self._all_clients.clear()
        self._client = None

    # -- client side

    def client(self) -> etcd3.Etcd3Client:
        """A cached ``etcd3.client("127.0.0.1", port, timeout=5)``; a new one after each start()."""
        if self._client is None:
            self._client = etcd3.client(LOOPBACK, self.port, timeout=5)
            self._all_clients.append(self._client)
        return self._client

    def put(self, key: str, value: str | bytes, lease: Any = None) -> None:
        self.client().put(key, value, lease=lease)

    def delete(self, key: str) -> bool:
        return bool(self.client().delete(key))

    def get(self, key: str) -> str | None:
        value, _meta = self.client().get(key)
        return None if value is None else value.decode()

    def etcdctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``etcdctl --endpoints <endpoint> ARGS`` (v3 API), capturing text output."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ETCDCTL")}
        env["ETCDCTL_API"] = "3"
        return subprocess.run(
            [which("etcdctl"), "--endpoints", self.endpoint, *args],
            env=env, capture_output=True, text=True, timeout=30, check=check,
        )
