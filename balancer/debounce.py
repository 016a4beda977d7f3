"""Quiescence for bursts of changes: the first change after a quiet spell goes at once,
a burst is coalesced until it has been quiet for `quiet` seconds, but never longer than
`limit` seconds after the first pending change."""
from __future__ import annotations

from typing import Callable


class Debouncer:
    def __init__(self, quiet: float, limit: float, clock: Callable[[], float]) -> None:
        if quiet < 0 or limit < quiet:
            raise ValueError(f"debounce needs 0 <= quiet ({quiet}) <= limit ({limit})")
        self.quiet = quiet
        self.limit = limit
        self._clock = clock
        self._first: float | None = None       # first change not yet acted on
        self._last: float | None = None        # latest change not yet acted on
        self._last_activity = float("-inf")    # latest change or fire
        self._immediate = False                # the pending burst began after a quiet spell

    @property
    def pending(self) -> bool:
        return self._first is not None

    def notify(self) -> None:
        now = self._clock()
        if self._first is None:
            self._first = now
            self._immediate = now - self._last_activity >= self.quiet
        self._last = now
        self._last_activity = now

    def deadline(self) -> float | None:
        """When the pending changes should be acted on, or None if nothing is pending."""
        if self._first is None or self._last is None:
            return None
        if self._immediate:
            return self._first
        return min(self._last + self.quiet, self._first + self.limit)

    def due(self) -> bool:
        deadline = self.deadline()
        return deadline is not None and self._clock() >= deadline

    def fired(self) -> None:
        """The pending changes were acted on."""
        self._first = self._last = None
        self._last_activity = self._clock()
