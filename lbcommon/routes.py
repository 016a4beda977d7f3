"""Routing metadata: what a container asks for (virtual hosts, a path, a weight), how it is
validated, and where it lives in etcd.  Shared by the sidekick (labels -> keys, operator
commands) and the balancer (keys -> nginx), so both judge a value the same way.

Key layout (README, "Routing keys"):

    <services>/<service>/<ip>:<port>        = <ip>:<port>           backend (tutorial), leased
    <lb>/routes/<service>/<ip>:<port>       = {"hosts": [...], "path": "/", "weight": 1}   leased
    <lb>/drain/<service>/<ip>:<port>        = when it was drained   operator, no lease
    <lb>/maintenance/<service>              = when it was switched on   operator, no lease
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from lbcommon.backends import parse_backend

SERVICE_LABEL = "sidekick.service"
HOSTS_LABEL = "sidekick.hosts"
PATH_LABEL = "sidekick.path"
WEIGHT_LABEL = "sidekick.weight"
ROUTE_LABELS = (HOSTS_LABEL, PATH_LABEL, WEIGHT_LABEL)

MAX_WEIGHT = 100
MAX_PATH = 200
_SERVICE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62})")
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# RFC 3986 path characters that cannot end an nginx token or start a variable or comment:
# no whitespace, quotes, ';', '{', '}', '$', '#', '\\' or '%'.
_PATH = re.compile(r"/[A-Za-z0-9._~!&*+,=:@/-]*")


@dataclass(frozen=True, slots=True)
class Route:
    """One container's routing claim, validated and normalised."""
    hosts: tuple[str, ...] = ()
    path: str = "/"
    weight: int = 1

    @property
    def claim(self) -> tuple[tuple[str, ...], str]:
        """What the containers of one service must agree on."""
        return self.hosts, self.path

    def to_value(self) -> str:
        return json.dumps({"hosts": list(self.hosts), "path": self.path, "weight": self.weight},
                          separators=(",", ":"))

    @classmethod
    def from_value(cls, value: str) -> "Route":
        """Parse a route key's value; ValueError says what is wrong with it."""
        try:
            data: Any = json.loads(value)
        except ValueError:
            raise ValueError("not JSON") from None
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        unknown = sorted(set(data) - {"hosts", "path", "weight"})
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}")
        hosts = data.get("hosts", [])
        if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
            raise ValueError("hosts is not a list of strings")
        path, weight = data.get("path", "/"), data.get("weight", 1)
        if not isinstance(path, str):
            raise ValueError("path is not a string")
        if not isinstance(weight, int) or isinstance(weight, bool):
            raise ValueError("weight is not an integer")
        return cls(hosts=parse_hosts(",".join(hosts)) if hosts else (), path=parse_path(path),
                   weight=check_weight(weight))


def parse_service(name: str) -> str:
    """A service name: one key segment, also an nginx upstream name."""
    if not _SERVICE.fullmatch(name):
        raise ValueError(f"{name!r} is not a service name (letters, digits, '_', '.', '-'; "
                         "at most 63, starting with a letter or digit)")
    return name


def parse_hosts(text: str) -> tuple[str, ...]:
    """'web.example.com, www.example.com' -> sorted, lower-cased, de-duplicated names."""
    names = [part.strip() for part in text.split(",")]
    if not text.strip() or not all(names):
        raise ValueError(f"{text!r} is not a comma-separated list of host names")
    return tuple(sorted({parse_host(name) for name in names}))


def parse_host(name: str) -> str:
    host = name.lower()
    if host.endswith("."):
        host = host[:-1]
    labels = host.split(".")
    if not host or len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels) \
            or labels[-1].isdigit():
        raise ValueError(f"{name!r} is not a host name")
    return host


def parse_path(text: str) -> str:
    """A URL path prefix: starts with '/', safe characters only, no '.'/'..' segment;
    normalised to end with '/' (so '/api' routes /api/... and /api itself is redirected)."""
    if len(text) > MAX_PATH:
        raise ValueError(f"path longer than {MAX_PATH} characters")
    if not text.startswith("/"):
        raise ValueError(f"path {text!r} does not start with '/'")
    if not _PATH.fullmatch(text):
        raise ValueError(f"path {text!r} holds a character that is not allowed "
                         "(space, quote, ';', '{', '}', '$', '#', '%', '\\\\' or non-ASCII)")
    if any(segment in (".", "..") for segment in text.split("/")) or "//" in text:
        raise ValueError(f"path {text!r} has an empty, '.' or '..' segment")
    return text if text.endswith("/") else text + "/"


def parse_weight(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"weight {text!r} is not an integer 1-{MAX_WEIGHT}")
    return check_weight(int(text))


def check_weight(weight: int) -> int:
    if not 1 <= weight <= MAX_WEIGHT:
        raise ValueError(f"weight {weight} is not in 1-{MAX_WEIGHT}")
    return weight


def parse_address(text: str) -> str:
    """A backend address as the balancer normalises it (`host:port`, `[v6]:port`)."""
    return parse_backend(text)


@dataclass(frozen=True, slots=True)
class KeyLayout:
    services: str = "/services"
    lb: str = "/lb"

    def __post_init__(self) -> None:
        object.__setattr__(self, "services", "/" + self.services.strip("/"))
        object.__setattr__(self, "lb", "/" + self.lb.strip("/"))

    def backend_key(self, service: str, address: str) -> str:
        return f"{self.services}/{service}/{address}"

    @property
    def routes(self) -> str:
        return f"{self.lb}/routes/"

    @property
    def drain(self) -> str:
        return f"{self.lb}/drain/"

    @property
    def maintenance(self) -> str:
        return f"{self.lb}/maintenance/"

    def route_key(self, service: str, address: str) -> str:
        return f"{self.routes}{service}/{address}"

    def drain_key(self, service: str, address: str) -> str:
        return f"{self.drain}{service}/{address}"

    def maintenance_key(self, service: str) -> str:
        return f"{self.maintenance}{service}"
