"""Opening local files so that no input can hang a run or exhaust its memory.

A folder may hold things that only look like files: a named pipe (opening it waits for a
writer that never comes), a link to ``/dev/zero`` (endless), a socket. So the type is
checked before opening, the open itself never blocks (``O_NONBLOCK``), and the type is
checked again on what was opened, in case the name was swapped in between. The size cap is
counted while reading, never taken from ``stat``, which says 0 for ``/proc`` files and
nothing useful for devices.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from peacetrack.errors import InputError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)
_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for binary reading; InputError unless it is a regular file."""
    try:
        _require_regular(os.stat(path).st_mode, path)
        descriptor = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file or folder") from None
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read ({exc.strerror or exc}); check that it exists and that "
            "you may read it"
        ) from None
    try:
        _require_regular(os.fstat(descriptor).st_mode, path)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_capped(path: Path, cap: int) -> bytes:
    """The bytes of a regular file; InputError when there are more than ``cap`` of them."""
    with open_regular(path) as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise InputError(
            f"{path}: larger than the {cap:,}-byte cap (raise it with --max-mb to read it)"
        )
    return data


def _require_regular(mode: int, path: Path) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    raise InputError(
        f"{path}: {kind}, not a regular file; copy what it holds into a file and ingest that"
    )
