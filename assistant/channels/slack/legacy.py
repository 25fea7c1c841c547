"""Moving a ``slack.db`` left by an earlier version (raw SQLite beside the incident log) into the one database.

Answers, feedback, council choices and report threads are copied (rows already present are kept as they are);
event claims are not (they only matter for an hour). After a successful copy the old file is deleted, so the
retention settings govern every copy of a question. Run once, by ``assistant slack`` before it serves.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from assistant.incidents.chat_state import ChatStore
from assistant.incidents.models import ChatAnswer, ChatFeedback, ChatThread, ChatUserSetting, Conversation

logger = logging.getLogger(__name__)


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def import_legacy_store(path: Path, store: ChatStore) -> int:
    """Copy an old ``slack.db`` into ``store``'s database and delete it; returns how many rows were copied."""
    path = Path(path)
    if not path.is_file():
        return 0
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

        def rows(table: str, columns: str) -> list[tuple]:
            return source.execute(f"SELECT {columns} FROM {table}").fetchall() if table in tables else []  # noqa: S608

        answers = rows("answers", "id, user_id, channel_id, question, council, abstained, message, at")
        feedback = rows("feedback", "answer_id, user_id, vote, at")
        settings = rows("user_settings", "user_id, council, at")
        threads = rows("report_threads", "channel_id, thread_ts, user_id, conversation_id, at")
    except sqlite3.DatabaseError as exc:
        logger.warning("old Slack state %s could not be read (%s); left where it is", path.name, type(exc).__name__)
        return 0
    finally:
        source.close()
    copied = 0
    with store.db.transaction() as session:
        known = set(session.scalars(select(ChatAnswer.id)))
        for aid, user, place, question, council, abstained, message, at in answers:
            if aid not in known:
                session.add(ChatAnswer(id=aid, channel=store.channel, user_id=user, place_id=place, question=question,
                                       council=council, abstained=bool(abstained), message=json.loads(message),
                                       created_at=_when(at)))
                known.add(aid)
                copied += 1
        session.flush()
        for aid, user, vote, at in feedback:
            if aid in known and session.get(ChatFeedback, (aid, user)) is None:
                session.add(ChatFeedback(answer_id=aid, user_id=user, vote=vote, at=_when(at)))
                copied += 1
        for user, council, at in settings:
            if session.get(ChatUserSetting, (store.channel, user)) is None:
                session.add(ChatUserSetting(channel=store.channel, user_id=user, council=council, at=_when(at)))
                copied += 1
        conversations = set(session.scalars(select(Conversation.id)))
        for place, thread, user, conversation, at in threads:
            if conversation in conversations and session.get(ChatThread, (store.channel, place, thread)) is None:
                session.add(ChatThread(channel=store.channel, place_id=place, thread_id=thread, user_id=user,
                                       conversation_id=conversation, at=_when(at)))
                copied += 1
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    logger.warning("moved %d rows of Slack state from %s into the assistant's database and deleted the old file",
                   copied, path.name)
    return copied
