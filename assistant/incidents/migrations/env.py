"""Alembic environment for the incident log; run programmatically by ``Database.migrate`` with a connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from assistant.incidents.db import VERSION_TABLE
from assistant.incidents.models import Base

# Arbitrary constant: serialises migrations when several processes (chat, Slack, CLI) start at once.
_PG_LOCK_ID = 715_244_001

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the incident migrations through assistant.incidents.db.Database.migrate()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
    context.run_migrations()
