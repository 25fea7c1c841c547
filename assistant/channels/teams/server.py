"""``assistant teams``: serve the Teams messaging endpoint; ``assistant teams package``: build the app package."""

from __future__ import annotations

import ipaddress
import logging

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


def serve(port: int, host: str | None, allow_anonymous_on_network: bool) -> None:
    """Run the Teams messaging endpoint until stopped (loudly anonymous, loopback only, without TEAMS_APP_ID)."""
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
