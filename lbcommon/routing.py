"""The routing table: every service, its backends, virtual hosts and paths, from one etcd
snapshot.  Pure logic over `key -> value`, shared by the balancer's template function and
both `status` commands, so they never disagree.

Conflicts are settled by fixed rules (README, "Conflicts") and returned as problems, never
left to nginx:

* the containers of one service disagree on hosts or path: the claim held by the most
  backend keys wins, a tie goes to the claim that sorts first; backends claiming anything
  else are left out of the service's pool;
* two services claim the same host and path: the service whose name sorts first gets it;
  the other keeps its other hosts and paths.

Backends that are drained, or whose service is in maintenance, stay listed (with why) but
are not routable.  A backend key without a route key joins its service with weight 1.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from lbcommon.backends import parse_backend
from lbcommon.routes import KeyLayout, Route, parse_service


@dataclass(frozen=True)
class Backend:
    address: str
    weight: int = 1
    key: str = ""                  # the backend key


@dataclass(frozen=True)
class Service:
    name: str
    hosts: tuple[str, ...] = ()
    path: str = "/"
    backends: tuple[Backend, ...] = ()           # routable: the upstream's servers
    drained: tuple[Backend, ...] = ()
    conflicting: tuple[Backend, ...] = ()        # claim another route than the service's
    maintenance: bool = False
    claims: int = 0                              # route keys behind hosts/path

    @property
    def upstream(self) -> str:
        return f"svc_{self.name}"

    @property
    def routed(self) -> bool:
        return bool(self.hosts)


@dataclass(frozen=True)
class Location:
    path: str
    service: Service


@dataclass(frozen=True)
class VirtualHost:
    name: str
    locations: tuple[Location, ...]


@dataclass(frozen=True)
class Problem:
    key: str
    value: str
    reason: str
    conflict: bool = False


@dataclass(frozen=True)
class RoutingTable:
    services: tuple[Service, ...] = ()
    vhosts: tuple[VirtualHost, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def pool_size(self) -> int:
        return sum(len(s.backends) for s in self.services)

    @property
    def conflicts(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.conflict)

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)


@dataclass
class _Keys:
    """The snapshot sorted by kind, values parsed; bad ones become problems."""
    backends: dict[str, dict[str, str]] = field(default_factory=dict)      # service -> address -> key
    routes: dict[str, dict[str, tuple[str, Route]]] = field(default_factory=dict)  # service -> address -> (key, route)
    drained: set[tuple[str, str]] = field(default_factory=set)
    maintenance: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def build_table(values: Mapping[str, str], layout: KeyLayout = KeyLayout()) -> RoutingTable:
    keys = _sort_keys(values, layout)
    services = [_service(name, keys) for name in sorted(keys.backends.keys() | keys.routes.keys())]
    vhosts = _virtual_hosts(services, keys)
    return RoutingTable(tuple(services), vhosts, tuple(keys.problems))


def _sort_keys(values: Mapping[str, str], layout: KeyLayout) -> _Keys:
    keys = _Keys()
    services_prefix = layout.services + "/"
    for key, value in values.items():
        if key.startswith(services_prefix):
            _backend_key(keys, key, value, key[len(services_prefix):])
        elif key.startswith(layout.routes):
            _route_key(keys, key, value, key[len(layout.routes):])
        elif key.startswith(layout.drain):
            parsed = _service_address(keys, key, value, key[len(layout.drain):])
            if parsed:
                keys.drained.add(parsed)
        elif key.startswith(layout.maintenance):
            name = key[len(layout.maintenance):]
            if _valid_service(keys, key, value, name):
                keys.maintenance.add(name)
    return keys


def _backend_key(keys: _Keys, key: str, value: str, rest: str) -> None:
    service, slash, _address = rest.partition("/")
    if not slash or "/" in _address:
        return                                   # not a backend key (deeper, or the directory)
    if not _valid_service(keys, key, value, service):
        return
    try:
        address = parse_backend(value)
    except ValueError as exc:
        keys.problems.append(Problem(key, value, f"not a backend address: {exc}"))
        return
    keys.backends.setdefault(service, {}).setdefault(address, key)


def _route_key(keys: _Keys, key: str, value: str, rest: str) -> None:
    parsed = _service_address(keys, key, value, rest)
    if parsed is None:
        return
    try:
        route = Route.from_value(value)
    except ValueError as exc:
        keys.problems.append(Problem(key, value, f"not a route: {exc}"))
        return
    service, address = parsed
    keys.routes.setdefault(service, {})[address] = (key, route)


def _service_address(keys: _Keys, key: str, value: str, rest: str) -> tuple[str, str] | None:
    service, slash, address = rest.partition("/")
    if not slash or not _valid_service(keys, key, value, service):
        return None
    try:
        return service, parse_backend(address)
    except ValueError as exc:
        keys.problems.append(Problem(key, value, f"key does not end in a backend address: {exc}"))
        return None


def _valid_service(keys: _Keys, key: str, value: str, name: str) -> bool:
    try:
        parse_service(name)
    except ValueError as exc:
        keys.problems.append(Problem(key, value, str(exc)))
        return False
    return True


def _service(name: str, keys: _Keys) -> Service:
    routes = keys.routes.get(name, {})
    winner, count = _winning_claim(route for _key, route in routes.values())
    routable, drained, conflicting = [], [], []
    for address, key in sorted(keys.backends.get(name, {}).items()):
        route_key, route = routes.get(address, ("", None))
        backend = Backend(address, route.weight if route else 1, key)
        if route is not None and route.claim != winner:
            conflicting.append(backend)
            keys.problems.append(Problem(route_key, route.to_value(), conflict=True, reason=(
                f"service {name}: backend {address} claims {_describe(route.claim)}, the service is "
                f"routed as {_describe(winner)} ({count} of {len(routes)} claims); left out")))
        elif (name, address) in keys.drained:
            drained.append(backend)
        else:
            routable.append(backend)
    hosts, path = winner
    return Service(name, hosts, path, tuple(routable), tuple(drained), tuple(conflicting),
                   maintenance=name in keys.maintenance, claims=count)


def _winning_claim(routes: Iterable[Route]) -> tuple[tuple[tuple[str, ...], str], int]:
    counts = Counter(route.claim for route in routes)
    if not counts:
        return ((), "/"), 0
    claim, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return claim, count


def _virtual_hosts(services: list[Service], keys: _Keys) -> tuple[VirtualHost, ...]:
    owners: dict[tuple[str, str], list[Service]] = {}
    for service in services:
        for host in service.hosts:
            owners.setdefault((host, service.path), []).append(service)
    locations: dict[str, list[Location]] = {}
    for (host, path), claimants in sorted(owners.items()):
        winner, *losers = claimants             # services are sorted by name
        for loser in losers:
            route_key, route = min(kr for kr in keys.routes[loser.name].values()
                                   if kr[1].claim == (loser.hosts, loser.path))
            keys.problems.append(Problem(route_key, route.to_value(), conflict=True, reason=(
                f"host {host} path {path}: claimed by services {winner.name} and {loser.name}; "
                f"{winner.name} gets it (the name that sorts first)")))
        locations.setdefault(host, []).append(Location(path, winner))
    return tuple(VirtualHost(host, tuple(locs)) for host, locs in sorted(locations.items()))


def _describe(claim: tuple[tuple[str, ...], str]) -> str:
    hosts, path = claim
    return f"hosts {','.join(hosts) or '(none)'} path {path}"
