"""`balancer run ...`: parses options into a Config and calls run()."""
from __future__ import annotations

import shlex
import signal
import sys
from pathlib import Path

import click

from balancer.config import Config
from lbcommon.cli import METRICS_OPTION, EtcdSettings, etcd_options, parse_listen_address

DEATH_SIGNALS = ("TERM", "QUIT", "INT", "HUP", "KILL")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
def main() -> None:
    """Keep nginx (or any file rendered from a template) in step with etcd."""


@main.command()
@etcd_options
@METRICS_OPTION
@click.option("--confdir", type=click.Path(path_type=Path, file_okay=False), default=Path("/etc/balancer"),
              help="Directory with conf.d/*.toml template resources and templates/.")
@click.option("--prefix", default="", help="Key prefix put before every resource's prefix and keys.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=None,
              help="Poll etcd every SECONDS instead of watching it.")
@click.option("--onetime", is_flag=True, help="Sync every resource once; exit 0 only if all are in sync.")
@click.option("--noop", is_flag=True, help="Render and check, show the diff, change nothing.")
@click.option("--exec", "exec_command", default=None, metavar="COMMAND",
              help="Supervise COMMAND (e.g. \"nginx -g 'daemon off;'\") once the first sync succeeds.")
@click.option("--exec-death-signal", type=click.Choice(DEATH_SIGNALS, case_sensitive=False), default="TERM",
              envvar="BALANCER_EXEC_DEATH_SIGNAL",
              help="Signal the kernel sends the --exec child if the balancer dies without stopping it "
                   "(SIGKILL, crash); QUIT is nginx's graceful stop (env BALANCER_EXEC_DEATH_SIGNAL).")
@click.option("--debounce-min", type=click.FloatRange(min=0), default=0.1,
              help="Quiet time (s) that ends a burst of changes.")
@click.option("--debounce-max", type=click.FloatRange(min=0), default=1.0,
              help="Longest wait (s) after the first change of a burst; also the least time "
                   "between renders.")
@click.option("--resync-interval", type=click.FloatRange(min=1), default=60.0,
              help="Full re-list of etcd every SECONDS in watch mode.")
@click.option("--confdir-poll", type=click.FloatRange(min=0), default=2.0,
              help="Look for new, changed or removed conf.d files and templates every SECONDS "
                   "(0: only on SIGHUP).")
@click.option("--check-config", is_flag=True, help="Validate options and template resources, then exit.")
def run(etcd: EtcdSettings, metrics_addr: str | None, confdir: Path, prefix: str, interval: float | None, onetime: bool,
        noop: bool, exec_command: str | None, exec_death_signal: str, debounce_min: float, debounce_max: float,
        resync_interval: float, confdir_poll: float, check_config: bool) -> None:
    """Render template resources from etcd and keep them in step."""
    if onetime and (interval or exec_command):
        raise click.UsageError("--onetime cannot be combined with --interval or --exec")
    if debounce_max < debounce_min:
        raise click.BadParameter(f"{debounce_max} is less than --debounce-min {debounce_min}",
                                 param_hint="--debounce-max")
    try:
        argv = tuple(shlex.split(exec_command)) if exec_command else ()
    except ValueError as exc:
        raise click.BadParameter(f"{exec_command!r}: {exc}", param_hint="--exec") from None
    if exec_command is not None and not argv:
        raise click.BadParameter("empty command", param_hint="--exec")
    config = Config(
        confdir=confdir, endpoints=etcd.endpoints, credentials=etcd.credentials, etcd_timeout=etcd.timeout,
        prefix=prefix, interval=interval, onetime=onetime, noop=noop, exec_command=argv,
        exec_death_signal=signal.Signals["SIG" + exec_death_signal.upper()],
        debounce_quiet=debounce_min, debounce_limit=debounce_max, resync_interval=resync_interval,
        confdir_poll=confdir_poll,
        metrics_addr=parse_listen_address(metrics_addr))
    from balancer.daemon import check_config as check, run as run_balancer
    if check_config:
        sys.exit(check(config))
    sys.exit(run_balancer(config))


@main.command()
@etcd_options
@click.option("--confdir", type=click.Path(path_type=Path, file_okay=False), default=Path("/etc/balancer"),
              help="Directory with conf.d/*.toml template resources and templates/.")
@click.option("--prefix", default="", help="Key prefix put before every resource's prefix and keys.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def status(etcd: EtcdSettings, confdir: Path, prefix: str, as_json: bool) -> None:
    """Report each template resource: dest, pool size, in sync or not (changes nothing).

    Exits 0 even when resources are out of sync; 1 when etcd cannot be read.
    """
    from balancer.status import run_status
    sys.exit(run_status(etcd, confdir, prefix, as_json))


@main.command("check-template")
@click.argument("template", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--engine", type=click.Choice(["go", "jinja2"]), default=None,
              help="Parse as this language only (the resource directive `engine`); "
                   "default: decided from the text.")
def check_template(template: Path, engine: str | None) -> None:
    """Say which language TEMPLATE is written in (Go, as confd's, or Jinja2) and why.

    Parses only (no etcd, nothing rendered).  Exits 0 when it parses; 1 with its first
    error, FILE:LINE[:COL]: MESSAGE, when it does not or its language cannot be decided.
    """
    from balancer.check_template import check_template as check
    ok, line = check(template, engine)
    click.echo(line, err=not ok)
    sys.exit(0 if ok else 1)
