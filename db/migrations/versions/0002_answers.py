"""answers given, without who asked, and their 👍/👎

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answers",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("district", sa.String(40)),
        sa.Column("entry_ids", sa.JSON(), nullable=False),
        sa.Column("helpful", sa.Boolean()),
    )
    op.create_index("ix_answers_day", "answers", ["day"])


def downgrade() -> None:
    op.drop_index("ix_answers_day", table_name="answers")
    op.drop_table("answers")
