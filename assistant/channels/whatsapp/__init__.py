"""The WhatsApp channel: a thin adapter from WhatsApp Cloud API webhooks to the assistant's services.

``server.py`` is ``assistant whatsapp`` (the WSGI app at ``/whatsapp/webhook`` under gunicorn, and the per-worker
``WhatsAppRuntime``); ``edge.py`` checks every request (size, ``X-Hub-Signature-256``, structure) before anything
acts on it; ``bot.py`` routes one message to a service (question, ``check:``, ``report``) and replies;
``render.py`` and ``report_render.py`` turn answers, checks and report steps into WhatsApp messages; ``api.py``
is the Graph API client (messages, media); ``sender.py`` is the outbox ``Sender`` for Monitoring Officers.
Phone numbers are used to reply and to find a person's configured identity, and are never logged or stored.
"""
