"""The running balancer's status page: `/`, `/status` and `/status.json` on --metrics-addr.

The document is balancer.status_doc's, from the balancer's own state (the resources it loaded,
what its last renders found, balancer.activity's record) and etcd as it is now."""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Protocol

from balancer.activity import Activity
from balancer.config import Config
from balancer.errors import StoreError
from balancer.render import Renderer
from balancer.resource import TemplateResource
from balancer.status import ResourceStatus, dest_state, prefixed_layout
from balancer.status_doc import build_document
from lbcommon.etcd import connect
from lbcommon.observe import Pages
from lbcommon.status_http import StatusPages
from lbcommon.status_view import TableCache, ViewReader

log = logging.getLogger(__name__)


class Running(Protocol):
    config: Config
    resources: list[TemplateResource]
    renderer: Renderer
    activity: Activity


class Observed(Protocol):
    balancer: Any       # Running

    def health(self) -> list[str]: ...


def pool_members(renderer: Renderer, name: str) -> Iterable[tuple[str, str]]:
    """(service, address) of every backend the last render of `name` routed; ("", address) for
    a template without routing()."""
    routing = renderer.routing.get(name)
    if routing is not None:
        return [(s.name, b.address) for s in routing.services for b in s.backends]
    return [("", address) for address in renderer.pools.get(name, ())]


def live_rows(balancer: Running) -> list[dict[str, Any]]:
    rows = []
    for resource in list(balancer.resources):
        mtime, _content, read_error = dest_state(resource.dest)
        activity = balancer.activity.resource(resource.name)
        error = read_error or (activity["last_error"]["text"] if activity["in_sync"] is False else None)
        row = ResourceStatus(resource=resource.name, path=str(resource.path), dest=str(resource.dest),
                             dest_mtime=mtime, pool=balancer.renderer.pool_sizes.get(resource.name),
                             rejected=balancer.activity.rejected(resource.name), in_sync=activity["in_sync"],
                             error=error, routing=balancer.renderer.routing.get(resource.name))
        rows.append({**row.to_json(), "activity": activity})
    return rows


def document_builder(loop: Observed) -> Callable[[], dict[str, Any]]:
    balancer: Running = loop.balancer
    config = balancer.config
    layout = prefixed_layout(config.prefix)
    reader = ViewReader(lambda: connect(config.endpoints, config.credentials, config.etcd_timeout), layout,
                        StoreError)
    tables = TableCache(layout)

    def build() -> dict[str, Any]:
        view, error = reader.read()
        return build_document(live_rows(balancer), view, layout, etcd_error=error, health=loop.health(),
                              events=balancer.activity.events.to_json(), live=True,
                              table=tables.table(view) if view is not None else None)

    return build


def status_pages(loop: Observed) -> Pages:
    return StatusPages(document_builder(loop)).routes()
