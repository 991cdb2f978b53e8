"""Column types shared by every model."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def enum_column(cls: type[enum.Enum], name: str) -> Enum:
    """An enum stored as its plain string values with a CHECK (adding a value is a small
    migration on every database, unlike native enum types)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )
