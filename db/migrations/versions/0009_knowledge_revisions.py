"""every saved state of an entry: workspace drafts, reviews, publications and imports

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_revisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.String(120), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("author", sa.String(60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("minor", sa.Boolean(), nullable=False),
        sa.Column("reviewer", sa.String(60), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
    )
    op.create_index("ix_knowledge_revisions_entry_id", "knowledge_revisions", ["entry_id"])


def downgrade() -> None:
    op.drop_index("ix_knowledge_revisions_entry_id", "knowledge_revisions")
    op.drop_table("knowledge_revisions")
