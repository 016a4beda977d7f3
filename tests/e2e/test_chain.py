"""End to end on one host: Docker -> sidekick -> etcd -> balancer -> nginx -> containers.

The churn test runs the project's apache image (images/apache: Debian's Apache, stopped with
SIGWINCH, its graceful stop); the other test the busybox httpd image (fast to start, no
health-check interval to wait for)."""
from __future__ import annotations

import re
import statistics
import time
from typing import Any

import pytest

import procs
from procs import LoadLoop, wait_for
from procs.apache import APACHE_IMAGE, ImageBuildError, apache_run_args, build_images


def test_every_container_answers_and_the_pool_follows_docker(chain) -> None:
    addresses = {name: chain.run(name) for name in ("one", "two", "three")}
    wait_for(lambda: chain.served() == {"one", "two", "three"}, timeout=20)
    assert chain.keys() == set(addresses.values())

    chain.stop("two")
    stopped = time.monotonic()
    wait_for(lambda: addresses["two"] not in chain.pool_file(), timeout=2.0, interval=0.01)
    assert chain.served() == {"one", "three"}
    assert time.monotonic() - stopped < 2.0

    addresses["four"] = chain.run("four")
    started = time.monotonic()                     # `docker run` has returned: the join is ours
    wait_for(lambda: "four" in chain.served(6), timeout=2.0, interval=0.01)
    assert time.monotonic() - started < 2.0
    assert chain.served() == {"one", "three", "four"}


CHURN_SECONDS = 60.0
BASELINE_SECONDS = 10.0
SLOW_PATH = "/cgi-bin/slow?1"        # the apache image's page after 1 s: requests in flight at every stop


def p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else latencies[0]


@pytest.fixture(scope="session")
def apache_image(docker_daemon: str) -> str:
    """apache:latest, built (or found up to date in docker's cache) by images/build once per
    session; fails (never skips) when the build fails."""
    try:
        build_images("apache")
    except ImageBuildError as exc:
        pytest.fail(str(exc), pytrace=False)
    return APACHE_IMAGE


class ApacheChain:
    """The `chain` fixture with Apache containers (the project's apache image) as backends:
    `docker stop` sends them SIGWINCH, Apache's graceful stop."""

    def __init__(self, chain: Any, image: str) -> None:
        self.chain = chain
        self.image = image

    def __getattr__(self, name: str) -> Any:
        return getattr(self.chain, name)

    def run(self, name: str) -> str:
        """Start an Apache container whose page says `name`; returns its 127.0.0.1 address."""
        full = f"{self.chain.service}-{name}"
        self.chain.containers.append(full)          # the chain fixture removes them
        procs.docker("run", "-d", "--init", "--name", full, "-l", f"sidekick.service={self.chain.service}",
                     *apache_run_args(name), "-p", "127.0.0.1::80", self.image)
        return procs.published_address(full)

    def stop(self, name: str) -> None:
        procs.docker("stop", "-t", "10", f"{self.chain.service}-{name}", timeout=60)

    def finished_after_sigwinch(self, name: str, path: str) -> int:
        """Requests for `path` that this container's Apache completed after it caught SIGWINCH
        (from its logs: the access log on stdout, the error log on stderr, both time-stamped)."""
        res = procs.docker("logs", "--timestamps", f"{self.chain.service}-{name}")
        lines = sorted((res.stdout + res.stderr).splitlines(), key=_log_time)
        caught = [i for i, line in enumerate(lines) if "caught SIGWINCH" in line]
        assert caught, f"{name}: Apache did not log a graceful stop:\n" + "\n".join(lines[-20:])
        return sum(1 for line in lines[caught[0]:] if f'"GET {path} ' in line and '" 200 ' in line)


def _log_time(line: str) -> tuple[str, str]:
    """Sort key of a `docker logs --timestamps` line (RFC 3339, fraction padded to 9 digits)."""
    match = re.match(r"(\S+T[0-9:]+)(?:\.([0-9]+))?Z ", line)
    return (match.group(1), (match.group(2) or "").ljust(9, "0")) if match else ("", "")


