"""`sidekick run ...`: parses options into a Config and calls run()."""
from __future__ import annotations

import ipaddress
import os
import sys
from typing import Callable

import click

from lbcommon.cli import METRICS_OPTION, EtcdSettings, etcd_options, parse_listen_address
from lbcommon.routes import KeyLayout, parse_address, parse_service
from sidekick.config import MIN_TTL, Config, HealthConfig

PREFIX_OPTION = click.option("--prefix", default="/services", help="Key prefix of the backend keys.")
LB_PREFIX_OPTION = click.option("--lb-prefix", default="/lb",
                                help="Key prefix of routing, drain and maintenance keys.")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
def main() -> None:
    """Register Docker containers in etcd under a lease, and never leave a stale backend."""


@main.command()
@etcd_options
@METRICS_OPTION
@click.option("--host-ip", envvar="HOST_IP", default=None,
              help="Address other hosts reach this one on, IPv4 or IPv6 (env HOST_IP, else "
                   "COREOS_PRIVATE_IPV4); an IPv6 one is registered as [ADDR]:PORT.")
@click.option("--service", default="apache", help="Service name: keys go under PREFIX/SERVICE/.")
@PREFIX_OPTION
@LB_PREFIX_OPTION
@click.option("--container", default=None, help="Register only this container (name or id).")
@click.option("--image", default=None, metavar="PATTERN",
              help="Host-wide: also select containers whose image matches PATTERN (glob).")
@click.option("--address", "address_mode", type=click.Choice(["host", "container"]), default="host",
              help="host: --host-ip + published port; container: the container's own IP and port.")
@click.option("--network", default=None,
              help="--address container: the Docker network (name) whose address is registered; a "
                   "container not on it is reported, not registered [default: the only network with an address].")
