"""The fleet/systemd units in units/: systemd's own checks, and our programs' command lines.

* ``systemd-analyze verify`` on every unit (templates as instances), in a temporary copy where
  only the programs that exist on the target alone (``/usr/local/bin/sidekick``) point to
  stubs, and ``etcd.service``/``docker.service`` are stubs too (so the result does not depend on
  this machine's packages).  Any output except the known ``KillMode=none`` deprecation fails.
* Every ``sidekick``/``balancer`` command line, expanded as systemd would, passes the
  program's own ``--check-config``.
* The docker run lines: names, ports and variables the other units and the image rely on.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from unitfile import expand, parse_unit, unit_defaults, values

UNITS_DIR = Path(__file__).resolve().parents[2] / "units"
UNIT_FILES = ("apache@.service", "apache-discovery@.service", "nginx_lb.service", "sidekick.service")
INSTANCE = "8081"
# Programs that only exist on the target machine; systemd-analyze checks that they are
# executable, so the copies verified here call a stub at their place.  Nothing else may be
# missing (a typo'd path fails the test).
TARGET_ONLY_PROGRAMS = {"/usr/local/bin/sidekick", "/usr/local/bin/balancer", "/usr/bin/docker"}
OUR_PROGRAMS = {"sidekick", "balancer"}
STUB_DEPENDENCIES = ("etcd.service", "docker.service")
KILLMODE_NONE_WARNING = re.compile(
    r"^\S+\.service:\d+: Unit uses KillMode=none\. This is unsafe, as it disables systemd's process "
    r"lifecycle management for the service\. Please update the service to use a safer KillMode=, "
    r"such as 'mixed' or 'control-group'\. Support for KillMode=none is deprecated and will "
    r"eventually be removed\.$")
# What /etc/environment provides on a CoreOS machine (and what these tests substitute).
ETC_ENVIRONMENT = {"COREOS_PRIVATE_IPV4": "127.0.0.1", "COREOS_PUBLIC_IPV4": "127.0.0.1"}
ETC_ENVIRONMENT_WITH_ETCD = {**ETC_ENVIRONMENT,
                             "ETCD_ENDPOINTS": "http://10.0.0.1:2379,http://10.0.0.2:2379"}
EXEC_RE = re.compile(r"^(\s*Exec\w+=[-@:+!|]*)(/\S+)")
FLEET_KEYS = {"MachineID", "MachineOf", "MachineMetadata", "Conflicts", "Global", "Replaces"}


# --------------------------------------------------------------------------- unit files


def program_lines() -> list[tuple[str, str]]:
    """(unit, command) of every Exec*= line that runs the sidekick or the balancer."""
    found = []
    for name in UNIT_FILES:
        for section, key, value in parse_unit(UNITS_DIR / name):
            if section == "Service" and key.startswith("Exec"):
                command = value.lstrip("-@:+!|")
                if Path(shlex.split(command)[0]).name in OUR_PROGRAMS:
                    found.append((name, command))
    return found


def run_check_config(command: str, unit: str, etc_environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**unit_defaults(UNITS_DIR / unit), **etc_environment}
    argv = expand(command, env, INSTANCE)
    program = Path(argv[0]).name
    # Only the command line counts: none of the variables the programs also read.
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("ETCD", "COREOS_")) and k != "HOST_IP"}
    return subprocess.run([sys.executable, "-m", program, *argv[1:], "--check-config"],
                          capture_output=True, text=True, timeout=60, env=clean,
                          cwd=UNITS_DIR.parent)


def docker_run(unit: str) -> list[str]:
    """The unexpanded ExecStart= words of a `docker run` unit."""
    (start,) = values(UNITS_DIR / unit, "Service", "ExecStart")
    words = shlex.split(start)
    assert words[:2] == ["/usr/bin/docker", "run"], words
    return words


def option(words: list[str], name: str) -> list[str]:
    return [words[i + 1] for i, w in enumerate(words[:-1]) if w == name]


# --------------------------------------------------------------------------- systemd-analyze


@pytest.fixture(scope="module")
def verify_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Copies of the units, target-only programs pointing to stubs; returns (dir, rewritten)."""
    work = tmp_path_factory.mktemp("units")
    stubs = work / "stubs"
    stubs.mkdir()
    rewritten: dict[str, str] = {}

    def stub(match: re.Match[str]) -> str:
        program = match.group(2)
        if program not in TARGET_ONLY_PROGRAMS or os.access(program, os.X_OK):
            return match.group(0)          # anything else missing is for systemd-analyze to report
        target = stubs / Path(program).name
        target.write_text("#!/bin/sh\nexit 0\n")
        target.chmod(0o755)
        rewritten[program] = str(target)
        return match.group(1) + str(target)

    for name in UNIT_FILES:
        text = (UNITS_DIR / name).read_text()
        (work / name).write_text("\n".join(EXEC_RE.sub(stub, line) for line in text.split("\n")))
    for name in STUB_DEPENDENCIES:
        (work / name).write_text(f"[Unit]\nDescription=stub {name}\n\n[Service]\nExecStart=/bin/true\n")
    return work, rewritten


