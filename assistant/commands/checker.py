"""`assistant checker rulebook`: the post checker's rule book as a page for the Monitoring Officer to sign off."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.commands.common import services


@click.group()
def checker() -> None:
    """The draft-post checker's rules and guidance."""


@checker.command()
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True,
              help="Markdown or a standalone HTML page.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file (default: print).")
@click.option("--council", help="Order citations for this council (default: ASSISTANT_COUNCIL).")
def rulebook(fmt: str, out: Path | None, council: str | None) -> None:
    """Every category, rule, example and cited guidance paragraph, for review and sign-off."""
    from assistant.checking.catalogue import checker_catalogue
    from assistant.checking.rulebook import rulebook_for

    svc = services(council)
    catalogue = checker_catalogue(svc.settings)
    text = rulebook_for(catalogue, svc.knowledge, council=svc.settings.council, fmt=fmt)
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote the rule book ({len(catalogue.categories)} categories, {len(catalogue.rules)} rules) to {out}.")
