"""Files of the Network mode: open/save a model, export the log, the plots, a NumPy script.

Each action asks for a path with a file dialog unless one is given (tests, scripts), and
reports problems as a sentence; nothing here raises into Qt's event loop.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSaveFile
from PySide6.QtWidgets import QFileDialog, QWidget

from chainrule_gui.core.errors import ChainRuleError, ModelError
from chainrule_gui.core.nn.export import numpy_script
from chainrule_gui.core.nn.model_file import load_model, save_model


def _ask(parent: QWidget, title: str, filter_: str, suffix: str, save: bool) -> str | None:
    if save:
        path, _ = QFileDialog.getSaveFileName(parent, title, "", filter_)
        if path and not Path(path).suffix:
            path += suffix
    else:
        path, _ = QFileDialog.getOpenFileName(parent, title, "", filter_)
    return path or None


def write_text(path: str, text: str) -> None:
    """Atomically: the old file stays whole until the new one is complete."""
    out = QSaveFile(path)
    if not out.open(QSaveFile.OpenModeFlag.WriteOnly):
        raise ModelError(f"cannot write {Path(path).name}: {out.errorString()}")
    out.write(text.encode("utf-8"))
    if not out.commit():
        raise ModelError(f"cannot write {Path(path).name}: {out.errorString()}")


def save_model_as(mode, path: str | None = None) -> str | None:
    controller = mode.controller
    if controller.network is None:
        raise ModelError("there is no network to save yet: press Reset or Start first")
    path = path or _ask(mode, "Save model", "Chain Rule Explorer model (*.npz)", ".npz", True)
    if not path:
        return None
    t = controller.trained
    training = {"optimizer": t.optimizer, "lr": t.lr, **t.hyper, "batch_size": t.batch_size, "l2": t.l2,
                "dataset": t.data.name}
    step = controller.latest.step if controller.latest else 0
    save_model(path, controller.network, training=training, step=step)
    return path


def open_model(mode, path: str | None = None):
    path = path or _ask(mode, "Open model", "Chain Rule Explorer model (*.npz);;All files (*)", ".npz", False)
    if not path:
        return None
    network, meta = load_model(path)
    return network, meta


def export_log(mode, path: str | None = None) -> str | None:
    path = path or _ask(mode, "Export training log", "CSV files (*.csv)", ".csv", True)
    if path:
        write_text(path, mode.controller.log.to_csv())
    return path


def export_plots(mode, path: str | None = None) -> list[str]:
    """One PNG per plot: NAME-loss.png, NAME-gradients.png, NAME-decision.png."""
    path = path or _ask(mode, "Export plots as PNG", "PNG images (*.png)", ".png", True)
    if not path:
        return []
    base = Path(path)
    stem = base.with_suffix("")
    written = []
    for suffix, widget in (("loss", mode.loss_panel.plot), ("gradients", mode.gradient_panel.plot),
                           ("decision", mode.decision_plot), ("diagram", mode.diagram)):
        target = f"{stem}-{suffix}.png"
        if not widget.grab().save(target, "PNG"):
            raise ModelError(f"cannot write {Path(target).name}")
        written.append(target)
    return written


def export_script(mode, path: str | None = None) -> str | None:
    controller = mode.controller
    if controller.network is None:
        raise ModelError("there is no network to export yet: press Reset or Start first")
    path = path or _ask(mode, "Export as a NumPy script", "Python files (*.py)", ".py", True)
    if path:
        example = controller.dataset.X[:3] if controller.dataset is not None else None
        write_text(path, numpy_script(controller.network, example))
    return path


def guarded(action):
    """Run a file action; return (result, error message or None)."""
    try:
        return action(), None
    except ChainRuleError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"file error: {exc.strerror or exc}"
