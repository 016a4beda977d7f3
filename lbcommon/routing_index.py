"""The routing table of a snapshot that changes a key at a time.  A RoutingIndex keeps the
keys grouped by service; `update(values)` parses only the keys that changed and rebuilds only
their services, so a render over 20,000 keys costs a few milliseconds.  It keeps references
to the snapshot's own strings, not parsed copies (a key is parsed again when it goes)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Mapping

from lbcommon.backends import parse_backend
from lbcommon.routes import KeyLayout, Route, parse_service
from lbcommon.routing import Problem, RoutingTable, Service, build_service, virtual_hosts


@dataclass(frozen=True, slots=True)
class _Entry:
    """A key as parsed, with the value it was parsed from (transient: parsed when a key comes
    and when it goes)."""
    value: str
    kind: str = "other"            # backend | route | drain | maintenance | problem | other (not ours)
    service: str = ""
    address: str = ""
    route: Route | None = None
    problem: Problem | None = None


@dataclass
class _Group:
    """One service's keys."""
    backends: dict[str, str] = field(default_factory=dict)                 # key -> address
    routes: dict[str, Route] = field(default_factory=dict)                 # key -> route (address: in the key)
    drained: dict[str, str] = field(default_factory=dict)                  # key -> address
    maintenance: set[str] = field(default_factory=set)                     # its maintenance key(s)


def build_table(values: Mapping[str, str], layout: KeyLayout = KeyLayout()) -> RoutingTable:
    """The routing table of one snapshot (a new index: for one-shot callers)."""
    return RoutingIndex(layout).update(values)


class RoutingIndex:
    def __init__(self, layout: KeyLayout = KeyLayout()) -> None:
        self.layout = layout
        self._values: dict[str, str] = {}
        self._groups: dict[str, _Group] = {}
        self._services: dict[str, tuple[Service, tuple[Problem, ...]]] = {}
        self._bad: dict[str, Problem] = {}
        self._table = RoutingTable()

    def update(self, values: Mapping[str, str]) -> RoutingTable:
        dirty: set[str] = set()
        known = self._values
        for key, value in values.items():
            old = known.get(key)
            if old is not None:
                if old is value or old == value:
                    continue
                self._forget(key, dirty)
            self._learn(key, value, dirty)
        if len(known) != len(values):             # keys that are gone
            for key in [k for k in known if k not in values]:
                self._forget(key, dirty)
        if dirty:
            self._table = self._build(dirty)
        return self._table

    # -- keys -------------------------------------------------------------------------

    def _learn(self, key: str, value: str, dirty: set[str]) -> None:
        self._values[key] = value
        entry = _parse(self.layout, key, value)
        if entry.problem is not None:
            self._bad[key] = entry.problem
            dirty.add("")                          # the table's problems change
        elif entry.kind != "other":
            group = self._groups.setdefault(entry.service, _Group())
            if entry.kind == "backend":
                group.backends[key] = entry.address
            elif entry.kind == "route":
                assert entry.route is not None
                group.routes[key] = entry.route
            elif entry.kind == "drain":
                group.drained[key] = entry.address
            else:
                group.maintenance.add(key)
            dirty.add(entry.service)

    def _forget(self, key: str, dirty: set[str]) -> None:
        entry = _parse(self.layout, key, self._values.pop(key))
        if entry.problem is not None:
            del self._bad[key]
            dirty.add("")
        elif entry.kind != "other":
            group = self._groups[entry.service]
            group.backends.pop(key, None)
            group.routes.pop(key, None)
            group.drained.pop(key, None)
            group.maintenance.discard(key)
            dirty.add(entry.service)

    # -- the table ----------------------------------------------------------------------

    def _build(self, dirty: set[str]) -> RoutingTable:
        for name in dirty - {""}:
            group = self._groups.get(name)
            if group is None or not (group.backends or group.routes):
                self._services.pop(name, None)
                if group is not None and not (group.drained or group.maintenance):
                    del self._groups[name]
                continue
            self._services[name] = build_service(
                name, [(address, key) for key, address in group.backends.items()],
                [(self._route_address(key), key, route) for key, route in group.routes.items()],
                set(group.drained.values()), bool(group.maintenance))
        services = tuple(self._services[name][0] for name in sorted(self._services))
        vhosts, conflicts = virtual_hosts(services, self._claim_key)
        problems = [self._bad[key] for key in sorted(self._bad)]
        problems += [p for name in sorted(self._services) for p in self._services[name][1]]
        return RoutingTable(services, vhosts, (*problems, *conflicts))

    def _claim_key(self, service: Service) -> tuple[str, str]:
        """The (lowest) route key, and its value, behind a service's hosts and path."""
        group = self._groups[service.name]
        key = min(k for k, route in group.routes.items() if route.claim == (service.hosts, service.path))
        return key, self._values[key]

    def _route_address(self, key: str) -> str:
        parsed = _service_address(key[len(self.layout.routes):])
        assert isinstance(parsed, tuple), key          # it was parsed when it came
        return parsed[1]


def _parse(layout: KeyLayout, key: str, value: str) -> _Entry:
    """What a key means; kind "other" for keys that are none of ours (a service's directory
    key, a deeper key under /services)."""
    if key.startswith(layout.services + "/"):
        service, slash, tail = key[len(layout.services) + 1:].partition("/")
        if not slash or "/" in tail:
            return _Entry(value)
        problem = _service_problem(service)
        if problem:
            return _problem(key, value, problem)
        ok, address = _address(value)
        return _Entry(value, "backend", service, address) if ok else \
            _problem(key, value, f"not a backend address: {address}")
    for kind, prefix in (("route", layout.routes), ("drain", layout.drain)):
        if key.startswith(prefix):
            parsed = _service_address(key[len(prefix):])
            if isinstance(parsed, str):
                return _problem(key, value, parsed)
            if kind == "drain":
                return _Entry(value, kind, *parsed)
            route = _route(value)
            return _Entry(value, kind, *parsed, route=route) if isinstance(route, Route) else \
                _problem(key, value, f"not a route: {route}")
    if key.startswith(layout.maintenance):
        service = key[len(layout.maintenance):]
        problem = _service_problem(service)
        return _problem(key, value, problem) if problem else _Entry(value, "maintenance", service)
    return _Entry(value)


def _problem(key: str, value: str, reason: str) -> _Entry:
    return _Entry(value, "problem", problem=Problem(key, value, reason))


def _address(text: str) -> tuple[bool, str]:
    """(True, normalised) or (False, why); not lbcommon.backends' cached check: every key is
    parsed once here, and 20,000 cache entries would cost megabytes."""
    try:
        address = parse_backend(text)
    except ValueError as exc:
        return False, str(exc)
    return True, text if address == text else address      # the value's own string when it is normal


def _service_address(rest: str) -> tuple[str, str] | str:
    """<service>/<ip:port> at the end of a route or drain key, or why it is not."""
    service, slash, address = rest.partition("/")
    if not slash:
        return "key does not end in <service>/<address>"
    problem = _service_problem(service)
    if problem:
        return problem
    ok, normalised = _address(address)
    return (service, normalised) if ok else f"key does not end in a backend address: {normalised}"


@functools.lru_cache(maxsize=4096)
def _route(value: str) -> Route | str:
    """The route, or why the value is not one (a service's backends share one value)."""
    try:
        return Route.from_value(value)
    except ValueError as exc:
        return str(exc)


@functools.lru_cache(maxsize=4096)
def _service_problem(name: str) -> str:
    try:
        parse_service(name)
    except ValueError as exc:
        return str(exc)
    return ""
