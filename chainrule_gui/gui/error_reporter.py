"""Errors surface, never kill: uncaught exceptions are logged and shown, from the GUI thread.

``sys.excepthook`` catches exceptions in slots and the main thread; on a ``QThread`` it is
called *on that thread*, and ``threading.excepthook`` catches plain Python threads.  A
dialog must be built on the GUI thread, so both hooks only format, log to a file in the
user's log folder, and emit a signal; the connection is queued across threads and the
slot shows one dialog (further errors while it is open are counted, not stacked).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

LOG_NAME = "chainrule-gui.log"
logger = logging.getLogger("chainrule_gui")


def log_folder_path() -> Path:
    override = os.environ.get("CHAINRULE_GUI_DATA_DIR")  # see gui/document.py
    base = override or QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base) / "logs"


def log_folder() -> Path:
    """The log folder, made if needed (OSError if it cannot be)."""
    folder = log_folder_path()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ErrorReporter(QObject):
    """Owns the hooks; ``error_reported(summary, details)`` fires on the GUI thread."""

    error_reported = Signal(str, str)

    def __init__(self, parent: QObject | None = None, show_dialogs: bool = True):
        super().__init__(parent)
        self.show_dialogs = show_dialogs
        self.last_error: tuple[str, str] | None = None
        self.count = 0
        self._dialog_open = False
        self._previous_sys_hook = None
        self._previous_thread_hook = None
        self.log_path: Path | None = None
        self.log_problem: str | None = None  # why there is no log file, if there is none
        self.error_reported.connect(self._show)

    def install(self) -> None:
        self._handler = None
        try:
            self.log_path = log_folder() / LOG_NAME
        except OSError as exc:  # a file in the way, a read-only home: run without a log file
            self.log_path = None
            self.log_problem = f"{exc.strerror or exc}: {exc.filename or log_folder_path()}"
        else:
            self._add_file_handler()
        self._previous_sys_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook

    def _add_file_handler(self) -> None:
        if not any(isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == self.log_path
                   for h in logger.handlers):
            handler = RotatingFileHandler(self.log_path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            self._handler = handler

    def uninstall(self) -> None:
        if self._previous_sys_hook is not None:
            sys.excepthook = self._previous_sys_hook
        if self._previous_thread_hook is not None:
            threading.excepthook = self._previous_thread_hook
        if getattr(self, "_handler", None) is not None:
            logger.removeHandler(self._handler)
            self._handler.close()
            self._handler = None

    def report(self, exc_type, exc, tb, where: str = "") -> None:
        """Log and announce one exception (safe to call from any thread)."""
        details = "".join(traceback.format_exception(exc_type, exc, tb))
        summary = f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__
        if where:
            summary = f"{summary} (in {where})"
        logger.error("uncaught exception%s\n%s", f" in {where}" if where else "", details)
        self.error_reported.emit(summary, details)

    def _sys_hook(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_sys_hook(exc_type, exc, tb)
            return
        thread = threading.current_thread()
        self.report(exc_type, exc, tb, "" if thread is threading.main_thread() else thread.name)
        if self._previous_sys_hook is not None:
            self._previous_sys_hook(exc_type, exc, tb)  # keep the traceback on stderr too

    def _thread_hook(self, args) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "a background thread"
        self.report(args.exc_type, args.exc_value, args.exc_traceback, name)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        self.last_error = (summary, details)
        self.count += 1
        if not self.show_dialogs or self._dialog_open or QApplication.instance() is None:
            return
        self._dialog_open = True
        try:
            box = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong",
                              "Chain Rule Explorer hit an internal error but is still running; "
                              "your work is kept (and autosaved).\n\n" + summary)
            box.setObjectName("errorDialog")
            box.setInformativeText(
                f"Details are logged in {self.log_path}. Please report the problem with that file attached."
                if self.log_path is not None else
                "Please report the problem with the details below (no log file could be written).")
            box.setDetailedText(details)
            box.exec()
        finally:
            self._dialog_open = False
