"""Traffic for the simulated cluster: bounded request loops to loopback targets (`Prober`),
every request's start, duration and outcome (`Sample`), and percentiles (`p`)."""
from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from .base import http_get


@dataclass(frozen=True)
class Target:
    label: str
    url: str                       # http://127.x.x.x:PORT/PATH: loopback only
    host: str                      # Host header
    answer_prefix: str             # a good answer is 200 with a body starting with this


@dataclass(frozen=True)
class Sample:
    target: str
    started: float                 # time.monotonic()
    elapsed: float
    ok: bool
    detail: str


class Prober:
    """Bounded request loops (`threads` per target, `interval` s apart, each request with
    `timeout`) recording every request's start, duration and outcome."""

    def __init__(self, targets: Sequence[Target], threads: int = 1, interval: float = 0.0, timeout: float = 8.0,
                 max_seconds: float = 300.0) -> None:
        for target in targets:
            assert target.url.startswith("http://127."), "traffic goes to loopback only"
        self.targets, self.interval, self.timeout = list(targets), interval, timeout
        self.deadline = time.monotonic() + max_seconds
        self.samples: list[Sample] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(t,), daemon=True, name=f"probe {t.label}")
                         for t in self.targets for _ in range(threads)]

    def __enter__(self) -> Prober:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Prober:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> Prober:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)
        return self

    def _run(self, target: Target) -> None:
        while not self._stop.is_set() and time.monotonic() < self.deadline:
            started = time.monotonic()
            try:
                status, body = http_get(target.url, timeout=self.timeout, headers={"Host": target.host})
                ok = status == 200 and body.startswith(target.answer_prefix)
                detail = body.strip()[:80] if ok else f"HTTP {status}: {body.strip()[:80]}"
            except Exception as exc:  # noqa: BLE001 - every failure is a sample
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            sample = Sample(target.label, started, time.monotonic() - started, ok, detail)
            with self._lock:
                self.samples.append(sample)
            if self.interval:
                self._stop.wait(self.interval)

    def taken(self) -> list[Sample]:
        with self._lock:
            return list(self.samples)

    def failures(self) -> list[Sample]:
        return [s for s in self.taken() if not s.ok]

    def ok_count(self) -> int:
        return sum(1 for s in self.taken() if s.ok)


def p(values: Sequence[float], q: int) -> float:
    """The q-th percentile (statistics.quantiles, inclusive); the one value when there is one."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
