"""Shared fixtures: every test gets its own data directory; real-component tests share one built index."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import ROOT, Settings

SEEDS_CORPUS = ROOT / "corpus"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """Incidents, feedback and other state go to a temporary folder, never the developer's."""
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ASSISTANT_COUNCIL", raising=False)
    monkeypatch.delenv("ASSISTANT_LLM_PROVIDER", raising=False)


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory) -> Settings:
    """Settings whose index (real model, real Chroma) holds the whole corpus; built once per session."""
    from assistant.knowledge.base import KnowledgeBase

    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), data_dir=tmp_path_factory.mktemp("data"))
    KnowledgeBase.from_settings(settings).build_index()
    return settings


@pytest.fixture(scope="session")
def app_index_dir(request) -> Path:
    """For the channels' real app processes: the repo's index when it is complete and current (saves a build),
    else the session's freshly built one."""
    from assistant.knowledge.base import KnowledgeBase

    try:
        stats = KnowledgeBase.from_settings(Settings(index_dir=ROOT / "index")).stats()
        if stats["indexed"] == stats["paragraphs"] > 0 and not stats["stale"]:
            return ROOT / "index"
    except Exception:  # noqa: BLE001 - any problem with the repo's index: build one
        pass
    return request.getfixturevalue("built_settings").index_dir


@pytest.fixture(scope="session")
def real_services(built_settings):
    """Services over the real corpus and index."""
    from assistant.wiring import build_services

    return build_services(built_settings)


def run_cli(*args: str, env: dict | None = None, input: str | None = None, timeout: int = 180):
    """Run the installed `assistant` command as a person would; returns the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=full_env, input=input, timeout=timeout, cwd=str(Path(ROOT)))
