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


# -- addresses: IPv4 as it is, IPv6 as [compressed]:port (the balancer's normal form) ---------------

def _two_networks(**over: Any) -> Container:
    """A container on `front` (IPv4 only) and `back` (dual stack), nothing published."""
    networks = {"front": {"IPAddress": "172.18.0.2", "GlobalIPv6Address": ""},
                "back": {"IPAddress": "172.19.0.3", "GlobalIPv6Address": "fd00:0:0:1::3"}}
    return Container.from_inspect(inspect(NetworkSettings={"Ports": {}, "Networks": {**networks, **over}}))


def _container_config(network: str | None = None, family: str = "auto") -> Config:
    return Config(CONFIG.endpoints, "10.1.2.3", address_mode="container", network=network, ip_family=family)


@pytest.mark.parametrize("ip,port,expected", [
    ("10.1.2.3", "80", "10.1.2.3:80"),
    ("::1", 32768, "[::1]:32768"),
    ("2001:DB8:0:0::5", "8080", "[2001:db8::5]:8080"),
    ("fd00:0000:0000:0001:0000:0000:0000:0003", "80", "[fd00:0:0:1::3]:80"),
])
def test_join_address_gives_the_balancers_normal_form(ip: str, port: str | int, expected: str) -> None:
    from lbcommon.backends import parse_backend
    from sidekick.container import join_address
    assert join_address(ip, port) == expected
    assert parse_backend(expected) == expected            # what backends() accepts, unchanged


def test_an_ip_docker_gave_that_is_not_one_is_not_registrable() -> None:
    from sidekick.container import join_address
    with pytest.raises(NotRegistrable, match="is not an IP address"):
        join_address("172.17.0.x", 80)


def test_from_inspect_keeps_every_network_and_the_ipv6_ones() -> None:
    c = _two_networks(none={"IPAddress": "", "GlobalIPv6Address": ""})
    assert c.networks == {"front": "172.18.0.2", "back": "172.19.0.3", "none": ""}
    assert c.ipv6 == {"back": "fd00:0:0:1::3"}


@pytest.mark.parametrize("ports,expected", [
    # Docker's `-p 80`: 0.0.0.0 serves IPv4 only, :: IPv6 only (and may differ in port)
    ({"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8081"}, {"HostIp": "::", "HostPort": "8082"}]}, "[::1]:8082"),
    ({"80/tcp": [{"HostIp": "::1", "HostPort": "9000"}]}, "[::1]:9000"),
    ({"80/tcp": [{"HostIp": "0:0::1", "HostPort": "9000"}]}, "[::1]:9000"),
    ({"80/tcp": [{"HostIp": "", "HostPort": "9001"}]}, "[::1]:9001"),
])
def test_ipv6_host_ip(ports: dict[str, Any], expected: str) -> None:
    config = Config(CONFIG.endpoints, "::1")
    c = Container.from_inspect(inspect(NetworkSettings={"Ports": ports, "Networks": {}}))
    assert backend_address(c, config) == expected


def test_ipv6_host_ip_of_a_host_network_container() -> None:
    c = Container.from_inspect(inspect(HostConfig={"NetworkMode": "host"},
                                       NetworkSettings={"Ports": {}, "Networks": {"host": {}}}))
    assert backend_address(c, Config(CONFIG.endpoints, "2001:db8::5")) == "[2001:db8::5]:80"


def test_a_binding_of_the_other_family_is_not_the_host_ips() -> None:
    only_v4 = Container.from_inspect(inspect(NetworkSettings={
        "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8081"}]}, "Networks": {}}))
    with pytest.raises(NotRegistrable, match=r"published on 0.0.0.0, not on --host-ip ::1"):
        backend_address(only_v4, Config(CONFIG.endpoints, "::1"))
    only_v6 = Container.from_inspect(inspect(NetworkSettings={
        "Ports": {"80/tcp": [{"HostIp": "::", "HostPort": "8082"}]}, "Networks": {}}))
    with pytest.raises(NotRegistrable, match=r"published on ::, not on --host-ip 10.1.2.3"):
        backend_address(only_v6, CONFIG)                  # docker-proxy on [::] takes no IPv4


