"""The incident database: engine, transactions that turn outages into kind errors, and migrations on start-up."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Our own version table, so another part of the assistant can keep its own migrations in the same database.
VERSION_TABLE = "incidents_alembic_version"

UNAVAILABLE_MESSAGE = "The incident log cannot be reached right now. Nothing you have already answered is lost."
UNAVAILABLE_HINT = ("Please try again in a few minutes. "
                    "If it keeps happening, tell your IT team or the Monitoring Officer.")


def normalise_url(url: str) -> str:
    """The URL with a driver SQLAlchemy can use here (psycopg 3 for PostgreSQL)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(UNAVAILABLE_MESSAGE, hint=UNAVAILABLE_HINT)


class Database:
    """One engine and session factory for the incident log."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        connect_args: dict = {}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            connect_args["timeout"] = 30  # wait for another process's write instead of failing at once
        else:
            connect_args["connect_timeout"] = 10
        # hide_parameters: SQLAlchemy puts bound values into exception text, and those are incident answers.
        self.engine: Engine = create_engine(
            self.url, hide_parameters=True, pool_pre_ping=True, connect_args=connect_args
        )
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction, committed on success; an unreachable database raises ServiceUnavailable."""
        try:
            with self._sessions.begin() as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            logger.warning("incident database unavailable (%s)", type(exc).__name__)
            raise _unavailable() from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                logger.warning("incident database connection lost (%s)", type(exc).__name__)
                raise _unavailable() from exc
            raise

    def migrate(self) -> None:
        """Bring the schema up to the newest migration (a no-op when it is already there)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except (OperationalError, InterfaceError) as exc:
            logger.warning("incident database unavailable for migration (%s)", type(exc).__name__)
            raise _unavailable() from exc

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets the Monitoring Officer read the log while a chat process writes to it.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # Take the write lock up front: two processes confirming the same report then queue instead of one failing
    # with "database is locked" half-way, and reference numbers are handed out one at a time.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
