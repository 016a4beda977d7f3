"""balancer.funcs: confd's template functions (memkv store + template_funcs.go) as Jinja2 globals."""
from __future__ import annotations

import base64
import datetime
import logging
import socket
from pathlib import Path
from typing import Any

import jinja2
import pytest

from balancer.errors import MissingKeyError, TemplateError
from balancer.render import environment
from balancer.funcs import KVPair, go_base, go_clean, go_dir, make_globals, path_match

# memkv's own List/ListDir fixture (store_test.go listTestMap).
LIST_MAP = {
    "/deis/database/user": "user",
    "/deis/database/pass": "pass",
    "/deis/services/key": "value",
    "/deis/services/notaservice/foo": "bar",
    "/deis/services/srv1/node1": "10.244.1.1:80",
    "/deis/services/srv1/node2": "10.244.1.2:80",
    "/deis/services/srv1/node3": "10.244.1.3:80",
    "/deis/services/srv2/node1": "10.244.2.1:80",
    "/deis/services/srv2/node2": "10.244.2.2:80",
    "/deis/prefix/node1": "prefix_node1",
    "/deis/prefix/node2/leafnode": "prefix_node2",
    "/deis/prefix/node3/leafnode": "prefix_node3",
    "/deis/prefix_a/node4": "prefix_a_node4",
    "/deis/prefixb/node5/leafnode": "prefixb_node5",
    "/deis/dirprefix/node1": "prefix_node1",
    "/deis/dirprefix/node2/leafnode": "prefix_node2",
    "/deis/dirprefix/node3/leafnode": "prefix_node3",
    "/deis/dirprefix_a/node4": "prefix_a_node4",
    "/deis/dirprefixb/node5/leafnode": "prefixb_node5",
    "/deis/prefix/node2/sub1/leaf1": "prefix_node2_sub1_leaf1",
    "/deis/prefix/node2/sub1/leaf2": "prefix_node2_sub1_leaf2",
}

APACHE = {
    "/services/apache/c": "10.0.0.3:80",
    "/services/apache/a": "10.0.0.1:80",
    "/services/apache/b": "10.0.0.2:80",
    "/services/apache/sub/deep": "10.9.9.9:80",
    "/services/nginx/a": "10.1.0.1:80",
    "/app/name": "demo",
}


def g(values: dict[str, str] | None = None, **kwargs: Any) -> dict[str, Any]:
    return make_globals(APACHE if values is None else values, **kwargs)


# --- path.Match ------------------------------------------------------------------

