from __future__ import annotations

import signal
from typing import Any

import pytest

from lbcommon.etcd import Endpoint
from sidekick.config import Config
from sidekick.container import (Container, backend_address, image_matches, is_selected, is_terminating,
                                kill_signal, service_port)
from sidekick.routing import service_name
from sidekick.errors import NotRegistrable

CONFIG = Config(endpoints=(Endpoint("127.0.0.1", 2379),), host_ip="10.1.2.3")


def inspect(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "Id": "f" * 64, "Name": "/apache.8081",
        "Config": {"Image": "user/apache:2.4", "Labels": {}, "ExposedPorts": {"80/tcp": {}}},
        "State": {"Running": True, "Paused": False},
        "NetworkSettings": {"Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8081"}]},
                            "Networks": {"bridge": {"IPAddress": "172.17.0.5"}}},
        "HostConfig": {"NetworkMode": "bridge"},
    }
    for key, value in over.items():
        section, _, field = key.partition("__")
        if field:
            data[section][field] = value
        else:
            data[section] = value
    return data


def test_from_inspect() -> None:
    c = Container.from_inspect(inspect(State={"Running": True, "Health": {"Status": "starting"}}))
    assert c.name == "apache.8081" and c.short_id == "f" * 12
    assert c.exposed == ("80/tcp",) and c.published == {"80/tcp": (("0.0.0.0", "8081"),)}
    assert c.networks == {"bridge": "172.17.0.5"} and c.health == "starting"


@pytest.mark.parametrize("config,labels,image,name,selected", [
    (CONFIG, {}, "user/apache:2.4", "x", False),
    (CONFIG, {"sidekick.service": "web"}, "anything", "x", True),
    (Config(CONFIG.endpoints, "10.1.2.3", image="user/apache"), {}, "user/apache:2.4", "x", True),
    (Config(CONFIG.endpoints, "10.1.2.3", image="user/apa*"), {}, "user/apache", "x", True),
    (Config(CONFIG.endpoints, "10.1.2.3", image="nginx*"), {}, "user/apache", "x", False),
    (Config(CONFIG.endpoints, "10.1.2.3", container="apache.8081"), {}, "i", "apache.8081", True),
    (Config(CONFIG.endpoints, "10.1.2.3", container="apache.8082"), {"sidekick.service": "a"}, "i",
     "apache.8081", False),
])
def test_selection(config: Config, labels: dict[str, str], image: str, name: str, selected: bool) -> None:
    c = Container.from_inspect(inspect(Config={"Image": image, "Labels": labels}, Name=f"/{name}"))
    assert is_selected(c, config) is selected


def test_image_matches_registry_with_port() -> None:
    assert image_matches("registry:5000/user/apache:1", "registry:5000/user/apache")
    assert not image_matches("registry:5000/user/apache:1", "registry")


def test_service_and_port_labels() -> None:
    c = Container.from_inspect(inspect(Config={"Labels": {"sidekick.service": "web", "sidekick.port": "8080"},
                                                "ExposedPorts": {"80/tcp": {}, "8080/tcp": {}}}))
    assert service_name(c, CONFIG) == "web" and service_port(c) == "8080/tcp"
    two = Container.from_inspect(inspect(Config={"ExposedPorts": {"80/tcp": {}, "443/tcp": {}}}))
    assert service_name(two, CONFIG) == "apache" and service_port(two) == "80/tcp"
    one = Container.from_inspect(inspect(Config={"ExposedPorts": {"5000/tcp": {}}}))
    assert service_port(one) == "5000/tcp"
    bad = Container.from_inspect(inspect(Config={"Labels": {"sidekick.port": "http"}}))
    with pytest.raises(NotRegistrable, match="sidekick.port='http' is not a port"):
        service_port(bad)


@pytest.mark.parametrize("ports,expected", [
    ({"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8081"}]}, "10.1.2.3:8081"),
    ({"80/tcp": [{"HostIp": "10.1.2.3", "HostPort": "9000"}]}, "10.1.2.3:9000"),
    ({"80/tcp": [{"HostIp": "", "HostPort": "9001"}]}, "10.1.2.3:9001"),
])
def test_host_address(ports: dict[str, Any], expected: str) -> None:
    c = Container.from_inspect(inspect(NetworkSettings={"Ports": ports, "Networks": {}}))
    assert backend_address(c, CONFIG) == expected


@pytest.mark.parametrize("ports,message", [
    ({}, "port 80/tcp is not published"),
    ({"80/tcp": None}, "port 80/tcp is not published"),
    ({"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "9000"}]}, "published on 127.0.0.1, not on --host-ip"),
])
def test_host_address_errors(ports: dict[str, Any], message: str) -> None:
    c = Container.from_inspect(inspect(NetworkSettings={"Ports": ports, "Networks": {}}))
    with pytest.raises(NotRegistrable, match=message) as info:
        backend_address(c, CONFIG)
    assert "apache.8081" in str(info.value)


def test_host_network_uses_the_container_port() -> None:
    c = Container.from_inspect(inspect(HostConfig={"NetworkMode": "host"},
                                       NetworkSettings={"Ports": {}, "Networks": {"host": {}}}))
    assert backend_address(c, CONFIG) == "10.1.2.3:80"


def test_container_address() -> None:
    config = Config(CONFIG.endpoints, "10.1.2.3", address_mode="container")
    c = Container.from_inspect(inspect())
    assert backend_address(c, config) == "172.17.0.5:80"
    two = Container.from_inspect(inspect(NetworkSettings={
        "Ports": {}, "Networks": {"a": {"IPAddress": "172.18.0.2"}, "b": {"IPAddress": "172.19.0.2"}}}))
    with pytest.raises(NotRegistrable, match="choose one with --network"):
        backend_address(two, config)
    chosen = Config(CONFIG.endpoints, "10.1.2.3", address_mode="container", network="b")
    assert backend_address(two, chosen) == "172.19.0.2:80"


@pytest.mark.parametrize("attrs,signum,terminating", [
    ({"signal": "15"}, signal.SIGTERM, True),
    ({"signal": "9"}, signal.SIGKILL, True),
    ({"signal": "SIGKILL"}, signal.SIGKILL, True),
    ({"signal": "1"}, signal.SIGHUP, False),
    ({"signal": "HUP"}, signal.SIGHUP, False),
    ({"signal": "10"}, signal.SIGUSR1, False),
    ({"signal": "SIGWINCH"}, signal.SIGWINCH, False),
    ({}, None, True),
    ({"signal": "bogus"}, None, True),
])
def test_kill_signals(attrs: dict[str, str], signum: int | None, terminating: bool) -> None:
    assert kill_signal(attrs) == signum
    assert is_terminating(kill_signal(attrs)) is terminating


def test_the_containers_own_stop_signal_is_a_stop() -> None:
    apache = Container.from_inspect(inspect(Config={"StopSignal": "SIGWINCH"}))
    assert apache.stop_signal == signal.SIGWINCH
    assert is_terminating(signal.SIGWINCH, apache)          # docker stop of httpd:2.4
    assert not is_terminating(signal.SIGHUP, apache)        # apachectl graceful stays
    plain = Container.from_inspect(inspect())
    assert plain.stop_signal is None and not is_terminating(signal.SIGWINCH, plain)
