"""Downloading a file a person sent the bot in Teams, from Microsoft's file hosts only, size-checked.

Two shapes reach a bot in a 1:1 chat (the app package sets ``supportsFiles``):

- a file from OneDrive/SharePoint: ``contentType`` ``application/vnd.microsoft.teams.file.download.info`` with a
  pre-authenticated, short-lived ``content.downloadUrl`` (no token is sent with it);
- an image pasted into the message: ``contentType`` ``image/*`` with a ``contentUrl`` on the conversation's
  ``serviceUrl`` host, which wants the bot's own token.

Any other URL is refused, so a forged attachment cannot make the bot fetch an address of its choosing. The
incident engine hashes and checks the content itself.
"""

from __future__ import annotations

import logging
import mimetypes
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from assistant.errors import InvalidInput, ServiceUnavailable
from assistant.incidents.engine import Upload
from assistant.incidents.evidence import too_big_to_fetch

logger = logging.getLogger(__name__)

DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
FILE_HOSTS = ("sharepoint.com", "sharepoint.us", "sharepoint-df.com", "svc.ms")
TIMEOUT_S = 30


@dataclass(frozen=True)
class Incoming:
    """A file attachment of a message: where to fetch it and whether the bot token goes with it."""

    name: str
    url: str
    content_type: str | None
    needs_token: bool


def evidence_attachments(attachments, service_url: str | None) -> list[Incoming]:
    """The file attachments of a message (the HTML copy of the text and any cards are not files)."""
    files = []
    for n, a in enumerate(attachments or [], 1):
        kind = (a.content_type or "").lower()
        content = a.content if isinstance(a.content, dict) else {}
        if kind == DOWNLOAD_INFO:
            name = a.name or f"file-{n}"
            url = content.get("downloadUrl") if isinstance(content.get("downloadUrl"), str) else ""
            files.append(Incoming(name, url, mimetypes.guess_type(name)[0], needs_token=False))
        elif kind.startswith("image/") and a.content_url:
            extension = mimetypes.guess_extension(kind) or ""
            files.append(Incoming(a.name or f"image-{n}{extension}", a.content_url, kind, needs_token=True))
    return files


def allowed(incoming: Incoming, service_url: str | None) -> bool:
    """Whether this URL may be fetched: Microsoft's file hosts over https, or the conversation's own service."""
    parts = urlsplit(incoming.url)
    host = (parts.hostname or "").lower()
    if not host:
        return False
    if host == (urlsplit(service_url or "").hostname or "").lower():
        return True
    return (not incoming.needs_token and parts.scheme == "https"
            and any(host == h or host.endswith("." + h) for h in FILE_HOSTS))


def download(incoming: Incoming, *, service_url: str | None, max_bytes: int,
             token: Callable[[], str | None] = lambda: None) -> Upload:
    """The bytes of a file attachment, refusing files over ``max_bytes`` and hosts that are not Teams'."""
    name = incoming.name
    if not allowed(incoming, service_url):
        raise InvalidInput(f"I could not fetch {name} from Teams, so it was not attached.",
                           hint="Please attach it again as a file in our chat.")
    headers = {}
    bearer = token() if incoming.needs_token else None
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    request = urllib.request.Request(incoming.url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - host checked above
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise too_big_to_fetch(name, max_bytes)
            data = response.read(max_bytes + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        logger.warning("downloading a Teams file failed (%s)", type(exc).__name__)
        raise ServiceUnavailable(f"I could not download {name} from Teams just now.",
                                 hint="Please attach it again in a minute.") from exc
    if len(data) > max_bytes:
        raise too_big_to_fetch(name, max_bytes)
    return Upload(data, name, incoming.content_type)
