"""Rich console rendering of answers (shared by `assistant ask` and the console chat)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

from assistant.answering.service import MONITORING_OFFICER_TIP, OFFERS
from assistant.knowledge.models import NO_COUNCIL


def print_answer(answer, console: Console | None = None) -> None:
    """Print an answer: lead line, then quoted citations grouped by council."""
    console = console or Console()
    if answer.abstained:
        console.print(Panel(escape(answer.answer), title="Not covered", border_style="yellow"))
        return
    if answer.mode == "llm":
        console.print(escape(answer.lead))
    else:
        console.print(f"[bold]{escape(answer.lead)}[/bold]")
    for note in answer.notes:
        console.print(f"[italic]{escape(note)}[/italic]")
    for group in answer.groups:
        console.print(f"\n[bold cyan]{escape(group.council or NO_COUNCIL)}[/bold cyan]")
        for c in group.citations:
            when = f" ({escape(c.date)})" if getattr(c, "date", None) else ""
            console.print(f"  [bold]{escape(c.document)}[/bold]{when}, {escape(c.section)}, "
                          f"[bold]{escape(c.paragraph)}[/bold]")
            console.print(f"    [green]“{escape(' '.join(c.text.replace('**', '').split()))}”[/green]")
    for offer in getattr(answer, "offers", ()):
        console.print(f"\n[cyan]{escape(OFFERS[offer])}[/cyan]")
    console.print(f"\n[dim]{escape(MONITORING_OFFICER_TIP)}[/dim]")
