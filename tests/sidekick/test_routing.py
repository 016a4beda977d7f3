"""sidekick.routing: labels -> route claim; a bad label names the container and the label."""
from __future__ import annotations

import pytest

from lbcommon.etcd import Endpoint
from lbcommon.routes import Route
from sidekick.config import Config
from sidekick.container import Container
from sidekick.errors import NotRegistrable
from sidekick.routing import label_problem, route_of, service_name

CONFIG = Config(endpoints=(Endpoint("127.0.0.1", 2379),), host_ip="10.1.2.3")


def container(**labels: str) -> Container:
    return Container(id="c" * 64, name="web.1", image="img", labels=labels)


def test_no_routing_label_no_route() -> None:
    assert route_of(container(**{"sidekick.service": "web"})) is None
    empty = {"sidekick.hosts": "", "sidekick.path": "", "sidekick.weight": ""}     # a unit's unset variables
    assert route_of(container(**empty)) is None


def test_labels_make_a_route() -> None:
    c = container(**{"sidekick.service": "web", "sidekick.hosts": "www.example.com,Web.example.com",
                     "sidekick.path": "/shop", "sidekick.weight": "5"})
    assert route_of(c) == Route(("web.example.com", "www.example.com"), "/shop/", 5)
    assert service_name(c, CONFIG) == "web"
    assert route_of(container(**{"sidekick.weight": "2"})) == Route((), "/", 2)
    assert service_name(container(), CONFIG) == "apache"


@pytest.mark.parametrize("label,value", [
    ("sidekick.hosts", "web example.com"), ("sidekick.hosts", " "), ("sidekick.hosts", "web.com,"),
    ("sidekick.path", "shop"), ("sidekick.path", "/a b"), ("sidekick.path", "/a'b"),
    ("sidekick.weight", "0"), ("sidekick.weight", "101"), ("sidekick.weight", "x"),
    ("sidekick.service", "bad/name"),
])
def test_a_bad_label_names_the_container_and_the_label(label: str, value: str) -> None:
    c = container(**{label: value})
    with pytest.raises(NotRegistrable) as caught:
        service_name(c, CONFIG)
        route_of(c)
    message = str(caught.value)
    assert message.startswith(f"container web.1 ({'c' * 12}): label {label}={value!r}: ")
    assert "\n" not in message
    assert label_problem(c) == message


def test_valid_labels_have_no_problem() -> None:
    assert label_problem(container(**{"sidekick.service": "web", "sidekick.hosts": "a.example.com"})) is None
