"""The one way costplan writes a user's file: atomically, never over something that is not a regular
file, never silently over another writer's file.

- The text goes to a temporary file beside the target, then is renamed into place: a reader sees the old
  file or the new one, never half of one.
- Without force the file is created exclusively (a hard link that fails if the name exists), so two
  commands writing the same --out cannot silently overwrite each other: the second one is refused.
- With force an existing regular file is replaced and keeps its permissions. A symbolic link is written
  through: its target is replaced and the link stays. Named pipes, devices, sockets and directories
  are refused, forced or not.
- A new file gets the mode the umask gives (0666 & ~umask), as `touch` or a shell redirect would.
- Every message names the user's path, never the temporary file.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from costplan.errors import CostplanError, Problem

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def new_file_mode() -> int:
    """0666 masked by the process umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _refuse(path, message: str):
    raise CostplanError(Problem(message, file=str(path)))


def _target(path: Path, force: bool) -> tuple[Path, os.stat_result | None]:
    """The file to write (a symlink's target) and its stat (None if it does not exist yet)."""
    try:
        lst = os.lstat(path)
    except FileNotFoundError:
        return path, None
    except OSError as e:  # a parent that is a file, a folder we may not read
        _refuse(path, f"cannot write here: {e.strerror or e}")
    if stat.S_ISLNK(lst.st_mode):
        if not force:
            _refuse(path, "already exists (a symbolic link); use --force to write to its target")
        target = Path(os.path.realpath(path))
        try:
            st = os.stat(target)
        except FileNotFoundError:
            return target, None
        path_kind = target
    else:
        st, path_kind = lst, path
    for test, kind in _KINDS:
        if test(st.st_mode):
            if kind == "a directory":
                _refuse(path, "is a directory; give a file name")
            _refuse(path, f"is not a regular file ({kind}); costplan writes only regular files")
    if not force:
        _refuse(path, "already exists; use --force to overwrite it")
    return path_kind, st


def check_target(path: str | Path, force: bool = False) -> None:
    """Refuse now, before anything is written, what write_file(path, ..., force) would refuse (a writer of
    several files checks them all first: all of its output or none)."""
    _target(Path(path), force)


def replace_target(path: str | Path) -> tuple[Path, int]:
    """For a writer that stages its own files (a template's folder): the file to replace for `path`
    (a symlink's target) and the mode to give it; refuses what is not a regular file."""
    target, st = _target(Path(path), force=True)
    return target, stat.S_IMODE(st.st_mode) if st is not None else new_file_mode()


def write_file(path: str | Path, data: str | bytes, force: bool = False) -> Path:
    """Write data (text is UTF-8) to path as described above; returns the path written."""
    path = Path(path)
    target, st = _target(path, force)
    mode = stat.S_IMODE(st.st_mode) if st is not None else new_file_mode()
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        _refuse(path, f"cannot write here: {e.strerror or e}")
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            if st is not None:
                os.replace(tmp, target)
            else:
                _create_exclusively(tmp, target, path, raw, mode)
        except OSError as e:
            _refuse(path, f"cannot write: {e.strerror or e}")
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return path


def _create_exclusively(tmp: str, target: Path, shown: Path, raw: bytes, mode: int) -> None:
    try:
        os.link(tmp, target)  # atomic, and fails if the name appeared since we looked
        return
    except FileExistsError:
        _refuse(shown, "was created by another writer meanwhile; not overwritten (use --force to replace it)")
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
    # a file system without hard links: create exclusively and write in place
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        _refuse(shown, "was created by another writer meanwhile; not overwritten (use --force to replace it)")
    with os.fdopen(fd, "wb") as f:
        f.write(raw)
