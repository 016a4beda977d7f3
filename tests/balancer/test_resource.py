from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from balancer.errors import ResourceError
from balancer.resource import join_key, load_confdir, load_resource

DATA = Path(__file__).parent / "data"


@pytest.fixture
def confdir(tmp_path: Path) -> Path:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "nginx.tmpl").write_text("x\n")
    return tmp_path


def write(confdir: Path, body: str, name: str = "app.toml") -> Path:
    path = confdir / "conf.d" / name
    path.write_text(body)
    return path


MINIMAL = 'src = "nginx.tmpl"\ndest = "/tmp/x.conf"\nkeys = ["/services/apache"]\n'


def test_seed_toml_loads_unchanged(confdir: Path) -> None:
    path = confdir / "conf.d" / "nginx.toml"
    shutil.copy(DATA / "seed-nginx.toml", path)
    r = load_resource(path, confdir / "templates")
    assert r.src == confdir / "templates" / "nginx.tmpl"
    assert r.dest == Path("/etc/nginx/sites-enabled/app.conf")
    assert r.keys == ("/services/apache",)
    assert (r.uid, r.gid, r.mode) == (0, None, 0o644)
    assert r.check_cmd == "/usr/sbin/nginx -t"
    assert r.reload_cmd == "/usr/sbin/service nginx reload"
    assert r.etcd_prefixes == ("/services/apache",)


def test_shipped_example_loads() -> None:
    example = Path(__file__).parents[2] / "balancer" / "examples" / "tutorial"
    resources, errors = load_confdir(example)
    assert errors == []
    assert [r.name for r in resources] == ["nginx.toml"]


def test_prefixes_join_and_strip(confdir: Path) -> None:
    path = write(confdir, "[template]\nprefix = \"/prod\"\n" + MINIMAL)
    r = load_resource(path, confdir / "templates", global_prefix="/eu")
    assert r.prefix == "/eu/prod"
    assert r.etcd_prefixes == ("/eu/prod/services/apache",)
    assert r.strip_prefix("/eu/prod/services/apache/a") == "/services/apache/a"


@pytest.mark.parametrize("parts,expected", [
    (("", ""), "/"), (("/", "/a"), "/a"), (("a/", "b/"), "/a/b"), (("/p", "/services/apache/"), "/p/services/apache"),
])
def test_join_key(parts: tuple[str, str], expected: str) -> None:
    assert join_key(*parts) == expected


@pytest.mark.parametrize("body,message", [
    ("[template\nsrc=1", "malformed TOML"),
    ("[template]\n" + MINIMAL + "colour = 'red'\n", "unknown directive 'colour'"),
    ("[template]\ndest = \"/tmp/x\"\nkeys = [\"/a\"]\n", "missing required directive 'src'"),
    ("[template]\n" + MINIMAL.replace('keys = ["/services/apache"]', "keys = '/a'"),
     "directive 'keys' must be an array"),
    ("[template]\n" + MINIMAL.replace('keys = ["/services/apache"]', "keys = []"), "non-empty array"),
    ("[template]\n" + MINIMAL + "mode = 644\n", "directive 'mode' must be an octal string"),
    ("[template]\n" + MINIMAL + "mode = \"0999\"\n", "directive 'mode' must be an octal string"),
    ("[template]\n" + MINIMAL + "uid = \"0\"\n", "directive 'uid' must be an integer"),
    ("[template]\n" + MINIMAL + "owner = \"no-such-user-xyz\"\n", "no such user 'no-such-user-xyz'"),
    ("[template]\n" + MINIMAL + "group = \"no-such-group-xyz\"\n", "no such group 'no-such-group-xyz'"),
    ("[template]\n" + MINIMAL + "owner = \"root\"\nuid = 5\n", "disagree"),
    ("[template]\n" + MINIMAL + "check_cmd = true\n", "directive 'check_cmd' must be a string"),
    ("[template]\n" + MINIMAL + "command_timeout = 0\n", "command_timeout must be positive"),
    ("[template]\n" + MINIMAL.replace("nginx.tmpl", "missing.tmpl"), "src: template"),
    ("[template]\n" + MINIMAL.replace("/tmp/x.conf", "x.conf"), "dest: x.conf must be an absolute path"),
    ("[tmpl]\n" + MINIMAL, "unknown table or key 'tmpl'"),
    (MINIMAL, "unknown table or key"),
])
def test_bad_resources_name_file_and_directive(confdir: Path, body: str, message: str) -> None:
    path = write(confdir, body)
    with pytest.raises(ResourceError) as info:
        load_resource(path, confdir / "templates")
    assert str(info.value).startswith(f"{path}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value).split(": ", 1)[1].split("malformed TOML")[0]


def test_confdir_skips_bad_files_and_keeps_good_ones(confdir: Path) -> None:
    write(confdir, "[template]\n" + MINIMAL, "good.toml")
    write(confdir, "[template]\nsrc = 1\n", "bad.toml")
    write(confdir, "not toml", "ignored.txt")
    resources, errors = load_confdir(confdir)
    assert [r.name for r in resources] == ["good.toml"]
    assert len(errors) == 1 and "bad.toml" in str(errors[0])


def test_confdir_missing_conf_d(tmp_path: Path) -> None:
    resources, errors = load_confdir(tmp_path)
    assert resources == [] and "does not exist" in str(errors[0])
