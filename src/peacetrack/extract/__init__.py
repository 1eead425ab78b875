"""Claim extraction: versioned extractors behind one interface, chosen by name."""

from peacetrack.extract.base import (
    Extractor,
    available_extractors,
    get_extractor,
    register_extractor,
)

__all__ = ["Extractor", "available_extractors", "get_extractor", "register_extractor"]
