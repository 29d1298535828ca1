#!/usr/bin/env python
"""Make the README's screenshots from the real application, so they stay current.

    .venv/bin/python packaging/screenshots.py                  # every shot → packaging/screenshots/
    .venv/bin/python packaging/screenshots.py --only network --out /tmp/shots --size 1440x900

The window is the one people use (``MainWindow``), driven the way a person drives it:
examples loaded, toolbar actions and tabs triggered, training started and paused with
the buttons.  It runs headless (``QT_QPA_PLATFORM=offscreen`` unless set), in Qt's test
mode with settings and data folders of its own in a temporary directory, so it neither
reads nor writes the user's preferences, last session or autosaves.  No dialog can pop
up: one that would is reported as a failure instead.

Every shot waits for what it shows to be ready (the snapshot built, labels typeset,
SymPy's check and simplification arrived, the view drawn, the training paused), never
for a fixed time; a timeout names what did not become ready.  One line per file
written; any failure (a timeout, an exception in a slot, a logged error, a wrong image
size) makes the exit status non-zero.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "screenshots"
DEFAULT_SIZE = (1280, 800)
#: Steps trained before the Network tab is shown: enough for the loss to have fallen, the
#: gradient norms to have a history and the spiral's decision boundary to have its shape.
NETWORK_STEPS = 600
NETWORK_PRESET = "spiral-relu"
#: The layer whose backprop equation is shown (as if clicked in the diagram).
NETWORK_LAYER = 1
#: Training speed (steps/s, one of the Speed menu's): the validation loss is measured with
#: each update the window draws, about twice a second here, so a run of a few seconds
#: gives it a curve rather than a straight line (and pausing lands near NETWORK_STEPS).
NETWORK_SPEED = 100.0
#: Simplification gets longer than in the app: a loaded machine must not leave "too slow
#: to simplify" in a README picture.
SIMPLIFY_TIMEOUT_S = 30.0
#: Qt's offscreen platform says this on every top-level resize; it is not a problem here.
QT_NOISE = ("propagateSizeHints",)


class ScreenshotError(Exception):
    """Something a shot needed did not happen; the message says what."""


# -- the shots -----------------------------------------------------------------------------
# Each takes the Shooter, puts the window in the state to show and waits until it is
# ready; the Shooter then grabs the window.  Names are fixed: the README links them.

def shot_expression(s: Shooter) -> None:
    """The default example with the tree, the path list, the result and the plot."""
    s.show_default_session()
    s.show_bottom_tab("functionPlotPanel")


def shot_expression_operations(s: Shooter) -> None:
    """The default example (from the Examples menu, with its note) in the operations view:
    every primitive operation, like micrograd or torchviz."""
    s.show_example("tree-diagram", view="operations")
    s.show_bottom_tab("functionPlotPanel")


def shot_jacobian(s: Shooter) -> None:
    """J_h = J_f · J_g through three intermediates, the entry's three paths highlighted."""
    s.show_example("three-paths")
    view = s.show_bottom_tab("jacobianView", share=0.38)
    s.wait(lambda: view.symbolic is not None, "the Jacobian view's SymPy check")
    view.select_entry(0, 0)  # dw/dt: what clicking the entry does
    s.wait_expression_ready()


def shot_second_order(s: Shooter) -> None:
    """d²y/dx² term by term for sin(x²)."""
    s.show_example("sin-x2")
    view = s.show_bottom_tab("secondOrderView", share=0.45)
    s.wait(lambda: view.symbolic_second is not None, "the second-order view's SymPy check")


def shot_implicit(s: Shooter) -> None:
    """The implicit circle with its tangent and dy/dx = −F_x/F_y."""
    s.show_example("implicit-circle")
    view = s.show_bottom_tab("implicitView", share=0.5)
    s.wait(lambda: view.grid is not None and view.here is not None, "the implicit curve")
    s.wait(lambda: view.formulas is not None, "the implicit view's formula (SymPy)")


def shot_network(s: Shooter) -> None:
    """The Network tab after training on the three-arm spiral, then paused."""
    s.show_trained_network(NETWORK_PRESET, NETWORK_STEPS)


def shot_expression_dark(s: Shooter) -> None:
    """The default example in the dark theme."""
    s.set_theme("dark")
    try:
        shot_expression(s)
        s.grab_now("expression-dark")
    finally:
        s.set_theme(s.theme)


