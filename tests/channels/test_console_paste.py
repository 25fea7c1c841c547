"""The console takes a pasted multi-line draft as one draft, with prompt_toolkit or plain stdin, no real terminal."""

from __future__ import annotations

import io
import sys
from types import SimpleNamespace

import pytest
from rich.console import Console

from assistant.channels.console import PlainReader, PromptReader, run_chat
from assistant.checking.models import CheckResult

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"  # what a terminal sends around a bracketed paste
ESC_ENTER, CTRL_D = "\x1b\r", "\x04"


class RecordingChecker:
    """Records every draft it is given (whole), and finds nothing."""

    def __init__(self) -> None:
        self.drafts: list[str] = []

    def check(self, draft: str, *, council=None) -> CheckResult:
        self.drafts.append(draft)
        return CheckResult("ok", (), None)


def chat(keys: str) -> tuple[list[str], str]:
    """Run the chat on these keystrokes through prompt_toolkit; the drafts checked and what was printed."""
    pytest.importorskip("prompt_toolkit")
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    checker = RecordingChecker()
    services = SimpleNamespace(settings=SimpleNamespace(council=None), checker=checker)
    out = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        pipe.close()
        run_chat(services, Console(file=out, width=200), user_id="console:test",
                 reader=PromptReader(input=pipe, output=DummyOutput()))
    return checker.drafts, out.getvalue()


def test_a_bracketed_paste_after_checkpost_is_one_draft():
    draft = "Great turnout at the litter pick!\nThanks all.\n\nRing Dave on 07700 900111 for bags."
    drafts, _ = chat(f"/checkpost {PASTE_START}{draft}{PASTE_END}\r")
    assert drafts == [draft]


def test_a_pasted_block_starting_with_the_command_is_one_draft():
    drafts, _ = chat(f"{PASTE_START}/checkpost First line\nSecond line, the risky one{PASTE_END}\r")
    assert drafts == ["First line\nSecond line, the risky one"]


def test_checkpost_alone_opens_a_multi_line_prompt_ended_by_an_empty_line():
    drafts, _ = chat("/checkpost\rFirst line\rSecond line\r\r")
    assert drafts == ["First line\nSecond line"]


@pytest.mark.parametrize("end", [ESC_ENTER, CTRL_D])
def test_the_multi_line_prompt_also_ends_with_esc_enter_or_ctrl_d(end):
    drafts, _ = chat(f"/checkpost\rLine one\rLine two{end}")
    assert drafts == ["Line one\nLine two"]


def test_a_paste_into_the_multi_line_prompt_keeps_its_blank_lines():
    draft = "Para one.\n\nPara two."
    drafts, _ = chat(f"/checkpost\r{PASTE_START}{draft}{PASTE_END}\r\r")
    assert drafts == [draft]


def test_nothing_pasted_checks_nothing():
    drafts, printed = chat(f"/checkpost\r{CTRL_D}")
    assert drafts == [] and "Nothing to check" in printed


def test_plain_stdin_reads_a_draft_until_an_empty_line(monkeypatch):
    checker = RecordingChecker()
    services = SimpleNamespace(settings=SimpleNamespace(council=None), checker=checker)
    monkeypatch.setattr(sys, "stdin", io.StringIO("/checkpost\nLine one\nLine two\n\n/checkpost Just one line\n"))
    console = Console(file=io.StringIO(), width=200)
    run_chat(services, console, user_id="console:test", reader=PlainReader(console))
    assert checker.drafts == ["Line one\nLine two", "Just one line"]
