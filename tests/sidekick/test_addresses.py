"""Addresses against the real dockerd and etcd: IPv6 (`[addr]:port`), several Docker networks
and `--network`, `docker network connect|disconnect`.  Container bridge addresses are only
compared with `docker inspect`, never contacted (`--check none` whenever they are registered);
traffic goes to 127.0.0.1 and ::1 only."""
from __future__ import annotations

import ipaddress
import json
import secrets
import subprocess
import sys
from typing import Callable, Iterator

import pytest

import procs
from lbcommon.backends import parse_backend
from procs import wait_for

CONTAINER_MODE = ("--address", "container", "--check", "none")


@pytest.fixture
def networks(docker_daemon: str, env) -> Iterator[Callable[..., str]]:
    """Factory create(suffix, *docker_network_create_args) -> a user-defined network's name;
    removed at teardown, with any container still on it."""
    made: list[str] = []

    def create(suffix: str, *args: str) -> str:
        name = f"sk-{env.service}-{suffix}"
        procs.docker("network", "rm", name, check=False)
        procs.docker("network", "create", *args, name)
        made.append(name)
        return name

    yield create
    for name in made:
        attached = procs.docker("network", "inspect", "-f", "{{range $id, $c := .Containers}}{{$id}} {{end}}",
                                name, check=False).stdout.split()
        if attached:
            procs.docker("rm", "-f", *attached, check=False)
        procs.docker("network", "rm", name, check=False)


def ip_on(container: str, network: str, v6: bool = False) -> str:
    """The container's address on `network`, from docker inspect (compared, never contacted)."""
    data = json.loads(procs.docker("inspect", container).stdout)[0]["NetworkSettings"]["Networks"][network]
    ip = data["GlobalIPv6Address" if v6 else "IPAddress"]
    assert ip, f"{container} has no {'IPv6' if v6 else 'IPv4'} address on {network}: {data}"
    return ip


def published_v6(container: str) -> str:
    """'[::1]:PORT' of a container run with `-p [::1]::80`."""
    for item in procs.docker("port", container, "80/tcp").stdout.split():
        if item.startswith("::1:"):
            return f"[::1]:{item.rsplit(':', 1)[1]}"
    raise AssertionError(f"{container} publishes 80/tcp on no ::1 address")


def status(env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sidekick", "status", "--etcd", env.etcd.hostport, *args],
                          check=False, capture_output=True, text=True, timeout=60)


def reports(env) -> dict[str, str]:
    return {meta.key.decode(): value.decode()
            for value, meta in env.etcd.client().get_prefix("/lb/not-registered/")}


# -- IPv6 ----------------------------------------------------------------------------------

def test_ipv6_host_ip_registers_brackets_and_the_ipv6_binding(env, boxes, sidekick) -> None:
    """Published on both families (different ports): --host-ip ::1 takes the ::1 binding and
    writes `[::1]:PORT`, which the balancer's backends() accepts as it is; the http check runs
    against [::1]:PORT.  A 127.0.0.1 sidekick beside it takes the IPv4 binding."""
    box = boxes("-p", "[::1]::80")                         # and 127.0.0.1::80, from the fixture
    v6 = published_v6(box.name)
    sk6 = sidekick(host_ip="::1")
    env.wait_keys({env.prefix + v6})
    assert env.keys()[env.prefix + v6] == v6 and parse_backend(v6) == v6
    sidekick(host_ip="127.0.0.1")
    env.wait_keys({env.prefix + v6, env.key(box)})
    assert "health check failed" not in sk6.output()

    result = status(env, "--service", env.service, "--json")
    assert result.returncode == 0, result.stderr
    by_key = {item["key"]: item for item in json.loads(result.stdout)["keys"]}
    assert by_key[env.prefix + v6]["container"] == box.name and by_key[env.prefix + v6]["address"] == v6


def test_ipv6_host_ip_and_an_ipv4_only_binding_is_reported(env, boxes, sidekick) -> None:
    both = boxes("-p", "[::1]::80")
    only_v4 = boxes()                                      # 127.0.0.1::80 only
    sk = sidekick(host_ip="::1")
    env.wait_keys({env.prefix + published_v6(both.name)})
    sk.wait_output(f"container {only_v4.name} ({only_v4.id[:12]}): port 80/tcp is published on 127.0.0.1, "
                   "not on --host-ip ::1; not registered")


