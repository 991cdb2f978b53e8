"""The schema comes from the migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from shop import ROOT
from shop.catalog.search import include_in_autogenerate


def _drift(db) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_in_autogenerate}
        )
        return compare_metadata(context, db.metadata)


def test_migrated_database_matches_the_models(db):
    """The test database was built by `upgrade()` from empty; nothing may differ."""
    assert _drift(db) == []


def test_database_is_at_the_single_head(db):
    script = ScriptDirectory(str(ROOT / "migrations"))
    heads = script.get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    assert set(current) == set(heads)


def test_every_model_table_exists(db):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables


def test_downgrade_to_base_and_back(app, db, tmp_path):
    """Each migration can be undone: down to empty, then up again without drift."""
    db.session.remove()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}, inspect(
        db.engine
    ).get_table_names()
    upgrade()
    assert _drift(db) == []
