"""The Slack app: a thin Bolt adapter over the assistant's services (answers, post checks, incident reports).

``app.build_app(services)`` builds the Bolt App; ``listeners/`` holds one small callback per command, event,
action and view; ``blocks.py`` and ``report_blocks.py`` render Block Kit; ``deps.py`` is what listeners share (the
services, the channel's state in the assistant's database — assistant.incidents.chat_state — and the outbox
``sender.py``); ``edge.py`` checks every request before Bolt parses it; ``server.py`` is ``assistant slack``,
served by gunicorn (``gunicorn_app.py``) with one ``runtime.SlackRuntime`` per worker; ``legacy.py`` moves an old
``slack.db`` into the database.
"""
