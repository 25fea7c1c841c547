"""The WhatsApp Cloud API calls this adapter makes, in their documented HTTP shapes (httpx, no SDK).

``GraphClient(settings)`` sends to ``{WHATSAPP_API_URL}/{phone_number_id}/messages`` with the access token and
fetches media (``GET /{media_id}`` for its URL, then the bytes from that URL with the token — only from the
Graph API's own host or Meta's media CDN). A 429, a 5xx or a dropped connection is tried again, a few times.
Errors carry the HTTP status or exception type only: never a number, a message id or a body.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from assistant.config import Settings
from assistant.errors import InvalidInput, ServiceUnavailable

logger = logging.getLogger(__name__)

TIMEOUT_S = 20.0
ATTEMPTS = 3
MEDIA_HOSTS = ("fbsbx.com", "facebook.com", "whatsapp.net")  # where Meta serves media URLs


class GraphError(Exception):
    """A Graph API call failed; ``code`` is an HTTP status or an exception type (for the log)."""

    def __init__(self, code: str, *, permanent: bool = False) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent


@dataclass(frozen=True)
class Media:
    """A downloaded media file: its bytes and the type and name WhatsApp gave (the engine checks the content)."""

    data: bytes
    content_type: str | None


class GraphClient:
    """Sends messages and fetches media for one business phone number."""

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None) -> None:
        if settings.whatsapp_access_token is None or not settings.whatsapp_phone_number_id:
            raise ValueError("GraphClient needs WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID")
        self.base = settings.whatsapp_api_url.rstrip("/") + "/"
        self.phone_number_id = settings.whatsapp_phone_number_id
        self._token = settings.whatsapp_access_token.get_secret_value()
        self._http = httpx.Client(timeout=TIMEOUT_S, transport=transport, follow_redirects=False,
                                  headers={"Authorization": f"Bearer {self._token}"})

    def close(self) -> None:
        """Release connections."""
        self._http.close()

    def check(self) -> None:
        """Raise GraphError unless the token can read this phone number (a start-up check)."""
        self._call("GET", f"{self.base}{self.phone_number_id}")

    # --- messages -------------------------------------------------------------------------------------------
    def send(self, to: str, message: dict) -> dict:
        """POST one message (``message``: its ``type`` and the object of that type) to ``to``."""
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
        return self._call("POST", f"{self.base}{self.phone_number_id}/messages", json=payload).json()

    # --- media ----------------------------------------------------------------------------------------------
    def media(self, media_id: str, *, max_bytes: int) -> Media:
        """A media file's bytes (InvalidInput when over ``max_bytes``; ServiceUnavailable when it cannot be had)."""
        if not media_id or "/" in media_id or not media_id.isascii():
            raise InvalidInput("I could not fetch that file from WhatsApp, so it was not attached.")
        try:
            info = self._call("GET", f"{self.base}{media_id}", params={"phone_number_id": self.phone_number_id})
            meta = info.json()
            url, size = meta.get("url"), meta.get("file_size")
            if not isinstance(url, str) or not self._allowed(url):
                raise GraphError("media url refused", permanent=True)
            if isinstance(size, int) and size > max_bytes:
                raise _too_large(max_bytes)
            with self._http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise GraphError(str(response.status_code))
                data = bytearray()
                for chunk in response.iter_bytes():
                    data.extend(chunk)
                    if len(data) > max_bytes:
                        raise _too_large(max_bytes)
                served = response.headers.get("content-type", "").split(";")[0].strip() or None
        except (GraphError, httpx.HTTPError, ValueError) as exc:
            logger.warning("downloading WhatsApp media failed (%s)", getattr(exc, "code", type(exc).__name__))
            raise ServiceUnavailable("I could not download that file from WhatsApp just now, so it was not attached.",
                                     hint="Please send it again in a minute.") from exc
        return Media(bytes(data), meta.get("mime_type") if isinstance(meta.get("mime_type"), str) else served)

    # --- internals ------------------------------------------------------------------------------------------
    def _allowed(self, url: str) -> bool:
        """Whether the token may go to this URL: the configured API host, or Meta's media hosts over HTTPS."""
        parts, api = urlsplit(url), urlsplit(self.base)
        host = (parts.hostname or "").lower()
        if host and host == (api.hostname or "").lower() and parts.port == api.port and parts.scheme == api.scheme:
            return True
        return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in MEDIA_HOSTS)

    def _call(self, method: str, url: str, **kwargs) -> httpx.Response:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self._http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if attempt == ATTEMPTS:
                    raise GraphError(type(exc).__name__) from exc
                time.sleep(0.5 * attempt)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt == ATTEMPTS:
                    raise GraphError(str(response.status_code))
                time.sleep(min(float(response.headers.get("retry-after") or attempt), 5.0))
                continue
            if response.status_code >= 400:
                raise GraphError(f"{response.status_code} {_error_code(response)}".strip(), permanent=True)
            return response
        raise AssertionError("unreachable")


def _error_code(response: httpx.Response) -> str:
    """Graph's numeric error code (e.g. 131047: outside the 24-hour window), never its message text."""
    try:
        code = response.json().get("error", {}).get("code")
    except (ValueError, AttributeError):
        return ""
    return str(code) if isinstance(code, int) else ""


def _too_large(max_bytes: int) -> InvalidInput:
    return InvalidInput(f"That file is larger than the {max_bytes // (1024 * 1024)} MB that can be attached.",
                        hint="Please send a smaller version and keep the original safe.")
