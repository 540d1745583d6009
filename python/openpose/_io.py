"""Writing output files atomically: never a half-written file under the final name.

Temporary files are created beside their final name (so the rename is
atomic), with ``O_EXCL`` and mode 0666 (the umask applies, as for any file a
program creates; the rename keeps that mode), under a recognisable name
(`TEMP_PATTERN`: ``.<head>.optmp<8 hex><ext>``, never longer than the final
name once that is 64 bytes or more) and held under an exclusive ``flock``
while they are written. A file of that pattern whose lock can be taken is a
leftover of a killed run: `remove_stale_temporaries` deletes those (each run
calls it on its output folders before its first frame).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no locks, the names are still unique
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "TEMP_PATTERN",
    "check_writable",
    "locked_temporary",
    "remove_stale_temporaries",
    "write_atomically",
    "write_bytes_atomically",
]

#: The names of this package's temporary files.
TEMP_PATTERN = re.compile(r"^\..*\.optmp[0-9a-f]{8}(\.[A-Za-z0-9]{1,8})?$", re.DOTALL)
_TAG = ".optmp"
_MIN_BUDGET = 64  # a temporary name may be this long even when the final name is shorter


def _temp_name(name: str, suffix: str) -> str:
    """``.<head>.optmp<8 hex><suffix>``, `head` a prefix of `name` so that it is no longer than `name` allows."""
    budget = max(len(os.fsencode(name)), _MIN_BUDGET)
    fixed = 1 + len(_TAG) + 8 + len(os.fsencode(suffix))
    head = name
    while head and len(os.fsencode(head)) + fixed > budget:
        head = head[:-1]
    return f".{head}{_TAG}{secrets.token_hex(4)}{suffix}"


@contextlib.contextmanager
def locked_temporary(path, *, suffix: str = ".tmp") -> Iterator[Path]:
    """A new empty temporary file beside `path`, flock-ed while the block runs; removed if the block raises.

    The caller renames it into place (``os.replace``) inside the block, or
    leaves it (a partial output it reports). Mode 0666 less the umask.
    """
    path = Path(path)
    fd = -1
    tmp: Path | None = None
    # One try from before the file exists: an exception raised between two
    # statements (Ctrl-C, or SIGTERM in the command, right after os.open
    # returns) still removes it.
    try:
        for _ in range(100):
            tmp = path.with_name(_temp_name(path.name, suffix))
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            except FileExistsError:  # another file's name: not ours to remove
                tmp = None
                continue
            break
        else:  # pragma: no cover - 100 collisions of 32 random bits
            msg = f"cannot create a temporary file beside {str(path)!r}"
            raise FileExistsError(msg)
        if fcntl is not None:
            with contextlib.suppress(OSError):  # a file system without locks: the file is still unique
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield tmp
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    finally:
        if fd >= 0:
            os.close(fd)


def write_atomically(path, write: Callable[[str], object], *, suffix: str = ".tmp") -> Path:
    """Let `write` fill a temporary file beside `path`, then rename it to `path`.

    The temporary file lives in the same folder (so the rename is atomic) and
    ends in `suffix` (writers such as ``cv2.imwrite`` choose the format by
    extension). If `write` raises, the temporary file is removed and the
    error propagates; `path` is left as it was.

    Returns
    -------
    Path
        `path`.
    """
    path = Path(path)
    with locked_temporary(path, suffix=suffix) as tmp:
        write(str(tmp))
        os.replace(tmp, path)
    return path


def write_bytes_atomically(path, data: bytes) -> Path:
    """`data` into `path` atomically (see `write_atomically`), written by Python (any file name)."""

    def write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    return write_atomically(path, write)


def remove_stale_temporaries(folder) -> list[Path]:
    """Delete the temporary files (`TEMP_PATTERN`) in `folder` that no running writer holds; returns them."""
    removed: list[Path] = []
    if fcntl is None:  # pragma: no cover - no way to tell a live writer's file
        return removed
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not TEMP_PATTERN.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live writer holds it
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        finally:
            os.close(fd)
    return removed


def check_writable(folder, flag: str) -> None:
    """Raise `PermissionError`-like `OSError` naming `flag` when no file can be created in `folder`."""
    try:
        with locked_temporary(Path(folder) / "check") as tmp:
            os.unlink(tmp)
    except OSError as exc:
        msg = f"{flag} {str(folder)!r}: cannot write in this folder: {exc.strerror or exc}"
        raise OSError(msg) from None
