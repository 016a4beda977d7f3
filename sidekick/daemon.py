"""The sidekick's main loop.  One thread owns the container table and what is written to etcd
(`self.etcd`, registrations.py); the Docker event thread, the health-probe pool and the lease
keeper only hand it items (`Inbox`) and wake it."""
from __future__ import annotations

import logging
import signal
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Callable, Mapping

from lbcommon.etcd import connect
from lbcommon.observe import run_observed
from lbcommon.recent import EventLog
from lbcommon.signals import Signals
from sidekick.config import Config
from sidekick.container import Container, backend_address, is_selected, is_terminating, kill_signal
from sidekick.docker_source import DockerSource
from sidekick.errors import DockerError, NotRegistrable, RegistryError
from sidekick.events import DockerEvent, Event, ProbeDone
from sidekick.health import HealthState, probe
from sidekick.health_report import HealthReports, service_of
from sidekick.keepalive import KeepaliveResult, LeaseKeeper
from sidekick.metrics import SidekickMetrics
from sidekick.registrations import Registrations
from sidekick.registry import Registry
from sidekick.routing import route_of, service_name
from sidekick.status_page import status_pages
from sidekick.tracked import Inbox, Tracked

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED = 0, 1
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
REMOVE_ACTIONS = frozenset({"die", "stop", "destroy", "oom"})
ADD_ACTIONS = frozenset({"start", "unpause", "restart"})
NETWORK_ACTIONS = frozenset({"connect", "disconnect"})
# Longest stop grace period we expect (`docker stop -t`); a container killed with a stop
# signal that keeps running longer than this is taken back by the next reconcile.
DRAIN_GRACE = 120.0


def run(config: Config) -> int:
    client = connect(config.endpoints, config.credentials, config.etcd_timeout)
    metrics = SidekickMetrics()
    try:
        # the reports of containers not registered are logged once by the loop, not per write
        registry = Registry(client, config.ttl, on_grant=metrics.lease_grants.inc, quiet=(config.reports_prefix,))
        sidekick = Sidekick(config, registry, metrics=metrics)
        return run_observed(config.metrics_addr, metrics.registry, sidekick.health, sidekick.run,
                            failed=EXIT_FAILED, pages=status_pages(sidekick))
    finally:
        client.close()


