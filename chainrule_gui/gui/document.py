"""The open session as a document: file name, unsaved changes, recent files and autosave.

Work is never lost silently: saves are atomic, a bad file leaves the open work untouched,
an autosave copy is written a few seconds after each change (to the user's data folder,
never over the user's own file), and closing with unsaved changes asks first.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer, Signal

from chainrule_gui.core.files.atomic import FileFormatError, atomic_write_text, read_limited, remove_stale_temporaries
from chainrule_gui.core.files.session import Session, load_session, save_session, session_from_bytes
from chainrule_gui.gui import stored_settings

AUTOSAVE_INTERVAL_MS = 4000
MAX_RECENT = 8
AUTOSAVE_NAME = "autosave-session.json"
#: What a clean exit leaves for the next start (its file, if it has one, is reopened instead).
LAST_SESSION_NAME = "last-session.json"


#: Overrides the user's data folder (autosaves, logs): a portable setup, and tests, which
#: must not share one folder (Qt's test mode puts every run in the same ~/.qttest).
DATA_DIR_VARIABLE = "CHAINRULE_GUI_DATA_DIR"


def data_folder_path() -> Path:
    override = os.environ.get(DATA_DIR_VARIABLE)
    return Path(override) if override else Path(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def data_folder() -> Path:
    """The folder of autosaves and the last session, made if needed (OSError if it cannot be:
    a file in the way, a read-only home)."""
    folder = data_folder_path()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def data_folder_problem() -> str | None:
    """Why autosave cannot work here (the folder cannot be made or written), or None."""
    try:
        folder = data_folder()
        probe = folder / ".chainrule-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return f"{data_folder_path()} cannot be used ({exc.strerror or exc})"
    return None


class SessionDocument(QObject):
    """Tracks which file the work belongs to and whether it has changed since saving.

    ``current`` is a callable returning the explorer's state as a :class:`Session`.
    """

    changed = Signal()  # title or modified state changed
    recent_changed = Signal(list)

    def __init__(self, current, parent=None, autosave_folder=None):
        super().__init__(parent)
        self._current = current
        #: This run's own :class:`~chainrule_gui.gui.autosave_folder.AutosaveFolder` (None: no
        #: autosave, e.g. the data folder cannot be used).
        self.autosave_folder = autosave_folder
        self.path: Path | None = None
        self._saved: Session | None = None
        self._autosaved: Session | None = None
        self._timer = QTimer(self, singleShot=True, interval=AUTOSAVE_INTERVAL_MS)
        self._timer.timeout.connect(self.autosave)

    # -- state --------------------------------------------------------------------------------
    def mark_clean(self, session: Session | None = None) -> None:
        self._saved = session if session is not None else self._current()
        self.changed.emit()

    def is_modified(self) -> bool:
        current = self._current()
        return current is not None and current != self._saved

    def title(self) -> str:
        return self.path.name if self.path else "Untitled"

    def note_change(self) -> None:
        """Called after every edit: refresh the title and schedule an autosave."""
        self.changed.emit()
        if self.is_modified():
            self._timer.start()

    # -- files ------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Save to ``path`` (or the current file); raises OSError with the reason."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no file chosen")
        session = self._current()
        save_session(session, target)
        self.path = target
        self.mark_clean(session)
        self.add_recent(target)
        return target

    def open(self, path: str | os.PathLike) -> Session:
        """Read and check a session; on any problem raise FileFormatError and change nothing.

        A text with a typing mistake still opens (it is the user's work): the editor shows
        the mistake in place.
        """
        session = load_session(path, allow_text_errors=True)
        self.path = Path(path)
        self.add_recent(self.path)
        return session

    def opened(self, session: Session) -> None:
        """The explorer now shows ``session``: it is the clean state."""
        self.mark_clean(session)

    def new(self) -> None:
        self.path = None
        self._saved = None

    # -- recent files ---------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        return stored_settings.read_text_list("recentFiles")

    def add_recent(self, path: Path) -> None:
        entry = str(Path(path).resolve())
        files = [entry] + [p for p in self.recent_files() if p != entry]
        QSettings().setValue("recentFiles", files[:MAX_RECENT])
        self.recent_changed.emit(files[:MAX_RECENT])

    def forget_recent(self, path: str) -> None:
        files = [p for p in self.recent_files() if p != path]
        QSettings().setValue("recentFiles", files)
        self.recent_changed.emit(files)

    # -- autosave and recovery ----------------------------------------------------------------
    def autosave_path(self) -> Path | None:
        return self.autosave_folder.file(AUTOSAVE_NAME) if self.autosave_folder is not None else None

    def autosave(self) -> None:
        session = self._current()
        path = self.autosave_path()
        if path is None or session is None or session == self._autosaved or not self.is_modified():
            return
        try:
            atomic_write_text(path, session.to_json())
            self._autosaved = session
        except OSError:
            pass  # autosave is a safety net; a full disk must not interrupt the user

    def discard_autosave(self) -> None:
        """After an explicit save there is nothing to recover (the next edit autosaves anew)."""
        self._timer.stop()
        self._autosaved = None
        path = self.autosave_path()
        if path is None:
            return
        try:
            path.unlink()
        except OSError:
            pass
        remove_stale_temporaries(path.parent, AUTOSAVE_NAME)

    # -- the last session: a clean exit's work comes back at the next start ------------------
    @staticmethod
    def last_session_path() -> Path:
        return data_folder() / LAST_SESSION_NAME

    def remember_last_session(self) -> None:
        """At a clean exit: remember what to show next time — the work as it is, or, if the
        person chose to discard changes, the state they discarded them back to."""
        session = self._current() if not self.is_modified() else self._saved
        if session is None:
            return
        try:
            atomic_write_text(self.last_session_path(), session.to_json())
        except OSError:
            return  # nothing to come back to next time; the work itself was dealt with
        QSettings().setValue("session/lastFile", str(self.path) if self.path is not None else "")

    @classmethod
    def last_session(cls) -> tuple[Session, Path | None] | None:
        """What the last clean exit left (None on a first start or if it no longer reads):
        the session, and the file it belongs to (None for untitled work)."""
        try:
            path = cls.last_session_path()
            if not path.exists():
                return None
            session = session_from_bytes(read_limited(path), allow_text_errors=True)
        except (FileFormatError, OSError):
            return None
        file = stored_settings.read_text("session/lastFile")
        return session, Path(file) if file else None



def read_recovered_session(path: Path) -> Session:
    """The session a crashed run autosaved, mistakes in its text included (it is the raw
    editor text, usually mid-edit): FileFormatError only if the file itself is damaged."""
    return session_from_bytes(read_limited(path), allow_text_errors=True)


def describe_age(timestamp: float) -> str:
    seconds = max(0, time.time() - timestamp)
    if seconds < 90:
        return "a minute ago"
    if seconds < 3600:
        return f"{seconds / 60:.0f} minutes ago"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} hours ago"
    return time.strftime("%d %B %Y %H:%M", time.localtime(timestamp))
