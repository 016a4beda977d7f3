"""The running sidekick's status page: `/`, `/status` and `/status.json` on --metrics-addr.

The document is sidekick.status_doc's, as `sidekick status --json` builds it from etcd, plus
what this sidekick tracks (each container's last health result) and its recent events."""
from __future__ import annotations

from typing import Any, Callable, Mapping, Protocol

from lbcommon.etcd import connect
from lbcommon.observe import Pages
from lbcommon.recent import EventLog
from lbcommon.routing import RoutingTable
from lbcommon.status_view import TableCache, ViewReader
from lbcommon.status_http import StatusPages
from lbcommon.reports import reported_refusals
from sidekick.config import Config
from sidekick.errors import RegistryError
from sidekick.health_report import HealthReports, service_of
from sidekick.registrations import Registrations
from sidekick.registry import Registry
from sidekick.status import attach_containers, keys_in, keys_prefix, merge_refusals
from sidekick.status_doc import build_document


class Running(Protocol):
    config: Config
    registry: Registry
    tracked: dict[str, Any]                       # container id -> daemon.Tracked
    etcd: Registrations                           # .reported: container id -> (Container, why)
    events: EventLog
    health_reports: HealthReports

    def health(self) -> list[str]: ...


def local_json(sidekick: Running, tracked: Mapping[str, Any]) -> dict[str, Any]:
    config = sidekick.config
    last = dict(sidekick.health_reports.last)
    lease = sidekick.registry.lease_id
    return {
        "host_ip": config.host_ip, "identity": config.identity, "lease": format(lease, "x") if lease else None,
        "ttl": config.ttl, "check": config.health.kind,
        "containers": [{"container": t.container.name, "id": t.container.id, "service": service_of(t.key),
                        "address": t.value, "key": t.key, "registered": t.registered,
                        "health": last[cid].to_json() if cid in last else None}
                       for cid, t in sorted(tracked.items(), key=lambda item: item[1].container.name)],
        "reported": [{"container": c.name, "id": cid, "reason": why}
                     for cid, (c, why) in sorted(dict(sidekick.etcd.reported).items())],
    }


def document_builder(sidekick: Running) -> Callable[[], dict[str, Any]]:
    config = sidekick.config
    layout = config.layout
    reader = ViewReader(lambda: connect(config.endpoints, config.credentials, config.etcd_timeout), layout,
                        RegistryError)
    tables = TableCache(layout)

    def build() -> dict[str, Any]:
        tracked = dict(sidekick.tracked)
        view, error = reader.read()
        rows = keys_in(view, keys_prefix(layout.services, None)) if view is not None else []
        rows = attach_containers(rows, [t.container for t in tracked.values()])
        table = tables.table(view) if view is not None else RoutingTable()
        refused = merge_refusals(reported_refusals(view.values, layout) if view is not None else [], [])
        return build_document([row.to_json() for row in rows], view, layout, table, refused, etcd_error=error,
                              health=sidekick.health(), events=sidekick.events.to_json(),
                              local=local_json(sidekick, tracked), live=True)

    return build


def status_pages(sidekick: Running) -> Pages:
    return StatusPages(document_builder(sidekick)).routes()
