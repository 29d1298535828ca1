"""The main window: one tab per mode, menus, files, and remembered state."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.examples import EXAMPLES, categories
from chainrule_gui.core.files.atomic import atomic_write_text
from chainrule_gui.core.files.session import LABEL_MODES, VIEWS, Session
from chainrule_gui.gui import startup, stored_settings, theme
from chainrule_gui.gui.autosave_folder import AutosaveFolder
from chainrule_gui.gui.document import (
    AUTOSAVE_NAME,
    SessionDocument,
    data_folder_path,
    data_folder_problem,
    describe_age,
    read_recovered_session,
)
from chainrule_gui.gui.expression.mode import DEFAULT_TEXT, ExpressionMode
from chainrule_gui.gui.first_run import ExamplesHint
from chainrule_gui.gui.lazy_page import LazyTabWidget

SETTINGS_VERSION = 1
SESSION_FILTER = "Chain Rule Explorer sessions (*.json);;All files (*)"
DEFAULT_SESSION = Session(text=DEFAULT_TEXT, point={"t": 1.0}, ranges={"t": (-1.5, 1.5)})


class MainWindow(QMainWindow):
    def __init__(self, parent=None, open_path: str | None = None, offer_recovery: bool = True):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        theme.manager().start()  # the remembered light/dark/system choice, before anything is drawn
        self.tabs = LazyTabWidget(objectName="modeTabs")
        self.expression_mode = ExpressionMode()
        self.tabs.addTab(self.expression_mode, "Expression")
        self.tabs.setTabToolTip(0, "See the chain rule on definitions you type (Ctrl+PgUp/PgDown switches modes)")
        # The Network mode (pyqtgraph, a training thread) is made when its tab is first shown.
        self.network_page = self.tabs.add_lazy_tab(
            self._make_network_mode, "networkMode", "Network",
            "Train a small neural network and watch backpropagation (Ctrl+PgUp/PgDown switches modes)")
        self.setCentralWidget(self.tabs)
        # This run's own autosave folder, locked while it runs (another running copy's is
        # never taken for a crash's leftovers).
        self.autosave_folder = AutosaveFolder.claim_new()
        self.document = SessionDocument(self.expression_mode.current_session, self, self.autosave_folder)
        self.document.changed.connect(self._update_title)
        self.expression_mode.edited.connect(self.document.note_change)
        self.expression_mode.snapshot_shown.connect(self._on_snapshot_shown)
        self._clean_after_build = False
        self._help_windows: dict = {}
        self._setup_menus()
        self.examples_hint = ExamplesHint(self, self.examples_menu)
        self._hint_checked = False
        self.resize(1280, 800)
        self._restore_settings()
        self._say_if_autosave_is_off()
        if open_path:
            self._show_clean(self._default_session())
            QTimer.singleShot(0, lambda: self.open_session(open_path))
        elif not self._restore_last_session():
            self._show_clean(self._default_session())
        if offer_recovery:  # after a crash, the autosaved work is offered on top
            QTimer.singleShot(0, self._offer_recovery)

    def _say_if_autosave_is_off(self) -> None:
        """Without a usable data folder the app runs on without autosave, and says so once,
        in a corner of the status bar that stays (a dialog at every start would nag)."""
        problem = data_folder_problem()
        if problem is None and self.autosave_folder is not None:
            return
        problem = problem or f"{data_folder_path()} cannot hold this run's autosave folder"
        from PySide6.QtWidgets import QLabel

        note = QLabel("Autosave off", objectName="autosaveOff")
        note.setToolTip(f"The data folder {problem}: work is not autosaved, and the last session and "
                        "the error log are not kept. Save with Ctrl+S, or make that folder writable "
                        "and start again.")
        self.statusBar().addPermanentWidget(note)
        self.statusBar().showMessage(f"Autosave is off: the data folder {problem}.", 30000)

    def _make_network_mode(self):
        from chainrule_gui.gui.network.mode import NetworkMode

        # Its Ctrl+O / Ctrl+S come from File ▸ Open / Save (a second binding would be ambiguous).
        return NetworkMode(file_shortcuts=False, autosave_folder=self.autosave_folder)

    @property
    def network_mode(self):
        """The Network mode (created now if its tab has not been shown yet)."""
        return self.network_page.ensure()

    # -- menus ------------------------------------------------------------------------------
    def _action(self, text, slot, name, shortcut=None, tip=None) -> QAction:
        action = QAction(text, self, objectName=name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        # ``triggered`` passes its ``checked`` flag to the slot's first parameter: connected
        # directly, ``export_latex(path=None)`` was called with path=False and crashed.  Menu
        # entries never need the flag, so no slot gets it.
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _setup_menus(self) -> None:
        bar = self.menuBar()
        file_menu = self._menu(bar, "&File", "menu-file")
        file_menu.addAction(self._action("&New", self.new_session, "action-new", QKeySequence.StandardKey.New,
                                         "Start over with the default example"))
        file_menu.addAction(self._action("&Open…", self._open_for_mode, "action-open",
                                         QKeySequence.StandardKey.Open,
                                         "Open a saved session (.json); in the Network tab, a model (.npz)"))
        self.recent_menu = self._menu(file_menu, "Open &Recent", "menu-recent", "Sessions opened or saved lately")
        self.document.recent_changed.connect(lambda _files: self._fill_recent())
        self._fill_recent()
        file_menu.addAction(self._action("&Save", self._save_for_mode, "action-save", QKeySequence.StandardKey.Save,
                                         "Save the session: text, point, ranges, choices and cuts "
                                         "(in the Network tab: the model)"))
        file_menu.addAction(self._action("Save &As…", self._save_as_for_mode, "action-save-as",
                                         QKeySequence.StandardKey.SaveAs,
                                         "Save the session under a new name (in the Network tab: the model)"))
        self.export_menu = self._menu(file_menu, "&Export", "menu-export",
                                      "The derivation as LaTeX, the gradient as NumPy code, the diagram as an image")
        self.export_menu.addAction(self._action("Derivation as &LaTeX…", self.export_latex, "action-export-latex",
                                                tip="A compilable LaTeX document of the derivation"))
        self.export_menu.addAction(self._action("Gradient as &NumPy function…", self.export_numpy,
                                                "action-export-numpy",
                                                tip="A standalone .py module computing the value and gradient"))
        for action in getattr(self.expression_mode.diagram, "export_actions", []):
            self.export_menu.addAction(action)
        self.expression_mode.diagram.export_folder = self._last_folder
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, "action-quit", QKeySequence.StandardKey.Quit,
                                         "Close Chain Rule Explorer; your last session comes back next time"))

        edit = self._menu(bar, "&Edit", "menu-edit")
        editor = self.expression_mode.editor
        undo = self._action("&Undo", editor.undo, "action-undo", QKeySequence.StandardKey.Undo,
                            "Undo the last change to the definitions")
        redo = self._action("&Redo", editor.redo, "action-redo", QKeySequence.StandardKey.Redo,
                            "Redo what was undone")
        # They undo the Expression tab's text: in the Network tab Ctrl+Z would change a text
        # out of sight, so there they are off (its own boxes answer Ctrl+Z themselves).
        self._undo_redo = {undo: False, redo: False}
        editor.undoAvailable.connect(lambda on: self._set_edit_available(undo, on))
        editor.redoAvailable.connect(lambda on: self._set_edit_available(redo, on))
        self.tabs.currentChanged.connect(lambda _index: self._set_edit_available())
        self._set_edit_available()
        edit.addActions([undo, redo])

        mode = self.expression_mode
        view = self._menu(bar, "&View", "menu-view")
        view.addActions(mode.view_actions.actions())
        diagram = mode.diagram
        view.addActions([mode.fit_action, diagram.zoom_in_action, diagram.zoom_out_action,
                         diagram.cycle_labels_action])
        view.addSeparator()
        view.addActions(mode.view_tab_actions)
        view.addSeparator()
        for index, (title, tip) in enumerate((("&Expression Mode", "Definitions, their tree and every path"),
                                              ("&Network Mode", "Train a small neural network"))):
            view.addAction(self._action(title, lambda _=False, i=index: self.tabs.setCurrentIndex(i),
                                        f"action-mode-{index + 1}", QKeySequence(f"Alt+{index + 1}"),
                                        f"{tip} (Alt+{index + 1})"))
        view.addSeparator()
        themes = self._menu(view, "&Theme", "menu-theme", "Light or dark colours, or follow the system's choice")
        self.theme_actions = QActionGroup(self)
        for key, title, tip in (("system", "&System", "Light or dark as the desktop is set (follows changes)"),
                                ("light", "&Light", "Dark text on light backgrounds"),
                                ("dark", "&Dark", "Light text on dark backgrounds, easier on the eyes at night")):
            action = self._action(title, lambda _=False, k=key: theme.manager().set_preference(k),
                                  f"theme-{key}", tip=tip)
            action.setCheckable(True)
            action.setChecked(theme.manager().preference() == key)
            self.theme_actions.addAction(action)
            themes.addAction(action)
        self.view_menu = view

        examples = self._menu(bar, "E&xamples", "menu-examples")
        self.examples_menu = examples
        for category in categories():
            sub = self._menu(examples, category, f"menu-examples-{category}",
                             f"Worked examples: {category.lower()}")
            for example in (e for e in EXAMPLES if e.category == category):
                action = self._action(example.title, lambda _=False, e=example: self._load_example(e),
                                      f"example-{example.key}", tip=example.explanation)
                sub.addAction(action)

        help_menu = self._menu(bar, "&Help", "menu-help")
        help_menu.addAction(self._action("&User Guide", self.show_user_guide, "action-user-guide",
                                         QKeySequence.StandardKey.HelpContents,
                                         "How to type definitions, read the tree and its paths, forward and "
                                         "reverse mode, and the training plots (F1)"))
        help_menu.addAction(self._action("&Keyboard Shortcuts", self.show_shortcuts, "action-shortcuts",
                                         QKeySequence("Ctrl+/"), "Every keyboard shortcut of the app (Ctrl+/)"))
        help_menu.addAction(self._action("Show the &Welcome Note", lambda: self.examples_hint.show_now(),
                                         "action-welcome", tip="The note that points new users at the Examples menu"))
        help_menu.addSeparator()
        help_menu.addAction(self._action("&About Chain Rule Explorer", self.show_about, "action-about",
                                         tip="Version, and the versions of Python, Qt, NumPy, SymPy and the rest"))

    def _set_edit_available(self, action: QAction | None = None, available: bool = False) -> None:
        if action is not None:
            self._undo_redo[action] = available
        expression = self.tabs.currentWidget() is self.expression_mode
        for each, on in self._undo_redo.items():
            each.setEnabled(on and expression)

    def _menu(self, parent, title: str, name: str, tip: str = ""):
        """A menu whose entries show their tool tips (each says what it does)."""
        menu = parent.addMenu(title)
        menu.setObjectName(name)
        menu.setToolTipsVisible(True)
        if tip:
            menu.menuAction().setToolTip(tip)
        return menu

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = self.document.recent_files()
        for path in files:
            self.recent_menu.addAction(self._action(Path(path).name, lambda _=False, p=path: self._open_recent(p),
                                                    "action-recent", tip=path))
        self.recent_menu.setEnabled(bool(files))

    # -- documents -----------------------------------------------------------------------------
    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.title()}[*] — Chain Rule Explorer")
        self.setWindowModified(self.document.is_modified())

    def _default_session(self) -> Session:
        """The default example, drawn the way the user last preferred."""
        return replace(DEFAULT_SESSION,
                       diagram=stored_settings.read_choice("preferences/diagram", VIEWS, DEFAULT_SESSION.diagram),
                       labels=stored_settings.read_choice("preferences/labels", LABEL_MODES, DEFAULT_SESSION.labels))

    def _restore_last_session(self) -> bool:
        """Show what the last clean exit left: its file as saved now, or untitled work."""
        found = SessionDocument.last_session()
        if found is None:
            return False
        session, path = found
        if path is not None:
            try:
                session = self.document.open(path)
            except ChainRuleError:
                pass  # moved or broken since: the copy kept at the last exit, untitled
        self._show_clean(session)
        return True

    def _show_clean(self, session: Session) -> None:
        """Show ``session`` as the unmodified document (clean once its snapshot is built,
        because building fills in defaults such as the chosen output)."""
        self.expression_mode.apply_session(session)
        self.document.mark_clean(self.expression_mode.current_session())
        self._clean_after_build = True

    def _on_snapshot_shown(self, _snapshot) -> None:
        if self._clean_after_build:
            self._clean_after_build = False
            self.document.mark_clean(self.expression_mode.current_session())
        else:
            self._update_title()

    def _confirm_discard(self) -> bool:
        """True if it is fine to replace the current work (saved, or the user agreed)."""
        if not self.document.is_modified():
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", f"Save the changes to {self.document.title()}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_session(self) -> None:
        if self._confirm_discard():
            self.document.new()
            self._show_clean(self._default_session())

    def _open_dialog(self) -> None:
        if not self._confirm_discard():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open session", self._last_folder(), SESSION_FILTER)
        if path:
            self.open_session(path, confirm=False)

    def _network_current(self) -> bool:
        return self.tabs.current_page() is self.network_page

    def _open_for_mode(self) -> None:
        """File ▸ Open: a model in the Network tab, a session anywhere else."""
        if self._network_current():
            self.network_mode.open_model()
        else:
            self._open_dialog()

    def _save_for_mode(self) -> None:
        if self._network_current():
            self.network_mode.save_model()
        else:
            self.save()

    def _save_as_for_mode(self) -> None:
        """File ▸ Save As, per tab like Open and Save (a model is always saved to a chosen file)."""
        if self._network_current():
            self.network_mode.save_model()
        else:
            self.save_as()

    def open_session(self, path: str, confirm: bool = True) -> bool:
        if confirm and not self._confirm_discard():
            return False
        try:
            session = self.document.open(path)
        except ChainRuleError as exc:  # the open work stays as it is
            QMessageBox.warning(self, "Cannot open session", f"{Path(path).name}: {exc}")
            return False
        self._show_clean(session)
        if session.text_error:
            self.statusBar().showMessage(f"Opened with a mistake in the text: {session.text_error}", 10000)
        return True

    def _open_recent(self, path: str) -> bool:
        """File ▸ Open Recent: a file moved or deleted since leaves the list (else it would fail
        the same way every time it is chosen)."""
        if not Path(path).is_file():
            QMessageBox.warning(self, "Cannot open session",
                                f"{path} no longer exists (moved, renamed or deleted), so it has been removed "
                                "from File ▸ Open Recent. Use File ▸ Open to find it.")
            self.document.forget_recent(path)
            return False
        return self.open_session(path)

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save session", self._suggested_path(".json"),
                                              SESSION_FILTER)
        if not path:
            return False
        if not path.lower().endswith(".json"):
            path += ".json"
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except OSError as exc:
            QMessageBox.warning(self, "Cannot save", f"{path}: {exc.strerror or exc}. "
                                "Choose another folder with File ▸ Save As.")
            return False
        self.document.discard_autosave()
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def _last_folder(self) -> str:
        if self.document.path is not None:
            return str(self.document.path.parent)
        recent = self.document.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def _suggested_path(self, suffix: str) -> str:
        stem = self.document.path.stem if self.document.path else "chain-rule"
        return str(Path(self._last_folder()) / f"{stem}{suffix}")

    # -- exports -------------------------------------------------------------------------------
    def export_latex(self, path: str | None = None) -> bool:
        from chainrule_gui.core.output.latex import derivation_latex, latex_document

        snapshot = self.expression_mode.snapshot
        if snapshot is None or snapshot.derivation is None:
            QMessageBox.information(self, "Nothing to export", self._why_nothing_to_export(snapshot, "LaTeX"))
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export LaTeX", self._suggested_path(".tex"),
                                                  "LaTeX (*.tex)")
            if not path:
                return False
        body = derivation_latex(snapshot.graph, snapshot.derivation)
        return self._write_export(path, latex_document(body, f"d{snapshot.of}/d{snapshot.wrt}"))

    def export_numpy(self, path: str | None = None) -> bool:
        from chainrule_gui.core.output.export_numpy import gradient_module

        snapshot = self.expression_mode.snapshot
        if snapshot is None or snapshot.of is None or snapshot.is_implicit:
            QMessageBox.information(self, "Nothing to export", self._why_nothing_to_export(snapshot, "NumPy"))
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export gradient", self._suggested_path("_gradient.py"),
                                                  "Python (*.py)")
            if not path:
                return False
        return self._write_export(path, gradient_module(snapshot.graph, snapshot.of, snapshot.point))

    @staticmethod
    def _why_nothing_to_export(snapshot, kind: str) -> str:
        """What keeps the derivation from being exported, and what to do about it."""
        if snapshot is not None and snapshot.is_implicit:
            return (f"The {kind} export writes the derivative of an output defined as name = expression; "
                    "an implicit relation such as x^2 + y^2 = 1 is shown in the Implicit tab but cannot "
                    "be exported yet.")
        if snapshot is not None and snapshot.of is not None and snapshot.error is not None:
            return (f"The derivative cannot be computed at this point ({snapshot.error}). Move the point "
                    "with the sliders (or Edit ranges) and export again.")
        return ("There is no derivative to export yet: type definitions with an output and an input, "
                "for example z = x^2 + y; x = t^2; y = sin(t).")

    def _write_export(self, path: str, text: str) -> bool:
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            QMessageBox.warning(self, "Cannot export", f"{path}: {exc.strerror or exc}")
            return False
        mode = self.expression_mode
        if mode.snapshot is not None and mode.snapshot.text != mode.editor.toPlainText():
            # The (greyed) result on screen is what was exported, not the text as typed now.
            why = ("the text as typed now has a mistake (see the line under the editor)" if mode.error_strip.text()
                   else "what was typed since is still being read")
            self.statusBar().showMessage(f"Exported {path} from the last definitions that read; {why}", 10000)
        else:
            self.statusBar().showMessage(f"Exported {path}", 4000)
        return True

    # -- examples, recovery, about ---------------------------------------------------------------
    def _load_example(self, example) -> None:
        self.examples_hint.dismiss()
        self.tabs.setCurrentWidget(self.expression_mode)
        self.expression_mode.load_example(example)

    def _offer_recovery(self) -> None:
        """After a crash: offer back what each run that did not close normally autosaved."""
        for folder in AutosaveFolder.left_by_crashes():
            self._offer_crashed(folder)

    def _offer_crashed(self, folder: AutosaveFolder) -> None:
        """Offer one crashed run's session and network (each read on its own: one damaged
        file never hides the other); a damaged file is kept aside, renamed, and said."""
        from chainrule_gui.gui.network.autosave import AUTOSAVE_NAME as NETWORK_NAME
        from chainrule_gui.gui.network.autosave import read_recovered_network

        found, damaged = {}, []
        for name, what, read in ((AUTOSAVE_NAME, "the expression session", read_recovered_session),
                                 (NETWORK_NAME, "the network", read_recovered_network)):
            path = folder.file(name)
            if not path.exists():
                continue
            try:
                found[name] = read(path)
            except (ChainRuleError, OSError) as exc:  # the loaders let out nothing else
                kept = folder.keep_damaged(name)
                damaged.append(f"The autosave of {what} could not be read ({exc}); "
                               + (f"it was kept as {kept}." if kept else f"it is still at {path}."))
        if AUTOSAVE_NAME in found and found[AUTOSAVE_NAME] == self.expression_mode.current_session():
            del found[AUTOSAVE_NAME]  # what is on screen already
        if not found:
            if damaged:
                QMessageBox.warning(self, "Autosave damaged", "Chain Rule Explorer did not close normally. "
                                    + " ".join(damaged))
            folder.release()  # what could not be read is kept aside
            return
        parts = []
        if AUTOSAVE_NAME in found:
            parts.append("the expression session")
        if NETWORK_NAME in found:
            network, meta = found[NETWORK_NAME]
            step = meta.get("step", 0)
            sizes = "-".join(map(str, network.sizes))
            parts.append(f"the {sizes} network" + (f" trained for {step:,} steps" if step else ""))
        when = max(folder.file(name).stat().st_mtime for name in found)
        answer = QMessageBox.question(
            self, "Restore unsaved work?",
            f"Chain Rule Explorer did not close normally. Restore {' and '.join(parts)}, autosaved "
            f"{describe_age(when)}?" + ("\n\n" + " ".join(damaged) if damaged else ""),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        if answer == QMessageBox.StandardButton.Yes:
            self._restore_crashed(folder, found)
        folder.release()

    def _restore_crashed(self, folder: AutosaveFolder, found: dict) -> None:
        from chainrule_gui.gui.network.autosave import AUTOSAVE_NAME as NETWORK_NAME

        # The recovered files become this run's autosave at once: a second crash before the
        # next autosave must not lose them.
        if self.autosave_folder is not None:
            for name in found:
                try:
                    shutil.copy2(folder.file(name), self.autosave_folder.file(name))
                except OSError:
                    pass
        session = found.get(AUTOSAVE_NAME)
        if session is not None:
            # Recovered work is unsaved work, even if its snapshot arrives before the one of
            # the session shown first (which would otherwise mark it clean).
            self._clean_after_build = False
            self.expression_mode.apply_session(session)
            self.document.note_change()
            if session.text_error:
                self.statusBar().showMessage(f"Restored with a mistake in the text: {session.text_error}", 10000)
        if NETWORK_NAME in found and not self.network_mode.restore(*found[NETWORK_NAME]):
            self.statusBar().showMessage("The autosaved network no longer fits its data; it was not restored.",
                                         10000)

    # -- help ------------------------------------------------------------------------------------
    def _help_window(self, name: str, make):
        """One instance of each help window, raised again when asked for again."""
        window = self._help_windows.get(name)
        if window is None:
            window = self._help_windows[name] = make()
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def show_user_guide(self):
        from chainrule_gui.gui.help import UserGuide

        return self._help_window("guide", lambda: UserGuide(self))

    def show_shortcuts(self):
        from chainrule_gui.gui.help import ShortcutSheet

        self.network_mode  # noqa: B018 - made now, so its keys are listed too
        sheet = self._help_window("shortcuts", lambda: ShortcutSheet(self, self))
        sheet.refresh()  # what the actions say now
        return sheet

    def show_about(self):
        from chainrule_gui.gui.help import AboutDialog

        return self._help_window("about", lambda: AboutDialog(self))

    def showEvent(self, event):  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._hint_checked:
            self._hint_checked = True
            startup.defer(self.examples_hint.show_once)

    # -- settings -------------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        # Each is checked first: a bad value in the settings file must never stop the start.
        geometry = stored_settings.read_bytes("mainwindow/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = stored_settings.read_bytes("mainwindow/state")
        if state is not None:
            self.restoreState(state, SETTINGS_VERSION)
        sizes = stored_settings.read_bytes("expression/splitter")
        if sizes is not None:
            self.expression_mode.splitter.restoreState(sizes)

    def _confirm_network_discard(self) -> bool:
        """True if the Network tab's trained weights are saved, or the user lets them go."""
        if self.network_page.content is None or not self.network_mode.has_unsaved_training():
            return True  # a tab never shown has trained nothing
        answer = QMessageBox.question(
            self, "Unsaved network", "The network has been trained since it was last saved. "
            "Save the trained model?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            self.tabs.setCurrentWidget(self.network_mode)
            return self.network_mode.save_model() is not None
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event):  # noqa: N802 - Qt override
        if not self._confirm_discard() or not self._confirm_network_discard():
            event.ignore()
            return
        settings = QSettings()
        settings.setValue("mainwindow/geometry", self.saveGeometry())
        settings.setValue("mainwindow/state", self.saveState(SETTINGS_VERSION))
        settings.setValue("expression/splitter", self.expression_mode.splitter.saveState())
        settings.setValue("preferences/diagram", self.expression_mode.diagram.view)
        settings.setValue("preferences/labels", self.expression_mode.diagram.label_mode)
        self.document.remember_last_session()
        self.document.discard_autosave()
        if self.network_page.content is not None:
            self.network_page.content.autosave.discard()
        if self.autosave_folder is not None:  # a clean exit: nothing to recover
            self.autosave_folder.release()
        self.expression_mode.shutdown()
        if self.network_page.content is not None:
            self.network_page.content.shutdown()
        super().closeEvent(event)
