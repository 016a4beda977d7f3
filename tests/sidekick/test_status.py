"""`sidekick status` against a real etcd and a real dockerd (busybox httpd on 127.0.0.1)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid

import procs
from procs import EtcdServer
from sidekick.container import Container
from sidekick.status import serves

COLUMNS = ["KEY", "VALUE", "LEASE", "TTL", "GRANTED", "CONTAINER"]


def status(etcd: EtcdServer, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ETCD")}
    return subprocess.run([sys.executable, "-m", "sidekick", "status", "--etcd", etcd.hostport,
                           "--etcd-timeout", "2", *args],
                          check=False, capture_output=True, text=True, timeout=60,
                          env={**clean, **(env or {})})


def rows(output: str) -> dict[str, list[str]]:
    """Table lines by key, cells split on runs of two or more spaces."""
    lines = output.strip().split("\n\n")[0].splitlines()      # the keys table comes first
    assert re.split(r"\s{2,}", lines[0]) == COLUMNS
    return {line.split()[0]: re.split(r"\s{2,}", line) for line in lines[1:]}


def test_keys_with_and_without_lease(etcd) -> None:
    lease = etcd.client().lease(30)
    etcd.put("/services/web/10.0.0.1:80", "10.0.0.1:80", lease=lease)
    etcd.put("/services/web/10.0.0.2:80", "10.0.0.2:80")
    etcd.put("/services/db/10.0.0.3:5432", "10.0.0.3:5432")
    etcd.put("/other/10.0.0.4:80", "10.0.0.4:80")                    # outside the prefix

    result = status(etcd)
    assert result.returncode == 0, result.stderr
    table = rows(result.stdout)
    assert set(table) == {"/services/web/10.0.0.1:80", "/services/web/10.0.0.2:80", "/services/db/10.0.0.3:5432"}
    leased = table["/services/web/10.0.0.1:80"]
    assert leased[1] == "10.0.0.1:80" and leased[2] == format(lease.id, "x")
    assert 1 <= int(leased[3]) <= 30 and leased[4] == "30"
    assert table["/services/web/10.0.0.2:80"][2:5] == ["none", "none", "none"]

    only_web = rows(status(etcd, "--service", "web").stdout)
    assert set(only_web) == {"/services/web/10.0.0.1:80", "/services/web/10.0.0.2:80"}

    result = status(etcd, "--service", "web", "--json")
    assert result.returncode == 0, result.stderr
    by_key = {item["key"]: item for item in json.loads(result.stdout)["keys"]}
    item = by_key["/services/web/10.0.0.1:80"]
    assert item["lease"] == format(lease.id, "x") and item["lease_id"] == lease.id
    assert isinstance(item["ttl"], int) and 1 <= item["ttl"] <= 30 and item["granted_ttl"] == 30
    assert by_key["/services/web/10.0.0.2:80"]["lease"] is None
    assert by_key["/services/web/10.0.0.2:80"]["ttl"] is None


def test_container_behind_a_published_address(etcd, httpd_image) -> None:
    name = f"sk-status-{uuid.uuid4().hex[:10]}"
    try:
        procs.docker("run", "-d", "--name", name, "-p", "127.0.0.1::80", httpd_image)
        address = procs.published_address(name)
        key = f"/services/web/{address}"
        etcd.put(key, address, lease=etcd.client().lease(30))
        etcd.put("/services/web/10.255.0.1:1", "10.255.0.1:1")      # nobody's

        result = status(etcd, "--service", "web")
        assert result.returncode == 0, result.stderr
        table = rows(result.stdout)
        assert table[key][5] == name
        assert len(table["/services/web/10.255.0.1:1"]) == 5          # empty container column

        by_key = {item["key"]: item for item in json.loads(status(etcd, "--json").stdout)["keys"]}
        assert by_key[key]["container"] == name
        assert by_key["/services/web/10.255.0.1:1"]["container"] is None
    finally:
        procs.docker("rm", "-f", name, check=False)


def test_docker_unreachable_is_one_warning_not_fatal(etcd, tmp_path) -> None:
    etcd.put("/services/web/10.0.0.1:80", "10.0.0.1:80")
    result = status(etcd, env={"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout)["/services/web/10.0.0.1:80"] == ["/services/web/10.0.0.1:80", "10.0.0.1:80",
                                                                "none", "none", "none"]
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 1 and "WARNING" in warnings[0] and "Docker unreachable" in warnings[0]


def test_etcd_unreachable_exits_1_with_one_line(etcd) -> None:
    etcd.stop()
    result = status(etcd)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert etcd.hostport in lines[0] and "ERROR" in lines[0]


def test_matching_rules() -> None:
    published = Container.from_inspect({
        "Id": "a" * 64, "Name": "/pub",
        "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "32768"}]},
                            "Networks": {"bridge": {"IPAddress": "172.17.0.2"}}},
        "Config": {"ExposedPorts": {"80/tcp": {}}}})
    assert serves(published, "10.0.0.5:32768")               # wildcard bind: any host address
    assert not serves(published, "10.0.0.5:32769")
    assert serves(published, "172.17.0.2:80")                # --address container
    assert not serves(published, "172.17.0.2:81")
    assert not serves(published, "172.17.0.3:80")
    local = Container.from_inspect({
        "Id": "b" * 64, "Name": "/local",
        "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "40000"}]}}})
    assert serves(local, "127.0.0.1:40000")
    assert not serves(local, "10.0.0.5:40000")               # bound to another address
    assert not serves(local, "garbage")


def test_matching_rules_for_ipv6() -> None:
    both = Container.from_inspect({
        "Id": "c" * 64, "Name": "/both",
        "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "32768"},
                                                 {"HostIp": "::", "HostPort": "32769"}]},
                            "Networks": {"v6": {"IPAddress": "172.20.0.2", "GlobalIPv6Address": "fd00::2"}}},
        "Config": {"ExposedPorts": {"80/tcp": {}}}})
    assert serves(both, "[::1]:32769") and serves(both, "10.0.0.5:32768")
    assert not serves(both, "[::1]:32768")                   # 0.0.0.0 is IPv4 only
    assert not serves(both, "10.0.0.5:32769")                # :: is IPv6 only
    assert serves(both, "[fd00:0::2]:80")                    # --address container, IPv6
    loopback = Container.from_inspect({
        "Id": "d" * 64, "Name": "/lo6",
        "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "::1", "HostPort": "40000"}]}}})
    assert serves(loopback, "[::1]:40000") and not serves(loopback, "127.0.0.1:40000")


def test_reports_of_the_sidekicks_are_listed_once() -> None:
    from lbcommon.routes import KeyLayout
    from sidekick.status import Refusal, merge_refusals, reported_refusals
    values = {
        "/lb/not-registered/10.0.0.5/host-wide/" + "a" * 64:
            json.dumps({"container": "web.1", "id": "a" * 64, "reason": "container web.1 (aaa): not on network 'b'"}),
        "/lb/not-registered/10.0.0.6/host-wide/" + "b" * 64:
            json.dumps({"container": "api.1", "id": "b" * 64, "reason": "container api.1 (bbb): label x"}),
        "/lb/not-registered/10.0.0.6/host-wide/junk": "not json",
        "/lb/routes/web/10.0.0.5:80": "{}",
    }
    reported = reported_refusals(values, KeyLayout())
    assert [(r.container, r.sidekick) for r in reported] == [("web.1", "10.0.0.5/host-wide"),
                                                            ("api.1", "10.0.0.6/host-wide")]
    local = [Refusal("api.1", "b" * 64, "container api.1 (bbb): label x"),       # the same: listed once
             Refusal("zed", "c" * 64, "container zed (ccc): label y")]
    merged = merge_refusals(reported, local)
    assert [r.line() for r in merged] == [
        "not registered: container api.1 (bbb): label x (sidekick 10.0.0.6/host-wide)",
        "not registered: container web.1 (aaa): not on network 'b' (sidekick 10.0.0.5/host-wide)",
        "not registered: container zed (ccc): label y"]
    assert merged[0].to_json() == {"container": "api.1", "id": "b" * 64, "reason": "container api.1 (bbb): label x",
                                   "sidekick": "10.0.0.6/host-wide"}
