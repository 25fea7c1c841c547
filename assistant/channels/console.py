"""`assistant chat`: the console chat. Questions get cited answers; /checkpost and /report run the same services."""

from __future__ import annotations

import getpass
import sys
from typing import Any, Protocol

from rich.console import Console
from rich.markup import escape

from assistant.errors import UserError

HELP = """Ask a question about councillors' use of social media, e.g. "Can I block a resident who keeps trolling me?"
Commands:
  /checkpost DRAFT   check a draft post before you publish it (the draft is not stored)
  /checkpost         paste a draft of several lines; finish with an empty line (or Esc then Enter, or Ctrl-D)
  /report            report abuse, harassment or threats you have received online
  /council NAME      set your council (its guidance is shown first); /council to clear
  /help              this help        /quit   leave"""


class LineReader(Protocol):
    """Where the chat reads from: one entry (a pasted block of lines arrives whole) or a multi-line draft."""

    def line(self, prompt: str) -> str | None:
        """The next entry, or None at end of input."""
        ...

    def draft(self, prompt: str) -> str | None:
        """Several lines, ended by an empty line (or end of input); None when nothing was given."""
        ...


class PlainReader:
    """Reads through rich's console (pipes, dumb terminals): one line per entry; drafts end at an empty line."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def line(self, prompt: str) -> str | None:
        try:
            return self.console.input(f"[bold cyan]{escape(prompt)}[/bold cyan]")
        except (EOFError, KeyboardInterrupt):
            return None

    def draft(self, prompt: str) -> str | None:
        self.console.print(escape(prompt), end="")
        lines: list[str] = []
        while (line := self.line("")) is not None and (line.strip() or not lines):
            if line.strip():
                lines.append(line)
        return "\n".join(lines) or None


class PromptReader:
    """prompt_toolkit: a bracketed paste of several lines is one entry; a draft prompt takes many lines."""

    def __init__(self, input: Any = None, output: Any = None) -> None:
        from prompt_toolkit import PromptSession

        self.session = PromptSession(input=input, output=output)
        self.draft_keys = _draft_keys()

    def line(self, prompt: str) -> str | None:
        try:
            return self.session.prompt(prompt)
        except (EOFError, KeyboardInterrupt):
            return None

    def draft(self, prompt: str) -> str | None:
        try:
            text = self.session.prompt(prompt, multiline=True, key_bindings=self.draft_keys)
        except (EOFError, KeyboardInterrupt):
            return None
        return text.strip() or None


def _draft_keys():
    """Enter on an empty line, Esc then Enter, or Ctrl-D ends a draft; Enter elsewhere starts a new line."""
    from prompt_toolkit.key_binding import KeyBindings

    keys = KeyBindings()

    @keys.add("enter")
    def _enter(event) -> None:
        buffer = event.current_buffer
        document = buffer.document
        if document.text.strip() and document.is_cursor_at_the_end and not document.current_line.strip():
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    @keys.add("c-d")
    def _done(event) -> None:
        if event.current_buffer.text.strip():
            event.current_buffer.validate_and_handle()
        else:
            event.app.exit(exception=EOFError())

    return keys


def default_reader(console: Console) -> LineReader:
    """prompt_toolkit in a terminal (when installed), else plain line reading."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        try:
            return PromptReader()
        except ImportError:
            pass
    return PlainReader(console)


def run_chat(services, console: Console | None = None, *, user_id: str | None = None,
             reader: LineReader | None = None) -> None:
    """The chat loop: each entry is a question or a slash command; errors are shown kindly and the loop goes on.

    An entry may span several lines: a pasted draft (bracketed paste) arrives whole, never line by line.
    """
    console = console or Console()
    reader = reader or default_reader(console)
    user_id = user_id or f"console:{getpass.getuser()}"
    council = services.settings.council
    asked: list[str] = []  # this session's questions: a follow-up ("what about Instagram?") is read with them
    console.print("[bold]Councillor guidance assistant[/bold] — answers quote your councils' social-media guidance.")
    console.print(escape(HELP), style="dim")
    while True:
        line = reader.line("\nyou> ")
        if line is None or line.strip().lower() in {"/quit", "/exit", "quit", "exit"}:
            console.print("Goodbye — stay safe online.")
            return
        line = line.strip()
        if not line:
            continue
        command, rest = _split_command(line)
        try:
            if command == "/help":
                console.print(escape(HELP))
            elif command == "/council":
                council = rest.strip() or None
                console.print(f"Council set to {escape(council)}." if council else "Council cleared.")
            elif command == "/checkpost":
                from assistant.channels.console_checkpost import check_and_print

                check_and_print(services.checker, rest, council=council, console=console, reader=reader)
            elif command == "/report":
                from assistant.channels.console_report import run_console_report

                run_console_report(services, user_id=user_id, display_name=getpass.getuser(), console=console,
                                   read_line=reader.line)
            elif command:
                console.print(f"I don't know the command {escape(command)}. Type /help to see what I can do.")
            else:
                from assistant.channels.render import print_answer

                print_answer(services.answerer.answer(rest, council=council, history=asked), console)
                asked.append(rest)
        except UserError as exc:
            console.print(f"[red]{escape(exc.display())}[/red]")


def _split_command(entry: str) -> tuple[str, str]:
    """("/checkpost", "the draft, all its lines") or ("", the question)."""
    if not entry.startswith("/"):
        return "", entry
    command, *rest = entry.split(maxsplit=1)
    return command, rest[0] if rest else ""
