"""One database: the chat channels' state (formerly slack.db), outbox delivery claims, maintenance runs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.incidents.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident_notifications") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("claimed_until", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("claim_token", sa.String(32), nullable=True))
        batch.add_column(sa.Column("failed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(64), nullable=True))
    op.create_index("ix_report_conversations_updated_at", "report_conversations", ["updated_at"])

    op.create_table(
        "chat_claims",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_chat_claims_at", "chat_claims", ["at"])

    op.create_table(
        "chat_answers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("place_id", sa.String(255), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("council", sa.String(255), nullable=True),
        sa.Column("abstained", sa.Boolean(), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_chat_answers_created_at", "chat_answers", ["created_at"])

    op.create_table(
        "chat_feedback",
        sa.Column("answer_id", sa.String(32), sa.ForeignKey("chat_answers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("vote", sa.String(8), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("answer_id", "user_id"),
    )

    op.create_table(
        "chat_user_settings",
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("council", sa.String(255), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "user_id"),
    )

    op.create_table(
        "chat_threads",
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("place_id", sa.String(255), nullable=False),
        sa.Column("thread_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("conversation_id", sa.String(36),
                  sa.ForeignKey("report_conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "place_id", "thread_id"),
    )
    op.create_index("ix_chat_threads_conversation_id", "chat_threads", ["conversation_id"])

    op.create_table(
        "maintenance_runs",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("holder", sa.String(255), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("maintenance_runs")
    op.drop_table("chat_threads")
    op.drop_table("chat_user_settings")
    op.drop_table("chat_feedback")
    op.drop_table("chat_answers")
    op.drop_table("chat_claims")
    op.drop_index("ix_report_conversations_updated_at", "report_conversations")
    with op.batch_alter_table("incident_notifications") as batch:
        for column in ("last_error", "failed_at", "claim_token", "claimed_until", "attempts"):
            batch.drop_column(column)
