"""Routing labels against a real dockerd and etcd: route keys under the sidekick's lease, bad
labels kept out with one line, and the operator commands (drain, maintenance) with status."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import procs
from procs import wait_for


def cli(env, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ETCD")}
    return subprocess.run([sys.executable, "-m", "sidekick", args[0], "--etcd", env.etcd.hostport,
                           "--etcd-timeout", "2", *args[1:]],
                          check=False, capture_output=True, text=True, timeout=60, env=clean)


def route_key(env, box) -> str:
    return f"/lb/routes/{env.service}/{box.address}"


def test_route_key_under_the_lease_while_the_container_runs(env, boxes, sidekick) -> None:
    sidekick()
    box = boxes("-l", "sidekick.hosts=Web.example.com,www.example.com", "-l", "sidekick.path=/shop",
                "-l", "sidekick.weight=5")
    env.wait_keys({env.key(box)})
    value, meta = env.etcd.client().get(route_key(env, box))
    assert value is not None, "route key missing"
    assert json.loads(value) == {"hosts": ["web.example.com", "www.example.com"], "path": "/shop/", "weight": 5}
    assert meta.lease_id == env.lease_of(env.key(box))
    box.docker("stop", "-t", "1")
    wait_for(lambda: env.etcd.client().get(route_key(env, box))[0] is None, timeout=5, ignore=(),
             message="route key to leave with the container")
    assert env.keys() == {}


def test_route_key_stays_while_the_container_is_unhealthy(env, boxes, sidekick) -> None:
    """So its host stays known (503, not 404) while no backend passes its check."""
    sk = sidekick("--check-path", "/ok.html")
    box = boxes("-l", "sidekick.hosts=web.example.com")
    wait_for(lambda: env.etcd.client().get(route_key(env, box))[0] is not None, timeout=10, ignore=(),
             message="route key of the unhealthy container")
    sk.wait_output("status 404")
    assert env.keys() == {}
    box.exec("sh", "-c", "echo ok > /www/ok.html")
    env.wait_keys({env.key(box)})


def test_each_bad_label_keeps_its_container_out_with_one_line(env, boxes, sidekick) -> None:
    sk = sidekick()
    bad = {
        "sidekick.hosts": "web example.com",
        "sidekick.path": "shop",
        "sidekick.weight": "101",
    }
    refused = {label: boxes("-l", f"{label}={value}") for label, value in bad.items()}
    good = boxes("-l", "sidekick.hosts=web.example.com")
    env.wait_keys({env.key(good)})
    for label, box in refused.items():
        sk.wait_output(f"container {box.name} ")
        lines = [line for line in sk.output().splitlines() if f"container {box.name} " in line]
        assert len(lines) == 1 and "ERROR" in lines[0] and f"label {label}={bad[label]!r}" in lines[0], lines
        assert "not registered" in lines[0]
    found = procs.docker("ps", "-q").stdout          # still running, just not routed
    assert all(box.id[:12] in found for box in refused.values())
    lb = {meta.key.decode() for _v, meta in env.etcd.client().get_prefix(f"/lb/routes/{env.service}/")}
    assert lb == {route_key(env, good)}

    result = cli(env, "status", "--service", env.service)
    assert result.returncode == 0, result.stderr
    for label, box in refused.items():
        assert f"not registered: container {box.name} ({box.id[:12]}): label {label}=" in result.stdout
    data = json.loads(cli(env, "status", "--service", env.service, "--json").stdout)
    assert {item["container"] for item in data["not_registered"]} >= {box.name for box in refused.values()}


def test_drain_and_maintenance_commands_print_what_they_change(env) -> None:
    service, address = env.service, "10.0.0.1:80"
    env.etcd.put(f"/services/{service}/{address}", address)
    env.etcd.put(f"/lb/routes/{service}/{address}", '{"hosts":["web.example.com"],"path":"/","weight":1}')

    first = cli(env, "drain", service, address)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"drained {service} {address}")
    value, meta = env.etcd.client().get(f"/lb/drain/{service}/{address}")
    assert value is not None and meta.lease_id == 0                    # survives every restart
    again = cli(env, "drain", service, "10.0.0.1:080")                 # the same backend
    assert "was already drained (since " in again.stdout and again.returncode == 0

    on = cli(env, "maintenance", service, "on")
    assert on.stdout.startswith(f"maintenance on for {service}") and on.returncode == 0
    status = cli(env, "status", "--service", service)
    assert status.returncode == 0, status.stderr
    [row] = [line for line in status.stdout.splitlines() if line.startswith(f"{service} ")]
    assert "web.example.com" in row and address in row and row.endswith("maintenance")
    data = json.loads(cli(env, "status", "--service", service, "--json").stdout)
    [svc] = data["services"]
    assert svc["maintenance"] and svc["drained"] == [address] and svc["backends"] == []

    assert cli(env, "undrain", service, address).stdout.startswith(f"undrained {service} {address}")
    assert "was not drained" in cli(env, "undrain", service, address).stdout
    assert cli(env, "maintenance", service, "off").stdout.startswith(f"maintenance off for {service}")
    assert "was not in maintenance" in cli(env, "maintenance", service, "off").stdout
    assert env.etcd.client().get(f"/lb/maintenance/{service}")[0] is None


def test_operator_commands_refuse_bad_arguments_and_unreachable_etcd(env) -> None:
    bad = cli(env, "drain", env.service, "10.0.0.1")
    assert bad.returncode == 2 and "is not ip:port" in bad.stderr
    assert cli(env, "maintenance", "bad/name", "on").returncode == 2
    env.etcd.stop()
    down = cli(env, "maintenance", env.service, "on")
    lines = down.stderr.strip().splitlines()
    assert down.returncode == 1 and len(lines) == 1 and "ERROR" in lines[0] and env.etcd.hostport in lines[0]


def test_reconcile_puts_back_only_what_is_missing(env, boxes, sidekick) -> None:
    """Every folder of a desired key is read back, the owner key's too: a reconcile re-puts a
    key deleted behind the sidekick's back and nothing else (it once re-put the owner key
    at every reconcile)."""
    sk = sidekick("--reconcile-interval", "1")
    box = boxes("-l", "sidekick.hosts=web.example.com")
    env.wait_keys({env.key(box)})
    env.etcd.client().delete(env.key(box))
    env.wait_keys({env.key(box)})      # put back by a reconcile
    sk.wait_output(f"reconcile: {env.key(box)} missing or changed in etcd")
    assert sk.output().count("missing or changed in etcd") == 1, sk.output()[-3000:]
