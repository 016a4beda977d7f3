"""`balancer status`: a report of every template resource, read-only.

For each conf.d/*.toml: its destination and when that last changed, how many backends a
render now puts in it (and how many values it rejects), and whether that render gives the
destination's current bytes; then, for a template that calls routing(), its services with
hosts, paths, drained backends, maintenance and conflicts.  One etcd snapshot at one
revision serves every resource.  Nothing is written and no command is run.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence

from balancer.errors import BalancerError, ResourceError, StoreError
from balancer.render import Renderer, resource_values
from balancer.resource import TemplateResource, load_confdir
from balancer.store import Snapshot, Store
from lbcommon.backends import valid_backends
from lbcommon.cli import EtcdSettings
from lbcommon.routing import RoutingTable
from lbcommon.routing_report import format_services, routing_json
from lbcommon.table import one_line, table
from lbcommon.routes import KeyLayout
from lbcommon.status_view import read_view
from balancer.status_doc import build_document

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED = 0, 1
COLUMNS = ("RESOURCE", "DEST", "CHANGED", "POOL", "REJECTED", "IN SYNC")


@dataclass(frozen=True)
class ResourceStatus:
    resource: str                  # the TOML file name
    path: str                      # the TOML file
    dest: str | None = None        # None: the resource did not load
    dest_mtime: float | None = None
    pool: int | None = None
    rejected: int | None = None
    in_sync: bool | None = None    # None: unknown (see error)
    error: str | None = None
    routing: RoutingTable | None = None    # the template's routing() table, if it has one

    @property
    def changed(self) -> str:
        if self.dest is None:
            return "-"
        return iso_time(self.dest_mtime) if self.dest_mtime is not None else "missing"

    @property
    def sync_text(self) -> str:
        if self.error is not None:
            return f"error: {self.error}"
        return "yes" if self.in_sync else "no"

    def cells(self) -> tuple[str, ...]:
        return (self.resource, self.dest or "-", self.changed, _number(self.pool),
                _number(self.rejected), self.sync_text)

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource, "path": self.path, "dest": self.dest,
            "dest_mtime": self.dest_mtime,
            "dest_mtime_iso": iso_time(self.dest_mtime) if self.dest_mtime is not None else None,
            "pool": self.pool, "rejected": self.rejected, "in_sync": self.in_sync, "error": self.error,
            "routing": routing_json(self.routing) if self.routing is not None else None,
        }


def run_status(etcd: EtcdSettings, confdir: Path, prefix: str, as_json: bool) -> int:
    """Print the report; 1 only when conf.d is missing or etcd cannot be read."""
    try:
        rows = collect(etcd, confdir, prefix)
    except (ResourceError, StoreError) as exc:
        log.error("%s", exc)
        return EXIT_FAILED
    print(json.dumps(document(etcd, prefix, rows), indent=2) if as_json else format_report(rows))
    return EXIT_OK


def document(etcd: EtcdSettings, prefix: str, rows: Sequence[ResourceStatus]) -> dict[str, Any]:
    """The status document (balancer.status_doc) from etcd as it is now."""
    layout = prefixed_layout(prefix)
    client = etcd.connect(StoreError)
    try:
        view, error = read_view(client, layout, StoreError), None
    except StoreError as exc:
        view, error = None, str(exc)
    finally:
        client.close()
    return build_document([row.to_json() for row in rows], view, layout, etcd_error=error)


def prefixed_layout(prefix: str) -> KeyLayout:
    """Where the sidekicks' keys are for a balancer run with --prefix: the default layout under it."""
    root = "/" + prefix.strip("/") if prefix.strip("/") else ""
    return KeyLayout(f"{root}/services", f"{root}/lb")


def collect(etcd: EtcdSettings, confdir: Path, prefix: str) -> list[ResourceStatus]:
    conf_d = confdir / "conf.d"
    if not conf_d.is_dir():
        raise ResourceError(f"{conf_d}: template resource directory does not exist")
    resources, errors = load_confdir(confdir, prefix)
    snapshot = take_snapshot(etcd, resources)
    rows = [resource_status(resource, snapshot) for resource in resources]
    rows += failed_rows(conf_d, resources, errors)
    return sorted(rows, key=lambda row: row.resource)


