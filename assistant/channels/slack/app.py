"""Building the Bolt app: settings in, a verified, fast-acking App with every listener registered."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.sender import SlackNotificationSender
from assistant.config import Settings
from assistant.errors import UserError
from assistant.wiring import Services

logger = logging.getLogger(__name__)

# Listeners ack first and then do the slow work on this pool; it is larger than Bolt's default (10) so that a
# burst of questions does not queue the next request's ack behind them.
LISTENER_THREADS = 48
# Web API calls are tried again after a dropped connection or a 429 (after Slack's Retry-After), as slack_sdk's
# own handlers do it; a few tries, so a reply is late rather than lost, but never held for minutes.
RETRIES = 3


class _DropTokenNotice(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN itself and warns that our client's token wins; it is the same token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


class _WithholdBody(logging.Filter):
    """Bolt logs the whole body of a request whose signature fails (a stale clock is enough), and a body can hold
    a draft post or incident answers: keep the event, drop the body."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "body:" in message:
            record.msg, record.args = message.split("body:", 1)[0] + "body withheld)", ()
        return True


def register_listeners(app: App, services: Services, store=None) -> SlackDeps:
    """Register every listener (events de-duplicated) and the error handler; returns what they share.

    ``store``: the Slack channel's state (default: ``services.chat_store("slack")``, in the assistant's database).
    """
    from assistant.channels.slack.listeners import register

    deps = SlackDeps(services, store or services.chat_store("slack"), SlackNotificationSender(app.client))
    register(app, deps)
    return deps


def check_settings(settings: Settings, *, socket_mode: bool = False) -> None:
    """Raise a UserError naming the first missing Slack setting (before anything slow starts)."""
    if settings.slack_bot_token is None:
        raise UserError("SLACK_BOT_TOKEN is not set.",
                        hint="Copy the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page.")
    if socket_mode and settings.slack_app_token is None:
        raise UserError("Socket Mode needs SLACK_APP_TOKEN.",
                        hint="Create an app-level token with the connections:write scope (Basic Information > "
                             "App-Level Tokens) and set SLACK_APP_TOKEN=xapp-…")
    if not socket_mode and settings.slack_signing_secret is None:
        raise UserError("SLACK_SIGNING_SECRET is not set.",
                        hint="Copy the Signing Secret from your Slack app's Basic Information page.")


def web_client(settings: Settings) -> WebClient:
    """The Web API client: the bot token, every call to ``SLACK_API_URL`` (a proxy, or a test server), and
    slack_sdk's retry handlers for rate limits (429 + Retry-After) and connection errors."""
    return WebClient(token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url,
                     retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=RETRIES),
                                     RateLimitErrorRetryHandler(max_retry_count=RETRIES)])


def build_app(services: Services, *, store=None, socket_mode: bool = False) -> tuple[App, SlackDeps]:
    """The Bolt App for these services (signature verification on in HTTP mode) and the listeners' shared deps."""
    settings = services.settings
    check_settings(settings, socket_mode=socket_mode)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    logging.getLogger("slack_bolt.App").addFilter(_DropTokenNotice())
    logging.getLogger("slack_bolt.RequestVerification").addFilter(_WithholdBody())
    executor = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="slack-listener")
    app = App(
        client=web_client(settings),
        signing_secret=secret or "unused-in-socket-mode",
        # Socket Mode requests arrive over an authenticated WebSocket and carry no signature.
        request_verification_enabled=not socket_mode,
        process_before_response=False,
        listener_executor=executor,
        name="councillor-assistant",
    )
    deps = register_listeners(app, services, store)
    deps.listener_executor = executor  # a stopping server waits on it: work already acked is finished
    return app, deps
