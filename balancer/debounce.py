"""Quiescence and a reload rate limit for bursts of changes.

- A change when nothing was acted on for `limit` seconds goes at once, or `lead` seconds later
  (a few milliseconds): what one etcd revision brings over several watches -- a sidekick's route
  key and backend key, written in one transaction, arrive as one response per watched prefix --
  is then one change, not a render of the first and the rest a `limit` later.
- Otherwise changes are coalesced: acted on once it has been quiet for `quiet` seconds, or
  `limit` seconds after the first pending change, whichever is first -- but never sooner than
  `limit` seconds after the previous action.  So a rollout that registers a backend every
  150 ms reloads nginx about once per `limit`, not once per backend (Traefik throttles
  provider updates the same way).
"""
from __future__ import annotations

from typing import Callable


class Debouncer:
    def __init__(self, quiet: float, limit: float, clock: Callable[[], float], lead: float = 0.0) -> None:
        if quiet < 0 or limit < quiet:
            raise ValueError(f"debounce needs 0 <= quiet ({quiet}) <= limit ({limit})")
        if not 0 <= lead <= quiet:
            raise ValueError(f"debounce needs 0 <= lead ({lead}) <= quiet ({quiet})")
        self.quiet = quiet
        self.limit = limit
        self.lead = lead
        self._clock = clock
        self._first: float | None = None       # first change not yet acted on
        self._last: float | None = None        # latest change not yet acted on
        self._fired = float("-inf")            # when changes were last acted on

    @property
    def pending(self) -> bool:
        return self._first is not None

    def notify(self) -> None:
        now = self._clock()
        if self._first is None:
            self._first = now
        self._last = now

    def deadline(self) -> float | None:
        """When the pending changes should be acted on, or None if nothing is pending."""
        if self._first is None or self._last is None:
            return None
        if self._first - self._fired >= self.limit:
            return self._first + self.lead
        settled = min(self._last + self.quiet, self._first + self.limit)
        return max(settled, self._fired + self.limit)

    def due(self) -> bool:
        deadline = self.deadline()
        return deadline is not None and self._clock() >= deadline

    def fired(self, acted: bool = True) -> None:
        """The pending changes were taken; `acted`: something was really done (a reload).
        A render that changed nothing (the periodic resync) does not hold back the next one."""
        self._first = self._last = None
        if acted:
            self.acted()

    def acted(self) -> None:
        self._fired = self._clock()
