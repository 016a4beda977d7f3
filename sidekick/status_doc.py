"""The sidekick's status document: the one builder behind `sidekick status --json`, the status
page's `/status.json` and so the page itself."""
from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

from lbcommon.reports import Refusal
from lbcommon.routes import KeyLayout
from lbcommon.routing import RoutingTable
from lbcommon.status_view import EtcdView, not_routed, status_core

PROGRAM = "sidekick"


def build_document(keys: Sequence[Mapping[str, Any]], view: EtcdView | None, layout: KeyLayout,
                   table: RoutingTable, refused: Sequence[Refusal], etcd_error: str | None = None,
                   health: list[str] | None = None, events: list[dict[str, Any]] | None = None,
                   local: Mapping[str, Any] | None = None, live: bool = False) -> dict[str, Any]:
    """`keys`: KeyStatus.to_json() rows; `view`: etcd as it is now (None when it could not be
    read: `etcd_error` says why); `table`: the routing (maybe of one service); `refused`: the
    containers kept out (reported by the sidekicks, and local bad labels); `health`, `events`,
    `local` (what this sidekick tracks): the running sidekick's only."""
    core = status_core(view, layout, table, refused) if view is not None else {
        "revision": None, "services": [], "problems": [], "maintenance": [],
        "not_registered": [r.to_json() for r in refused], "not_routed": not_routed([], refused)}
    return {
        "program": PROGRAM, "live": live, "generated": time.time(),
        "health": None if health is None else {"ok": not health, "reasons": health},
        "etcd_error": etcd_error,
        "keys": [dict(k) for k in keys],
        **core,
        "local": dict(local) if local is not None else None,
        "events": events or [],
    }
