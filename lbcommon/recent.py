"""Recent events for the status page: a bounded, thread-safe list of (time, kind, text)."""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True, slots=True)
class Event:
    time: float            # epoch seconds
    kind: str              # joined, left, reload, check failed, rejected value, ...
    text: str
    ok: bool = True        # False: something went wrong (shown in red)

    def to_json(self) -> dict[str, Any]:
        return {"time": self.time, "kind": self.kind, "text": self.text, "ok": self.ok}


class EventLog:
    """The last `size` events, newest last; appended from any thread."""

    def __init__(self, size: int = 200, clock: Callable[[], float] = time.time) -> None:
        self._events: deque[Event] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._clock = clock

    def add(self, kind: str, text: str, ok: bool = True) -> None:
        with self._lock:
            self._events.append(Event(self._clock(), kind, text, ok))

    def events(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    def to_json(self) -> list[dict[str, Any]]:
        """Newest first."""
        return [event.to_json() for event in reversed(self.events())]
