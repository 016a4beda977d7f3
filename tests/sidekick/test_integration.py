"""The sidekick against a real dockerd and a real etcd (busybox httpd containers on 127.0.0.1)."""
from __future__ import annotations

import signal
import time

import procs
from procs import wait_for


def test_start_registers_with_a_lease_of_the_configured_ttl(env, boxes, sidekick) -> None:
    sk = sidekick(ttl=7)
    box = boxes()
    env.wait_keys({env.key(box)})
    assert env.keys()[env.key(box)] == box.address
    info = env.etcd.client().get_lease_info(env.lease_of(env.key(box)))
    assert info.grantedTTL == 7 and 0 < info.TTL <= 7
    other = boxes()
    env.wait_keys({env.key(box), env.key(other)})
    assert env.lease_of(env.key(box)) == env.lease_of(env.key(other))     # one lease for all
    assert sk.running()


def _gone_within(env, key: str, seconds: float) -> None:
    wait_for(lambda: key not in env.keys(), timeout=seconds, interval=0.01, ignore=(),
             message=f"{key} to leave etcd")


def test_stop_kill_pause_remove_the_key_at_once(env, boxes, sidekick) -> None:
    sidekick()
    a, b, c = boxes(), boxes(), boxes()
    env.wait_keys({env.key(a), env.key(b), env.key(c)})
    a.docker("stop", "-t", "1")
    _gone_within(env, env.key(a), 1.0)
    b.docker("kill")
    _gone_within(env, env.key(b), 1.0)
    c.docker("pause")
    _gone_within(env, env.key(c), 1.0)
    c.docker("unpause")                                  # comes back after its health check
    env.wait_keys({env.key(c)})


def test_reload_signal_keeps_a_healthy_backend(env, boxes, sidekick) -> None:
    sk = sidekick()
    box = boxes()
    env.wait_keys({env.key(box)})
    _value, before = env.etcd.client().get(env.key(box))
    box.docker("kill", "-s", "HUP")
    sk.wait_output("kill signal 1 is not a stop")
    later = boxes()                                       # events are handled in order: once this
    env.wait_keys({env.key(box), env.key(later)})         # one is registered, the HUP is long past
    _value, after = env.etcd.client().get(env.key(box))
    assert after.mod_revision == before.mod_revision      # never removed and put back


def test_failing_health_check_never_registers_and_removes(env, boxes, sidekick) -> None:
    sk = sidekick("--check-path", "/ok.html", "--fall", "2")
    sick = boxes()                                        # /ok.html does not exist: 404
    well = boxes()
    well.exec("sh", "-c", "echo ok > /www/ok.html")
    env.wait_keys({env.key(well)})
    wait_for(lambda: any(f"container {sick.name} (" in line and "status 404" in line
                         for line in sk.output().splitlines()), timeout=10, message="sick's failed check")
    assert env.key(sick) not in env.keys()
    well.exec("rm", "/www/ok.html")           # starts failing: removed after 2 checks
    _gone_within(env, env.key(well), 5.0)
    sick.exec("sh", "-c", "echo ok > /www/ok.html")   # recovers: registered
    env.wait_keys({env.key(sick)})


def test_docker_healthcheck_unhealthy_removes(env, boxes, sidekick) -> None:
    sidekick()
    box = boxes("--health-cmd", "test -e /tmp/ok", "--health-interval", "1s", "--health-retries", "1")
    wait_for(lambda: procs.docker("inspect", "-f", "{{.State.Health.Status}}", box.name).stdout.strip()
             == "unhealthy", timeout=15, message="Docker to call it unhealthy")
    later = boxes()                                       # its event comes after the health event
    env.wait_keys({env.key(later)})
    assert env.key(box) not in env.keys()                 # "starting"/"unhealthy" do not count
    box.exec("touch", "/tmp/ok")
    env.wait_keys({env.key(box), env.key(later)}, timeout=15)
    box.exec("rm", "/tmp/ok")
    _gone_within(env, env.key(box), 15.0)


def test_sigterm_revokes_every_key(env, boxes, sidekick) -> None:
    sk = sidekick()
    a, b = boxes(), boxes()
    env.wait_keys({env.key(a), env.key(b)})
    sk.send(signal.SIGTERM)
    assert sk.wait() == 0
    assert env.keys() == {}
    assert "lease revoked" in sk.output()


def test_sigkill_keys_expire_with_the_ttl(env, boxes, sidekick) -> None:
    sk = sidekick(ttl=4)
    box = boxes()
    env.wait_keys({env.key(box)})
    sk.kill()
    killed = time.monotonic()
    time.sleep(1.0)
    assert env.key(box) in env.keys()                     # still there: the lease is alive
    env.wait_keys(set(), timeout=10)
    assert 2.0 < time.monotonic() - killed < 9.0


