"""Owner-only files and folders for what the assistant keeps on disk (the SQLite database, evidence files)."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)


def private_dir(path: Path) -> Path:
    """``path`` as a directory, created owner-only (0700) when missing; an existing one is left as it is."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is masked by the umask, and parents=True ignores it for parents
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read and write (0600): created so, or narrowed if it is wider."""
    path = Path(path)
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        info = path.stat()
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077 and info.st_uid == os.geteuid():
            path.chmod(mode & 0o700)
            logger.warning("%s was readable by other accounts; narrowed it to its owner", path.name)
    else:
        os.close(fd)  # an empty file is a valid, empty SQLite database
    return path
