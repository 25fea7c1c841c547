"""`assistant chat | slack | teams | whatsapp`: the click commands that start each channel (channels only render)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--council", help="Your council: its guidance is shown first.")
def chat(council: str | None) -> None:
    """Chat in the console: ask questions, /checkpost a draft, /report an incident."""
    from assistant.channels.console import run_chat
    from assistant.config import Settings
    from assistant.wiring import build_services

    settings = Settings()
    run_chat(build_services(settings.model_copy(update={"council": council}) if council else settings))


@click.command()
@click.option("--port", type=int, default=3000, show_default=True, envvar="PORT",
              help="HTTP port for Slack's requests (Request URL: https://YOUR-HOST/slack/events).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on.")
@click.option("--socket", "socket_mode", is_flag=True,
              help="Use Socket Mode instead of HTTP (needs SLACK_APP_TOKEN); for servers Slack cannot reach.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: ASSISTANT_SLACK_WORKERS, 2). Each loads the model once.")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Request threads per worker (default: ASSISTANT_SLACK_THREADS, 16).")
def slack(port: int, host: str, socket_mode: bool, workers: int | None, threads: int | None) -> None:
    """Run the Slack app: /ask, /checkpost, /report, DMs, @mentions and the App Home."""
    from assistant.channels.slack.server import serve

    serve(port, host, socket_mode, workers, threads)


@click.group(invoke_without_command=True)
@click.option("--port", type=int, default=3978, show_default=True, envvar="PORT",
              help="HTTP port (the Azure Bot's messaging endpoint: https://YOUR-HOST/api/messages).")
@click.option("--host", default=None, help="Interface to listen on (default 0.0.0.0; 127.0.0.1 in anonymous mode).")
@click.option("--allow-anonymous-on-network", is_flag=True,
              help="In anonymous mode, listen on a non-loopback interface anyway (never in production).")
@click.pass_context
def teams(ctx: click.Context, port: int, host: str | None, allow_anonymous_on_network: bool) -> None:
    """Run the Microsoft Teams bot: questions, checkpost and report (sub-command: package)."""
    if ctx.invoked_subcommand is None:
        from assistant.channels.teams.server import serve

        serve(port, host, allow_anonymous_on_network)


@teams.command("package")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("teams-app.zip"),
              show_default=True, help="Where to write the zip to upload to Teams.")
def package(out: Path) -> None:
    """Build the Teams app package (manifest.json and two icons, zipped) from the settings."""
    from assistant.channels.teams.package import build_package
    from assistant.config import Settings

    written = build_package(Settings(), out)
    click.echo(f"Teams app package written to {written}", err=True)


@click.command()
@click.option("--port", type=int, default=3001, show_default=True, envvar="PORT",
              help="HTTP port for the webhook (Callback URL: https://YOUR-HOST/whatsapp/webhook).")
@click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: ASSISTANT_WHATSAPP_WORKERS, 1). Each loads the model once.")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Request threads per worker (default: ASSISTANT_WHATSAPP_THREADS, 8).")
def whatsapp(port: int, host: str, workers: int | None, threads: int | None) -> None:
    """Run the WhatsApp channel: questions, "check: <draft>" and "report", for allow-listed councillors."""
    from assistant.channels.whatsapp.server import serve

    serve(port, host, workers, threads)
