"""The sidekick's Prometheus metrics (prometheus-client, one registry per process)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

# Removal reasons as logged -> a small, fixed label set.
_REASONS = (("kill", "kill"), ("health check", "health_check"), ("Docker health", "docker_health"),
            ("paused", "pause"), ("no longer running", "not_running"), ("not running", "not_running"),
            ("address changed", "address_changed"), ("not registrable", "not_registrable"))


def reason_label(reason: str) -> str:
    for prefix, label in _REASONS:
        if reason.startswith(prefix):
            return label
    return reason.split()[0] if reason else "unknown"      # die, stop, destroy, oom


class SidekickMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.registrations = Counter("sidekick_registrations_total", "Keys registered, by service.",
                                     ["service"], registry=r)
        self.removals = Counter("sidekick_removals_total", "Keys removed, by reason.", ["reason"], registry=r)
        self.containers = Gauge("sidekick_containers_watched", "Selected containers being tracked.",
                                registry=r)
        self.registered = Gauge("sidekick_registered_keys", "Backend keys this sidekick registers (healthy containers; route and owner keys not counted).", registry=r)
        self.not_registered = Gauge("sidekick_containers_not_registered",
                                    "Selected running containers that cannot be registered (see the log "
                                    "or `sidekick status`: no published port, not on --network, bad label...).",
                                    registry=r)
        self.keepalive_failures = Counter("sidekick_lease_keepalive_failures_total",
                                          "Lease keepalives (or the re-grant and re-put after a loss) "
                                          "that failed.", registry=r)
        self.lease_grants = Counter("sidekick_lease_grants_total",
                                    "Leases granted (the first, and each re-grant after a loss).", registry=r)
        self.docker_reconnects = Counter("sidekick_docker_reconnects_total",
                                         "Times the Docker event stream broke and was reconnected.", registry=r)
        self.health_checks = Counter("sidekick_health_checks_total", "Health probes, by result.",
                                     ["result"], registry=r)

    def removed(self, reason: str) -> None:
        self.removals.labels(reason_label(reason)).inc()
