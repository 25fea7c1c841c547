"""The console's evidence question: only regular files of the allowed types, never a folder, a device, a pipe or a
link out of the home folder; the resolved path is shown and must be confirmed before anything is attached."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.channels.console_report import run_console_report
from tests.incidents.conftest import ANSWERS

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
USER = "console:jo"


class Script:
    """Answers the report's questions from ANSWERS; at the evidence question, gives ``evidence`` lines in turn."""

    def __init__(self, services, evidence: list[str]) -> None:
        self.services = services
        self.evidence = list(evidence)
        self.confirming = False

    def __call__(self, prompt: str) -> str | None:
        engine = self.services.incidents.conversations
        cid = self.services.incidents.conversations.start("console", USER).conversation_id
        step = engine.current(cid, user_id=USER)
        if step.state == "review":
            return "confirm"
        field = step.question.field_id
        if field == "evidence" and self.evidence:
            return self.evidence.pop(0)
        return {**ANSWERS, "when": "yesterday"}[field]


def report(services, console, home: Path, *lines: str) -> tuple[str | None, list[str], str]:
    """Run a whole report, giving these lines at the evidence question; (reference, attached names, transcript)."""
    reference = run_console_report(services, user_id=USER, display_name="Cllr Jo", console=console,
                                   read_line=Script(services, list(lines)), home=home)
    output = console.file.getvalue()
    if reference is None:
        return None, [], output
    detail = services.incidents.get(services.incidents.actor("mo1"), reference)
    return reference, [e.filename for e in detail.evidence], output


@pytest.fixture
def home(tmp_path) -> Path:
    home = tmp_path / "home" / "jo"
    (home / "Pictures").mkdir(parents=True)
    (home / "Pictures" / "shot.png").write_bytes(PNG)
    return home


def test_a_regular_file_is_attached_after_its_resolved_path_is_confirmed(services, console, home, monkeypatch):
    monkeypatch.chdir(home / "Pictures")
    reference, attached, output = report(services, console, home, "./shot.png", "yes")
    assert attached == ["shot.png"]
    assert f"Attach {home / 'Pictures' / 'shot.png'} (image/png" in output and reference in output


def test_declining_the_confirmation_attaches_nothing(services, console, home):
    _, attached, output = report(services, console, home, str(home / "Pictures" / "shot.png"), "no",
                                 "https://x.com/status/1")
    assert attached == [] and "was not attached" in output


def test_a_file_outside_home_reached_by_dot_dots_shows_where_it_really_is(services, console, home, tmp_path,
                                                                         monkeypatch):
    outside = tmp_path / "shared" / "letter.txt"
    outside.parent.mkdir()
    outside.write_text("A letter I received.")
    monkeypatch.chdir(home / "Pictures")
    typed = os.path.relpath(outside, home / "Pictures")  # ../../../shared/letter.txt
    _, attached, output = report(services, console, home, typed, "no", "skip the files")
    assert f"Attach {outside} (text/plain" in output and attached == []


@pytest.mark.parametrize("kind", ["folder", "device", "pipe"])
def test_folders_devices_and_pipes_are_refused(services, console, home, kind):
    if kind == "folder":
        path = str(home / "Pictures")
    elif kind == "device":
        path = "/dev/null"
    else:
        path = str(home / "fifo")
        os.mkfifo(path)  # opening it for reading would block for ever if it were ever opened
    _, attached, output = report(services, console, home, path, "the screenshots are on my phone")
    assert attached == [] and "not attached" in output and "Attach " not in output


def test_a_link_out_of_home_is_refused_and_a_link_within_home_is_fine(services, console, home, tmp_path):
    secret = tmp_path / "etc" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (home / "innocent.txt").symlink_to(secret)
    (home / "Desktop").symlink_to(home / "Pictures")
    _, attached, output = report(services, console, home, str(home / "innocent.txt"),
                                 str(home / "Desktop" / "shot.png"), "yes")
    assert "outside your home folder" in output and "root:x" not in output
    assert attached == ["shot.png"]


def test_a_file_of_a_type_that_cannot_be_attached_is_refused(services, console, home):
    program = home / "tool.png"
    program.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256)))
    _, attached, output = report(services, console, home, str(program), "nothing else")
    assert attached == [] and "cannot be attached" in output and "Attach " not in output


def test_words_that_are_not_paths_are_the_answer(services, console, home):
    _, attached, output = report(services, console, home, "Screenshots kept on my phone")
    assert attached == [] and "Attach " not in output


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(services, console, home):
    big = home / "video.png"
    with open(big, "wb") as handle:
        handle.write(PNG)
        handle.truncate(2 * 1024 * 1024)  # the fixture's limit is 1 MB
    _, attached, output = report(services, console, home, str(big), "too big to attach")
    assert attached == [] and "larger than the 1.0 MB" in output
