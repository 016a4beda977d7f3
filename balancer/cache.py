"""A local copy of the watched etcd prefixes, kept current by a watch on a background thread.

List, then watch from revision + 1; when the watch breaks (etcd restart, compaction,
network), mark the copy stale, back off, and list again.  While it is stale nothing is
rendered from it, so the last good files keep serving.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from balancer.errors import StoreError
from balancer.store import Change, Snapshot, Store, WatchStream
from lbcommon.retry import Backoff

log = logging.getLogger(__name__)


class KeyCache:
    def __init__(self, store: Store, on_change: Callable[[], None],
                 backoff: Backoff | None = None, on_restart: Callable[[], None] | None = None) -> None:
        self._store = store
        self._on_change = on_change
        self._backoff = backoff or Backoff(initial=0.25, maximum=10.0)
        self._lock = threading.Lock()
        self._values: dict[str, str] = {}
        self._revision = 0
        self._synced = False
        self._prefixes: tuple[str, ...] = ()
        self._stream: WatchStream | None = None
        self._relist = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_restart = on_restart or (lambda: None)
        self.last_contact = 0.0           # monotonic time of etcd's last answer (list, event, progress)
        self.last_error = "not connected yet"

    def start(self, prefixes: tuple[str, ...]) -> None:
        self._prefixes = prefixes
        self._thread = threading.Thread(target=self._run, name="etcd-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._cancel_stream()
        if self._thread:
            self._thread.join(timeout=5)

    def set_prefixes(self, prefixes: tuple[str, ...]) -> None:
        """Watch other prefixes from now on (after SIGHUP); lists them afresh."""
        with self._lock:
            if prefixes == self._prefixes:
                return
            self._prefixes = prefixes
        self.resync()

    def resync(self) -> None:
        """List everything again (the periodic full resync)."""
        with self._lock:
            self._relist = True
        self._cancel_stream()

    @property
    def synced(self) -> bool:
        return self._synced

    def snapshot(self) -> Snapshot | None:
        """The current copy, or None while it cannot be trusted (etcd unreachable)."""
        with self._lock:
            if not self._synced:
                return None
            return Snapshot(self._revision, dict(self._values))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._list_and_watch()
            except StoreError as exc:
                with self._lock:
                    self._synced = False
                self.last_error = str(exc)
                self._on_restart()
                delay = self._backoff.next_delay()
                log.warning("%s; nothing will be rendered until etcd answers; retrying in %.1fs", exc, delay)
                self._stop.wait(delay)

    def _list_and_watch(self) -> None:
        with self._lock:
            self._relist = False
            prefixes = self._prefixes
        revision, changes = self._store.list_raw(prefixes)
        values: dict[str, str] = {}
        self._apply(values, changes)
        with self._lock:
            was_synced = self._synced
            self._values, self._revision, self._synced = values, revision, True
        self.last_contact = time.monotonic()
        if not was_synced:
            log.info("etcd: listed %d keys under %s at revision %d", len(values), ", ".join(prefixes), revision)
        self._on_change()
        stream = self._store.watch(prefixes, revision + 1)
        with self._lock:
            self._stream = stream
            cancel_now = self._relist or self._stop.is_set()
        if cancel_now:
            stream.cancel()
        for revision, changes in stream.responses:
            self._backoff.reset()
            self.last_contact = time.monotonic()
            if not changes:
                continue
            with self._lock:
                self._apply(self._values, changes)
                self._revision = max(self._revision, revision)
            self._on_change()
        with self._lock:
            self._stream = None

    def _apply(self, values: dict[str, str], changes: list[Change]) -> None:
        for change in changes:
            if change.value is None:
                values.pop(change.key.decode("utf-8", "surrogateescape"), None)
                continue
            decoded = self._store.decoder.decode(change.key, change.value, change.mod_revision)
            if decoded:
                values[decoded[0]] = decoded[1]
            else:
                values.pop(change.key.decode("utf-8", "surrogateescape"), None)

    def _cancel_stream(self) -> None:
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.cancel()
