"""The shipped services example in Go (balancer/examples/services-go) renders the same bytes as
the Jinja2 one (balancer/examples/services) for the same keys and environment."""
from __future__ import annotations

from pathlib import Path

import pytest

from balancer.render import Renderer
from balancer.resource import TemplateResource, load_confdir
from balancer.store import Snapshot
from lbcommon.routes import Route

EXAMPLES = Path(__file__).parents[2] / "balancer" / "examples"
DRAINED = "2026-12-01T10:00:00Z"


def rich_keys() -> dict[str, str]:
    """Weights, several hosts, paths under a shared host, drain, maintenance, a service with no
    routable backend, conflicts of both kinds, a backend without route key, rejected values."""
    keys: dict[str, str] = {}

    def backend(service: str, address: str, route: Route | None = None, route_value: str | None = None) -> None:
        keys[f"/services/{service}/{address}"] = address
        if route is not None or route_value is not None:
            keys[f"/lb/routes/{service}/{address}"] = route_value or (route or Route()).to_value()

    web = Route(("web.example.com", "www.example.com"), "/", 1)
    backend("web", "10.0.0.1:80", web)
    backend("web", "10.0.0.2:80", Route(web.hosts, "/", 3))
    backend("web", "10.0.0.3:80", web)
    keys["/lb/drain/web/10.0.0.3:80"] = DRAINED
    backend("web", "10.0.0.4:80", Route(("other.example.com",), "/", 1))          # disagrees: left out
    backend("api", "10.0.1.1:8080", Route(("web.example.com",), "/api", 2))
    backend("api", "[fd00::1]:8080", Route(("web.example.com",), "/api", 1))
    backend("shop", "10.0.2.1:80", Route(("shop.example.com",), "/", 1))
    keys["/lb/maintenance/shop"] = DRAINED
    keys["/lb/routes/gone/10.0.3.1:80"] = Route(("gone.example.com",), "/", 1).to_value()   # unhealthy: 503
    backend("half", "10.0.4.1:80", Route(("half.example.com",), "/", 1))
    keys["/lb/drain/half/10.0.4.1:80"] = DRAINED                                  # all drained: 503
    backend("zzz", "10.0.5.1:80", Route(("web.example.com", "zzz.example.com"), "/", 1))  # loses web.example.com /
    backend("legacy", "10.0.6.1:80")                                              # no route key: upstream only
    backend("bad", "10.0.7.1:80", route_value="{not json")
    keys["/services/bad/evil"] = "1.2.3.4:80; } server { listen 9999; }"
    backend("deep", "10.0.8.1:80", Route(("deep.example.com",), "/a/b/", 1))
    backend("deep2", "10.0.8.2:80", Route(("deep.example.com",), "/a/", 1))
    return keys


def examples() -> tuple[TemplateResource, TemplateResource]:
    """The Jinja2 and the Go services resources (both named services.toml: one Renderer each)."""
    jinja, jerrors = load_confdir(EXAMPLES / "services")
    go, gerrors = load_confdir(EXAMPLES / "services-go")
    assert jerrors == gerrors == []
    return jinja[0], go[0]


@pytest.fixture
def certs(tmp_path: Path) -> Path:
    certs = tmp_path / "certs"
    certs.mkdir()
    for host in ("web.example.com", "shop.example.com", "deep.example.com"):
        (certs / f"{host}.crt").write_text("x")
        (certs / f"{host}.key").write_text("x")
    (certs / "zzz.example.com.crt").write_text("x")                               # no key: plain http
    return certs


@pytest.mark.parametrize("env", [
    {},
    {"BALANCER_LISTEN": "127.0.0.1:8080", "BALANCER_LISTEN_TLS": "127.0.0.1:8443",
     "BALANCER_ACCESS_LOG": "/tmp/access.log"},
    {"BALANCER_LISTEN": "8080", "BALANCER_LISTEN_TLS": "[::1]:443"},
], ids=["defaults", "loopback-ports", "ipv6-tls"])
@pytest.mark.parametrize("with_certs", [True, False], ids=["tls", "no-tls"])
@pytest.mark.parametrize("keys", ["rich", "empty"])
def test_go_and_jinja2_services_render_the_same_bytes(monkeypatch: pytest.MonkeyPatch, certs: Path,
                                                      env: dict[str, str], with_certs: bool, keys: str) -> None:
    for name in ("BALANCER_LISTEN", "BALANCER_LISTEN_TLS", "BALANCER_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BALANCER_CERTS", str(certs if with_certs else certs / "none"))
    jinja, go = examples()
    jinja_renderer, go_renderer = Renderer(), Renderer()
    assert jinja_renderer.language(jinja).engine == "jinja2" and go_renderer.language(go).engine == "go"
    values = rich_keys() if keys == "rich" else {}
    expected = jinja_renderer.render(jinja, Snapshot(1, values))
    assert go_renderer.render(go, Snapshot(1, values)) == expected
    assert go_renderer.pool_sizes == jinja_renderer.pool_sizes
    if keys == "rich":                                    # the key set really exercises every branch
        for text in ("weight=3", "weight=2", "# drained: 10.0.0.3:80", "in maintenance", "gone: no backend",
                     "half: no backend", "upstream svc_legacy", "server_name zzz.example.com",
                     "location /a/b/", "[fd00::1]:8080"):
            assert text in expected, text
        assert ("ssl_certificate " in expected) == with_certs
        assert "9999" not in expected and "10.0.0.4:80" not in expected
    if with_certs and keys == "rich" and env.get("BALANCER_LISTEN_TLS", "").endswith(":8443"):
        assert "return 301 https://$host:8443$request_uri;" in expected


def test_the_problems_are_reported_alike(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BALANCER_CERTS", str(tmp_path))
    reported: dict[str, list[str]] = {"jinja2": [], "go": []}
    for engine, example in (("jinja2", "services"), ("go", "services-go")):
        resources, _ = load_confdir(EXAMPLES / example)
        renderer = Renderer(on_rejected=reported[engine].append)
        renderer.render(resources[0], Snapshot(1, rich_keys()))
        table = renderer.routing["services.toml"]
        reported[engine] += [f"{p.key} {p.reason}" for p in table.problems]
    assert reported["go"] == reported["jinja2"] and len(reported["go"]) >= 4
