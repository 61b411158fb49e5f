"""telegram_updates becomes the inbox: each update stored before it is confirmed to Telegram

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 0003's table only ever held ids of processed updates, never in production use: replaced.
    op.drop_table("telegram_updates")
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger(), primary_key=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_telegram_updates_processed_at", "telegram_updates", ["processed_at"])


def downgrade() -> None:
    op.drop_index("ix_telegram_updates_processed_at", table_name="telegram_updates")
    op.drop_table("telegram_updates")
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger(), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
