"""Options both programs share (etcd connection, logging), named and validated the same way."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import click

from lbcommon.etcd import Client, Credentials, Endpoint, EndpointError, connect, parse_endpoints
from lbcommon.logs import setup_logging
from lbcommon.table import one_line


@dataclass(frozen=True)
class EtcdSettings:
    endpoints: tuple[Endpoint, ...]
    credentials: Credentials
    timeout: float

    def connect(self, error: type[Exception]) -> Client:
        """A client for a one-shot command.  Connecting (and authenticating) is lazy, so only
        reading a certificate file can fail here: that becomes `error`, on one line."""
        try:
            return connect(self.endpoints, self.credentials, self.timeout)
        except Exception as exc:  # noqa: BLE001 - grpc and file errors alike become one line
            endpoints = ", ".join(str(ep) for ep in self.endpoints)
            raise error(f"etcd connect failed ({endpoints}): {one_line(str(exc)) or type(exc).__name__}") from None


_OPTIONS = (
    click.option("--etcd", "etcd", multiple=True, envvar="ETCD_ENDPOINTS",
                 help="etcd endpoint host:port or http(s)://host:port; repeat or comma-separate "
                      "for failover (env ETCD_ENDPOINTS)."),
    click.option("--etcd-timeout", type=click.FloatRange(min=0.1), default=5.0,
                 help="Timeout (s) of one etcd request."),
    click.option("--ca-cert", envvar="ETCD_CACERT", default=None, help="CA certificate (env ETCD_CACERT)."),
    click.option("--cert", envvar="ETCD_CERT", default=None, help="Client certificate (env ETCD_CERT)."),
    click.option("--key", envvar="ETCD_KEY", default=None, help="Client key (env ETCD_KEY)."),
    click.option("--user", envvar="ETCD_USER", default=None, help="etcd user (env ETCD_USER)."),
    click.option("--password", envvar="ETCD_PASSWORD", default=None, help="etcd password (env ETCD_PASSWORD)."),
    click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
                 default="INFO"),
    click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
                 help="json: one JSON object per line, for log shippers."),
)

# Options of the long-running `run` commands only.
METRICS_OPTION = click.option(
    "--metrics-addr", default=None, metavar="HOST:PORT",
    help="Serve Prometheus /metrics and /healthz on HOST:PORT (off by default).")


def etcd_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared options; the command receives them as one `etcd: EtcdSettings`."""
    @functools.wraps(func)
    def wrapper(*args: Any, etcd: tuple[str, ...], etcd_timeout: float, ca_cert: str | None,
                cert: str | None, key: str | None, user: str | None, password: str | None,
                log_level: str, log_format: str, **kwargs: Any) -> Any:
        setup_logging(log_level, log_format)
        return func(*args, etcd=_settings(etcd, etcd_timeout, ca_cert, cert, key, user, password), **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def _settings(etcd: tuple[str, ...], timeout: float, ca_cert: str | None, cert: str | None,
              key: str | None, user: str | None, password: str | None) -> EtcdSettings:
    try:
        endpoints = parse_endpoints(etcd)
    except EndpointError as exc:
        raise click.BadParameter(str(exc), param_hint="--etcd") from None
    if (cert is None) != (key is None):
        raise click.UsageError("--cert and --key go together")
    if (user is None) != (password is None):
        raise click.UsageError("--user and --password go together")
    for name, path in (("--ca-cert", ca_cert), ("--cert", cert), ("--key", key)):
        if path is not None:
            try:
                with open(path, "rb"):
                    pass
            except OSError as exc:
                raise click.BadParameter(f"{path}: {exc.strerror}", param_hint=name) from None
    credentials = Credentials(ca_cert=ca_cert, cert=cert, key=key, user=user, password=password)
    return EtcdSettings(endpoints, credentials, timeout)


def parse_listen_address(value: str | None) -> tuple[str, int] | None:
    """--metrics-addr HOST:PORT (HOST may be empty for all addresses, [v6] bracketed)."""
    if value is None:
        return None
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter(f"{value!r} is not HOST:PORT", param_hint="--metrics-addr")
    return host.strip("[]") or "0.0.0.0", int(port)
