"""Reprocessing batches count the patients whose guidance changed.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the counter, zero for batches already there."""
    with op.batch_alter_table("batches") as batch_op:
        batch_op.add_column(sa.Column("guidance_changed", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("batches") as batch_op:
        batch_op.drop_column("guidance_changed")
