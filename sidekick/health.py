"""Health checks: a probe (http like `curl -f`, tcp, none) and rise/fall counting."""
from __future__ import annotations

import http.client
import socket
from dataclasses import dataclass

from sidekick.config import HealthConfig

FIRST_RETRY = 0.05     # first re-probe of a container that is not up yet
RISING_PROBE = 0.5     # the most a not-yet-healthy container waits between probes


def probe(kind: str, address: str, timeout: float, path: str = "/") -> tuple[bool, str]:
    """(passed, detail).  http: 2xx/3xx passes; tcp: a connection passes; none: always."""
    if kind == "none":
        return True, "no check"
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    try:
        if kind == "tcp":
            with socket.create_connection((host, int(port)), timeout=timeout):
                return True, "tcp connect ok"
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        try:
            conn.request("GET", path, headers={"User-Agent": "sidekick-health"})
            status = conn.getresponse().status
        finally:
            conn.close()
    except (OSError, http.client.HTTPException) as exc:
        return False, f"{kind} {address}: {type(exc).__name__}: {exc}"
    if 200 <= status < 400:
        return True, f"http {status}"
    return False, f"http {address}{path}: status {status}"


@dataclass
class HealthState:
    """Consecutive results decide: `rise` passes to become healthy, `fall` failures to stop."""
    rise: int
    fall: int
    healthy: bool = False
    passes: int = 0
    failures: int = 0

    @classmethod
    def for_config(cls, config: HealthConfig) -> "HealthState":
        return cls(rise=config.rise, fall=config.fall)

    def record(self, passed: bool) -> bool:
        """Count one result; returns True when `healthy` flipped."""
        if passed:
            self.passes += 1
            self.failures = 0
            if not self.healthy and self.passes >= self.rise:
                self.healthy = True
                return True
        else:
            self.failures += 1
            self.passes = 0
            if self.healthy and self.failures >= self.fall:
                self.healthy = False
                return True
        return False

    def next_delay(self, interval: float) -> float:
        """Seconds until the next probe.  Healthy: `interval`.  Not yet healthy and failing (a
        server still starting): 50 ms, doubling up to 0.5 s, so one that listens a moment after
        `docker start` joins at once; passing but not yet `rise` times: every 0.5 s."""
        if self.healthy:
            return interval
        if self.failures:
            return min(interval, RISING_PROBE, FIRST_RETRY * 2.0 ** (self.failures - 1))
        return min(interval, RISING_PROBE)

    def reset(self) -> None:
        self.healthy = False
        self.passes = self.failures = 0
