"""The balancer's view of etcd: consistent snapshots of key prefixes and a change stream.

Templates never see etcd; they see a Snapshot.  Watches use the raw gRPC stream rather
than python-etcd3's Watcher, whose background thread dies silently when the stream breaks
(it calls an unimported `six` in its error path), which is exactly confd's "silent watch
death" we promise to avoid.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

import etcd3
import grpc
from etcd3 import etcdrpc
from etcd3.utils import prefix_range_end

from balancer.errors import StoreError
from lbcommon.etcd import Client, call, describe_endpoints, describe_rpc_error

log = logging.getLogger(__name__)

PUT, DELETE = 0, 1
PROGRESS_INTERVAL = 10.0


@dataclass(frozen=True)
class Snapshot:
    revision: int
    values: Mapping[str, str]      # full etcd key -> value


@dataclass(frozen=True)
class Change:
    key: bytes
    value: bytes | None            # None: deleted
    mod_revision: int


@dataclass
class WatchStream:
    """Responses of one watch; cancel() ends the iteration from any thread."""
    responses: Iterator[tuple[int, list[Change]]]
    cancel: Callable[[], None]


def minimal_prefixes(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Drop prefixes covered by a shorter one: ('/a', '/a/b', '/c') -> ('/a', '/c')."""
    kept: list[str] = []
    for prefix in sorted(set(prefixes)):
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return tuple(kept)


@dataclass
class Decoder:
    """Turns etcd bytes into str; a key or value that is not UTF-8 is dropped and reported once."""
    reported: set[tuple[bytes, int]] = field(default_factory=set)

    def decode(self, key: bytes, value: bytes, mod_revision: int) -> tuple[str, str] | None:
        try:
            return key.decode("utf-8"), value.decode("utf-8")
        except UnicodeDecodeError:
            if (key, mod_revision) not in self.reported:
                self.reported.add((key, mod_revision))
                shown = key.decode("utf-8", "backslashreplace")
                log.warning("etcd key %s: key or value is not valid UTF-8, ignored", shown)
            return None


class Store:
    def __init__(self, client: etcd3.MultiEndpointEtcd3Client) -> None:
        self._client = client
        self.decoder = Decoder()

    @property
    def endpoint(self) -> str:
        try:
            return str(self._client.endpoint_in_use.netloc)
        except Exception:  # noqa: BLE001 - only used in messages
            return "?"

    def close(self) -> None:
        self._client.close()

    def list_raw(self, prefixes: Iterable[str]) -> tuple[int, list[Change]]:
        """Every key under the prefixes, all read at one revision."""
        revision = 0
        changes: list[Change] = []
        for prefix in minimal_prefixes(prefixes):
            kwargs: dict[str, Any] = {"revision": revision} if revision else {}
            response = self._call(f"get {prefix}", self._client.get_prefix_response, prefix, **kwargs)
            revision = revision or response.header.revision
            changes.extend(Change(kv.key, kv.value, kv.mod_revision) for kv in response.kvs)
        if not revision:
            status = self._call("status", self._client.status)
            revision = status.raft_index  # only used when no prefix was asked for
        return revision, changes

    def snapshot(self, prefixes: Iterable[str]) -> Snapshot:
        revision, changes = self.list_raw(prefixes)
        values = {}
        for change in changes:
            decoded = self.decoder.decode(change.key, change.value or b"", change.mod_revision)
            if decoded:
                values[decoded[0]] = decoded[1]
        return Snapshot(revision, values)

    def watch(self, prefixes: Iterable[str], start_revision: int,
              progress_interval: float = PROGRESS_INTERVAL) -> WatchStream:
        """A change stream from start_revision on; iteration raises StoreError when it breaks.

        Every `progress_interval` seconds we ask etcd for a progress report on the stream: its
        answer (an empty response) proves the watch is alive even when no key changes.
        """
        prefixes = minimal_prefixes(prefixes)
        cancelled, finished = threading.Event(), threading.Event()
        try:
            stub = etcdrpc.WatchStub(self._client.channel)
        except Exception as exc:  # noqa: BLE001 - NoServerAvailableError, ValueError
            raise StoreError(f"etcd unreachable ({self._endpoints()}): {exc}") from None

        def requests() -> Iterator[Any]:
            for prefix in prefixes:
                key = prefix.encode()
                yield etcdrpc.WatchRequest(create_request=etcdrpc.WatchCreateRequest(
                    key=key, range_end=prefix_range_end(key), start_revision=start_revision))
            while not finished.wait(progress_interval):  # our half stays open until the watch ends
                yield etcdrpc.WatchRequest(progress_request=etcdrpc.WatchProgressRequest())

        rpc = stub.Watch(requests(), metadata=self._client.metadata,
                         credentials=self._client.call_credentials)

        def cancel() -> None:
            cancelled.set()
            finished.set()
            rpc.cancel()

        return WatchStream(self._responses(rpc, cancelled, finished, len(prefixes)), cancel)

    def _responses(self, rpc: Any, cancelled: threading.Event, finished: threading.Event,
                   watches: int) -> Iterator[tuple[int, list[Change]]]:
        created = 0
        try:
            for response in rpc:
                if response.compact_revision:
                    raise StoreError(f"etcd watch: revision compacted at {response.compact_revision}")
                if response.canceled:
                    raise StoreError(f"etcd watch cancelled by server: {response.cancel_reason or 'no reason'}")
                if response.created:
                    created += 1
                    if created == watches:
                        yield response.header.revision, []  # every watch is established
                    continue
                yield response.header.revision, [
                    Change(e.kv.key, e.kv.value if e.type == PUT else None, e.kv.mod_revision)
                    for e in response.events]
            if not cancelled.is_set():
                raise StoreError(f"etcd watch on {self.endpoint} ended by the server")
        except grpc.RpcError as exc:
            if cancelled.is_set():
                return
            self._fail_endpoint(exc)
            raise StoreError(f"etcd watch on {self.endpoint} broke: {describe_rpc_error(exc)}") from None
        finally:
            finished.set()
            rpc.cancel()

    def _call(self, what: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return call(self._client, StoreError, what, func, *args, **kwargs)

    def _fail_endpoint(self, exc: grpc.RpcError) -> None:
        if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                          grpc.StatusCode.INTERNAL):
            try:
                self._client.endpoint_in_use.fail()
                self._client._clear_old_stubs()  # noqa: SLF001 - the library's own failover step
                if isinstance(self._client, Client):
                    self._client.rotate()
            except Exception:  # noqa: BLE001
                pass

    def _endpoints(self) -> str:
        return describe_endpoints(self._client)
