"""`sidekick run ...`: parses options into a Config and calls run()."""
from __future__ import annotations

import ipaddress
import os
import sys

import click

from lbcommon.cli import METRICS_OPTION, EtcdSettings, etcd_options, parse_listen_address
from sidekick.config import MIN_TTL, Config, HealthConfig


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
def main() -> None:
    """Register Docker containers in etcd under a lease, and never leave a stale backend."""


@main.command()
@etcd_options
@METRICS_OPTION
@click.option("--host-ip", envvar="HOST_IP", default=None,
              help="Address other hosts reach this one on (env HOST_IP, else COREOS_PRIVATE_IPV4).")
@click.option("--service", default="apache", help="Service name: keys go under PREFIX/SERVICE/.")
@click.option("--prefix", default="/services", help="Key prefix.")
@click.option("--container", default=None, help="Register only this container (name or id).")
@click.option("--image", default=None, metavar="PATTERN",
              help="Host-wide: also select containers whose image matches PATTERN (glob).")
@click.option("--address", "address_mode", type=click.Choice(["host", "container"]), default="host",
              help="host: --host-ip + published port; container: the container's own IP and port.")
@click.option("--network", default=None, help="Network whose container IP --address container uses.")
@click.option("--ttl", type=click.IntRange(min=MIN_TTL), default=30, help="Lease TTL in seconds.")
@click.option("--keepalive-interval", type=click.FloatRange(min=0.1), default=None,
              help="Seconds between lease keepalives [default: TTL/3].")
@click.option("--check", "check_kind", type=click.Choice(["http", "tcp", "none"]), default="http",
              help="Health check of the registered address (http: 2xx/3xx passes, like curl -f).")
@click.option("--check-interval", type=click.FloatRange(min=0.1), default=5.0, help="Seconds between checks.")
@click.option("--check-timeout", type=click.FloatRange(min=0.05), default=2.0, help="Timeout of one check.")
@click.option("--check-path", default="/", help="Path the http check GETs.")
@click.option("--rise", type=click.IntRange(min=1), default=1, help="Passed checks before registering.")
@click.option("--fall", type=click.IntRange(min=1), default=2, help="Failed checks before removing.")
@click.option("--reconcile-interval", type=click.FloatRange(min=1), default=30.0,
              help="Seconds between full reconciles of containers and etcd keys.")
@click.option("--check-config", is_flag=True, help="Validate the options, then exit.")
def run(etcd: EtcdSettings, metrics_addr: str | None, host_ip: str | None, service: str, prefix: str,
        container: str | None,
        image: str | None, address_mode: str, network: str | None, ttl: int,
        keepalive_interval: float | None, check_kind: str, check_interval: float, check_timeout: float,
        check_path: str, rise: int, fall: int, reconcile_interval: float, check_config: bool) -> None:
    """Watch Docker and keep PREFIX/SERVICE/IP:PORT keys in etcd under one lease."""
    host_ip = host_ip or os.environ.get("COREOS_PRIVATE_IPV4")
    if not host_ip and address_mode == "host":
        raise click.UsageError("--host-ip is required (or env HOST_IP / COREOS_PRIVATE_IPV4)")
    if host_ip:
        try:
            host_ip = str(ipaddress.ip_address(host_ip))
        except ValueError:
            raise click.BadParameter(f"{host_ip!r} is not an IP address", param_hint="--host-ip") from None
    interval = keepalive_interval if keepalive_interval is not None else ttl / 3
    if interval * 3 > ttl:
        raise click.BadParameter(f"--ttl {ttl} is too short for --keepalive-interval {interval:g}: "
                                 "the TTL must cover three keepalives", param_hint="--ttl")
    for name, value in (("--service", service), ("--prefix", prefix)):
        if not value.strip("/") or any(c.isspace() for c in value):
            raise click.BadParameter(f"{value!r} must be a non-empty path segment without spaces",
                                     param_hint=name)
    if container and image:
        raise click.UsageError("--container and --image exclude each other")
    if network and address_mode != "container":
        raise click.UsageError("--network only applies with --address container")
    if check_timeout >= check_interval:
        raise click.BadParameter(f"{check_timeout:g} must be shorter than --check-interval "
                                 f"{check_interval:g}", param_hint="--check-timeout")
    config = Config(
        endpoints=etcd.endpoints, host_ip=host_ip or "", credentials=etcd.credentials,
        service=service.strip("/"), prefix="/" + prefix.strip("/"), container=container, image=image,
        address_mode=address_mode, network=network, ttl=ttl, keepalive_interval=interval,
        health=HealthConfig(kind=check_kind, interval=check_interval, timeout=check_timeout,
                            rise=rise, fall=fall, path=check_path),
        reconcile_interval=reconcile_interval, etcd_timeout=etcd.timeout,
        metrics_addr=parse_listen_address(metrics_addr))
    if check_config:
        click.echo(f"configuration ok: keys under {config.service_prefix(config.service)}, ttl {ttl}s")
        sys.exit(0)
    from sidekick.daemon import run as run_sidekick
    sys.exit(run_sidekick(config))


@main.command()
@etcd_options
@click.option("--prefix", default="/services", help="Key prefix.")
@click.option("--service", default=None, help="Only this service's keys [default: every service].")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def status(etcd: EtcdSettings, prefix: str, service: str | None, as_json: bool) -> None:
    """List the registered keys with their lease, TTL and local container (changes nothing).

    Exits 1 when etcd cannot be read; without Docker the container column stays empty.
    """
    for name, value in (("--service", service), ("--prefix", prefix)):
        if value is not None and (not value.strip("/") or any(c.isspace() for c in value)):
            raise click.BadParameter(f"{value!r} must be a non-empty path segment without spaces",
                                     param_hint=name)
    from sidekick.status import run_status
    sys.exit(run_status(etcd, prefix, service, as_json))
