"""Answers remember the chat thread they were given in, so a follow-up in that thread reads the questions before it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_answers") as batch:
        batch.add_column(sa.Column("thread_id", sa.String(255), nullable=True))
    op.create_index("ix_chat_answers_thread", "chat_answers", ["channel", "place_id", "thread_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_chat_answers_thread", table_name="chat_answers")
    with op.batch_alter_table("chat_answers") as batch:
        batch.drop_column("thread_id")
