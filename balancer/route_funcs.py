"""The template function `routing(services_prefix, lb_prefix)`: the routing table of every
service (upstreams, virtual hosts, paths, weights, drain, maintenance) from the render's
snapshot.  The tables come from RoutingIndex objects the renderer keeps from one render to
the next (only changed keys are parsed again); problems go to the render's callback."""
from __future__ import annotations

from typing import Callable, Mapping

from lbcommon.routes import KeyLayout
from lbcommon.routing import Problem, RoutingTable
from lbcommon.routing_index import RoutingIndex


class RoutingFunction:
    """`routing()` for one render; `tables` holds what the template asked for."""

    def __init__(self, values: Mapping[str, str], on_problem: Callable[[Problem], None],
                 index: Callable[[KeyLayout], RoutingIndex] = RoutingIndex) -> None:
        self._values = values
        self._on_problem = on_problem
        self._index = index
        self.tables: dict[KeyLayout, RoutingTable] = {}

    def __call__(self, services: str = "/services", lb: str = "/lb") -> RoutingTable:
        layout = KeyLayout(services, lb)
        if layout not in self.tables:             # a template may ask more than once
            table = self.tables[layout] = self._index(layout).update(self._values)
            for problem in table.problems:
                self._on_problem(problem)
        return self.tables[layout]

    @property
    def pool_size(self) -> int:
        return sum(table.pool_size for table in self.tables.values())
