"""Alembic environment for the store.

``Store.open`` passes its open connection in ``config.attributes["connection"]``; the
``alembic`` command line (for developers) uses ``sqlalchemy.url`` from its ini file instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from peacetrack.store.search import is_search_object
from peacetrack.store.tables import METADATA


def _include_object(
    _object: object, name: str | None, _type: str, _reflected: bool, _compare_to: object
) -> bool:
    """Autogenerate ignores the full-text search objects: they are not ORM models."""
    return not is_search_object(name)


def _run(connection: Connection) -> None:
    # Batch mode lets later migrations alter tables on SQLite, which lacks most ALTER TABLE.
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=True,
        compare_type=True,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=METADATA, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    with create_engine(url or "sqlite:///peacetrack.db").begin() as connection:
        _run(connection)


_main()