SHOTS: dict[str, Callable[[Shooter], None]] = {
    "expression": shot_expression,
    "expression-operations": shot_expression_operations,
    "jacobian": shot_jacobian,
    "second-order": shot_second_order,
    "implicit": shot_implicit,
    "network": shot_network,
    "expression-dark": shot_expression_dark,
}


# -- driving the window ----------------------------------------------------------------------
class Shooter:
    def __init__(self, window, app, out: Path, size: tuple[int, int], theme: str, timeout: float):
        self.window = window
        self.app = app
        self.out = out
        self.size = size
        self.theme = theme
        self.timeout = timeout
        self.grabbed: set[str] = set()

    @property
    def mode(self):
        return self.window.expression_mode

    # -- waiting ------------------------------------------------------------------------------
    def pump(self, seconds: float = 0.0) -> None:
        """Run the event loop for ``seconds`` (at least one turn)."""
        end = time.monotonic() + seconds
        while True:
            self.app.processEvents()
            if time.monotonic() >= end:
                return
            time.sleep(0.005)

    def wait(self, ready: Callable[[], bool], what: str, timeout: float | None = None) -> None:
        """Run the event loop until ``ready()``; a ScreenshotError naming ``what`` after the timeout."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while not ready():
            if time.monotonic() > deadline:
                raise ScreenshotError(f"{what} did not become ready within {limit:g} s")
            self.app.processEvents()
            time.sleep(0.01)

    def settle(self) -> None:
        """Let posted events (layouts, pyqtgraph's deferred updates, repaints) run out."""
        for _ in range(3):
            self.pump(0.05)
            self.app.sendPostedEvents()

    # -- the Expression mode ----------------------------------------------------------------
    def show_expression_tab(self) -> None:
        self.window.tabs.setCurrentIndex(0)

    def show_default_session(self) -> None:
        from chainrule_gui.gui.main_window import DEFAULT_SESSION

        self.show_expression_tab()
        before = self.revision()
        self.mode.apply_session(DEFAULT_SESSION)  # what File ▸ New shows
        self.wait_expression_ready(DEFAULT_SESSION.text, after=before)

    def show_example(self, key: str, view: str = "tree") -> None:
        from PySide6.QtGui import QAction

        from chainrule_gui.core.examples import BY_KEY

        example = BY_KEY[key]
        self.show_expression_tab()
        before = self.revision()
        for name in (f"example-{key}", f"view_{view}"):  # Examples ▸ …, then the toolbar's view
            action = self.window.findChild(QAction, name)
            if action is None:
                raise ScreenshotError(f"no action {name!r} in the window")
            action.trigger()
        self.wait_expression_ready(example.text, after=before)

    def revision(self) -> int:
        snapshot = self.mode.snapshot
        return -1 if snapshot is None else snapshot.revision

    def wait_expression_ready(self, text: str | None = None, after: int | None = None) -> None:
        """Wait for a snapshot (of ``text``, newer than revision ``after``) and everything
        drawn from it: the diagram and its typeset labels, SymPy's derivative and its
        simplification in the result panel."""
        mode = self.mode
        self.wait(lambda: mode.snapshot is not None and (text is None or mode.snapshot.text == text)
                  and (after is None or mode.snapshot.revision > after), "the Expression mode's snapshot")
        self.wait(lambda: not mode.snapshot.symbolic_pending, "SymPy's derivative")
        diagram = mode.diagram
        self.wait(lambda: diagram.snapshot is mode.snapshot and diagram.drawing is not None,
                  "the diagram's drawing")
        self.wait(lambda: diagram.typesetter.pending == 0, "the diagram's typeset labels")
        if mode.snapshot.derivation is not None and mode.snapshot.derivation.derivative_expr is not None:
            status = mode.result_panel.simplify_status
            self.wait(lambda: status.text() not in ("simplifying…", "SymPy is differentiating…"),
                      "the result panel's simplified derivative")
            if status.text() != "simplified":
                raise ScreenshotError(f"the result panel says {status.text()!r} instead of showing the "
                                      "simplified derivative")
        self.settle()

    def show_bottom_tab(self, name: str, share: float = 0.33):
        """Bring a bottom tab forward (its Ctrl+Shift+… action) and wait until it has drawn
        the current snapshot; the bottom views get ``share`` of the middle column's height,
        as a person would drag the splitter open to see the whole view."""
        mode = self.mode
        action = next(a for a in mode.view_tab_actions if a.objectName() == f"showTab_{name}")
        action.trigger()
        center = mode.bottom_tabs.parentWidget()
        total = sum(center.sizes())
        bottom = int(total * share)
        center.setSizes([total - bottom, bottom])
        page = mode.view_pages[name]
        view = page.ensure()
        self.wait(lambda: view.isVisible() and view.snapshot is mode.snapshot, f"the {name} tab's drawing")
        self.wait_expression_ready()
        return view

    # -- the Network mode ---------------------------------------------------------------------
    def show_trained_network(self, preset: str, steps: int) -> None:
        self.window.tabs.setCurrentIndex(1)
        network = self.window.network_mode
        editor, controller = network.editor, network.controller
        index = editor.preset.findData(preset)
        if index < 0:
            raise ScreenshotError(f"no preset {preset!r} in the Network editor")
        editor.preset.setCurrentIndex(index)
        editor.preset.activated.emit(index)  # as choosing it in the list does: load and reset
        self.wait(lambda: controller.trained is not None and controller.trained.spec.name == preset
                  and controller.latest is not None, f"the {preset} network")
        network.speed.setCurrentIndex(network.speed.findData(NETWORK_SPEED))
        network.start_button.click()
        self.wait(lambda: controller.latest is not None and controller.latest.step >= steps,
                  f"training to step {steps}", timeout=max(self.timeout, 120))
        network.pause_button.click()
        self.wait(lambda: not controller.running and controller.latest is not None
                  and not controller.latest.running and controller.latest.records is not None
                  and controller.latest.evaluation is not None, "the paused network's last update")
        self.wait(lambda: bool(network.metrics.text()), "the training metrics")
        network.diagram.select_layer(NETWORK_LAYER)  # as a click on the layer does
        network.diagram.layer_clicked.emit(NETWORK_LAYER)
        self.settle()

    # -- theme and grabbing ---------------------------------------------------------------------
    def set_theme(self, key: str) -> None:
        from chainrule_gui.gui import theme

        theme.manager().set_preference(key, remember=False)
        self.settle()

    def grab_now(self, name: str) -> None:
        path = self.out / f"{name}.png"
        self.settle()
        image = self.window.grab().toImage()
        ratio = image.devicePixelRatio()  # 1 offscreen; a high-DPI screen grabs more pixels
        logical = (round(image.width() / ratio), round(image.height() / ratio))
        if logical != self.size:
            raise ScreenshotError(f"the window is {logical[0]}×{logical[1]}, not the "
                                  f"{self.size[0]}×{self.size[1]} asked for (smaller than it can be?)")
        if not image.save(str(path)):
            raise ScreenshotError(f"could not write {path}")
        self.grabbed.add(name)
        print(f"{path}  {image.width()}×{image.height()} px, {path.stat().st_size / 1024:.0f} KB", flush=True)

    def take(self, name: str) -> None:
        SHOTS[name](self)
        if name not in self.grabbed:
            self.grab_now(name)


# -- isolation and failures ------------------------------------------------------------------------
class FailureLog(logging.Handler):
    """Errors logged by the app, and exceptions raised in slots: each one fails the run."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.failures.append(f"logged: {record.getMessage()}")

    def excepthook(self, kind, value, tb) -> None:
        sys.__excepthook__(kind, value, tb)
        self.failures.append(f"exception in the event loop: {kind.__name__}: {value}")


def isolate(scratch: Path) -> None:
    """Before the QApplication exists (its first settings are read as it is made): Qt
    headless, in test mode, with settings and data folders in ``scratch``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["CHAINRULE_GUI_DATA_DIR"] = str(scratch / "data")  # autosaves, last session, logs
    os.environ["XDG_DATA_HOME"] = str(scratch / "xdg-data")
    os.environ["XDG_CONFIG_HOME"] = str(scratch / "xdg-config")
    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(scratch / "settings"))


