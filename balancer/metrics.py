"""The balancer's Prometheus metrics (prometheus-client, one registry per process)."""
from __future__ import annotations

import time
from typing import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from balancer.commands import CommandResult
from balancer.errors import CommandError

RunCommand = Callable[[str, str, float], CommandResult]
_DURATIONS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class BalancerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.registry = registry or CollectorRegistry()
        self._clock = clock
        r = self.registry
        self.renders = Counter("balancer_renders_total", "Template renders, by outcome.",
                               ["resource", "outcome"], registry=r)
        self.checks = Counter("balancer_checks_total", "check_cmd runs, by outcome.",
                              ["resource", "outcome"], registry=r)
        self.reloads = Counter("balancer_reloads_total", "reload_cmd runs, by outcome.",
                               ["resource", "outcome"], registry=r)
        self.render_seconds = Histogram("balancer_render_duration_seconds", "Time to render a template.",
                                        ["resource"], buckets=_DURATIONS, registry=r)
        self.check_seconds = Histogram("balancer_check_duration_seconds", "Time check_cmd took.",
                                       ["resource"], buckets=_DURATIONS, registry=r)
        self.reload_seconds = Histogram("balancer_reload_duration_seconds", "Time reload_cmd took.",
                                        ["resource"], buckets=_DURATIONS, registry=r)
        self.watch_restarts = Counter("balancer_etcd_watch_restarts_total",
                                      "etcd watches that broke and were re-established.", registry=r)
        self.rejected = Counter("balancer_rejected_backend_values_total",
                                "Distinct invalid backend values kept out of a rendered file.",
                                ["resource"], registry=r)
        self.pool_size = Gauge("balancer_pool_size", "Distinct backend addresses (host:port) the last render of a resource read: from backends(), "
                               "routing(), and confd's getvs/gets/getv/get.",
                               ["resource"], registry=r)
        self.route_conflicts = Gauge("balancer_route_conflicts",
                                     "Routing conflicts settled by rule in the last render of a resource "
                                     "(containers of a service that disagree, services claiming one host and path).",
                                     ["resource"], registry=r)
        self.last_sync = Gauge("balancer_last_successful_sync_timestamp_seconds",
                               "When every resource was last in step with etcd.", registry=r)
        self._last_sync_at: float | None = None
        since = Gauge("balancer_seconds_since_last_successful_sync",
                      "Seconds since every resource was last in step with etcd (-1: never).", registry=r)
        since.set_function(lambda: -1.0 if self._last_sync_at is None else self._clock() - self._last_sync_at)

    def synced(self) -> None:
        self._last_sync_at = self._clock()
        self.last_sync.set(self._last_sync_at)

    def command_runner(self, run: RunCommand) -> RunCommand:
        """Wrap run_command: count check/reload outcomes and time them, per resource."""
        def timed(what: str, command: str, timeout: float) -> CommandResult:
            resource, _, kind = what.rpartition(": ")
            counter, histogram = (self.checks, self.check_seconds) if kind == "check_cmd" \
                else (self.reloads, self.reload_seconds)
            started = time.monotonic()
            try:
                result = run(what, command, timeout)
            except CommandError:
                counter.labels(resource, "error").inc()
                raise
            finally:
                histogram.labels(resource).observe(time.monotonic() - started)
            counter.labels(resource, "ok").inc()
            return result

        return timed
