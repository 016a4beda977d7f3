"""What a Docker container means for registration: selection, service, address.  Pure logic
over `docker inspect` data, so it is tested without a daemon.

Addresses are written in the balancer's normal form (`lbcommon.backends.parse_backend`):
IPv4 `10.0.0.5:32768`, IPv6 compressed and in brackets `[2001:db8::5]:32768`."""
from __future__ import annotations

import fnmatch
import ipaddress
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
    networks: Mapping[str, str] = field(default_factory=dict)       # every attached network: name -> IPv4 or ""
    ipv6: Mapping[str, str] = field(default_factory=dict)           # name -> GlobalIPv6Address (IPv6 networks)
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
            networks={name: (net or {}).get("IPAddress") or ""
                      for name, net in (settings.get("Networks") or {}).items()},
            ipv6={name: net["GlobalIPv6Address"]
                  for name, net in (settings.get("Networks") or {}).items() if (net or {}).get("GlobalIPv6Address")},
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
    """`ip:port` other hosts reach the service on (`[v6]:port` for IPv6)."""
    port = service_port(container)
    number = port.split("/", 1)[0]
    if config.address_mode == "container":
        return join_address(_container_ip(container, config.network, config.ip_family), number)
    if container.network_mode == "host":
        return join_address(config.host_ip, number)
    bindings = container.published.get(port)
    if not bindings:
        raise NotRegistrable(f"container {container}: port {port} is not published "
                             f"(run it with -p {number} or give --address container)")
    host = ipaddress.ip_address(config.host_ip)
    chosen = next((hp for ip, hp in bindings if binding_serves(ip, host)), None)
    if chosen is None:
        raise NotRegistrable(f"container {container}: port {port} is published on "
                             f"{', '.join(ip or '*' for ip, _ in bindings)}, not on --host-ip {config.host_ip}")
    return join_address(config.host_ip, chosen)


def join_address(ip: str, port: str | int) -> str:
    """'10.0.0.5', 80 -> '10.0.0.5:80'; '2001:DB8:0::5', 80 -> '[2001:db8::5]:80' (the form
    `lbcommon.backends.parse_backend` gives).  A value Docker gave that is not an IP address
    makes the container not registrable."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        raise NotRegistrable(f"{ip!r} is not an IP address") from None
    if address.version == 6:
        return f"[{address.compressed}]:{int(port)}"
    return f"{address}:{int(port)}"


def binding_serves(binding_ip: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a port Docker published on `binding_ip` is reached at `address`: a binding on
    that address, or on its family's wildcard (Docker's `-p 80` publishes on 0.0.0.0, IPv4
    only, and on ::, IPv6 only; "" is any)."""
    if binding_ip == "":
        return True
    try:
        bound = ipaddress.ip_address(binding_ip)
    except ValueError:
        return False
    return bound == address or bound == ipaddress.ip_address("::" if address.version == 6 else "0.0.0.0")


_FAMILY_NAMES = {"4": "IPv4 ", "6": "IPv6 ", "auto": ""}


def network_ip(container: Container, network: str, family: str = "auto") -> str:
    """The container's address on `network` ("" when none): family "4", "6", or "auto" (its
    IPv4 address when it has one there, else its IPv6 address)."""
    v4, v6 = container.networks.get(network, ""), container.ipv6.get(network, "")
    if family == "4":
        return v4
    if family == "6":
        return v6
    return v4 or v6


def _container_ip(container: Container, network: str | None, family: str = "auto") -> str:
    kind = _FAMILY_NAMES[family]
    if network:
        if network not in container.networks:
            attached = ", ".join(sorted(container.networks)) or "none"
            raise NotRegistrable(f"container {container}: not on network {network!r} (it is on: {attached})")
        ip = network_ip(container, network, family)
        if not ip:
            raise NotRegistrable(f"container {container}: no {kind}address on network {network!r}")
        return ip
    found = {name: ip for name in sorted(container.networks) if (ip := network_ip(container, name, family))}
    if len(found) != 1:
        names = f" ({', '.join(found)})" if found else ""
        raise NotRegistrable(f"container {container}: {len(found)} networks with an {kind}address{names}; "
                             "choose one with --network")
    return next(iter(found.values()))


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
