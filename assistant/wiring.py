"""build_services(settings): the one place that turns settings into services. Everything is built lazily."""

from __future__ import annotations

from functools import cached_property

from assistant.config import Settings


class Services:
    """The assistant's services, each created on first use and then shared (one model load per process)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    @cached_property
    def knowledge(self):
        """Corpus, paragraph index and hybrid search (assistant.knowledge.base.KnowledgeBase)."""
        from assistant.knowledge.base import KnowledgeBase

        return KnowledgeBase.from_settings(self.settings)

    @cached_property
    def answerer(self):
        """Cited answers (assistant.answering.service.Answerer)."""
        from assistant.answering.service import build_answerer

        return build_answerer(self.settings, self.knowledge)

    @cached_property
    def checker(self):
        """The draft-post checker (assistant.checking.service.PostChecker)."""
        from assistant.checking.service import build_checker

        return build_checker(self.settings, self.knowledge)

    @cached_property
    def incidents(self):
        """The incident log and report conversations (assistant.incidents.service.IncidentService)."""
        from assistant.incidents.service import build_incident_service

        return build_incident_service(self.settings)

    def chat_store(self, channel: str):
        """A chat channel's own state in the same database (assistant.incidents.chat_state.ChatStore)."""
        from assistant.incidents.chat_state import ChatStore

        return ChatStore(self.incidents.db, channel=channel, clock=self.incidents.clock)

    @cached_property
    def retention(self):
        """The retention purge for these settings (assistant.incidents.retention.Retention)."""
        from assistant.incidents.retention import Retention

        incidents = self.incidents
        return Retention(incidents.db, incidents.store, question_days=self.settings.question_retention_days,
                         abandoned_report_days=self.settings.abandoned_report_days, clock=incidents.clock)

    def ready(self) -> dict[str, str]:
        """Whether the index opens and the database answers: {"index": "ok" | problem, "database": …}."""

        def index() -> None:
            if not self.knowledge.store.check():
                raise LookupError("the index holds no paragraphs")

        checks = {"index": index, "database": lambda: self.incidents.db.ping()}
        status = {}
        for name, check in checks.items():
            try:
                check()
                status[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - readiness reports any failure (its type only), never raises
                status[name] = type(exc).__name__
        return status


def build_services(settings: Settings | None = None) -> Services:
    """Services for these settings (defaults: the environment)."""
    return Services(settings)
