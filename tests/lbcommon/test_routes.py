"""lbcommon.routes: label values and route keys are validated the same way everywhere."""
from __future__ import annotations

import pytest

from lbcommon.routes import (KeyLayout, Route, parse_address, parse_hosts, parse_path, parse_service,
                             parse_weight)


@pytest.mark.parametrize("text,expected", [
    ("web.example.com", ("web.example.com",)),
    ("www.example.com,web.example.com", ("web.example.com", "www.example.com")),
    (" Web.Example.COM , web.example.com. ", ("web.example.com",)),
    ("localhost", ("localhost",)),
    ("a-b.c1.example", ("a-b.c1.example",)),
])
def test_good_hosts(text: str, expected: tuple[str, ...]) -> None:
    assert parse_hosts(text) == expected


@pytest.mark.parametrize("text", [
    "", " ", "web.example.com,", ",web", "web example.com", "web_example.com", "-web.com", "web-.com",
    "*.example.com", "web.example.com;", "1.2.3.4", "a" * 64 + ".com", "web.example.com:80", "wéb.com",
    "web..com", "web.example.com/x", "x" * 250 + ".example.com", "web.com'", 'web.com"',
])
def test_bad_hosts(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hosts(text)


@pytest.mark.parametrize("text,expected", [
    ("/", "/"), ("/api", "/api/"), ("/api/", "/api/"), ("/a/b-c_d.e~f/", "/a/b-c_d.e~f/"),
    ("/v1:beta@x+y,z=1&q!*", "/v1:beta@x+y,z=1&q!*/"),
])
def test_good_paths(text: str, expected: str) -> None:
    assert parse_path(text) == expected


@pytest.mark.parametrize("text", [
    "", "api", "/a b", "/a\tb", "/a'b", '/a"b', "/a;b", "/a{", "/a}", "/$host", "/a#b", "/a%20b",
    "/a\\b", "/é", "//", "/a//b", "/./", "/a/../b", "/" + "a" * 200, "/a\nb",
])
def test_bad_paths(text: str) -> None:
    with pytest.raises(ValueError):
        parse_path(text)


@pytest.mark.parametrize("text,expected", [("1", 1), ("100", 100), ("007", 7)])
def test_good_weights(text: str, expected: int) -> None:
    assert parse_weight(text) == expected


@pytest.mark.parametrize("text", ["0", "101", "-1", "+2", "1.5", "", " 2", "two", "²", "1e2"])
def test_bad_weights(text: str) -> None:
    with pytest.raises(ValueError):
        parse_weight(text)


@pytest.mark.parametrize("name,ok", [
    ("web", True), ("web-2.v1_x", True), ("A1", True), ("a" * 63, True), ("a" * 64, False),
    ("", False), ("-web", False), (".web", False), ("we b", False), ("web/x", False), ("wéb", False),
])
def test_service_names(name: str, ok: bool) -> None:
    if ok:
        assert parse_service(name) == name
    else:
        with pytest.raises(ValueError):
            parse_service(name)


def test_route_value_round_trip() -> None:
    route = Route(("web.example.com", "www.example.com"), "/api/", 3)
    assert route.to_value() == '{"hosts":["web.example.com","www.example.com"],"path":"/api/","weight":3}'
    assert Route.from_value(route.to_value()) == route
    assert Route.from_value("{}") == Route()
    assert Route.from_value('{"hosts":["WWW.example.com"],"path":"/api"}') == Route(("www.example.com",), "/api/")


@pytest.mark.parametrize("value,reason", [
    ("", "not JSON"), ("[1]", "not a JSON object"), ('{"hosts":"a.com"}', "hosts is not a list"),
    ('{"hosts":[1]}', "hosts is not a list"), ('{"path":1}', "path is not a string"),
    ('{"weight":"2"}', "weight is not an integer"), ('{"weight":true}', "weight is not an integer"),
    ('{"weight":0}', "not in 1-100"), ('{"path":"x"}', "does not start"), ('{"hosts":["a b"]}', "not a host"),
    ('{"extra":1}', "unknown field"),
])
def test_bad_route_values(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        Route.from_value(value)


def test_key_layout() -> None:
    layout = KeyLayout("services/", "/lb/")
    assert layout.backend_key("web", "10.0.0.1:80") == "/services/web/10.0.0.1:80"
    assert layout.route_key("web", "10.0.0.1:80") == "/lb/routes/web/10.0.0.1:80"
    assert layout.drain_key("web", "[::1]:80") == "/lb/drain/web/[::1]:80"
    assert layout.maintenance_key("web") == "/lb/maintenance/web"
    assert parse_address("[0:0::1]:080") == "[::1]:80"
