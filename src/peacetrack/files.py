"""Writing output files whole or not at all.

Every file PeaceTrack writes (exports, reports, guideline JSONL, batch settings) is written
beside its destination and renamed into place, so a crash or an error never leaves half a
file where a reader expects a whole one, and a failed write leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
    tmp = path.with_name(path.name + ".part")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
