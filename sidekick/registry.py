"""The keys this sidekick owns in etcd, all attached to one lease that it keeps alive.

Refreshing is a lease keepalive, never a re-put: a re-put would wake every watcher.
Used from one thread (the sidekick's main loop); etcd failures leave the desired state in
place and mark keys dirty, so the next flush or reconcile writes them.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Mapping

import etcd3

from lbcommon.etcd import call
from sidekick.errors import LeaseLost, RegistryError

log = logging.getLogger(__name__)


class Registry:
    def __init__(self, client: etcd3.MultiEndpointEtcd3Client, ttl: int,
                 on_grant: Callable[[], None] | None = None, quiet: tuple[str, ...] = ()) -> None:
        self._client = client
        self._quiet = quiet                        # key prefixes whose writes are logged at debug level
        self._on_grant = on_grant or (lambda: None)
        self.ttl = ttl
        self.lease_id: int | None = None
        self.desired: dict[str, str] = {}
        self._dirty: set[str] = set()              # keys to put or delete
        self._mod_revisions: dict[str, int] = {}   # our last write of each key

    @property
    def in_sync(self) -> bool:
        return self.lease_id is not None and not self._dirty

    def set(self, key: str, value: str) -> bool:
        """Want `key` registered; returns True when it was written now."""
        return self.set_many({key: value})

    def set_many(self, items: Mapping[str, str]) -> bool:
        """Want every key of `items` registered, written in one transaction (one revision: a
        watcher sees them together); returns True when they were written now."""
        changed = sorted(k for k, v in items.items() if self.desired.get(k) != v or k in self._dirty)
        if not changed:
            return False
        for key in changed:
            self.desired[key] = items[key]
            self._dirty.add(key)
        return self._try_flush(*changed)

    def remove(self, key: str) -> bool:
        """Want `key` gone; returns True when it was deleted now."""
        if key not in self.desired and key not in self._dirty:
            return False
        self.desired.pop(key, None)
        self._dirty.add(key)
        return self._try_flush(key)

    def _try_flush(self, *keys: str) -> bool:
        """Write `keys` now (several: in one transaction); False when etcd failed: they stay dirty."""
        try:
            if len(keys) == 1:
                self._write(keys[0])
            else:
                self._put_together(list(keys))
            return True
        except LeaseLost:
            self.lease_id = None
            log.warning("lease lost while writing %s; a new one will be granted", ", ".join(keys))
        except RegistryError as exc:
            log.warning("%s; will retry", exc)
        return False

    def flush(self) -> None:
        """Write every dirty key (after an outage); raises RegistryError on the first failure."""
        self.ensure_lease()
        for key in sorted(self._dirty):
            self._write(key)

    def ensure_lease(self) -> None:
        if self.lease_id is not None:
            return
        lease = call(self._client, RegistryError, f"lease grant (ttl {self.ttl}s)", self._client.lease, self.ttl)
        self.lease_id = lease.id
        self._on_grant()
        self._dirty.update(self.desired)
        log.info("lease %x granted, ttl %ds; %d keys to put", lease.id, lease.ttl, len(self.desired))

    def refresh(self, lease_id: int) -> bool:
        """One keepalive of `lease_id`; False when etcd says it is gone.  Safe from another
        thread (the LeaseKeeper's): it reads and changes nothing of the registry."""
        responses = call(self._client, RegistryError, f"lease keepalive {lease_id:x}",
                         lambda: list(self._client.refresh_lease(lease_id)))
        return bool(responses) and responses[0].TTL > 0

    def lease_expired(self, lease_id: int) -> None:
        """etcd said `lease_id` is gone: the next flush grants a new lease and puts every key."""
        if self.lease_id != lease_id:
            return
        self.lease_id = None
        log.warning("lease %x expired (etcd was unreachable or we stalled); granting a new one "
                    "and putting %d keys again", lease_id, len(self.desired))

    def reconcile(self, prefixes: Iterable[str]) -> None:
        """Compare etcd with the desired state: delete keys of ours nobody wants, put missing ones."""
        self.ensure_lease()
        found: dict[str, tuple[str, int]] = {}
        for prefix in sorted(set(prefixes)):
            for value, meta in call(self._client, RegistryError, f"get {prefix}",
                                    lambda p=prefix: list(self._client.get_prefix(p))):
                found[meta.key.decode("utf-8", "replace")] = (value.decode("utf-8", "replace"), meta.lease_id)
        for key, (_value, lease) in found.items():
            if lease == self.lease_id and key not in self.desired:
                log.info("reconcile: %s is under our lease but no container wants it; deleting", key)
                self._dirty.add(key)
        for key, value in self.desired.items():
            if found.get(key) != (value, self.lease_id):
                if key not in self._dirty:
                    log.info("reconcile: %s missing or changed in etcd; putting it again", key)
                self._dirty.add(key)
        self.flush()

    def lease_of(self, key: str) -> int:
        """The lease `key` is attached to (0: none, or no such key)."""
        _value, meta = call(self._client, RegistryError, f"get {key}", self._client.get, key)
        return meta.lease_id if meta is not None else 0

    def claim_stale(self, prefix: str, lease_id: int, keep: frozenset[str] = frozenset()) -> None:
        """Delete keys under `prefix` held by `lease_id` (our own earlier run's) that we do not
        want now.  `keep`: keys of running containers whose health is not known yet (they stay
        until their check decides; a pass re-puts them under our lease).  Each delete compares
        the key's revision: a key written again meanwhile (by anyone) stays."""
        tx = self._client.transactions
        for _value, meta in call(self._client, RegistryError, f"get {prefix}",
                                 lambda: list(self._client.get_prefix(prefix))):
            key = meta.key.decode("utf-8", "replace")
            if meta.lease_id != lease_id or key in self.desired or key in keep:
                continue
            deleted, _ = call(self._client, RegistryError, f"delete {key}", self._client.transaction,
                              compare=[tx.mod(key) == meta.mod_revision], success=[tx.delete(key)], failure=[])
            if deleted:
                log.info("%s: left by this sidekick's earlier run (lease %x), no container wants it; deleted",
                         key, lease_id)

    def revoke(self) -> None:
        if self.lease_id is None:
            return
        call(self._client, RegistryError, f"lease revoke {self.lease_id:x}",
             self._client.revoke_lease, self.lease_id)
        log.info("lease %x revoked: %d keys removed", self.lease_id, len(self.desired))
        self.lease_id = None

    def _write(self, key: str) -> None:
        if key in self.desired:
            self._put(key, self.desired[key])
        else:
            self._delete(key)
        self._dirty.discard(key)

    def _put(self, key: str, value: str) -> None:
        self.ensure_lease()
        response = self._leased(f"put {key}", self._client.put, key, value, lease=self.lease_id)
        self._mod_revisions[key] = response.header.revision
        log.log(self._level(key), "registered %s = %s (lease %x)", key, value, self.lease_id)

    def _put_together(self, keys: list[str]) -> None:
        self.ensure_lease()
        tx = self._client.transactions
        _ok, responses = self._leased(f"put {', '.join(keys)}", self._client.transaction, compare=[],
                                      success=[tx.put(k, self.desired[k], lease=self.lease_id) for k in keys],
                                      failure=[])
        for key, response in zip(keys, responses):
            self._mod_revisions[key] = response.response_put.header.revision
            self._dirty.discard(key)
            log.log(self._level(key), "registered %s = %s (lease %x)", key, self.desired[key], self.lease_id)

    def _leased(self, what: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A write under our lease: etcd's "lease not found" is LeaseLost (a new lease is granted)."""
        try:
            return call(self._client, RegistryError, what, func, *args, **kwargs)
        except RegistryError as exc:
            if "lease not found" in str(exc):
                raise LeaseLost(str(exc)) from None
            raise

    def _delete(self, key: str) -> None:
        revision = self._mod_revisions.pop(key, None)
        if revision is None:
            call(self._client, RegistryError, f"delete {key}", self._client.delete, key)
        else:
            # Only if it is still our write: another owner may have registered it since.
            tx = self._client.transactions
            call(self._client, RegistryError, f"delete {key}", self._client.transaction,
                 compare=[tx.mod(key) == revision], success=[tx.delete(key)], failure=[])
        log.log(self._level(key), "deregistered %s", key)

    def _level(self, key: str) -> int:
        return logging.DEBUG if key.startswith(self._quiet) else logging.INFO
