"""Routing metadata from container labels: `sidekick.service`, `sidekick.hosts`,
`sidekick.path`, `sidekick.weight`.  A label that is not valid makes the container not
registrable, with one error naming the container and the label."""
from __future__ import annotations

from typing import Callable, TypeVar

from lbcommon.routes import (HOSTS_LABEL, PATH_LABEL, ROUTE_LABELS, SERVICE_LABEL, WEIGHT_LABEL, Route,
                             parse_hosts, parse_path, parse_service, parse_weight)
from sidekick.config import Config
from sidekick.container import Container
from sidekick.errors import NotRegistrable

T = TypeVar("T")


def service_name(container: Container, config: Config) -> str:
    """The `sidekick.service` label, else --service; a bad label is NotRegistrable."""
    label = container.labels.get(SERVICE_LABEL)
    if not label:
        return config.service
    return _label(container, SERVICE_LABEL, parse_service)


def route_of(container: Container) -> Route | None:
    """The container's routing claim; None when it carries no routing label.  An empty label
    counts as unset (`-l sidekick.hosts=${APACHE_HOSTS}` in a unit with no hosts)."""
    if not any(container.labels.get(name) for name in ROUTE_LABELS):
        return None
    hosts = _label(container, HOSTS_LABEL, parse_hosts) if container.labels.get(HOSTS_LABEL) else ()
    path = _label(container, PATH_LABEL, parse_path) if container.labels.get(PATH_LABEL) else "/"
    weight = _label(container, WEIGHT_LABEL, parse_weight) if container.labels.get(WEIGHT_LABEL) else 1
    return Route(hosts=hosts, path=path, weight=weight)


def label_problem(container: Container) -> str | None:
    """Why the container's labels keep it out of the routing (for `status`), None when they are valid."""
    try:
        if container.labels.get(SERVICE_LABEL):
            _label(container, SERVICE_LABEL, parse_service)
        route_of(container)
    except NotRegistrable as exc:
        return str(exc)
    return None


def _label(container: Container, name: str, parse: Callable[[str], T]) -> T:
    value = container.labels[name]
    try:
        return parse(value)
    except ValueError as exc:
        raise NotRegistrable(f"container {container}: label {name}={value!r}: {exc}") from None
