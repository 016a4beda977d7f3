"""Tracked containers whose health check fails, reported where the containers that cannot be
registered are (`<lb>/not-registered/<host>/<identity>/<container id>`, under the lease), with
the last result, so that both status pages and `sidekick status` say why they are in no pool.
The key is written when the reason changes and removed once the container is registered,
stops or goes."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable

from lbcommon.recent import EventLog
from lbcommon.reports import HEALTH_REASON
from sidekick.container import Container
from sidekick.registry import Registry


@dataclass(frozen=True)
class ProbeResult:
    passed: bool
    detail: str
    time: float

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "detail": self.detail, "time": self.time}


class HealthReports:
    def __init__(self, registry: Registry, prefix: str, retry: Callable[[], None], events: EventLog,
                 clock: Callable[[], float] = time.time) -> None:
        self._registry = registry
        self._prefix = prefix
        self._retry = retry
        self._events = events
        self._clock = clock
        self._reported: dict[str, str] = {}            # container id -> reason written
        self.last: dict[str, ProbeResult] = {}         # container id -> its last health result

    def result(self, container: Container, service: str, address: str, passed: bool, detail: str,
               registered: bool) -> None:
        """One health result (a probe, or Docker's health status) of a tracked container."""
        self.last[container.id] = ProbeResult(passed, detail, self._clock())
        if passed or registered:
            self._clear(container.id)
            return
        reason = f"container {container}: {HEALTH_REASON}: {detail}"
        if self._reported.get(container.id) == reason:
            return
        self._reported[container.id] = reason
        self._events.add("health check failed", f"{reason} ({service} {address})", ok=False)
        value = json.dumps({"container": container.name, "id": container.id, "reason": reason,
                            "service": service, "address": address}, separators=(",", ":"))
        if not self._registry.set(self._prefix + container.id, value):
            self._retry()

    def forget(self, cid: str) -> None:
        """The container is no longer tracked."""
        self.last.pop(cid, None)
        self._clear(cid)

    def _clear(self, cid: str) -> None:
        if self._reported.pop(cid, None) is not None and not self._registry.remove(self._prefix + cid):
            self._retry()


def service_of(key: str) -> str:
    """The service of a backend key: `/services/web/10.0.0.5:80` -> `web`."""
    return key.rstrip("/").split("/")[-2]
