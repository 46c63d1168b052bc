"""Small uploads are staged in the database with their upload's commit, until a worker moves them to the blobs.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the staging table."""
    op.create_table(
        "staged_blobs",
        sa.Column("sha256", sa.String(length=64), primary_key=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_staged_blobs_created_at", "staged_blobs", ["created_at"])


def downgrade() -> None:
    """Drop it, unless files are still staged: dropping them would lose uploads (start a worker first)."""
    if op.get_bind().execute(sa.text("SELECT count(*) FROM staged_blobs")).scalar():
        raise RuntimeError("uploads are still staged in staged_blobs: run a worker to move them, then downgrade")
    op.drop_index("ix_staged_blobs_created_at", table_name="staged_blobs")
    op.drop_table("staged_blobs")
