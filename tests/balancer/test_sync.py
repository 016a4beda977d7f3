from __future__ import annotations

import os
from pathlib import Path

import pytest

from balancer.commands import run_command
from balancer.errors import CommandError, InstallError
from balancer.resource import TemplateResource
from balancer.sync import Syncer


class FakeRun:
    """Records each command with what the destination held while it ran."""

    def __init__(self, dest: Path, fail: str | None = None) -> None:
        self.dest = dest
        self.fail = fail
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, what: str, command: str, timeout: float) -> None:
        seen = self.dest.read_text() if self.dest.exists() else "<missing>"
        self.calls.append((what.split(": ")[-1], command, seen))
        if self.fail and what.endswith(self.fail):
            raise CommandError(f"{what} `{command}` exited with status 1: boom")


def resource(dest: Path, **kw: object) -> TemplateResource:
    fields = dict(path=Path("/conf.d/app.toml"), src=Path("/t/app.tmpl"), dest=dest, keys=("/a",),
                  prefix="/", check_cmd="check {{.src}}", reload_cmd="reload")
    fields.update(kw)
    return TemplateResource(**fields)  # type: ignore[arg-type]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_new_file_is_checked_in_place_then_reloaded(tmp_path: Path) -> None:
    dest = tmp_path / "app.conf"
    run = FakeRun(dest)
    result = Syncer(run).sync(resource(dest), "new\n")
    assert result.changed
    (check, command, seen), (reload, _, seen_reload) = run.calls
    assert check == "check_cmd" and seen == "new\n"          # the real config includes the new file
    staged = Path(command.split()[1])
    assert staged.parent == tmp_path and staged.name.startswith(".app.conf.")
    assert reload == "reload_cmd" and seen_reload == "new\n"
    assert dest.read_text() == "new\n"
    assert os.stat(dest).st_mode & 0o777 == 0o644
    assert leftovers(tmp_path) == []


def test_unchanged_means_no_write_and_no_commands(tmp_path: Path) -> None:
    dest = tmp_path / "app.conf"
    dest.write_text("same\n")
    dest.chmod(0o644)
    before = os.stat(dest).st_ino
    run = FakeRun(dest)
    assert not Syncer(run).sync(resource(dest), "same\n").changed
    assert run.calls == []
    assert os.stat(dest).st_ino == before


def test_mode_change_alone_rewrites(tmp_path: Path) -> None:
    dest = tmp_path / "app.conf"
    dest.write_text("same\n")
    dest.chmod(0o600)
    run = FakeRun(dest)
    shown = Syncer(run, noop=True).sync(resource(dest, mode=0o640), "same\n")
    assert shown.changed and "0600 " in shown.diff and "-> 0640" in shown.diff
    assert os.stat(dest).st_mode & 0o777 == 0o600
    assert Syncer(run).sync(resource(dest, mode=0o640), "same\n").changed
    assert os.stat(dest).st_mode & 0o777 == 0o640


def test_unset_mode_keeps_the_existing_one(tmp_path: Path) -> None:
    dest = tmp_path / "app.conf"
    dest.write_text("old\n")
    dest.chmod(0o600)
    Syncer(FakeRun(dest)).sync(resource(dest), "new\n")
    assert os.stat(dest).st_mode & 0o777 == 0o600


def test_failed_check_puts_previous_file_back_and_skips_reload(tmp_path: Path) -> None:
    dest = tmp_path / "app.conf"
    dest.write_text("old\n")
    inode = os.stat(dest).st_ino
    run = FakeRun(dest, fail="check_cmd")
    with pytest.raises(CommandError, match="check_cmd `check .*` exited with status 1"):
        Syncer(run).sync(resource(dest), "bad\n")
    assert [c[0] for c in run.calls] == ["check_cmd"]
    assert run.calls[0][2] == "bad\n"
    assert dest.read_text() == "old\n" and os.stat(dest).st_ino == inode
    assert leftovers(tmp_path) == []


