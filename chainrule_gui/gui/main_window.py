"""The main window: one tab per mode, menus, and remembered geometry."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget

from chainrule_gui import __version__
from chainrule_gui.gui.expression.mode import DEFAULT_TEXT, ExpressionMode

SETTINGS_VERSION = 1


class MainWindow(QMainWindow):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.setWindowTitle("Chain Rule Explorer")
        self.tabs = QTabWidget(objectName="modeTabs")
        self.expression_mode = ExpressionMode()
        self.tabs.addTab(self.expression_mode, "Expression")
        from chainrule_gui.gui.network.mode import NetworkMode

        self.network_mode = NetworkMode()
        self.tabs.addTab(self.network_mode, "Network")
        self.setCentralWidget(self.tabs)
        self._setup_menus()
        self.resize(1280, 800)
        self._restore_settings()
        self.expression_mode.set_text(DEFAULT_TEXT)

    def _setup_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, objectName="action-quit")
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        edit = bar.addMenu("&Edit")
        editor = self.expression_mode.editor
        undo = QAction("&Undo", self, shortcut=QKeySequence.StandardKey.Undo, objectName="action-undo")
        undo.triggered.connect(editor.undo)
        editor.undoAvailable.connect(undo.setEnabled)
        redo = QAction("&Redo", self, shortcut=QKeySequence.StandardKey.Redo, objectName="action-redo")
        redo.triggered.connect(editor.redo)
        editor.redoAvailable.connect(redo.setEnabled)
        undo.setEnabled(False)
        redo.setEnabled(False)
        edit.addActions([undo, redo])
        view = bar.addMenu("&View")
        view.addActions(self.expression_mode.view_actions.actions())
        view.addAction(self.expression_mode.fit_action)
        help_menu = bar.addMenu("&Help")
        about = QAction("&About Chain Rule Explorer", self, objectName="action-about")
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def _about(self) -> None:
        QMessageBox.about(self, "About Chain Rule Explorer",
                          f"<b>Chain Rule Explorer</b> {__version__}<br>"
                          "See how derivatives flow through compositions.")

    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("mainwindow/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.value("mainwindow/state")
        if state is not None:
            self.restoreState(state, SETTINGS_VERSION)
        sizes = settings.value("expression/splitter")
        if sizes is not None:
            self.expression_mode.splitter.restoreState(sizes)

    def closeEvent(self, event):  # noqa: N802 - Qt override
        settings = QSettings()
        settings.setValue("mainwindow/geometry", self.saveGeometry())
        settings.setValue("mainwindow/state", self.saveState(SETTINGS_VERSION))
        settings.setValue("expression/splitter", self.expression_mode.splitter.saveState())
        self.expression_mode.shutdown()
        self.network_mode.shutdown()
        super().closeEvent(event)
