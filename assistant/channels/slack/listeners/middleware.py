"""Global middleware: an event is handled once, however often Slack delivers it (retries, duplicates)."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.response import BoltResponse

from assistant.channels.slack.deps import SlackDeps


def register(app: App, deps: SlackDeps) -> None:
    """Install the de-duplication middleware (after Bolt's signature check, so only genuine requests claim)."""

    def dedupe_events(body: dict, request, logger, next):
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not deps.store.claim(f"event:{event_id}"):
            retry = request.headers.get("x-slack-retry-num", ["-"])[0]
            logger.info("event %s already handled (retry %s); acknowledged without a second reply", event_id, retry)
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        return next()

    app.use(dedupe_events)
