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
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decision_hours", sa.Integer(), server_default="48", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_classes_decision_hours_range"), "decision_hours >= 1 AND decision_hours <= 336"
        )
    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))

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
    with op.batch_alter_table("class_sessions", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_classes_decision_hours_range"), type_="check")
        batch_op.drop_column("decision_hours")
