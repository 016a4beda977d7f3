"""balancer.language: which language a template is in (Go or Jinja2), and the `engine` directive."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import jinja2
import pytest

import balancer.language as language
from balancer.errors import ResourceError, TemplateError
from balancer.language import GO, JINJA2, decide
from balancer.render import Renderer, environment
from balancer.resource import TemplateResource, load_resource
from balancer.store import Snapshot

VALUES = {"/services/apache/a": "10.0.0.1:80", "/services/apache/b": "10.0.0.2:80"}


def choose(text: str, engine: str | None = None, src: Path = Path("/etc/balancer/templates/t.tmpl")) -> language.Language:
    return decide(src, text, environment(jinja2.DictLoader({})), engine)


@pytest.mark.parametrize("text,engine,why", [
    ('{{range getvs "/services/apache/*"}}server {{.}};{{end}}', GO, "only Go parses it"),
    ('{{getv "/a"}}', GO, "only Go parses it"),
    ('{{- /* a comment */ -}}\n{{$x := "a"}}{{$x}}', GO, "only Go parses it"),
    ('{{ getv("/a") }}', JINJA2, "only Jinja2 parses it"),
    ('{% for s in getvs("/x/*") %}{{ s }}{% endfor %}', JINJA2, "only Jinja2 parses it"),
    ("{{ undefined_variable }}\n", JINJA2, "only Jinja2 parses it"),     # Go: function not defined
    ("server { listen 80; }\n", JINJA2, "plain text"),
    ("", JINJA2, "plain text"),
    ("{% if exists('/a') %}return 503;{% endif %}\n", JINJA2, "no {{"),  # Go would copy the tags
    ("{# only a comment #}\n", JINJA2, "no {{"),
])
def test_the_language_is_decided_from_the_text(text: str, engine: str, why: str) -> None:
    found = choose(text)
    assert (found.engine, found.go is not None) == (engine, engine == GO)
    assert why in found.reason


def test_the_reason_names_the_other_parsers_error_with_file_and_line() -> None:
    assert choose('x\n{{getv "/a"}}').reason.startswith(
        "only Go parses it; Jinja2 says /etc/balancer/templates/t.tmpl:2: template syntax error: ")
    assert choose('x\n\n{{ getv("/a") }}').reason.startswith(
        "only Jinja2 parses it; Go says /etc/balancer/templates/t.tmpl:3: ")


def test_neither_names_the_file_and_both_first_errors() -> None:
    with pytest.raises(TemplateError) as excinfo:
        choose('line one\n{{ nosuchfunc "/a" }}\n')
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith("/etc/balancer/templates/t.tmpl: neither a Go template "
                              '(/etc/balancer/templates/t.tmpl:2: function "nosuchfunc" not defined) '
                              "nor a Jinja2 template (/etc/balancer/templates/t.tmpl:2: template syntax error: ")


def test_both_is_ambiguous_and_asks_for_engine() -> None:
    with pytest.raises(TemplateError, match=r'^/etc/balancer/templates/t.tmpl: ambiguous: both Go and Jinja2 parse '
                                            r'this template.*set engine = "go" or engine = "jinja2"'):
        choose('{{ "x" }}\n')


@pytest.mark.parametrize("text,engine,expected", [
    ('{{ "x" }}\n', GO, GO),                          # ambiguous: the directive decides
    ('{{ "x" }}\n', JINJA2, JINJA2),
    ("{% if x %}y{% endif %}", GO, GO),                # Go copies the tags as they are
    ("plain\n", GO, GO),
])
def test_engine_decides_and_only_that_parser_runs(text: str, engine: str, expected: str) -> None:
    found = choose(text, engine)
    assert found.engine == expected and found.reason == f'engine = "{engine}"'


@pytest.mark.parametrize("text,engine,message", [
    ('{{ getv("/a") }}', GO, "/etc/balancer/templates/t.tmpl:1: "),
    ('{{getv "/a"}}', JINJA2, "/etc/balancer/templates/t.tmpl:1: template syntax error: "),
    ('a\n{{if true}}', GO, "/etc/balancer/templates/t.tmpl:2: unexpected EOF"),
])
def test_a_forced_engine_reports_its_own_error(text: str, engine: str, message: str) -> None:
    with pytest.raises(TemplateError) as excinfo:
        choose(text, engine)
    assert str(excinfo.value).startswith(message), str(excinfo.value)


def test_go_knows_confds_functions_and_routing() -> None:
    text = ('{{getv "/a" "x"}}{{range gets "/a/*"}}{{.Key}}{{end}}{{range (routing).services}}{{.name}}{{end}}'
            '{{json "{}"}}{{toUpper (base "/a/b")}}{{backends "/x/*"}}{{fileExists "/x"}}{{getenv "A" "b"}}')
    assert choose(text).engine == GO


# --- the `engine` directive ---------------------------------------------------------------


def write_resource(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "t.tmpl").write_text("x\n")
    path = tmp_path / "r.toml"
    path.write_text(f'[template]\nsrc = "t.tmpl"\ndest = "/tmp/x"\nkeys = ["/a"]\n{extra}')
    return path


@pytest.mark.parametrize("value", ["go", "jinja2"])
def test_engine_directive(tmp_path: Path, value: str) -> None:
    assert load_resource(write_resource(tmp_path, f'engine = "{value}"\n'), tmp_path / "templates").engine == value


def test_engine_directive_is_optional(tmp_path: Path) -> None:
    assert load_resource(write_resource(tmp_path, ""), tmp_path / "templates").engine is None


@pytest.mark.parametrize("extra,message", [
    ('engine = "Go"\n', "r.toml: directive 'engine' must be \"go\" or \"jinja2\", got 'Go'"),
    ("engine = 1\n", "r.toml: directive 'engine' must be \"go\" or \"jinja2\", got 1"),
])
def test_bad_engine_directive(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ResourceError, match=message):
        load_resource(write_resource(tmp_path, extra), tmp_path / "templates")


# --- the renderer: decided once per version of the file ----------------------------------


def resource(tmp_path: Path, text: str, engine: str | None = None) -> TemplateResource:
    src = tmp_path / "t.tmpl"
    src.write_text(text)
    return TemplateResource(path=tmp_path / "r.toml", src=src, dest=tmp_path / "out", keys=("/services",),
                            prefix="/", engine=engine)


def test_parsed_once_per_version_of_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    parsed: list[str] = []
    real = language.parse_go
    monkeypatch.setattr(language, "parse_go", lambda src, text: parsed.append(text) or real(src, text))
    caplog.set_level(logging.INFO, logger="balancer.render")
    renderer = Renderer()
    r = resource(tmp_path, '{{range getvs "/services/apache/*"}}{{.}} {{end}}')
    for revision in range(3):
        assert renderer.render(r, Snapshot(revision, VALUES)) == "10.0.0.1:80 10.0.0.2:80 "
    assert len(parsed) == 1
    chosen = [rec.getMessage() for rec in caplog.records if "template (" in rec.getMessage()]
    assert len(chosen) == 1 and chosen[0].startswith(f"{r.src}: Go template (only Go parses it; Jinja2 says "
                                                     f"{r.src}:1: template syntax error: "), chosen

    r.src.write_text('{{range getvs "/services/apache/*"}}<{{.}}>{{end}}')     # edited: parsed again
    os.utime(r.src, ns=(r.src.stat().st_atime_ns, r.src.stat().st_mtime_ns + 1_000_000))
    assert renderer.render(r, Snapshot(4, VALUES)) == "<10.0.0.1:80><10.0.0.2:80>"
    assert len(parsed) == 2


def test_a_template_edited_from_jinja2_to_go_switches_language(tmp_path: Path) -> None:
    renderer = Renderer()
    r = resource(tmp_path, '{{ getv("/services/apache/a") }}')
    assert renderer.render(r, Snapshot(1, VALUES)) == "10.0.0.1:80"
    r.src.write_text('{{getv "/services/apache/b"}}')
    os.utime(r.src, ns=(r.src.stat().st_atime_ns, r.src.stat().st_mtime_ns + 1_000_000))
    assert renderer.render(r, Snapshot(2, VALUES)) == "10.0.0.2:80"
    assert renderer.language(r).engine == GO


def test_ambiguous_template_names_the_resource_file(tmp_path: Path) -> None:
    renderer = Renderer()
    r = resource(tmp_path, '{{ "x" }}\n')
    for _ in range(2):                                   # the error is kept until the file changes
        with pytest.raises(TemplateError, match=rf'ambiguous.*in \[template\] of {r.path}$'):
            renderer.render(r, Snapshot(1, VALUES))
    forced = resource(tmp_path, '{{ "x" }}\n', engine="go")
    assert renderer.render(forced, Snapshot(1, VALUES)) == "x\n"


def test_compile_checks_the_language_too(tmp_path: Path) -> None:
    """--check-config parses with the language rule: an undecidable template is an error."""
    Renderer().compile(resource(tmp_path, '{{getv "/a"}}'))
    with pytest.raises(TemplateError, match="neither a Go template"):
        Renderer().compile(resource(tmp_path, "{{ getv 'a' ( }}"))