@pytest.fixture
def apache_chain(chain: Any, apache_image: str) -> ApacheChain:
    return ApacheChain(chain, apache_image)


def test_churn_under_load_for_a_minute_loses_no_request(apache_chain: ApacheChain, timing: Any) -> None:
    """4 client threads through nginx for 60 s while Apache containers are replaced
    continuously (start new, wait until nginx serves it, `docker stop` old: SIGWINCH): not one
    failed request.  Two more threads keep a 1 s request (/cgi-bin/slow?1) in flight, so that
    stops meet requests in flight: they must finish too.  Throughput and p99 are compared with
    the same client straight at one backend (figures in the summary)."""
    chain = apache_chain
    live = ["c0", "c1", "c2"]
    addresses = {name: chain.run(name) for name in live}
    wait_for(lambda: chain.served() == set(live), timeout=30)

    direct = LoadLoop(f"http://{addresses['c0']}/", threads=4, max_seconds=BASELINE_SECONDS + 30).start()
    time.sleep(BASELINE_SECONDS)
    direct.stop()
    assert direct.failed == [], direct.failed[:5]

    load = LoadLoop(chain.nginx.url + "/", threads=4, max_seconds=CHURN_SECONDS + 120).start()
    slow = LoadLoop(chain.nginx.url + SLOW_PATH, threads=2, max_seconds=CHURN_SECONDS + 120).start()
    started = time.monotonic()
    stopped: list[str] = []
    stop_seconds: list[float] = []
    try:
        while time.monotonic() - started < CHURN_SECONDS:
            new = f"c{len(live) + len(stopped)}"
            addresses[new] = chain.run(new)
            wait_for(lambda new=new: new in chain.served(6), timeout=30)
            old = live.pop(0)
            began = time.monotonic()
            chain.stop(old)
            stop_seconds.append(time.monotonic() - began)
            stopped.append(old)
            live.append(new)
            wait_for(lambda old=old: old not in chain.served(6), timeout=10)
    finally:
        load.stop()
        slow.stop()
    elapsed = time.monotonic() - started
    replaced = len(stopped)
    total = load.ok + len(load.failed)
    assert load.failed == [], f"{len(load.failed)} failed of {total}: {load.failed[:5]}"
    assert slow.failed == [], f"{len(slow.failed)} slow requests failed of {slow.ok + len(slow.failed)}: " \
                              f"{slow.failed[:5]}"
    assert elapsed >= CHURN_SECONDS and replaced >= 8
    assert set(load.bodies) >= set(live)            # the newest containers answered through nginx
    assert chain.served() == set(live)
    assert chain.keys() == {addresses[name] for name in live}
    # Each stopped Apache caught SIGWINCH (its graceful stop), and requests in flight finished then.
    in_flight = sum(chain.finished_after_sigwinch(name, SLOW_PATH) for name in stopped)
    assert in_flight > 0, "no slow request was in flight at any stop: the test did not test that"
    exit_codes = {name: procs.docker("inspect", "-f", "{{.State.ExitCode}}", f"{chain.service}-{name}").stdout.strip()
                  for name in stopped}
    assert set(exit_codes.values()) == {"0"}, exit_codes    # all stopped gracefully, none SIGKILLed

    timing("churn (apache): containers replaced", replaced, "in %.0f s" % elapsed)
    timing("churn (apache): requests through nginx, 0 failed", load.ok, "requests")
    timing("churn (apache): through nginx", load.ok / elapsed, "req/s")
    timing("churn (apache): through nginx, p99", p99(load.latencies) * 1000, "ms")
    timing("churn (apache): 1 s requests, 0 failed", slow.ok, "requests")
    timing("churn (apache): 1 s requests in flight at a SIGWINCH, finished", in_flight, "requests")
    timing("churn (apache): docker stop (SIGWINCH) took, max", max(stop_seconds))
    timing("direct to one Apache", direct.ok / BASELINE_SECONDS, "req/s")
    timing("direct to one Apache, p99", p99(direct.latencies) * 1000, "ms")
