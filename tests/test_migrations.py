"""The shipped migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from peacetrack.store import Store
from peacetrack.store.engine import MIGRATIONS, alembic_config
from peacetrack.store.schema import Base


def test_migrations_match_models(fresh_db: Store) -> None:
    engine = create_engine(fresh_db.url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
        assert context.get_current_revision() == head
    engine.dispose()


def test_downgrade_then_upgrade(tmp_path: Path) -> None:
    Store.open(tmp_path / "db.sqlite").close()
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
        assert inspect(connection).get_table_names() == ["alembic_version"]
    engine.dispose()
    with Store.open(tmp_path / "db.sqlite") as store:
        assert store.count_documents() == 0


def _described(url: str) -> dict[str, object]:
    """Everything the inspector reports per table, including what autogenerate skips."""
    engine = create_engine(url)
    found: dict[str, object] = {}
    with engine.connect() as connection:
        inspector = inspect(connection)
        for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
            found[table] = (
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                inspector.get_pk_constraint(table),
                inspector.get_foreign_keys(table),
                sorted(inspector.get_indexes(table), key=lambda i: str(i["name"])),
                inspector.get_unique_constraints(table),
                inspector.get_check_constraints(table),
            )
    engine.dispose()
    return found


def test_migrated_schema_equals_create_all(tmp_path: Path) -> None:
    Store.open(tmp_path / "migrated.db").close()
    engine = create_engine(f"sqlite:///{tmp_path / 'created.db'}")
    Base.metadata.create_all(engine)
    engine.dispose()
    assert _described(f"sqlite:///{tmp_path / 'migrated.db'}") == _described(
        f"sqlite:///{tmp_path / 'created.db'}"
    )
