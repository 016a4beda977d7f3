"""What the balancer did lately, for its status page: per resource the last render, check and
reload (outcome, time, duration), the last error in full and whether the last sync succeeded;
and recent events (backends joined and left, reloads, rejected values, failed checks)."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from balancer.commands import CommandResult
from balancer.errors import CommandError
from lbcommon.recent import EventLog

RunCommand = Callable[[str, str, float], CommandResult]
MAX_POOL_EVENTS = 20           # more joins/leaves than this in one render: one summary event


@dataclass(frozen=True)
class Step:
    outcome: str               # ok | error
    time: float
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "time": self.time, "seconds": self.seconds}


@dataclass
class ResourceActivity:
    steps: dict[str, Step] = field(default_factory=dict)        # render, check, reload
    last_error: tuple[float, str] | None = None
    synced: bool | None = None                                  # the last sync: None before any
    rejected: int = 0
    pool: frozenset[tuple[str, str]] | None = None              # (service or "", address) in the last render

    def to_json(self) -> dict[str, Any]:
        return {**{name: (self.steps[name].to_json() if name in self.steps else None)
                   for name in ("render", "check", "reload")},
                "last_error": {"time": self.last_error[0], "text": self.last_error[1]} if self.last_error else None,
                "in_sync": self.synced}


class Activity:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.events = EventLog(clock=clock)
        self._clock = clock
        self._lock = threading.Lock()
        self._resources: dict[str, ResourceActivity] = {}

    def resource(self, name: str) -> dict[str, Any]:
        with self._lock:
            return self._of(name).to_json()

    def rejected(self, name: str) -> int:
        with self._lock:
            return self._of(name).rejected

    def step(self, name: str, step: str, seconds: float, error: str | None = None) -> None:
        now = self._clock()
        with self._lock:
            found = self._of(name)
            found.steps[step] = Step("error" if error else "ok", now, seconds)
            if error:
                found.last_error = (now, error)

    def sync_done(self, name: str, error: str | None = None) -> None:
        now = self._clock()
        with self._lock:
            found = self._of(name)
            found.synced = error is None
            if error is not None:
                found.last_error = (now, error)

    def on_report(self, name: str, text: str) -> None:
        """A value the render kept out (balancer.render's report)."""
        with self._lock:
            self._of(name).rejected += 1
        self.events.add("rejected value", f"{name}: {text}", ok=False)

    def pool(self, name: str, members: Iterable[tuple[str, str]]) -> None:
        """The backends of a render: joins and leaves since the one before are events."""
        now_in = frozenset(members)
        with self._lock:
            found = self._of(name)
            before, found.pool = found.pool, now_in
        if before is None:
            self.events.add("pool", f"{name}: first render, {len(now_in)} backends")
            return
        changes = [("joined", m) for m in sorted(now_in - before)] + [("left", m) for m in sorted(before - now_in)]
        if len(changes) > MAX_POOL_EVENTS:
            self.events.add("pool", f"{name}: {len(now_in - before)} joined, {len(before - now_in)} left")
            return
        for kind, (service, address) in changes:
            self.events.add(kind, f"{name}: {f'service {service}: ' if service else ''}{address} {kind}")

    def command_runner(self, run: RunCommand) -> RunCommand:
        """Wrap run_command: record check_cmd/reload_cmd outcomes ("<resource>: check_cmd")."""
        def recorded(what: str, command: str, timeout: float) -> CommandResult:
            name, _, kind = what.rpartition(": ")
            step = "check" if kind == "check_cmd" else "reload"
            started = time.monotonic()
            try:
                result = run(what, command, timeout)
            except CommandError as exc:
                self.step(name, step, time.monotonic() - started, str(exc))
                self.events.add(f"{step} failed", str(exc), ok=False)
                raise
            self.step(name, step, time.monotonic() - started)
            if step == "reload":
                self.events.add("reload", f"{name}: `{command}` ok in {result.seconds * 1000:.0f} ms")
            return result

        return recorded

    def _of(self, name: str) -> ResourceActivity:
        return self._resources.setdefault(name, ResourceActivity())
