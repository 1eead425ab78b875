"""The parsed codebook kept between runs, so a command need not parse the TOML files again.

Reading and checking the built-in files (some 2,200 keys, and every country pycountry
knows) costs a short command more than anything else it does after its imports
(benchmarks/bench_startup.py). A built codebook is therefore kept as JSON in the user's
cache folder, under a name that is a digest of everything its content depends on: each
file's path and bytes, the code that builds it (this package and ``vocabulary.py``: a
stricter key than PeaceTrack's version, which changes under development leave alone) and
the pycountry data the country names come from. A changed input gives another name, so a
stale entry is never read; an entry that cannot be read or decoded is rebuilt; one that
cannot be written (read-only home, full disk) is skipped; concurrent writers each rename a
complete temporary file into place, so a reader never sees half of one. The cache only
ever saves time: the codebook read back equals the one built (tests/test_codebook_cache.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

from peacetrack.codebook.book import Codebook

#: Where caches go instead of the platform's user cache folder; empty: keep no cache.
ENV_VAR = "PEACETRACK_CACHE_DIR"
#: Changed whenever the stored form changes, so old entries are simply not found.
FORMAT = 1
#: Entries kept: a few codebooks in use (with and without user files) stay cached.
KEEP = 8
_PREFIX = "codebook-"
_PACKAGE = Path(__file__).resolve().parent
_CODE = (*sorted(_PACKAGE.glob("*.py")), _PACKAGE.parent / "vocabulary.py")


def cache_dir() -> Path | None:
    """PeaceTrack's cache folder: ``PEACETRACK_CACHE_DIR``, else the platform's user cache
    folder (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux); None when caching is off or
    there is no home to put it in."""
    given = os.environ.get(ENV_VAR)
    if given is not None:
        return Path(given).expanduser() if given.strip() else None
    try:
        home = Path.home()
    except RuntimeError:  # no HOME and no password entry
        return None
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        xdg = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
        base = xdg if xdg.is_absolute() else home / ".cache"  # the spec ignores relative ones
    return base / "peacetrack"


def cached(files: list[Path], trusted: int, build: Callable[[], Codebook]) -> Codebook:
    """The codebook of ``files`` (in this order, the first ``trusted`` of them the
    package's own) from the cache, else ``build()`` stored there for next time. Reading
    the files to name the entry is the only cost of a hit."""
    folder = cache_dir()
    key = _key(files, trusted) if folder is not None else None
    if folder is None or key is None:
        return build()
    entry = folder / f"{_PREFIX}{key}.json"
    found = _read(entry)
    if found is not None:
        return found
    book = build()
    _write(entry, book)
    return book


def _key(files: list[Path], trusted: int) -> str | None:
    """A digest of everything the codebook depends on; None when an input cannot be read
    (then the build reports it, with the message a user needs)."""
    digest = hashlib.sha256(f"{FORMAT} {trusted}".encode())
    try:
        for path in (*_CODE, *files):
            data = path.read_bytes()
            digest.update(f"\0{path}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
            digest.update(data)
        digest.update(_pycountry_data())
    except OSError:
        return None
    return digest.hexdigest()


def _pycountry_data() -> bytes:
    """Which pycountry data the country places come from, told by its file's size and time:
    reading that file (or importing pycountry) would cost as much as the cache saves."""
    spec = find_spec("pycountry")
    if spec is None or spec.origin is None:
        raise OSError("pycountry not found")
    countries = Path(spec.origin).parent / "databases" / "iso3166-1.json"
    stat = countries.stat()
    return f"{countries}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()


def _read(entry: Path) -> Codebook | None:
    """The entry's codebook; None when there is none, or it is damaged (then the codebook
    is built again and the entry replaced)."""
    try:
        return Codebook.from_data(json.loads(entry.read_bytes()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write(entry: Path, book: Codebook) -> None:
    """Store ``book`` as ``entry`` if the folder can be written; never fail the command."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{_PREFIX}", suffix=".tmp", dir=entry.parent)
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(book.to_data(), out, ensure_ascii=False, separators=(",", ":"))
        os.replace(name, entry)
    except OSError:
        return
    finally:
        Path(name).unlink(missing_ok=True)
    _prune(entry.parent)


def _prune(folder: Path) -> None:
    """Drop all but the ``KEEP`` newest entries (those of files since changed, mostly)."""
    try:
        entries = sorted(folder.glob(f"{_PREFIX}*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        return
