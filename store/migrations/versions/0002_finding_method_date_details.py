"""Findings keep their method (assay, clone), date and details (comparator, intensity ...), which guidance reads.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the three columns (nullable, or defaulting to an empty object for rows already there)."""
    with op.batch_alter_table("findings") as batch_op:
        batch_op.add_column(sa.Column("method", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("date", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("findings") as batch_op:
        batch_op.drop_column("details")
        batch_op.drop_column("date")
        batch_op.drop_column("method")
