"""`sidekick drain|undrain|maintenance`: operator state in etcd, under no lease, so it
survives restarts of every program.  Each command changes one key atomically and prints
what it changed (or that nothing needed changing)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

import etcd3

from lbcommon.cli import EtcdSettings
from lbcommon.etcd import call
from lbcommon.routes import KeyLayout
from sidekick.errors import RegistryError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED = 0, 1


def drain(etcd: EtcdSettings, layout: KeyLayout, service: str, address: str, on: bool) -> int:
    key = layout.drain_key(service, address)
    what = f"{service} {address}"
    return _switch(etcd, key, on, (
        f"drained {what}: nginx sends it no new request, requests in flight finish (key {key})",
        f"undrained {what}: it takes requests again once it is registered and healthy (key {key} deleted)",
        f"{what} was already drained (since {{since}}); nothing changed",
        f"{what} was not drained; nothing changed"),
        backend=layout.backend_key(service, address))


def maintenance(etcd: EtcdSettings, layout: KeyLayout, service: str, on: bool) -> int:
    key = layout.maintenance_key(service)
    return _switch(etcd, key, on, (
        f"maintenance on for {service}: its host names and paths answer 503 with the maintenance page (key {key})",
        f"maintenance off for {service}: its host names and paths are served by its backends again (key {key} deleted)",
        f"{service} was already in maintenance (since {{since}}); nothing changed",
        f"{service} was not in maintenance; nothing changed"))


def _switch(etcd: EtcdSettings, key: str, on: bool, messages: tuple[str, str, str, str],
            backend: str | None = None) -> int:
    turned_on, turned_off, already_on, already_off = messages
    try:
        client = etcd.connect(RegistryError)
        try:
            changed, since = (_put_if_absent if on else _delete)(client, key)
            if on and backend is not None and not _exists(client, backend):
                log.warning("no backend %s is registered now; the drain applies when it is", backend)
        finally:
            client.close()
    except RegistryError as exc:
        log.error("%s", exc)
        return EXIT_FAILED
    if on:
        print(turned_on if changed else already_on.format(since=since))
    else:
        print(turned_off if changed else already_off)
    return EXIT_OK


def _put_if_absent(client: etcd3.MultiEndpointEtcd3Client, key: str) -> tuple[bool, str]:
    """(True, now) when the key was created; (False, its value) when it was there already."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    tx = client.transactions
    created, responses = call(client, RegistryError, f"put {key}", client.transaction,
                              compare=[tx.create(key) == 0], success=[tx.put(key, now)],
                              failure=[tx.get(key)])
    if created:
        return True, now
    found = responses[0] if responses else []
    return False, found[0][0].decode("utf-8", "replace") if found else "?"


def _delete(client: etcd3.MultiEndpointEtcd3Client, key: str) -> tuple[bool, str]:
    deleted = call(client, RegistryError, f"delete {key}", client.delete, key)
    return bool(deleted), ""


def _exists(client: etcd3.MultiEndpointEtcd3Client, key: str) -> bool:
    value, _meta = call(client, RegistryError, f"get {key}", client.get, key)
    return value is not None
