"""Evidence files: checked (type by content, size), named safely and stored content-addressed by SHA-256.

``EvidenceStore.check(data, filename, content_type)`` returns a ``CheckedFile`` or raises ``InvalidInput`` with a
kind message; ``put(data)`` writes the bytes once under ``<root>/<sha[:2]>/<sha>`` (owner-only permissions) and
returns the digest, so the same screenshot attached twice is stored once. Folders are created 0700, files 0600.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InvalidInput
from assistant.incidents.private_files import private_dir

# What councillors send as evidence: screenshots, saved pages/letters as PDF, text exports, screen recordings.
ALLOWED_TYPES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
}
ALLOWED_DESCRIPTION = ("screenshots and photos (PNG, JPEG, GIF, WebP, HEIC), PDF documents, plain text, "
                       "and MP4 or MOV videos")
MAX_NAME = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()-]+")


@dataclass(frozen=True)
class CheckedFile:
    """An evidence file that passed the checks, with its digest, safe name and detected type."""

    sha256: str
    filename: str
    content_type: str
    size: int


def sniff_type(data: bytes) -> str | None:
    """The file's type from its first bytes (the declared type is not trusted), or None when not allowed."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if data[4:8] == b"ftyp":  # ISO media: the brand says photo (HEIC, as phones take) or video
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
            return "image/heic"
        return "video/quicktime" if brand.startswith(b"qt") else "video/mp4"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Plain text only: no control characters apart from ordinary white space.
    return None if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text) else "text/plain"


def sanitise_filename(name: str | None, content_type: str) -> str:
    """A file name safe to show and to use on disk: no directories, odd characters or hidden-file dots."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = _UNSAFE.sub("_", base).strip(" ._")
    base = re.sub(r"_{2,}", "_", base)
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    expected = ALLOWED_TYPES[content_type]
    if f".{ext.lower()}" not in (expected, ".jpeg" if expected == ".jpg" else expected):
        stem, ext = base, expected.lstrip(".")  # the name's own extension does not match the content
    stem = (stem or "evidence")[: MAX_NAME - len(ext) - 1].rstrip(" ._") or "evidence"
    return f"{stem}.{ext.lower()}"


class EvidenceStore:
    """Content-addressed files under ``root``, with a size limit per file."""

    def __init__(self, root: Path, *, max_bytes: int) -> None:
        if max_bytes <= 0:
            raise ValueError(f"evidence_max_bytes must be greater than 0. Currently it is {max_bytes}")
        self.root = Path(root)
        self.max_bytes = max_bytes

    def check(self, data: bytes, filename: str | None, content_type: str | None = None) -> CheckedFile:
        """Validate one upload (raises InvalidInput with a kind message)."""
        if not data:
            raise InvalidInput("That file is empty, so it was not attached. Please try the original file.")
        if len(data) > self.max_bytes:
            raise InvalidInput(
                f"That file is {_megabytes(len(data))}; the largest file that can be attached is "
                f"{_megabytes(self.max_bytes)}.",
                hint="Please send a smaller version (a screenshot rather than a video, for example) and keep the "
                "original safe: the Monitoring Officer can ask you for it.",
            )
        detected = sniff_type(data)
        if detected is None:
            raise InvalidInput(
                f"Sorry, that kind of file cannot be attached (declared as {content_type or 'unknown'}).",
                hint=f"You can attach {ALLOWED_DESCRIPTION}.",
            )
        return CheckedFile(
            sha256=hashlib.sha256(data).hexdigest(),
            filename=sanitise_filename(filename, detected),
            content_type=detected,
            size=len(data),
        )

    def path(self, sha256: str) -> Path:
        """Where the file with this digest is (or would be) stored."""
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError(f"sha256 must be 64 lower-case hex digits. Currently it is {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store the bytes (once) and return their SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.exists():
            return sha
        private_dir(self.root)
        private_dir(target.parent)
        # Write then rename, so a crash never leaves a half-written file under a valid digest.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def read(self, sha256: str) -> bytes:
        """The stored bytes, checked against their digest."""
        data = self.path(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise InvalidInput(f"The stored evidence file {sha256[:12]}… has been changed or damaged.")
        return data

    def delete(self, sha256: str) -> None:
        """Remove a stored file (callers check that nothing refers to it any more)."""
        self.path(sha256).unlink(missing_ok=True)

    def stored(self) -> Iterator[tuple[str, float]]:
        """(SHA-256, modification time) of every stored file."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if not (len(folder.name) == 2 and folder.is_dir()):
                continue
            for item in folder.iterdir():
                if re.fullmatch(r"[0-9a-f]{64}", item.name) and item.name[:2] == folder.name and item.is_file():
                    yield item.name, item.stat().st_mtime


def too_big_to_fetch(name: str, max_bytes: int) -> InvalidInput:
    """The error for a file a chat offers that is over the limit, said before (or instead of) downloading it."""
    return InvalidInput(f"{name} is larger than the {max_bytes // (1024 * 1024)} MB that can be attached.",
                        hint="Please send a smaller version and keep the original safe.")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
