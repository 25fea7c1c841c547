"""``assistant report`` (the report conversation) and ``assistant incidents`` (the Monitoring Officer's log).

Identity at the console: the acting user is ``--user``, by default the ``ASSISTANT_USER`` environment variable or
``console:<login name>`` (the same id the console chat's /report uses). A report made here belongs to that id, so
the same person can later list and export it. Monitoring Officers are the ids in ``ASSISTANT_MONITORING_OFFICERS``;
a bare login name there also matches its ``console:`` id. The console trusts the operating-system account:
whoever can run the command can read the database file anyway.
"""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from assistant.incidents.answers import local_time

USER_HELP = ("Who is acting: a user id; default $ASSISTANT_USER, else console:<your login name>. "
             "Monitoring Officers are listed in ASSISTANT_MONITORING_OFFICERS.")
USER_DEFAULT = "$ASSISTANT_USER or console:<login>"


def _console_user() -> str:
    try:
        return f"console:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "console:unknown"


def _full_name() -> str | None:
    """The account's full name (the passwd "GECOS" field), to offer as the reporter's name."""
    try:
        import pwd

        return pwd.getpwnam(getpass.getuser()).pw_gecos.split(",")[0].strip() or None
    except (ImportError, KeyError, OSError):
        return None


def _services():
    from assistant.wiring import build_services

    return build_services()


@click.command()
@click.option("--user", envvar="ASSISTANT_USER", default=_console_user, show_default=USER_DEFAULT,
              help=USER_HELP)
@click.option("--name", "display_name", default=_full_name, show_default="your account's full name",
              help="Your name, offered as the answer to 'Your full name'.")
@click.option("--email", default=None, help="Your email address, offered as the answer to 'Your email address'.")
def report(user: str, display_name: str | None, email: str | None) -> None:
    """Report abuse, harassment or threats to the Monitoring Officer, one question at a time.

    Answers are saved as you go: stop at any time (Ctrl-D) and run this again to carry on. Works with answers
    piped on stdin, one per line. Ends by printing the reference (Your reference: INC-2026-0001).
    """
    from assistant.channels.console_report import run_console_report

    run_console_report(_services(), user_id=user, display_name=display_name, email=email)


@click.group()
@click.option("--user", envvar="ASSISTANT_USER", default=_console_user, show_default=USER_DEFAULT,
              help=USER_HELP)
@click.pass_context
def incidents(ctx: click.Context, user: str) -> None:
    """The incident log: Monitoring Officers see every incident; a councillor sees the ones they reported."""
    ctx.obj = user


def _log(user: str):
    """The incident service and the acting user (built only when a sub-command runs, not for --help)."""
    service = _services().incidents
    return service, service.actor(user)


@incidents.command("list")
@click.option("--status", default=None, help="Only incidents with this status (submitted, acknowledged, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list of incidents, each with its reference).")
@click.pass_obj
def list_command(obj, status: str | None, as_json: bool) -> None:
    """List incidents, newest first."""
    service, actor = _log(obj)
    rows = service.list_incidents(actor, status=status)
    if as_json:
        click.echo(json.dumps([row.to_json() for row in rows], indent=2))
        return
    if not rows:
        click.echo("No incidents to show.")
        return
    table = Table("Reference", "Status", "Submitted", "Reporter", "Platform", "Kind", "Flags")
    for row in rows:
        flags = ", ".join(f for f, on in (("danger", row.immediate_danger), ("safeguarding", row.safeguarding),
                                          ("confidential", row.confidential)) if on)
        table.add_row(row.reference, row.status.replace("_", " "), local_time(row.submitted_at),
                      Text(row.reporter_name or row.reporter_id), Text(row.platform or ""),
                      Text(", ".join(row.kinds)), Text(flags, style="red"))
    Console().print(table)


