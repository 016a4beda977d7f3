"""balancer.render with Go templates (confd's language): functions, pool size, routing, errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from balancer.errors import MissingKeyError, TemplateError
from balancer.render import Renderer
from balancer.resource import TemplateResource
from balancer.store import Snapshot
from lbcommon.routes import Route

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parents[2] / "balancer" / "examples"
VALUES = {"/services/apache/a": "10.0.0.1:80", "/services/apache/b": "10.0.0.2:80",
          "/services/apache/c": "not an address", "/services/apache/d": "10.0.0.1:80"}


def resource(tmp_path: Path, template: str, name: str = "r", prefix: str = "/") -> TemplateResource:
    src = tmp_path / f"{name}.tmpl"
    src.write_text(template)
    return TemplateResource(path=tmp_path / f"{name}.toml", src=src, dest=tmp_path / "out", keys=("/services", "/lb"),
                            prefix=prefix)


def test_confds_tutorial_template_renders(tmp_path: Path) -> None:
    r = resource(tmp_path, 'upstream apache_pool {\n{{ range getvs "/services/apache/*" }}\n    server {{ . }};\n'
                           '{{ end }}\n}\n')
    text = Renderer().render(r, Snapshot(1, {k: v for k, v in VALUES.items() if k != "/services/apache/c"}))
    assert text == ("upstream apache_pool {\n\n    server 10.0.0.1:80;\n\n    server 10.0.0.1:80;\n\n"
                    "    server 10.0.0.2:80;\n\n}\n")           # getvs: the values, sorted (memkv)


@pytest.mark.parametrize("template", [
    '{{range backends "/services/apache/*"}}server {{.}};{{end}}',
    '{{range getvs "/services/apache/*"}}server {{.}};{{end}}',          # the tutorial's way
    '{{range gets "/services/apache/*"}}server {{.Value}};{{end}}',
    'server {{getv "/services/apache/a"}}; server {{(get "/services/apache/b").Value}};',
])
def test_pool_size_counts_distinct_valid_addresses_whatever_the_function(tmp_path: Path, template: str) -> None:
    renderer = Renderer()
    r = resource(tmp_path, template)
    renderer.render(r, Snapshot(1, VALUES))
    assert renderer.pool_sizes[r.name] == 2


def test_backends_rejects_invalid_values_and_reports_them_once(tmp_path: Path) -> None:
    rejected: list[str] = []
    renderer = Renderer(on_rejected=rejected.append)
    r = resource(tmp_path, '{{range backends "/services/apache/*"}}server {{.}};{{end}}')
    for revision in (1, 2):
        assert renderer.render(r, Snapshot(revision, VALUES)) == "server 10.0.0.1:80;server 10.0.0.2:80;"
    assert rejected == ["r.toml"]


def test_routing_attributes_by_name(tmp_path: Path) -> None:
    values = {"/services/web/10.0.0.1:80": "10.0.0.1:80", "/services/web/10.0.0.2:80": "10.0.0.2:80",
              "/lb/routes/web/10.0.0.1:80": Route(("web.example.com",), "/", 3).to_value(),
              "/lb/drain/web/10.0.0.2:80": "2026-12-01T00:00:00Z"}
    renderer = Renderer()
    r = resource(tmp_path, '{{range (routing).services}}{{.name}} {{.upstream}}{{range .backends}} {{.address}}'
                           ' w{{.weight}}{{end}}{{range .drained}} drained {{.address}}{{end}}{{end}}'
                           '{{range (routing "/services" "/lb").vhosts}} {{.name}}{{range .locations}} {{.path}}'
                           ' -> {{.service.name}}{{end}}{{end}}')
    assert renderer.render(r, Snapshot(1, values)) == (
        "web svc_web 10.0.0.1:80 w3 drained 10.0.0.2:80 web.example.com / -> web")
    assert renderer.pool_sizes[r.name] == 1
    assert [s.name for s in renderer.routing[r.name].services] == ["web"]


def test_routing_takes_at_most_two_prefixes(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"r.tmpl:1:2: executing \"r.tmpl\" at <routing>: "
                                            r"wrong number of args for routing: want 2 got 3"):
        Renderer().render(resource(tmp_path, '{{routing "/a" "/b" "/c"}}'), Snapshot(1, {}))


def test_a_missing_key_is_one_line_with_file_line_column_and_gos_message(tmp_path: Path) -> None:
    r = resource(tmp_path, 'upstream {\n    server {{getv "/services/apache/nope"}};\n}\n')
    with pytest.raises(MissingKeyError) as excinfo:
        Renderer().render(r, Snapshot(1, VALUES))
    message = str(excinfo.value)
    assert message.startswith(f'{r.src}:2:13: executing "r.tmpl" at <getv "/services/apache/nope">: '
                              "error calling getv: "), message
    assert "/services/apache/nope" in message.split("error calling getv: ")[1] and "\n" not in message


def test_an_exec_error_is_a_template_error_with_file_line_column(tmp_path: Path) -> None:
    r = resource(tmp_path, 'a\nb {{index (split "a:b" ":") 5}}\n')
    with pytest.raises(TemplateError) as excinfo:
        Renderer().render(r, Snapshot(1, VALUES))
    assert not isinstance(excinfo.value, MissingKeyError)
    assert str(excinfo.value) == (f'{r.src}:2:4: executing "r.tmpl" at <index (split "a:b" ":") 5>: '
                                  "error calling index: index out of range: 5")


def test_a_go_parse_error_names_file_and_line(tmp_path: Path) -> None:
    r = resource(tmp_path, 'a\n{{if getv "/a"}}\n')
    r = TemplateResource(**{**r.__dict__, "engine": "go"})
    with pytest.raises(TemplateError, match=rf"^{r.src}:3: unexpected EOF$"):
        Renderer().render(r, Snapshot(1, VALUES))


def test_the_prefix_is_stripped_as_for_jinja2(tmp_path: Path) -> None:
    r = resource(tmp_path, '{{range gets "/services/apache/*"}}{{.Key}}={{.Value}} {{end}}', prefix="/prod")
    values = {"/prod/services/apache/a": "10.0.0.1:80", "/other/x": "y"}
    assert Renderer().render(r, Snapshot(1, values)) == "/services/apache/a=10.0.0.1:80 "


def test_the_go_tutorial_renders_the_same_bytes_as_the_shipped_jinja2_one(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    jinja = TemplateResource(path=tmp_path / "j.toml", src=EXAMPLES / "tutorial" / "templates" / "nginx.tmpl",
                             dest=tmp_path / "j", keys=("/services/apache",), prefix="/")
    go = TemplateResource(path=tmp_path / "g.toml", src=DATA / "go" / "tutorial.tmpl", dest=tmp_path / "g",
                          keys=("/services/apache",), prefix="/")
    renderer = Renderer()
    assert renderer.language(jinja).engine == "jinja2" and renderer.language(go).engine == "go"
    for env in ({}, {"BALANCER_LISTEN": "127.0.0.1:8080", "BALANCER_ACCESS_LOG": "/tmp/a.log"}):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        for values in (VALUES, {}):
            assert renderer.render(go, Snapshot(1, values)) == renderer.render(jinja, Snapshot(1, values))


def test_wrapped_functions_keep_their_own_go_signature(tmp_path: Path) -> None:
    """The renderer wraps getv, getvs, gets, get and backends (pool size): each still has its own
    Go signature (getv's optional default, backends' single pattern)."""
    renderer = Renderer()
    ok = resource(tmp_path, '{{getv "/services/apache/nope" "dflt"}} {{len (backends "/services/apache/*")}} '
                            '{{len (getvs "/services/apache/*")}}')
    assert renderer.render(ok, Snapshot(1, VALUES)) == "dflt 2 4"
    bad = resource(tmp_path, '{{getv "/services/apache/a"}}{{backends "/a" "/b"}}', name="bad")
    with pytest.raises(TemplateError, match=r"bad.tmpl:1:31: executing \"bad.tmpl\" at <backends>: "
                                            r"wrong number of args for backends: want 1 got 2$"):
        renderer.render(bad, Snapshot(1, VALUES))
    typed = resource(tmp_path, '{{getv 1}}', name="typed")
    with pytest.raises(TemplateError, match=r"at <1>: expected string; found 1$"):
        renderer.render(typed, Snapshot(1, VALUES))
