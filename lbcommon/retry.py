"""Exponential backoff with jitter; the caller owns the sleeping (usually event.wait)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Backoff:
    initial: float = 0.25
    maximum: float = 30.0
    factor: float = 2.0
    jitter: float = 0.2
    rand: Callable[[], float] = field(default=random.random, repr=False)
    attempts: int = 0

    def next_delay(self) -> float:
        """Delay before the next try; grows with each call until reset()."""
        base = min(self.maximum, self.initial * self.factor ** self.attempts)
        self.attempts += 1
        spread = base * self.jitter
        return max(0.0, base - spread + 2 * spread * self.rand())

    def reset(self) -> None:
        self.attempts = 0
