"""Errors that carry a message fit to show a councillor, a Monitoring Officer or an IT admin."""

from __future__ import annotations

import traceback


class AssistantError(Exception):
    """Base class for the assistant's own errors."""


class UserError(AssistantError):
    """A problem the person can fix; ``user_message`` is safe to display as it is."""

    exit_code = 2

    def __init__(self, user_message: str, *, hint: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.hint = hint

    def display(self) -> str:
        """The message and, where there is one, how to fix it."""
        return f"{self.user_message}\n{self.hint}" if self.hint else self.user_message


class InvalidInput(UserError):
    """The question, draft or answer given cannot be used as it is."""


class NotFound(UserError):
    """Something asked for by name or reference does not exist."""


class PermissionDenied(UserError):
    """The person may not see or change this."""

    exit_code = 3


class IndexMissing(UserError):
    """The search index has not been built (or was built for another model)."""


class DocumentUnreadable(UserError):
    """A document could not be read or holds no usable text."""


class ServiceUnavailable(UserError):
    """A dependency (database, model, Slack) is down; nothing the person gave was lost."""

    exit_code = 4


class Misconfigured(ServiceUnavailable):
    """A setting has a value the assistant cannot use; an administrator must change it (the hint says how)."""


class DataCorrupt(ServiceUnavailable):
    """A database or index file exists but cannot be read; an administrator must restore or rebuild it."""


def stack_without_messages(error: BaseException) -> str:
    """The traceback's frames and exception types (chained ones too, first cause first), without any message text:
    a message could quote a draft or an incident answer, so only this goes to a log."""
    chain, current = [], error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    parts = ["".join(traceback.format_tb(e.__traceback__)) + type(e).__qualname__ for e in reversed(chain)]
    return "\n-- which led to --\n".join(parts)