@incidents.command()
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show(obj, reference: str, as_json: bool) -> None:
    """Show one incident in full (the view is recorded in the audit trail)."""
    service, actor = _log(obj)
    detail = service.get(actor, reference)
    if as_json:
        click.echo(json.dumps(detail.to_json(), indent=2))
        return
    console, s = Console(highlight=False), detail.summary
    console.print(Text(f"{s.reference} · {s.status.replace('_', ' ')} · submitted {local_time(s.submitted_at)}",
                       style="bold"))
    console.print(Text(f"Reporter: {s.reporter_name or ''} ({s.reporter_id})"))
    if s.outcome:
        console.print(Text(f"Outcome: {s.outcome}"))
    section = None
    for answer in detail.answers:
        if answer.section != section:
            section = answer.section
            console.print(Text(f"\n{section}", style="bold underline"))
        console.print(Text(answer.prompt, style="bold"))
        console.print(Text(f"  {answer.answer}"))
    for item in detail.evidence:
        console.print(Text(f"Evidence: {item.filename} ({item.content_type}, {item.size:,} bytes) {item.sha256}"))
    if detail.audit:
        console.print(Text("\nAudit trail", style="bold underline"))
        for entry in detail.audit:
            console.print(Text(f"{local_time(entry.at)} {entry.actor_id} ({entry.actor_role}) {entry.action} "
                               f"{entry.detail or ''}"))


@incidents.command()
@click.argument("reference")
@click.argument("new_status")
@click.option("--note", default=None, help="A note for the audit trail.")
@click.option("--outcome", default=None, help="The outcome (needed to close an incident).")
@click.pass_obj
def status(obj, reference: str, new_status: str, note: str | None, outcome: str | None) -> None:
    """Move an incident on: submitted → acknowledged → "under review" → closed (Monitoring Officers only)."""
    service, actor = _log(obj)
    summary = service.change_status(actor, reference, new_status, note=note, outcome=outcome)
    click.echo(f"{summary.reference} is now {summary.status.replace('_', ' ')}.")


@incidents.command()
@click.argument("reference", required=False)
@click.option("--csv", "as_csv", is_flag=True, help="Export as CSV (all incidents you may see, or REFERENCE).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (PDF default: REFERENCE.pdf; CSV default: standard output).")
@click.pass_obj
def export(obj, reference: str | None, as_csv: bool, output: Path | None) -> None:
    """Export an incident as the completed form (PDF), or the log as CSV (--csv)."""
    service, actor = _log(obj)
    if as_csv:
        data = service.export_csv(actor, [reference] if reference else None)
        if output is None:
            click.echo(data, nl=False)
            return
        _write_private(output, data.encode("utf-8"))
    else:
        if not reference:
            raise click.UsageError("Give the REFERENCE to export as PDF, or use --csv.")
        pdf = service.export_pdf(actor, reference)
        output = output or Path(f"{reference.strip().upper()}.pdf")
        _write_private(output, pdf)
    click.echo(f"Wrote {output}")


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (0600 from the start: it holds a report or its evidence)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    path.chmod(0o600)  # an existing file keeps its mode through O_CREAT; narrow it too


@incidents.command()
@click.argument("reference")
@click.argument("sha256", required=False)
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="Folder to write the files to.")
@click.pass_obj
def evidence(obj, reference: str, sha256: str | None, out_dir: Path) -> None:
    """Save an incident's evidence files (or the one whose SHA-256 starts with SHA256) to a folder."""
    service, actor = _log(obj)
    detail = service.get(actor, reference)
    wanted = [e for e in detail.evidence if sha256 is None or e.sha256.startswith(sha256.lower())]
    if not wanted:
        click.echo("No evidence files to save.")
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    for item in wanted:
        info, data = service.evidence_file(actor, reference, item.sha256)
        target = out_dir / f"{info.sha256[:8]}-{info.filename}"  # names were sanitised on upload
        _write_private(target, data)
        click.echo(f"Wrote {target}")
