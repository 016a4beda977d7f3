"""The balancer's status document: the one builder behind `balancer status --json`, the
status page's `/status.json` and so the page itself."""
from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

from lbcommon.routes import KeyLayout
from lbcommon.routing import RoutingTable
from lbcommon.routing_index import build_table
from lbcommon.status_view import EtcdView, status_core, view_refusals

PROGRAM = "balancer"


def build_document(resources: Sequence[Mapping[str, Any]], view: EtcdView | None, layout: KeyLayout,
                   etcd_error: str | None = None, health: list[str] | None = None,
                   events: list[dict[str, Any]] | None = None, live: bool = False,
                   table: RoutingTable | None = None) -> dict[str, Any]:
    """`resources`: ResourceStatus.to_json() rows (live: plus each one's `activity`); `view`: etcd
    as it is now (None when it could not be read: `etcd_error` says why); `health`: /healthz's
    reasons (live only); `events`: recent events, newest first (live only); `table`: the view's
    routing table when the caller has it (status_view.TableCache), else it is built here."""
    core = status_core(view, layout, table or build_table(view.values, layout), view_refusals(view, layout)) \
        if view is not None else {"revision": None, "services": [], "problems": [], "maintenance": [],
                                  "not_registered": [], "not_routed": []}
    return {
        "program": PROGRAM, "live": live, "generated": time.time(),
        "health": None if health is None else {"ok": not health, "reasons": health},
        "etcd_error": etcd_error,
        "resources": [dict(r) for r in resources],
        **core,
        "events": events or [],
    }
