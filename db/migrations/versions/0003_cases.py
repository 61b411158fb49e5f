"""the advisors' side: hand-over cases, mirrored messages, advisors, processed Telegram updates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sender", sa.String(64), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("topic", sa.String(40)),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(40)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("thread_id", sa.BigInteger()),
        sa.Column("advisor_id", sa.BigInteger()),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_cases_sender", "cases", ["sender"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_table(
        "case_messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("source_chat", sa.BigInteger(), nullable=False),
        sa.Column("source_message", sa.BigInteger(), nullable=False),
        sa.Column("target_message", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source_chat", "source_message", name="uq_case_messages_source"),
    )
    op.create_index("ix_case_messages_case_id", "case_messages", ["case_id"])
    op.create_table(
        "advisors",
        sa.Column("user_id", sa.BigInteger(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger(), primary_key=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("telegram_updates")
    op.drop_table("advisors")
    op.drop_index("ix_case_messages_case_id", table_name="case_messages")
    op.drop_table("case_messages")
    op.drop_index("ix_cases_status", table_name="cases")
    op.drop_index("ix_cases_sender", table_name="cases")
    op.drop_table("cases")