def test_failed_check_of_a_new_file_removes_it(tmp_path: Path) -> None:
    dest = tmp_path / "app.conf"
    with pytest.raises(CommandError):
        Syncer(FakeRun(dest, fail="check_cmd")).sync(resource(dest), "bad\n")
    assert not dest.exists() and leftovers(tmp_path) == []


def test_failed_reload_puts_previous_file_back_and_says_so(tmp_path: Path) -> None:
    dest = tmp_path / "app.conf"
    dest.write_text("old\n")
    with pytest.raises(CommandError, match=r"reload_cmd `reload`.*previous file put back"):
        Syncer(FakeRun(dest, fail="reload_cmd")).sync(resource(dest), "new\n")
    assert dest.read_text() == "old\n" and leftovers(tmp_path) == []


def test_no_reload_when_asked(tmp_path: Path) -> None:
    dest = tmp_path / "app.conf"
    run = FakeRun(dest)
    Syncer(run).sync(resource(dest), "new\n", reload=False)
    assert [c[0] for c in run.calls] == ["check_cmd"]


def test_noop_checks_the_staged_file_shows_diff_and_never_touches_the_destination(tmp_path: Path) -> None:
    dest = tmp_path / "app.conf"
    dest.write_text("old\n")
    inode = os.stat(dest).st_ino
    run = FakeRun(dest)
    result = Syncer(run, noop=True).sync(resource(dest), "new\n")
    assert result.changed
    assert "-old\n" in result.diff and "+new\n" in result.diff
    [(what, command, seen)] = run.calls
    assert what == "check_cmd" and seen == "old\n"               # not even during the check
    assert Path(command.split()[1]).name.startswith(".app.conf.")  # {{.src}}: the staged file
    assert dest.read_text() == "old\n" and os.stat(dest).st_ino == inode
    assert leftovers(tmp_path) == []


def test_noop_does_not_run_a_check_of_the_live_configuration(tmp_path: Path) -> None:
    """`nginx -t` checks the live configuration: it could only check the new file by putting it
    in place, which --noop never does."""
    dest = tmp_path / "app.conf"
    dest.write_text("old\n")
    run = FakeRun(dest)
    result = Syncer(run, noop=True).sync(resource(dest, check_cmd="nginx -t"), "new\n")
    assert result.changed and run.calls == [] and dest.read_text() == "old\n"


def test_the_staged_path_is_quoted_for_the_shell(tmp_path: Path) -> None:
    folder = tmp_path / "with space; and $HOME"
    folder.mkdir()
    dest = folder / "app.conf"
    Syncer(run_command).sync(resource(dest, check_cmd="test -f {{.src}}", reload_cmd=None), "new\n")
    assert dest.read_text() == "new\n"


def test_missing_destination_directory(tmp_path: Path) -> None:
    dest = tmp_path / "nowhere" / "app.conf"
    with pytest.raises(InstallError, match=f"{dest}: destination directory .* does not exist"):
        Syncer(FakeRun(dest)).sync(resource(dest), "x\n")


def test_unwritable_destination_directory(tmp_path: Path) -> None:
    dest = Path("/proc/balancer-test.conf")           # not writable, even for root
    with pytest.raises(InstallError, match=f"{dest}: cannot stage in /proc"):
        Syncer(FakeRun(dest)).sync(resource(dest), "x\n")


def test_owner_is_applied(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown needs root")
    dest = tmp_path / "app.conf"
    Syncer(FakeRun(dest)).sync(resource(dest, uid=1, gid=2), "x\n")
    info = os.stat(dest)
    assert (info.st_uid, info.st_gid) == (1, 2)


def test_run_command_reports_status_and_output() -> None:
    with pytest.raises(CommandError) as info:
        run_command("app.toml: check_cmd", "echo bad config; exit 3", timeout=5)
    assert str(info.value) == "app.toml: check_cmd `echo bad config; exit 3` exited with status 3: bad config"


def test_run_command_times_out_and_kills() -> None:
    with pytest.raises(CommandError, match=r"`sleep 30` timed out after 0.3s"):
        run_command("reload_cmd", "sleep 30", timeout=0.3)


def test_run_command_ok() -> None:
    assert run_command("x", "echo hi", timeout=5).output == "hi"
