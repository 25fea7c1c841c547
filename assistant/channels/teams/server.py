"""``assistant teams``: serve the Teams messaging endpoint; ``assistant teams package``: build the app package."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

import click

from assistant.config import Settings

logger = logging.getLogger("assistant.channels.teams")

ANONYMOUS_WARNING = (
    "\n"
    "  !!! TEAMS BOT IN ANONYMOUS MODE — FOR LOCAL TESTING ONLY !!!\n"
    "  TEAMS_APP_ID is not set, so requests to /api/messages are NOT authenticated, and replies go to\n"
    "  whatever serviceUrl a request names, without a token. Anyone who can reach this port can use the bot\n"
    "  and make it send HTTP requests to any address. Set TEAMS_APP_ID, TEAMS_APP_PASSWORD and\n"
    "  TEAMS_TENANT_ID (see docs/teams.md) before exposing it.\n"
)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.group(invoke_without_command=True)
@click.option("--port", type=int, default=3978, show_default=True, envvar="PORT",
              help="HTTP port (the Azure Bot's messaging endpoint: https://YOUR-HOST/api/messages).")
@click.option("--host", default=None, help="Interface to listen on (default 0.0.0.0; 127.0.0.1 in anonymous mode).")
@click.option("--allow-anonymous-on-network", is_flag=True,
              help="In anonymous mode, listen on a non-loopback interface anyway (never in production).")
@click.pass_context
def teams(ctx: click.Context, port: int, host: str | None, allow_anonymous_on_network: bool) -> None:
    """Run the Microsoft Teams bot: questions, checkpost and report (sub-command: package)."""
    if ctx.invoked_subcommand is not None:
        return
    from aiohttp import web

    from assistant.channels.teams.app import MESSAGES_PATH, build_app

    settings = Settings()
    anonymous = not settings.teams_app_id
    host = host or ("127.0.0.1" if anonymous else "0.0.0.0")
    if anonymous:
        click.secho(ANONYMOUS_WARNING, fg="red", bold=True, err=True)
        logger.warning("Teams bot running in anonymous mode (no TEAMS_APP_ID): for local testing only")
        if not _loopback(host) and not allow_anonymous_on_network:
            raise click.UsageError(f"--host {host} is not a loopback address; in anonymous mode that needs "
                                   "--allow-anonymous-on-network (or set TEAMS_APP_ID).")
    click.echo(f"Teams bot starting on http://{host}:{port}{MESSAGES_PATH}", err=True)
    web.run_app(build_app(settings), host=host, port=port, print=None, access_log=None)


@teams.command("package")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("teams-app.zip"),
              show_default=True, help="Where to write the zip to upload to Teams.")
def package(out: Path) -> None:
    """Build the Teams app package (manifest.json and two icons, zipped) from the settings."""
    from assistant.channels.teams.package import build_package

    written = build_package(Settings(), out)
    click.echo(f"Teams app package written to {written}", err=True)
