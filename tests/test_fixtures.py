"""Smoke tests: the fixtures drive the real etcd, nginx and dockerd."""
from __future__ import annotations

import subprocess

import pytest

import procs
from procs import http_get, wait_for

pytestmark = pytest.mark.integration


def test_etcd_put_get_delete(etcd):
    assert etcd.get("/services/web/a") is None
    etcd.put("/services/web/a", "127.0.0.1:8080")
    assert etcd.get("/services/web/a") == "127.0.0.1:8080"
    res = etcd.etcdctl("get", "/services/web/a", "--print-value-only")
    assert res.stdout.strip() == "127.0.0.1:8080"
    assert etcd.delete("/services/web/a")
    assert etcd.get("/services/web/a") is None


def test_etcd_restart_keeps_data_and_port(etcd):
    port, endpoint = etcd.port, etcd.endpoint
    etcd.put("/k", "v1")
    old_pid = etcd.pid
    etcd.restart()
    assert etcd.pid != old_pid
    assert (etcd.port, etcd.endpoint) == (port, endpoint)
    assert etcd.hostport == f"127.0.0.1:{port}"
    assert etcd.get("/k") == "v1"


def test_etcd_kill_and_start(etcd):
    etcd.put("/k", "v")
    etcd.kill()
    assert not etcd.running()
    etcd.start()
    assert etcd.get("/k") == "v"


def _server_block(nginx, backend_address: str) -> str:
    return (
        "server {\n"
        f"    listen 127.0.0.1:{nginx.port};\n"
        f"    location / {{ proxy_pass http://{backend_address}; }}\n"
        "}\n"
    )


def test_nginx_proxies_to_backend(nginx, http_backends):
    a = http_backends("alpha")
    b = http_backends("beta")
    assert http_get(a.url) == (200, "alpha")

    (nginx.conf_d / "test.conf").write_text(_server_block(nginx, a.address))
    assert subprocess.run(nginx.check_cmd, shell=True, capture_output=True).returncode == 0
    nginx.reload()
    assert nginx.request("/") == (200, "alpha")

    # Through the reload command a balancer would run.
    (nginx.conf_d / "test.conf").write_text(_server_block(nginx, b.address))
    old_workers = nginx.worker_pids()
    subprocess.run(nginx.reload_cmd, shell=True, check=True, capture_output=True)
    nginx.wait_reloaded(old_workers)
    assert nginx.request("/") == (200, "beta")

    # A dead upstream is a 502, returned rather than raised.
    b.stop()
    status, _body = nginx.request("/")
    assert status == 502


def test_nginx_invalid_config_is_rejected(nginx, http_backends):
    a = http_backends("alpha")
    good = nginx.conf_d / "test.conf"
    good.write_text(_server_block(nginx, a.address))
    nginx.reload()

    bad = nginx.conf_d / "bad.conf"
    bad.write_text("upstream empty { }\nserver { listen 127.0.0.1:1; no_such_directive on; }\n")
    res = subprocess.run(nginx.check_cmd, shell=True, capture_output=True, text=True)
    assert res.returncode != 0
    assert "emerg" in res.stderr
    with pytest.raises(RuntimeError):
        nginx.reload()
    # nginx keeps serving the previous configuration.
    assert nginx.request("/") == (200, "alpha")
    bad.unlink()


def test_wait_for_times_out_naming_predicate():
    def never():
        return False

    with pytest.raises(AssertionError, match="timed out waiting for .*never"):
        wait_for(never, timeout=0.2)
    assert wait_for(lambda: 42, timeout=0.2) == 42

    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionRefusedError("not yet")
        return "ok"

    assert wait_for(flaky, timeout=2, interval=0.01) == "ok"     # exceptions mean "not yet"
    with pytest.raises(AssertionError, match="last exception: ZeroDivisionError"):
        wait_for(lambda: 1 / 0, timeout=0.1)
    with pytest.raises(ZeroDivisionError):
        wait_for(lambda: 1 / 0, timeout=5, ignore=())


@pytest.mark.docker
def test_docker_runs_local_httpd_image(httpd_image):
    cid = procs.docker("run", "-d", "--rm", "-p", "127.0.0.1::80", httpd_image).stdout.strip()
    try:
        address = procs.published_address(cid)
        assert address.startswith("127.0.0.1:")
        status, body = wait_for(lambda: http_get(f"http://{address}/", timeout=2),
                                timeout=20, ignore=(OSError,))
        assert (status, body) == (200, "lb-test-httpd\n")
        status, body = http_get(f"http://{address}/cgi-bin/hostname", timeout=5)
        assert status == 200 and cid.startswith(body.strip())
    finally:
        procs.docker("rm", "-f", cid, check=False)
    wait_for(lambda: cid not in procs.docker("ps", "-aq", "--no-trunc").stdout,
             message=f"container {cid[:12]} to be removed")


def test_nginx_upstreamlog_defined_by_the_fragment_or_the_main_conf(nginx, tmp_path):
    # Default main config: like a stock nginx.conf, the fragment defines the format itself
    # (as the shipped template does).
    frag = nginx.conf_d / "app.conf"
    frag.write_text(
        procs.Nginx.UPSTREAMLOG + "\n"
        f"server {{ listen 127.0.0.1:{nginx.port}; access_log {nginx.prefix}/up.log upstreamlog;"
        " location / { return 204; } }\n"
    )
    nginx.reload()
    assert nginx.request("/")[0] == 204
    assert "passed to:" in wait_for(lambda: (nginx.prefix / "up.log").read_text(), ignore=(OSError,))

    # Opt-in: the main config defines it, a fragment only uses it.
    other = procs.Nginx(tmp_path / "other", define_upstreamlog=True)
    (other.conf_d / "app.conf").write_text(
        f"server {{ listen 127.0.0.1:{other.port}; access_log {other.prefix}/up.log upstreamlog; }}\n"
    )
    assert subprocess.run(other.check_cmd, shell=True, capture_output=True).returncode == 0
