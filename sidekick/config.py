"""The sidekick's settings, built by the CLI and passed to run()."""
from __future__ import annotations

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
        identity = f"container-{self.container}" if self.container else "host-wide"
        return f"{self.layout.lb}/sidekicks/{self.host_ip}/{identity}"

    @property
    def layout(self) -> KeyLayout:
        return KeyLayout(self.prefix, self.lb_prefix)
