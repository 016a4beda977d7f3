"""Lease keepalives on a thread of their own.  The main loop talks to Docker (an inspect, a
`docker ps`) and to etcd, and either can hang for seconds; a keepalive that waited behind them
let a healthy host's lease expire (dockerd frozen for 25 s: keys gone twice).  This thread
only refreshes the lease the registry holds and hands each result to the main loop, which
grants a new lease and puts every key again when etcd says the old one is gone."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

from lbcommon.retry import Backoff
from sidekick.errors import RegistryError

log = logging.getLogger(__name__)

NO_LEASE_POLL = 0.2          # seconds between looks while the main loop has no lease yet


@dataclass(frozen=True)
class KeepaliveResult:
    lease_id: int
    alive: bool = True           # False: etcd answered that the lease is gone
    error: str = ""              # etcd could not be asked (the lease may well be alive)


class LeaseKeeper:
    def __init__(self, refresh: Callable[[int], bool], lease: Callable[[], int | None], interval: float,
                 emit: Callable[[KeepaliveResult], None]) -> None:
        self._refresh = refresh
        self._lease = lease
        self._interval = interval
        self._emit = emit
        self._retry = Backoff(initial=0.5, maximum=min(10.0, interval))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="lease-keepalive", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        delay = 0.0
        while not self._stop.wait(delay):
            delay = self._once()

    def _once(self) -> float:
        """One keepalive; returns the delay before the next."""
        lease_id = self._lease()
        if lease_id is None:
            return min(NO_LEASE_POLL, self._interval)
        try:
            alive = self._refresh(lease_id)
        except RegistryError as exc:
            delay = self._retry.next_delay()
            log.warning("%s; retrying in %.1fs", exc, delay)
            self._emit(KeepaliveResult(lease_id, error=str(exc)))
            return delay
        self._retry.reset()
        self._emit(KeepaliveResult(lease_id, alive=alive))
        return self._interval
