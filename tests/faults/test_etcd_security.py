"""TLS (client-certificate auth) and etcd users (RBAC) against real etcd, balancer and sidekick.

Every etcd listens on 127.0.0.1; certificates come from tests/certs.py (openssl CLI).
Each wrong-credential case must give one clear line naming the endpoint: --onetime exits
non-zero, the long-running programs keep running and retry.
"""
from __future__ import annotations

import contextlib
import signal
import ssl
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable, Iterator

import etcd3
import pytest

import certs
import procs
from procs import LOOPBACK, CliProcess, EtcdServer, wait_for

APP_TEMPLATE = '{% for s in backends("/services/apache/*") %}server {{ s }};\n{% endfor %}'
KEY = "/services/apache/"
ROOT = "root:rootpw"


# --------------------------------------------------------------------------- servers


class TlsEtcdServer(EtcdServer):
    """etcd serving clients over https only, and only to certificates signed by `pki.ca`."""

    name = "etcd-tls"

    def __init__(self, workdir: Path, pki: certs.Pki) -> None:
        super().__init__(workdir)
        self.pki = pki
        self.endpoint = f"https://{LOOPBACK}:{self.port}"

    def argv(self) -> list[str]:
        return super().argv() + [
            "--cert-file", str(self.pki.server.cert), "--key-file", str(self.pki.server.key),
            "--client-cert-auth", "--trusted-ca-file", str(self.pki.ca),
        ]

    def _healthy(self) -> bool:
        ctx = ssl.create_default_context(cafile=str(self.pki.ca))
        ctx.load_cert_chain(str(self.pki.client.cert), str(self.pki.client.key))
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=ctx))
        try:
            with opener.open(self.endpoint + "/health", timeout=1.0) as resp:
                return resp.status == 200 and b'"true"' in resp.read()
        except OSError:
            return False

    def client(self) -> etcd3.Etcd3Client:
        if self._client is None:
            self._client = etcd3.client(LOOPBACK, self.port, timeout=5, ca_cert=str(self.pki.ca),
                                        cert_key=str(self.pki.client.key), cert_cert=str(self.pki.client.cert))
            self._all_clients.append(self._client)
        return self._client

    def etcdctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return super().etcdctl("--cacert", str(self.pki.ca), "--cert", str(self.pki.client.cert),
                               "--key", str(self.pki.client.key), *args, check=check)


class RbacEtcdServer(EtcdServer):
    """Plain-http etcd with auth enabled: `root` and `lb` (readwrite on /services/ only)."""

    name = "etcd-rbac"

    def __init__(self, workdir: Path, token_ttl: int | None = None) -> None:
        super().__init__(workdir)
        self.token_ttl = token_ttl

    def argv(self) -> list[str]:
        extra = ["--auth-token-ttl", str(self.token_ttl)] if self.token_ttl else []
        return super().argv() + extra

    def enable_auth(self) -> None:
        for args in (("user", "add", ROOT), ("role", "add", "lb"),
                     ("role", "grant-permission", "lb", "readwrite", "--prefix=true", "/services/"),
                     ("user", "add", "lb:lbpw"), ("user", "grant-role", "lb", "lb"), ("auth", "enable")):
            self.etcdctl(*args)

    def root_put(self, key: str, value: str) -> None:
        self.etcdctl("--user", ROOT, "put", key, value)

    def root_keys(self, prefix: str) -> list[str]:
        out = self.etcdctl("--user", ROOT, "get", "--prefix", "--keys-only", prefix).stdout
        return [line for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> certs.Pki:
    return certs.make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def tls_etcd(tmp_path: Path, pki: certs.Pki, request: pytest.FixtureRequest) -> Iterator[TlsEtcdServer]:
    with procs.started(request, TlsEtcdServer(tmp_path / "etcd-tls", pki)) as server:
        yield server


@contextlib.contextmanager
def rbac_server(tmp_path: Path, request: pytest.FixtureRequest,
                token_ttl: int | None = None) -> Iterator[RbacEtcdServer]:
    with procs.started(request, RbacEtcdServer(tmp_path / "etcd-rbac", token_ttl)) as server:
        server.enable_auth()
        yield server


@pytest.fixture
def rbac_etcd(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[RbacEtcdServer]:
    with rbac_server(tmp_path, request) as server:
        yield server


# --------------------------------------------------------------------------- programs


@pytest.fixture
def clis(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str], CliProcess]]:
    """Factory make("balancer"|"sidekick") -> CliProcess; every one is stopped at teardown."""
    made: list[CliProcess] = []

    def make(module: str) -> CliProcess:
        proc = CliProcess(module, tmp_path / f"{module}-{len(made)}.log")
        procs.track(request, proc)
        made.append(proc)
        return proc

    yield make
    for proc in made:
        proc.terminate()


