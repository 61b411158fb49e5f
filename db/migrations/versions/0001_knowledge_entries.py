"""knowledge entries and syncs

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_entries",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_knowledge_entries_status", "knowledge_entries", ["status"])
    op.create_table(
        "knowledge_syncs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("knowledge_syncs")
    op.drop_index("ix_knowledge_entries_status", table_name="knowledge_entries")
    op.drop_table("knowledge_entries")