@pytest.mark.parametrize("network,family,expected", [
    ("front", "auto", "172.18.0.2:80"),
    ("back", "auto", "172.19.0.3:80"),                    # IPv4 first when it has both
    ("back", "4", "172.19.0.3:80"),
    ("back", "6", "[fd00:0:0:1::3]:80"),
    ("front", "4", "172.18.0.2:80"),
])
def test_network_and_family_pick_the_address(network: str, family: str, expected: str) -> None:
    assert backend_address(_two_networks(), _container_config(network, family)) == expected


def test_an_ipv6_only_network_gives_its_ipv6_address() -> None:
    c = Container.from_inspect(inspect(NetworkSettings={"Ports": {}, "Networks": {
        "v6": {"IPAddress": "", "GlobalIPv6Address": "2001:db8:1::2"}}}))
    assert backend_address(c, _container_config()) == "[2001:db8:1::2]:80"
    assert backend_address(c, _container_config("v6", "6")) == "[2001:db8:1::2]:80"
    with pytest.raises(NotRegistrable, match="no IPv4 address on network 'v6'"):
        backend_address(c, _container_config("v6", "4"))


@pytest.mark.parametrize("network,family,message", [
    ("other", "auto", r"web.1 \(f{12}\): not on network 'other' \(it is on: back, front\)"),
    ("front", "6", "no IPv6 address on network 'front'"),
    (None, "auto", r"2 networks with an address \(back, front\); choose one with --network"),
    (None, "4", r"2 networks with an IPv4 address \(back, front\); choose one with --network"),
])
def test_address_problems_name_the_container_and_network(network: str | None, family: str, message: str) -> None:
    c = _two_networks()
    c = Container.from_inspect(inspect(Name="/web.1", NetworkSettings={"Ports": {}, "Networks": {
        name: {"IPAddress": c.networks[name], "GlobalIPv6Address": c.ipv6.get(name, "")} for name in c.networks}}))
    with pytest.raises(NotRegistrable, match=message):
        backend_address(c, _container_config(network, family))


def test_the_only_ipv6_network_needs_no_network_option() -> None:
    assert backend_address(_two_networks(), _container_config(family="6")) == "[fd00:0:0:1::3]:80"


def test_a_container_on_no_network_is_on_none() -> None:
    c = Container.from_inspect(inspect(HostConfig={"NetworkMode": "container:abc"},
                                       NetworkSettings={"Ports": {}, "Networks": {}}))
    with pytest.raises(NotRegistrable, match=r"not on network 'back' \(it is on: none\)"):
        backend_address(c, _container_config("back"))


@pytest.mark.parametrize("args,code,message", [
    (["--host-ip", "::1"], 0, "configuration ok"),
    (["--host-ip", "2001:DB8:0::5"], 0, "configuration ok"),
    (["--host-ip", "::"], 2, "no address other hosts can reach"),
    (["--host-ip", "0.0.0.0"], 2, "no address other hosts can reach"),
    (["--host-ip", "fe80::1%eth0"], 2, "an address with a zone (%eth0)"),
    (["--host-ip", "::1", "--ip-family", "6"], 2, "--ip-family only applies with --address container"),
    (["--address", "container", "--network", "back", "--ip-family", "6"], 0, "configuration ok"),
    (["--address", "container", "--ip-family", "5"], 2, "'5' is not one of"),
])
def test_address_options(args: list[str], code: int, message: str) -> None:
    from click.testing import CliRunner
    from sidekick.cli import main
    result = CliRunner().invoke(main, ["run", "--etcd", "127.0.0.1:2379", "--check-config", *args],
                                env={"HOST_IP": "", "COREOS_PRIVATE_IPV4": ""})
    assert result.exit_code == code and message in result.output, result.output
