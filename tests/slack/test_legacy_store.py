"""An old slack.db (raw SQLite beside the incident log) is moved into the one database on start-up, then deleted."""

from __future__ import annotations

import json
import sqlite3
import time

from assistant.channels.slack.legacy import import_legacy_store
from assistant.config import Settings
from assistant.wiring import build_services

OLD_SCHEMA = """
CREATE TABLE claims (key TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE answers (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, channel_id TEXT, question TEXT NOT NULL,
    council TEXT, abstained INTEGER NOT NULL, message TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE feedback (answer_id TEXT NOT NULL REFERENCES answers(id), user_id TEXT NOT NULL, vote TEXT NOT NULL,
    at REAL NOT NULL, PRIMARY KEY (answer_id, user_id));
CREATE TABLE user_settings (user_id TEXT PRIMARY KEY, council TEXT, at REAL NOT NULL);
CREATE TABLE report_threads (channel_id TEXT NOT NULL, thread_ts TEXT NOT NULL, user_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (channel_id, thread_ts));
"""


def test_an_old_slack_db_is_moved_into_the_database_and_deleted(tmp_path):
    services = build_services(Settings(data_dir=tmp_path / "data"))
    store = services.chat_store("slack")
    conversation = services.incidents.conversations.start("slack", "U1").conversation_id
    old = tmp_path / "data" / "slack.db"
    now = time.time()
    with sqlite3.connect(old) as db:
        db.executescript(OLD_SCHEMA)
        db.execute("INSERT INTO claims VALUES ('event:Ev1', ?)", (now,))
        db.execute("INSERT INTO answers VALUES ('a1', 'U1', 'C1', 'Can I block a troll?', NULL, 0, ?, ?)",
                   (json.dumps({"text": "An answer", "blocks": []}), now))
        db.execute("INSERT INTO feedback VALUES ('a1', 'U1', 'up', ?)", (now,))
        db.execute("INSERT INTO user_settings VALUES ('U1', 'Powys County Council', ?)", (now,))
        db.execute("INSERT INTO report_threads VALUES ('DU1', '1700.1', 'U1', ?, ?)", (conversation, now))
        db.execute("INSERT INTO report_threads VALUES ('DU1', '1700.2', 'U1', 'gone-conversation', ?)", (now,))
    db.close()

    assert import_legacy_store(old, store) == 4  # the answer, its vote, the council, the live thread
    assert not old.exists()
    assert store.answer("a1").message == {"text": "An answer", "blocks": []}
    assert store.feedback() == [("a1", "Can I block a troll?", "U1", "up")]
    assert store.council_of("U1") == (True, "Powys County Council")
    assert store.thread("DU1", "1700.1").conversation_id == conversation
    assert store.claim("event:Ev1")  # claims are not carried over: they only matter for an hour
    assert import_legacy_store(old, store) == 0  # nothing left to move
    services.incidents.close()
