"""The extractor interface and its registry.

An extractor is anything with a versioned ``name`` (``rules.v1``) and one method,
``extract(document) -> list[Claim]``. Built-in and third-party extractors are found the
same way: through the ``peacetrack.extractors`` entry point group, so a plugin package
needs no change here. ``register_extractor`` adds one at run time (tests, notebooks).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from peacetrack.errors import ExtractorNotFound
from peacetrack.model import Claim, Document

ENTRY_POINT_GROUP = "peacetrack.extractors"
DEFAULT_EXTRACTOR = "rules.v1"


@runtime_checkable
class Extractor(Protocol):
    """Turns one document into claims whose evidence is verbatim in its text."""

    name: str

    def extract(self, document: Document) -> list[Claim]: ...


Factory = Callable[[], Extractor]
_registered: dict[str, Factory] = {}


def register_extractor(name: str, factory: Factory) -> None:
    """Make ``factory`` available as ``name``; a later registration replaces an earlier one."""
    _registered[name] = factory
    _instance.cache_clear()


def _entry_point_factories() -> dict[str, Factory]:
    return {ep.name: ep.load for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_extractors() -> list[str]:
    return sorted({*_entry_point_factories(), *_registered})


@cache
def _instance(name: str) -> Extractor:
    factory = _registered.get(name) or _entry_point_factories().get(name)
    if factory is None:
        known = ", ".join(available_extractors()) or "none"
        raise ExtractorNotFound(
            f"no extractor named {name!r}; available: {known}. "
            "Third-party extractors register under the 'peacetrack.extractors' entry point."
        )
    made = factory()
    # An entry point may name a class (called to make an instance) or an instance factory.
    extractor = made() if isinstance(made, type) else made
    if not isinstance(extractor, Extractor):
        raise ExtractorNotFound(f"{name!r} does not provide name and extract(document)")
    return extractor


def get_extractor(name: str = DEFAULT_EXTRACTOR) -> Extractor:
    """The extractor registered as ``name``, built once per process (pipelines are costly)."""
    return _instance(name)
