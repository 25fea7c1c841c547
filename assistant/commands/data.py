"""``assistant data purge``: delete what the retention settings say is no longer kept (the server also runs it daily).

Questions and answers shown in a chat (and their feedback) older than ASSISTANT_QUESTION_RETENTION_DAYS; report
conversations left unfinished for ASSISTANT_ABANDONED_REPORT_DAYS, with their files; evidence files no report
uses. Submitted incidents and their audit trail are never deleted.
"""

from __future__ import annotations

import json

import click


@click.group()
def data() -> None:
    """The assistant's stored data: retention."""


@data.command()
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def purge(dry_run: bool, as_json: bool) -> None:
    """Delete old questions and answers and abandoned report conversations, as the retention settings say."""
    from assistant.wiring import build_services

    services = build_services()
    report = services.retention.purge(dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(report.to_json()))
        return
    settings = services.settings
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {report.answers} answer(s) older than {settings.question_retention_days} days "
               f"(with {report.feedback} feedback vote(s)), {report.conversations} unfinished or cancelled report "
               f"conversation(s) older than {settings.abandoned_report_days} days, {report.evidence_files} evidence "
               f"file(s) no report uses, and {report.claims} expired event claim(s).")