MATCH = [  # Go's path/match_test.go table plus key-shaped cases
    ("literal", "abc", "abc", True),
    ("star-all", "*", "abc", True),
    ("star-suffix", "*c", "abc", True),
    ("star-empty", "a*", "a", True),
    ("star-rest", "a*", "abc", True),
    ("star-not-slash", "a*", "ab/c", False),
    ("star-then-slash", "a*/b", "abc/b", True),
    ("star-one-segment", "a*/b", "a/c/b", False),
    ("many-stars", "a*b*c*d*e*/f", "axbxcxdxexxx/f", True),
    ("many-stars-extra-dir", "a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False),
    ("many-stars-tail", "a*b*c*d*e*/f", "axbxcxdxexxx/fff", False),
    ("star-backtrack", "a*b?c*x", "abxbbxdbxebxczzx", True),
    ("star-backtrack-miss", "a*b?c*x", "abxbbxdbxebxczzy", False),
    ("class", "ab[c]", "abc", True),
    ("class-range", "ab[b-d]", "abc", True),
    ("class-range-miss", "ab[e-g]", "abc", False),
    ("class-negated", "ab[^c]", "abc", False),
    ("class-negated-range", "ab[^e-g]", "abc", True),
    ("escape-star", "a\\*b", "a*b", True),
    ("escape-star-miss", "a\\*b", "ab", False),
    ("question-unicode", "a?b", "a☺b", True),
    ("question-count", "a???b", "a☺b", False),
    ("class-unicode-range", "[a-ζ]*", "α", True),
    ("question-not-slash", "a?b", "a/b", False),
    ("star-not-slash-middle", "a*b", "a/b", False),
    ("class-escaped-bracket", "[\\]a]", "]", True),
    ("class-escaped-dash", "[x\\-]", "-", True),
    ("class-escaped-dash-miss", "[x\\-]", "z", False),
    ("star-x", "*x", "xxx", True),
    ("key-star", "/services/apache/*", "/services/apache/a", True),
    ("key-star-no-cross", "/services/apache/*", "/services/apache/sub/deep", False),
    ("key-star-dir", "/services/*/a", "/services/nginx/a", True),
    ("key-star-needs-child", "/services/apache/*", "/services/apache", False),
    ("key-star-empty-child", "/services/apache/*", "/services/apache/", True),
    ("empty-pattern", "", "", True),
    ("empty-pattern-name", "", "a", False),
    ("not-substring", "b", "abc", False),
]

BAD_PATTERNS = [
    ("class-starts-with-bracket", "[]a]"),
    ("class-lone-dash", "[-]"),
    ("class-trailing-dash", "[x-]"),
    ("class-leading-dash", "[-x]"),
    ("lone-backslash", "\\"),
    ("trailing-backslash", "a\\"),
    ("double-range", "[a-b-c]"),
    ("unclosed", "["),
    ("unclosed-negated", "[^"),
    ("unclosed-class", "[^bc"),
    ("unclosed-after-literal", "a["),
    ("unclosed-after-slash", "a/b["),
    ("bad-after-mismatch", "x*[", ),
]


@pytest.mark.parametrize(("pattern", "name", "want"), [c[1:] for c in MATCH], ids=[c[0] for c in MATCH])
def test_path_match(pattern: str, name: str, want: bool) -> None:
    assert path_match(pattern, name) is want


@pytest.mark.parametrize("pattern", [c[1] for c in BAD_PATTERNS], ids=[c[0] for c in BAD_PATTERNS])
@pytest.mark.parametrize("name", ["", "a", "x", "ab", "/services/a"])
def test_path_match_bad_pattern(pattern: str, name: str) -> None:
    with pytest.raises(ValueError, match="syntax error in pattern"):
        path_match(pattern, name)


@pytest.mark.parametrize(("func", "arg", "want"), [
    (go_clean, "", "."), (go_clean, "/", "/"), (go_clean, "a//b/./c/", "a/b/c"),
    (go_clean, "/../a/..", "/"), (go_clean, "a/../..", ".."), (go_clean, "../a/b/..", "../a"),
    (go_base, "", "."), (go_base, "/", "/"), (go_base, "///", "/"), (go_base, "/a/b/", "b"),
    (go_base, "a", "a"), (go_dir, "", "."), (go_dir, "a", "."), (go_dir, "/a", "/"),
    (go_dir, "/a/b/", "/a/b"), (go_dir, "/a//b", "/a"),
], ids=lambda v: getattr(v, "__name__", repr(v)))
def test_go_path_helpers(func: Any, arg: str, want: str) -> None:
    assert func(arg) == want


# --- store functions ------------------------------------------------------------


def test_kvpair_has_confd_and_python_spellings() -> None:
    kv = KVPair("/a", "1")
    assert (kv.key, kv.value, kv.Key, kv.Value) == ("/a", "1", "/a", "1")
    with pytest.raises(AttributeError):
        kv.key = "/b"  # type: ignore[misc]


@pytest.mark.parametrize(("key", "want"), [
    ("/app/name", True), ("/app", False), ("app/name", False), ("/app/name/", False), ("", False),
])
def test_exists(key: str, want: bool) -> None:
    assert g()["exists"](key) is want


def test_get_and_getv() -> None:
    funcs = g()
    assert funcs["get"]("/app/name") == KVPair("/app/name", "demo")
    assert funcs["getv"]("/app/name") == "demo"
    assert funcs["getv"]("/app/name", "fallback") == "demo"
    assert funcs["getv"]("/app/missing", "fallback") == "fallback"
    assert funcs["getv"]("/app/missing", "") == ""


def test_getv_returns_empty_value_not_default() -> None:
    assert g({"/k": ""})["getv"]("/k", "default") == ""


@pytest.mark.parametrize("func", ["get", "getv"])
@pytest.mark.parametrize("key", ["/app/missing", "app/name", "/app/name/"])
def test_missing_key_names_the_key(func: str, key: str) -> None:
    with pytest.raises(MissingKeyError) as excinfo:
        g()[func](key)
    assert str(excinfo.value) == f"key {key} not found in etcd"
    assert isinstance(excinfo.value, TemplateError)


def test_gets_sorted_by_key_and_star_stays_in_one_segment() -> None:
    assert g()["gets"]("/services/apache/*") == [
        KVPair("/services/apache/a", "10.0.0.1:80"),
        KVPair("/services/apache/b", "10.0.0.2:80"),
        KVPair("/services/apache/c", "10.0.0.3:80"),
    ]


@pytest.mark.parametrize(("pattern", "want"), [
    ("/services/*/a", ["10.0.0.1:80", "10.1.0.1:80"]),
    ("/services/apache/[ab]", ["10.0.0.1:80", "10.0.0.2:80"]),
    ("/services/apache/[^ab]", ["10.0.0.3:80"]),
    ("/services/apache/*/*", ["10.9.9.9:80"]),
    ("/services/apache/?", ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"]),
    ("/app/name", ["demo"]),
    ("/nothing/*", []),
    ("services/apache/*", []),
])
def test_getvs(pattern: str, want: list[str]) -> None:
    assert g()["getvs"](pattern) == want


def test_getvs_sorts_by_value_not_key() -> None:
    values = {"/s/a": "zeta", "/s/b": "alpha", "/s/c": "Mid", "/s/d": "alpha"}
    assert g(values)["getvs"]("/s/*") == ["Mid", "alpha", "alpha", "zeta"]
    assert [kv.key for kv in g(values)["gets"]("/s/*")] == ["/s/a", "/s/b", "/s/c", "/s/d"]


@pytest.mark.parametrize("func", ["gets", "getvs", "backends"])
@pytest.mark.parametrize("values", [APACHE, {}], ids=["keys", "empty-store"])
def test_bad_pattern_is_template_error_naming_pattern(func: str, values: dict[str, str]) -> None:
    with pytest.raises(TemplateError) as excinfo:
        g(values)[func]("/services/[a-")
    assert str(excinfo.value) == "bad key pattern '/services/[a-': syntax error in pattern"


@pytest.mark.parametrize(("func", "path", "want"), [
    ("ls", "/deis/services", ["key", "notaservice", "srv1", "srv2"]),
    ("ls", "/deis/services/", ["key", "notaservice", "srv1", "srv2"]),
    ("ls", "/deis/services/key", ["key"]),
    ("ls", "/deis/prefix", ["node1", "node2", "node3"]),
    ("ls", "/deis/prefix/", ["node1", "node2", "node3"]),
    ("ls", "/deis/prefix/node2/sub1", ["leaf1", "leaf2"]),
    ("ls", "/deis", ["database", "dirprefix", "dirprefix_a", "dirprefixb", "prefix", "prefix_a",
                     "prefixb", "services"]),
    ("ls", "/nothing", []),
    ("ls", "deis/services", []),
    ("lsdir", "/deis/services", ["notaservice", "srv1", "srv2"]),
    ("lsdir", "/deis/services/", ["notaservice", "srv1", "srv2"]),
    ("lsdir", "/deis/dirprefix", ["node2", "node3"]),
    ("lsdir", "/deis/dirprefix/", ["node2", "node3"]),
    ("lsdir", "/deis/prefix", ["node2", "node3"]),
    ("lsdir", "/deis/prefix/node2", ["sub1"]),
    ("lsdir", "/deis/services/key", []),
    ("lsdir", "/deis/database", []),
    ("lsdir", "/nothing", []),
])
def test_ls_and_lsdir_match_memkv(func: str, path: str, want: list[str]) -> None:
    assert g(LIST_MAP)[func](path) == want


def test_ls_keeps_memkv_quirks() -> None:
    funcs = g({"/top": "1", "/dir/leaf": "2", "/dir/sub/leaf": "3"})
    assert funcs["ls"]("/") == ["top"]
    assert funcs["lsdir"]("/") == []
    # An unclean path matches by terms but is not a string prefix of the keys.
    assert funcs["ls"]("/./dir") == ["dir"]
    assert funcs["lsdir"]("/./dir") == []
    assert funcs["lsdir"]("/dir") == ["sub"]


def test_backends_filters_and_reports() -> None:
    values = {
        "/services/web/a": "10.0.0.2:80",
        "/services/web/b": "10.0.0.1:80",
        "/services/web/c": "10.0.0.1:0080",
        "/services/web/evil": "1.2.3.4:80; } server { listen 9999; }",
        "/services/web/sub/x": "10.0.0.9:80",
    }
    rejected: list[tuple[str, str, str]] = []
    funcs = g(values, on_reject=lambda *args: rejected.append(args))
    assert funcs["backends"]("/services/web/*") == ["10.0.0.1:80", "10.0.0.2:80"]
    assert rejected == [("/services/web/evil", "1.2.3.4:80; } server { listen 9999; }",
                         "contains forbidden character ';'")]


def test_backends_default_on_reject_logs_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="balancer.funcs"):
        assert g({"/s/a": "bad value"})["backends"]("/s/*") == []
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "rejected backend value 'bad value' at key /s/a: contains whitespace/control characters"),
    ]


