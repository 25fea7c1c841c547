"""Local files offered as evidence at the console: only regular files, never through a link out of the home folder.

``find_local_file(word)`` says whether a typed word names something on disk at all (so other words stay part of
the answer); ``read_local_file(word, home=, max_bytes=)`` returns the resolved path and the bytes, or raises
InvalidInput saying why not: a directory, a device, a pipe or a socket; a symbolic link (anywhere in the path)
that leads outside the person's home folder; a file too large. The file is opened without following a final
link and checked again on the open descriptor, so it cannot be swapped for a device between check and read.
The content type is the evidence store's business (it sniffs the bytes), and the channel asks the person to
confirm the resolved path before anything is attached.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InvalidInput


@dataclass(frozen=True)
class LocalFile:
    """A regular file read from disk: where it really is, and its bytes."""

    path: Path
    data: bytes


def find_local_file(word: str) -> Path | None:
    """The typed word as a path when something exists there (even a broken link), else None."""
    if not word.strip():
        return None
    path = Path(word.strip()).expanduser()
    return path if os.path.lexists(path) else None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def read_local_file(word: str, *, home: Path, max_bytes: int) -> LocalFile:
    """The regular file ``word`` names (InvalidInput, with the reason, for anything else)."""
    typed = Path(word.strip()).expanduser()
    shown = word.strip()
    try:
        resolved = typed.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a broken link, a loop of links, no permission
        raise InvalidInput(f"{shown} could not be opened, so it was not attached.") from None
    lexical = Path(os.path.abspath(typed))
    through_link = lexical != resolved
    home = Path(home).resolve()
    if through_link and not _inside(resolved, home):
        raise InvalidInput(f"{shown} is a link to {resolved}, outside your home folder, so it was not attached.",
                           hint="Copy the file into your home folder and give that path.")
    try:
        fd = os.open(resolved, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        kind = "a folder" if resolved.is_dir() else "not a file that can be read"
        raise InvalidInput(f"{resolved} is {kind}, so it was not attached.",
                           hint="Give the path of a screenshot, PDF or other file.") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket, not an ordinary file"
            raise InvalidInput(f"{resolved} is {kind}, so it was not attached.",
                               hint="Give the path of a screenshot, PDF or other file.")
        if info.st_size > max_bytes:
            raise InvalidInput(f"{resolved} is larger than the {max_bytes / (1024 * 1024):.1f} MB that can be attached.",
                               hint="Please attach a smaller version and keep the original safe.")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew while we looked
        raise InvalidInput(f"{resolved} is larger than the {max_bytes / (1024 * 1024):.1f} MB that can be attached.")
    return LocalFile(resolved, data)
