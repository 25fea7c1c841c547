"""The report conversation engine: one channel-agnostic state machine whose state lives in the database.

Every call is one transaction: an answer is saved the moment it is accepted, so a restart (or days away) loses
nothing, and any process can carry on the conversation. Each call returns a ``Step`` (assistant.incidents.steps)
for the channel to render. A channel uses it like this::

    engine = services.incidents.conversations
    step = engine.start("slack", user_id, display_name="Cllr Jo Bloggs", email="jo@council.gov.uk")  # or resume
    step = engine.reply(step.conversation_id, text, user_id=user_id)    # free text: an answer or a command word
    # or, from buttons and menus:
    engine.answer(cid, "yes" | ["abuse", "threat_violence"], user_id=...)
    engine.back(cid, user_id=...); engine.skip(cid, user_id=...); engine.cancel(cid, user_id=...)
    engine.edit(cid, "what_happened" | "7", user_id=...); engine.confirm(cid, user_id=...)
    engine.current(cid, user_id=...)                                    # show the current step again
    engine.attach(cid, data, "shot.png", "image/png", user_id=...)      # -> EvidenceInfo (InvalidInput if refused)
    engine.form                                                         # the whole FormDefinition (as_dict())
    engine.submit_form("slack", user_id, answers, request_id=view_id,   # a whole modal at once (FormInvalid);
                       display_name=..., email=..., files=[Upload(data, name, content_type)])
    engine.store.check(data, name, content_type)                        # pre-check a file (InvalidInput)

Command words understood by ``reply``: back, skip, cancel, edit N / edit FIELD, confirm (or submit / send), help.
``confirm`` is idempotent: confirming a conversation again returns the same reference, and ``submit_form`` with
the same ``request_id`` returns the first submission. Errors: NotFound (unknown conversation), PermissionDenied
(someone else's), InvalidInput (a refused file), ServiceUnavailable (database down; nothing saved is lost).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.errors import InvalidInput, NotFound, PermissionDenied, ServiceUnavailable
from assistant.incidents.answers import UK, InvalidAnswer, parse_answer, parse_form
from assistant.incidents.db import Database
from assistant.incidents.evidence import EvidenceStore
from assistant.incidents.form import FieldSpec, FormDefinition, Notice, load_form
from assistant.incidents.models import Conversation, Evidence, utcnow
from assistant.incidents.records import create_incident
from assistant.incidents.steps import EvidenceInfo, FormInvalid, Step, build_step

logger = logging.getLogger(__name__)

REVIEW, DONE = "review", "done"
MAX_FILES = 50
HELP = ("Type your answer and press Enter. You can also type: back (previous question), skip (leave out an "
        "optional question), edit N (change an answer), cancel (delete this report), help.")
REVIEW_HELP = "Type confirm to send your report, edit and a number to change an answer, or cancel."
NOT_YET = "Let's finish the questions first; you can confirm at the end."
# After evidence sent mid-report: a caption is not an answer to the current question.
CAPTION_NOT_AN_ANSWER = ("The words sent with the {files} were not taken as an answer; please send your answer as a "
                         "message of its own.")
CARRY_ON = "Carry on with the question above when you are ready."
_CONFIRM = {"confirm", "submit", "send", "yes", "y"}


@dataclass(frozen=True)
class Upload:
    """An evidence file handed over with a whole-form submission."""

    data: bytes
    filename: str
    content_type: str | None = None


class ReportEngine:
    """Start, resume and drive incident report conversations (see the module docstring for the API)."""

    def __init__(
        self,
        db: Database,
        store: EvidenceStore,
        *,
        form: FormDefinition | None = None,
        clock: Callable[[], datetime] = utcnow,
        recipients: Sequence[tuple[str, str]] = (),
        on_submitted: Callable[[str], None] | None = None,
    ) -> None:
        self.db = db
        self.store = store
        self.form = form or load_form()
        self.clock = clock
        self.recipients = tuple(recipients)
        self.on_submitted = on_submitted

    # --- starting -------------------------------------------------------------------------------------------
    def start(self, channel: str, user_id: str, *, display_name: str | None = None, email: str | None = None) -> Step:
        """Resume this person's open conversation on this channel, or start a new one."""
        if not channel or not user_id:
            raise InvalidInput("A report needs a channel and a user id to belong to.")
        key = f"{channel}:{user_id}"
        prefill = _identity(display_name, email)

        def work(session: Session) -> Step:
            conv = session.scalar(select(Conversation).where(Conversation.active_key == key).with_for_update())
            if conv is not None:
                if prefill and prefill != conv.prefill:
                    conv.prefill = {**conv.prefill, **prefill}
                return self._step(conv, notices=(Notice(self.form.resume),))
            now = self.clock()
            conv = Conversation(id=str(uuid.uuid4()), channel=channel, user_id=user_id, active_key=key,
                                status="active", cursor=self.form.fields[0].id, editing=False, answers={},
                                prefill=prefill, form_version=self.form.version, created_at=now, updated_at=now)
            session.add(conv)
            session.flush()
            logger.info("report conversation %s started on %s", conv.id, channel)
            return self._step(conv, notices=(Notice(self.form.intro),))

        return self._run(work)

    def current(self, conversation_id: str, *, user_id: str) -> Step:
        """The step the conversation is at, to show again."""
        return self._change(conversation_id, user_id, lambda conv: self._step(conv))

    # --- free text ------------------------------------------------------------------------------------------
    def reply(self, conversation_id: str, text: str, *, user_id: str) -> Step:
        """Handle what the person typed: a command word (back, skip, cancel, edit N, confirm, help) or an answer."""
        word = text.strip().lstrip("/").strip().lower()
        if word == "back":
            return self.back(conversation_id, user_id=user_id)
        if word == "skip":
            return self.skip(conversation_id, user_id=user_id)
        if word == "cancel":
            return self.cancel(conversation_id, user_id=user_id)
        if word == "help":
            step = self.current(conversation_id, user_id=user_id)
            return replace(step, notices=(Notice(REVIEW_HELP if step.state == "review" else HELP),))
        edit = re.fullmatch(r"(?:edit|change)\s+(\S+)", word)
        if edit:
            return self.edit(conversation_id, edit.group(1), user_id=user_id)
        return self.answer(conversation_id, text, user_id=user_id)

    # --- moves ----------------------------------------------------------------------------------------------
    def answer(self, conversation_id: str, value: str | Sequence[str], *, user_id: str) -> Step:
        """Answer the current question (empty keeps the current answer or prefill, or skips an optional one)."""
        created: list[str] = []

        def work(conv: Conversation) -> Step:
            word = value.strip().lower() if isinstance(value, str) else ""
            if conv.cursor == REVIEW:
                return self._confirm(conv, created) if word in _CONFIRM else self._step(conv, error=REVIEW_HELP)
            if word in ("confirm", "submit", "send"):
                return self._step(conv, error=NOT_YET)
            spec = self.form.field(conv.cursor)
            blank = not (value.strip() if isinstance(value, str) else [v for v in value if v.strip()])
            prefill = spec.prefilled(conv.prefill)
            try:
                if not blank:
                    stored = parse_answer(spec, value, now=self.clock())
                elif spec.id in conv.answers:
                    stored = conv.answers[spec.id]
                elif prefill:
                    stored = parse_answer(spec, prefill, now=self.clock())
                elif spec.optional:
                    stored = None
                else:
                    raise InvalidAnswer("This question needs an answer. Please type one.")
            except InvalidAnswer as exc:
                return self._step(conv, error=exc.user_message)
            conv.answers = {**conv.answers, spec.id: stored}
            if spec.stop_on is not None and stored == spec.stop_on:
                return self._close(conv, "stopped", self.form.stopped)
            self._advance(conv, spec.id)
            return self._step(conv, notices=spec.notices_for(stored))

        step = self._change(conversation_id, user_id, work)
        self._announce(created)
        return step

    def skip(self, conversation_id: str, *, user_id: str) -> Step:
        """Leave out the current question if it is optional."""

        def work(conv: Conversation) -> Step:
            if conv.cursor == REVIEW:
                return self._step(conv, error=REVIEW_HELP)
            spec = self.form.field(conv.cursor)
            if not spec.optional:
                return self._step(conv, error="This question is needed for the report, so it cannot be skipped. "
                                              "A short answer is fine.")
            conv.answers = {**conv.answers, spec.id: None}
            self._advance(conv, spec.id)
            return self._step(conv)

        return self._change(conversation_id, user_id, work)

    def back(self, conversation_id: str, *, user_id: str) -> Step:
        """Go to the previous question (from the review: the last one)."""

        def work(conv: Conversation) -> Step:
            ids = [spec.id for spec in self._applicable(conv)]
            if conv.cursor == REVIEW:
                conv.cursor = ids[-1]
            elif conv.cursor in ids and ids.index(conv.cursor) > 0:
                conv.cursor = ids[ids.index(conv.cursor) - 1]
            else:
                return self._step(conv, error="This is the first question, so there is nothing to go back to.")
            return self._step(conv)

        return self._change(conversation_id, user_id, work)

    def edit(self, conversation_id: str, target: str, *, user_id: str) -> Step:
        """Go to a question by its review number or field id to change the answer, then come back to the review."""

        def work(conv: Conversation) -> Step:
            fields = self._applicable(conv)
            spec = None
            if target.isdigit() and 1 <= int(target) <= len(fields):
                spec = fields[int(target) - 1]
            elif target in {f.id for f in fields}:
                spec = self.form.field(target)
            if spec is None:
                return self._step(conv, error=f"There is no question {target!r} to change. "
                                              f"Use a number from 1 to {len(fields)}.")
            conv.cursor, conv.editing = spec.id, True
            return self._step(conv)

        return self._change(conversation_id, user_id, work)

    def cancel(self, conversation_id: str, *, user_id: str) -> Step:
        """Discard the conversation: its answers and files are deleted and nothing is sent."""
        orphans: list[str] = []

        def work(conv: Conversation) -> Step:
            for item in list(conv.evidence):
                if not self._shared(conv, item.sha256):
                    orphans.append(item.sha256)
                conv.evidence.remove(item)
            return self._close(conv, "cancelled", self.form.cancelled)

        step = self._change(conversation_id, user_id, work)
        for sha in orphans:  # only after the commit: a rolled-back cancel must keep its files
            self.store.delete(sha)
        return step

    def confirm(self, conversation_id: str, *, user_id: str) -> Step:
        """Submit the reviewed report; confirming again returns the same reference."""
        created: list[str] = []
        step = self._change(conversation_id, user_id, lambda conv: self._confirm(conv, created))
        self._announce(created)
        return step

    def attach(self, conversation_id: str, data: bytes, filename: str, content_type: str | None = None, *,
               user_id: str) -> EvidenceInfo:
        """Attach an evidence file to an open conversation (raises InvalidInput with a kind reason if refused)."""
        checked = self.store.check(data, filename, content_type)
        self.store.put(data)  # content-addressed, so writing before the row exists is harmless

        def work(conv: Conversation) -> EvidenceInfo:
            if conv.status != "active":
                raise InvalidInput("This report has already been sent or closed, so files cannot be added to it.",
                                   hint="Send the file to the Monitoring Officer, quoting your reference.")
            if not any(e.sha256 == checked.sha256 for e in conv.evidence):
                if len(conv.evidence) >= MAX_FILES:
                    raise InvalidInput(f"A report can have up to {MAX_FILES} files attached.",
                                       hint="Keep the rest safe; the Monitoring Officer can ask you for them.")
                conv.evidence.append(Evidence(sha256=checked.sha256, filename=checked.filename,
                                              content_type=checked.content_type, size=checked.size,
                                              created_at=self.clock()))
            return EvidenceInfo(checked.sha256, checked.filename, checked.content_type, checked.size)

        return self._change(conversation_id, user_id, work, allow_closed=True)

    # --- a whole form at once -------------------------------------------------------------------------------
    def submit_form(self, channel: str, user_id: str, answers: Mapping[str, str | Sequence[str] | None], *,
                    request_id: str, display_name: str | None = None, email: str | None = None,
                    files: Sequence[Upload] = ()) -> Step:
        """Validate and submit a whole form (a modal); raises FormInvalid with every field's problem.

        The same ``request_id`` again (a retried request) returns the first result without a second incident.
        """
        key = f"{channel}:{request_id}"
        prefill = _identity(display_name, email)
        parsed, errors = parse_form(self.form, answers, prefill=prefill, now=self.clock())
        # "Stop here" (e.g. a complaint about a councillor) needs no other answer to be valid.
        stop = next((s for s in self.form.fields if s.stop_on and parsed.get(s.id) == s.stop_on), None)
        checked = []
        for upload in files:
            try:
                checked.append(self.store.check(upload.data, upload.filename, upload.content_type))
            except InvalidInput as exc:
                errors.setdefault("evidence", exc.user_message)
        if errors and stop is None:
            raise FormInvalid(errors)
        created: list[str] = []

        def work(session: Session) -> Step:
            conv = session.scalar(select(Conversation).where(Conversation.request_key == key).with_for_update())
            if conv is not None:
                return self._step(conv)
            now = self.clock()
            conv = Conversation(id=str(uuid.uuid4()), channel=channel, user_id=user_id, request_key=key,
                                status="active", cursor=REVIEW, editing=False, answers=parsed, prefill=prefill,
                                form_version=self.form.version, created_at=now, updated_at=now)
            session.add(conv)
            if stop is not None:
                return self._close(conv, "stopped", self.form.stopped)
            for upload, item in zip(files, checked, strict=True):
                self.store.put(upload.data)
                conv.evidence.append(Evidence(sha256=item.sha256, filename=item.filename,
                                              content_type=item.content_type, size=item.size, created_at=now))
            session.flush()
            created.append(self._submit(conv).reference)
            notices = tuple(n for spec in self.form.fields for n in spec.notices_for(parsed.get(spec.id)))
            return self._step(conv, notices=notices)

        step = self._run(work)
        self._announce(created)
        return step

    # --- internals ------------------------------------------------------------------------------------------
    def _run(self, work: Callable[[Session], Any], attempts: int = 4) -> Any:
        """Run ``work`` in a transaction, retrying when a concurrent request won a unique constraint."""
        for attempt in range(attempts):
            try:
                with self.db.transaction() as session:
                    return work(session)
            except IntegrityError as exc:
                logger.info("retrying after a concurrent update (%s)", type(exc.orig).__name__)
                if attempt == attempts - 1:
                    raise ServiceUnavailable("The incident log is busy right now. Nothing you have already "
                                             "answered is lost; please try again.") from exc
        raise AssertionError("unreachable")

    def _change(self, conversation_id: str, user_id: str, work: Callable[[Conversation], Any], *,
                allow_closed: bool = False) -> Any:
        def run(session: Session) -> Any:
            conv = session.scalar(select(Conversation).where(Conversation.id == conversation_id).with_for_update())
            if conv is None:
                raise NotFound("That report conversation no longer exists.", hint="Start a new report with /report.")
            if conv.user_id != user_id:
                raise PermissionDenied("That report belongs to someone else.")
            if conv.status != "active" and not allow_closed:
                return self._step(conv)  # finished: every move just shows the outcome again (idempotent)
            result = work(conv)
            conv.updated_at = self.clock()
            return result

        return self._run(run)

    def _confirm(self, conv: Conversation, created: list[str]) -> Step:
        if conv.cursor != REVIEW:
            return self._step(conv, error=NOT_YET)
        missing = [s for s in self._applicable(conv) if not s.optional and conv.answers.get(s.id) is None]
        if missing:
            conv.cursor, conv.editing = missing[0].id, True
            return self._step(conv, error="This question still needs an answer before the report can be sent.")
        created.append(self._submit(conv).reference)
        return self._step(conv)

    def _submit(self, conv: Conversation):
        incident = create_incident(Session.object_session(conv), conv, form=self.form, now=self.clock(),
                                   recipients=self.recipients)
        conv.status, conv.active_key, conv.cursor, conv.editing = "submitted", None, DONE, False
        conv.incident = incident
        logger.info("report conversation %s submitted as %s", conv.id, incident.reference)
        return incident

    def _announce(self, created: list[str]) -> None:
        if created and self.on_submitted is not None:
            self.on_submitted(created[0])

    def _close(self, conv: Conversation, status: str, message: str) -> Step:
        conv.status, conv.active_key, conv.cursor, conv.editing = status, None, DONE, False
        conv.answers = {}  # nothing was sent, so nothing of what they said is kept
        logger.info("report conversation %s %s", conv.id, status)
        return self._step(conv, notices=(Notice(message),))

    def _shared(self, conv: Conversation, sha: str) -> bool:
        session = Session.object_session(conv)
        others = session.scalar(select(func.count()).select_from(Evidence)
                                .where(Evidence.sha256 == sha, Evidence.conversation_id != conv.id))
        return bool(others)

    def _today(self) -> date:
        return self.clock().astimezone(UK).date()

    def _applicable(self, conv: Conversation) -> list[FieldSpec]:
        return self.form.applicable(conv.answers, self._today())

    def _advance(self, conv: Conversation, after: str) -> None:
        """Move on: in order while filling in; after an edit, to any new follow-up question, else the review."""
        fields = self._applicable(conv)
        ids = [spec.id for spec in fields]
        unanswered = [spec.id for spec in fields if spec.id not in conv.answers]
        if conv.editing:
            conv.cursor = unanswered[0] if unanswered else REVIEW
        else:
            later = ids[ids.index(after) + 1:] if after in ids else []
            conv.cursor = later[0] if later else (unanswered[0] if unanswered else REVIEW)
        if conv.cursor == REVIEW:
            conv.editing = False

    def _step(self, conv: Conversation, *, notices: tuple[Notice, ...] = (), error: str | None = None) -> Step:
        return build_step(conv, self.form, self._applicable(conv), notices=notices, error=error)


def _identity(display_name: str | None, email: str | None) -> dict[str, str]:
    """What the chat knows about the person, for prefilled answers."""
    return {k: v for k, v in (("display_name", display_name), ("email", email)) if v}
