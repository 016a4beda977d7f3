"""A clock the test sets by hand, for logic that takes its time from an injected callable."""
from __future__ import annotations


class Clock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