class Sidekick:
    def __init__(self, config: Config, registry: Registry, docker_source: DockerSource | None = None,
                 clock: Callable[[], float] = time.monotonic, metrics: SidekickMetrics | None = None) -> None:
        self.config = config
        self.registry = registry
        self.metrics = metrics or SidekickMetrics()
        self.metrics.containers.set_function(lambda: len(self.tracked))
        self.metrics.registered.set_function(lambda: sum(t.registered for t in self.tracked.values()))
        self.clock = clock
        self.inbox = Inbox()
        self.signals = Signals(STOP_SIGNALS, self.inbox.wake)
        self.docker = docker_source or DockerSource(config.docker_timeout, self.inbox.put)
        self.tracked: dict[str, Tracked] = {}
        self.ignored: set[str] = set()             # running containers that are not selected
        self.draining: dict[str, float] = {}       # killed, in their stop grace period: until when
        self.stopping: int | None = None
        self.probes = ThreadPoolExecutor(max_workers=8, thread_name_prefix="probe")
        self.events = EventLog()                   # recent events, for the status page
        self.etcd = Registrations(config, registry, self.metrics, self.events, clock)
        self.health_reports = HealthReports(registry, config.reports_prefix, self.etcd.schedule_retry, self.events)
        self.keeper = LeaseKeeper(registry.refresh, lambda: self.registry.lease_id, config.keepalive_interval,
                                  self.inbox.put)
        self.next_reconcile = clock() + config.reconcile_interval

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        with self.signals.installed():
            log.info("sidekick: %s, keys under %s, lease ttl %ds, check %s",
                     f"container {self.config.container}" if self.config.container else "host-wide",
                     self.config.service_prefix(self.config.service), self.config.ttl,
                     self.config.health.kind)
            self.docker.start()
            self.etcd.flush()                        # a lease at once, Docker or not
            self.keeper.start()
            try:
                while self.stopping is None:
                    self.inbox.wake.wait(self._timeout())
                    self.inbox.wake.clear()
                    for signum in self.signals.take():
                        self.stopping = signum
                    if self.stopping is not None:
                        break
                    for item in self.inbox.drain():
                        self._handle(item)
                    self._timers()
            finally:
                self.keeper.stop()
                self.docker.stop()
                self.probes.shutdown(wait=False, cancel_futures=True)
            return self._shutdown()

    def _shutdown(self) -> int:
        name = signal.Signals(self.stopping).name if self.stopping else "stop"
        try:
            self.registry.revoke()
            log.info("%s: lease revoked, every key removed; exiting", name)
        except RegistryError as exc:
            log.error("%s: %s; keys expire with the lease ttl (%ds)", name, exc, self.config.ttl)
        return EXIT_OK

    def health(self) -> list[str]:
        """Why /healthz should answer 503 now: the lease is not being kept alive, or the
        Docker event stream is down."""
        reasons = self.etcd.problems()
        if not self.docker.connected:
            reasons.append("Docker event stream not connected")
        return reasons

    def _timeout(self) -> float:
        deadlines = [self.next_reconcile]
        if self.etcd.retry_at is not None:
            deadlines.append(self.etcd.retry_at)
        deadlines += [t.next_probe for t in self.tracked.values() if self._wants_probe(t)]
        return max(0.0, min(deadlines) - self.clock())

    def _handle(self, item: Event) -> None:
        if isinstance(item, DockerEvent):
            self._on_event(item.data)
        elif isinstance(item, ProbeDone):
            self._on_probe(item)
        elif isinstance(item, KeepaliveResult):
            self.etcd.on_keepalive(item)
        elif item.connected:
            log.info("Docker event stream connected; reconciling")
            self._reconcile(deep=True)
        else:
            self.metrics.docker_reconnects.inc()

    def _timers(self) -> None:
        now = self.clock()
        self.etcd.retry_due(now)
        if now >= self.next_reconcile:
            self.next_reconcile = now + self.config.reconcile_interval
            self._reconcile()
        for tracked in self.tracked.values():
            if self._wants_probe(tracked) and now >= tracked.next_probe:
                self._start_probe(tracked)

    # -- Docker events -------------------------------------------------------------------

    def _on_event(self, event: Mapping[str, Any]) -> None:
        action = str(event.get("Action") or event.get("status") or "")
        attributes = (event.get("Actor") or {}).get("Attributes") or {}
        if event.get("Type") == "network":           # Actor is the network; the container is an attribute
            if action in NETWORK_ACTIONS:
                self._on_network(str(attributes.get("container") or ""), action, str(attributes.get("name") or "?"))
            return
        cid = event.get("id") or (event.get("Actor") or {}).get("ID")
        if not cid:
            return
        if action == "kill":
            signum = kill_signal(attributes)
            tracked = self.tracked.get(cid)
            if is_terminating(signum, tracked.container if tracked else None):
                # It runs on through its stop grace period: keep reconciles from adding it back.
                self.draining[cid] = self.clock() + DRAIN_GRACE
                self._drop(cid, f"kill signal {attributes.get('signal', '?')}")
            elif cid in self.tracked:
                log.info("container %s: kill signal %s is not a stop; kept", self.tracked[cid].container,
                         attributes.get("signal"))
        elif action in REMOVE_ACTIONS:
            self.draining.pop(cid, None)
            self._drop(cid, action)
        elif action == "pause":
            self._drop(cid, "paused")
        elif action in ADD_ACTIONS:
            self.draining.pop(cid, None)
            self._track(cid)
        elif action.startswith("health_status") and cid not in self.draining:
            self._on_docker_health(cid, action.split(":", 1)[-1].strip())

    def _on_network(self, cid: str, action: str, network: str) -> None:
        """`docker network connect|disconnect` of a running container we track or reported: its
        address is worked out again (registered once it has one, removed when it lost it).  The
        connects before a `start` and the disconnects after a `die` concern containers not
        tracked (yet, or any more): the `start` and `die` events handle those."""
        if not cid or cid in self.draining or (cid not in self.tracked and cid not in self.etcd.reported):
            return
        known = self.tracked[cid].container if cid in self.tracked else self.etcd.reported[cid][0]
        log.info("container %s: network %s %s; evaluating its address again", known, network,
                 "connected" if action == "connect" else "disconnected")
        self._track(cid)

    def _on_docker_health(self, cid: str, status: str) -> None:
        tracked = self.tracked.get(cid)
        if tracked is None:
            self._track(cid)
            return
        tracked.container = replace(tracked.container, health=status)
        if status == "healthy":
            self.etcd.register(tracked)
        else:
            self.etcd.deregister(tracked, f"Docker health {status}")
        self.health_reports.result(tracked.container, service_of(tracked.key), tracked.value, status == "healthy",
                                   f"Docker health {status}", tracked.registered)

    def _track(self, cid: str) -> None:
        try:
            container = self.docker.inspect(cid)
        except DockerError as exc:
            log.warning("%s; the next reconcile will retry", exc)
            return
        if container is None or not container.running or container.paused:
            self._drop(cid, "not running")
            return
        self._track_container(container)

    def _track_container(self, container: Container) -> None:
        if not is_selected(container, self.config):
            self.ignored.add(container.id)        # labels and image never change: ask once
            return
        try:
            address = backend_address(container, self.config)
            service = service_name(container, self.config)
            route = route_of(container)
        except NotRegistrable as exc:
            if container.id in self.tracked:      # it had an address (e.g. a network was disconnected)
                self._drop(container.id, "not registrable any more")
            self.etcd.report(container, str(exc))
            return
        self.etcd.unreport(container.id)
        key = self.config.service_prefix(service) + address
        current = self.tracked.get(container.id)
        if current and current.key == key:
            current.container = container
            if current.docker_health and container.health == "healthy":
                self.etcd.register(current)
            return
        if current:
            self._drop(container.id, "address changed")
        tracked = Tracked(container, key, address, HealthState.for_config(self.config.health),
                          next_probe=self.clock(),
                          route=(self.config.layout.route_key(service, address), route.to_value()) if route else None)
        self.tracked[container.id] = tracked
        log.info("container %s: tracking as %s", container, key)
        if tracked.docker_health:
            self.etcd.put_route(tracked)        # Docker's first health status is an interval away
            if container.health == "healthy":
                self.etcd.register(tracked)
        elif self.config.health.kind == "none":
            self.etcd.register(tracked)
        else:
            self._start_probe(tracked)          # its route key goes with the first result

    def _drop(self, cid: str, reason: str) -> None:
        tracked = self.tracked.pop(cid, None)
        self.etcd.unreport(cid)
        self.health_reports.forget(cid)
        if tracked is not None:
            self.etcd.deregister(tracked, reason)
            if tracked.route:
                self.etcd.delete(tracked.route[0])

    # -- health --------------------------------------------------------------------------

    def _wants_probe(self, tracked: Tracked) -> bool:
        return not tracked.docker_health and self.config.health.kind != "none" and not tracked.probing

    def _start_probe(self, tracked: Tracked) -> None:
        health = self.config.health
        tracked.probing = True
        cid, run = tracked.container.id, tracked.run
        future = self.probes.submit(probe, health.kind, tracked.value, health.timeout, health.path)

        def done(f: Future[tuple[bool, str]]) -> None:
            try:
                passed, detail = f.result()
            except Exception as exc:  # noqa: BLE001 - a probe must never kill the loop
                passed, detail = False, f"probe error: {exc}"
            self.inbox.put(ProbeDone(cid, run, passed, detail))

        future.add_done_callback(done)

    def _on_probe(self, result: ProbeDone) -> None:
        tracked = self.tracked.get(result.cid)
        if tracked is None or tracked.run != result.run:
            return                      # dropped since, or restarted: the result is of an earlier run
        passed, detail = result.passed, result.detail
        tracked.probing = False
        self.metrics.health_checks.labels("pass" if passed else "fail").inc()
        flipped = tracked.health.record(passed)
        healthy = tracked.health.healthy
        tracked.next_probe = self.clock() + tracked.health.next_delay(self.config.health.interval)
        if flipped and healthy:
            self.etcd.register(tracked)
        elif flipped:
            self.etcd.deregister(tracked, f"health check failed {tracked.health.failures}x: {detail}")
        elif not passed and not healthy and tracked.health.failures == 1:
            log.info("container %s: health check failed, not registered: %s", tracked.container, detail)
        if not tracked.registered:
            self.etcd.put_route(tracked)        # known not healthy (yet): its host names answer 503
        self.health_reports.result(tracked.container, service_of(tracked.key), tracked.value, passed, detail,
                                   tracked.registered)

    # -- reconciling ---------------------------------------------------------------------

    def _reconcile(self, deep: bool = False) -> None:
        """Containers vs tracked, then desired keys vs etcd.  Only containers we do not know
        are inspected, unless `deep` (after a reconnect: health events may have been missed)."""
        try:
            states = self.docker.states()
        except DockerError as exc:
            log.warning("%s; reconcile postponed", exc)
            return
        for cid in [cid for cid in self.tracked if states.get(cid) != "running"]:
            self._drop(cid, "paused" if states.get(cid) == "paused" else "no longer running")
        self.ignored &= states.keys()
        for cid in [cid for cid in self.etcd.reported if cid not in states]:
            self.etcd.unreport(cid)
        now = self.clock()
        self.draining = {cid: until for cid, until in self.draining.items() if cid in states and until > now}
        for cid, state in states.items():
            # a reported container is asked again after a reconnect too: a network connect
            # may have been missed
            known = cid in self.ignored or cid in self.draining or \
                ((cid in self.tracked or cid in self.etcd.reported) and not deep)
            if state == "running" and not known:
                self._track(cid)
        self.etcd.reconcile(lambda: frozenset(k for t in self.tracked.values() for k in t.keys))
