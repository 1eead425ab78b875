"""The cell days' decisions as two plain columns a support level instead of a JSON list.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

A comparison from a date or at another floor folds each cell's moments in SQL, reading
the prevailing class and the weaker claims of the floor asked (``class_named``,
``weaker_named``, ...) rather than decoding every moment's list in Python
(``peacetrack.store.cell_days``). The rows are converted in place, so no cell is rebuilt.
SQLite copies the table into a new one (``WITHOUT ROWID`` like the old, and dropping a
column needs SQLite 3.35); PostgreSQL alters it (the new columns last in both).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The support levels, weakest first, as ``peacetrack.support.Support`` names them then.
LEVELS = ("low", "anonymous", "named", "corroborated", "reviewed")
KEY = ("kind", "issue", "col", "day")
KEPT = ("next", "claims", "ids", "gone")


def _key_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("issue", sa.String(length=64), nullable=False),
        sa.Column("col", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("next", sa.Date(), nullable=True),
        sa.Column("claims", sa.Integer(), nullable=False),
    ]


def _level_columns() -> list[sa.Column[Any]]:
    columns: list[sa.Column[Any]] = []
    for level in LEVELS:
        columns.append(sa.Column(f"class_{level}", sa.String(length=16), nullable=True))
        columns.append(sa.Column(f"weaker_{level}", sa.Integer(), nullable=False))
    return columns


def _tail_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("ids", sa.JSON(), nullable=False),
        sa.Column("gone", sa.Integer(), nullable=False),
    ]


def _old() -> sa.TableClause:
    """The table as it stands, for reading its values in either direction."""
    names = [*KEY, *KEPT, "decisions"]
    names += [f"{what}_{level}" for level in LEVELS for what in ("class", "weaker")]
    return sa.table(
        "cell_days",
        *[sa.column(n, sa.JSON() if n in ("decisions", "ids") else None) for n in names],
    )


def _copy(old: sa.TableClause, columns: list[sa.Column[Any]], values: dict[str, Any]) -> None:
    """SQLite: the table again with ``columns``, its rows copied with ``values`` (read from
    ``old``; the unchanged columns copied as they are)."""
    new = op.create_table(
        "cell_days_new",
        *columns,
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_cell_days")),
        sqlite_with_rowid=False,
    )
    selected = [values[c.name] if c.name in values else old.c[c.name] for c in columns]
    op.execute(new.insert().from_select([c.name for c in columns], sa.select(*selected)))
    op.drop_table("cell_days")
    op.rename_table("cell_days_new", "cell_days")


def upgrade() -> None:
    old = _old()
    decisions = old.c.decisions
    values: dict[str, Any] = {}
    for i, level in enumerate(LEVELS):
        values[f"class_{level}"] = decisions[2 * i].as_string()
        values[f"weaker_{level}"] = decisions[2 * i + 1].as_integer()
    if op.get_bind().dialect.name == "sqlite":
        _copy(old, [*_key_columns(), *_tail_columns(), *_level_columns()], values)
        return
    for column in _level_columns():
        op.add_column("cell_days", sa.Column(column.name, column.type, nullable=True))
    op.execute(old.update().values(values))
    for level in LEVELS:
        op.alter_column("cell_days", f"weaker_{level}", nullable=False)
    op.drop_column("cell_days", "decisions")


def downgrade() -> None:
    old = _old()
    postgres = op.get_bind().dialect.name == "postgresql"
    array = sa.func.json_build_array if postgres else sa.func.json_array
    flat = [old.c[f"{what}_{level}"] for level in LEVELS for what in ("class", "weaker")]
    values = {"decisions": sa.type_coerce(array(*flat), sa.JSON())}
    if not postgres:
        decisions = sa.Column("decisions", sa.JSON(), nullable=False)
        _copy(old, [*_key_columns(), decisions, *_tail_columns()], values)
        return
    op.add_column("cell_days", sa.Column("decisions", sa.JSON(), nullable=True))
    op.execute(old.update().values(values))
    op.alter_column("cell_days", "decisions", nullable=False)
    for column in _level_columns():
        op.drop_column("cell_days", column.name)
