"""Fixtures shared by the test suite: a fresh store and a document factory."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from peacetrack.model import Document
from peacetrack.store import Store

DocumentFactory = Callable[..., Document]


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[Store]:
    """A store on a new SQLite file, migrated to head, closed after the test."""
    store = Store.open(tmp_path / "peacetrack.db")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def sample_document() -> DocumentFactory:
    """Make a Document; each call gets its own name and text unless they are given.

    ``sample_document(text=..., published=date(2025, 5, 1), outlet="Example Wire")``
    """
    counter = itertools.count(1)

    def make(**fields: Any) -> Document:
        n = next(counter)
        defaults: dict[str, Any] = {
            "name": f"sample-{n}.txt",
            "text": f"Sample report number {n}: delegations met again and agreed to talk more.",
            "title": f"Sample report {n}",
            "url": f"https://news.example.org/sample-{n}",
            "outlet": "Example Wire",
            "published": date(2025, 5, n % 28 + 1),
        }
        return Document(**(defaults | fields))

    return make
