"""The codebook: issues, actors and places, with the words reporters use for them.

Built-in data lives in ``data/*.toml``; user files with the same schema extend it. The
entries themselves (``Actor``, ``Issue``, ``Place``) are ``peacetrack.vocabulary``'s.
"""

from peacetrack.codebook.book import Codebook
from peacetrack.codebook.loader import default_codebook, load_codebook, use_codebook
from peacetrack.vocabulary import Actor, Issue, Place

__all__ = [
    "Actor",
    "Codebook",
    "Issue",
    "Place",
    "default_codebook",
    "load_codebook",
    "use_codebook",
]
