"""What both status pages, both `status --json` and `sidekick status` show of etcd: every service
with its hosts and paths and each backend with its address, host, lease TTL left, health,
drain and weight; the services in maintenance; and why a labelled container is in no pool.

One read of `<services>/` and `<lb>/` (with each key's lease) plus one lease lookup per lease,
then pure functions over that view, so that the programs' documents never disagree."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from lbcommon.backends import check_backend
from lbcommon.etcd import call
from lbcommon.reports import Refusal, reported_refusals, reports_prefix
from lbcommon.routes import KeyLayout, Route
from lbcommon.routing import RoutingTable, Service
from lbcommon.routing_index import build_table
from lbcommon.routing_report import routing_json, service_json


@dataclass(frozen=True)
class EtcdView:
    values: Mapping[str, str]
    leases: Mapping[str, int] = field(default_factory=dict)     # key -> lease id (0: none)
    ttls: Mapping[int, int] = field(default_factory=dict)       # lease id -> seconds left (-1: gone)
    revision: int = 0
    granted: Mapping[int, int] = field(default_factory=dict)    # lease id -> the TTL it was granted

    def lease_ttl(self, key: str) -> tuple[str | None, int | None]:
        lease = self.leases.get(key, 0)
        return (format(lease, "x"), self.ttls.get(lease)) if lease else (None, None)


def read_view(client: Any, layout: KeyLayout, error: type[Exception]) -> EtcdView:
    """Both prefixes at one revision (the first read's), so that equal revisions mean equal views."""
    values: dict[str, str] = {}
    leases: dict[str, int] = {}
    revision: int | None = None
    for prefix in (layout.services + "/", layout.lb + "/"):
        at = {} if revision is None else {"revision": revision}
        response = call(client, error, f"get {prefix}", client.get_prefix_response, prefix, **at)
        if revision is None:
            revision = int(response.header.revision)
        for kv in response.kvs:
            key = _text(kv.key)
            values[key], leases[key] = _text(kv.value), int(kv.lease)
    ttls, granted = {}, {}
    for lease in sorted(set(leases.values()) - {0}):
        info = call(client, error, f"lease {lease:x} info", client.get_lease_info, lease)
        ttls[lease], granted[lease] = int(info.TTL), int(info.grantedTTL)
    return EtcdView(values, leases, ttls, revision or 0, granted)


class ViewReader:
    """etcd as it is now, for a status page: read through a client of its own (`connect`, called
    at the first read), so that a page never waits behind the program's own etcd traffic."""

    def __init__(self, connect: Callable[[], Any], layout: KeyLayout, error: type[Exception]) -> None:
        self._connect = connect
        self._layout = layout
        self._error = error
        self._client: Any = None

    def read(self) -> tuple[EtcdView | None, str | None]:
        """The view, or None and why it could not be read."""
        try:
            if self._client is None:
                self._client = self._connect()
            return read_view(self._client, self._layout, self._error), None
        except self._error as exc:
            return None, str(exc)


class TableCache:
    """The routing table of the views read, built again only when etcd's revision moved: a page
    polled every second over a quiet etcd costs its read and lease lookups, not a rebuild."""

    def __init__(self, layout: KeyLayout) -> None:
        self._layout = layout
        self._revision: int | None = None
        self._table = RoutingTable()

    def table(self, view: EtcdView) -> RoutingTable:
        if view.revision != self._revision or not view.revision:
            self._table = build_table(view.values, self._layout)
            self._revision = view.revision
        return self._table


def lease_hosts(view: EtcdView, layout: KeyLayout) -> dict[int, str]:
    """lease id -> `<host-ip>/<identity>` of the sidekick holding it (its owner key)."""
    prefix = f"{layout.lb}/sidekicks/"
    return {view.leases[key]: key[len(prefix):] for key in view.values
            if key.startswith(prefix) and view.leases.get(key)}


def health_reports(view: EtcdView, layout: KeyLayout) -> dict[tuple[str, str], str]:
    """(service, address) -> reason, from the reports of failing health checks."""
    found = {}
    for key, value in view.values.items():
        if key.startswith(reports_prefix(layout)):
            try:
                data = json.loads(value)
                found[str(data["service"]), str(data["address"])] = str(data["reason"])
            except (ValueError, TypeError, KeyError):
                continue
    return found


def services_json(view: EtcdView, layout: KeyLayout, table: RoutingTable) -> list[dict[str, Any]]:
    """routing_report's services, each with `members`: every backend, routed or not, and why."""
    hosts = lease_hosts(view, layout)
    failing = health_reports(view, layout)
    routes = route_keys(view, layout)
    return [{**service_json(s), "members": members(view, layout, s, hosts, failing, routes.get(s.name, {}))}
            for s in table.services]


def route_keys(view: EtcdView, layout: KeyLayout) -> dict[str, dict[str, tuple[str, str]]]:
    """service -> address (normalised, as the routing table has it) -> (route key, its value):
    one pass over the view for every service.  A key not ending in an address is left out (the
    routing table lists it among the problems)."""
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for key, value in view.values.items():
        if key.startswith(layout.routes):
            service, _slash, address = key[len(layout.routes):].partition("/")
            ok, normalised = check_backend(address)
            if ok:
                found.setdefault(service, {})[normalised] = (key, value)
    return found


def members(view: EtcdView, layout: KeyLayout, service: Service, hosts: Mapping[int, str],
            failing: Mapping[tuple[str, str], str], routes: Mapping[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """`routes`: the service's route keys (route_keys): a running container's route key
    without a backend key is a member that has not passed its health check."""
    def member(address: str, weight: int, state: str, key: str, health: str) -> dict[str, Any]:
        lease, ttl = view.lease_ttl(key)
        drain_key = layout.drain_key(service.name, address)
        return {"address": address, "weight": weight, "state": state, "key": key, "lease": lease, "ttl": ttl,
                "host": hosts.get(view.leases.get(key, 0)) or address.rpartition(":")[0].strip("[]"),
                "health": health, "drained": drain_key in view.values,
                "drained_since": view.values.get(drain_key)}

    found = [member(b.address, b.weight, state, b.key, "passing")
             for state, group in (("routed", service.backends), ("drained", service.drained),
                                  ("conflict", service.conflicting)) for b in group]
    known = {m["address"] for m in found}
    for address, (key, value) in routes.items():
        if address not in known:                                # running, but no backend key: not healthy
            reason = failing.get((service.name, address), "health check not passed yet")
            found.append(member(address, _weight(value), "unhealthy", key, reason))
    return sorted(found, key=lambda m: str(m["address"]))


def maintenance(view: EtcdView, layout: KeyLayout) -> list[dict[str, str]]:
    return [{"service": key[len(layout.maintenance):], "since": value}
            for key, value in sorted(view.values.items()) if key.startswith(layout.maintenance)]


def not_routed(services: Iterable[Mapping[str, Any]], refused: Iterable[Refusal]) -> list[dict[str, Any]]:
    """Why each container or backend outside every pool is there: the sidekicks' reports (bad
    label, port not published on --host-ip, wrong network, failing health check), then
    drained, conflicting and maintenance backends."""
    found = [{**r.to_json(), "service": None, "address": None} for r in refused]
    for service in services:
        for m in service["members"]:
            why = {"drained": f"drained (since {m['drained_since']})", "conflict": "claims other hosts or "
                   f"path than service {service['name']} (a routing conflict)"}.get(m["state"])
            if service["maintenance"] and m["state"] != "unhealthy":
                why = f"service {service['name']} is in maintenance"
            if why:
                found.append({"container": None, "id": None, "sidekick": m["host"], "service": service["name"],
                              "address": m["address"], "reason": why})
    return found


def status_core(view: EtcdView, layout: KeyLayout, table: RoutingTable,
                refused: Iterable[Refusal]) -> dict[str, Any]:
    """The part of both programs' documents that comes from etcd."""
    services = services_json(view, layout, table)
    refused = list(refused)
    return {"revision": view.revision, "services": services, "problems": routing_json(table)["problems"],
            "maintenance": maintenance(view, layout), "not_registered": [r.to_json() for r in refused],
            "not_routed": not_routed(services, refused)}


def view_refusals(view: EtcdView, layout: KeyLayout) -> list[Refusal]:
    return reported_refusals(view.values, layout)


def _weight(value: str) -> int:
    try:
        return Route.from_value(value).weight
    except ValueError:
        return 1


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "backslashreplace")
