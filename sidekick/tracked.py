"""What the sidekick's loop keeps per container (`Tracked`) and the inbox other threads hand it
items through (`Inbox`)."""
from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Iterator

from sidekick.container import Container
from sidekick.events import Event
from sidekick.health import HealthState

_RUNS = itertools.count(1)


@dataclass
class Tracked:
    container: Container
    key: str
    value: str
    health: HealthState
    registered: bool = False
    next_probe: float = 0.0
    probing: bool = False
    route: tuple[str, str] | None = None           # (key, value): held while tracked, healthy or not
    run: int = field(default_factory=lambda: next(_RUNS))   # this tracking of the container

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key, self.route[0]) if self.route else (self.key,)

    @property
    def docker_health(self) -> bool:
        return self.container.health is not None


@dataclass
class Inbox:
    """Items from other threads; appending wakes the loop."""
    wake: threading.Event = field(default_factory=threading.Event)
    items: deque[Event] = field(default_factory=deque)

    def put(self, item: Event) -> None:
        self.items.append(item)
        self.wake.set()

    def drain(self) -> Iterator[Event]:
        while self.items:
            yield self.items.popleft()
