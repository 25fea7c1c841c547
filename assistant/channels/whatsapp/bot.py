"""Handling one inbound WhatsApp message: who it is from, whether it was seen before, and which service it is for.

A thin adapter: a plain message is a question (``services.answerer``), ``check: …`` a draft to check
(``services.checker``), ``report`` starts or resumes the incident conversation (``services.incidents``'s engine),
and while a report is open every text, tap and file goes to it. The person's number is used to reply and to find
their configured identity, and for nothing else: it is never logged or stored (de-duplication keys are keyed
hashes of message ids, which encode the number).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timezone

from assistant.channels.whatsapp import edge, render
from assistant.channels.whatsapp.edge import Inbound
from assistant.channels.whatsapp.report_render import REVIEW, parse_reply_id, step_messages
from assistant.errors import NotFound, UserError, stack_without_messages
from assistant.incidents.chat_state import ChatStore
from assistant.incidents.engine import CAPTION_NOT_AN_ANSWER, CARRY_ON

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
PLACE = "chat"  # report conversations are linked to ("chat", identity): one open report per person
CHECK = re.compile(r"^\s*(?:check|checkpost|/checkpost)\s*:?\s*", re.I)
REPORT_WORDS = {"report", "/report", "report an incident"}
HELP_WORDS = {"help", "hi", "hello", "menu", "start"}
KEEP = {".", "keep"}  # WhatsApp cannot send an empty message: this keeps the current (or prefilled) answer
UNEXPECTED = ("Sorry, something went wrong on my side and I could not finish that. Nothing you sent has been "
              "shared. Please try again; if it keeps happening, tell your IT team and quote error {error_id}.")
UNSUPPORTED = ("Sorry, I can only read text messages, and screenshots, documents or videos sent during a "
               "report.")
FILES_OUTSIDE_REPORT = "To attach screenshots or documents to a report, type *report* first and send them there."


class WhatsAppBot:
    """The services as a WhatsApp conversation; ``handle(message)`` runs on a worker thread, never a request's."""

    def __init__(self, services, client, *, store: ChatStore | None = None,
                 deliver: Callable[[], object] | None = None) -> None:
        settings = services.settings
        self.services = services
        self.client = client
        self.store = store or services.chat_store(CHANNEL)
        self.allowed = dict(settings.whatsapp_allowed_numbers)
        self.max_bytes = settings.evidence_max_bytes
        self.deliver = deliver or (lambda: None)
        self._key = settings.whatsapp_app_secret.get_secret_value().encode() if settings.whatsapp_app_secret else b""

    @property
    def engine(self):
        """The incident report conversation engine."""
        return self.services.incidents.conversations

    def handle(self, message: Inbound) -> None:
        """Reply to one message, once: duplicates and webhook retries are dropped; errors become kind replies."""
        identity = self.allowed.get(message.sender)
        try:
            if not self.store.claim(f"msg:{self._pseudonym(message.message_id)}"):
                logger.info("a WhatsApp message already handled; not answered again")
                return
            if identity is None:
                day = datetime.now(timezone.utc).date().isoformat()
                if self.store.claim(f"refused:{self._pseudonym(message.sender)}:{day}"):  # once a day, no more
                    logger.info("a message from a number not on the allow-list was refused")
                    self._send(message.sender, render.texts(render.REFUSAL))
                return
            replies = self._route(message, identity)
        except Exception as error:  # noqa: BLE001 - every failure gets a reply, never the exception text
            text = self._error_text(error)
            if identity is not None:  # an unknown number is told nothing but the refusal
                self._send(message.sender, render.texts(text))
            return
        self._send(message.sender, replies)

    # --- routing --------------------------------------------------------------------------------------------
    def _route(self, message: Inbound, identity: str) -> list[dict]:
        words = message.text.strip()
        if message.kind == "text" and CHECK.match(words):  # even during a report: a draft is never an answer
            draft = CHECK.sub("", words, count=1).strip()
            if not draft:
                return render.check_help()
            return render.check_messages(self.services.checker.check(draft, council=self.services.settings.council))
        open_report = self._open_report(identity)
        if open_report is not None:
            return self._in_report(message, identity, open_report)
        if message.kind == "reply":
            if message.reply_id == render.MENU_REPORT:
                return self._start_report(message, identity)
            if message.reply_id == render.MENU_CHECK:
                return render.check_help()
            return render.menu()  # a tap on a finished report's button
        if message.kind in edge.MEDIA_TYPES:
            return render.texts(FILES_OUTSIDE_REPORT)
        if message.kind != "text":
            return render.texts(UNSUPPORTED)
        if words.lower() in REPORT_WORDS:
            return self._start_report(message, identity)
        if words.lower() in HELP_WORDS:
            return render.menu()
        return self._answer(words, identity)

    def _answer(self, question: str, identity: str) -> list[dict]:
        """A cited answer; the person's recent questions in this chat are the context of a follow-up."""
        history = self.store.earlier_questions(user_id=identity, place_id=PLACE, thread_id=None)
        answer = self.services.answerer.answer(question, council=self.services.settings.council, history=history)
        messages = render.answer_messages(answer)
        self.store.record_answer(self.store.new_answer_id(), user_id=identity, place_id=PLACE, question=question,
                                 council=self.services.settings.council, abstained=answer.abstained,
                                 message={"messages": messages})
        return messages

    def _start_report(self, message: Inbound, identity: str) -> list[dict]:
        step = self.engine.start(CHANNEL, identity, display_name=message.profile_name)
        self.store.link_thread(PLACE, identity, identity, step.conversation_id)
        return step_messages(step)

    def _open_report(self, identity: str) -> str | None:
        """The id of this person's report conversation when it is still open."""
        thread = self.store.thread(PLACE, identity)
        if thread is None:
            return None
        try:
            step = self.engine.current(thread.conversation_id, user_id=identity)
        except NotFound:  # purged (abandoned for weeks): carry on as if there were none
            return None
        return None if step.finished else thread.conversation_id

    def _in_report(self, message: Inbound, identity: str, cid: str) -> list[dict]:
        if message.kind == "text" and message.text.strip().lower() in REPORT_WORDS:  # show where they are
            return step_messages(self.engine.start(CHANNEL, identity, display_name=message.profile_name))
        if message.kind in edge.MEDIA_TYPES:
            return self._attach(message, identity, cid)
        if message.kind == "reply":
            return self._tap(message.reply_id, identity, cid)
        if message.kind != "text" or not message.text.strip():
            return render.texts(UNSUPPORTED)
        words = message.text.strip()
        step = (self.engine.answer(cid, "", user_id=identity) if words.lower() in KEEP
                else self.engine.reply(cid, words, user_id=identity))
        return self._after(step)

    def _tap(self, value: str, identity: str, cid: str) -> list[dict]:
        """A button or list choice: applied only when it belongs to the question now asked, else that is shown."""
        parsed = parse_reply_id(value)
        step = self.engine.current(cid, user_id=identity)
        at = step.question.field_id if step.state == "question" else step.state
        if parsed is None or parsed[0] != cid or parsed[1] != at:
            return step_messages(step)
        field, choice = parsed[1], parsed[2]
        if field == REVIEW:
            step = (self.engine.confirm(cid, user_id=identity) if choice == "confirm"
                    else self.engine.cancel(cid, user_id=identity))
        else:
            step = self.engine.answer(cid, choice, user_id=identity)
        return self._after(step)

    def _attach(self, message: Inbound, identity: str, cid: str) -> list[dict]:
        """Fetch a file sent during a report from the media API and attach it as evidence (checked and hashed)."""
        try:
            media = self.client.media(message.media_id, max_bytes=self.max_bytes)
            name = message.filename or f"whatsapp-{message.kind}"
            info = self.engine.attach(cid, media.data, name, media.content_type or message.mime_type or None,
                                      user_id=identity)
            lines = [f"📎 Attached *{info.filename}* to your report (SHA-256 {info.sha256[:12]}…)."]
        except UserError as exc:
            lines = [f"⚠️ {exc.display()}"]
        if message.text.strip():
            lines.append(CAPTION_NOT_AN_ANSWER.format(files="file"))
        lines.append(CARRY_ON)
        return render.texts("\n".join(lines))

    def _after(self, step) -> list[dict]:
        if step.state == "submitted":
            self.deliver()  # the Monitoring Officers' notifications, now rather than at the next minute
        return step_messages(step)

    # --- output ---------------------------------------------------------------------------------------------
    def _send(self, to: str, messages: list[dict]) -> None:
        for item in messages:
            try:
                self.client.send(to, item)
            except Exception as exc:  # noqa: BLE001 - the code only: a failed send must not lose the rest
                logger.warning("a WhatsApp reply was not delivered (%s)", getattr(exc, "code", type(exc).__name__))
                return

    @staticmethod
    def _error_text(error: BaseException) -> str:
        if isinstance(error, UserError):
            return error.display()
        error_id = uuid.uuid4().hex[:10]
        logger.error("error %s handling a WhatsApp message:\n%s", error_id, stack_without_messages(error))
        return UNEXPECTED.format(error_id=error_id)

    def _pseudonym(self, value: str) -> str:
        """A keyed hash: the same input gives the same key, but the key does not give the number back."""
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()[:32]