# --- stateless helpers ----------------------------------------------------------

HELPERS = [
    ("base", ("/services/apache/a",), "a"),
    ("dir", ("/services/apache/a",), "/services/apache"),
    ("split", ("a,b,,c", ","), ["a", "b", "", "c"]),
    ("split-empty-sep", ("abc", ""), ["a", "b", "c"]),
    ("split-empty-string", ("", ","), [""]),
    ("join", (["a", "b", "c"], "-"), "a-b-c"),
    ("join-empty", ([], ","), ""),
    ("toUpper", ("Web1",), "WEB1"),
    ("toLower", ("Web1",), "web1"),
    ("contains", ("upstream", "stream"), True),
    ("contains-miss", ("upstream", "down"), False),
    ("replace-all", ("a.b.c", ".", "_", -1), "a_b_c"),
    ("replace-n", ("a.b.c", ".", "_", 1), "a_b.c"),
    ("replace-zero", ("a.b.c", ".", "_", 0), "a.b.c"),
    ("trimSuffix", ("web.example.com", ".com"), "web.example"),
    ("trimSuffix-miss", ("web.example.com", ".org"), "web.example.com"),
    ("json", ('{"a": 1, "b": [true, null]}',), {"a": 1, "b": [True, None]}),
    ("json-null", ("null",), {}),
    ("jsonArray", ('[1, "x", {"y": 2}]',), [1, "x", {"y": 2}]),
    ("jsonArray-null", ("null",), []),
    ("map", ("a", 1, "b", "two"), {"a": 1, "b": "two"}),
    ("map-empty", (), {}),
    ("parseBool-1", ("1",), True), ("parseBool-t", ("t",), True), ("parseBool-TRUE", ("TRUE",), True),
    ("parseBool-True", ("True",), True), ("parseBool-0", ("0",), False), ("parseBool-F", ("F",), False),
    ("parseBool-false", ("false",), False), ("parseBool-FALSE", ("FALSE",), False),
    ("atoi", ("42",), 42), ("atoi-neg", ("-7",), -7), ("atoi-plus", ("+7",), 7), ("atoi-zeros", ("007",), 7),
    ("reverse", (["a", "b", "c"],), ["c", "b", "a"]),
    ("reverse-empty", ([],), []),
    ("sortByLength", (["ccc", "a", "bb", "d", "ee"],), ["a", "d", "bb", "ee", "ccc"]),
    ("seq", (3, 5), [3, 4, 5]), ("seq-one", (2, 2), [2]), ("seq-empty", (5, 3), []),
    ("add", (2, 3), 5), ("sub", (2, 3), -1), ("mul", (-4, 3), -12),
    ("div", (7, 2), 3), ("div-neg", (-7, 2), -3), ("div-neg-divisor", (7, -2), -3), ("div-both-neg", (-7, -2), 3),
    ("mod", (7, 3), 1), ("mod-neg", (-7, 3), -1), ("mod-neg-divisor", (7, -3), 1),
    ("base64Encode", ("server 1.2.3.4:80;",), "c2VydmVyIDEuMi4zLjQ6ODA7"),
    ("base64Encode-unicode", ("é",), "w6k="),
    ("base64Decode", ("c2VydmVyIDEuMi4zLjQ6ODA7",), "server 1.2.3.4:80;"),
    ("base64Decode-newlines", ("c2Vy\r\ndmVy",), "server"),
    ("base64Decode-not-utf8", (base64.b64encode(b"a\xffb").decode(),), "a\ufffdb"),
]


