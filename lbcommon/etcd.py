"""etcd endpoints from the command line, and a failover-capable v3 client built from them."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, TypeVar
from urllib.parse import urlsplit

# gRPC's C core writes its own lines to stderr (a refused TLS handshake gives three or four
# "E1129 ... ssl_transport_security_utils.cc" lines); our one-line messages say the same.
# Must be set before grpc is first imported; GRPC_VERBOSITY=ERROR (or INFO) shows them again.
os.environ.setdefault("GRPC_VERBOSITY", "NONE")

import etcd3
import grpc
from etcd3 import etcdrpc

T = TypeVar("T")
# gRPC codes that mean "this endpoint is unusable now": fail over to the next one.
CONNECTION_CODES = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.INTERNAL)

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
    """`secure` is what the scheme said: True for https://, False for http://, None for a bare
    host:port, which uses TLS when TLS is configured (--ca-cert/--cert or an https:// sibling)."""
    host: str
    port: int
    secure: bool | None = None

    def uses_tls(self, tls_configured: bool) -> bool:
        return self.secure if self.secure is not None else tls_configured

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.secure is None:
            return f"{host}:{self.port}"
        return f"{'https' if self.secure else 'http'}://{host}:{self.port}"


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
    secure = None if "://" not in value else parts.scheme == "https"
    return Endpoint(parts.hostname, port or DEFAULT_PORT, secure)


def endpoints_from_env(env: dict[str, str] | None = None) -> tuple[str, ...]:
    value = (env if env is not None else os.environ).get("ETCD_ENDPOINTS", "")
    return (value,) if value else ()


class Client(etcd3.MultiEndpointEtcd3Client):  # type: ignore[misc]
    """python-etcd3's failover client, except that a user authenticates lazily, in `call()`.

    python-etcd3 authenticates in its constructor: a wrong password (or etcd down at start)
    escaped connect() as a raw gRPC traceback, and a token etcd forgets (restart, idle past
    --auth-token-ttl) was never renewed.  Here the first request authenticates, and a request
    refused as UNAUTHENTICATED makes the next one authenticate again.  The token travels as
    metadata only: python-etcd3 also attaches it as gRPC call credentials, which gRPC refuses
    on plain-http channels ("Established channel does not have a sufficient security level").
    """

    def __init__(self, endpoints: list[etcd3.Endpoint], timeout: float,
                 user: str | None = None, password: str | None = None) -> None:
        super().__init__(endpoints=endpoints, timeout=timeout, failover=True)
        self.user = user
        self._password = password
        self.needs_auth = user is not None
        self.last_error: str | None = None  # why the last request failed: the reason an endpoint is skipped

    def rotate(self) -> None:
        """After a connection failure, aim the next request at the next endpoint.

        python-etcd3 only leaves an endpoint while it is marked failed (1 s here); a retry
        that comes later went back to the same dead member for ever.
        """
        labels = list(self.endpoints)
        if len(labels) > 1:
            current = labels.index(self._current_endpoint_label)  # type: ignore[has-type]
            self._current_endpoint_label = labels[(current + 1) % len(labels)]

    def authenticate(self) -> None:
        request = etcdrpc.AuthenticateRequest(name=self.user, password=self._password)
        try:
            response = self.authstub.Authenticate(request, self.timeout)
        except grpc.RpcError as exc:
            if exc.code() in CONNECTION_CODES:
                self.endpoint_in_use.fail()  # as python-etcd3 does: fail over to the next one
                self._clear_old_stubs()
            raise
        self.metadata = (("token", response.token),)
        self.call_credentials = None
        self.needs_auth = False


def connect(endpoints: tuple[Endpoint, ...], credentials: Credentials = Credentials(),
            timeout: float = 5.0) -> Client:
    """A client that fails over between endpoints.  Connects (and authenticates) lazily."""
    creds = None
    tls = bool(credentials.ca_cert or credentials.cert or any(ep.secure for ep in endpoints))
    if any(ep.uses_tls(tls) for ep in endpoints):
        def read(path: str | None) -> bytes | None:
            if path is None:
                return None
            with open(path, "rb") as f:
                return f.read()
        # No --ca-cert: the system's roots, but still our client certificate if one is given.
        creds = grpc.ssl_channel_credentials(read(credentials.ca_cert), read(credentials.key),
                                             read(credentials.cert))
    eps = [etcd3.Endpoint(ep.host, ep.port, secure=secure, creds=creds if secure else None,
                          time_retry=ENDPOINT_RETRY_SECONDS, opts=GRPC_OPTIONS)
           for ep, secure in ((ep, ep.uses_tls(tls)) for ep in endpoints)]
    return Client(eps, timeout, credentials.user, credentials.password)


def describe_endpoints(client: etcd3.MultiEndpointEtcd3Client) -> str:
    return ", ".join(sorted(client.endpoints))


def describe_rpc_error(exc: grpc.RpcError) -> str:
    try:
        code, details = exc.code(), exc.details() or ""
    except Exception:  # noqa: BLE001 - only used in messages
        return str(exc)
    # "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:2379: <reason>"
    reason = details.rpartition("last error: ")[2]
    reason = reason.split(": ", 2)[-1] if reason.startswith(("UNKNOWN: ipv", "UNAVAILABLE: ipv")) else reason
    if "TSI_DATA_CORRUPTED" in reason:
        # TLS 1.3: etcd checks the client certificate after the handshake and drops us.
        return ("TLS: etcd refused the connection: client certificate missing or not signed "
                "by a CA etcd trusts (--cert/--key)")
    if "CERTIFICATE_VERIFY_FAILED" in reason:
        why = reason.rpartition("CERTIFICATE_VERIFY_FAILED: ")[2].removesuffix(": OK")
        return f"TLS: cannot verify etcd's server certificate ({why}): check --ca-cert"
    if code == grpc.StatusCode.UNAVAILABLE and reason != details:
        return f"unreachable: {reason}"
    return f"{code.name}: {details}"


def call(client: etcd3.MultiEndpointEtcd3Client, error: type[Exception], what: str,
         func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one etcd request; any failure becomes `error` with a one-line message naming it."""
    if isinstance(client, Client) and client.needs_auth:
        _call(client, error, f"authentication as {client.user}", client.authenticate)
    return _call(client, error, what, func, *args, **kwargs)


def _call(client: etcd3.MultiEndpointEtcd3Client, error: type[Exception], what: str,
          func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return func(*args, **kwargs)
    except (etcd3.exceptions.Etcd3Exception, grpc.RpcError, ValueError) as exc:
        if isinstance(client, Client) and _is_connection_failure(exc):
            client.rotate()
        raise error(f"etcd {what} failed{_describe(client, what, exc)}") from None


def _is_connection_failure(exc: Exception) -> bool:
    if isinstance(exc, grpc.RpcError):
        return exc.code() in CONNECTION_CODES
    return isinstance(exc, (etcd3.exceptions.ConnectionFailedError, etcd3.exceptions.ConnectionTimeoutError,
                            etcd3.exceptions.InternalServerError, etcd3.exceptions.NoServerAvailableError))


def _describe(client: etcd3.MultiEndpointEtcd3Client, what: str, exc: Exception) -> str:
    """': reason' (or ' (endpoints): reason') for one failed request, on one line."""
    endpoints = describe_endpoints(client)
    if isinstance(exc, etcd3.exceptions.NoServerAvailableError):
        last = getattr(client, "last_error", None)
        return f": no endpoint reachable ({endpoints}{f'; last error: {last}' if last else ''})"
    if isinstance(exc, etcd3.exceptions.Etcd3Exception):
        # python-etcd3 turns UNAVAILABLE into a bare "etcd connection failed": say why.
        cause = exc.__context__
        reason = describe_rpc_error(cause) if isinstance(cause, grpc.RpcError) else str(exc) or type(exc).__name__
        return f" ({endpoints}): {_remember(client, reason)}"
    if isinstance(exc, grpc.RpcError):
        if exc.code() == grpc.StatusCode.UNAUTHENTICATED and isinstance(client, Client) and client.user:
            client.needs_auth = True  # etcd forgot our token (restart, --auth-token-ttl): get a new one
        if what.startswith("authentication") and exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            reason = (exc.details() or "").removeprefix("etcdserver: ").removeprefix("authentication failed, ")
        else:
            reason = describe_rpc_error(exc)
        return f" ({endpoints}): {_remember(client, reason)}"
    return f" ({endpoints}): {exc}"  # python-etcd3's ValueError "Trying to use a failed node"


def _remember(client: etcd3.MultiEndpointEtcd3Client, reason: str) -> str:
    if isinstance(client, Client):
        client.last_error = reason
    return reason
