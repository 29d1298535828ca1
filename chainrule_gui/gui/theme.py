"""Light and dark themes: the application palette and the colours our own drawing uses.

The preference is System (follow the desktop: ``QStyleHints.colorScheme()`` and its change
signal), Light or Dark, remembered in QSettings (View ▸ Theme).  Qt widgets take their
colours from the application palette; what we paint ourselves — the diagram, the plots,
notes and banners — asks :func:`current` for a :class:`Theme` and repaints when
:func:`follow` reports a change.  Paths and layers keep the Okabe–Ito colour-blind-safe
palette in both themes; only its black becomes light grey on a dark background.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette

PREFERENCES = ("system", "light", "dark")
SETTINGS_KEY = "appearance/theme"

OKABE_ITO = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000")


@dataclass(frozen=True)
class Theme:
    """Named colours (``#rrggbb`` strings, or ``rgba(...)`` where a note is see-through)."""

    name: str
    dark: bool
    ink: str  # text we draw ourselves
    muted: str  # secondary text
    error: str  # a mistake in red, readable on the window colour
    note_bg: str  # information (the example's note)
    note_border: str
    warn_bg: str  # something to look at (pending changes, a diagnosis)
    warn_border: str
    bad_bg: str  # training stopped
    bad_border: str
    good_bg: str
    good_border: str
    good_ink: str
    quiet_bg: str  # nothing to report yet
    quiet_border: str
    quiet_ink: str
    canvas: str  # behind the diagrams
    paper: str  # behind plots
    node_border: str
    edge: str
    faded: tuple[int, int, int, int]
    fills: dict = field(default_factory=dict)  # node kind → fill
    label_bg: str = "#ffffff"
    value_ink: str = "#0b3d66"
    adjoint_ink: str = "#0072b2"
    tangent_ink: str = "#009e73"
    callout_bg: str = "#fff6ef"
    fault_fill: str = "#fbe1d0"  # behind a value or slope that cannot be computed at the point
    fault_ink: str = "#8a2c00"  # the reason written next to it
    banner_bg: str = "rgba(255, 246, 239, 235)"
    overlay: tuple[int, int, int, int] = (255, 255, 255, 150)  # greys a stale diagram
    plot_axis: str = "#6e6e6e"
    plot_text: str = "#333333"
    legend_bg: tuple[int, int, int, int] = (255, 255, 255, 210)
    selected_bg: str = "#fff1c9"
    neuron_fill: str = "#ffffff"
    neuron_frozen: str = "#e6e6e6"
    neuron_border: str = "#333333"
    derivative_axis: str = "#b07800"
    value_axis: str = "#0072b2"  # the function plot's left-axis label (the value curve's blue)
    syntax: dict = field(default_factory=dict)

    @property
    def series(self) -> tuple[str, ...]:
        """Okabe–Ito for curves and classes; black turns light grey on a dark background."""
        return OKABE_ITO[:-1] + (("#d0d0d0",) if self.dark else ("#000000",))

    def qcolor(self, name: str) -> QColor:
        value = getattr(self, name)
        return QColor(*value) if isinstance(value, tuple) else QColor(value)


LIGHT = Theme(
    name="light", dark=False, ink="#1b1b1b", muted="#666666", error="#b00020",
    note_bg="#eef5fb", note_border="#b8d4ea", warn_bg="#fff4d6", warn_border="#e69f00",
    bad_bg="#fde7e9", bad_border="#b00020", good_bg="#eef6ee", good_border="#9cc59c", good_ink="#305030",
    quiet_bg="#f4f4f4", quiet_border="#cccccc", quiet_ink="#444444",
    canvas="#fcfcfc", paper="#ffffff", node_border="#555555", edge="#8a8a8a", faded=(170, 170, 170, 150),
    fills={"output": "#fde3b0", "relation": "#f4d7e7", "input": "#d3eaf8", "intermediate": "#f1f1f1",
           "variable": "#f1f1f1", "op": "#ffffff", "const": "#e6e6e6", "more": "#fafafa"},
    syntax={"function": "#005cc5", "constant": "#6f42c1", "number": "#b35900", "op": "#666666",
            "comment": "#6a737d", "defined": "#22863a", "input": "#24292e", "mistake": "#d73a49"},
)

DARK = Theme(
    name="dark", dark=True, ink="#e8e8e8", muted="#a8a8a8", error="#ff7083",
    note_bg="#1d3244", note_border="#3f6d92", warn_bg="#3b3120", warn_border="#e69f00",
    bad_bg="#46232b", bad_border="#ff7083", good_bg="#1f3323", good_border="#4f7f55", good_ink="#b0dcb0",
    quiet_bg="#2d2d2d", quiet_border="#4a4a4a", quiet_ink="#c4c4c4",
    canvas="#1c1c1c", paper="#1c1c1c", node_border="#a8a8a8", edge="#8c8c8c", faded=(120, 120, 120, 150),
    fills={"output": "#5b4314", "relation": "#4e3344", "input": "#1b3c55", "intermediate": "#333333",
           "variable": "#333333", "op": "#292929", "const": "#3b3b3b", "more": "#292929"},
    label_bg="#262626", value_ink="#9fcdf0", adjoint_ink="#56b4e9", tangent_ink="#2ec49a",
    callout_bg="#3a2a1e", fault_fill="#5a2a14", fault_ink="#ffb48a", banner_bg="rgba(62, 40, 26, 235)",
    overlay=(28, 28, 28, 150),
    plot_axis="#9a9a9a", plot_text="#d4d4d4", legend_bg=(36, 36, 36, 215), selected_bg="#4a3e1c",
    neuron_fill="#2a2a2a", neuron_frozen="#454545", neuron_border="#cfcfcf", derivative_axis="#e69f00",
    value_axis="#56b4e9",
    syntax={"function": "#79b8ff", "constant": "#c4a7f5", "number": "#ffab70", "op": "#a8a8a8",
            "comment": "#8b949e", "defined": "#85e89d", "input": "#e8e8e8", "mistake": "#ff7083"},
)


def dark_palette() -> QPalette:
    """A dark palette for Fusion (and any style that honours the palette)."""
    p = QPalette()
    window, base, text = QColor("#2b2b2b"), QColor("#1f1f1f"), QColor("#e8e8e8")
    disabled = QColor("#7a7a7a")
    for role, color in ((QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
                        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, QColor("#272727")),
                        (QPalette.ColorRole.Text, text), (QPalette.ColorRole.Button, QColor("#353535")),
                        (QPalette.ColorRole.ButtonText, text), (QPalette.ColorRole.BrightText, QColor("#ffffff")),
                        (QPalette.ColorRole.Light, QColor("#4a4a4a")), (QPalette.ColorRole.Midlight, QColor("#3e3e3e")),
                        (QPalette.ColorRole.Mid, QColor("#303030")), (QPalette.ColorRole.Dark, QColor("#1a1a1a")),
                        (QPalette.ColorRole.Shadow, QColor("#000000")),
                        (QPalette.ColorRole.Highlight, QColor("#2f6ea5")),
                        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
                        (QPalette.ColorRole.Link, QColor("#56b4e9")),
                        (QPalette.ColorRole.LinkVisited, QColor("#cc79a7")),
                        (QPalette.ColorRole.ToolTipBase, QColor("#3a3a30")),
                        (QPalette.ColorRole.ToolTipText, QColor("#f0f0e8")),
                        (QPalette.ColorRole.PlaceholderText, QColor("#8a8a8a"))):
        p.setColor(role, color)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Base, QColor("#262626"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button, QColor("#2e2e2e"))
    return p


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class ThemeManager(QObject):
    """Applies the preferred theme to the application and announces changes."""

    changed = Signal(object)  # Theme

    def __init__(self):
        super().__init__()
        self.theme: Theme = LIGHT
        self._preference = "system"
        self._system_palette: QPalette | None = None
        self._connected = False
        self._requesting = False
        self._applied = False

    def preference(self) -> str:
        return self._preference

    def system_is_dark(self) -> bool:
        hints = QGuiApplication.styleHints()
        scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
        if scheme == Qt.ColorScheme.Dark:
            return True
        if scheme == Qt.ColorScheme.Light:
            return False
        return self._system_palette is not None and _is_dark(self._system_palette)

    def start(self) -> None:
        """Read the remembered preference, apply it, and follow the system from now on."""
        app = QGuiApplication.instance()
        if app is None:
            return
        if self._system_palette is None:
            self._system_palette = QPalette(app.palette())
        if not self._connected:
            self._connected = True
            hints = QGuiApplication.styleHints()
            if hasattr(hints, "colorSchemeChanged"):
                hints.colorSchemeChanged.connect(self._on_system_scheme)
        from chainrule_gui.gui.stored_settings import read_choice

        self.set_preference(read_choice(SETTINGS_KEY, PREFERENCES, "system"), remember=False)

    def set_preference(self, preference: str, remember: bool = True) -> None:
        if preference not in PREFERENCES:
            raise ValueError(f"unknown theme {preference!r}; choose one of {', '.join(PREFERENCES)}")
        self._preference = preference
        if remember:
            QSettings().setValue(SETTINGS_KEY, preference)
        self._request_scheme(preference)
        dark = self.system_is_dark() if preference == "system" else preference == "dark"
        self._apply(DARK if dark else LIGHT)

    def _request_scheme(self, preference: str) -> None:
        """Tell the platform too (Qt 6.8+), so native parts such as title bars follow."""
        hints = QGuiApplication.styleHints()
        if not hasattr(hints, "setColorScheme"):
            return
        self._requesting = True
        try:
            if preference == "system":
                hints.unsetColorScheme()
            else:
                hints.setColorScheme(Qt.ColorScheme.Dark if preference == "dark" else Qt.ColorScheme.Light)
        finally:
            self._requesting = False

    def _on_system_scheme(self, _scheme) -> None:
        if self._preference == "system" and not self._requesting:
            self._apply(DARK if self.system_is_dark() else LIGHT)

    def _apply(self, theme: Theme) -> None:
        app = QGuiApplication.instance()
        if app is None or (self._applied and theme == self.theme):
            return
        self._applied = True
        system = self._system_palette
        if system is not None and _is_dark(system) == theme.dark:
            palette = QPalette(system)  # the desktop's own palette already fits
        elif theme.dark:
            palette = dark_palette()
        else:
            from PySide6.QtWidgets import QStyleFactory

            fusion = QStyleFactory.create("Fusion")
            palette = fusion.standardPalette()
        if system is not None and _is_dark(system) != theme.dark:
            self._use_fusion(app)  # some native styles ignore a palette of the other kind
        app.setPalette(palette)
        changed = theme != self.theme
        self.theme = theme
        if changed:
            self.changed.emit(theme)

    @staticmethod
    def _use_fusion(app) -> None:
        style = getattr(app, "style", None)
        if style is not None and style().name().lower() != "fusion":
            app.setStyle("Fusion")


_manager: ThemeManager | None = None


def manager() -> ThemeManager:
    global _manager
    if _manager is None:
        _manager = ThemeManager()
    return _manager


def current() -> Theme:
    return manager().theme


class _Follower(QObject):
    """Calls ``apply(theme)`` on every change while its parent widget lives."""

    def __init__(self, parent: QObject, apply: Callable[[Theme], None]):
        super().__init__(parent)
        self._apply = apply
        manager().changed.connect(self.on_change)

    def on_change(self, theme: Theme) -> None:
        self._apply(theme)


def follow(widget: QObject, apply: Callable[[Theme], None], now: bool = True) -> None:
    """Style ``widget`` with ``apply(theme)`` now (unless ``now`` is False) and again after
    every theme change, for as long as ``widget`` exists."""
    _Follower(widget, apply)
    if now:
        apply(current())


def style_sheet(widget, template: Callable[[Theme], str]) -> None:
    """``widget.setStyleSheet(template(theme))`` now and after every theme change."""
    follow(widget, lambda theme: widget.setStyleSheet(template(theme)))


def style_plot(plot, legend=None, after: Callable[[Theme], None] | None = None) -> None:
    """A pyqtgraph PlotWidget (and its legend) in the theme's colours, now and on changes;
    ``after(theme)`` re-applies the plot's own colours (e.g. a coloured axis label)."""

    def apply(theme: Theme) -> None:
        plot.setBackground(theme.paper)
        item = plot.getPlotItem()
        for side in ("left", "bottom", "right", "top"):
            axis = item.getAxis(side)
            axis.setPen(theme.plot_axis)
            axis.setTextPen(theme.plot_text)
        if item.titleLabel is not None and item.titleLabel.text:
            item.setTitle(item.titleLabel.text, color=theme.plot_text)
        if legend is not None:
            legend.setBrush(QColor(*theme.legend_bg))
            legend.setLabelTextColor(theme.plot_text)
            for _sample, label in legend.items:  # (setLabelTextColor does not redraw existing labels)
                label.setText(label.text)
        if after is not None:
            after(theme)

    follow(plot, apply)