@pytest.mark.parametrize(("name", "args", "want"), [(c[0].split("-")[0], *c[1:]) for c in HELPERS],
                         ids=[c[0] for c in HELPERS])
def test_helper(name: str, args: tuple[Any, ...], want: Any) -> None:
    assert g()[name](*args) == want


HELPER_ERRORS = [
    ("json-array-given", "json", ("[1]",), "json: expected a JSON dict, got list"),
    ("json-invalid", "json", ("{",), "json: invalid JSON"),
    ("json-nan", "json", ('{"a": NaN}',), "json: invalid JSON"),
    ("jsonArray-object-given", "jsonArray", ('{"a": 1}',), "jsonArray: expected a JSON list, got dict"),
    ("map-odd", "map", ("a", 1, "b"), "invalid map call"),
    ("map-non-str-key", "map", (1, 2), "map keys must be strings"),
    ("parseBool-yes", "parseBool", ("yes",), 'parseBool: parsing "yes": invalid syntax'),
    ("parseBool-spaced", "parseBool", (" true",), 'parseBool: parsing " true": invalid syntax'),
    ("atoi-space", "atoi", (" 1",), 'atoi: parsing " 1": invalid syntax'),
    ("atoi-underscore", "atoi", ("1_000",), 'atoi: parsing "1_000": invalid syntax'),
    ("atoi-fullwidth", "atoi", ("１２３",), 'atoi: parsing "１２３": invalid syntax'),
    ("atoi-empty", "atoi", ("",), 'atoi: parsing "": invalid syntax'),
    ("atoi-overflow", "atoi", ("9223372036854775808",), 'atoi: parsing "9223372036854775808": value out of range'),
    ("add-strings", "add", ("1", "2"), "expected an integer, got '1'"),
    ("add-bool", "add", (True, 1), "expected an integer, got True"),
    ("seq-string", "seq", ("1", 3), "expected an integer, got '1'"),
    ("div-zero", "div", (1, 0), "integer divide by zero"),
    ("mod-zero", "mod", (1, 0), "integer divide by zero"),
    ("base64Decode-bad", "base64Decode", ("not base64!",), "base64Decode"),
    ("base64Decode-no-padding", "base64Decode", ("w6k",), "base64Decode"),
]


