"""The real CLI, as a subprocess, on a broken set-up: a bad database URL, a damaged incidents.db, a damaged index.

Each ends in a kind message with a hint on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import os

import pytest

from assistant.errors import ServiceUnavailable
from tests.conftest import run_cli

pytestmark = pytest.mark.real

EXIT = ServiceUnavailable.exit_code  # Misconfigured and DataCorrupt are kinds of ServiceUnavailable


def assert_kind_failure(result, *phrases: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == EXIT, output
    assert "Traceback" not in output and "sqlalchemy.exc" not in output
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


@pytest.mark.parametrize("url", ["notadb://x", "not a url at all", "postgresql+nodriver://admin:s3cr3t@db/x",
                                 "mysql://admin:s3cr3t@db/x"])
@pytest.mark.parametrize("command", [("incidents", "list"), ("incidents", "show", "INC-2026-0001"), ("report",)])
def test_a_bad_database_url_is_a_kind_error(url, command, tmp_path):
    result = run_cli(*command, env={"ASSISTANT_DATABASE_URL": url, "ASSISTANT_DATA_DIR": str(tmp_path)},
                     input="")
    assert_kind_failure(result, "The incident log is not set up correctly", "ASSISTANT_DATABASE_URL",
                        "postgresql+psycopg://")
    assert "s3cr3t" not in result.stdout + result.stderr  # the password part of a URL is never shown
    assert not any(tmp_path.iterdir())  # nothing was created


@pytest.mark.parametrize("command", [("incidents", "list"), ("incidents", "export"), ("report",)])
def test_a_file_of_random_bytes_as_incidents_db_is_a_kind_error(command, tmp_path):
    db = tmp_path / "incidents.db"
    junk = os.urandom(64 * 1024)
    db.write_bytes(junk)
    result = run_cli(*command, env={"ASSISTANT_DATABASE_URL": "", "ASSISTANT_DATA_DIR": str(tmp_path)}, input="")
    assert_kind_failure(result, "database file is damaged", "restore incidents.db from a backup", str(db))
    assert db.read_bytes() == junk  # left exactly as it was, for whoever restores it


def test_a_damaged_incidents_db_with_a_valid_header_is_a_kind_error(tmp_path):
    env = {"ASSISTANT_DATABASE_URL": "", "ASSISTANT_DATA_DIR": str(tmp_path)}
    created = run_cli("incidents", "list", env=env)
    assert created.returncode == 0, created.stderr
    db = tmp_path / "incidents.db"
    data = db.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")  # the SQLite header is intact; every page after it is junk
    db.write_bytes(data[:page_size] + os.urandom(len(data) - page_size))
    for sidecar in ("incidents.db-wal", "incidents.db-shm"):
        (tmp_path / sidecar).unlink(missing_ok=True)
    assert_kind_failure(run_cli("incidents", "list", env=env), "database file is damaged")


def test_index_stats_exits_non_zero_on_a_damaged_index(tmp_path):
    (tmp_path / "chroma.sqlite3").write_bytes(os.urandom(64 * 1024))
    env = {"ASSISTANT_INDEX_DIR": str(tmp_path), "ASSISTANT_CHROMA_URL": ""}
    for args in (("index", "stats"), ("index", "stats", "--json")):
        result = run_cli(*args, env=env)
        assert_kind_failure(result, "could not be opened", "assistant index build")
        assert "paragraphs" in result.stdout  # the corpus counts are still shown


def test_index_stats_of_an_index_not_yet_built_reports_it_and_exits_zero(tmp_path):
    result = run_cli("index", "stats", "--json", env={"ASSISTANT_INDEX_DIR": str(tmp_path / "index"),
                                                       "ASSISTANT_CHROMA_URL": ""})
    assert result.returncode == 0, result.stderr
    assert '"indexed": 0' in result.stdout and "Traceback" not in result.stderr


def test_index_stats_of_a_built_index_exits_zero(built_settings):
    result = run_cli("index", "stats", env={"ASSISTANT_INDEX_DIR": str(built_settings.index_dir),
                                            "ASSISTANT_CHROMA_URL": ""})
    assert result.returncode == 0, result.stderr
    assert " 0 missing, 0 stale" in result.stdout
