"""What other threads hand the sidekick's main loop (its inbox): typed, not tagged tuples."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from sidekick.keepalive import KeepaliveResult


@dataclass(frozen=True)
class DockerEvent:
    """One container event from Docker's event stream, as Docker sent it."""
    data: Mapping[str, Any]


@dataclass(frozen=True)
class StreamState:
    """Docker's event stream connected (reconcile: events may have been missed) or broke."""
    connected: bool


@dataclass(frozen=True)
class ProbeDone:
    """A health probe's result for one run of a container (`run` tells a restarted container's
    new run from the one the probe was started for)."""
    cid: str
    run: int
    passed: bool
    detail: str


Event = DockerEvent | StreamState | ProbeDone | KeepaliveResult
