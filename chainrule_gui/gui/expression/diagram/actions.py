"""The diagram's actions: edge-label mode, zoom, restore cuts, and the export dialogs.

Made here and stored on the view, so the mode's tool bar, the main window's File ▸
Export menu and the diagram's own context menu all share the same actions.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QToolButton

from chainrule_gui.gui.expression.diagram import export
from chainrule_gui.gui.expression.diagram.drawing import LABEL_MODES

LABEL_MODE_TITLES = {
    "both": "Labels: both",
    "symbolic": "Labels: formula",
    "numeric": "Labels: value",
}


def make_actions(view) -> None:
    """Create the diagram's actions as attributes of ``view`` (a TreeDiagram).

    The label-mode group, Ctrl+L, zoom, restore-all-cuts and the two exports; the view
    keeps the ones with shortcuts so they work wherever the diagram is shown.
    """
    view.label_actions = QActionGroup(view)
    for mode in LABEL_MODES:
        action = QAction({"both": "Formula and value", "symbolic": "Formula only",
                          "numeric": "Value only"}[mode], view, checkable=True)
        action.setObjectName(f"labels_{mode}")
        action.setData(mode)
        action.setChecked(mode == "both")
        action.triggered.connect(lambda _=False, m=mode: view.set_label_mode(m))
        view.label_actions.addAction(action)
    view.cycle_labels_action = QAction("Cycle Edge Labels", view, objectName="action-cycle-labels",
                                       shortcut=QKeySequence("Ctrl+L"))
    view.cycle_labels_action.setToolTip("Edge labels: formula and value → formula → value (Ctrl+L)")
    view.cycle_labels_action.triggered.connect(view.cycle_label_mode)
    view.label_button = QToolButton(objectName="labelModeButton")
    view.label_button.setText(LABEL_MODE_TITLES["both"])
    view.label_button.setToolTip("What each edge shows: its local partial typeset (formula), its "
                                 "value at the point, or both. Ctrl+L cycles.")
    view.label_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(view.label_button)
    menu.addActions(view.label_actions.actions())
    menu.addSeparator()
    menu.addAction(view.cycle_labels_action)
    view.label_button.setMenu(menu)

    view.zoom_in_action = QAction("Zoom In", view, objectName="action-zoom-in",
                                  shortcut=QKeySequence.StandardKey.ZoomIn)
    view.zoom_in_action.setIconText("Zoom +")
    view.zoom_in_action.setToolTip("Zoom into the diagram (Ctrl++, or + and the wheel over it)")
    view.zoom_in_action.triggered.connect(view.zoom_in)
    view.zoom_out_action = QAction("Zoom Out", view, objectName="action-zoom-out",
                                   shortcut=QKeySequence.StandardKey.ZoomOut)
    view.zoom_out_action.setIconText("Zoom −")
    view.zoom_out_action.setToolTip("Zoom out of the diagram (Ctrl+−, or − and the wheel over it)")
    view.zoom_out_action.triggered.connect(view.zoom_out)
    view.restore_cuts_action = QAction("Restore All Cuts", view, objectName="action-restore-cuts",
                                       shortcut=QKeySequence("Ctrl+Shift+R"))
    view.restore_cuts_action.setIconText("Restore cuts")
    view.restore_cuts_action.setToolTip("Put every cut edge back (Ctrl+Shift+R)")
    view.restore_cuts_action.setEnabled(False)
    view.restore_cuts_action.triggered.connect(view.restore_cuts_requested)

    view.export_png_action = QAction("Export Diagram as PNG…", view, objectName="action-export-diagram-png")
    view.export_png_action.setToolTip("Save the whole diagram as a PNG image at twice screen resolution")
    view.export_png_action.triggered.connect(lambda: export_dialog(view, "png"))
    view.export_svg_action = QAction("Export Diagram as SVG…", view, objectName="action-export-diagram-svg")
    view.export_svg_action.setToolTip("Save the whole diagram as an SVG drawing (names stay text)")
    view.export_svg_action.triggered.connect(lambda: export_dialog(view, "svg"))
    view.export_actions = [view.export_png_action, view.export_svg_action]
    view.addActions([view.cycle_labels_action, view.zoom_in_action, view.zoom_out_action,
                     view.restore_cuts_action])

def export_dialog(view, kind: str) -> None:
    """Ask where to save, then export ``view`` as ``kind`` ("png" or "svg")."""
    if view.drawing is None:
        QMessageBox.information(view, "Nothing to export", "Type a definition first; then its diagram "
                                "can be exported.")
        return
    title = {"png": "Export diagram as PNG", "svg": "Export diagram as SVG"}[kind]
    filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}[kind]
    name = f"chain-rule-{view.view}.{kind}"
    # Next to the session and the other exports when the window says where that is.
    folder = view.export_folder() if callable(getattr(view, "export_folder", None)) else Path.home()
    path, _ = QFileDialog.getSaveFileName(view, title, str(Path(folder) / name), filters)
    if not path:
        return
    if not path.lower().endswith(f".{kind}"):
        path += f".{kind}"
    try:
        (view.export_png if kind == "png" else view.export_svg)(path)
    except export.ExportError as exc:
        QMessageBox.warning(view, "Export failed", str(exc))
