"""Putting a rendered file in place, as named steps: compare, stage, swap in, check, reload,
and put the previous file back when the check or the reload fails."""
from __future__ import annotations

import difflib
import logging
import os
import shlex
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from balancer.commands import run_command
from balancer.errors import CommandError, InstallError
from balancer.resource import TemplateResource

log = logging.getLogger(__name__)

RunCommand = Callable[[str, str, float], object]


@dataclass(frozen=True)
class FileState:
    content: bytes | None          # None: not read (its size already tells it differs)
    mode: int
    uid: int
    gid: int


@dataclass(frozen=True)
class SyncResult:
    changed: bool
    diff: str = ""


class Syncer:
    def __init__(self, run: RunCommand = run_command, noop: bool = False) -> None:
        self._run = run
        self.noop = noop

    def sync(self, resource: TemplateResource, content: str, reload: bool = True) -> SyncResult:
        dest = resource.dest
        new = content.encode("utf-8")
        current = read_state(dest, None if self.noop else len(new))
        wanted = desired_state(resource, new, current)
        if current == wanted:
            return SyncResult(changed=False)
        diff = unified_diff(dest, current, wanted) if self.noop else ""
        staged = stage(resource, wanted)
        try:
            if self.noop:
                self._check_staged(resource, staged)
            else:
                self._swap_check_reload(resource, staged, current is not None, reload)
        finally:
            _unlink(staged)
        return SyncResult(changed=True, diff=diff)

    def _check_staged(self, resource: TemplateResource, staged: Path) -> None:
        """--noop: the destination is never touched, not even for the length of a check.  A
        check_cmd that names the staged file ({{.src}}) checks it there; one that checks the
        live configuration (`nginx -t`) cannot see the new file, so it is not run."""
        if resource.check_cmd and "{{.src}}" in resource.check_cmd:
            self._run(f"{resource.name}: check_cmd", check_command(resource.check_cmd, staged),
                      resource.command_timeout)
            log.info("%s: noop: %s would change (check of the staged file passed), left as it is",
                     resource.name, resource.dest)
        else:
            log.info("%s: noop: %s would change, left as it is%s", resource.name, resource.dest,
                     " (check_cmd not run: it checks the live configuration, which --noop never changes)"
                     if resource.check_cmd else "")

    def _swap_check_reload(self, resource: TemplateResource, staged: Path, existed: bool,
                           reload: bool) -> None:
        dest = resource.dest
        backup = backup_file(dest) if existed else None
        try:
            swap_in(staged, dest)
            if resource.check_cmd:
                self._run(f"{resource.name}: check_cmd", check_command(resource.check_cmd, staged),
                          resource.command_timeout)
            if reload and resource.reload_cmd:
                self._reload(resource, backup)
        except BaseException:
            restore(dest, backup)
            raise
        finally:
            if backup is not None:
                _unlink(backup)
        log.info("%s: installed %s", resource.name, dest)

    def _reload(self, resource: TemplateResource, backup: Path | None) -> None:
        assert resource.reload_cmd
        try:
            self._run(f"{resource.name}: reload_cmd", resource.reload_cmd, resource.command_timeout)
        except CommandError as exc:
            what = "previous file put back" if backup else "new file removed"
            raise CommandError(f"{exc}; {resource.dest}: {what}") from None


def check_command(check_cmd: str, staged: Path) -> str:
    """check_cmd with {{.src}} replaced by the staged file's path, quoted for the shell."""
    return check_cmd.replace("{{.src}}", shlex.quote(str(staged)))


def read_state(path: Path, size: int | None = None) -> FileState | None:
    """The file's state; its content is read only when it has `size` bytes (or `size` is None):
    a file of another size differs anyway, and a big one is not read for nothing."""
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            content = handle.read() if size is None or info.st_size == size else None
            return FileState(content, stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InstallError(f"{path}: cannot read destination: {exc.strerror}") from None


def desired_state(resource: TemplateResource, content: bytes, current: FileState | None) -> FileState:
    """Unset mode/owner keep what the destination has (new files: 0644, our own uid/gid)."""
    def pick(configured: int | None, existing: int | None, default: int) -> int:
        if configured is not None:
            return configured
        return existing if existing is not None else default

    return FileState(
        content=content,
        mode=pick(resource.mode, current.mode if current else None, 0o644),
        uid=pick(resource.uid, current.uid if current else None, os.geteuid()),
        gid=pick(resource.gid, current.gid if current else None, os.getegid()),
    )


def stage(resource: TemplateResource, wanted: FileState) -> Path:
    """Write the new file next to the destination as a dot file (outside nginx's include globs)."""
    dest = resource.dest
    if not dest.parent.is_dir():
        raise InstallError(f"{dest}: destination directory {dest.parent} does not exist")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".staged", dir=dest.parent)
    except OSError as exc:
        raise InstallError(f"{dest}: cannot stage in {dest.parent}: {exc.strerror}") from None
    staged = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(wanted.content or b"")
            handle.flush()
            os.fchmod(handle.fileno(), wanted.mode)
            if (wanted.uid, wanted.gid) != (os.geteuid(), os.getegid()):
                os.fchown(handle.fileno(), wanted.uid, wanted.gid)
            os.fsync(handle.fileno())
    except OSError as exc:
        _unlink(staged)
        raise InstallError(f"{dest}: cannot write staged file {staged}: {exc.strerror}") from None
    return staged


def backup_file(dest: Path) -> Path:
    """A second name for the current destination, to put it back with one rename."""
    backup = dest.with_name(f".{dest.name}.{os.getpid()}.previous")
    _unlink(backup)
    try:
        os.link(dest, backup)
    except OSError as exc:
        raise InstallError(f"{dest}: cannot keep the previous file as {backup}: {exc.strerror}") from None
    return backup


def swap_in(staged: Path, dest: Path) -> None:
    """Atomically replace dest with the staged content; the staged file stays for {{.src}}."""
    incoming = staged.with_suffix(".incoming")
    try:
        os.link(staged, incoming)
        os.replace(incoming, dest)
        _fsync_dir(dest.parent)
    except OSError as exc:
        _unlink(incoming)
        raise InstallError(f"{dest}: cannot install: {exc.strerror}") from None


def restore(dest: Path, backup: Path | None) -> None:
    try:
        if backup is None:
            _unlink(dest)
        else:
            os.replace(backup, dest)
        _fsync_dir(dest.parent)
    except OSError as exc:
        raise InstallError(f"{dest}: cannot put the previous file back: {exc.strerror}") from None


def unified_diff(dest: Path, current: FileState | None, wanted: FileState) -> str:
    old = current.content.decode("utf-8", "replace") if current and current.content is not None else ""
    assert wanted.content is not None
    lines = list(difflib.unified_diff(old.splitlines(keepends=True),
                                      wanted.content.decode("utf-8", "replace").splitlines(keepends=True),
                                      fromfile=str(dest), tofile=f"{dest} (new)"))
    if current and (current.mode, current.uid, current.gid) != (wanted.mode, wanted.uid, wanted.gid):
        lines.append(f"mode/owner: {current.mode:04o} {current.uid}:{current.gid} -> "
                     f"{wanted.mode:04o} {wanted.uid}:{wanted.gid}\n")
    return "".join(lines)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
