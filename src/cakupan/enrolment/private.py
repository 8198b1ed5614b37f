"""Where roster reports and stored uploads live: files of personal data (NIKs, names, birth dates).

Both sit under VAR_DIR/private, in folders of mode 0700 holding files of mode 0600: only the service's own
user reads them, and only the scoped report views serve them (UU 27/2022 on personal data protection:
access limited to what the purpose needs). An import writes its report into a staging folder
`.tmp-<pid>-<random>` and moves it into place at commit; a process killed on the way leaves that folder
behind, and the next import, job or purge removes it once its process is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings

DIR_MODE = 0o700
FILE_MODE = 0o600
# A staging folder younger than this is left alone even without a live owner: its import may have
# started a moment ago in a process this one cannot see (another container sharing VAR_DIR).
LEFTOVER_GRACE_SECONDS = 5 * 60


def private_dir(*parts: str) -> Path:
    """VAR_DIR/private/<parts>, created with mode 0700 (also when it already existed, wider)."""
    root = Path(settings.VAR_DIR) / "private"
    path = root.joinpath(*parts)
    for folder in (root, path):
        folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        if folder.stat().st_mode & 0o777 != DIR_MODE:
            with contextlib.suppress(PermissionError):  # another user's folder: not ours to narrow
                folder.chmod(DIR_MODE)
    return path


def reports_dir() -> Path:
    return private_dir("reports")


def uploads_dir() -> Path:
    return private_dir("uploads")


def staging_dir() -> Path:
    """A new staging folder (0700) for one import's report, named after this process."""
    path = reports_dir() / f".tmp-{os.getpid()}-{uuid.uuid4().hex}"
    path.mkdir(mode=DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Creates `path` empty with mode 0600 (a writer opening it afterwards keeps the mode)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.close(descriptor)
    path.chmod(FILE_MODE)  # it may have existed with a wider mode
    return path


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    try:  # a zombie (dead, not yet reaped by its parent) still answers kill(0)
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return True


def leftovers_remove(*, grace_seconds: float = LEFTOVER_GRACE_SECONDS) -> list[str]:
    """Removes the staging folders of imports whose process is gone (killed, or the machine stopped),
    older than `grace_seconds`; returns their names. A folder of a live process is its import at work."""
    folder = Path(settings.VAR_DIR) / "private" / "reports"
    if not folder.is_dir():
        return []
    removed: list[str] = []
    now = time.time()
    for path in folder.glob(".tmp-*"):
        parts = path.name.split("-")
        owner = int(parts[1]) if len(parts) >= 3 and parts[1].isdigit() else None
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:  # its import just finished
            continue
        # This process's own folder is an import at work in another thread.
        if age < grace_seconds or owner == os.getpid() or (owner is not None and pid_alive(owner)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed
