"""The Slack adapter's own small state, in SQLite in the data directory.

- ``claim(key)``: true only the first time a key is seen, in any thread or process (``INSERT OR IGNORE`` on a
  primary key is atomic), so a retried or duplicated Slack event never gets a second reply;
- answers shown (question, council, rendered message) and the 👍/👎 feedback clicks on them;
- each person's council setting (chosen in the App Home);
- which DM thread belongs to which report conversation.

Draft posts and incident answers are never stored here.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SCHEMA = """
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, channel_id TEXT, question TEXT NOT NULL, council TEXT,
    abstained INTEGER NOT NULL, message TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT NOT NULL REFERENCES answers(id), user_id TEXT NOT NULL, vote TEXT NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (answer_id, user_id));
CREATE TABLE IF NOT EXISTS user_settings (user_id TEXT PRIMARY KEY, council TEXT, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS report_threads (
    channel_id TEXT NOT NULL, thread_ts TEXT NOT NULL, user_id TEXT NOT NULL, conversation_id TEXT NOT NULL,
    at REAL NOT NULL, PRIMARY KEY (channel_id, thread_ts));
"""
CLAIM_TTL_S = 7 * 24 * 3600  # Slack retries for about an hour; a week is plenty
VOTES = ("up", "down")


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as it was shown: who asked, where, and the Slack message (text and blocks) to share."""

    id: str
    user_id: str
    channel_id: str | None
    question: str
    council: str | None
    abstained: bool
    message: dict


@dataclass(frozen=True)
class ReportThread:
    """A DM thread in which a report conversation is carried on."""

    channel_id: str
    thread_ts: str
    user_id: str
    conversation_id: str


class SlackStore:
    """SQLite state for the Slack app; safe to share between threads (one connection per thread)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with sqlite3.connect(self.path, timeout=30) as db:  # executescript manages its own transaction
            db.executescript(SCHEMA)
        db.close()
        self.prune()

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> "SlackStore":
        """The store in ``<data_dir>/slack.db``."""
        return cls(Path(data_dir) / "slack.db")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: no corruption, far fewer fsyncs per claim
            self._local.db = db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # --- de-duplication ---------------------------------------------------------------------------------------
    def claim(self, key: str) -> bool:
        """True the first time ``key`` is claimed, False ever after (until it expires after a week)."""
        with self._tx() as db:
            return db.execute("INSERT OR IGNORE INTO claims (key, at) VALUES (?, ?)", (key, time.time())).rowcount == 1

    def release(self, key: str) -> None:
        """Give a claim back (the work it guarded failed and may be tried again)."""
        with self._tx() as db:
            db.execute("DELETE FROM claims WHERE key = ?", (key,))

    def prune(self, older_than_s: float = CLAIM_TTL_S) -> None:
        """Forget claims older than the retry window."""
        with self._tx() as db:
            db.execute("DELETE FROM claims WHERE at < ?", (time.time() - older_than_s,))

    # --- answers and feedback ---------------------------------------------------------------------------------
    @staticmethod
    def new_answer_id() -> str:
        """A fresh answer id (the value of an answer's feedback and share buttons)."""
        return uuid.uuid4().hex[:16]

    def record_answer(self, answer_id: str, *, user_id: str, channel_id: str | None, question: str,
                      council: str | None, abstained: bool, message: dict) -> None:
        """Keep an answer as shown, so its feedback can be read later and it can be shared as it was."""
        with self._tx() as db:
            db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (answer_id, user_id, channel_id, question, council, int(abstained), json.dumps(message),
                        time.time()))

    def answer(self, answer_id: str) -> StoredAnswer | None:
        """A stored answer by id."""
        with self._tx() as db:
            row = db.execute("SELECT id, user_id, channel_id, question, council, abstained, message FROM answers "
                             "WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            return None
        return StoredAnswer(row[0], row[1], row[2], row[3], row[4], bool(row[5]), json.loads(row[6]))

    def record_feedback(self, answer_id: str, user_id: str, vote: str) -> bool:
        """Store (or change) this person's vote on an answer; False when the answer is unknown."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}. Currently it is {vote!r}")
        with self._tx() as db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return False
            db.execute("INSERT INTO feedback (answer_id, user_id, vote, at) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                       (answer_id, user_id, vote, time.time()))
        return True

    def feedback(self) -> list[tuple[str, str, str, str]]:
        """Every vote: (answer id, question, user id, vote), oldest first."""
        with self._tx() as db:
            return db.execute("SELECT f.answer_id, a.question, f.user_id, f.vote FROM feedback f "
                              "JOIN answers a ON a.id = f.answer_id ORDER BY f.at").fetchall()

    # --- settings ---------------------------------------------------------------------------------------------
    def council_of(self, user_id: str) -> tuple[bool, str | None]:
        """(whether the person chose a council, the council or None for "all councils equally")."""
        with self._tx() as db:
            row = db.execute("SELECT council FROM user_settings WHERE user_id = ?", (user_id,)).fetchone()
        return (row is not None, row[0] if row else None)

    def set_council(self, user_id: str, council: str | None) -> None:
        """Remember a person's council (None: all councils equally)."""
        with self._tx() as db:
            db.execute("INSERT INTO user_settings (user_id, council, at) VALUES (?, ?, ?) "
                       "ON CONFLICT (user_id) DO UPDATE SET council = excluded.council, at = excluded.at",
                       (user_id, council, time.time()))

    # --- report threads ---------------------------------------------------------------------------------------
    def link_thread(self, channel_id: str, thread_ts: str, user_id: str, conversation_id: str) -> None:
        """Record that replies in this DM thread belong to this report conversation."""
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO report_threads VALUES (?, ?, ?, ?, ?)",
                       (channel_id, thread_ts, user_id, conversation_id, time.time()))

    def thread(self, channel_id: str, thread_ts: str | None) -> ReportThread | None:
        """The report conversation carried on in this thread, if any."""
        if not thread_ts:
            return None
        with self._tx() as db:
            row = db.execute("SELECT channel_id, thread_ts, user_id, conversation_id FROM report_threads "
                             "WHERE channel_id = ? AND thread_ts = ?", (channel_id, thread_ts)).fetchone()
        return ReportThread(*row) if row else None

    def latest_thread(self, conversation_id: str) -> ReportThread | None:
        """The newest thread of a conversation (where its next question goes)."""
        with self._tx() as db:
            row = db.execute("SELECT channel_id, thread_ts, user_id, conversation_id FROM report_threads "
                             "WHERE conversation_id = ? ORDER BY at DESC LIMIT 1", (conversation_id,)).fetchone()
        return ReportThread(*row) if row else None
