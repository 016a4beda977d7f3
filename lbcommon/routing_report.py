"""The routing table as the `status` commands show it: a table of services, then one line
per problem (conflicts, values that are not what they should be); the same as JSON."""
from __future__ import annotations

from typing import Any

from lbcommon.routing import Problem, RoutingTable, Service
from lbcommon.table import one_line, table

SERVICE_COLUMNS = ("SERVICE", "HOSTS", "PATH", "BACKENDS", "DRAINED", "STATE")


def service_state(service: Service) -> str:
    if service.maintenance:
        return "maintenance"
    if not service.routed:
        return "unrouted (no sidekick.hosts)"
    return "ok" if service.backends else "no backend (503)"


def format_services(routing: RoutingTable) -> str:
    """Empty when there is no service."""
    if not routing.services:
        return ""
    rows = [(s.name, ",".join(s.hosts) or "-", s.path, _backends(s),
             ",".join(b.address for b in s.drained) or "-", service_state(s)) for s in routing.services]
    lines = [table([SERVICE_COLUMNS, *rows])]
    lines += [format_problem(problem) for problem in routing.problems]
    return "\n".join(lines)


def format_problem(problem: Problem) -> str:
    kind = "conflict" if problem.conflict else "bad value"
    return one_line(f"{kind}: {problem.reason} (key {problem.key!r})")


def routing_json(routing: RoutingTable) -> dict[str, Any]:
    return {
        "services": [service_json(s) for s in routing.services],
        "problems": [{"key": p.key, "value": p.value, "reason": p.reason, "conflict": p.conflict}
                     for p in routing.problems],
    }


def service_json(service: Service) -> dict[str, Any]:
    return {
        "name": service.name, "upstream": service.upstream, "hosts": list(service.hosts),
        "path": service.path, "state": service_state(service), "maintenance": service.maintenance,
        "backends": [{"address": b.address, "weight": b.weight} for b in service.backends],
        "drained": [b.address for b in service.drained],
        "conflicting": [b.address for b in service.conflicting],
    }


def _backends(service: Service) -> str:
    if not service.backends:
        return "0"
    weights = [f"{b.address}*{b.weight}" if b.weight != 1 else b.address for b in service.backends]
    return f"{len(weights)}: {','.join(weights)}"
