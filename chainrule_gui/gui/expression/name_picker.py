"""A row of toggle buttons for choosing several names (outputs, inputs, intermediates)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

# Chosen names must stand out from the rest at a glance (Okabe–Ito blue).
CHOSEN_STYLE = "QToolButton:checked { background: #0072b2; color: white; border: 1px solid #005a8c; " \
               "border-radius: 3px; padding: 1px 5px; } QToolButton { padding: 1px 5px; }"


class NamePicker(QWidget):
    """``changed`` carries the chosen names in the order they were offered."""

    changed = Signal(tuple)

    def __init__(self, title: str, tooltip: str, minimum: int = 1, parent=None):
        super().__init__(parent)
        self.minimum = minimum
        self._tooltip = tooltip
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        label = QLabel(title)
        label.setToolTip(tooltip)
        self._layout.addWidget(label)
        self._layout.addStretch(1)
        self.buttons: dict[str, QToolButton] = {}

    def set_names(self, names, chosen) -> None:
        """Offer ``names`` with ``chosen`` pressed; does not emit ``changed``."""
        names = list(names)
        chosen = set(chosen)
        if list(self.buttons) != names:
            for button in self.buttons.values():
                self._layout.removeWidget(button)
                button.deleteLater()
            self.buttons = {}
            for index, name in enumerate(names):
                button = QToolButton(text=name, checkable=True, objectName=f"pick_{name}")
                button.setStyleSheet(CHOSEN_STYLE)
                button.setToolTip(f"{self._tooltip}: click to include or leave out {name}")
                button.toggled.connect(lambda on, n=name: self._on_toggled(n, on))
                self._layout.insertWidget(1 + index, button)
                self.buttons[name] = button
        for name, button in self.buttons.items():
            button.blockSignals(True)
            button.setChecked(name in chosen)
            button.blockSignals(False)

    def chosen(self) -> tuple[str, ...]:
        return tuple(n for n, b in self.buttons.items() if b.isChecked())

    def _on_toggled(self, name: str, on: bool) -> None:
        if not on and len(self.chosen()) < self.minimum:
            button = self.buttons[name]
            button.blockSignals(True)
            button.setChecked(True)  # keep at least ``minimum`` chosen
            button.blockSignals(False)
            return
        self.changed.emit(self.chosen())
