"""lbcommon.backends: only plain host:port values may reach nginx's server lines."""
from __future__ import annotations

import pytest

from lbcommon.backends import MAX_LENGTH, parse_backend, valid_backends

LONG_LABEL = "a" * 63
NAME_253 = ".".join([LONG_LABEL] * 3 + ["b" * 61])

GOOD = [
    ("ipv4", "10.0.0.1:80", "10.0.0.1:80"),
    ("ipv4-zero-host", "0.0.0.0:8080", "0.0.0.0:8080"),
    ("ipv4-max", "255.255.255.255:65535", "255.255.255.255:65535"),
    ("port-1", "10.0.0.1:1", "10.0.0.1:1"),
    ("port-leading-zeros", "10.0.0.1:0080", "10.0.0.1:80"),
    ("surrounding-whitespace", " \t10.0.0.1:8080\r\n", "10.0.0.1:8080"),
    ("ipv6-loopback", "[::1]:80", "[::1]:80"),
    ("ipv6-compressed", "[2001:DB8:0:0:0:0:0:1]:443", "[2001:db8::1]:443"),
    ("dns-simple", "localhost:80", "localhost:80"),
    ("dns-lowercased", "Web-1.Example.COM:443", "web-1.example.com:443"),
    ("dns-trailing-dot", "web.example.com.:80", "web.example.com:80"),
    ("dns-numeric-inner-labels", "123.example:80", "123.example:80"),
    ("dns-label-63", f"{LONG_LABEL}.com:80", f"{LONG_LABEL}.com:80"),
    ("dns-253-chars", f"{NAME_253}:80", f"{NAME_253}:80"),
    ("dns-punycode", "xn--bcher-kva.example:8443", "xn--bcher-kva.example:8443"),
]

BAD = [
    ("nginx-injection", "1.2.3.4:80; } server { listen 9999; }", "contains forbidden character ';'"),
    ("semicolon", "1.2.3.4:80;", "contains forbidden character ';'"),
    ("closing-brace", "1.2.3.4:80}", "contains forbidden character '}'"),
    ("opening-brace", "{1.2.3.4:80", "contains forbidden character '{'"),
    ("include-directive", "1.2.3.4:80;include /etc/passwd", "contains forbidden character ';'"),
    ("include-word", "include /etc/nginx/evil.conf", "contains whitespace/control characters"),
    ("inner-newline", "1.2.3.4:80\nserver 6.6.6.6:80", "contains whitespace/control characters"),
    ("inner-cr", "1.2.3.4:80\rx", "contains whitespace/control characters"),
    ("nul", "1.2.3.4:80\x00", "contains whitespace/control characters"),
    ("escape-sequence", "1.2.3.4:80\x1b[31m", "contains whitespace/control characters"),
    ("space-before-port", "1.2.3.4 :80", "contains whitespace/control characters"),
    ("space-in-port", "1.2.3.4:8 0", "contains whitespace/control characters"),
    ("tab-in-port", "1.2.3.4:\t80", "contains whitespace/control characters"),
    ("backup-flag", "localhost:80 backup", "contains whitespace/control characters"),
    ("weight-param", "localhost:80 weight=5", "contains whitespace/control characters"),
    ("single-quotes", "'1.2.3.4:80'", "contains forbidden character \"'\""),
    ("double-quotes", '"1.2.3.4:80"', "contains forbidden character '\"'"),
    ("hash-comment", "1.2.3.4:80#", "contains forbidden character '#'"),
    ("dollar-variable", "$host:80", "contains forbidden character '$'"),
    ("url", "http://1.2.3.4:80", "contains forbidden character '/'"),
    ("underscore", "foo_bar:80", "contains forbidden character '_'"),
    ("zone-id", "[fe80::1%eth0]:80", "contains forbidden character '%'"),
    ("plus-port", "1.2.3.4:+80", "contains forbidden character '+'"),
    ("fullwidth-digits", "１２３.1.1.1:80", "contains non-ASCII characters"),
    ("fullwidth-port", "1.2.3.4:８０", "contains non-ASCII characters"),
    ("nbsp-prefix", "\u00a01.2.3.4:80", "contains non-ASCII characters"),
    ("line-separator", "1.2.3.4\u2028:80", "contains non-ASCII characters"),
    ("empty", "", "empty"),
    ("only-spaces", "  \t\n", "empty"),
    ("too-long", "a" * MAX_LENGTH + ":80", f"longer than {MAX_LENGTH} characters"),
    ("too-long-injection", "1.2.3.4:80" + " " * 300 + "; }", f"longer than {MAX_LENGTH} characters"),
    ("dns-too-long", ".".join([LONG_LABEL] * 4) + ":80", "bad DNS name"),
    ("label-too-long", "a" * 64 + ".com:80", "bad DNS name"),
    ("leading-hyphen", "-foo:80", "bad DNS name"),
    ("trailing-hyphen", "foo-:80", "bad DNS name"),
    ("empty-label", "foo..bar:80", "bad DNS name"),
    ("two-trailing-dots", "web..:80", "bad DNS name"),
    ("numeric-tld", "foo.123:80", "bad DNS name"),
    ("ipv4-octet-999", "999.1.1.1:80", "bad IPv4 address"),
    ("ipv4-three-parts", "1.2.3:80", "bad IPv4 address"),
    ("ipv4-leading-zero", "01.2.3.4:80", "bad IPv4 address"),
    ("ipv4-trailing-dot", "1.2.3.4.:80", "bad IPv4 address"),
    ("ipv6-unbracketed-port", "::1:80", "IPv6 address must be in brackets"),
    ("ipv6-unbracketed", "fe80::1", "IPv6 address must be in brackets"),
    ("ipv6-unbracketed-long", "2001:db8::1:443", "IPv6 address must be in brackets"),
    ("ipv6-mapped-unbracketed", "::ffff:1.2.3.4:80", "IPv6 address must be in brackets"),
    ("ipv4-in-brackets", "[1.2.3.4]:80", "bad IPv6 address"),
    ("empty-brackets", "[]:80", "bad IPv6 address"),
    ("bracketed-no-port", "[::1]", "not host:port"),
    ("bracketed-no-colon", "[::1]80", "not host:port"),
    ("double-brackets", "[[::1]]:80", "not host:port"),
    ("stray-bracket", "a]:80", "not host:port"),
    ("two-ports", "1.2.3.4:80:90", "not host:port"),
    ("no-port", "localhost", "not host:port"),
    ("empty-port", "localhost:", "missing port"),
    ("empty-bracketed-port", "[::1]:", "missing port"),
    ("no-host", ":80", "missing host"),
    ("port-0", "1.2.3.4:0", "port 0 out of range 1-65535"),
    ("port-000", "1.2.3.4:000", "port 0 out of range 1-65535"),
    ("port-65536", "1.2.3.4:65536", "port 65536 out of range 1-65535"),
    ("port-huge", "1.2.3.4:99999999999999999999", "port 99999999999999999999 out of range 1-65535"),
    ("port-negative", "1.2.3.4:-1", "port '-1' is not decimal digits"),
    ("port-hex", "1.2.3.4:0x50", "port '0x50' is not decimal digits"),
    ("port-bracket", "[::1]:80]", "port '80]' is not decimal digits"),
]


