"""`assistant chat`: the console chat. Questions get cited answers; /checkpost and /report run the same services."""

from __future__ import annotations

import getpass

import click
from rich.console import Console
from rich.markup import escape

from assistant.errors import UserError

HELP = """Ask a question about councillors' use of social media, e.g. "Can I block a resident who keeps trolling me?"
Commands:
  /checkpost DRAFT   check a draft post before you publish it (the draft is not stored)
  /report            report abuse, harassment or threats you have received online
  /council NAME      set your council (its guidance is shown first); /council to clear
  /help              this help        /quit   leave"""


def _read(console: Console, prompt: str) -> str | None:
    try:
        return console.input(prompt)
    except (EOFError, KeyboardInterrupt):
        return None


def run_chat(services, console: Console | None = None, *, user_id: str | None = None) -> None:
    """The chat loop: each line is a question or a slash command; errors are shown kindly and the loop goes on."""
    console = console or Console()
    user_id = user_id or f"console:{getpass.getuser()}"
    council = services.settings.council
    console.print("[bold]Councillor guidance assistant[/bold] — answers quote your councils' social-media guidance.")
    console.print(escape(HELP), style="dim")
    while True:
        line = _read(console, "\n[bold cyan]you>[/bold cyan] ")
        if line is None or line.strip().lower() in {"/quit", "/exit", "quit", "exit"}:
            console.print("Goodbye — stay safe online.")
            return
        line = line.strip()
        if not line:
            continue
        command, _, rest = line.partition(" ") if line.startswith("/") else ("", "", line)
        try:
            if command == "/help":
                console.print(escape(HELP))
            elif command == "/council":
                council = rest.strip() or None
                console.print(f"Council set to {escape(council)}." if council else "Council cleared.")
            elif command == "/checkpost":
                from assistant.channels.console_checkpost import print_check

                print_check(services.checker.check(rest, council=council), console)
            elif command == "/report":
                from assistant.channels.console_report import run_console_report

                run_console_report(services, user_id=user_id, display_name=getpass.getuser(), console=console,
                                   read_line=lambda prompt: _read(console, prompt))
            elif command:
                console.print(f"I don't know the command {escape(command)}. Type /help to see what I can do.")
            else:
                from assistant.channels.render import print_answer

                print_answer(services.answerer.answer(rest, council=council), console)
        except UserError as exc:
            console.print(f"[red]{escape(exc.display())}[/red]")


@click.command()
@click.option("--council", help="Your council: its guidance is shown first.")
def chat(council: str | None) -> None:
    """Chat in the console: ask questions, /checkpost a draft, /report an incident."""
    from assistant.commands.common import services

    run_chat(services(council))