@click.option("--ip-family", type=click.Choice(["auto", "4", "6"]), default="auto",
              help="--address container: which of a container's addresses on the network: 4, 6, or auto "
                   "(IPv4 when it has one there, else IPv6).")
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
        lb_prefix: str, container: str | None,
        image: str | None, address_mode: str, network: str | None, ip_family: str, ttl: int,
        keepalive_interval: float | None, check_kind: str, check_interval: float, check_timeout: float,
        check_path: str, rise: int, fall: int, reconcile_interval: float, check_config: bool) -> None:
    """Watch Docker and keep PREFIX/SERVICE/IP:PORT keys in etcd under one lease."""
    host_ip = host_ip or os.environ.get("COREOS_PRIVATE_IPV4")
    if not host_ip and address_mode == "host":
        raise click.UsageError("--host-ip is required (or env HOST_IP / COREOS_PRIVATE_IPV4)")
    if host_ip:
        host_ip = _host_ip(host_ip)
    interval = keepalive_interval if keepalive_interval is not None else ttl / 3
    if interval * 3 > ttl:
        raise click.BadParameter(f"--ttl {ttl} is too short for --keepalive-interval {interval:g}: "
                                 "the TTL must cover three keepalives", param_hint="--ttl")
    _check_service(service, "--service")
    _check_prefixes(prefix, lb_prefix)
    if container and image:
        raise click.UsageError("--container and --image exclude each other")
    if network and address_mode != "container":
        raise click.UsageError("--network only applies with --address container")
    if ip_family != "auto" and address_mode != "container":
        raise click.UsageError("--ip-family only applies with --address container "
                               "(with --address host, --host-ip's family decides)")
    if check_timeout >= check_interval:
        raise click.BadParameter(f"{check_timeout:g} must be shorter than --check-interval "
                                 f"{check_interval:g}", param_hint="--check-timeout")
    config = Config(
        endpoints=etcd.endpoints, host_ip=host_ip or "", credentials=etcd.credentials,
        service=service, prefix="/" + prefix.strip("/"), lb_prefix="/" + lb_prefix.strip("/"),
        container=container, image=image,
        address_mode=address_mode, network=network, ip_family=ip_family, ttl=ttl, keepalive_interval=interval,
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
@PREFIX_OPTION
@LB_PREFIX_OPTION
@click.option("--service", default=None, help="Only this service's keys [default: every service].")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def status(etcd: EtcdSettings, prefix: str, lb_prefix: str, service: str | None, as_json: bool) -> None:
    """List the registered keys with their lease, TTL and local container, the services with
    their hosts, paths, drained backends and maintenance, conflicts, and the containers not
    registered and why: those every running sidekick reports (not on its --network, port not
    published, ...) and local labelled ones a bad label keeps out (changes nothing).

    Exits 1 when etcd cannot be read; without Docker the container column stays empty.
    """
    if service is not None:
        _check_service(service, "--service")
    _check_prefixes(prefix, lb_prefix)
    from sidekick.status import run_status
    sys.exit(run_status(etcd, KeyLayout(prefix, lb_prefix), service, as_json))


def operator_command(func: Callable[..., None]) -> click.Command:
    """A `sidekick` command on one service's operator state: the etcd and prefix options, SERVICE."""
    for decorate in reversed((main.command(), etcd_options, PREFIX_OPTION, LB_PREFIX_OPTION,
                              click.argument("service"))):
        func = decorate(func)
    return func  # type: ignore[return-value]


@operator_command
@click.argument("address")
def drain(etcd: EtcdSettings, prefix: str, lb_prefix: str, service: str, address: str) -> None:
    """Send no new request to SERVICE's backend ADDRESS (ip:port); requests in flight finish.
    Kept in etcd without a lease: it lasts until `undrain`."""
    _drain(etcd, prefix, lb_prefix, service, address, on=True)


@operator_command
@click.argument("address")
def undrain(etcd: EtcdSettings, prefix: str, lb_prefix: str, service: str, address: str) -> None:
    """Let SERVICE's backend ADDRESS take requests again."""
    _drain(etcd, prefix, lb_prefix, service, address, on=False)


@operator_command
@click.argument("state", type=click.Choice(["on", "off"]))
def maintenance(etcd: EtcdSettings, prefix: str, lb_prefix: str, service: str, state: str) -> None:
    """Switch SERVICE's maintenance page on or off: on, its hosts answer 503 with the page and
    its backends are left as they are.  Kept in etcd without a lease."""
    _check_service(service)
    _check_prefixes(prefix, lb_prefix)
    from sidekick.operator import maintenance as switch
    sys.exit(switch(etcd, KeyLayout(prefix, lb_prefix), service, on=state == "on"))


def _drain(etcd: EtcdSettings, prefix: str, lb_prefix: str, service: str, address: str, on: bool) -> None:
    _check_service(service)
    _check_prefixes(prefix, lb_prefix)
    try:
        address = parse_address(address)
    except ValueError as exc:
        raise click.BadParameter(f"{address!r} is not ip:port: {exc}", param_hint="ADDRESS") from None
    from sidekick.operator import drain as switch
    sys.exit(switch(etcd, KeyLayout(prefix, lb_prefix), service, address, on=on))


def _host_ip(text: str) -> str:
    """--host-ip in the normal form of keys (IPv6 compressed: `::1`, `2001:db8::5`)."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an IP address", param_hint="--host-ip") from None
    if address.is_unspecified:
        raise click.BadParameter(f"{text!r} is no address other hosts can reach: give this host's own",
                                 param_hint="--host-ip")
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        raise click.BadParameter(f"{text!r}: an address with a zone (%{address.scope_id}) cannot be a backend "
                                 "address; give a global or unique-local one", param_hint="--host-ip")
    return str(address)


def _check_service(service: str, hint: str = "SERVICE") -> None:
    try:
        parse_service(service)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=hint) from None


def _check_prefixes(prefix: str, lb_prefix: str) -> None:
    for name, value in (("--prefix", prefix), ("--lb-prefix", lb_prefix)):
        if not value.strip("/") or any(c.isspace() for c in value):
            raise click.BadParameter(f"{value!r} must be a non-empty key prefix without spaces",
                                     param_hint=name)
    if "/" + prefix.strip("/") == "/" + lb_prefix.strip("/"):
        raise click.UsageError("--prefix and --lb-prefix must differ")
