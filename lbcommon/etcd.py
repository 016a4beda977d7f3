"""etcd endpoints from the command line, and a failover-capable v3 client built from them."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, TypeVar
from urllib.parse import urlsplit

import etcd3
import grpc

T = TypeVar("T")

DEFAULT_PORT = 2379
# How long a failed endpoint is skipped before it is tried again.  python-etcd3's
# default (300 s) would keep a single restarted etcd out of use for five minutes.
ENDPOINT_RETRY_SECONDS = 1.0
# gRPC keepalive: notice a dead connection (and so a dead watch) within ~15 s.
# etcd refuses pings more often than every 5 s by default.
GRPC_OPTIONS = (
    ("grpc.keepalive_time_ms", 10_000),
    ("grpc.keepalive_timeout_ms", 5_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.max_receive_message_length", 256 * 1024 * 1024),
)


class EndpointError(ValueError):
    """An --etcd value that is not host:port or http(s)://host:port."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    secure: bool = False

    def __str__(self) -> str:
        scheme = "https" if self.secure else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"


@dataclass(frozen=True)
class Credentials:
    ca_cert: str | None = None
    cert: str | None = None
    key: str | None = None
    user: str | None = None
    password: str | None = None


def parse_endpoints(values: Iterable[str]) -> tuple[Endpoint, ...]:
    """Parse repeated and/or comma-separated endpoints; at least one is required."""
    endpoints: list[Endpoint] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item:
                endpoints.append(parse_endpoint(item))
    if not endpoints:
        raise EndpointError("no etcd endpoint given (use --etcd or ETCD_ENDPOINTS)")
    return tuple(dict.fromkeys(endpoints))


def parse_endpoint(value: str) -> Endpoint:
    text = value if "://" in value else f"http://{value}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise EndpointError(f"bad etcd endpoint {value!r}: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise EndpointError(f"bad etcd endpoint {value!r}: scheme must be http or https")
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.username:
        raise EndpointError(f"bad etcd endpoint {value!r}: expected host:port or http(s)://host:port")
    return Endpoint(parts.hostname, port or DEFAULT_PORT, parts.scheme == "https")


def endpoints_from_env(env: dict[str, str] | None = None) -> tuple[str, ...]:
    value = (env if env is not None else os.environ).get("ETCD_ENDPOINTS", "")
    return (value,) if value else ()


def connect(endpoints: tuple[Endpoint, ...], credentials: Credentials = Credentials(),
            timeout: float = 5.0) -> etcd3.MultiEndpointEtcd3Client:
    """A client that fails over between endpoints.  Authenticates at once when a user is set."""
    creds = None
    if credentials.ca_cert or any(ep.secure for ep in endpoints):
        creds = etcd3.MultiEndpointEtcd3Client.get_secure_creds(
            credentials.ca_cert, credentials.key, credentials.cert) if credentials.ca_cert \
            else grpc.ssl_channel_credentials()
    eps = [etcd3.Endpoint(ep.host, ep.port, secure=creds is not None, creds=creds,
                          time_retry=ENDPOINT_RETRY_SECONDS, opts=GRPC_OPTIONS)
           for ep in endpoints]
    return etcd3.MultiEndpointEtcd3Client(endpoints=eps, timeout=timeout, user=credentials.user,
                                          password=credentials.password, failover=True)


def describe_endpoints(client: etcd3.MultiEndpointEtcd3Client) -> str:
    return ", ".join(sorted(client.endpoints))


def describe_rpc_error(exc: grpc.RpcError) -> str:
    try:
        return f"{exc.code().name}: {exc.details()}"
    except Exception:  # noqa: BLE001 - only used in messages
        return str(exc)


def call(client: etcd3.MultiEndpointEtcd3Client, error: type[Exception], what: str,
         func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one etcd request; any failure becomes `error` with a one-line message naming it."""
    try:
        return func(*args, **kwargs)
    except etcd3.exceptions.NoServerAvailableError:
        raise error(f"etcd {what} failed: no endpoint reachable ({describe_endpoints(client)})") from None
    except etcd3.exceptions.Etcd3Exception as exc:
        raise error(f"etcd {what} failed ({describe_endpoints(client)}): "
                    f"{exc or type(exc).__name__}") from None
    except grpc.RpcError as exc:
        raise error(f"etcd {what} failed ({describe_endpoints(client)}): {describe_rpc_error(exc)}") from None
    except ValueError as exc:  # python-etcd3: "Trying to use a failed node"
        raise error(f"etcd {what} failed ({describe_endpoints(client)}): {exc}") from None
