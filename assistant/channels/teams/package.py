"""The Teams app package: ``manifest.json`` and two generated icons, zipped, for upload to Teams (or the admin
centre). Built from settings only; the icons are drawn here, so nothing binary lives in the repository."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from assistant.config import Settings
from assistant.errors import Misconfigured

MANIFEST_VERSION = "1.17"
SCHEMA = f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
ACCENT = (0x1F, 0x4E, 0x79)  # a council-ish dark blue
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SHORT = "Cited social-media guidance, post checks and incident reports."
FULL = ("Answers councillors' questions about social media from their councils' own guidance, quoting the "
        "paragraphs it relies on; checks a draft post before it is published (in the 1:1 chat, never stored); and "
        "takes reports of online abuse, harassment or threats for the Monitoring Officer, with evidence files.")
PERSONAL_COMMANDS = [("checkpost", "Check a draft post: checkpost followed by your draft"),
                     ("report", "Report abuse, harassment or threats you received online"),
                     ("help", "What I can do")]
TEAM_COMMANDS = [("help", "What I can do; @mention me with a question")]


def manifest(settings: Settings) -> dict:
    """The app manifest for these settings (the bot id is ``TEAMS_APP_ID``)."""
    app_id = settings.teams_app_id or ""
    if not GUID.match(app_id):
        raise Misconfigured(f"TEAMS_APP_ID must be the bot's Entra application (client) id, a GUID. "
                            f"Currently it is {app_id or 'not set'}.",
                            hint="Copy it from the Azure Bot resource (Configuration > Microsoft App ID).")
    return {
        "$schema": SCHEMA, "manifestVersion": MANIFEST_VERSION, "version": settings.teams_app_version,
        "id": app_id,
        "developer": {"name": settings.teams_developer_name, "websiteUrl": settings.teams_developer_url,
                      "privacyUrl": settings.teams_privacy_url, "termsOfUseUrl": settings.teams_terms_url},
        "name": {"short": settings.teams_app_name[:30], "full": settings.teams_app_name[:100]},
        "description": {"short": SHORT[:80], "full": FULL[:4000]},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#" + "".join(f"{c:02X}" for c in ACCENT),
        "bots": [{"botId": app_id, "scopes": ["personal", "team", "groupChat"], "supportsFiles": True,
                  "isNotificationOnly": False,
                  "commandLists": [{"scopes": ["personal"], "commands": _commands(PERSONAL_COMMANDS)},
                                   {"scopes": ["team", "groupChat"], "commands": _commands(TEAM_COMMANDS)}]}],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def _commands(items: list[tuple[str, str]]) -> list[dict]:
    return [{"title": title, "description": description} for title, description in items]


def build_package(settings: Settings, out: Path) -> Path:
    """Write the zipped app package (manifest.json, color.png, outline.png) to ``out``."""
    data = manifest(settings)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        package.writestr("color.png", color_icon())
        package.writestr("outline.png", outline_icon())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    return out


# --- icons: Teams wants a 192×192 colour icon and a 32×32 white-on-transparent outline ------------------------
def color_icon() -> bytes:
    """192×192: a white speech bubble with three lines of "text" on the accent colour."""
    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        bubble = 40 <= x < 152 and 48 <= y < 128 or (56 <= x < 80 and 128 <= y < 152 and x - 56 < 152 - y)
        line = bubble and 60 <= x < 132 and any(top <= y < top + 8 for top in (64, 84, 104))
        return (*ACCENT, 255) if line or not bubble else (255, 255, 255, 255)

    return png(192, pixel)


def outline_icon() -> bytes:
    """32×32: the bubble's outline in white on transparent."""
    def pixel(x: int, y: int) -> tuple[int, int, int, int]:
        inside = 5 <= x < 27 and 7 <= y < 22
        edge = inside and (x in (5, 26) or y in (7, 21))
        tail = 9 <= x < 13 and 22 <= y < 26 and x - 9 <= 25 - y
        return (255, 255, 255, 255) if edge or tail else (0, 0, 0, 0)

    return png(32, pixel)


def png(size: int, pixel: Callable[[int, int], tuple[int, int, int, int]]) -> bytes:
    """A square RGBA PNG drawn by ``pixel(x, y)``."""
    rows = b"".join(b"\x00" + bytes(c for x in range(size) for c in pixel(x, y)) for y in range(size))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
