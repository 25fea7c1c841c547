"""Downloading a file a person shared with the bot, with the bot token, from Slack's own hosts only."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from assistant.errors import InvalidInput, ServiceUnavailable
from assistant.incidents.engine import Upload
from assistant.incidents.evidence import too_big_to_fetch

logger = logging.getLogger(__name__)

SLACK_FILE_HOSTS = ("slack.com", "slack-edge.com", "slack-files.com")
TIMEOUT_S = 30


def allowed_host(url: str, api_url: str) -> bool:
    """Whether the bot token may be sent to this URL: Slack's hosts, or the configured Web API host (a proxy)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host and host == (urlsplit(api_url).hostname or "").lower():
        return True
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in SLACK_FILE_HOSTS)


def download(file: dict, *, token: str, api_url: str, max_bytes: int) -> Upload:
    """The bytes of a Slack file object (``url_private_download``), refusing files over ``max_bytes``; the name
    and type are Slack's (the engine checks the content itself)."""
    name = file.get("name") or file.get("title") or "evidence"
    url = file.get("url_private_download") or file.get("url_private")
    if not url or not allowed_host(url, api_url):
        raise InvalidInput(f"I could not fetch {name} from Slack, so it was not attached.",
                           hint="Please upload it again as a file in this thread.")
    if file.get("size") and int(file["size"]) > max_bytes:
        raise too_big_to_fetch(name, max_bytes)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - host checked above
            served_as = response.headers.get_content_type()
            data = response.read(max_bytes + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        logger.warning("downloading Slack file %s failed (%s)", file.get("id"), type(exc).__name__)
        raise ServiceUnavailable(f"I could not download {name} from Slack just now.",
                                 hint="Please upload it again in a minute.") from exc
    if served_as == "text/html" and (file.get("mimetype") or "") != "text/html":
        # Slack answers a token without files:read with its sign-in page, not the file.
        logger.warning("Slack served a web page instead of file %s (is the files:read scope granted?)", file.get("id"))
        raise ServiceUnavailable(f"Slack did not let me download {name}, so it was not attached.",
                                 hint="Ask your Slack admin to check that the app has the files:read scope.")
    if len(data) > max_bytes:
        raise too_big_to_fetch(name, max_bytes)
    return Upload(data, name, file.get("mimetype"))