def preset_settings(app, theme_key: str) -> None:
    """The isolated settings under names of their own: the theme asked for (the window
    reads it when made), the welcome note already seen (it would cover the toolbar)."""
    from PySide6.QtCore import QSettings

    from chainrule_gui.gui import theme
    from chainrule_gui.gui.first_run import SETTINGS_KEY as HINT_SHOWN

    app.setOrganizationName("ChainRuleExplorerScreenshots")
    app.setApplicationName("Chain Rule Explorer Screenshots")
    settings = QSettings()
    settings.setValue(theme.SETTINGS_KEY, theme_key)
    settings.setValue(HINT_SHOWN, True)
    theme.manager().start()


def forbid_dialogs(failures: FailureLog) -> None:
    """A modal dialog would block a headless run forever: record it and answer "no"."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    def refuse(kind):
        def dialog(_parent, title, text, *args, **kwargs):
            failures.failures.append(f"a {kind} dialog would have opened: {title}: {text}")
            return QMessageBox.StandardButton.Cancel
        return staticmethod(dialog)

    for kind in ("question", "warning", "information", "critical"):
        setattr(QMessageBox, kind, refuse(kind))

    def file_dialog(*_args, **_kwargs):
        failures.failures.append("a file dialog would have opened")
        return "", ""

    QFileDialog.getOpenFileName = staticmethod(file_dialog)
    QFileDialog.getSaveFileName = staticmethod(file_dialog)


def quiet_qt_noise() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_kind, _context, message: str) -> None:
        if not any(noise in message for noise in QT_NOISE):
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def make_window(size: tuple[int, int]):
    from chainrule_gui.gui import MainWindow

    window = MainWindow(offer_recovery=False)
    window.resize(*size)
    window.show()
    return window


def shut_down(window) -> None:
    """Stop the threads and the SymPy worker without closeEvent (it would ask to save)."""
    from chainrule_gui.core.calculus.sympy_worker import terminate_default_worker

    window.hide()
    window.expression_mode.shutdown()
    if window.network_page.content is not None:
        window.network_page.content.shutdown()
    terminate_default_worker()


# -- command line ---------------------------------------------------------------------------------
def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1280x800, not {text!r}") from None
    if width < 200 or height < 200:
        raise argparse.ArgumentTypeError(f"{text} is too small for the window")
    return width, height


def parse_only(text: str) -> list[str]:
    names = [name.strip().removesuffix(".png") for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SHOTS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown shot(s) {', '.join(unknown) or repr(text)}; "
                                         f"the shots are {', '.join(SHOTS)}")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="shots: " + ", ".join(SHOTS))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"folder for the PNGs (default: {DEFAULT_OUT.relative_to(HERE.parent)})")
    parser.add_argument("--size", type=parse_size, default=DEFAULT_SIZE, metavar="WxH",
                        help="window size in pixels (default: {}x{})".format(*DEFAULT_SIZE))
    parser.add_argument("--only", type=parse_only, default=list(SHOTS), metavar="NAME[,NAME]",
                        help="take only these shots")
    parser.add_argument("--theme", choices=("light", "dark"), default="light",
                        help="colours of every shot but expression-dark (default: light)")
    parser.add_argument("--timeout", type=float, default=90.0,
                        help="seconds to wait for any one thing to be ready (default: %(default)s)")
    args = parser.parse_args(argv)
    started = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="chainrule-screenshots-", ignore_cleanup_errors=True) as scratch_dir:
        from chainrule_gui.gui.app import import_core_before_qt

        import_core_before_qt()  # as the app starts: before PySide6, for faster imports
        isolate(Path(scratch_dir))
        from chainrule_gui.gui.app import make_application

        failures = FailureLog()
        logging.getLogger().addHandler(failures)
        sys.excepthook = failures.excepthook
        quiet_qt_noise()
        app = make_application([sys.argv[0]])
        preset_settings(app, args.theme)
        forbid_dialogs(failures)
        from chainrule_gui.gui.expression import controller

        controller.SIMPLIFY_TIMEOUT_S = SIMPLIFY_TIMEOUT_S
        args.out.mkdir(parents=True, exist_ok=True)
        window = make_window(args.size)
        shooter = Shooter(window, app, args.out, args.size, args.theme, args.timeout)
        try:
            shooter.wait(lambda: window.isVisible() and window.expression_mode.snapshot is not None,
                         "the window")
            for name in args.only:
                try:
                    shooter.take(name)
                except ScreenshotError as exc:
                    failures.failures.append(f"{name}: {exc}")
                except Exception as exc:  # noqa: BLE001 - a bug here or in the app: said, and the run fails
                    traceback.print_exc()
                    failures.failures.append(f"{name}: {type(exc).__name__}: {exc}")
                if failures.failures:
                    break
        finally:
            shut_down(window)
            logging.getLogger().removeHandler(failures)

    if failures.failures:
        for failure in failures.failures:
            print(f"error: {failure}", file=sys.stderr)
        return 1
    print(f"{len(shooter.grabbed)} screenshot(s) in {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
