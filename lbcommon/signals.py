"""Signal handling for both programs' main loops: a handler only notes the signal and wakes
the loop (an Event it waits on); the loop takes the signals and acts on them."""
from __future__ import annotations

import contextlib
import signal
import threading
from collections import deque
from typing import Iterable, Iterator


class Signals:
    def __init__(self, signals: Iterable[int], wake: threading.Event) -> None:
        self._signals = tuple(signals)
        self._wake = wake
        self._pending: deque[int] = deque()

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """Our handlers while the block runs; the previous ones back after it."""
        previous = {sig: signal.signal(sig, self._handle) for sig in self._signals}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _handle(self, signum: int, frame: object) -> None:
        self._pending.append(signum)
        self._wake.set()

    def take(self) -> list[int]:
        """The signals received since the last call, oldest first."""
        taken = []
        while self._pending:
            taken.append(self._pending.popleft())
        return taken
