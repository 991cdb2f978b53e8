"""Minimum participants decide whether a session runs.

Revision ID: 0013_session_decision
Revises: 0012_reviews_messages
Create Date: 2026-12-02 16:50:00

classes.decision_hours: how long before each session it is confirmed (its minimum reached) or
cancelled (short of it); 48 hours for existing classes. class_sessions.confirmed_at records the
confirmation. Upcoming sessions already inside their 48-hour window at upgrade were sold before
the rule existed, so they are confirmed here rather than cancelled by the next job run.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0013_session_decision"
down_revision = "0012_reviews_messages"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE, not batch mode: on SQLite a batch rebuilds `classes`, and dropping the
    # old table (foreign keys on) would cascade-delete every session. SQLite cannot add the
    # CHECK without that rebuild, so it relies on the form and service validation.
    op.add_column(
        "classes", sa.Column("decision_hours", sa.Integer(), server_default="48", nullable=False)
    )
    if op.get_bind().dialect.name != "sqlite":
        op.create_check_constraint(
            op.f("ck_classes_decision_hours_range"),
            "classes",
            "decision_hours >= 1 AND decision_hours <= 336",
        )
    op.add_column("class_sessions", sa.Column("confirmed_at", sa.DateTime(timezone=True)))

    sessions = sa.table(
        "class_sessions",
        sa.column("status", sa.String()),
        sa.column("starts_at", sa.DateTime(timezone=True)),
        sa.column("confirmed_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    op.execute(
        sessions.update()
        .where(
            sessions.c.status == "scheduled",
            sessions.c.starts_at > now,
            sessions.c.starts_at <= now + timedelta(hours=48),
        )
        .values(confirmed_at=now)
    )


def downgrade():
    # SQLite 3.35+ drops a column in place (no rebuild, no cascade).
    op.drop_column("class_sessions", "confirmed_at")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_classes_decision_hours_range"), "classes", type_="check")
    op.drop_column("classes", "decision_hours")
