"""Each running copy's own autosave folder, locked while it runs.

Two copies of the app side by side must not take each other's live work for a crash's
leftovers, nor delete it.  So each copy writes its autosaves into a folder of its own,
``<data folder>/autosave/<id>/``, and holds a lock file there while it runs (``QLockFile``:
the lock of a process that is gone — killed, crashed — is recognised as stale).  At start-up
a folder whose lock can be taken belongs to a run that did not close normally: its work is
offered back.  A folder whose owner still runs cannot be locked and is left alone.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from pathlib import Path

from PySide6.QtCore import QLockFile

from chainrule_gui.gui.document import data_folder

LOCK_NAME = "owner.lock"
FOLDER_NAME = "autosave"
#: Where an autosave that cannot be read is kept (renamed, never deleted).
DAMAGED_NAME = "damaged-autosaves"
#: Autosaves of versions that had one folder for every copy; offered once like a crash's.
LEGACY_NAMES = ("autosave-session.json", "autosave-network.npz")
logger = logging.getLogger("chainrule_gui")


def _lock(folder: Path) -> QLockFile | None:
    """The folder's lock, taken now, or None if another running copy holds it."""
    lock = QLockFile(str(folder / LOCK_NAME))
    lock.setStaleLockTime(0)  # held for the whole run: only a dead owner makes it stale
    return lock if lock.tryLock(0) else None


class AutosaveFolder:
    """A locked folder of autosaves: this copy's own, or a crashed run's being recovered."""

    def __init__(self, path: Path, lock: QLockFile | None):
        self.path = path
        self._lock = lock

    @classmethod
    def claim_new(cls) -> AutosaveFolder | None:
        """A fresh folder for this run (None if the data folder cannot be used)."""
        try:
            root = data_folder() / FOLDER_NAME
            path = root / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            path.mkdir(parents=True)
        except OSError as exc:
            logger.warning("no autosave folder: %s", exc)
            return None
        lock = _lock(path)
        if lock is None:  # cannot happen for a new folder unless the disk refuses the lock file
            logger.warning("no autosave folder: %s cannot be locked", path)
            return None
        return cls(path, lock)

    @classmethod
    def left_by_crashes(cls) -> list[AutosaveFolder]:
        """The folders of runs that did not close normally, newest first, each locked now
        (so a second copy starting at the same moment does not offer the same work)."""
        try:
            root = data_folder() / FOLDER_NAME
            _adopt_legacy(root)
            candidates = sorted((p for p in root.iterdir() if p.is_dir()), reverse=True)
        except OSError:
            return []
        found = []
        for path in candidates:
            lock = _lock(path)
            if lock is None:
                continue  # another running copy's live work
            folder = cls(path, lock)
            if folder.files():
                found.append(folder)
            else:
                folder.release()  # a run that crashed before it autosaved anything
        return found

    def file(self, name: str) -> Path:
        return self.path / name

    def files(self) -> list[Path]:
        try:
            return [p for p in self.path.iterdir() if p.name != LOCK_NAME and p.is_file()]
        except OSError:
            return []

    def keep_damaged(self, name: str) -> Path | None:
        """Move an autosave that cannot be read out of the way, renamed, and return where."""
        source = self.file(name)
        try:
            target_folder = self.path.parent.parent / DAMAGED_NAME
            target_folder.mkdir(parents=True, exist_ok=True)
            target = target_folder / f"{self.path.name}-{name}"
            os.replace(source, target)
            return target
        except OSError as exc:
            logger.warning("damaged autosave %s could not be moved aside: %s", source, exc)
            return None

    def release(self) -> None:
        """Done with it (a clean exit, or recovered or declined work): delete it and unlock."""
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
        shutil.rmtree(self.path, ignore_errors=True)

    def abandon(self) -> None:
        """Unlock and leave the files, as a killed process does (for tests of recovery)."""
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None


def _adopt_legacy(root: Path) -> None:
    """An autosave of an earlier version lies in the data folder itself: move it into a
    folder of its own, unlocked, so it is offered like any crash's."""
    legacy = [root.parent / name for name in LEGACY_NAMES if (root.parent / name).is_file()]
    if not legacy:
        return
    folder = root / f"00000000-earlier-version-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True, exist_ok=True)
    for path in legacy:
        os.replace(path, folder / path.name)
