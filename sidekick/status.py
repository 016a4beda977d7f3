"""`sidekick status`: the registered keys, their leases, and the local container behind each;
then the routing: services with their hosts, paths, drained backends and maintenance,
conflicts, and the containers not registered: those every running sidekick reports
(`<lb>/not-registered/...`: no published port, not on its --network, bad label...) and local
labelled containers that bad labels keep out of the routing.

Read-only.  Every key under PREFIX/ (or PREFIX/SERVICE/) is listed with its lease (hex, as
etcdctl prints it), the lease's remaining and granted TTL, and the running local container
whose address it is: a published host port (`-p`), or the container's own network IP and
port (`--address container`).  Without Docker the container column stays empty.
"""
from __future__ import annotations

import ipaddress
import json
import logging
from dataclasses import dataclass, replace
from typing import Any, Iterable, Sequence

import docker
import docker.errors
import requests

from lbcommon.cli import EtcdSettings
from lbcommon.reports import REPORTS, Refusal, reported_refusals  # noqa: F401 - REPORTS: re-exported
from lbcommon.routes import ROUTE_LABELS, SERVICE_LABEL, KeyLayout
from lbcommon.routing import RoutingTable
from lbcommon.routing_index import build_table
from lbcommon.routing_report import format_services
from lbcommon.status_view import EtcdView, read_view
from lbcommon.table import escaped, one_line, table
from sidekick.container import Container, binding_serves, service_port
from sidekick.errors import NotRegistrable, RegistryError
from sidekick.routing import label_problem
from sidekick.status_doc import build_document

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED = 0, 1
DOCKER_TIMEOUT = 5.0
COLUMNS = ("KEY", "VALUE", "LEASE", "TTL", "GRANTED", "CONTAINER")


@dataclass(frozen=True)
class LeaseInfo:
    ttl: int          # remaining seconds; -1 once the lease is gone
    granted: int


@dataclass(frozen=True)
class KeyStatus:
    key: str
    value: str
    lease_id: int                           # 0: no lease
    lease: LeaseInfo | None = None
    containers: tuple[str, ...] | None = None   # None: Docker was not asked or not reachable

    @property
    def address(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    @property
    def lease_hex(self) -> str | None:
        return format(self.lease_id, "x") if self.lease_id else None

    @property
    def ttl_text(self) -> str:
        if self.lease is None:
            return "none"
        return "expired" if self.lease.ttl < 0 else str(self.lease.ttl)

    def cells(self) -> tuple[str, ...]:
        return (escaped(self.key), escaped(self.value), self.lease_hex or "none", self.ttl_text,
                str(self.lease.granted) if self.lease else "none", ",".join(self.containers or ()))

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "value": self.value, "address": self.address,
            "lease": self.lease_hex, "lease_id": self.lease_id or None,
            "ttl": self.lease.ttl if self.lease else None,
            "granted_ttl": self.lease.granted if self.lease else None,
            "container": ",".join(self.containers) if self.containers else None,
        }


def run_status(etcd: EtcdSettings, layout: KeyLayout, service: str | None, as_json: bool) -> int:
    """Print the report; 1 only when etcd cannot be read."""
    key_prefix = keys_prefix(layout.services, service)
    try:
        rows, routing, reported, view = collect(etcd, key_prefix, layout)
    except RegistryError as exc:
        log.error("%s", exc)
        return EXIT_FAILED
    if service is not None:
        routing = replace(routing, services=tuple(s for s in routing.services if s.name == service))
    containers = running_containers()
    rows = attach_containers(rows, containers)
    refused = merge_refusals(reported, not_registered(containers or ()))
    document = build_document([row.to_json() for row in rows], view, layout, routing, refused)
    if as_json:
        print(json.dumps(document, indent=2))
    else:
        sections = [format_table(rows, key_prefix), format_services(routing),
                    "\n".join([*(r.line() for r in refused), *not_routed_lines(document)])]
        print("\n\n".join(section for section in sections if section))
    return EXIT_OK


def not_routed_lines(document: dict[str, Any]) -> list[str]:
    """Backends registered but in no pool: drained, conflicting, their service in maintenance."""
    return [escaped(f"not routed: {item['service']} {item['address']}: {item['reason']}")
            for item in document["not_routed"] if item["address"]]


def not_registered(containers: Iterable[Container]) -> list[Refusal]:
    """Local containers with sidekick labels that a bad label keeps out of the routing."""
    labelled = [c for c in containers if any(name in c.labels for name in (SERVICE_LABEL, *ROUTE_LABELS))]
    found = [(c, label_problem(c)) for c in labelled]
    return [Refusal(c.name, c.id, why) for c, why in found if why is not None]


