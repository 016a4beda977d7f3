"""The balancer's main loop: one thread decides when to render; etcd and the child wake it."""
from __future__ import annotations

import logging
import shutil
import signal
import sys
import threading
import time
from typing import Callable

from balancer.activity import Activity
from balancer.cache import KeyCache
from balancer.config import Config
from balancer.debounce import Debouncer
from balancer.errors import BalancerError, ChildError, StoreError
from balancer.render import Renderer
from balancer.resource import ConfdirState, TemplateResource, confdir_state, load_confdir
from balancer.store import PROGRESS_INTERVAL, Snapshot, Store
from balancer.commands import run_command
from balancer.leftovers import recover
from balancer.metrics import BalancerMetrics
from balancer.supervise import Child
from balancer.sync import Syncer
from balancer.status_page import pool_members, status_pages
from lbcommon.signals import Signals
from lbcommon.etcd import connect
from lbcommon.observe import run_observed
from lbcommon.retry import Backoff

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_CANNOT_EXEC = 0, 1, 127
HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)
# The first change after a quiet spell is rendered this late, so that what one etcd revision
# sends over the several watches (a route key and its backend key) is one render (debounce.py).
DEBOUNCE_LEAD = 0.01


class Balancer:
    """The resources of one confdir and how to bring them in step with a snapshot."""

    def __init__(self, config: Config, store: Store, metrics: BalancerMetrics | None = None) -> None:
        self.config = config
        self.store = store
        self.metrics = metrics or BalancerMetrics()
        self.activity = Activity()
        self.renderer = Renderer(on_rejected=lambda name: self.metrics.rejected.labels(name).inc(),
                                 on_report=self.activity.on_report)
        self.syncer = Syncer(self.activity.command_runner(self.metrics.command_runner(run_command)), noop=config.noop)
        self.resources: list[TemplateResource] = []
        self.changed = 0                 # resources written by the last sync_all

    def load(self) -> int:
        """(Re)read conf.d; returns how many resource files failed (each is logged)."""
        resources, errors = load_confdir(self.config.confdir, self.config.prefix)
        for error in errors:
            log.error("%s; skipped", error)
        if not resources and not errors:
            log.warning("%s: no template resources (*.toml)", self.config.confdir / "conf.d")
        for resource in resources:
            recover(resource.dest, noop=self.config.noop)
        self.resources = resources
        return len(errors)

    def confdir_state(self) -> ConfdirState:
        return confdir_state(self.config.confdir, self.resources)

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(sorted({p for r in self.resources for p in r.etcd_prefixes}))

    def sync_all(self, snapshot: Snapshot, reload: bool = True) -> int:
        """Bring every resource in step; returns how many failed (each is logged, none stops the rest)."""
        failed = self.changed = 0
        for resource in self.resources:
            try:
                content = self._render(resource, snapshot)
                result = self.syncer.sync(resource, content, reload=reload)
                self.changed += result.changed
            except BalancerError as exc:
                message = str(exc)
                log.error("%s", message if message.startswith(f"{resource.name}: ") else f"{resource.name}: {message}")
                self.activity.sync_done(resource.name, message)
                failed += 1
                continue
            self.activity.sync_done(resource.name)
            if result.changed and self.config.noop:
                sys.stdout.write(result.diff)
                sys.stdout.flush()
        if not failed:
            self.metrics.synced()
        return failed

    def _render(self, resource: TemplateResource, snapshot: Snapshot) -> str:
        started = time.monotonic()
        try:
            content = self.renderer.render(resource, snapshot)
        except BalancerError as exc:
            self.metrics.renders.labels(resource.name, "error").inc()
            self.activity.step(resource.name, "render", time.monotonic() - started, str(exc))
            raise
        finally:
            self.metrics.render_seconds.labels(resource.name).observe(time.monotonic() - started)
        self.activity.step(resource.name, "render", time.monotonic() - started)
        self.activity.pool(resource.name, pool_members(self.renderer, resource.name))
        self.metrics.renders.labels(resource.name, "ok").inc()
        self.metrics.pool_size.labels(resource.name).set(self.renderer.pool_sizes.get(resource.name, 0))
        routing = self.renderer.routing.get(resource.name)
        self.metrics.route_conflicts.labels(resource.name).set(len(routing.conflicts) if routing else 0)
        return content


