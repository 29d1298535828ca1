"""Files of the Network mode: open/save a model, export the log, the plots, a NumPy script.

Each action asks for a path with a file dialog unless one is given (tests, scripts), and
reports problems as a sentence; nothing here raises into Qt's event loop.

A model file may come from someone else, so opening one never reads another file it names:
the CSV it was trained on is offered, and read only if the person chooses it in a file
dialog (the path in the file could be a named pipe, ``/dev/zero`` or any file of theirs).
The model itself is read on a worker thread (up to 256 MB took 3–4 s): the window keeps
painting, and a busy indicator with Cancel appears when it takes a moment.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, replace
from pathlib import Path

from PySide6.QtCore import QBuffer, QEventLoop, QIODevice, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from chainrule_gui.core.errors import ChainRuleError, ModelError
from chainrule_gui.core.files.atomic import atomic_write_bytes
from chainrule_gui.core.nn.export import numpy_script
from chainrule_gui.core.nn.model_file import load_model, model_bytes
from chainrule_gui.gui.network.settings import DataSettings, Settings


def _ask(parent: QWidget, title: str, filter_: str, suffix: str, save: bool) -> str | None:
    if save:
        path, _ = QFileDialog.getSaveFileName(parent, title, "", filter_)
        if path and not Path(path).suffix:
            path += suffix
    else:
        path, _ = QFileDialog.getOpenFileName(parent, title, "", filter_)
    return path or None


def write_text(path: str, text: str) -> None:
    """Like every save (core/files.py): atomic, through a link, keeping a hard link and the
    mode, refusing a folder, pipe or device at the path."""
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise ModelError(f"cannot write {Path(path).name}: {exc.strerror or exc}") from None


def training_meta(settings: Settings) -> dict:
    """The training settings a model file keeps (model_file.META_SCHEMA's ``training``)."""
    return {"optimizer": settings.optimizer, "lr": settings.lr, **settings.hyper,
            "batch_size": settings.batch_size, "l2": settings.l2, "dataset": settings.data.name}


def data_meta(data: DataSettings) -> dict:
    """The data settings a model file keeps (model_file.META_SCHEMA's ``data``)."""
    out = asdict(data)
    out["x"], out["y"] = list(data.x), list(data.y)
    return out


def model_file_bytes(controller) -> bytes:
    """The network being trained, with its settings, as a complete model file."""
    t = controller.trained
    step = controller.latest.step if controller.latest else 0
    return model_bytes(controller.network, training_meta(t), step, data_meta(t.data))


def save_model_as(mode, path: str | None = None) -> str | None:
    controller = mode.controller
    if controller.network is None:
        raise ModelError("there is no network to save yet: press Reset or Start first")
    path = path or _ask(mode, "Save model", "Chain Rule Explorer model (*.npz)", ".npz", True)
    if not path:
        return None
    data = model_file_bytes(controller)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ModelError(f"cannot save {Path(path).name}: {exc.strerror or exc}") from None
    return path


def settings_from_model(current: Settings, network, meta: dict) -> Settings:
    """Settings that train ``network`` as its file says: its architecture and weights, its
    optimizer settings and its data (when the file names data that can still be built;
    otherwise the data shown now)."""
    from chainrule_gui.core.nn.optimizers import DEFAULTS

    training = meta.get("training", {})
    optimizer = training.get("optimizer", current.optimizer)
    hyper = {k: float(training.get(k, v)) for k, v in DEFAULTS[optimizer].items()}
    data = current.data
    if "data" in meta:
        candidate = _data_settings(meta["data"])
        try:
            if candidate.build().n_features == network.sizes[0]:
                data = candidate
        except ChainRuleError:
            pass  # e.g. a CSV file that is not on this computer: keep the data shown
    return replace(current, data=data, spec=network.spec,
                   initial_params=tuple(float(v) for v in network.params), optimizer=optimizer,
                   lr=float(training.get("lr", current.lr)), hyper=hyper,
                   batch_size=int(training.get("batch_size", current.batch_size)),
                   l2=float(training.get("l2", current.l2)))


def open_model(mode, path: str | None = None):
    path = path or _ask(mode, "Open model", "Chain Rule Explorer model (*.npz);;All files (*)", ".npz", False)
    if not path:
        return None
    loaded = load_in_background(mode, path)
    if loaded is None:
        return None  # cancelled: nothing changes
    network, meta = loaded
    return network, data_chosen(mode, network, meta, Path(path))


#: How long opening a model runs before the busy indicator appears (ms).
PROGRESS_AFTER_MS = 400


def load_in_background(parent: QWidget, path: str):
    """``load_model(path)`` on a worker thread while the window keeps painting: (network,
    meta), None if the person cancelled, or the loader's ModelError.  A small model is
    read within the first few milliseconds and no event loop is started at all."""
    if _opening:  # File ▸ Open again before the busy indicator appeared
        raise ModelError(f"{_opening[0]} is still being opened: wait for it, or cancel it first")
    _opening.append(Path(path).name)
    try:
        return _load_in_background(parent, path)
    finally:
        _opening.clear()


#: The name of the model being opened, while one is.
_opening: list[str] = []


def _load_in_background(parent: QWidget, path: str):
    outcome = {}
    finished = threading.Event()

    def work():
        try:
            outcome["value"] = load_model(path)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, raised there
            outcome["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=work, name="open-model", daemon=True).start()
    if not finished.wait(0.05):
        loop = QEventLoop()
        progress = QProgressDialog(f"Opening {Path(path).name}…", "Cancel", 0, 0, parent)
        progress.setObjectName("openModelProgress")
        progress.setWindowTitle("Opening model")
        progress.setWindowModality(Qt.WindowModality.WindowModal)  # no other action meanwhile
        progress.setMinimumDuration(PROGRESS_AFTER_MS)
        progress.setValue(0)  # starts the clock: shown once PROGRESS_AFTER_MS have passed
        progress.canceled.connect(loop.quit)
        poll = QTimer(interval=15)
        poll.timeout.connect(lambda: finished.is_set() and loop.quit())
        poll.start()
        loop.exec()
        poll.stop()
        progress.canceled.disconnect(loop.quit)
        progress.close()
        progress.deleteLater()
        if not finished.is_set():
            return None  # the worker finishes on its own; what it read is dropped
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def data_chosen(parent: QWidget, network, meta: dict, model_path: Path) -> dict:
    """``meta`` with its data as the person chose: a CSV file the model names is offered
    (trained on FILE — choose it?) and kept only if chosen in a file dialog and usable for
    ``network``; otherwise the model's data settings are dropped and the data shown now is
    kept (a chosen file that does not fit says why)."""
    data = meta.get("data")
    if not data or not data.get("csv_path"):
        return meta
    meta = {k: v for k, v in meta.items() if k != "data"}
    named = data["csv_path"]
    target = data.get("target", "")
    column = f", predicting the column {_shown(target, 60)}" if target else ""
    answer = QMessageBox.question(
        parent, "Choose the model's data",
        f"This model was trained on the CSV file {_shown(named, 160)}{column}.\n\n"
        "A model file never opens other files by itself. Choose Open to pick that file (or "
        "another CSV with the same columns) and train on it again; Ignore keeps the data shown now.",
        QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Ignore, QMessageBox.StandardButton.Open)
    if answer != QMessageBox.StandardButton.Open:
        return meta
    chosen, _ = QFileDialog.getOpenFileName(parent, "Choose the CSV file this model was trained on",
                                            str(model_path.parent), "CSV files (*.csv);;All files (*)")
    if not chosen:
        return meta
    candidate = _data_settings({**data, "csv_path": chosen})
    try:
        features = candidate.build().n_features
        if features != network.sizes[0]:
            raise ModelError(f"it has {features} input column(s) and the model takes {network.sizes[0]}")
    except ChainRuleError as exc:
        QMessageBox.warning(parent, "Cannot use that CSV file",
                            f"{exc}\n\nThe model opens with the data shown now.")
        return meta
    meta["data"] = {**data, "csv_path": chosen}
    return meta


def _data_settings(saved: dict) -> DataSettings:
    return DataSettings(**{**asdict(DataSettings()), **saved,
                           "x": tuple(saved.get("x", ())), "y": tuple(saved.get("y", ()))})


def _shown(text: str, limit: int) -> str:
    """A name from a file, safe to show: printable, shortened in the middle, and with no
    angle brackets (a message box would take ``<img …>`` for rich text and load it)."""
    text = "".join(ch for ch in str(text) if ch.isprintable()).replace("<", "‹").replace(">", "›")
    if len(text) > limit:
        text = text[:limit // 2 - 1] + "…" + text[-(limit // 2 - 1):]
    return f"“{text}”"


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
        buffer = QBuffer()  # its own byte array (a temporary one passed in would be freed under it)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not widget.grab().save(buffer, "PNG"):
            raise ModelError(f"cannot render {Path(target).name}")
        try:  # like every save: the old image stays whole until the new one is complete
            atomic_write_bytes(target, bytes(buffer.data()))
        except OSError as exc:
            raise ModelError(f"cannot write {Path(target).name}: {exc.strerror or exc}") from None
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
