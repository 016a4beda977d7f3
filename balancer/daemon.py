"""The balancer's main loop: one thread decides when to render; etcd and the child wake it."""
from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
import time
from collections import deque
from typing import Callable, Iterator

from balancer.cache import KeyCache
from balancer.config import Config
from balancer.debounce import Debouncer
from balancer.errors import BalancerError, ChildError, StoreError
from balancer.render import Renderer
from balancer.resource import TemplateResource, load_confdir
from balancer.store import Snapshot, Store
from balancer.supervise import Child
from balancer.sync import Syncer
from lbcommon.etcd import connect
from lbcommon.retry import Backoff

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_CANNOT_EXEC = 0, 1, 127
HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)


class Balancer:
    """The resources of one confdir and how to bring them in step with a snapshot."""

    def __init__(self, config: Config, store: Store, renderer: Renderer | None = None,
                 syncer: Syncer | None = None) -> None:
        self.config = config
        self.store = store
        self.renderer = renderer or Renderer()
        self.syncer = syncer or Syncer(noop=config.noop)
        self.resources: list[TemplateResource] = []

    def load(self) -> int:
        """(Re)read conf.d; returns how many resource files failed (each is logged)."""
        resources, errors = load_confdir(self.config.confdir, self.config.prefix)
        for error in errors:
            log.error("%s; skipped", error)
        if not resources and not errors:
            log.warning("%s: no template resources (*.toml)", self.config.confdir / "conf.d")
        self.resources = resources
        return len(errors)

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(sorted({p for r in self.resources for p in r.etcd_prefixes}))

    def sync_all(self, snapshot: Snapshot, reload: bool = True) -> int:
        """Bring every resource in step; returns how many failed (each is logged, none stops the rest)."""
        failed = 0
        for resource in self.resources:
            try:
                content = self.renderer.render(resource, snapshot)
                result = self.syncer.sync(resource, content, reload=reload)
            except BalancerError as exc:
                log.error("%s: %s", resource.name, exc)
                failed += 1
                continue
            if result.changed and self.config.noop:
                sys.stdout.write(result.diff)
                sys.stdout.flush()
        return failed


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


class Signals:
    """Handlers only note the signal and wake the loop; the loop acts on it."""

    def __init__(self, wake: threading.Event) -> None:
        self._wake = wake
        self._pending: deque[int] = deque()

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self._handle) for sig in HANDLED_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _handle(self, signum: int, frame: object) -> None:
        self._pending.append(signum)
        self._wake.set()

    def take(self) -> list[int]:
        taken = []
        while self._pending:
            taken.append(self._pending.popleft())
        return taken


class Loop:
    def __init__(self, balancer: Balancer, clock: Callable[[], float] = time.monotonic) -> None:
        config = balancer.config
        self.balancer = balancer
        self.config = config
        self.clock = clock
        self.wake = threading.Event()
        self.changed = threading.Event()
        self.signals = Signals(self.wake)
        self.debouncer = Debouncer(config.debounce_quiet, config.debounce_limit, clock)
        self.retry = Backoff(initial=1.0, maximum=config.retry_max)
        self.child = Child(config.exec_command, self.wake) if config.exec_command else None
        self.cache = None if config.interval else KeyCache(balancer.store, self._on_change)
        self.retry_at: float | None = None
        self.next_tick = clock()
        self.first_tries = 0

    def _on_change(self) -> None:
        self.changed.set()
        self.wake.set()

    def run(self) -> int:
        with self.signals.installed():
            self.balancer.load()
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
                self.debouncer.fired()
                status = self._sync()
                if status is not None:
                    return status

    def _timeout(self) -> float:
        deadlines = [d for d in (self.debouncer.deadline(), self.retry_at, self.next_tick) if d is not None]
        return max(0.0, min(deadlines) - self.clock()) if deadlines else 5.0

    def _on_signal(self, signum: int) -> int | None:
        if signum == signal.SIGHUP:
            log.info("SIGHUP: re-reading %s", self.config.confdir / "conf.d")
            self.balancer.load()
            if self.cache:
                self.cache.set_prefixes(self.balancer.prefixes)
            self.changed.set()
            return None
        if self.child and self.child.started:
            self.child.forward(signum)
            return None
        log.info("%s: exiting", signal.Signals(signum).name)
        return EXIT_OK

    def _on_timers(self) -> None:
        now = self.clock()
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
            return self.balancer.store.snapshot(self.balancer.prefixes)
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