@pytest.mark.parametrize(("value", "expected"), [case[1:] for case in GOOD], ids=[case[0] for case in GOOD])
def test_parse_backend_accepts_and_normalizes(value: str, expected: str) -> None:
    assert parse_backend(value) == expected


@pytest.mark.parametrize(("value", "reason"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_parse_backend_rejects_with_reason(value: str, reason: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_backend(value)
    assert str(excinfo.value) == reason


def test_corpus_sizes() -> None:
    assert len(BAD) >= 30 and len(GOOD) >= 12


def test_valid_backends_sorts_dedupes_and_reports() -> None:
    rejected: list[tuple[str, str, str]] = []
    items = [
        ("/s/web/c", "10.0.0.2:80"),
        ("/s/web/a", " 10.0.0.1:080 "),
        ("/s/web/evil", "1.2.3.4:80; } server { listen 9999; }"),
        ("/s/web/b", "10.0.0.1:80"),
        ("/s/web/d", "Web.Example:81"),
        ("/s/web/e", "web.example.:81"),
        ("/s/web/port0", "10.0.0.3:0"),
        ("/s/web/v6", "[::1]:80"),
    ]
    result = valid_backends(items, lambda key, value, reason: rejected.append((key, value, reason)))
    assert result == ["10.0.0.1:80", "10.0.0.2:80", "[::1]:80", "web.example:81"]
    assert rejected == [
        ("/s/web/evil", "1.2.3.4:80; } server { listen 9999; }", "contains forbidden character ';'"),
        ("/s/web/port0", "10.0.0.3:0", "port 0 out of range 1-65535"),
    ]


def test_valid_backends_empty_input() -> None:
    calls: list[tuple[str, str, str]] = []
    assert valid_backends([], lambda *args: calls.append(args)) == []
    assert calls == []


def test_valid_backends_accepts_a_generator() -> None:
    items = ((f"/k{i}", f"10.0.0.{i}:80") for i in (3, 1, 2))
    assert valid_backends(items, lambda *args: None) == ["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"]