def test_container_ipv6_address_on_an_ipv6_network(env, networks, boxes, sidekick) -> None:
    subnet = f"fd{secrets.token_hex(1)}:{secrets.token_hex(2)}:{secrets.token_hex(2)}::/64"
    net = networks("v6", "--ipv6", "--subnet", subnet)
    box = boxes("--network", net)
    sidekick(*CONTAINER_MODE, "--network", net, "--ip-family", "6")
    expected = f"[{ipaddress.IPv6Address(ip_on(box.name, net, v6=True)).compressed}]:80"
    env.wait_keys({env.prefix + expected})
    assert env.keys()[env.prefix + expected] == expected and parse_backend(expected) == expected


# -- several networks ----------------------------------------------------------------------

def test_network_picks_the_address_of_a_container_on_two_networks(env, networks, boxes, sidekick) -> None:
    a, b = networks("a"), networks("b")
    box = boxes("--network", a)
    procs.docker("network", "connect", b, box.name)
    sidekick(*CONTAINER_MODE, "--network", a)
    sidekick(*CONTAINER_MODE, "--network", b)
    on_a, on_b = f"{ip_on(box.name, a)}:80", f"{ip_on(box.name, b)}:80"
    assert on_a != on_b
    env.wait_keys({env.prefix + on_a, env.prefix + on_b})


def test_a_container_not_on_the_network_is_reported_not_registered(env, networks, boxes, sidekick) -> None:
    a, b = networks("a"), networks("b")
    elsewhere = boxes("--network", a)
    there = boxes("--network", b)
    sk = sidekick(*CONTAINER_MODE, "--network", b)
    env.wait_keys({f"{env.prefix}{ip_on(there.name, b)}:80"})
    why = f"container {elsewhere.name} ({elsewhere.id[:12]}): not on network '{b}' (it is on: {a})"
    sk.wait_output(f"{why}; not registered")
    lines = [line for line in sk.output().splitlines() if elsewhere.name in line]
    assert len(lines) == 1 and "ERROR" in lines[0], lines
    assert set(env.keys()) == {f"{env.prefix}{ip_on(there.name, b)}:80"}   # never another network's address

    # the report reaches etcd just after the log line
    wait_for(lambda: len(reports(env)) == 1, timeout=10, ignore=(), message="the report in etcd")
    text = status(env)
    assert text.returncode == 0, text.stderr
    assert f"not registered: {why} (sidekick 127.0.0.1/host-wide,network={b})" in text.stdout
    listed = json.loads(status(env, "--json").stdout)["not_registered"]
    assert {"container": elsewhere.name, "id": elsewhere.id, "reason": why,
            "sidekick": f"127.0.0.1/host-wide,network={b}"} in listed


def test_connect_registers_and_disconnect_removes(env, networks, boxes, sidekick) -> None:
    a, b = networks("a"), networks("b")
    box = boxes("--network", a)
    sk = sidekick(*CONTAINER_MODE, "--network", b)
    sk.wait_output(f"container {box.name} ({box.id[:12]}): not on network '{b}'")
    wait_for(lambda: len(reports(env)) == 1, timeout=10, ignore=(), message="the report in etcd")

    procs.docker("network", "connect", b, box.name)
    key = f"{env.prefix}{ip_on(box.name, b)}:80"
    env.wait_keys({key})
    wait_for(lambda: reports(env) == {}, timeout=10, ignore=(), message="the report to go")
    sk.wait_output(f"container {box.name} ({box.id[:12]}): network {b} connected")

    procs.docker("network", "disconnect", b, box.name)
    env.wait_keys(set())
    sk.wait_output(f"not on network '{b}' (it is on: {a}); not registered", count=2)
    wait_for(lambda: len(reports(env)) == 1, timeout=10, ignore=(), message="the report to come back")

    procs.docker("network", "connect", b, box.name)        # and once more: a new address, maybe
    env.wait_keys({f"{env.prefix}{ip_on(box.name, b)}:80"})


def test_disconnecting_another_network_keeps_the_key(env, networks, boxes, sidekick) -> None:
    a, b = networks("a"), networks("b")
    box = boxes("--network", a)
    procs.docker("network", "connect", b, box.name)
    sk = sidekick(*CONTAINER_MODE, "--network", b)
    key = f"{env.prefix}{ip_on(box.name, b)}:80"
    env.wait_keys({key})
    _value, before = env.etcd.client().get(key)
    procs.docker("network", "disconnect", a, box.name)
    sk.wait_output(f"network {a} disconnected")
    later = boxes("--network", b)                          # handled after the disconnect
    env.wait_keys({key, f"{env.prefix}{ip_on(later.name, b)}:80"})
    _value, after = env.etcd.client().get(key)
    assert after.mod_revision == before.mod_revision       # never removed and put back
