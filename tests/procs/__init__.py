"""Real processes for the tests: etcd, nginx, plain HTTP backends, dockerd helpers.

Everything listens on 127.0.0.1 only, on ports picked by binding port 0.  Each process
runs in its own session (process group) with its output in a log file, so that teardown
can kill it -- and its children -- even when a test fails.

The modules, one job each: base (ManagedProcess, track/started, wait_for, http_get,
free_port(s), which, tail, LOOPBACK), resources (write_resource), etcd (EtcdServer),
nginx (Nginx), backends (HttpBackend), load (LoadLoop), dockerd (docker(), Dockerd,
DockerControl, build_httpd_image, published_address) and cli (CliProcess).  Import the
names from here: ``import procs`` / ``from procs import NAME``.
"""
from __future__ import annotations

from .backends import HttpBackend
from .base import (
    LOOPBACK,
    M,
    ManagedProcess,
    alive,
    free_port,
    free_ports,
    http_get,
    ppid_of,
    started,
    stat_fields,
    tail,
    track,
    wait_for,
    which,
)
from .cli import CliProcess
from .dockerd import (
    DOCKER,
    DOCKER_SOCK,
    HTTPD_IMAGE,
    DockerControl,
    Dockerd,
    build_httpd_image,
    docker,
    docker_ok,
    graceful_httpd,
    published_address,
    removed_after,
)
from .etcd import EtcdServer
from .load import LoadLoop
from .nginx import Nginx, _children
from .resources import write_resource

__all__ = [
    "DOCKER",
    "DOCKER_SOCK",
    "HTTPD_IMAGE",
    "LOOPBACK",
    "CliProcess",
    "DockerControl",
    "Dockerd",
    "EtcdServer",
    "HttpBackend",
    "LoadLoop",
    "M",
    "ManagedProcess",
    "Nginx",
    "_children",
    "alive",
    "build_httpd_image",
    "docker",
    "docker_ok",
    "graceful_httpd",
    "free_port",
    "free_ports",
    "http_get",
    "ppid_of",
    "published_address",
    "removed_after",
    "started",
    "stat_fields",
    "tail",
    "track",
    "wait_for",
    "which",
    "write_resource",
]
