"""Channel fixtures: an incident service on SQLite in a temporary folder, and a console that records its output."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from rich.console import Console

from assistant.config import Settings
from assistant.incidents.service import build_incident_service


@pytest.fixture
def services(tmp_path):
    """What a console channel is given: ``services.incidents`` (only that is used by a report)."""
    service = build_incident_service(Settings(data_dir=tmp_path / "data", monitoring_officers=["mo1"],
                                              evidence_max_bytes=1024 * 1024))
    yield SimpleNamespace(incidents=service)
    service.close()


@pytest.fixture
def console() -> Console:
    return Console(file=io.StringIO(), width=200, highlight=False, color_system=None)
