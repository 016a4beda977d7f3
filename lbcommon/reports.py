"""The sidekicks' reports of containers they do not register, and why:
`<lb>/not-registered/<host>/<identity>/<container id>` = {"container", "id", "reason"}, under the
reporting sidekick's lease.  Read by both `status` commands and both status pages."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Mapping

from lbcommon.routes import KeyLayout
from lbcommon.table import escaped

log = logging.getLogger(__name__)

REPORTS = "not-registered"
HEALTH_REASON = "health check failing"     # how a report of a failing health check starts (after the container)


@dataclass(frozen=True)
class Refusal:
    """A container kept out: reported by a running sidekick, or found by `status` (bad labels)."""
    container: str
    id: str
    reason: str
    sidekick: str | None = None        # "<host>/<identity>" of the reporting sidekick

    def line(self) -> str:
        by = f" (sidekick {self.sidekick})" if self.sidekick else ""
        return escaped(f"not registered: {self.reason}{by}")

    def to_json(self) -> dict[str, Any]:
        return {"container": self.container, "id": self.id, "reason": self.reason, "sidekick": self.sidekick}


def reports_prefix(layout: KeyLayout) -> str:
    return f"{layout.lb}/{REPORTS}/"


def reported_refusals(values: Mapping[str, str], layout: KeyLayout) -> list[Refusal]:
    """What the sidekicks report under `<lb>/not-registered/<host>/<identity>/<id>` (JSON values
    with container, id, reason); a value that is not one is skipped."""
    prefix = reports_prefix(layout)
    found = []
    for key, value in values.items():
        if not key.startswith(prefix):
            continue
        sidekick, _, cid = key[len(prefix):].rpartition("/")
        try:
            data = json.loads(value)
            found.append(Refusal(str(data["container"]), str(data.get("id") or cid), str(data["reason"]), sidekick))
        except (ValueError, TypeError, KeyError):
            log.debug("%s: not a report: %r", key, value)
    return found