def run(config: Config) -> int:
    store = Store(connect(config.endpoints, config.credentials, config.etcd_timeout))
    balancer = Balancer(config, store)
    try:
        if config.onetime:
            return run_onetime(balancer)
        return Loop(balancer).run()
    finally:
        store.close()


def check_config(config: Config) -> int:
    """Load every resource and parse its template; no etcd, no files written."""
    resources, errors = load_confdir(config.confdir, config.prefix)
    renderer = Renderer()
    failed = len(errors)
    for error in errors:
        log.error("%s", error)
    for resource in resources:
        try:
            renderer.compile(resource)
        except BalancerError as exc:
            log.error("%s: %s", resource.name, exc)
            failed += 1
    if config.exec_command and shutil.which(config.exec_command[0]) is None:
        log.error("--exec: %s: not found or not executable", config.exec_command[0])
        failed += 1
    if failed:
        return EXIT_FAILED
    log.info("configuration ok: %d template resources in %s", len(resources), config.confdir / "conf.d")
    return EXIT_OK


def run_onetime(balancer: Balancer) -> int:
    load_failures = balancer.load()
    try:
        snapshot = balancer.store.snapshot(balancer.prefixes)
    except StoreError as exc:
        log.error("%s; nothing rendered", exc)
        return EXIT_FAILED
    failed = balancer.sync_all(snapshot) + load_failures
    if failed:
        log.error("onetime: %d of %d template resources not in sync", failed,
                  len(balancer.resources) + load_failures)
        return EXIT_FAILED
    log.info("onetime: %d template resources in sync", len(balancer.resources))
    return EXIT_OK


