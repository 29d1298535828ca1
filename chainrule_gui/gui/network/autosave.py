"""Never lose the Network mode's work: the network being trained, autosaved.

A few seconds after the weights or the settings change (and at most that often while
training runs), the network, its training and data settings and its step are written as
an ordinary model file to the user's data folder — atomically, never over a file of the
user's.  After a crash the next start offers it back (it is opened through every gate of
the model loader, like any file); a clean exit deletes it.  The Network mode knows
whether its trained weights have been saved, so closing the window can ask.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.files.atomic import atomic_write_bytes, remove_stale_temporaries

AUTOSAVE_NAME = "autosave-network.npz"
INTERVAL_MS = 5000
logger = logging.getLogger("chainrule_gui")


class NetworkAutosave(QObject):
    """Watches one :class:`NetworkMode`; ``state`` is what would be saved now."""

    def __init__(self, mode, folder=None):
        super().__init__(mode)
        self.mode = mode
        #: The run's own AutosaveFolder (gui/autosave_folder.py); None: no autosave.
        self.folder = folder
        self._saved = None  # the state the user saved or opened (or the start-up network)
        self._autosaved = None
        self._restored_generation = None
        self.failures = 0
        self._timer = QTimer(self, singleShot=True, interval=INTERVAL_MS)
        self._timer.timeout.connect(self.autosave)
        controller = mode.controller
        controller.updated.connect(self._on_change)
        controller.network_built.connect(self._on_change)
        mode.editor.settings_changed.connect(self._on_change)

    # -- state ------------------------------------------------------------------------------
    def state(self):
        """(generation, step, settings trained with): what the work is now (None before a
        network).  Architecture edits not applied yet (Reset) are not part of it."""
        controller = self.mode.controller
        if controller.network is None or controller.trained is None:
            return None
        step = controller.latest.step if controller.latest is not None else 0
        return controller.generation, step, controller.trained

    def mark_saved(self) -> None:
        """The current network is in a file the user chose (saved, or just opened)."""
        self._saved = self.state()
        self._autosaved = self._saved
        self._restored_generation = None

    def mark_restored(self) -> None:
        """The current network was restored from an autosave: trained, and in no file of
        the user's, even before it takes a step."""
        self._saved = None
        self._restored_generation = self.mode.controller.generation

    def is_modified(self) -> bool:
        state = self.state()
        return state is not None and state != self._saved

    def has_unsaved_training(self) -> bool:
        """Weights trained since the last save: what closing would throw away."""
        state = self.state()
        if state is None:
            return False
        if state[0] == self._restored_generation:
            return True
        return state[1] > 0 and state[:2] != (self._saved or (None, None))[:2]

    # -- autosave and recovery -------------------------------------------------------------
    def _on_change(self, *_):
        if self.is_modified() and not self._timer.isActive():
            self._timer.start()  # once per interval while training runs, not once per update

    def path(self) -> Path | None:
        return self.folder.file(AUTOSAVE_NAME) if self.folder is not None else None

    def autosave(self) -> None:
        state = self.state()
        path = self.path()
        if path is None or state is None or state == self._autosaved or not self.is_modified():
            return
        if state[1] == 0 and state[0] != self._restored_generation:
            # Fresh weights are nobody's work: keep the last trained network's autosave (a
            # data or layer change replaces the network at once; until the new one trains,
            # the one before it is what a crash would lose).
            return
        from chainrule_gui.gui.network.files import model_file_bytes

        try:
            atomic_write_bytes(path, model_file_bytes(self.mode.controller))
            self._autosaved = state
        except (OSError, ChainRuleError, ValueError) as exc:
            # A safety net must not interrupt the user (a full disk); it is logged.
            self.failures += 1
            logger.warning("network autosave failed: %s", exc)

    def discard(self) -> None:
        """The work is in a file of the user's now, or was let go: nothing to recover."""
        self._timer.stop()
        self._autosaved = None
        path = self.path()
        if path is None:
            return
        try:
            path.unlink()
        except OSError:
            pass
        remove_stale_temporaries(path.parent, AUTOSAVE_NAME)


def read_recovered_network(path: Path):
    """(network, meta) a crashed run autosaved; ChainRuleError if the file cannot be used."""
    from chainrule_gui.core.nn.model_file import load_model

    return load_model(path)
