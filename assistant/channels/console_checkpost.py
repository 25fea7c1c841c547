"""Console rendering of a post check (the chat's /checkpost and `assistant check-post`)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from assistant.checking.models import VERDICT_TEXT


VERDICT_COLOUR = {"ok": "green", "review": "yellow", "high_risk": "red"}
SEVERITY_STYLE = {"low": "dim", "medium": "yellow", "high": "bold red"}
DRAFT_PROMPT = "Paste your draft. Finish with an empty line (or Esc then Enter, or Ctrl-D):\n"


def check_and_print(checker, draft: str, *, council: str | None, console: Console, reader) -> None:
    """Check the draft given after /checkpost, or ask for one (several lines) when none was given."""
    if not draft.strip():
        draft = reader.draft(DRAFT_PROMPT) or ""
        if not draft.strip():
            console.print("Nothing to check. Type /checkpost and paste your draft.")
            return
    print_check(checker.check(draft, council=council), console)


def print_check(result, console: Console | None = None) -> None:
    """Verdict, each finding with its quoted words, why, cited paragraph and suggestion, then a safer rewrite."""
    console = console or Console()
    data = result.to_json()
    colour = VERDICT_COLOUR.get(data["verdict"], "white")
    label = VERDICT_TEXT.get(data["verdict"], data["verdict"])
    console.print(f"[bold {colour}]{label}[/bold {colour}]")
    for f in data["findings"]:
        style = SEVERITY_STYLE.get(f["severity"], "")
        console.print(f"\n[{style}]{f['severity'].upper()}[/{style}] {escape(f['category'].replace('_', ' '))}: "
                      f"“{escape(f['quote'])}” (characters {f['start']}–{f['end']})")
        console.print(f"  Why: {escape(f['why'])}")
        for c in f["citations"][:1]:
            console.print(f"  Guidance: {escape(c['council'] or 'Council not named')} — {escape(c['document'])}, "
                          f"{escape(c['section'])}, {escape(c['paragraph'])}")
            console.print(f"    [green]“{escape(' '.join(c['text'].replace('**', '').split()))}”[/green]")
        if f.get("suggestion"):
            console.print(f"  Suggestion: {escape(f['suggestion'])}")
    if data.get("rewrite"):
        console.print(f"\n[bold]A safer version:[/bold]\n{escape(data['rewrite'])}")
    for note in result.rewrite_notes:
        console.print(f"\n[bold yellow]{escape(note)}[/bold yellow]")