def systemd_analyze_verify(directory: Path, *names: str) -> subprocess.CompletedProcess[str]:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze not found (Debian package systemd)", pytrace=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYSTEMD_")}
    env.update(SYSTEMD_LOG_LEVEL="info", SYSTEMD_LOG_COLOR="0", LC_ALL="C")
    return subprocess.run(
        [analyze, "verify", "--man=no", "--generators=no", *(f"./{n}" for n in names)],
        cwd=directory, capture_output=True, text=True, timeout=120, env=env)


def instance_names() -> list[str]:
    return [n.replace("@.", f"@{INSTANCE}.") for n in UNIT_FILES]


def test_stubs_replace_only_missing_target_programs(verify_dir: tuple[Path, dict[str, str]]) -> None:
    directory, rewritten = verify_dir
    assert {p for p in TARGET_ONLY_PROGRAMS if not os.access(p, os.X_OK)} >= set(rewritten)
    for name in UNIT_FILES:               # the copies differ from the units only in those paths
        text = (directory / name).read_text()
        for program, stub in rewritten.items():
            text = text.replace(stub, program)
        assert text == (UNITS_DIR / name).read_text(), name


@pytest.mark.parametrize("unit", instance_names())
def test_systemd_analyze_verify(verify_dir: tuple[Path, dict[str, str]], unit: str) -> None:
    directory, _ = verify_dir
    res = systemd_analyze_verify(directory, unit)
    lines = [ln for ln in (res.stdout + res.stderr).splitlines() if ln.strip()]
    unexpected = [ln for ln in lines if not KILLMODE_NONE_WARNING.match(ln)]
    assert res.returncode == 0 and not unexpected, (
        f"systemd-analyze verify {unit} exited {res.returncode}:\n" + "\n".join(lines))


