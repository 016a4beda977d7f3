"""The status pages in a real browser (Debian's chromium, driven by Playwright): the balancer's
and the sidekick's, on their --metrics-addr, against the real chain (etcd, the balancer with
nginx, the sidekick with dockerd).  The page is opened once and never reloaded: what changes
must show up by itself."""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest

import procs
from procs import EtcdServer, Nginx

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SERVICES = Path(__file__).parents[2] / "balancer" / "examples" / "services"
WAIT_MS = 30_000
CHECK_ERROR = 'nginx: [emerg] unknown directive "oops" in /etc/nginx/conf.d/broken.conf:3'

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")


@dataclass
class Watched:
    etcd: EtcdServer
    image: str
    balancer_url: str
    sidekick_url: str
    tag: str
    containers: list[str] = field(default_factory=list)

    def run(self, name: str, *labels: str, command: str | None = None) -> str:
        full = f"{self.tag}-{name}"
        self.containers.append(full)
        # a service and host name of this test's own: other tests' containers may share this dockerd
        label_args = [arg for label in (f"sidekick.service={self.tag}", f"sidekick.hosts={self.tag}.example.test",
                                        *labels)
                      for arg in ("-l", label)]
        script = command or procs.graceful_httpd(name)
        procs.docker("run", "-d", "--init", "--name", full, *label_args, "-p", "127.0.0.1::80", self.image,
                     "sh", "-c", script)
        return procs.published_address(full)

    def cli(self, *args: str) -> None:
        import subprocess
        import sys
        result = subprocess.run([sys.executable, "-m", "sidekick", args[0], "--etcd", self.etcd.hostport, *args[1:]],
                                check=False, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr


@pytest.fixture
def watched(tmp_path: Path, etcd: EtcdServer, httpd_image: str, request: pytest.FixtureRequest) -> Iterator[Watched]:
    nginx = Nginx(tmp_path / "nginx")
    balancer_port, sidekick_port = procs.free_ports(2)
    confdir = tmp_path / "confdir"
    procs.write_resource(confdir, "services", src=SERVICES / "templates" / "services.tmpl",
                         dest=nginx.conf_d / "services.conf", keys=["/services", "/lb"],
                         check_cmd=nginx.check_cmd, reload_cmd=nginx.reload_cmd)
    # A resource whose check fails as soon as /services/broken/ has a backend, with nginx's words.
    (tmp_path / "broken.tmpl").write_text('{% for s in backends("/services/broken/*") %}server {{ s }};\n{% endfor %}')
    procs.write_resource(confdir, "broken", src=tmp_path / "broken.tmpl", dest=tmp_path / "broken.conf",
                         keys=["/services/broken"],
                         check_cmd="if grep -q server {{.src}}; then echo '" + CHECK_ERROR + "'; "
                                   "echo 'nginx: configuration file test failed'; exit 1; fi")
    balancer = procs.CliProcess("balancer", tmp_path / "balancer.log")
    sidekick = procs.CliProcess("sidekick", tmp_path / "sidekick.log")
    for proc in (balancer, sidekick):
        procs.track(request, proc)
    result = Watched(etcd, httpd_image, f"http://127.0.0.1:{balancer_port}/",
                     f"http://127.0.0.1:{sidekick_port}/status", tag="sp" + uuid.uuid4().hex[:8])
    with procs.removed_after(result.containers, sidekick, balancer):
        balancer.start("--confdir", str(confdir), "--etcd", etcd.hostport,
                       "--metrics-addr", f"127.0.0.1:{balancer_port}",
                       "--exec", nginx.exec_cmd,
                       env={"BALANCER_LISTEN": f"127.0.0.1:{nginx.port}", "BALANCER_LISTEN_TLS": "127.0.0.1:1",
                            "BALANCER_CERTS": str(tmp_path / "certs"), "BALANCER_ACCESS_LOG": str(nginx.access_log)})
        sidekick.start("--etcd", etcd.hostport, "--host-ip", "127.0.0.1", "--ttl", "10",
                       "--metrics-addr", f"127.0.0.1:{sidekick_port}",
                       "--check-interval", "0.5", "--check-timeout", "0.4")
        procs.wait_for(lambda: procs.http_get(result.balancer_url + "status.json")[0] == 200, timeout=30)
        procs.wait_for(lambda: procs.http_get(result.sidekick_url + ".json")[0] == 200, timeout=30)
        yield result


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser: Browser, url: str, width: int = 1200, height: int = 900) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    expect(page.locator("#conn")).to_have_text("live", timeout=WAIT_MS)
    page.evaluate("window.neverReloaded = true")          # gone if the page were ever reloaded
    return page


def member(page: Page, address: str, state: str | None = None) -> Any:
    selector = f'tr.member[data-address="{address}"]' + (f'[data-state="{state}"]' if state else "")
    return page.locator(selector)


