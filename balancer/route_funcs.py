"""The template function `routing(services_prefix, lb_prefix)`: the routing table of every
service (upstreams, virtual hosts, paths, weights, drain, maintenance) from the render's
snapshot, built by lbcommon.routing and reported through the render's problem callback."""
from __future__ import annotations

from typing import Callable, Mapping

from lbcommon.routes import KeyLayout
from lbcommon.routing import Problem, RoutingTable, build_table


class RoutingFunction:
    """`routing()` for one render; `tables` holds what the template asked for."""

    def __init__(self, values: Mapping[str, str], on_problem: Callable[[Problem], None]) -> None:
        self._values = values
        self._on_problem = on_problem
        self.tables: dict[KeyLayout, RoutingTable] = {}

    def __call__(self, services: str = "/services", lb: str = "/lb") -> RoutingTable:
        layout = KeyLayout(services, lb)
        if layout not in self.tables:             # a template may ask more than once
            table = self.tables[layout] = build_table(self._values, layout)
            for problem in table.problems:
                self._on_problem(problem)
        return self.tables[layout]

    @property
    def pool_size(self) -> int:
        return sum(table.pool_size for table in self.tables.values())
