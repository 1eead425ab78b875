"""Loading codebooks: the built-in data, user files, and the one in force for this process.

The codebook in force is what ``default_codebook()`` returns: the built-in files plus those
listed in ``PEACETRACK_CODEBOOK`` (``os.pathsep``-separated), or what ``use_codebook`` set
(the CLI's ``--codebook`` flag). It is loaded once and cached. It is the front ends'
default, not a hidden dependency: the model never consults it, extractors are built from a
codebook handed to them (``get_extractor(name, codebook=...)``, cached per codebook), and
the edges that take issue codes from users hand it to validation explicitly.

A built codebook is also kept between runs (``codebook/cache.py``), so most commands read
one JSON file instead of parsing and checking the TOML files; the files are parsed (and
any error in them reported) whenever they changed.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from peacetrack.codebook.book import Codebook
from peacetrack.codebook.cache import cached
from peacetrack.errors import CodebookError

ENV_VAR = "PEACETRACK_CODEBOOK"
DATA_DIR = Path(__file__).resolve().parent / "data"
#: Built-in files in the order they apply: issues and places first, then the actors, then
#: the conflicts that name actors and places.
BUILTIN_FILES = tuple(
    DATA_DIR / name for name in ("issues.toml", "places.toml", "actors.toml", "conflicts.toml")
)

_in_force: Codebook | None = None


def load_codebook(*extra: Path | str, builtin: bool = True) -> Codebook:
    """Load the built-in codebook (unless ``builtin=False``) extended by ``extra`` files."""
    files = [*(BUILTIN_FILES if builtin else ()), *map(Path, extra)]
    trusted = len(files) - len(extra)
    return cached(files, trusted, lambda: _build(files, builtin=trusted))


def _build(files: list[Path], *, builtin: int) -> Codebook:
    """Parse and check ``files``, the first ``builtin`` of them the package's own."""
    from peacetrack.codebook.builder import Builder  # TOML and its schemas: on a cache miss

    builder = Builder()
    for number, path in enumerate(files):
        builder.add_file(path, builtin=number < builtin)
    return builder.build()


def default_codebook() -> Codebook:
    """The codebook in force for this process (see the module docstring)."""
    if _in_force is not None:
        return _in_force
    return _from_env(os.environ.get(ENV_VAR, ""))


def use_codebook(*extra: Path | str) -> Codebook:
    """Put the built-in codebook, env files and ``extra`` in force; no files: back to default."""
    global _in_force
    _in_force = None
    if extra:
        _in_force = load_codebook(*_env_files(os.environ.get(ENV_VAR, "")), *extra)
    return default_codebook()


def user_files() -> tuple[str, ...]:
    """The files in force beyond the built-in ones and those of ``PEACETRACK_CODEBOOK``
    (what ``use_codebook`` added: the CLI's ``--codebook``), for another process of this
    program to put in force too with ``use_codebook``: it reads the variable itself."""
    skip = {*map(str, BUILTIN_FILES), *os.environ.get(ENV_VAR, "").split(os.pathsep)}
    return tuple(str(p) for p in default_codebook().sources if str(p) not in skip)


@lru_cache(maxsize=8)
def _from_env(value: str) -> Codebook:
    return load_codebook(*_env_files(value))


def _env_files(value: str) -> list[Path]:
    paths = [Path(p) for p in value.split(os.pathsep) if p.strip()]
    for path in paths:
        if not path.is_file():
            raise CodebookError(
                f"{path}: codebook file listed in {ENV_VAR} does not exist; "
                f"fix the path or unset {ENV_VAR}"
            )
    return paths
