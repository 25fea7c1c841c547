"""`assistant report` and `assistant incidents` as a person uses them (SQLite in a temporary data folder)."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.config import ROOT

from .conftest import ANSWERS

FIELD_ORDER = ["immediate_danger", "about_member", "safeguarding", "who", "platform", "what_happened", "when",
               "why_abusive", "kinds", "evidence", "asked_to_stop", "reported_police", "police_reference",
               "reported_platform", "raised_with_individual", "witnesses", "other_incidents", "remedy",
               "confidential", "reporter_name", "reporter_email", "reporter_phone"]
# The CLI runs on the real clock, so the incident happened "yesterday" (recent: no "why not earlier" question).
LINES = [{**ANSWERS, "when": "yesterday"}[f] for f in FIELD_ORDER] + ["confirm"]


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("ASSISTANT_DATABASE_URL", raising=False)
    values = {"ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_MONITORING_OFFICERS": "mo1",
              "ASSISTANT_USER": "console:jo"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_report_with_piped_answers_ends_with_the_reference(env):
    result = run("report", "--name", "Cllr Jo Bloggs", input="\n".join(LINES) + "\n")
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"Your reference: INC-\d{4}-0001", last)
    assert "Question 1 of" in result.output and "> no" in result.output  # answers are echoed when piped
    assert "Please check your report" in result.output and "101" in result.output


def test_incidents_commands_for_the_monitoring_officer_and_the_reporter(env, tmp_path):
    run("report", "--name", "Cllr Jo Bloggs", input="\n".join(LINES) + "\n")
    listed = run("incidents", "--user", "mo1", "list", "--json")
    [row] = json.loads(listed.output)
    ref = row["reference"]
    assert row["reporter_id"] == "console:jo" and row["status"] == "submitted"
    assert json.loads(run("incidents", "list", "--json").output)[0]["reference"] == ref  # the reporter's own

    shown = run("incidents", "--user", "mo1", "show", ref.lower(), "--json")
    assert json.loads(shown.output)["reference"] == ref

    refused = CliRunner().invoke(cli, ["incidents", "--user", "someone", "show", ref])
    assert refused.exit_code == 3 and "Only the reporter and the Monitoring Officers" in refused.output
    assert "Traceback" not in refused.output

    changed = run("incidents", "--user", "mo1", "status", ref, "acknowledged", "--note", "Called Jo")
    assert changed.exit_code == 0 and "is now acknowledged" in changed.output
    bad = CliRunner().invoke(cli, ["incidents", "--user", "mo1", "status", ref, "submitted"])
    assert bad.exit_code == 2 and "cannot move to submitted" in bad.output

    pdf = tmp_path / "out.pdf"
    assert run("incidents", "--user", "mo1", "export", ref, "-o", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    exported = run("incidents", "--user", "mo1", "export", "--csv")
    assert exported.output.splitlines()[0].startswith("reference,status") and ref in exported.output

    audit = run("incidents", "--user", "mo1", "show", ref).output
    for action in ("submitted", "viewed", "access_denied", "status_changed", "exported_pdf", "exported_csv"):
        assert action in audit


def test_leaving_the_report_keeps_answers_and_running_again_resumes(env):
    first = run("report", "--name", "Jo", input="\n".join(LINES[:5]) + "\n")  # input ends after five answers
    assert first.exit_code == 0 and "answers so far are saved" in first.output
    second = run("report", "--name", "Jo", input="\n".join(LINES[5:]) + "\n")
    assert "Welcome back" in second.output and "Question 6 of" in second.output
    assert re.search(r"Your reference: INC-\d{4}-0001\s*$", second.output)


def _reader(stream, lines: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line)


def test_killing_the_process_mid_conversation_loses_no_given_answer(env):
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "report", "--name", "Jo"], cwd=str(ROOT), text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
    process.stdin.write("\n".join(LINES[:6]) + "\n")
    process.stdin.flush()
    deadline, seen = time.monotonic() + 60, ""
    while "Question 7 of" not in seen:  # question 7 is shown only after answer 6 was committed
        assert time.monotonic() < deadline, seen
        try:
            seen += lines.get(timeout=1)
        except queue.Empty:
            pass
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    resumed = run("report", "--name", "Jo", input="\n".join(LINES[6:]) + "\n")
    assert "Welcome back" in resumed.output and "Question 7 of" in resumed.output
    assert "SECRET-MARKER-7731" in resumed.output  # answer 6, given before the kill, is in the review
    assert re.search(r"Your reference: INC-\d{4}-0001\s*$", resumed.output)
