"""Fixtures shared by the test suite: fresh stores on every backend and a document factory.

``fresh_db`` runs each test that uses it twice, on SQLite and on PostgreSQL. The PostgreSQL
server is a throwaway cluster started once per session (``tests/pgcluster.py``); each test
gets its own schema in it, selected by the URL's ``search_path``, and dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from peacetrack.model import Document
from peacetrack.store import Store
from pgcluster import ClusterUnavailable, PgCluster

DocumentFactory = Callable[..., Document]
#: Makes a new, empty database on the test's backend and returns its URL.
DatabaseFactory = Callable[[], str]
BACKENDS = ("sqlite", "postgresql")
PG_DATABASE = "peacetrack_test"


_CACHE_BEFORE: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    """PeaceTrack's caches (the parsed codebook) in a temporary folder of this session's,
    never in the user's cache folder: set before collection, since test modules load the
    codebook when imported, and in the environment, so commands run as processes use it."""
    from peacetrack.codebook.cache import ENV_VAR

    _CACHE_BEFORE[ENV_VAR] = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = tempfile.mkdtemp(prefix="peacetrack-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, before in _CACHE_BEFORE.items():
        shutil.rmtree(os.environ.pop(name), ignore_errors=True)
        if before is not None:
            os.environ[name] = before


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """The session's PostgreSQL cluster: skips its tests where none can start, except in CI."""
    try:
        cluster = PgCluster.start()
    except ClusterUnavailable as exc:
        if in_ci():
            pytest.fail(f"CI must run the PostgreSQL tests, but the server did not start: {exc}")
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    try:
        cluster.create_database(PG_DATABASE)
        yield cluster
    finally:
        cluster.stop()


def _pg_schemas(cluster: PgCluster) -> Iterator[DatabaseFactory]:
    """Schemas are created and dropped in milliseconds, a database takes a quarter second."""
    made: list[str] = []

    def make() -> str:
        name = f"test_{os.getpid()}_{len(made)}"
        with cluster.admin(PG_DATABASE) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            connection.execute(f'CREATE SCHEMA "{name}"')
        made.append(name)
        return f"{cluster.url(PG_DATABASE)}?options=-csearch_path%3D{name}"

    yield make
    cluster.disconnect_all(PG_DATABASE)
    with cluster.admin(PG_DATABASE) as connection:
        for name in made:
            connection.execute(f'DROP SCHEMA "{name}" CASCADE')


@pytest.fixture(params=BACKENDS)
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DatabaseFactory]:
    """Empty databases on SQLite (files in tmp_path) or on the session's PostgreSQL cluster."""
    if request.param == "sqlite":
        counter = itertools.count(1)
        yield lambda: f"sqlite:///{tmp_path / f'db-{next(counter)}.sqlite'}"
        return
    yield from _pg_schemas(request.getfixturevalue("pg_cluster"))


@pytest.fixture
def fresh_db(new_database: DatabaseFactory) -> Iterator[Store]:
    """A store on a new database, migrated to head, closed after the test."""
    store = Store.open(new_database())
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
