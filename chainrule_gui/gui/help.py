"""The Help menu's windows: the user guide, the keyboard-shortcut sheet and the About box.

The guide is ``resources/help/user-guide.md`` rendered by Qt's Markdown support.  The
shortcut sheet is generated from the window's own actions (and the few keys widgets
answer themselves), so it lists exactly what works.  The About box reads versions from
the installed packages' metadata without importing them.
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui import __version__
from chainrule_gui.gui.resources import resource_path

#: Where an action lives, by the object name of its nearest named ancestor.
SECTIONS = {
    "treeDiagram": "Diagram",
    "stepThroughBar": "Step-through",
    "functionPlotPanel": "Plot tab",
    "expressionMode": "Expression mode",
    "networkMode": "Network mode",
    "MainWindow": "Window",
}
#: Distributions shown in the About box, with the module to ask when metadata is missing
#: (a bundled app may not carry it).
COMPONENTS = (
    ("PySide6", "PySide6-Essentials", "PySide6"),
    ("NumPy", "numpy", "numpy"),
    ("SymPy", "sympy", "sympy"),
    ("networkx", "networkx", "networkx"),
    ("pyqtgraph", "pyqtgraph", "pyqtgraph"),
    ("matplotlib", "matplotlib", "matplotlib"),
    ("jsonschema", "jsonschema", "jsonschema"),
)


# -- user guide ---------------------------------------------------------------------------------
class UserGuide(QDialog):
    """The guide in a window of its own, which can stay open beside the app."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("userGuide")
        self.setWindowTitle("Chain Rule Explorer — User Guide")
        self.browser = QTextBrowser(objectName="userGuideText")
        self.browser.setOpenExternalLinks(True)
        self.browser.document().setDocumentMargin(18)  # prose needs air around it
        font = self.browser.font()
        font.setPointSizeF(font.pointSizeF() + 1)
        self.browser.setFont(font)
        path = resource_path("help", "user-guide.md")
        if path is not None:
            self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        else:
            self.browser.setPlainText("The user guide is missing from this installation "
                                      "(resources/help/user-guide.md). Reinstall the app to get it back.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close the guide (Esc)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(760, 680)


# -- keyboard shortcuts ---------------------------------------------------------------------------
def _plain(text: str) -> str:
    """Menu text without its mnemonic ampersand or trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def _section(obj, menu_paths: dict) -> str:
    if id(obj) in menu_paths:
        return menu_paths[id(obj)]
    node = obj.parent()
    while node is not None:
        name = node.objectName()
        if name in SECTIONS:
            return SECTIONS[name]
        node = node.parent()
    return "Window"


def _menu_paths(window) -> dict[int, str]:
    """``id(action)`` → "File", "View", … for the actions of the menu bar (first menu wins)."""
    paths: dict[int, str] = {}

    def walk(menu: QMenu, title: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), title)
            else:
                paths.setdefault(id(action), title)

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), f"{_plain(top.text())} menu")
    return paths


def shortcut_rows(window) -> list[tuple[str, str, str]]:
    """(section, what it does, keys) for every shortcut of ``window`` and its widgets.

    Actions of the menu bar are listed under their menu; others under the part of the
    window they belong to.  Keys a widget answers itself (``KEY_HELP`` on its class) are
    included; duplicates (one action in a menu and a tool bar) appear once.
    """
    menu_paths = _menu_paths(window)
    rows: dict[tuple[str, str], tuple[str, str, str]] = {}
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        if not keys:
            continue
        what = _plain(action.text()) or _plain(action.toolTip().split(" (")[0])
        rows[(what, keys[0])] = (_section(action, menu_paths), what, ", ".join(keys))
    for button in window.findChildren(QAbstractButton):
        key = button.shortcut()
        if not key.isEmpty() and not button.text().count("&"):
            what = _plain(button.text()) or _plain(button.toolTip())
            keys = key.toString(QKeySequence.SequenceFormat.NativeText)
            rows[(what, keys)] = (_section(button, {}), what, keys)
    seen_classes = set()
    for widget in [window, *window.findChildren(QWidget)]:
        help_rows = getattr(type(widget), "KEY_HELP", None)
        if help_rows and type(widget) not in seen_classes:
            seen_classes.add(type(widget))
            section = SECTIONS.get(widget.objectName(), _section(widget, {}))
            for keys, what in help_rows:
                rows[(what, keys)] = (section, what, keys)
    order = [f"{_plain(a.text())} menu" for a in window.menuBar().actions()] + list(SECTIONS.values())
    return sorted(rows.values(), key=lambda r: (order.index(r[0]) if r[0] in order else len(order), r[0]))


class ShortcutSheet(QDialog):
    """Every keyboard shortcut, generated from the actions (``shortcutSheet``)."""

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.setObjectName("shortcutSheet")
        self.setWindowTitle("Keyboard Shortcuts")
        self.filter = QLineEdit(objectName="shortcutFilter", placeholderText="Type to filter…")
        self.filter.setToolTip("Show only the shortcuts whose description, keys or place contain this text")
        self.filter.setClearButtonEnabled(True)
        self.table = QTableWidget(0, 3, objectName="shortcutTable")
        self.table.setHorizontalHeaderLabels(["Where", "What", "Keys"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close this list (Esc)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.filter.textChanged.connect(self._apply_filter)
        self._window = window
        self.rows: list[tuple[str, str, str]] = []
        self.refresh()
        self.resize(640, 620)

    def refresh(self) -> None:
        """List the shortcuts as the actions have them now."""
        self.rows = shortcut_rows(self._window)
        self._fill()
        self._apply_filter(self.filter.text())

    def _fill(self) -> None:
        self.table.setRowCount(len(self.rows))
        for row, cells in enumerate(self.rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row, cells in enumerate(self.rows):
            self.table.setRowHidden(row, bool(needle) and not any(needle in c.lower() for c in cells))


# -- about ----------------------------------------------------------------------------------------
def component_versions() -> list[tuple[str, str]]:
    """(name, version) of the app, Python, Qt and each library, without importing them."""
    versions = [("Chain Rule Explorer", __version__),
                ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
                ("Qt", qVersion())]
    for title, distribution, module in COMPONENTS:
        try:
            version = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            version = _module_version(module)
        versions.append((title, version))
    return versions


def _module_version(module: str) -> str:
    if module in sys.modules:
        return getattr(sys.modules[module], "__version__", "unknown")
    try:
        imported = __import__(module)
    except ImportError:
        return "not installed"
    return getattr(imported, "__version__", "unknown")


class AboutDialog(QDialog):
    """What this is, and the versions of everything it runs on (``aboutDialog``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle("About Chain Rule Explorer")
        self.versions = component_versions()
        title = QLabel(f"<h2>Chain Rule Explorer {__version__}</h2>"
                       "<p>See how derivatives flow through compositions: the dependency tree, "
                       "the local partial on every edge, every path and its product, checked by "
                       "reverse mode, forward mode, SymPy and finite differences — and the same "
                       "chain rule training a neural network.</p>")
        title.setWordWrap(True)
        table = "".join(f"<tr><td>{name}</td><td>&nbsp;&nbsp;<b>{version}</b></td></tr>"
                        for name, version in self.versions[1:])
        details = QLabel(f"<table>{table}</table><p>{platform.platform()}</p>", objectName="aboutVersions")
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy Versions", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setObjectName("copyVersions")
        copy.setToolTip("Copy these versions as text, e.g. for a bug report")
        copy.clicked.connect(self.copy_versions)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close (Esc)")
        buttons.rejected.connect(self.close)
        icon = QLabel(objectName="aboutIcon")
        app_icon = QGuiApplication.windowIcon()
        if not app_icon.isNull():
            icon.setPixmap(app_icon.pixmap(64, 64))
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(title, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(details)
        layout.addWidget(buttons)
        self.setMinimumWidth(500)

    def text(self) -> str:
        return "\n".join(f"{name}: {version}" for name, version in self.versions) + f"\n{platform.platform()}"

    def copy_versions(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
