"""What the sidekick writes to etcd and how a failed write is retried: the backends of healthy
containers, the route keys, the reports of selected containers it cannot register, this run's
owner key and the claim of an earlier run's stale keys.

Every write goes through the `Registry`, which keeps the desired state: a write that fails is
not lost, it is retried with backoff when `retry_due` says so (the loop's timer), and the lease's
keepalives (on their own thread, `LeaseKeeper`) are only recorded here."""
from __future__ import annotations

import json
import logging
import os
from typing import Callable

from lbcommon.recent import EventLog
from lbcommon.retry import Backoff
from sidekick.config import Config
from sidekick.container import Container
from sidekick.errors import RegistryError
from sidekick.health_report import service_of
from sidekick.keepalive import KeepaliveResult
from sidekick.metrics import SidekickMetrics
from sidekick.registry import Registry
from sidekick.tracked import Tracked

log = logging.getLogger(__name__)


class Registrations:
    def __init__(self, config: Config, registry: Registry, metrics: SidekickMetrics, events: EventLog,
                 clock: Callable[[], float]) -> None:
        self.config = config
        self.registry = registry
        self.metrics = metrics
        self.events = events
        self.clock = clock
        self.last_ok: float | None = None          # last successful keepalive, grant or write
        self.last_error = "no lease yet"
        self.backoff = Backoff(initial=0.5, maximum=min(10.0, config.keepalive_interval))
        self.retry_at: float | None = None
        self.reported: dict[str, tuple[Container, str]] = {}   # not registrable: id -> (it, why): logged, in etcd
        self.claimed = False
        metrics.not_registered.set_function(lambda: len(self.reported))

    # -- writing and retrying --------------------------------------------------------------

    def write(self, action: Callable[[], None]) -> bool:
        """Run an etcd step; on failure keep the desired state and retry with backoff."""
        try:
            action()
        except RegistryError as exc:
            self.last_error = str(exc)
            delay = self.backoff.next_delay()
            self.retry_at = self.clock() + delay
            log.warning("%s; keeping %d registrations to write, retrying in %.1fs",
                        exc, len(self.registry.desired), delay)
            return False
        self.backoff.reset()
        self.last_ok = self.clock()
        self.retry_at = None if self.registry.in_sync else self.clock() + self.backoff.next_delay()
        return True

    def flush(self) -> bool:
        return self.write(self.registry.flush)

    def schedule_retry(self) -> None:
        if self.retry_at is None:
            self.retry_at = self.clock() + self.backoff.next_delay()

    def retry_due(self, now: float) -> None:
        if self.retry_at is None or now < self.retry_at:
            return
        if self.registry.in_sync:                  # nothing left to write (a reconcile failed)
            self.retry_at = None
        else:
            self.flush()

    def put(self, key: str, value: str) -> None:
        if not self.registry.set(key, value) and not self.registry.in_sync:
            self.schedule_retry()

    def delete(self, key: str) -> None:
        if not self.registry.remove(key) and not self.registry.in_sync:
            self.schedule_retry()

    # -- the lease -------------------------------------------------------------------------

    def on_keepalive(self, result: KeepaliveResult) -> None:
        """A keepalive the LeaseKeeper made: record it; a lease etcd says is gone is replaced
        and every key put again, now."""
        if result.error:
            self.metrics.keepalive_failures.inc()
            self.last_error = result.error
        elif not result.alive:
            self.registry.lease_expired(result.lease_id)
            self.flush()
        elif result.lease_id == self.registry.lease_id:
            self.last_ok = self.clock()

    def problems(self) -> list[str]:
        """Why the sidekick is not healthy as far as etcd goes: its lease not kept alive."""
        bound = 2 * self.config.keepalive_interval + self.config.etcd_timeout
        if self.last_ok is None or self.clock() - self.last_ok > bound:
            return [f"etcd: lease not kept alive within {bound:g}s: {self.last_error}"]
        return []

    # -- backends and reports --------------------------------------------------------------

    def put_route(self, tracked: Tracked) -> None:
        """The container's route key (its hosts and path): held while it runs, healthy or not."""
        if tracked.route:
            self.put(*tracked.route)

    def register(self, tracked: Tracked) -> None:
        """Its backend key, in one transaction with its route key if that is not written yet: a
        balancer sees a new host name's server block and its first backend in one revision,
        not a 503 block first and the backend a `--debounce-max` later."""
        if tracked.registered:
            return
        tracked.registered = True
        self.metrics.registrations.labels(service_of(tracked.key)).inc()
        log.info("container %s: healthy, registering %s", tracked.container, tracked.key)
        self.events.add("joined", f"container {tracked.container}: registered {tracked.key}")
        keys = {tracked.key: tracked.value}
        if tracked.route:
            keys[tracked.route[0]] = tracked.route[1]
        if not self.registry.set_many(keys) and not self.registry.in_sync:
            self.schedule_retry()

    def deregister(self, tracked: Tracked, reason: str) -> None:
        tracked.health.reset()
        if not tracked.registered:
            return
        tracked.registered = False
        self.metrics.removed(reason)
        log.info("container %s: %s, removing %s", tracked.container, reason, tracked.key)
        self.events.add("left", f"container {tracked.container}: {reason}, removed {tracked.key}")
        self.delete(tracked.key)

    def report(self, container: Container, why: str) -> None:
        """A selected container that cannot be registered: one error line per reason, and a key
        under our lease that `sidekick status` lists."""
        if container.id in self.reported and self.reported[container.id][1] == why:
            return
        self.reported[container.id] = (container, why)
        log.error("%s; not registered", why)
        self.events.add("not registered", why, ok=False)
        value = json.dumps({"container": container.name, "id": container.id, "reason": why}, separators=(",", ":"))
        self.put(self.config.reports_prefix + container.id, value)

    def unreport(self, cid: str) -> None:
        if self.reported.pop(cid, None) is not None:
            self.delete(self.config.reports_prefix + cid)

    # -- reconciling with etcd -------------------------------------------------------------

    def reconcile(self, running: Callable[[], frozenset[str]]) -> None:
        """Desired keys vs etcd; after the first success, the claim of an earlier run's keys
        (`running`: the keys of the containers tracked now, which it keeps)."""
        # every folder a desired key lives in (the owner key's too: a folder not read back
        # would make its keys look missing, and put again, at every reconcile)
        prefixes = {self.config.service_prefix(self.config.service), self.config.reports_prefix} | \
                   {k.rsplit("/", 1)[0] + "/" for k in self.registry.desired}
        if self.write(lambda: self.registry.reconcile(prefixes)) and not self.claimed:
            self.claimed = self._claim_stale(running())

    def _claim_stale(self, running: frozenset[str]) -> bool:
        """Keys left under the lease of this sidekick's own earlier run (SIGKILLed: its lease
        lives on until its TTL) for containers that no longer run are removed now.  The earlier
        run is known by its owner key (`<lb>/sidekicks/<host-ip>/<identity>`, under its lease);
        keys under any other lease, such as those of a per-container sidekick next to a
        host-wide one, are never touched."""
        if self.config.address_mode != "host":
            return True
        owner = self.config.owner_key

        def claim() -> None:
            earlier = self.registry.lease_of(owner)
            if earlier and earlier != self.registry.lease_id:
                log.info("claiming keys of this sidekick's earlier run (lease %x, %s)", earlier, owner)
                for prefix in (self.config.layout.services + "/", self.config.layout.routes,
                               self.config.reports_prefix):
                    self.registry.claim_stale(prefix, earlier, keep=running)
            else:
                log.info("no earlier run of this sidekick (%s) to claim keys from", owner)
            self.registry.set(owner, f"pid {os.getpid()}")

        return self.write(claim)
