"""the chat of each stored Telegram update, so that `/delete` can erase a newcomer's updates

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rows stored before stay without a chat: retention deletes them within two days.
    op.add_column("telegram_updates", sa.Column("chat_id", sa.BigInteger()))
    op.create_index("ix_telegram_updates_chat_id", "telegram_updates", ["chat_id"])


def downgrade() -> None:
    op.drop_index("ix_telegram_updates_chat_id", table_name="telegram_updates")
    op.drop_column("telegram_updates", "chat_id")
