"""What a Docker container means for registration: selection, service, address.  Pure logic
over `docker inspect` data, so it is tested without a daemon."""
from __future__ import annotations

import fnmatch
import signal
from dataclasses import dataclass, field
from typing import Any, Mapping

from lbcommon.routes import SERVICE_LABEL
from sidekick.config import Config
from sidekick.errors import NotRegistrable

PORT_LABEL = "sidekick.port"

# Signals sent to make an application reload or report, not stop: a `kill` event carrying
# one of these must not take a healthy backend out of the pool.
NON_TERMINATING = frozenset({signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH,
                             signal.SIGCONT, signal.SIGCHLD, signal.SIGURG})


@dataclass(frozen=True)
class Container:
    id: str
    name: str
    image: str
    labels: Mapping[str, str] = field(default_factory=dict)
    running: bool = True
    paused: bool = False
    health: str | None = None                       # Docker HEALTHCHECK status, None without one
    exposed: tuple[str, ...] = ()                   # "80/tcp", ...
    published: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # port -> ((ip, port),)
    networks: Mapping[str, str] = field(default_factory=dict)                           # name -> IP
    network_mode: str = ""
    stop_signal: int | None = None                  # the image's STOPSIGNAL (Apache: SIGWINCH)

    @classmethod
    def from_inspect(cls, data: Mapping[str, Any]) -> "Container":
        config = data.get("Config") or {}
        state = data.get("State") or {}
        settings = data.get("NetworkSettings") or {}
        ports = settings.get("Ports") or {}
        return cls(
            id=data["Id"],
            name=(data.get("Name") or "").lstrip("/"),
            image=config.get("Image") or "",
            labels=dict(config.get("Labels") or {}),
            running=bool(state.get("Running")),
            paused=bool(state.get("Paused")),
            health=((state.get("Health") or {}).get("Status")) or None,
            exposed=tuple(sorted((config.get("ExposedPorts") or {}).keys())),
            published={port: tuple((b.get("HostIp", ""), b.get("HostPort", "")) for b in bindings)
                       for port, bindings in ports.items() if bindings},
            networks={name: net.get("IPAddress", "")
                      for name, net in (settings.get("Networks") or {}).items()},
            network_mode=(data.get("HostConfig") or {}).get("NetworkMode") or "",
            stop_signal=kill_signal({"signal": config.get("StopSignal") or ""}),
        )

    @property
    def short_id(self) -> str:
        return self.id[:12]

    def __str__(self) -> str:
        return f"{self.name} ({self.short_id})"


def is_selected(container: Container, config: Config) -> bool:
    """--container NAME picks one container; otherwise a label or an --image match."""
    if config.container:
        return config.container in (container.name, container.id) or \
            (len(config.container) >= 12 and container.id.startswith(config.container))
    if SERVICE_LABEL in container.labels:
        return True
    return config.image is not None and config.image != "" and image_matches(container.image, config.image)


def image_matches(image: str, pattern: str) -> bool:
    untagged = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return fnmatch.fnmatchcase(image, pattern) or fnmatch.fnmatchcase(untagged, pattern)


def service_port(container: Container) -> str:
    """The container port to register: label, else the only exposed port, else 80/tcp."""
    label = container.labels.get(PORT_LABEL)
    if label:
        port = label if "/" in label else f"{label}/tcp"
        number = port.split("/", 1)[0]
        if not number.isdigit() or not 1 <= int(number) <= 65535:
            raise NotRegistrable(f"container {container}: label {PORT_LABEL}={label!r} is not a port")
        return port
    if len(container.exposed) == 1:
        return container.exposed[0]
    return "80/tcp"


def backend_address(container: Container, config: Config) -> str:
    """`ip:port` other hosts reach the service on."""
    port = service_port(container)
    number = port.split("/", 1)[0]
    if config.address_mode == "container":
        ip = _container_ip(container, config.network)
        return f"{ip}:{number}"
    if container.network_mode == "host":
        return f"{config.host_ip}:{number}"
    bindings = container.published.get(port)
    if not bindings:
        raise NotRegistrable(f"container {container}: port {port} is not published "
                             f"(run it with -p {number} or give --address container)")
    ips = [ip for ip, _ in bindings]
    chosen = next(((ip, hp) for ip, hp in bindings if ip in ("", "0.0.0.0", "::", config.host_ip)), None)
    if chosen is None:
        raise NotRegistrable(f"container {container}: port {port} is published on {', '.join(ips)}, "
                             f"not on --host-ip {config.host_ip}")
    return f"{config.host_ip}:{chosen[1]}"


def _container_ip(container: Container, network: str | None) -> str:
    if network:
        ip = container.networks.get(network)
        if not ip:
            raise NotRegistrable(f"container {container}: no address on network {network!r}")
        return ip
    addresses = [ip for ip in container.networks.values() if ip]
    if len(addresses) != 1:
        raise NotRegistrable(f"container {container}: {len(addresses)} networks with an address; "
                             "choose one with --network")
    return addresses[0]


def kill_signal(attributes: Mapping[str, str]) -> int | None:
    """The signal of a `kill` event ("15", "SIGTERM" or "TERM"), None when unknown."""
    raw = str(attributes.get("signal", "")).strip().upper()
    if not raw:
        return None
    if raw.isdigit():
        return int(raw)
    try:
        return int(signal.Signals[raw if raw.startswith("SIG") else f"SIG{raw}"])
    except KeyError:
        return None


def is_terminating(signum: int | None, container: Container | None = None) -> bool:
    """A `kill` with this signal stops the container: any signal but the reload ones, and
    always the container's own stop signal (`docker stop` of Apache sends SIGWINCH)."""
    if container is not None and signum is not None and signum == container.stop_signal:
        return True
    return signum is None or signum not in NON_TERMINATING
