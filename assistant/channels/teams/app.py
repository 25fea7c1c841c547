"""The aiohttp application serving Teams: ``POST /api/messages`` (the bot) and ``GET /healthz``.

Order for a request to ``/api/messages``: the SDK's JWT check (Entra ID / Bot Framework token: 401, nothing else
happens), then ``edge.parse_activity`` (4xx for anything that is not an activity), then the SDK's adapter and the
bot. With ``TEAMS_APP_ID`` unset the SDK runs anonymously (no token checked, none sent with replies): for local
testing only. With it set, replies may only go to Microsoft's hosts (the SDK's outbound host validator).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time

from aiohttp import web
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import AgentAuthConfiguration, OutboundHostValidator
from microsoft_agents.hosting.core.authorization import AuthenticationConstants, AuthTypes

from assistant.channels.teams.bot import TeamsBot, TeamsDeps, report_error
from assistant.channels.teams.edge import MAX_BODY_BYTES, Refused, parse_activity
from assistant.channels.teams.sender import TeamsNotificationSender
from assistant.config import Settings
from assistant.wiring import Services, build_services

logger = logging.getLogger("assistant.channels.teams")

MESSAGES_PATH = "/api/messages"
OUTBOX_INTERVAL_S = 60.0
PURGE_CHECK_EVERY_S = 3600.0


def quiet_sdk_logs() -> None:
    """The SDK's logs at warning level and above only, minus two that do harm or only noise."""
    logging.getLogger("microsoft_agents").setLevel(logging.WARNING)
    # It logs a rejected activity's field values (a draft or report text could be among them).
    logging.getLogger("microsoft_agents.activity").setLevel(logging.CRITICAL)
    # "App ID is not provided", on every turn in anonymous mode (said once, loudly, at start-up instead).
    logging.getLogger("microsoft_agents.hosting.core.connector.client.user_token_client").setLevel(logging.ERROR)


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    """The SDK's authentication settings: the bot's Entra app (client secret), or anonymous without an app id."""
    if not settings.teams_app_id:
        return AgentAuthConfiguration(anonymous_allowed=True)
    secret = settings.teams_app_password.get_secret_value() if settings.teams_app_password else None
    return AgentAuthConfiguration(auth_type=AuthTypes.client_secret, client_id=settings.teams_app_id,
                                  tenant_id=settings.teams_tenant_id, client_secret=secret)


def build_app(settings: Settings, services: Services | None = None, *,
              outbox_interval_s: float = OUTBOX_INTERVAL_S) -> web.Application:
    """The Teams web application for these settings."""
    services = services or build_services(settings)
    quiet_sdk_logs()
    anonymous = not settings.teams_app_id
    auth = auth_configuration(settings)
    connections = MsalConnectionManager({"SERVICE_CONNECTION": auth})
    adapter = CloudAdapter(connection_manager=connections,
                           host_validator=None if anonymous else OutboundHostValidator(enabled=True))
    adapter.on_turn_error = report_error  # the SDK's default would show the exception text to the user
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app["agent_configuration"] = auth

    async def file_token() -> str | None:
        if anonymous:
            return None
        provider = connections.get_default_connection()
        return await provider.get_access_token(AuthenticationConstants.AGENTS_SDK_SCOPE,
                                               [f"{AuthenticationConstants.AGENTS_SDK_SCOPE}/.default"])

    async def deliver() -> int:
        sender = app.get("sender")
        if sender is None:
            return 0
        try:
            return (await asyncio.to_thread(services.incidents.outbox.deliver, sender)).sent
        except Exception as exc:  # noqa: BLE001 - the report is saved; the outbox keeps what was not sent
            logger.warning("outbox delivery postponed (%s)", type(exc).__name__)
            return 0

    deps = TeamsDeps(services, services.chat_store("teams"), deliver=deliver, file_token=file_token)
    bot = TeamsBot(deps)

    @jwt_authorization_decorator
    async def messages(request: web.Request) -> web.StreamResponse:
        try:
            parse_activity(await request.read())
        except Refused as refused:
            logger.info("request to %s refused: %s", MESSAGES_PATH, refused.reason)
            return web.json_response({"error": refused.reason}, status=refused.status)
        return await adapter.process(request, bot)

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def on_startup(app_: web.Application) -> None:
        await asyncio.to_thread(warm_up, services)  # before serving: the first question is as fast as the rest
        app_["sender"] = TeamsNotificationSender(adapter, asyncio.get_running_loop(), app_id=settings.teams_app_id,
                                                 conversations=settings.teams_officer_conversations)
        app_["outbox_task"] = asyncio.create_task(_maintain(services, deliver, outbox_interval_s))

    async def on_cleanup(app_: web.Application) -> None:
        task = app_.get("outbox_task")
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.router.add_post(MESSAGES_PATH, messages)
    app.router.add_get("/healthz", healthz)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app["services"] = services
    return app


def warm_up(services: Services) -> None:
    """Load the model, index, checker and database now (as the Slack server does)."""
    services.answerer.answer("Can I use the council logo on my personal social media account?")
    if hasattr(services.checker, "warm_up"):
        services.checker.warm_up()
    services.incidents  # noqa: B018 - builds the service and migrates the database


async def _maintain(services: Services, deliver, interval_s: float) -> None:
    """In the background: the outbox (retries, and anything left from before a restart) every ``interval_s``,
    and the daily retention purge when no other process has run it today."""
    holder = f"{socket.gethostname()}:{os.getpid()}:teams"
    next_purge_check = time.monotonic()
    while True:
        await deliver()
        if time.monotonic() >= next_purge_check:
            next_purge_check = time.monotonic() + PURGE_CHECK_EVERY_S
            try:
                await asyncio.to_thread(services.retention.purge_if_due, holder)
            except Exception as exc:  # noqa: BLE001 - the next round tries again; the server keeps serving
                logger.warning("retention purge failed (%s); trying again later", type(exc).__name__)
        await asyncio.sleep(interval_s)