def shoot(page: Page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def test_status_pages_follow_the_chain_without_reloading(watched: Watched, browser: Browser, tmp_path: Path) -> None:
    lb = open_page(browser, watched.balancer_url)
    sk = open_page(browser, watched.sidekick_url)
    expect(lb.locator("#title")).to_have_text("balancer status")
    expect(sk.locator("#title")).to_have_text("sidekick status")
    expect(lb.locator("#health")).to_have_text("healthy", timeout=WAIT_MS)

    # a backend appears on both pages
    address = watched.run("a")
    for page in (lb, sk):
        expect(member(page, address, "routed")).to_have_count(1, timeout=WAIT_MS)
    expect(lb.locator(f'[data-service="{watched.tag}"] h3')).to_contain_text("ok")
    # other containers on this dockerd may come and go meanwhile: look for ours
    expect(lb.locator('li.event[data-kind="joined"]', has_text=address).first).to_be_visible(timeout=WAIT_MS)
    expect(sk.locator('tr.tracked[data-container$="-a"]')).to_contain_text("registered", timeout=WAIT_MS)

    # drained: marked, and the reason is listed
    watched.cli("drain", watched.tag, address)
    for page in (lb, sk):
        expect(member(page, address, "drained")).to_have_count(1, timeout=WAIT_MS)
        expect(page.locator(f'li.why[data-address="{address}"] .reason')).to_contain_text("drained", timeout=WAIT_MS)

    # a container whose health check fails: not in the pool, and why (with the last result)
    sick = watched.run("sick", command="exec sleep 1000")          # published, nothing listens
    sick_name = f"{watched.tag}-sick"
    for page in (lb, sk):
        why = page.locator(f'li.why[data-container="{sick_name}"] .reason')
        expect(why).to_contain_text("health check failing", timeout=WAIT_MS)
        expect(why).to_contain_text(sick)
        expect(member(page, sick, "unhealthy")).to_have_count(1, timeout=WAIT_MS)
    expect(sk.locator(f'tr.tracked[data-container="{sick_name}"]')).to_contain_text("failed")

    # a failed check, its error in full
    watched.etcd.put("/services/broken/10.9.9.9:80", "10.9.9.9:80")
    broken = lb.locator('article.resource[data-resource="broken.toml"]')
    expect(broken.locator('[data-step="check"]')).to_have_attribute("data-outcome", "error", timeout=WAIT_MS)
    expect(broken.locator(".last-error pre")).to_contain_text(CHECK_ERROR)
    expect(broken.locator(".last-error pre")).to_contain_text("configuration file test failed")
    expect(lb.locator('li.event[data-kind="check failed"]').first).to_be_visible()
    services = lb.locator('article.resource[data-resource="services.toml"]')
    expect(services.locator('[data-step="reload"]')).to_have_attribute("data-outcome", "ok")

    shots = [shoot(lb, tmp_path, "balancer"), shoot(sk, tmp_path, "sidekick")]

    # the backend goes (undrained first, so that it leaves as a routed one)
    watched.cli("undrain", watched.tag, address)
    expect(member(lb, address, "routed")).to_have_count(1, timeout=WAIT_MS)
    procs.docker("stop", "-t", "1", f"{watched.tag}-a")
    for page in (lb, sk):
        expect(member(page, address)).to_have_count(0, timeout=WAIT_MS)
    expect(lb.locator('li.event[data-kind="left"]', has_text=address).first).to_be_visible(timeout=WAIT_MS)

    for page in (lb, sk):
        assert page.evaluate("window.neverReloaded") is True
        assert page.evaluate("window.statusUpdates") > 3

    # a phone: one column, nothing wider than the screen
    phone = open_page(browser, watched.balancer_url, width=390, height=844)
    expect(member(phone, sick, "unhealthy")).to_have_count(1, timeout=WAIT_MS)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shots.append(shoot(phone, tmp_path, "balancer-phone"))
    assert all(path.stat().st_size > 1000 for path in shots)


def test_status_json_is_what_status_json_prints(watched: Watched) -> None:
    """The page's data and `status --json` come from one builder: the same sections."""
    import subprocess
    import sys
    address = watched.run("b")
    procs.wait_for(lambda: address in procs.http_get(watched.sidekick_url + ".json")[1], timeout=30)
    live = json.loads(procs.http_get(watched.sidekick_url + ".json")[1])
    printed = json.loads(subprocess.run([sys.executable, "-m", "sidekick", "status", "--etcd", watched.etcd.hostport,
                                         "--json"], check=True, capture_output=True, text=True, timeout=60).stdout)
    assert set(printed) == set(live) and printed["program"] == live["program"] == "sidekick"
    def web(document: dict[str, Any]) -> list[str]:     # other containers on this dockerd may come and go
        return [m["address"] for s in document["services"] if s["name"] == watched.tag for m in s["members"]]
    assert web(printed) == web(live) == [address]
    balancer = json.loads(procs.http_get(watched.balancer_url + "status.json")[1])
    assert balancer["program"] == "balancer" and balancer["live"] is True
    assert {r["resource"] for r in balancer["resources"]} == {"services.toml", "broken.toml"}
