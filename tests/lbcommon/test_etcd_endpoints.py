from __future__ import annotations

from pathlib import Path

import pytest

from lbcommon.etcd import Credentials, Endpoint, EndpointError, connect, endpoints_from_env, parse_endpoints


@pytest.mark.parametrize("values,expected", [
    (["127.0.0.1:2379"], [Endpoint("127.0.0.1", 2379)]),
    (["http://10.0.0.1:4001"], [Endpoint("10.0.0.1", 4001, secure=False)]),
    (["https://etcd.example:2379"], [Endpoint("etcd.example", 2379, secure=True)]),
    (["etcd.local"], [Endpoint("etcd.local", 2379)]),
    (["[::1]:2379"], [Endpoint("::1", 2379)]),
    (["a:1,b:2", "c:3"], [Endpoint("a", 1), Endpoint("b", 2), Endpoint("c", 3)]),
    (["a:1, a:1 ,"], [Endpoint("a", 1)]),
])
def test_parse(values: list[str], expected: list[Endpoint]) -> None:
    assert list(parse_endpoints(values)) == expected


@pytest.mark.parametrize("value,message", [
    ("ftp://a:1", "scheme must be http or https"),
    ("a:port", "bad etcd endpoint 'a:port'"),
    ("a:99999", "bad etcd endpoint"),
    ("http://a:1/path", "expected host:port"),
    ("http://user@a:1", "expected host:port"),
])
def test_bad(value: str, message: str) -> None:
    with pytest.raises(EndpointError, match=message):
        parse_endpoints([value])


def test_none_given() -> None:
    with pytest.raises(EndpointError, match="no etcd endpoint"):
        parse_endpoints(["", " , "])


def test_str_and_env() -> None:
    assert str(Endpoint("::1", 2379)) == "[::1]:2379"                 # as given: no scheme
    assert str(Endpoint("::1", 2379, secure=False)) == "http://[::1]:2379"
    assert str(Endpoint("a", 1, secure=True)) == "https://a:1"
    assert endpoints_from_env({"ETCD_ENDPOINTS": "a:1,b:2"}) == ("a:1,b:2",)
    assert endpoints_from_env({}) == ()


CA = "ca.pem"


@pytest.mark.parametrize("values,credentials,expected", [
    (["a:1"], Credentials(), {"a:1": False}),                              # plain by default
    (["a:1"], Credentials(ca_cert=CA), {"a:1": True}),                     # bare + CA: TLS
    (["a:1"], Credentials(cert="c.pem", key="k.pem"), {"a:1": True}),      # bare + client cert: TLS
    (["https://a:1", "b:2"], Credentials(), {"a:1": True, "b:2": True}),   # bare follows https siblings
    (["http://a:1"], Credentials(ca_cert=CA), {"a:1": False}),             # an explicit http:// stays plain
    (["http://a:1", "https://b:2"], Credentials(ca_cert=CA), {"a:1": False, "b:2": True}),
])
def test_scheme_decides_tls_per_endpoint(values, credentials, expected, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("ca.pem", "c.pem", "k.pem"):     # read when the client is made, used at connect
        Path(name).write_text("not checked before a connection\n")
    client = connect(parse_endpoints(values), credentials)
    try:
        assert {name: ep.secure for name, ep in client.endpoints.items()} == expected
    finally:
        client.close()
