"""Incident reports: a guided, resumable `/report` conversation and the Monitoring Officer's incident log.

Modules, from the outside in:

- ``service``  — ``build_incident_service(settings, notifier=None)`` → ``IncidentService``: ``.conversations``
  (the engine), the log (list / get / change_status / export_pdf / export_csv / evidence_file) with access
  control (``Actor``) and an audit trail, and the notification outbox.
- ``engine``   — ``ReportEngine``: start/resume, reply, answer, back, skip, cancel, edit, confirm, attach,
  submit_form; every call returns a ``steps.Step`` for a channel to render. State lives in the database.
- ``form`` / ``form.yml`` — the form definition as data (fields, kinds, choices, conditions, safety notices).
- ``answers``  — parsing and validating typed answers (dates in the future refused), and displaying them.
- ``records``  — references (``INC-2026-0001``), status workflow, typed read views.
- ``evidence`` — content-addressed evidence files (SHA-256), type and size checks, safe names.
- ``export``   — the completed form as PDF; the log as CSV.
- ``notify``   — the ``Notifier`` protocol (reference only) and the default outbox notifier.
- ``outbox``   — delivering the notification outbox through a channel's ``Sender`` port, never twice (row claims;
  ``FOR UPDATE SKIP LOCKED`` on PostgreSQL).
- ``chat_state`` — the chat channels' own state (handled events, answers and feedback, council choice, threads).
- ``retention`` — the purge of old questions and answers and abandoned report conversations.
- ``models`` / ``db`` / ``migrations`` — SQLAlchemy models of the assistant's one database (SQLite or PostgreSQL),
  its engine and the Alembic migrations run on start-up; ``private_files`` — owner-only files and folders.

Incident text is never logged: log lines carry references, conversation ids and field ids only.
"""
