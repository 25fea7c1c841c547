"""The report modal submitted: answers checked before it closes (errors under each question), then sent once."""

from __future__ import annotations

from assistant.channels.slack import reporting
from assistant.channels.slack.deps import SlackDeps
from assistant.channels.slack.report_blocks import sending_view


def report_submitted(deps: SlackDeps):
    """The report_modal view_submission callback."""

    def handle(ack, body: dict, view: dict, client) -> None:
        user_id = body["user"]["id"]
        answers, files, prefill, errors = reporting.validate_modal(deps, client, user_id, view)
        if errors:
            ack(response_action="errors", errors=reporting.modal_errors(errors))
            return
        ack(response_action="update", view=sending_view())
        claim = f"view:{view['id']}"
        if not deps.store.claim(claim):
            return  # the same submission again: the engine would return the same reference; nothing to repeat
        try:
            reporting.submit_modal(deps, client, user_id, view, answers, files, prefill)
        except BaseException:
            deps.store.release(claim)  # let a retry of this submission try again
            raise

    return handle
