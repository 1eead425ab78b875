"""The codebook: issues, actors, places and conflicts, with the words reporters use for them.

Built-in data lives in ``data/*.toml``; user files with the same schema extend it. The
entries themselves (``Actor``, ``Issue``, ``Place``, ``Conflict``) are ``peacetrack.vocabulary``'s.
"""

from peacetrack.codebook.book import Codebook
from peacetrack.codebook.conflicts import assign_conflict, assign_document
from peacetrack.codebook.loader import default_codebook, load_codebook, use_codebook
from peacetrack.vocabulary import Actor, Conflict, Issue, Place

__all__ = [
    "Actor",
    "Codebook",
    "Conflict",
    "Issue",
    "Place",
    "assign_conflict",
    "assign_document",
    "default_codebook",
    "load_codebook",
    "use_codebook",
]
