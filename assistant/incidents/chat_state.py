"""The chat channels' own small state, in the assistant's one database (SQLite by default, or PostgreSQL).

- ``claim(key)``: true only the first time a key is seen, in any thread, process or replica (an insert that
  ignores a primary-key conflict is atomic), so a retried or duplicated event never gets a second reply;
- answers shown (question, council, rendered message) and the 👍/👎 feedback on them — deleted after
  ``question_retention_days`` by the retention purge;
- each person's council choice;
- which chat thread carries which report conversation (removed with the conversation).

Draft posts and incident answers are never stored here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from assistant.incidents.db import Database
from assistant.incidents.models import ChatAnswer, ChatClaim, ChatFeedback, ChatThread, ChatUserSetting, utcnow

CLAIM_TTL = timedelta(days=7)  # Slack retries for about an hour; a week is plenty
VOTES = ("up", "down")
FOLLOW_UP_WINDOW = timedelta(hours=2)  # an older question in the thread no longer sets the context


@dataclass(frozen=True)
class StoredAnswer:
    """An answer as it was shown: who asked, where, and the chat message (e.g. Slack text and blocks) to share."""

    id: str
    user_id: str
    place_id: str | None
    question: str
    council: str | None
    abstained: bool
    message: dict


@dataclass(frozen=True)
class ReportThread:
    """A chat thread in which a report conversation is carried on."""

    place_id: str
    thread_id: str
    user_id: str
    conversation_id: str


class ChatStore:
    """One chat channel's state (``channel``: "slack", …) in the assistant's database; safe across threads."""

    def __init__(self, db: Database, *, channel: str, clock: Callable[[], datetime] = utcnow) -> None:
        if not channel:
            raise ValueError("channel must name the chat channel, e.g. 'slack'. Currently it is empty")
        self.db = db
        self.channel = channel
        self.clock = clock

    # --- de-duplication ---------------------------------------------------------------------------------------
    def claim(self, key: str) -> bool:
        """True the first time ``key`` is claimed, False ever after (until it expires after a week)."""
        with self.db.transaction() as session:
            # RETURNING, not rowcount: psycopg reports no row count for an INSERT … ON CONFLICT that SQLAlchemy built.
            inserted = session.execute(self._insert(ChatClaim).values(key=self._key(key), at=self.clock())
                                       .on_conflict_do_nothing().returning(ChatClaim.key)).first()
            return inserted is not None

    def release(self, key: str) -> None:
        """Give a claim back (the work it guarded failed and may be tried again)."""
        with self.db.transaction() as session:
            session.connection().execute(delete(ChatClaim).where(ChatClaim.key == self._key(key)))

    def prune_claims(self, older_than: timedelta = CLAIM_TTL) -> int:
        """Forget claims older than the retry window; returns how many."""
        with self.db.transaction() as session:
            return session.connection().execute(delete(ChatClaim).where(ChatClaim.at < self.clock() - older_than)).rowcount

    # --- answers and feedback ---------------------------------------------------------------------------------
    @staticmethod
    def new_answer_id() -> str:
        """A fresh answer id (the value of an answer's feedback and share buttons)."""
        return uuid.uuid4().hex[:16]

    def record_answer(self, answer_id: str, *, user_id: str, place_id: str | None, question: str,
                      council: str | None, abstained: bool, message: dict, thread_id: str | None = None) -> None:
        """Keep an answer as shown, so its feedback can be read later, it can be shared as it was, and a follow-up
        in the same thread knows what was asked before."""
        with self.db.transaction() as session:
            session.add(ChatAnswer(id=answer_id, channel=self.channel, user_id=user_id, place_id=place_id,
                                   thread_id=thread_id, question=question, council=council, abstained=abstained,
                                   message=message, created_at=self.clock()))

    def earlier_questions(self, *, user_id: str, place_id: str | None, thread_id: str | None,
                          within: timedelta = FOLLOW_UP_WINDOW, limit: int = 5) -> list[str]:
        """This person's recent questions in this chat thread, oldest first: the conversation a follow-up such
        as "what about Instagram?" continues. Nobody else's questions are ever read back."""
        with self.db.transaction(read_only=True) as session:
            rows = session.execute(
                select(ChatAnswer.question)
                .where(ChatAnswer.channel == self.channel, ChatAnswer.user_id == user_id,
                       ChatAnswer.place_id == place_id, ChatAnswer.thread_id == thread_id,
                       ChatAnswer.created_at >= self.clock() - within)
                .order_by(ChatAnswer.created_at.desc(), ChatAnswer.id.desc()).limit(limit)
            ).scalars().all()
        return list(reversed(rows))

    def answer(self, answer_id: str) -> StoredAnswer | None:
        """A stored answer by id (None once it is unknown or purged)."""
        with self.db.transaction(read_only=True) as session:
            row = session.get(ChatAnswer, answer_id)
            if row is None or row.channel != self.channel:
                return None
            return StoredAnswer(row.id, row.user_id, row.place_id, row.question, row.council, row.abstained,
                                row.message)

    def record_feedback(self, answer_id: str, user_id: str, vote: str) -> bool:
        """Store (or change) this person's vote on an answer; False when the answer is unknown."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}. Currently it is {vote!r}")
        with self.db.transaction() as session:
            if session.get(ChatAnswer, answer_id) is None:
                return False
            now = self.clock()
            statement = self._insert(ChatFeedback).values(answer_id=answer_id, user_id=user_id, vote=vote, at=now)
            session.connection().execute(statement.on_conflict_do_update(index_elements=["answer_id", "user_id"],
                                                            set_={"vote": vote, "at": now}))
        return True

    def feedback(self) -> list[tuple[str, str, str, str]]:
        """Every vote on this channel's answers: (answer id, question, user id, vote), oldest first."""
        with self.db.transaction(read_only=True) as session:
            rows = session.execute(select(ChatFeedback.answer_id, ChatAnswer.question, ChatFeedback.user_id,
                                          ChatFeedback.vote)
                                   .join(ChatAnswer, ChatAnswer.id == ChatFeedback.answer_id)
                                   .where(ChatAnswer.channel == self.channel).order_by(ChatFeedback.at))
            return [tuple(row) for row in rows]

    # --- settings ---------------------------------------------------------------------------------------------
    def council_of(self, user_id: str) -> tuple[bool, str | None]:
        """(whether the person chose a council, the council or None for "all councils equally")."""
        with self.db.transaction(read_only=True) as session:
            row = session.get(ChatUserSetting, (self.channel, user_id))
            return (row is not None, row.council if row else None)

    def set_council(self, user_id: str, council: str | None) -> None:
        """Remember a person's council (None: all councils equally)."""
        now = self.clock()
        with self.db.transaction() as session:
            statement = self._insert(ChatUserSetting).values(channel=self.channel, user_id=user_id, council=council,
                                                             at=now)
            session.connection().execute(statement.on_conflict_do_update(index_elements=["channel", "user_id"],
                                                            set_={"council": council, "at": now}))

    # --- report threads ---------------------------------------------------------------------------------------
    def link_thread(self, place_id: str, thread_id: str, user_id: str, conversation_id: str) -> None:
        """Record that replies in this thread belong to this report conversation."""
        now = self.clock()
        with self.db.transaction() as session:
            statement = self._insert(ChatThread).values(channel=self.channel, place_id=place_id, thread_id=thread_id,
                                                        user_id=user_id, conversation_id=conversation_id, at=now)
            session.connection().execute(statement.on_conflict_do_update(
                index_elements=["channel", "place_id", "thread_id"],
                set_={"user_id": user_id, "conversation_id": conversation_id, "at": now}))

    def thread(self, place_id: str, thread_id: str | None) -> ReportThread | None:
        """The report conversation carried on in this thread, if any."""
        if not thread_id:
            return None
        with self.db.transaction(read_only=True) as session:
            row = session.get(ChatThread, (self.channel, place_id, thread_id))
            return ReportThread(row.place_id, row.thread_id, row.user_id, row.conversation_id) if row else None

    def latest_thread(self, conversation_id: str) -> ReportThread | None:
        """The newest thread of a conversation (where its next question goes)."""
        with self.db.transaction(read_only=True) as session:
            row = session.scalars(select(ChatThread).where(ChatThread.channel == self.channel,
                                                           ChatThread.conversation_id == conversation_id)
                                  .order_by(ChatThread.at.desc()).limit(1)).first()
            return ReportThread(row.place_id, row.thread_id, row.user_id, row.conversation_id) if row else None

    # --- internals ------------------------------------------------------------------------------------------
    def _insert(self, model):
        """INSERT with the dialect's ON CONFLICT clauses (SQLite and PostgreSQL spell them alike)."""
        return (postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert)(model)

    def _key(self, key: str) -> str:
        return f"{self.channel}:{key}"