def test_verify_catches_a_bad_directive(verify_dir: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """systemd only warns (exit 0) about an unknown key: the output check is what catches it."""
    directory, _ = verify_dir
    broken = tmp_path / "verify"
    shutil.copytree(directory, broken)
    unit = broken / "sidekick.service"
    unit.write_text(unit.read_text().replace("Restart=always", "Restrat=always"))
    res = systemd_analyze_verify(broken, "sidekick.service")
    assert "Unknown key 'Restrat'" in res.stdout + res.stderr, res


# --------------------------------------------------------------------------- our command lines


def test_units_run_our_programs() -> None:
    units = {unit for unit, _ in program_lines()}
    assert units == {"apache-discovery@.service", "sidekick.service"}


@pytest.mark.parametrize("etc_environment", [ETC_ENVIRONMENT, ETC_ENVIRONMENT_WITH_ETCD],
                         ids=["unit-defaults", "etc-environment-etcd"])
@pytest.mark.parametrize(("unit", "command"), program_lines(), ids=lambda v: str(v).split()[0])
def test_command_lines_pass_check_config(unit: str, command: str, etc_environment: dict[str, str]) -> None:
    res = run_check_config(command, unit, etc_environment)
    assert res.returncode == 0, f"{unit}: {command}\nexit {res.returncode}\n{res.stdout}{res.stderr}"
    assert "configuration ok" in res.stdout


@pytest.mark.parametrize(("suffix", "etc_environment"), [
    (" --ttl 1", ETC_ENVIRONMENT),                                    # below the minimum TTL
    ("", {**ETC_ENVIRONMENT, "COREOS_PRIVATE_IPV4": ""}),            # /etc/environment lacks it
    ("", {**ETC_ENVIRONMENT, "COREOS_PRIVATE_IPV4": "10.0.0.300"}),
], ids=["ttl-1", "no-host-ip", "bad-host-ip"])
def test_broken_command_line_is_rejected(suffix: str, etc_environment: dict[str, str]) -> None:
    unit, command = next((u, c) for u, c in program_lines() if u == "apache-discovery@.service")
    res = run_check_config(command + suffix, unit, etc_environment)
    assert res.returncode == 2, f"exit {res.returncode}\n{res.stdout}{res.stderr}"


# --------------------------------------------------------------------------- docker run lines


def test_nginx_lb_docker_run() -> None:
    words = docker_run("nginx_lb.service")
    assert option(words, "--name") == ["nginx_lb"]
    assert option(words, "-p") == ["${COREOS_PUBLIC_IPV4}:80:80", "${COREOS_PUBLIC_IPV4}:443:443"]
    assert option(words, "-v") == ["/etc/nginx/certs:/etc/nginx/certs:ro"]
    assert option(words, "-e") == ["ETCD_ENDPOINTS=${ETCD_ENDPOINTS}"]
    # Docker's default bridge: -p publishes, and etcd is reached on the host's address.
    assert not [w for w in words if w.startswith(("--network", "--net"))], words
    assert words[-1] == "${NGINX_LB_IMAGE}"          # no command: the image's entrypoint runs
    defaults = unit_defaults(UNITS_DIR / "nginx_lb.service")
    assert defaults["NGINX_LB_IMAGE"]
    # 127.0.0.1 inside the container would be the container itself.
    assert not defaults["ETCD_ENDPOINTS"].startswith(("127.", "localhost", "http://127.")), defaults


def test_apache_and_its_sidekick_agree() -> None:
    words = docker_run("apache@.service")
    (name,) = option(words, "--name")
    assert name == "apache.%i"
    assert option(words, "-p") == ["${COREOS_PRIVATE_IPV4}:%i:80"]
    assert option(words, "-l") == ["sidekick.service=apache", "sidekick.hosts=${APACHE_HOSTS}",
                                   "sidekick.path=${APACHE_PATH}", "sidekick.weight=${APACHE_WEIGHT}"]
    assert "${APACHE_IMAGE}" in words
    (unit, command), = [(u, c) for u, c in program_lines() if u == "apache-discovery@.service"]
    assert option(shlex.split(command), "--container") == [name]
    discovery = UNITS_DIR / unit
    assert values(discovery, "Unit", "BindsTo") == ["apache@%i.service"]
    assert values(discovery, "X-Fleet", "MachineOf") == ["apache@%i.service"]


@pytest.mark.parametrize("unit", UNIT_FILES)
def test_fleet_section_uses_fleet_keys(unit: str) -> None:
    """systemd ignores [X-Fleet]; fleet's own keys are checked here."""
    keys = {k for s, k, _ in parse_unit(UNITS_DIR / unit) if s == "X-Fleet"}
    assert keys and keys <= FLEET_KEYS, keys