def test_keys_come_back_after_etcd_was_down_past_the_ttl(env, boxes, sidekick) -> None:
    sk = sidekick(ttl=4)
    box = boxes()
    env.wait_keys({env.key(box)})
    env.etcd.stop()
    time.sleep(6)
    env.etcd.start()
    env.wait_keys({env.key(box)}, timeout=10)
    assert sk.running()


def test_lease_revoked_behind_its_back_is_regranted(env, boxes, sidekick) -> None:
    sk = sidekick(ttl=3)
    box = boxes()
    env.wait_keys({env.key(box)})
    old = env.lease_of(env.key(box))
    env.etcd.client().revoke_lease(old)
    assert env.keys() == {}
    env.wait_keys({env.key(box)}, timeout=10)
    assert env.lease_of(env.key(box)) != old
    sk.wait_output("granting a new one")


def test_container_started_while_down_is_registered_on_start(env, boxes, sidekick) -> None:
    box = boxes()
    stopped = boxes()
    stopped.docker("stop", "-t", "1")
    sidekick()
    env.wait_keys({env.key(box)})


def test_stale_keys_of_a_killed_run_are_removed_on_start(env, boxes, sidekick) -> None:
    sk = sidekick(ttl=30)
    a, b = boxes(), boxes()
    env.wait_keys({env.key(a), env.key(b)})
    sk.kill()                                             # keys stay for up to 30 s...
    b.docker("rm", "-f")
    sidekick(ttl=30)
    env.wait_keys({env.key(a)}, timeout=10)               # ...but the new run removes b's at once


def test_container_mode(env, boxes, sidekick) -> None:
    mine = boxes(label=False)
    other = boxes()
    sk = sidekick("--container", mine.name)
    env.wait_keys({env.key(mine)})
    mine.docker("stop", "-t", "1")
    _gone_within(env, env.key(mine), 1.0)                 # handled after the start-up reconcile
    assert env.key(other) not in env.keys()
    assert f"container {other.name} " not in sk.output()  # never even tracked
    assert sk.running()


def test_two_sidekicks_with_different_host_ips(env, boxes, sidekick) -> None:
    first = sidekick(host_ip="127.0.0.1")
    second = sidekick(host_ip="127.0.0.2")
    a = boxes(bind="127.0.0.1")
    b = boxes(bind="127.0.0.2")
    env.wait_keys({env.key(a), env.key(b)})
    assert env.lease_of(env.key(a)) != env.lease_of(env.key(b))
    first.wait_output("not on --host-ip 127.0.0.1")      # b is not first's to register
    second.send(signal.SIGTERM)
    assert second.wait() == 0
    env.wait_keys({env.key(a)})                           # first's key untouched
    assert set(env.keys()) == {env.key(a)}                # second revoked its lease before exiting


def test_dockerd_restart_is_reconciled(env, boxes, sidekick, docker_control) -> None:
    sk = sidekick()
    keep = boxes("--restart", "always")
    gone = boxes()
    env.wait_keys({env.key(keep), env.key(gone)})
    docker_control.stop_daemon()
    # dockerd stops every container: both leave etcd
    env.wait_keys(set(), timeout=15)
    docker_control.restart()
    sk.wait_output("Docker event stream connected", count=2, timeout=60)
    from procs import published_address
    address = published_address(keep.name)                # the restarted container's new port
    env.wait_keys({env.prefix + address}, timeout=20)
    assert sk.running()