@pytest.mark.parametrize(("name", "args", "message"), [c[1:] for c in HELPER_ERRORS],
                         ids=[c[0] for c in HELPER_ERRORS])
def test_helper_errors(name: str, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(TemplateError) as excinfo:
        g()[name](*args)
    assert str(excinfo.value).startswith(message)


def test_atoi_accepts_int64_bounds() -> None:
    assert g()["atoi"]("-9223372036854775808") == -(2**63)
    assert g()["atoi"]("9223372036854775807") == 2**63 - 1


def test_sort_kv_by_length_is_stable() -> None:
    kvs = [KVPair("/ccc", "1"), KVPair("/b", "2"), KVPair("/a", "3"), KVPair("/dd", "4")]
    assert g()["sortKVByLength"](kvs) == [KVPair("/b", "2"), KVPair("/a", "3"), KVPair("/dd", "4"),
                                          KVPair("/ccc", "1")]
    assert kvs[0] == KVPair("/ccc", "1"), "input must not be sorted in place"


def test_reverse_does_not_mutate() -> None:
    items = ["a", "b"]
    assert g()["reverse"](items) == ["b", "a"]
    assert items == ["a", "b"]


def test_getenv(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LB_TEST_SET", "value")
    monkeypatch.setenv("LB_TEST_EMPTY", "")
    monkeypatch.delenv("LB_TEST_UNSET", raising=False)
    getenv = g()["getenv"]
    assert [getenv("LB_TEST_SET"), getenv("LB_TEST_SET", "d"), getenv("LB_TEST_UNSET"),
            getenv("LB_TEST_UNSET", "d"), getenv("LB_TEST_EMPTY", "d")] == ["value", "value", "", "d", "d"]


def test_datetime_is_now() -> None:
    before = datetime.datetime.now()
    now = g()["datetime"]()
    assert isinstance(now, datetime.datetime) and before <= now <= datetime.datetime.now()


def test_file_exists(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    exists = g()["fileExists"]
    assert [exists(str(tmp_path / "f")), exists(str(tmp_path)), exists(str(tmp_path / "missing")),
            exists(""), exists("bad\x00path")] == [True, True, False, False, False]


def fake_addrinfo(addresses: list[str]) -> Any:
    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0))
                for a in addresses]
    return getaddrinfo


def test_lookup_ip_sorts_dedupes_and_spells_like_go(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_addrinfo(
        ["10.0.0.2", "fe80::1%eth0", "10.0.0.10", "10.0.0.2", "::ffff:10.0.0.3", "2001:db8::1"]))
    funcs = g()
    assert funcs["lookupIP"]("svc") == ["10.0.0.10", "10.0.0.2", "10.0.0.3", "2001:db8::1", "fe80::1"]
    assert funcs["lookupIPV4"]("svc") == ["10.0.0.10", "10.0.0.2", "10.0.0.3"]
    assert funcs["lookupIPV6"]("svc") == ["2001:db8::1", "fe80::1"]


