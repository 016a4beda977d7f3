"""Validation of backend addresses read from etcd before they reach nginx.

A backend value is spliced verbatim into ``server VALUE;`` lines, so anything
that is not a plain ``host:port`` could rewrite the nginx configuration (for
example ``1.2.3.4:80; } server { listen 9999; }``).  We therefore accept only a
strict whitelist of shapes and hand every rejection back to the caller, who
logs it and keeps rendering with the remaining backends.

Accepted shapes (after stripping surrounding ASCII whitespace):

* ``A.B.C.D:PORT``  strict dotted-quad IPv4 (``ipaddress.IPv4Address``);
* ``[IPV6]:PORT``   bracketed IPv6 without zone id, normalized to compressed form;
* ``NAME:PORT``     RFC 1123 DNS name, lower-cased, one trailing dot dropped.

PORT is ASCII decimal digits in 1-65535; leading zeros are normalized away.
"""
from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterable

__all__ = ["MAX_LENGTH", "check_backend", "parse_backend", "valid_backends"]

# Checked before any parsing so a huge value costs nothing; a DNS name
# (253) plus brackets, colon and port never gets near this.
MAX_LENGTH = 300
_MAX_DNS_LENGTH = 253

# Only plain ASCII spaces/tabs/newlines are stripped: exotic Unicode spaces
# are more likely an attack or a copy-paste accident than padding.
_STRIP = " \t\r\n\f\v"
# Every character a valid backend can contain; anything else is rejected
# before the shape is even looked at, which is what stops injection.
_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_DIGITS = re.compile(r"[0-9]+")
_DIGITS_AND_DOTS = re.compile(r"[0-9.]+")


def parse_backend(value: str) -> str:
    """Return ``value`` normalized to ``host:port`` or raise ``ValueError`` saying why."""
    if len(value) > MAX_LENGTH:
        raise ValueError(f"longer than {MAX_LENGTH} characters")
    text = value.strip(_STRIP)
    if not text:
        raise ValueError("empty")
    _check_characters(text)
    host, port = _split_host_port(text)
    return f"{_normalize_host(host)}:{_parse_port(port)}"


def valid_backends(
    items: Iterable[tuple[str, str]],
    on_reject: Callable[[str, str, str], None],
) -> list[str]:
    """Return the sorted, de-duplicated valid backends; report each rejected (key, value, reason)."""
    accepted: set[str] = set()
    for key, value in items:
        ok, result = check_backend(value)
        if ok:
            accepted.add(result)
        else:
            on_reject(key, value, result)
    return sorted(accepted)


@functools.lru_cache(maxsize=65536)
def check_backend(value: str) -> tuple[bool, str]:
    """(True, normalized) or (False, reason): values repeat from one render to the next."""
    try:
        return True, parse_backend(value)
    except ValueError as exc:
        return False, str(exc)


def _check_characters(text: str) -> None:
    for char in text:
        if char in _ALLOWED:
            continue
        if not char.isascii():
            raise ValueError("contains non-ASCII characters")
        if char.isspace() or not char.isprintable():
            raise ValueError("contains whitespace/control characters")
        raise ValueError(f"contains forbidden character {char!r}")


def _split_host_port(text: str) -> tuple[str, str]:
    """Split into (host, port); a bracketed host keeps its brackets."""
    if text.startswith("["):
        close = text.find("]")
        if close < 0 or text[close + 1 : close + 2] != ":":
            raise ValueError("not host:port")
        return text[: close + 1], text[close + 2 :]
    if text.count(":") > 1:
        raise ValueError(_many_colons_reason(text))
    host, colon, port = text.partition(":")
    if not colon or "[" in text or "]" in text:
        raise ValueError("not host:port")
    if not host:
        raise ValueError("missing host")
    return host, port


def _many_colons_reason(text: str) -> str:
    # Only IPv6 literals legitimately contain several colons; say so when the
    # value (with or without a trailing :port) parses as one.
    for candidate in (text, text.rpartition(":")[0]):
        if _is_ipv6(candidate):
            return "IPv6 address must be in brackets"
    return "not host:port"


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _parse_port(port: str) -> int:
    if not port:
        raise ValueError("missing port")
    if not _DIGITS.fullmatch(port):
        raise ValueError(f"port {port!r} is not decimal digits")
    number = int(port)
    if not 1 <= number <= 65535:
        raise ValueError(f"port {number} out of range 1-65535")
    return number


def _normalize_host(host: str) -> str:
    if host.startswith("["):
        return f"[{_parse_ipv6(host[1:-1])}]"
    # Digits and dots only can never be a DNS name (the last label would be
    # numeric), so "1.2.3" or "999.1.1.1" is judged as a broken IPv4 address.
    if _DIGITS_AND_DOTS.fullmatch(host):
        return _parse_ipv4(host)
    return _parse_dns_name(host)


def _parse_ipv6(text: str) -> str:
    try:
        return ipaddress.IPv6Address(text).compressed
    except ValueError:
        raise ValueError("bad IPv6 address") from None


def _parse_ipv4(text: str) -> str:
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        raise ValueError("bad IPv4 address") from None


def _parse_dns_name(name: str) -> str:
    # One trailing dot marks a fully qualified name; it is dropped so
    # "web." and "web" count as the same backend.
    if name.endswith("."):
        name = name[:-1]
    if not name or len(name) > _MAX_DNS_LENGTH:
        raise ValueError("bad DNS name")
    labels = name.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError("bad DNS name")
    if _DIGITS.fullmatch(labels[-1]):
        raise ValueError("bad DNS name")
    return name.lower()
