"""etcd keys as the sidekicks write them, for tests of the routing table and what is built on it."""
from __future__ import annotations

from typing import Mapping

from lbcommon.routes import Route


def backend(service: str, address: str, route: Route | None = None) -> dict[str, str]:
    """A backend key and (unless route is None) its route key."""
    keys = {f"/services/{service}/{address}": address}
    if route is not None:
        keys[f"/lb/routes/{service}/{address}"] = route.to_value()
    return keys


def keys(*parts: Mapping[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in parts:
        merged |= part
    return merged
