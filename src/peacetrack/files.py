"""Writing output files whole or not at all.

Every file PeaceTrack writes (exports, reports, guideline JSONL, batch settings) is written
beside its destination and renamed into place, so a crash or an error never leaves half a
file where a reader expects a whole one, and a failed write leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peacetrack.errors import InputError


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to it when the block ends without error.

    A destination that is a device or a pipe (``-o /dev/null``, ``/dev/stdout``, a FIFO) is
    written in place: it has no "half a file" to avoid, and renaming over it would replace
    the device with a plain file (which, run as root, breaks ``/dev/null`` for everyone).
    """
    if path.exists() and not path.is_file() and not path.is_dir():
        yield path
        return
    check_writable(path)
    tmp = path.with_name(path.name + ".part")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def check_writable(path: Path) -> None:
    """Refuse, with what to do, a destination that cannot be a file: a folder, or a path
    in a folder that does not exist. Commands that work long before they write call it
    first, so a typo in ``-o`` does not cost the run."""
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; give a file name in it")
    if not path.parent.is_dir():
        raise InputError(
            f"cannot write {path}: folder {path.parent} does not exist; create it "
            "or choose another path"
        )


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
