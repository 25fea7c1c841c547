"""The assistant's database: engine, transactions that turn outages into kind errors, and migrations on start-up.

It holds the incident log and the chat channels' state (see ``models``). A SQLite file is created owner-only
(0600, in a 0700 folder when the folder is new); SQLite gives its -wal and -shm files the same permissions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import DataCorrupt, Misconfigured, ServiceUnavailable
from assistant.incidents.private_files import private_file

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


def _bad_url(url: str) -> Misconfigured:
    # Only the scheme is shown: the rest of a database URL may hold a password.
    scheme = url.split("://", 1)[0] if "://" in url else ""
    shown = f" (it starts '{scheme}://')" if scheme.replace("+", "").replace("-", "").isalnum() else ""
    return Misconfigured(
        "The incident log is not set up correctly, so it cannot be opened.",
        hint=f"IT team: ASSISTANT_DATABASE_URL is not a database URL the assistant can use{shown}. Set it to "
        "postgresql+psycopg://USER:PASSWORD@HOST:5432/DBNAME or sqlite:////path/to/incidents.db, or unset it "
        "to keep the log in ASSISTANT_DATA_DIR.",
    )


def _corrupt(exc: DBAPIError, url: str) -> DataCorrupt | None:
    """A kind error when SQLite says the file is not a database or is damaged (else None)."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
        return None
    logger.warning("incident database %s is not a readable SQLite database", make_url(url).database)
    return DataCorrupt(
        "The incident log cannot be read: its database file is damaged. Nothing in it has been changed.",
        hint="IT team: restore incidents.db from a backup, or move the damaged file aside to start a new, "
        "empty log (the path is in the warning above or the server log).",
    )


def _usable_url(url: str):
    """The parsed URL, once its dialect and driver load; Misconfigured (not a traceback) when they do not."""
    try:
        parsed = make_url(url)
        parsed.get_dialect().import_dbapi()
    except (ArgumentError, ImportError) as exc:  # unparseable, unknown scheme (NoSuchModuleError), no driver
        logger.warning("incident database URL not usable (%s)", type(exc).__name__)
        raise _bad_url(url) from exc
    return parsed


class Database:
    """One engine and session factory for the incident log."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        parsed = _usable_url(self.url)
        self.dialect = parsed.get_backend_name()
        connect_args: dict = {}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                private_file(Path(parsed.database))
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
        # Reads need no write lock: on SQLite they BEGIN DEFERRED and, in WAL mode, never wait for a writer.
        self._readers = sessionmaker(self.engine.execution_options(assistant_read_only=True), expire_on_commit=False)

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Session]:
        """A session in one transaction, committed on success; an unreachable database raises ServiceUnavailable.

        ``read_only``: the transaction only reads (on SQLite it then takes no write lock)."""
        try:
            with (self._readers if read_only else self._sessions).begin() as session:
                yield session
        except (OperationalError, InterfaceError) as exc:
            logger.warning("incident database unavailable (%s)", type(exc).__name__)
            raise _unavailable() from exc
        except DBAPIError as exc:
            if (corrupt := _corrupt(exc, self.url)) is not None:
                raise corrupt from exc
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
        except DBAPIError as exc:
            if (corrupt := _corrupt(exc, self.url)) is not None:
                raise corrupt from exc
            if not isinstance(exc, (OperationalError, InterfaceError)):
                raise
            logger.warning("incident database unavailable for migration (%s)", type(exc).__name__)
            raise _unavailable() from exc

    def ping(self) -> None:
        """Raise ServiceUnavailable unless the database answers a query now."""
        with self.transaction(read_only=True) as session:
            session.execute(text("SELECT 1"))

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
    # with "database is locked" half-way, and reference numbers are handed out one at a time. Read-only
    # transactions begin deferred: in WAL mode they read a snapshot without waiting for the writer.
    read_only = connection.get_execution_options().get("assistant_read_only")
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
