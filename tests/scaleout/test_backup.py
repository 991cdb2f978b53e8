"""deploy/backup.sh and deploy/restore.sh on a real PostgreSQL database: a backup of a shop
with orders restores into another database (and over changed data) row for row."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shop import create_app
from shop.config import normalise_database_url
from shop.extensions import db as _db
from tests import factories
from tests.conftest import _config

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="backups are pg_dump: need PostgreSQL")

TABLES = ("users", "artisans", "products", "orders", "order_lines", "payments")


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two scratch databases beside the test database: a source and a restore target."""
    base = make_url(normalise_database_url(POSTGRES_URL))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    names = [f"{base.database}_backup_src", f"{base.database}_backup_dst"]

    def drop_all() -> None:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop_all()
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield tuple(base.set(database=n).render_as_string(hide_password=False) for n in names)
    drop_all()
    admin.dispose()


def _snapshot(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = {
            table: connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()  # noqa: S608
            for table in TABLES
        }
        rows["alembic_version"] = connection.execute(text("SELECT * FROM alembic_version")).all()
        rows["stock"] = connection.execute(text("SELECT sum(stock) FROM products")).scalar()
    engine.dispose()
    return rows


def _run(script: str, url: str, *args: str) -> str:
    result = subprocess.run(
        [str(ROOT / "deploy" / script), *args],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_backup_restores_into_another_database_row_for_row(databases, tmp_path):
    source, target = databases
    app = create_app(_config(source, tmp_path))
    with app.test_request_context():
        upgrade()
        mug = factories.product(title="Taza", stock=7)
        factories.paid_order([(mug, 2)])
        factories.order([(mug, 1)])
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    before = _snapshot(source)
    assert len(before["orders"]) == 2 and before["stock"] == 4

    dump = _run("backup.sh", source, str(tmp_path / "backups"))
    assert Path(dump).is_file() and Path(dump).stat().st_size > 0
    assert _run("restore.sh", target, dump).startswith("restored")
    assert _snapshot(target) == before

    # Restoring over a database that changed since puts it back as it was backed up.
    engine = create_engine(target)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM payments"))
        connection.execute(text("UPDATE products SET title = 'changed'"))
    engine.dispose()
    _run("restore.sh", target, dump)
    assert _snapshot(target) == before
