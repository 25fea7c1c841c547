"""Councillor guidance assistant: cited answers, draft-post checks and incident reports."""

__version__ = "0.1.0"
