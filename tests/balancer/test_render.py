"""balancer.render: what a render reports besides its text (pool size, routing table)."""
from __future__ import annotations

from pathlib import Path

import pytest

from balancer.render import Renderer
from balancer.resource import TemplateResource
from balancer.store import Snapshot
from lbcommon.routes import Route

VALUES = {"/services/apache/a": "10.0.0.1:80", "/services/apache/b": "10.0.0.2:80",
          "/services/apache/c": "not an address", "/services/apache/d": "10.0.0.1:80"}


def resource(tmp_path: Path, template: str, name: str = "r") -> TemplateResource:
    src = tmp_path / f"{name}.tmpl"
    src.write_text(template)
    return TemplateResource(path=tmp_path / f"{name}.toml", src=src, dest=tmp_path / "out", keys=("/services", "/lb"),
                            prefix="/")


@pytest.mark.parametrize("template", [
    '{% for s in backends("/services/apache/*") %}server {{ s }};{% endfor %}',
    '{% for s in getvs("/services/apache/*") %}server {{ s }};{% endfor %}',          # the tutorial's way
    '{% for kv in gets("/services/apache/*") %}server {{ kv.Value }};{% endfor %}',
    'server {{ getv("/services/apache/a") }}; server {{ get("/services/apache/b").value }};',
])
def test_pool_size_counts_distinct_valid_addresses_whatever_the_function(tmp_path: Path, template: str) -> None:
    renderer = Renderer()
    r = resource(tmp_path, template)
    renderer.render(r, Snapshot(1, VALUES))
    assert renderer.pool_sizes[r.name] == 2


def test_pool_size_of_a_routing_template_and_its_table(tmp_path: Path) -> None:
    values = {"/services/web/10.0.0.1:80": "10.0.0.1:80", "/services/web/10.0.0.2:80": "10.0.0.2:80",
              "/lb/routes/web/10.0.0.1:80": Route(("web.example.com",)).to_value(),
              "/lb/drain/web/10.0.0.2:80": "2026-12-01T00:00:00Z"}
    renderer = Renderer()
    r = resource(tmp_path, '{% for s in routing().services %}{{ s.name }}{% endfor %}')
    assert renderer.render(r, Snapshot(1, values)) == "web"
    assert renderer.pool_sizes[r.name] == 1                       # the drained one is not in the pool
    assert [s.name for s in renderer.routing[r.name].services] == ["web"]
    plain = resource(tmp_path, "static\n", name="plain")
    renderer.render(plain, Snapshot(2, values))
    assert plain.name not in renderer.routing and renderer.pool_sizes[plain.name] == 0
