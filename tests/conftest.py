"""Fixtures that run real etcd, nginx, HTTP backends and dockerd (see tests/procs/)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import procs  # noqa: E402
from procs import EtcdServer, HttpBackend, Nginx  # noqa: E402


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "docker: needs dockerd (started by the docker_daemon fixture)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed and report.when in ("setup", "call"):
        for proc in item.__dict__.get("_lb_procs", []):
            for title, text in proc.logs().items():
                report.sections.append((title, text))


# Figures measured by tests (fault recovery times, churn throughput), listed after the run.
_MEASURED: list[tuple[str, str, str]] = []
MEASURED_PREFIX = "measured: "


@pytest.fixture
def timing(record_property: Callable[[str, object], None]) -> Callable[..., None]:
    """timing(label, value, unit="s"): print a measurement and list it in the terminal summary."""
    def note(label: str, value: float, unit: str = "s") -> None:
        if unit == "s":
            shown = f"{value:.2f}s"
        else:
            shown = f"{value:,.0f} {unit}" if abs(value) >= 100 else f"{value:.3g} {unit}"
        print(f"[measured] {label}: {shown}")
        record_property(MEASURED_PREFIX + label, shown)
    return note


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        for name, value in report.user_properties:
            if isinstance(name, str) and name.startswith(MEASURED_PREFIX):
                _MEASURED.append((report.nodeid.split("::")[-1], name[len(MEASURED_PREFIX):], str(value)))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _MEASURED:
        terminalreporter.section("measured by the tests")
        for test, label, shown in _MEASURED:
            terminalreporter.write_line(f"{test}: {label}: {shown}")


@pytest.fixture
def etcd(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[EtcdServer]:
    """A started one-member etcd on 127.0.0.1; stopped (and its clients closed) at teardown."""
    with procs.started(request, EtcdServer(tmp_path / "etcd")) as server:
        yield server


@pytest.fixture
def nginx(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Nginx]:
    """A started nginx with an empty conf.d; the test's server block listens on nginx.port."""
    with procs.started(request, Nginx(tmp_path / "nginx")) as server:
        yield server


@pytest.fixture
def http_backends() -> Iterator[Callable[[str], HttpBackend]]:
    """Factory make(name) -> HttpBackend answering GETs with its name; all stopped at teardown."""
    made: list[HttpBackend] = []

    def make(name: str) -> HttpBackend:
        backend = HttpBackend(name)
        made.append(backend)
        return backend

    try:
        yield make
    finally:
        for backend in made:
            backend.stop()


@pytest.fixture(scope="session")
def docker_control(tmp_path_factory: pytest.TempPathFactory) -> Iterator[procs.DockerControl]:
    """The session's dockerd: the running one, or one started here (and stopped at the end).

    Fails (never skips) when dockerd cannot be started.
    """
    control = procs.DockerControl(tmp_path_factory.mktemp("dockerd"))
    try:
        control.ensure()
    except (RuntimeError, FileNotFoundError) as exc:
        pytest.fail(f"docker is not available and dockerd could not be started: {exc}", pytrace=False)
    try:
        yield control
    finally:
        control.close()


@pytest.fixture(scope="session")
def docker_daemon(docker_control: procs.DockerControl) -> str:
    """A working dockerd; yields the docker CLI path."""
    return procs.DOCKER


@pytest.fixture(scope="session")
def httpd_image(docker_daemon: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The local image lb-test-httpd:latest (busybox httpd on port 80), built once when missing."""
    if procs.docker("image", "inspect", procs.HTTPD_IMAGE, check=False).returncode != 0:
        procs.build_httpd_image(tmp_path_factory.mktemp("httpd-image"))
    return procs.HTTPD_IMAGE
