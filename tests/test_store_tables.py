"""One declaration of each table: the Core tables that reads query, and the ORM classes
that writes use, mapped onto those same tables (issue #16)."""

from __future__ import annotations

import typing

import pytest
from sqlalchemy.orm import Mapped

from peacetrack.store import schema, tables

#: Each ORM class with the table it maps.
MAPPED = [
    cls for cls in vars(schema).values() if isinstance(cls, type) and issubclass(cls, schema.Base)
]


def test_every_table_is_mapped_once_and_alembic_sees_the_same_metadata() -> None:
    mapped = [cls for cls in MAPPED if cls is not schema.Base]
    assert schema.Base.metadata is tables.METADATA
    assert sorted(cls.__table__.name for cls in mapped) == sorted(tables.METADATA.tables)
    for cls in mapped:
        assert cls.__table__ is tables.METADATA.tables[cls.__table__.name]


@pytest.mark.parametrize("cls", [c for c in MAPPED if c is not schema.Base], ids=repr)
def test_a_class_types_exactly_its_table_s_columns(cls: type[schema.Base]) -> None:
    """The annotations only type the mapped attributes: each column has one, optional
    exactly when the column takes NULL, and none names anything else."""
    # The module's names, not the class's: ``ProposalRow.date`` would shadow ``date``.
    hints = typing.get_type_hints(cls, vars(schema), vars(schema))
    typed = {name: hint for name, hint in hints.items() if typing.get_origin(hint) is Mapped}
    table = cls.__table__
    assert set(typed) == {column.name for column in table.columns}
    for column in table.columns:
        (inner,) = typing.get_args(typed[column.name])
        assert (type(None) in typing.get_args(inner)) == bool(column.nullable), column.name
