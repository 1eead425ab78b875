"""The shipped migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from peacetrack.store import Store
from peacetrack.store.engine import MIGRATIONS, alembic_config, head_revision
from peacetrack.store.search import is_search_object
from peacetrack.store.tables import METADATA


def _modelled_on(dialect: str) -> Callable[..., bool]:
    """What the models describe on ``dialect``: the full-text search objects are
    migration-only, and an object made only on another backend (``ddl_if``) is absent."""

    def modelled(item: object, name: str | None, *_: object) -> bool:
        only = getattr(item, "_ddl_if", None)
        elsewhere = only is not None and only.dialect not in (None, dialect)
        return not is_search_object(name) and not elsewhere

    return modelled


def test_migrations_match_models(fresh_db: Store) -> None:
    engine = create_engine(fresh_db.url)
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": _modelled_on(engine.dialect.name)}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, METADATA) == []
        head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
        assert context.get_current_revision() == head
    engine.dispose()


def test_downgrade_then_upgrade(new_database: Callable[[], str]) -> None:
    url = new_database()
    Store.open(url).close()
    engine = create_engine(url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
        assert inspect(connection).get_table_names() == ["alembic_version"]
    engine.dispose()
    with Store.open(url) as store:
        assert store.count_documents() == 0


def test_concurrent_first_opens_migrate_once(new_database: Callable[[], str]) -> None:
    """Processes started together on a new database must not both create the tables."""
    url = new_database()
    with ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: Store.open(url), range(4)))
    for store in stores:
        store.close()
    engine = create_engine(url)
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert versions == [(ScriptDirectory(str(MIGRATIONS)).get_current_head(),)]


def _described(url: str) -> dict[str, object]:
    """Everything the inspector reports per modelled table, including what autogenerate skips."""
    engine = create_engine(url)
    found: dict[str, object] = {}
    with engine.connect() as connection:
        inspector = inspect(connection)
        tables = set(inspector.get_table_names()) - {"alembic_version"}
        for table in sorted(t for t in tables if not is_search_object(t)):
            indexes = [i for i in inspector.get_indexes(table) if not is_search_object(i["name"])]
            found[table] = (
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                inspector.get_pk_constraint(table),
                inspector.get_foreign_keys(table),
                sorted(indexes, key=lambda i: str(i["name"])),
                inspector.get_unique_constraints(table),
                inspector.get_check_constraints(table),
            )
    engine.dispose()
    return found


def test_migrated_schema_equals_create_all(new_database: Callable[[], str]) -> None:
    migrated, created = new_database(), new_database()
    Store.open(migrated).close()
    engine = create_engine(created)
    METADATA.create_all(engine)
    engine.dispose()
    assert _described(migrated) == _described(created)


def test_head_revision_is_alembics_head() -> None:
    """Opening a store skips Alembic when the database is at ``head_revision``, which reads
    the scripts' file names: they must keep naming their revision."""
    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()
