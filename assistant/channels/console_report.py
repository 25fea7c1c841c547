"""The `/report` conversation at a console: renders the engine's steps with rich and reads answers line by line.

Used by ``assistant report`` and by the console chat's ``/report``. Works at a terminal and with answers piped
on stdin (each line is one answer; the answers are echoed so the transcript reads as a conversation). At the
evidence question, any word that is the path of an existing file is attached as evidence.
"""

from __future__ import annotations

import mimetypes
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from assistant.errors import InvalidInput
from assistant.incidents.steps import Question, Step

ReadLine = Callable[[str], "str | None"]
COMMANDS_HINT = "Commands: back · skip (optional questions) · edit N · cancel · help"


def run_console_report(services, *, user_id: str, display_name: str | None = None, email: str | None = None,
                       console: Console | None = None, read_line: ReadLine | None = None,
                       channel: str = "console") -> str | None:
    """Run (or resume) a report conversation; returns the reference, or None if cancelled, stopped or left."""
    console = console or Console(highlight=False)
    read_line = read_line or stdin_reader(console)
    engine = services.incidents.conversations
    step = engine.start(channel, user_id, display_name=display_name, email=email)
    while True:
        render_step(console, step)
        if step.finished:
            return step.reference
        text = read_line("> ")
        if text is None:
            console.print("\nYour answers so far are saved. Run `assistant report` (or /report) again to carry on "
                          "where you stopped.")
            return None
        if step.state == "question" and step.question.accepts_files:
            try:
                text = _attach_files(engine, step, text, user_id, console)
            except InvalidInput as exc:
                console.print(Text(exc.display(), style="yellow"))
                continue
        step = engine.reply(step.conversation_id, text, user_id=user_id)


def stdin_reader(console: Console) -> ReadLine:
    """Read one answer (None at end of input or Ctrl-C); piped answers are echoed so the transcript reads well."""
    interactive = sys.stdin.isatty()

    def read(prompt: str) -> str | None:
        try:
            if interactive:
                return console.input(Text(prompt, style="bold"))  # input(): line editing at a terminal
            console.print(Text(prompt, style="bold"), end="")
            line = sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            return None
        if not line:
            return None
        line = line.rstrip("\r\n")
        console.print(Text(line))
        return line

    return read


def render_step(console: Console, step: Step) -> None:
    """Print one step: notices, the error, then the question, the review or the outcome."""
    for notice in step.notices:
        style = "bold white on red" if notice.level == "urgent" else "cyan"
        console.print(Text(notice.text, style=style))
    if step.error:
        console.print(Text(step.error, style="yellow"))
    if step.state == "question":
        _render_question(console, step.question)
    elif step.state == "review":
        _render_review(console, step)
    elif step.state == "submitted":
        console.print(Text("\nWhat to do next:", style="bold"))
        for item in step.next_steps:
            console.print(Text(f"  • {item}"))
        console.print(Text(f"\nYour reference: {step.reference}", style="bold green"))


def _render_question(console: Console, question: Question) -> None:
    console.print()
    console.print(Text(f"Question {question.number} of {question.total} · {question.section}", style="dim"))
    console.print(Text(question.prompt, style="bold"))
    if question.help:
        console.print(Text(question.help, style="dim"))
    if question.kind == "yes_no":
        console.print(Text("Answer yes or no.", style="dim"))
    elif question.choices:
        for number, choice in enumerate(question.choices, 1):
            console.print(Text(f"  {number}. {choice.label}"))
        if question.kind == "multi_choice":
            console.print(Text("Choose one or more: numbers separated by commas, e.g. 1, 3.", style="dim"))
    if question.accepts_files:
        console.print(Text("To attach screenshots or other files, type their paths (separated by spaces).",
                           style="dim"))
    if question.current is not None:
        console.print(Text(f"Current answer: {question.current} (press Enter to keep it)", style="dim"))
    elif question.default:
        console.print(Text(f"Press Enter to use: {question.default}", style="dim"))
    if question.optional:
        console.print(Text("Optional: type skip to leave it out.", style="dim"))
    if question.number == 1 and question.current is None:
        console.print(Text(COMMANDS_HINT, style="dim"))


def _render_review(console: Console, step: Step) -> None:
    console.print(Text("\nPlease check your report before it is sent.", style="bold"))
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Question", ratio=2)
    table.add_column("Your answer", ratio=3)
    for item in step.review:
        table.add_row(str(item.number), Text(item.prompt), Text(item.answer))
    console.print(table)
    if step.evidence:
        console.print(Text("Files attached: " + ", ".join(e.filename for e in step.evidence)))
    console.print(Text("Type confirm to send it to the Monitoring Officer, edit and a number to change an answer "
                       "(e.g. edit 6), or cancel.", style="bold"))


def _attach_files(engine, step: Step, text: str, user_id: str, console: Console) -> str:
    """Attach every word of ``text`` that is an existing file; return the rest (or a note of what was attached)."""
    whole = Path(text.strip()).expanduser()
    words = [text.strip()] if text.strip() and whole.is_file() else text.split()
    kept, attached = [], []
    for word in words:
        path = Path(word).expanduser()
        if not path.is_file():
            kept.append(word)
            continue
        info = engine.attach(step.conversation_id, path.read_bytes(), path.name,
                             mimetypes.guess_type(path.name)[0], user_id=user_id)
        attached.append(info.filename)
        console.print(Text(f"Attached {info.filename} ({info.size:,} bytes).", style="green"))
    if not attached:
        return text
    rest = " ".join(kept).strip()
    return rest or "Files attached: " + ", ".join(attached)