def test_address_container_mode_registers_the_bridge_ip(env, boxes, sidekick) -> None:
    import json
    box = boxes()
    sidekick("--address", "container", "--check", "none")
    inspect = json.loads(procs.docker("inspect", box.name).stdout)[0]
    ip = inspect["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]
    env.wait_keys({f"{env.prefix}{ip}:80"})               # compared with docker inspect; no traffic sent


def test_bad_options_exit_with_one_line(env) -> None:
    import subprocess
    import sys
    for args, message in [
        (["--host-ip", "300.1.1.1"], "is not an IP address"),
        (["--ttl", "6", "--keepalive-interval", "5"], "too short"),
        (["--check", "icmp"], "'icmp' is not one of"),
        (["--container", "a", "--image", "b"], "exclude each other"),
    ]:
        res = subprocess.run([sys.executable, "-m", "sidekick", "run", "--etcd", env.etcd.hostport,
                              "--host-ip", "127.0.0.1", *args], capture_output=True, text=True)
        assert res.returncode == 2 and message in res.stderr, (args, res.stderr)


def test_container_without_published_port_is_reported(env, httpd_image, sidekick) -> None:
    name = f"sk-{env.service}-nopublish"
    procs.docker("run", "-d", "--name", name, "-l", f"sidekick.service={env.service}", httpd_image)
    try:
        sk = sidekick()
        sk.wait_output("port 80/tcp is not published")
        assert sk.count("is not published") == 1
        assert env.keys() == {}
    finally:
        procs.docker("rm", "-f", name, check=False)


def test_etcd_unreachable_at_start_is_retried(env, boxes, sidekick) -> None:
    box = boxes()
    env.etcd.stop()
    sk = sidekick()
    sk.wait_output(f"etcd lease grant (ttl 6s) failed ({env.etcd.hostport})")
    assert sk.running()
    env.etcd.start()
    env.wait_keys({env.key(box)}, timeout=20)


def test_docker_unreachable_is_retried_not_fatal(env, tmp_path, request) -> None:
    sk = procs.CliProcess("sidekick", tmp_path / "sidekick.log")
    procs.track(request, sk)
    sk.start("--etcd", env.etcd.hostport, "--host-ip", "127.0.0.1", "--service", env.service,
             env={"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    try:
        sk.wait_output("Docker daemon unreachable", count=2)
        assert sk.running()
    finally:
        sk.terminate()
    assert sk.proc is not None and sk.proc.returncode == 0


def test_stop_with_the_images_stop_signal_removes_at_once(env, boxes, sidekick) -> None:
    sidekick()
    box = boxes("--stop-signal", "SIGWINCH")              # as Apache's image does (graceful stop)
    env.wait_keys({env.key(box)})
    import threading
    stopper = threading.Thread(target=procs.docker, args=("stop", "-t", "3", box.name))
    stopper.start()                                       # SIGWINCH is ignored: SIGKILL after 3 s
    try:
        _gone_within(env, env.key(box), 1.0)              # gone on the kill event, not at die
    finally:
        stopper.join()


def test_reconcile_during_a_stop_grace_period_does_not_add_it_back(env, boxes, sidekick) -> None:
    sk = sidekick("--reconcile-interval", "1")
    box = boxes()                                         # busybox httpd ignores SIGTERM as PID 1
    env.wait_keys({env.key(box)})
    import threading
    stopper = threading.Thread(target=procs.docker, args=("stop", "-t", "4", box.name))
    stopper.start()                                       # SIGTERM now, SIGKILL after 4 s
    try:
        _gone_within(env, env.key(box), 1.0)
        deadline = time.monotonic() + 3.0                 # several reconciles meanwhile
        while time.monotonic() < deadline:
            assert env.key(box) not in env.keys(), "a reconcile put a stopping container back"
            time.sleep(0.05)
    finally:
        stopper.join()
    assert "is not published" not in sk.output()


def test_metrics_and_healthz(env, boxes, sidekick) -> None:
    import re
    from procs import free_port, http_get
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sk = sidekick("--metrics-addr", f"127.0.0.1:{port}", ttl=3)
    a, b = boxes(), boxes()
    env.wait_keys({env.key(a), env.key(b)})
    wait_for(lambda: http_get(base + "/healthz") == (200, "ok\n"), timeout=10)

    def value(name: str, labels: str = "") -> float:
        text = http_get(base + "/metrics")[1]
        match = re.search(rf"^{name}{re.escape(labels)} (\S+)$", text, re.M)
        return float(match.group(1)) if match else 0.0

    assert value("sidekick_registrations_total", f'{{service="{env.service}"}}') == 2
    assert value("sidekick_containers_watched") == 2
    assert value("sidekick_registered_keys") == 2
    assert value("sidekick_lease_grants_total") == 1
    assert value("sidekick_health_checks_total", '{result="pass"}') >= 2
    a.docker("stop", "-t", "1")
    wait_for(lambda: value("sidekick_removals_total", '{reason="kill"}') == 1)

    env.etcd.stop()                                      # lease can't be kept alive: 503, with why
    status, body = wait_for(lambda: (r := http_get(base + "/healthz"))[0] == 503 and r, timeout=20)
    assert "lease not kept alive" in body
    assert value("sidekick_lease_keepalive_failures_total") >= 1
    env.etcd.start()
    wait_for(lambda: http_get(base + "/healthz") == (200, "ok\n"), timeout=20)
    env.wait_keys({env.key(b)})
    assert sk.running()


def test_a_restart_never_deletes_live_keys_of_another_sidekick_on_the_host(env, boxes, sidekick) -> None:
    """A per-container sidekick and a host-wide one on one host address: the host-wide one's
    start (and restart) must leave the other's live keys alone; it claims only what its own
    earlier run left."""
    lone = boxes(label=False)                           # only the per-container sidekick sees it
    sidekick("--container", lone.name)
    env.wait_keys({env.key(lone)})

    def created() -> int:                                # changes if the key is deleted and put again
        _value, meta = env.etcd.client().get(env.key(lone))
        return meta.create_revision

    first = created()
    labelled = boxes()
    for run in range(2):                                 # a first start, then a restart after SIGKILL
        wide = sidekick(ttl=30)
        wide.wait_output("to claim keys from" if run == 0 else "claiming keys of this sidekick's earlier run")
        env.wait_keys({env.key(lone), env.key(labelled)})
        assert created() == first, "the per-container sidekick's key was deleted"
        wide.kill()
