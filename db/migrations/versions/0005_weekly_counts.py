"""weekly counts: the coordinators' statistics that outlive the retention limit

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weekly_counts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("district", sa.String(40)),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("helpful", sa.Integer(), nullable=False),
        sa.Column("not_helpful", sa.Integer(), nullable=False),
    )
    # NULL (district unknown) is one district here: a plain unique key would let SQLite and
    # PostgreSQL store one row per run for it.
    op.create_index("uq_weekly_counts_key", "weekly_counts",
                    ["week", "topic", "language", sa.text("coalesce(district, '')"), "kind"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_weekly_counts_key", table_name="weekly_counts")
    op.drop_table("weekly_counts")