@dataclass
class Site:
    confdir: Path
    dest: Path


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A confdir whose one resource renders server lines from /services/apache/* into `dest`."""
    confdir = tmp_path / "confdir"
    template = tmp_path / "app.tmpl"
    template.write_text(APP_TEMPLATE)
    dest = tmp_path / "out" / "app.conf"
    dest.parent.mkdir()
    procs.write_resource(confdir, "app", src=template, dest=dest, keys=["/services/apache"],
                         check_cmd="", reload_cmd="")
    return Site(confdir, dest)


def lines_of(proc: CliProcess) -> list[str]:
    """The program's own output lines (without CliProcess's start banner)."""
    return [line for line in proc.output().splitlines() if line.strip() and not line.startswith("=====")]


def onetime(clis: Callable[[str], CliProcess], site: Site, *args: str,
            env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    proc = clis("balancer").start("--confdir", str(site.confdir), "--onetime", *args, env=env)
    status = proc.wait(30)
    return status, lines_of(proc)


def tls_args(pki: certs.Pki, client: certs.CertKey | None = None, ca: Path | None = None) -> list[str]:
    args = ["--ca-cert", str(ca or pki.ca)]
    if client is not None:
        args += ["--cert", str(client.cert), "--key", str(client.key)]
    return args


def assert_one_line(status: int, lines: list[str], *expected: str) -> None:
    assert status == 1, lines
    assert len(lines) == 1, "\n".join(lines)
    for text in expected:
        assert text in lines[0], lines[0]


def rendered(site: Site) -> str:
    return site.dest.read_text() if site.dest.exists() else ""


# --------------------------------------------------------------------------- containers


@contextlib.contextmanager
def httpd_container(image: str, service: str) -> Iterator[str]:
    """One labelled busybox httpd published on 127.0.0.1; yields its published address."""
    name = f"sec-{service}"
    procs.docker("rm", "-f", name, check=False)
    try:
        procs.docker("run", "-d", "--init", "--name", name, "-l", f"sidekick.service={service}",
                     "-p", f"{LOOPBACK}::80", image)
        yield procs.published_address(name, "80/tcp")
    finally:
        procs.docker("rm", "-f", name, check=False)


def sidekick_args(service: str) -> list[str]:
    return ["--host-ip", LOOPBACK, "--service", service, "--ttl", "6", "--check-interval", "0.5",
            "--check-timeout", "0.4"]


def unique() -> str:
    return "sec" + uuid.uuid4().hex[:10]


# =========================================================================== TLS


def test_tls_onetime_with_options(tls_etcd: TlsEtcdServer, pki: certs.Pki, site: Site, clis) -> None:
    tls_etcd.put(KEY + "a", "10.0.0.1:80")
    status, lines = onetime(clis, site, "--etcd", tls_etcd.endpoint, *tls_args(pki, pki.client))
    assert status == 0, lines
    assert rendered(site) == "server 10.0.0.1:80;\n"


def test_tls_onetime_with_environment(tls_etcd: TlsEtcdServer, pki: certs.Pki, site: Site, clis) -> None:
    tls_etcd.put(KEY + "b", "10.0.0.2:80")
    status, lines = onetime(clis, site, env={
        "ETCD_ENDPOINTS": tls_etcd.endpoint, "ETCD_CACERT": str(pki.ca),
        "ETCD_CERT": str(pki.client.cert), "ETCD_KEY": str(pki.client.key)})
    assert status == 0, lines
    assert rendered(site) == "server 10.0.0.2:80;\n"


def test_client_certificate_with_default_roots(tls_etcd: TlsEtcdServer, pki: certs.Pki, site: Site, clis) -> None:
    """--cert/--key without --ca-cert: the system's roots verify etcd, our certificate is still sent.
    (gRPC's default roots are pointed at the test CA.)"""
    tls_etcd.put(KEY + "c", "10.0.0.3:80")
    status, lines = onetime(clis, site, "--etcd", tls_etcd.endpoint, "--cert", str(pki.client.cert),
                            "--key", str(pki.client.key), env={"GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": str(pki.ca)})
    assert status == 0, lines
    assert rendered(site) == "server 10.0.0.3:80;\n"


def test_tls_client_certificate_of_another_ca(tls_etcd: TlsEtcdServer, pki: certs.Pki, site: Site, clis) -> None:
    status, lines = onetime(clis, site, "--etcd", tls_etcd.endpoint, *tls_args(pki, pki.wrong_client))
    assert_one_line(status, lines, "ERROR", tls_etcd.hostport, "TLS", "client certificate")
    assert not site.dest.exists()


def test_tls_missing_client_certificate(tls_etcd: TlsEtcdServer, pki: certs.Pki, site: Site, clis) -> None:
    status, lines = onetime(clis, site, "--etcd", tls_etcd.endpoint, *tls_args(pki))
    assert_one_line(status, lines, "ERROR", tls_etcd.hostport, "TLS", "client certificate")


def test_tls_server_certificate_not_trusted(tls_etcd: TlsEtcdServer, pki: certs.Pki, site: Site, clis) -> None:
    status, lines = onetime(clis, site, "--etcd", tls_etcd.endpoint, *tls_args(pki, pki.client, ca=pki.other_ca))
    assert_one_line(status, lines, "ERROR", tls_etcd.hostport, "server certificate", "--ca-cert")


def test_bare_host_port_uses_tls_when_a_ca_is_given(tls_etcd: TlsEtcdServer, pki: certs.Pki, site: Site,
                                                    clis) -> None:
    tls_etcd.put(KEY + "d", "10.0.0.4:80")
    status, lines = onetime(clis, site, "--etcd", tls_etcd.hostport, *tls_args(pki, pki.client))
    assert status == 0, lines
    assert rendered(site) == "server 10.0.0.4:80;\n"


def test_explicit_http_stays_plain_even_with_a_ca(tls_etcd: TlsEtcdServer, pki: certs.Pki, site: Site,
                                                  clis) -> None:
    """As etcdctl: the scheme the operator wrote wins, so http:// to a TLS-only etcd fails (one line)."""
    status, lines = onetime(clis, site, "--etcd", f"http://{tls_etcd.hostport}", *tls_args(pki, pki.client))
    assert_one_line(status, lines, "ERROR", tls_etcd.hostport)
    assert not site.dest.exists()


def test_cert_without_key_is_a_usage_error(pki: certs.Pki, site: Site, clis) -> None:
    status, lines = onetime(clis, site, "--etcd", "https://127.0.0.1:2379", "--ca-cert", str(pki.ca),
                            "--cert", str(pki.client.cert))
    assert status == 2, lines
    assert "--cert and --key go together" in "\n".join(lines)


def test_missing_ca_file_is_a_usage_error(tmp_path: Path, pki: certs.Pki, site: Site, clis) -> None:
    missing = tmp_path / "no-such-ca.pem"
    status, lines = onetime(clis, site, "--etcd", "https://127.0.0.1:2379", "--ca-cert", str(missing),
                            "--cert", str(pki.client.cert), "--key", str(pki.client.key))
    assert status == 2, lines
    error = [line for line in lines if line.startswith("Error")]
    assert len(error) == 1 and str(missing) in error[0] and "--ca-cert" in error[0], lines


@pytest.mark.docker
def test_sidekick_over_tls_registers_and_revokes(tls_etcd: TlsEtcdServer, pki: certs.Pki, clis,
                                                 docker_daemon: str, httpd_image: str) -> None:
    service = unique()
    prefix = f"/services/{service}/"

    def keys() -> dict[str, str]:
        return {m.key.decode(): v.decode() for v, m in tls_etcd.client().get_prefix(prefix)}

    with httpd_container(httpd_image, service) as address:
        sk = clis("sidekick").start("--etcd", tls_etcd.endpoint, *tls_args(pki, pki.client),
                                    *sidekick_args(service))
        wait_for(lambda: keys() == {prefix + address: address}, timeout=20, ignore=(),
                 message=f"{prefix + address} registered over TLS")
        sk.send(signal.SIGTERM)
        assert sk.wait(15) == 0, sk.output()
        assert keys() == {}
        assert "Traceback" not in sk.output()


@pytest.mark.docker
def test_sidekick_with_wrong_client_certificate_keeps_retrying(tls_etcd: TlsEtcdServer, pki: certs.Pki, clis,
                                                               docker_daemon: str) -> None:
    service = unique()
    sk = clis("sidekick").start("--etcd", tls_etcd.endpoint, *tls_args(pki, pki.wrong_client),
                                *sidekick_args(service))
    failure = f"etcd lease grant (ttl 6s) failed ({tls_etcd.hostport}): TLS: etcd refused the connection"
    sk.wait_output(failure, count=2, timeout=20)
    assert sk.running()
    assert "Traceback" not in sk.output()
    # Within a second of a failure the endpoint is skipped ("no endpoint reachable"): those
    # lines carry the cause too.  (Other tests' labelled containers may show up here.)
    reason = "TLS: etcd refused the connection: client certificate missing or not signed by a CA etcd trusts"
    problems = [line for line in lines_of(sk) if "WARNING" in line or "ERROR" in line]
    assert problems and all(tls_etcd.hostport in line and reason in line for line in problems), sk.output()


# =========================================================================== users (RBAC)


def test_user_and_password_over_plain_http(rbac_etcd: RbacEtcdServer, site: Site, clis) -> None:
    """gRPC refuses call credentials on an insecure channel: the token must go as metadata."""
    rbac_etcd.root_put(KEY + "d", "10.0.0.4:80")
    status, lines = onetime(clis, site, "--etcd", rbac_etcd.endpoint, "--user", "lb", "--password", "lbpw")
    assert status == 0, lines
    assert rendered(site) == "server 10.0.0.4:80;\n"


def test_user_from_environment(rbac_etcd: RbacEtcdServer, site: Site, clis) -> None:
    rbac_etcd.root_put(KEY + "e", "10.0.0.5:80")
    status, lines = onetime(clis, site, env={"ETCD_ENDPOINTS": rbac_etcd.hostport, "ETCD_USER": "lb",
                                             "ETCD_PASSWORD": "lbpw"})
    assert status == 0, lines
    assert rendered(site) == "server 10.0.0.5:80;\n"


def test_wrong_password_onetime_is_one_line(rbac_etcd: RbacEtcdServer, site: Site, clis) -> None:
    status, lines = onetime(clis, site, "--etcd", rbac_etcd.endpoint, "--user", "lb", "--password", "nope")
    assert_one_line(status, lines, "ERROR",
                    f"etcd authentication as lb failed ({rbac_etcd.hostport}): invalid user ID or password")


def test_user_without_etcd_at_start_onetime_is_one_line(site: Site, clis) -> None:
    port = procs.free_port()
    status, lines = onetime(clis, site, "--etcd", f"127.0.0.1:{port}", "--user", "lb", "--password", "lbpw")
    assert_one_line(status, lines, "ERROR", f"etcd authentication as lb failed (127.0.0.1:{port})")


def test_wrong_password_in_watch_mode_is_retried(rbac_etcd: RbacEtcdServer, site: Site, clis) -> None:
    proc = clis("balancer").start("--confdir", str(site.confdir), "--etcd", rbac_etcd.endpoint,
                                  "--user", "lb", "--password", "nope")
    proc.wait_output("etcd authentication as lb failed", count=2)
    assert proc.running()
    assert "Traceback" not in proc.output()


@pytest.mark.docker
def test_sidekick_as_user(rbac_etcd: RbacEtcdServer, clis, docker_daemon: str, httpd_image: str) -> None:
    service = unique()
    prefix = f"/services/{service}/"
    with httpd_container(httpd_image, service) as address:
        bad = clis("sidekick").start("--etcd", rbac_etcd.endpoint, "--user", "lb", "--password", "nope",
                                     *sidekick_args(service))
        good = clis("sidekick").start("--etcd", rbac_etcd.endpoint, "--user", "lb", "--password", "lbpw",
                                      *sidekick_args(service))
        wait_for(lambda: rbac_etcd.root_keys(prefix) == [prefix + address], timeout=20, ignore=(),
                 message=f"{prefix + address} registered by the lb user")
        good.send(signal.SIGTERM)
        assert good.wait(15) == 0, good.output()
        assert rbac_etcd.root_keys(prefix) == []
        failure = f"etcd authentication as lb failed ({rbac_etcd.hostport}): invalid user ID or password"
        bad.wait_output(failure, count=2)
        assert bad.running()
        assert "Traceback" not in bad.output() + good.output()


def test_expired_token_in_watch_mode(tmp_path: Path, request: pytest.FixtureRequest, site: Site, clis) -> None:
    """etcd forgets an idle simple token after --auth-token-ttl (300 s by default; 5 s here).

    The open watch stream keeps delivering changes; the next request that carries the old token
    (the periodic full resync here) is refused once, then the client authenticates again."""
    with rbac_server(tmp_path, request, token_ttl=5) as etcd:
        etcd.root_put(KEY + "a", "10.0.0.1:80")
        proc = clis("balancer").start("--confdir", str(site.confdir), "--etcd", etcd.endpoint,
                                      "--user", "lb", "--password", "lbpw", "--resync-interval", "20")
        wait_for(lambda: rendered(site) == "server 10.0.0.1:80;\n", ignore=())
        time.sleep(12)                                     # the token has expired
        etcd.root_put(KEY + "b", "10.0.0.2:80")
        wait_for(lambda: "10.0.0.2:80" in rendered(site), timeout=5, ignore=(),
                 message="a change after the token expired")
        proc.wait_output("etcdserver: invalid auth token", timeout=15)   # the resync at 20 s
        proc.wait_output("etcd: listed", count=2, timeout=10)          # ...re-authenticated
        etcd.root_put(KEY + "c", "10.0.0.3:80")
        wait_for(lambda: "10.0.0.3:80" in rendered(site), timeout=5, ignore=(),
                 message="a change after re-authenticating")
        assert proc.count("invalid auth token") == 1, proc.output()
        assert proc.running()


def test_user_with_etcd_down_at_start_in_watch_mode(tmp_path: Path, request: pytest.FixtureRequest,
                                                     site: Site, clis) -> None:
    """Authentication failing because etcd is down is retried like any request (it used to be
    a traceback from connect())."""
    server = RbacEtcdServer(tmp_path / "etcd-late")
    procs.track(request, server)
    try:
        proc = clis("balancer").start("--confdir", str(site.confdir), "--etcd", server.endpoint,
                                      "--user", "lb", "--password", "lbpw")
        proc.wait_output(f"etcd authentication as lb failed ({server.hostport}): unreachable", count=2)
        assert proc.running()
        server.start()
        server.enable_auth()
        server.root_put(KEY + "a", "10.0.0.1:80")
        wait_for(lambda: rendered(site) == "server 10.0.0.1:80;\n", timeout=20, ignore=(),
                 message="the first render once etcd is up")
        assert "Traceback" not in proc.output()
    finally:
        server.close()


def test_etcd_restart_with_auth(rbac_etcd: RbacEtcdServer, site: Site, clis) -> None:
    """The watch breaks and is re-established as the lb user.  (etcd 3.4 replays Authenticate
    from its WAL on restart, so the old simple token usually stays valid; were it refused,
    the UNAUTHENTICATED answer makes the next request authenticate again.)"""
    rbac_etcd.root_put(KEY + "a", "10.0.0.1:80")
    proc = clis("balancer").start("--confdir", str(site.confdir), "--etcd", rbac_etcd.endpoint,
                                  "--user", "lb", "--password", "lbpw")
    wait_for(lambda: rendered(site) == "server 10.0.0.1:80;\n", ignore=())
    rbac_etcd.restart()
    rbac_etcd.root_put(KEY + "b", "10.0.0.2:80")
    wait_for(lambda: "10.0.0.2:80" in rendered(site), timeout=20, ignore=(),
             message="a change after etcd restarted")
    assert proc.running()