def test_lookup_ip_failure_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", fail)
    assert (g()["lookupIP"]("nope"), g()["lookupIPV4"]("nope"), g()["lookupIPV6"]("nope")) == ([], [], [])


def test_lookup_ip_numeric_real_resolver() -> None:
    assert g()["lookupIP"]("127.0.0.1") == ["127.0.0.1"]


def test_lookup_srv_is_omitted() -> None:
    assert "lookupSRV" not in g()


def test_globals_are_confd_names() -> None:
    assert set(g()) == {
        "exists", "get", "gets", "getv", "getvs", "ls", "lsdir", "backends", "base", "dir", "split", "join",
        "toUpper", "toLower", "contains", "replace", "trimSuffix", "json", "jsonArray", "map", "getenv",
        "datetime", "parseBool", "atoi", "reverse", "sortByLength", "sortKVByLength", "seq", "add", "sub",
        "mul", "div", "mod", "base64Encode", "base64Decode", "fileExists", "lookupIP", "lookupIPV4",
        "lookupIPV6",
    }


# --- rendering through Jinja2 ---------------------------------------------------


def render(source: str, values: dict[str, str] | None = None, **kwargs: Any) -> str:
    """Through the environment production renders in (balancer.render.environment)."""
    env = environment(jinja2.DictLoader({"t.tmpl": source}))
    return env.get_template("t.tmpl").render(g(values, **kwargs))


UPSTREAM = """\
upstream apache {
{%- for s in backends("/services/apache/*") %}
    server {{ s }};
{%- else %}
    server 127.0.0.1:65535 down;
{%- endfor %}
}
"""


def test_render_upstream_block() -> None:
    values = dict(APACHE, **{"/services/apache/evil": "1.2.3.4:80; } server { listen 9999; }"})
    rejected: list[tuple[str, str, str]] = []
    out = render(UPSTREAM, values, on_reject=lambda *args: rejected.append(args))
    assert out == ("upstream apache {\n    server 10.0.0.1:80;\n    server 10.0.0.2:80;\n"
                   "    server 10.0.0.3:80;\n}\n")
    assert [r[0] for r in rejected] == ["/services/apache/evil"]


def test_render_upstream_block_without_backends() -> None:
    assert render(UPSTREAM, {}) == "upstream apache {\n    server 127.0.0.1:65535 down;\n}\n"


@pytest.mark.parametrize(("source", "want"), [
    ('{{ getv("/app/name") }}', "demo"),
    ('{{ getv("/app/port", "8080") }}', "8080"),
    ('{% if exists("/app/name") %}yes{% endif %}', "yes"),
    ('{% for kv in gets("/services/apache/*") %}{{ kv.Key }}={{ kv.Value }} {% endfor %}',
     "/services/apache/a=10.0.0.1:80 /services/apache/b=10.0.0.2:80 /services/apache/c=10.0.0.3:80 "),
    ('{% for kv in gets("/services/*/a") %}{{ base(dir(kv.key)) }}:{{ kv.value }} {% endfor %}',
     "apache:10.0.0.1:80 nginx:10.1.0.1:80 "),
    ('{{ join(getvs("/services/apache/*"), ",") }}', "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80"),
    ('{{ join(ls("/services"), " ") }}|{{ join(lsdir("/services/apache"), " ") }}', "apache nginx|sub"),
    ('{% for i in seq(1, 3) %}{{ add(i, 10) }} {% endfor %}', "11 12 13 "),
    ('{{ json(\'{"port": 80}\')["port"] }}', "80"),
    ('{{ map("a", 1)["a"] }}', "1"),
    ('{{ toUpper(get("/app/name").value) }}', "DEMO"),
])
def test_render_snippets(source: str, want: str) -> None:
    assert render(source) == want


@pytest.mark.parametrize("source", ['{{ getv("/app/missing") }}', '{{ get("/app/missing").value }}'])
def test_render_missing_key_raises(source: str) -> None:
    with pytest.raises(MissingKeyError, match="^key /app/missing not found in etcd$"):
        render(source)


def test_render_unknown_function_is_strict() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render('{{ lookupSRV("http", "tcp", "example.com") }}')
