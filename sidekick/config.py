"""The sidekick's settings, built by the CLI and passed to run()."""
from __future__ import annotations

import socket
from dataclasses import dataclass

from lbcommon.etcd import Credentials, Endpoint
from lbcommon.routes import KeyLayout

MIN_TTL = 2


@dataclass(frozen=True)
class HealthConfig:
    kind: str = "http"                 # http | tcp | none
    interval: float = 5.0
    timeout: float = 2.0
    rise: int = 1                      # successes before a container is registered
    fall: int = 2                      # failures before it is removed
    path: str = "/"


@dataclass(frozen=True)
class Config:
    endpoints: tuple[Endpoint, ...]
    host_ip: str
    credentials: Credentials = Credentials()
    service: str = "apache"
    prefix: str = "/services"
    lb_prefix: str = "/lb"             # routing keys: <lb_prefix>/routes/<service>/<ip>:<port>
    container: str | None = None       # --container NAME: only this one
    image: str | None = None           # --image PATTERN: host-wide selection by image too
    address_mode: str = "host"         # host | container
    network: str | None = None         # for --address container
    ip_family: str = "auto"            # for --address container: auto (IPv4 if any, else IPv6) | 4 | 6
    ttl: int = 30
    keepalive_interval: float = 10.0
    health: HealthConfig = HealthConfig()
    reconcile_interval: float = 30.0
    etcd_timeout: float = 5.0
    docker_timeout: float = 10.0
    metrics_addr: tuple[str, int] | None = None

    def service_prefix(self, service: str) -> str:
        return f"{self.prefix.rstrip('/')}/{service}/"

    @property
    def owner_key(self) -> str:
        """Names this sidekick across restarts (host address and what it watches), under its
        lease: a restarted run finds the lease of the run before it there."""
        return f"{self.layout.lb}/sidekicks/{self.host_ip}/{self.identity}"

    @property
    def identity(self) -> str:
        """What this sidekick watches: `host-wide` or `container-<name>`."""
        return f"container-{self.container}" if self.container else "host-wide"

    @property
    def reports_prefix(self) -> str:
        """Where this sidekick lists the selected containers it does not register, and why
        (`<lb>/not-registered/<host-ip>/<identity>/<container id>`, under its lease), for
        `sidekick status`.  Without a host IP (`--address container`) the host's name stands in;
        with --network, the network is part of the identity (one sidekick per network may run)."""
        identity = f"{self.identity},network={self.network}" if self.network else self.identity
        return f"{self.layout.lb}/not-registered/{self.host_ip or socket.gethostname()}/{identity}/"

    @property
    def layout(self) -> KeyLayout:
        return KeyLayout(self.prefix, self.lb_prefix)
