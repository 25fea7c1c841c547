"""The `/report` conversation at a console: renders the engine's steps with rich and reads answers line by line.

Used by ``assistant report`` and by the console chat's ``/report``. Works at a terminal and with answers piped
on stdin (each line is one answer; the answers are echoed so the transcript reads as a conversation). At the
evidence question, a word that is the path of something on disk is offered as evidence: only a regular file of
an allowed type (never a folder, a device, or a link leading out of the home folder), and only after the person
has seen its resolved path and confirmed it (the next line: yes or no).
"""

from __future__ import annotations

import mimetypes
import sys
from collections.abc import Callable
from pathlib import Path

from rich.markup import escape

from rich.console import Console
from rich.table import Table
from rich.text import Text

from assistant.channels.console_files import find_local_file, read_local_file
from assistant.errors import InvalidInput
from assistant.incidents.steps import Question, Step

ReadLine = Callable[[str], "str | None"]
COMMANDS_HINT = "Commands: back · skip (optional questions) · edit N · cancel · help"


def run_console_report(services, *, user_id: str, display_name: str | None = None, email: str | None = None,
                       console: Console | None = None, read_line: ReadLine | None = None,
                       channel: str = "console", home: Path | None = None) -> str | None:
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
            text = _attach_files(engine, step, text, user_id, console, read_line, home=home or Path.home())
            if text is None:
                continue  # only files were given (or refused): ask the question again
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


def _attach_files(engine, step: Step, text: str, user_id: str, console: Console, read_line: ReadLine, *,
                  home: Path) -> str | None:
    """Offer every word of ``text`` that names something on disk as a file, each confirmed by the person; return
    the other words as the answer (or a note of what was attached), or None when there is nothing else to say."""
    whole = text.strip()
    words = [whole] if whole and find_local_file(whole) is not None else text.split()
    kept, attached, offered = [], [], False
    for word in words:
        if find_local_file(word) is None:
            kept.append(word)
            continue
        offered = True
        try:
            local = read_local_file(word, home=home, max_bytes=engine.store.max_bytes)
            checked = engine.store.check(local.data, local.path.name, mimetypes.guess_type(local.path.name)[0])
        except InvalidInput as exc:
            console.print(Text(exc.display(), style="yellow"))
            continue
        console.print(Text(f"Attach {local.path} ({checked.content_type}, {checked.size:,} bytes)? Type yes or no."))
        answer = read_line("> ")
        if (answer or "").strip().lower() not in {"yes", "y"}:
            console.print(Text(f"{local.path} was not attached.", style="yellow"))
            continue
        info = engine.attach(step.conversation_id, local.data, local.path.name, checked.content_type, user_id=user_id)
        attached.append(info.filename)
        console.print(f"[green]Attached {escape(info.filename)} ({info.size:,} bytes).[/green]")
    rest = " ".join(kept).strip()
    if rest:
        return rest
    if attached:
        return "Files attached: " + ", ".join(attached)
    return None if offered else text
