"""The Slack app: a thin Bolt adapter over the assistant's services (answers, post checks, incident reports).

``app.build_app(services)`` builds the Bolt App; ``listeners/`` holds one small callback per command, event,
action and view; ``blocks.py`` and ``report_blocks.py`` render Block Kit; ``store.py`` keeps the adapter's own
state (event de-duplication, feedback, council choice, report threads); ``server.py`` is ``assistant slack``.
"""