def take_snapshot(etcd: EtcdSettings, resources: Sequence[TemplateResource]) -> Snapshot:
    """Every resource's keys at one revision (with no resource, etcd is still asked once)."""
    store = Store(etcd.connect(StoreError))
    try:
        snapshot = store.snapshot(p for r in resources for p in r.etcd_prefixes)
    finally:
        store.close()
    log.debug("etcd snapshot at revision %d: %d keys", snapshot.revision, len(snapshot.values))
    return snapshot


def resource_status(resource: TemplateResource, snapshot: Snapshot) -> ResourceStatus:
    """Pool and rejected values as the render counts them (backends() and routing()); when the
    template does not render, as plain backend values among the keys the resource can see."""
    rejected = 0

    def count(_resource: str) -> None:
        nonlocal rejected
        rejected += 1

    renderer = Renderer(on_rejected=count)
    mtime, current, read_error = dest_state(resource.dest)
    base: dict[str, Any] = {"resource": resource.name, "path": str(resource.path), "dest": str(resource.dest),
                            "dest_mtime": mtime}
    try:
        content = renderer.render(resource, snapshot).encode("utf-8")
    except BalancerError as exc:
        pool, rejected = pool_counts(resource, snapshot)
        return ResourceStatus(**base, pool=pool, rejected=rejected, error=read_error or one_line(str(exc)))
    counted: dict[str, Any] = {"pool": renderer.pool_sizes[resource.name], "rejected": rejected,
                               "routing": renderer.routing.get(resource.name)}
    if read_error is not None:
        return ResourceStatus(**base, **counted, error=read_error)
    return ResourceStatus(**base, **counted, in_sync=content == current)


def pool_counts(resource: TemplateResource, snapshot: Snapshot) -> tuple[int, int]:
    """(distinct valid backends, values rejected) among the keys the resource can see."""
    rejected = 0

    def on_reject(key: str, value: str, reason: str) -> None:
        nonlocal rejected
        rejected += 1

    pool = valid_backends(resource_values(resource, snapshot.values).items(), on_reject)
    return len(pool), rejected


def dest_state(dest: Path) -> tuple[float | None, bytes | None, str | None]:
    """(mtime, content, read error); a missing dest is (None, None, None)."""
    try:
        mtime = dest.stat().st_mtime
    except FileNotFoundError:
        return None, None, None
    except OSError as exc:
        return None, None, f"cannot stat {dest}: {exc.strerror}"
    try:
        return mtime, dest.read_bytes(), None
    except OSError as exc:
        return mtime, None, f"cannot read {dest}: {exc.strerror}"


def failed_rows(conf_d: Path, resources: Sequence[TemplateResource],
                errors: Sequence[ResourceError]) -> list[ResourceStatus]:
    """One row per file that did not load, matched to its error by the path the message starts with."""
    loaded = {r.path for r in resources}
    failed = [p for p in sorted(conf_d.glob("*.toml")) if p not in loaded]
    rows = []
    for error in errors:
        message = str(error)
        path = next((p for p in failed if message.startswith(f"{p}: ")), None)
        if path is None:
            rows.append(ResourceStatus(resource="-", path="", error=one_line(message)))
            continue
        failed.remove(path)
        rows.append(ResourceStatus(resource=path.name, path=str(path),
                                   error=one_line(message[len(f"{path}: "):])))
    return rows


def format_report(rows: Sequence[ResourceStatus]) -> str:
    if not rows:
        return "no template resources (conf.d/*.toml)"
    sections = [table([COLUMNS, *(row.cells() for row in rows)])]
    for row in rows:
        services = format_services(row.routing) if row.routing is not None else ""
        if services:
            sections.append(f"{row.resource}: routing\n{services}")
    return "\n\n".join(sections)


def iso_time(epoch: float) -> str:
    """Local time with its UTC offset, to the second: 2024-05-01T12:34:56+02:00."""
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def _number(value: int | None) -> str:
    return "-" if value is None else str(value)
