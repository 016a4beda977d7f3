"""The routing table (every service, its backends, virtual hosts and paths) and the rules
that build it from a service's keys.  Pure logic, shared by the balancer's template function
and both `status` commands through lbcommon.routing_index, so they never disagree.

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
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from lbcommon.routes import Route


@dataclass(frozen=True, slots=True)
class Backend:
    address: str
    weight: int = 1
    key: str = ""                  # the backend key


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    hosts: tuple[str, ...] = ()
    path: str = "/"
    backends: tuple[Backend, ...] = ()           # routable: the upstream's servers
    drained: tuple[Backend, ...] = ()
    conflicting: tuple[Backend, ...] = ()        # claim another route than the service's
    maintenance: bool = False

    @property
    def upstream(self) -> str:
        return f"svc_{self.name}"

    @property
    def routed(self) -> bool:
        return bool(self.hosts)


@dataclass(frozen=True, slots=True)
class Location:
    path: str
    service: Service


@dataclass(frozen=True, slots=True)
class VirtualHost:
    name: str
    locations: tuple[Location, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    key: str
    value: str
    reason: str
    conflict: bool = False


@dataclass(frozen=True, slots=True)
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


Claim = tuple[tuple[str, ...], str]          # (hosts, path): what a service's containers agree on


def build_service(name: str, backends: Sequence[tuple[str, str]], routes: Sequence[tuple[str, str, Route]],
                  drained: frozenset[str] | set[str], maintenance: bool) -> tuple[Service, tuple[Problem, ...]]:
    """One service from its backend keys (address, key), its route keys (address, key, route),
    its drained addresses and its maintenance switch; the conflicts it settled."""
    claims = {address: (key, route) for address, key, route in sorted(routes, reverse=True)}   # lowest key wins
    winner, count = winning_claim(route for _key, route in claims.values())
    routable, left_out, conflicting, problems = [], [], [], []
    seen: set[str] = set()
    for address, key in sorted(backends):
        if address in seen:
            continue                              # two keys, one backend: the first key stands for it
        seen.add(address)
        route_key, route = claims.get(address, ("", None))
        backend = Backend(address, route.weight if route else 1, key)
        if route is not None and route.claim != winner:
            conflicting.append(backend)
            problems.append(Problem(route_key, route.to_value(), conflict=True, reason=(
                f"service {name}: backend {address} claims {describe(route.claim)}, the service is "
                f"routed as {describe(winner)} ({count} of {len(claims)} claims); left out")))
        elif address in drained:
            left_out.append(backend)
        else:
            routable.append(backend)
    hosts, path = winner
    service = Service(name, hosts, path, tuple(routable), tuple(left_out), tuple(conflicting),
                      maintenance=maintenance)
    return service, tuple(problems)


def winning_claim(routes: Iterable[Route]) -> tuple[Claim, int]:
    """The claim held by the most routes, a tie going to the one that sorts first."""
    counts = Counter(route.claim for route in routes)
    if not counts:
        return ((), "/"), 0
    claim, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return claim, count


def virtual_hosts(services: Sequence[Service],
                  claim_key: Callable[[Service], tuple[str, str]] | None = None
                  ) -> tuple[tuple[VirtualHost, ...], tuple[Problem, ...]]:
    """Host -> path -> service; a (host, path) claimed by several services goes to the name
    that sorts first (`services` are sorted by name).  `claim_key(service)` names the key
    (and its value) to report a loser under."""
    owners: dict[tuple[str, str], list[Service]] = {}
    for service in services:
        for host in service.hosts:
            owners.setdefault((host, service.path), []).append(service)
    locations: dict[str, list[Location]] = {}
    problems = []
    for (host, path), claimants in sorted(owners.items()):
        winner, *losers = claimants
        for loser in losers:
            key, value = claim_key(loser) if claim_key else ("", "")
            problems.append(Problem(key, value, conflict=True, reason=(
                f"host {host} path {path}: claimed by services {winner.name} and {loser.name}; "
                f"{winner.name} gets it (the name that sorts first)")))
        locations.setdefault(host, []).append(Location(path, winner))
    return tuple(VirtualHost(host, tuple(locs)) for host, locs in sorted(locations.items())), tuple(problems)


def describe(claim: Claim) -> str:
    hosts, path = claim
    return f"hosts {','.join(hosts) or '(none)'} path {path}"