class Loop:
    def __init__(self, balancer: Balancer, clock: Callable[[], float] = time.monotonic) -> None:
        config = balancer.config
        self.balancer = balancer
        self.config = config
        self.clock = clock
        self.wake = threading.Event()
        self.changed = threading.Event()
        self.signals = Signals(HANDLED_SIGNALS, self.wake)
        self.debouncer = Debouncer(config.debounce_quiet, config.debounce_limit, clock,
                                   lead=min(DEBOUNCE_LEAD, config.debounce_quiet))
        self.retry = Backoff(initial=1.0, maximum=config.retry_max)
        self.child = Child(config.exec_command, self.wake, config.exec_death_signal) if config.exec_command else None
        self.cache = None if config.interval else KeyCache(
            balancer.store, self._on_change, on_restart=balancer.metrics.watch_restarts.inc)
        self.last_poll_ok: float | None = None
        self.retry_at: float | None = None
        self.next_tick = clock()
        self.next_confdir_check: float | None = None
        self.confdir_seen: ConfdirState = frozenset()
        self.first_tries = 0

    def _on_change(self) -> None:
        self.changed.set()
        self.wake.set()

    def run(self) -> int:
        return run_observed(self.config.metrics_addr, self.balancer.metrics.registry, self.health,
                            self._run, failed=EXIT_FAILED, pages=status_pages(self))

    def health(self) -> list[str]:
        """Why /healthz should answer 503 now; empty when in touch with etcd (and the child runs)."""
        reasons = []
        now = self.clock()
        if self.cache:
            silent = now - self.cache.last_contact
            if not self.cache.synced:
                reasons.append(f"etcd watch down: {self.cache.last_error}")
            elif silent > self.contact_bound:
                reasons.append(f"etcd watch: no answer for {silent:.0f}s (progress requests every "
                               f"{PROGRESS_INTERVAL:g}s)")
        elif self.last_poll_ok is None or now - self.last_poll_ok > self.contact_bound:
            reasons.append("etcd: no successful poll within the last "
                           f"{self.contact_bound:.0f}s")
        if self.child and not self.child.started:
            reasons.append(f"exec: {self.child.argv[0]} not started yet (waiting for the first sync)")
        elif self.child and self.child.exit_status is not None:
            reasons.append(f"exec: {self.child.argv[0]} exited with status {self.child.exit_status}")
        return reasons

    @property
    def contact_bound(self) -> float:
        period = self.config.interval or PROGRESS_INTERVAL
        return 3 * period + self.config.etcd_timeout

    def _run(self) -> int:
        with self.signals.installed():
            self.balancer.load()
            self.confdir_seen = self.balancer.confdir_state()
            if self.config.confdir_poll:
                self.next_confdir_check = self.clock() + self.config.confdir_poll
            log.info("%s mode: %d template resources, watching %s", self.config.mode,
                     len(self.balancer.resources), ", ".join(self.balancer.prefixes) or "nothing")
            if self.cache:
                self.cache.start(self.balancer.prefixes)
                self.next_tick = self.clock() + self.config.resync_interval
            try:
                return self._loop()
            finally:
                if self.cache:
                    self.cache.stop()

    def _loop(self) -> int:
        while True:
            self.wake.wait(self._timeout())
            self.wake.clear()
            for signum in self.signals.take():
                status = self._on_signal(signum)
                if status is not None:
                    return status
            if self.child and self.child.exit_status is not None:
                log.info("exec: %s exited with status %d", self.child.argv[0], self.child.exit_status)
                return self.child.exit_status
            self._on_timers()
            if self.changed.is_set():
                self.changed.clear()
                self.debouncer.notify()
            if self.debouncer.due():
                self.debouncer.fired(acted=False)
                status = self._sync()
                if self.balancer.changed:
                    self.debouncer.acted()
                if status is not None:
                    return status

    def _timeout(self) -> float:
        deadlines = [d for d in (self.debouncer.deadline(), self.retry_at, self.next_tick, self.next_confdir_check)
                     if d is not None]
        return max(0.0, min(deadlines) - self.clock()) if deadlines else 5.0

    def _on_signal(self, signum: int) -> int | None:
        if signum == signal.SIGHUP:
            self._reload_confdir("SIGHUP")
            return None
        if self.child and self.child.started:
            self.child.forward(signum)
            return None
        log.info("%s: exiting", signal.Signals(signum).name)
        return EXIT_OK

    def _reload_confdir(self, why: str) -> None:
        log.info("%s: re-reading %s", why, self.config.confdir / "conf.d")
        self.balancer.load()
        self.confdir_seen = self.balancer.confdir_state()
        if self.cache:
            self.cache.set_prefixes(self.balancer.prefixes)
        self.changed.set()

    def _on_timers(self) -> None:
        now = self.clock()
        if self.next_confdir_check is not None and now >= self.next_confdir_check:
            self.next_confdir_check = now + self.config.confdir_poll
            if self.balancer.confdir_state() != self.confdir_seen:
                self._reload_confdir("confdir changed")
        if self.retry_at is not None and now >= self.retry_at:
            self.retry_at = None
            self.changed.set()
        if now >= self.next_tick:
            if self.cache:
                self.cache.resync()  # the fresh listing wakes us through _on_change
                self.next_tick = now + self.config.resync_interval
            else:
                self.changed.set()
                self.next_tick = now + (self.config.interval or 0)

    def _snapshot(self) -> Snapshot | None:
        if self.cache:
            return self.cache.snapshot()  # None while etcd is unreachable: keep what serves
        try:
            snapshot = self.balancer.store.snapshot(self.balancer.prefixes)
            self.last_poll_ok = self.clock()
            return snapshot
        except StoreError as exc:
            log.error("%s; keeping the current files", exc)
            return None

    def _sync(self) -> int | None:
        """Render everything; returns an exit status only when the child cannot be started."""
        snapshot = self._snapshot()
        if snapshot is None:
            if not self.cache:
                self._schedule_retry()
            return None
        starting = self.child is not None and not self.child.started
        # Before the child runs there is nothing to reload: it starts with the new files.
        failed = self.balancer.sync_all(snapshot, reload=not starting)
        if failed:
            self._schedule_retry(first_sync=starting)
            return None
        self.retry.reset()
        if starting:
            assert self.child
            try:
                self.child.start()
            except ChildError as exc:
                log.error("%s", exc)
                return EXIT_CANNOT_EXEC
        return None

    def _schedule_retry(self, first_sync: bool = False) -> None:
        delay = self.retry.next_delay()
        self.retry_at = self.clock() + delay
        if first_sync:
            self.first_tries += 1
            log.warning("exec: first sync failed (try %d); retrying in %.1fs before starting %s",
                        self.first_tries, delay, self.child.argv[0] if self.child else "")
        else:
            log.warning("retrying failed template resources in %.1fs", delay)