def merge_refusals(reported: Iterable[Refusal], local: Iterable[Refusal]) -> list[Refusal]:
    """Both lists, a local finding the sidekick reports too listed once (as reported), by container name."""
    seen = {(r.id, r.reason) for r in reported}
    merged = [*reported, *(r for r in local if (r.id, r.reason) not in seen)]
    return sorted(merged, key=lambda r: (r.container, r.sidekick or "", r.reason))


def keys_prefix(prefix: str, service: str | None) -> str:
    """'/services/' or '/services/apache/'."""
    parts = [prefix.strip("/"), (service or "").strip("/")]
    return "/" + "/".join(p for p in parts if p) + "/"


def collect(etcd: EtcdSettings, key_prefix: str,
            layout: KeyLayout) -> tuple[list[KeyStatus], RoutingTable, list[Refusal], EtcdView]:
    client = etcd.connect(RegistryError)
    try:
        view = read_view(client, layout, RegistryError)
    finally:
        client.close()
    return keys_in(view, key_prefix), build_table(view.values, layout), reported_refusals(view.values, layout), view


def keys_in(view: EtcdView, key_prefix: str) -> list[KeyStatus]:
    """The view's keys under key_prefix (a folder of its services prefix), with their leases."""
    def lease(lease_id: int) -> LeaseInfo | None:
        return LeaseInfo(ttl=view.ttls[lease_id], granted=view.granted[lease_id]) if lease_id else None

    return [KeyStatus(key=key, value=value, lease_id=view.leases.get(key, 0), lease=lease(view.leases.get(key, 0)))
            for key, value in sorted(view.values.items()) if key.startswith(key_prefix)]


def running_containers(timeout: float = DOCKER_TIMEOUT) -> list[Container] | None:
    """The local running containers as `docker inspect` sees them; None (and one warning) without Docker."""
    try:
        client = docker.from_env(timeout=timeout)
    except docker.errors.DockerException as exc:
        log.warning("Docker unreachable, container column left empty: %s", one_line(str(exc)))
        return None
    try:
        inspected = [_inspect(client, cid) for cid in _running_ids(client)]
    except (docker.errors.DockerException, requests.RequestException) as exc:
        log.warning("Docker request failed, container column left empty: %s", one_line(str(exc)))
        return None
    finally:
        client.close()
    return [c for c in inspected if c is not None]


def _running_ids(client: docker.DockerClient) -> list[str]:
    return [c["Id"] for c in client.api.containers()]       # running (and paused) ones, like `docker ps`


def _inspect(client: docker.DockerClient, cid: str) -> Container | None:
    try:
        return Container.from_inspect(client.api.inspect_container(cid))
    except docker.errors.NotFound:        # removed since the listing
        return None


def attach_containers(rows: Sequence[KeyStatus], containers: Iterable[Container] | None) -> list[KeyStatus]:
    if containers is None:
        return list(rows)
    containers = list(containers)
    return [KeyStatus(row.key, row.value, row.lease_id, row.lease,
                      tuple(c.name for c in containers if serves(c, row.address)))
            for row in rows]


def serves(container: Container, address: str) -> bool:
    """Whether `ip:port` reaches this container: a published host port (on that address, or on
    the wildcard of its family: 0.0.0.0 serves IPv4, :: serves IPv6), or its own IP and port."""
    text, port = split_address(address)
    ip = _ip(text)
    if not port or ip is None:
        return False
    published = any(host_port == port and binding_serves(host_ip, ip)
                    for bindings in container.published.values() for host_ip, host_port in bindings)
    own_ips = {_ip(a) for a in (*container.networks.values(), *container.ipv6.values()) if a}
    own = ip in own_ips and port in container_ports(container)
    return published or own


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def container_ports(container: Container) -> set[str]:
    """Port numbers the container listens on as far as Docker knows (exposed, published, sidekick.port)."""
    ports = {p.split("/", 1)[0] for p in (*container.exposed, *container.published)}
    try:
        ports.add(service_port(container).split("/", 1)[0])
    except NotRegistrable:
        pass
    return ports


def split_address(address: str) -> tuple[str, str]:
    """'10.0.0.5:8080' -> ('10.0.0.5', '8080'); '[::1]:80' -> ('::1', '80'); no port -> (address, '')."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        return address, ""
    return host.strip("[]"), str(int(port))


def format_table(rows: Sequence[KeyStatus], key_prefix: str) -> str:
    if not rows:
        return f"no keys under {key_prefix}"
    return table([COLUMNS, *(row.cells() for row in rows)])
