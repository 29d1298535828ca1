"""Files under real faults, through the File menu: opening a model never reads another file
the model names (the CSV it was trained on is offered, read only when the person chooses
it); a model is read off the GUI thread with a busy indicator; a named pipe or /dev/zero is
refused at once; a save goes through a link and refuses a pipe naming the user's path; a
hostile autosave does not hide the session's recovery; a long input name saves and opens."""

import io
import os
import stat
import zipfile

import numpy as np
import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from chainrule_gui.core.files.session import load_session
from chainrule_gui.core.nn.model_file import load_model, model_bytes, save_model
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.spec import spec_from_sizes
from chainrule_gui.gui import MainWindow

posix = pytest.mark.skipif(os.name != "posix", reason="named pipes as POSIX has them")


def window(qtbot):
    win = MainWindow(offer_recovery=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.expression_mode.snapshot is not None
                    and win.network_mode.controller.latest is not None, timeout=10000)
    return win


def network_tab(win):
    win.tabs.setCurrentIndex(win.tabs.indexOf(win.network_page))
    return win.network_mode


def csv_file(path, rows=40):
    rng = np.random.default_rng(0)
    lines = ["a,b,label"] + [f"{a:.3f},{b:.3f},{int(a + b > 0)}" for a, b in rng.normal(size=(rows, 2))]
    path.write_text("\n".join(lines) + "\n")
    return path


def model_naming(path, csv_path, target="label"):
    network = Network.initialized(spec_from_sizes((2, 4, 1), "tanh", "bce", seed=3))
    save_model(path, network, training={"optimizer": "sgd", "lr": 0.05},
               data={"name": "csv", "samples": 300, "noise": 0.1, "validation": 0.2, "classes": 2, "seed": 0,
                     "csv_path": str(csv_path), "target": target, "x": [], "y": []})
    return path


def open_through_the_menu(win, monkeypatch, *paths):
    """File ▸ Open with the file dialogs answering ``paths`` in turn (the model, then a CSV)."""
    answers = list(paths)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (answers.pop(0) if answers else "", ""))
    win.findChild(QAction, "action-open").trigger()
    assert answers == []


def test_a_model_naming_a_csv_does_not_read_it_unless_chosen(qtbot, tmp_path, dialogs, monkeypatch):
    secret = csv_file(tmp_path / "secret.csv")
    model = model_naming(tmp_path / "m.npz", secret)
    win = window(qtbot)
    mode = network_tab(win)
    data_before = mode.controller.trained.data
    dialogs.answer = QMessageBox.StandardButton.Ignore
    open_through_the_menu(win, monkeypatch, str(model))
    title, text = dialogs.asked[-1]
    assert title == "Choose the model's data" and f"“{secret}”" in text and "label" in text
    assert mode.controller.trained.data == data_before  # the model opened on the data shown
    assert mode.controller.network.sizes == (2, 4, 1) and mode.controller.trained.lr == 0.05


def test_choosing_the_csv_trains_on_it(qtbot, tmp_path, dialogs, monkeypatch):
    elsewhere = csv_file(tmp_path / "moved.csv")
    model = model_naming(tmp_path / "m.npz", "/nowhere/points.csv")
    win = window(qtbot)
    mode = network_tab(win)
    dialogs.answer = QMessageBox.StandardButton.Open
    open_through_the_menu(win, monkeypatch, str(model), str(elsewhere))
    data = mode.controller.trained.data
    assert data.csv_path == str(elsewhere) and data.target == "label"
    assert mode.controller.dataset.n_features == 2


@posix
def test_a_chosen_named_pipe_is_refused_with_a_message(qtbot, tmp_path, dialogs, monkeypatch):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    model = model_naming(tmp_path / "m.npz", fifo)
    win = window(qtbot)
    mode = network_tab(win)
    data_before = mode.controller.trained.data
    dialogs.answer = QMessageBox.StandardButton.Open
    open_through_the_menu(win, monkeypatch, str(model), str(fifo))
    assert dialogs.asked[-1][0] == "Cannot use that CSV file" and "named pipe" in dialogs.asked[-1][1]
    assert mode.controller.trained.data == data_before


def test_a_target_that_is_not_an_ascii_number_is_a_message_not_a_crash(qtbot, tmp_path, dialogs, monkeypatch):
    points = csv_file(tmp_path / "points.csv")
    model = model_naming(tmp_path / "m.npz", points, target="²")
    win = window(qtbot)
    network_tab(win)
    dialogs.answer = QMessageBox.StandardButton.Open
    open_through_the_menu(win, monkeypatch, str(model), str(points))
    assert dialogs.asked[-1][0] == "Cannot use that CSV file" and "no column named '²'" in dialogs.asked[-1][1]


@posix
def test_a_model_that_is_a_named_pipe_is_refused_at_once(qtbot, tmp_path, dialogs, monkeypatch):
    fifo = tmp_path / "model.npz"
    os.mkfifo(fifo)
    win = window(qtbot)
    mode = network_tab(win)
    params = mode.controller.network.params.copy()
    open_through_the_menu(win, monkeypatch, str(fifo))
    assert dialogs.asked[-1][0] == "Cannot open model" and "named pipe" in dialogs.asked[-1][1]
    np.testing.assert_array_equal(mode.controller.network.params, params)


def test_a_session_with_a_long_input_name_saves_and_opens(qtbot, tmp_path, dialogs):
    name = "velocity_of_the_cart_measured_at_the_start_of_the_experiment_in_metres"
    assert len(name) > 64
    text = f"y = {name}^2 + 1"
    win = window(qtbot)
    mode = win.expression_mode
    mode.set_text(text)
    qtbot.waitUntil(lambda: mode.snapshot is not None and mode.snapshot.text == text, timeout=10000)
    dialogs.save_path = str(tmp_path / "long")
    win.findChild(QAction, "action-save").trigger()
    assert load_session(tmp_path / "long.json").text == text
    mode.set_text("y = x")
    qtbot.waitUntil(lambda: mode.snapshot.text == "y = x", timeout=10000)
    dialogs.answer = QMessageBox.StandardButton.Discard
    dialogs.open_path = str(tmp_path / "long.json")
    win.findChild(QAction, "action-open").trigger()
    qtbot.waitUntil(lambda: mode.snapshot.text == text, timeout=10000)
    assert not any(title == "Cannot open session" for title, _ in dialogs.asked)


def test_a_hostile_network_autosave_does_not_hide_the_session_recovery(qtbot, dialogs):
    win = window(qtbot)
    win.expression_mode.set_text("z = sin(t)^2")
    qtbot.waitUntil(lambda: win.expression_mode.snapshot.text == "z = sin(t)^2", timeout=10000)
    win.document.autosave()
    # An NPY header declaring 10^12 weights: np.load raised MemoryError, which the recovery at
    # start does not expect from a loader, so the question about the session never came.
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    good = model_bytes(Network.initialized(spec_from_sizes((2, 4, 1), "tanh", "bce")))
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        meta = archive.read("meta.npy")
    with zipfile.ZipFile(win.autosave_folder.file("autosave-network.npz"), "w") as archive:
        archive.writestr("meta.npy", meta)
        archive.writestr("params.npy", buffer.getvalue() + bytes(64))
    win.autosave_folder.abandon()  # the process dies
    dialogs.answer = QMessageBox.StandardButton.Yes
    again = MainWindow(offer_recovery=True)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.expression_mode.editor.toPlainText() == "z = sin(t)^2", timeout=10000)
    question = next(text for title, text in dialogs.asked if title == "Restore unsaved work?")
    assert "the expression session" in question and "network could not be read" in question
    dialogs.answer = QMessageBox.StandardButton.Discard  # the recovered work is unsaved: close without asking
    win.document.mark_clean()


def slow_loader(monkeypatch, seconds):
    """The real loader, taking as long as a 256 MB model does (3–4 s here)."""
    import time

    from chainrule_gui.gui.network import files

    real = files.load_model

    def slow(path):
        time.sleep(seconds)
        return real(path)

    monkeypatch.setattr(files, "load_model", slow)


def test_a_slow_model_loads_off_the_gui_thread_with_a_busy_indicator(qtbot, tmp_path, dialogs, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog

    model = tmp_path / "big.npz"
    save_model(model, Network.initialized(spec_from_sizes((2, 7, 3, 1), "tanh", "bce", seed=5)))
    win = window(qtbot)
    mode = network_tab(win)
    slow_loader(monkeypatch, 1.5)
    beats, seen = [], []
    heartbeat = QTimer(interval=20)
    heartbeat.timeout.connect(lambda: beats.append(1))
    heartbeat.timeout.connect(lambda: seen.append(any(d.isVisible() for d in win.findChildren(QProgressDialog))))
    heartbeat.start()
    open_through_the_menu(win, monkeypatch, str(model))
    heartbeat.stop()
    assert len(beats) >= 30  # the event loop ran all along (a frozen window: 0)
    assert any(seen)  # the busy indicator was shown while it loaded
    assert mode.controller.network.sizes == (2, 7, 3, 1)
    assert not any(d.isVisible() for d in win.findChildren(QProgressDialog))


def test_cancelling_a_slow_open_keeps_the_network(qtbot, tmp_path, dialogs, monkeypatch):
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    model = tmp_path / "big.npz"
    save_model(model, Network.initialized(spec_from_sizes((2, 7, 3, 1), "tanh", "bce", seed=5)))
    win = window(qtbot)
    mode = network_tab(win)
    params = mode.controller.network.params.copy()
    slow_loader(monkeypatch, 2.0)

    def cancel():  # as the person does: the Cancel button of the busy indicator
        shown = [d for d in win.findChildren(QProgressDialog) if d.isVisible()]
        if shown:
            qtbot.mouseClick(shown[0].findChild(QPushButton), Qt.MouseButton.LeftButton)

    poll = QTimer(interval=50)
    poll.timeout.connect(cancel)
    poll.start()
    open_through_the_menu(win, monkeypatch, str(model))
    poll.stop()
    assert mode.controller.network.sizes != (2, 7, 3, 1)
    np.testing.assert_array_equal(mode.controller.network.params, params)
    assert not any(title == "Cannot open model" for title, _ in dialogs.asked)


# -- the explorer's sessions through the File menu ---------------------------------------------
def test_save_as_onto_a_link_writes_the_linked_file(qtbot, tmp_path, dialogs):
    real = tmp_path / "kept" / "work.json"
    real.parent.mkdir()
    real.write_text("{}")
    link = tmp_path / "work.json"
    link.symlink_to(real)
    win = window(qtbot)
    mode = win.expression_mode
    mode.set_text("z = t^3")
    qtbot.waitUntil(lambda: mode.snapshot.text == "z = t^3", timeout=10000)
    dialogs.save_path = str(link)
    win.findChild(QAction, "action-save-as").trigger()
    assert link.is_symlink() and load_session(real).text == "z = t^3"
    assert not win.document.is_modified()


@posix
def test_save_as_onto_a_named_pipe_is_refused_naming_it(qtbot, tmp_path, dialogs):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    win = window(qtbot)
    mode = win.expression_mode
    mode.set_text("z = t^3")
    qtbot.waitUntil(lambda: mode.snapshot.text == "z = t^3", timeout=10000)
    dialogs.save_path = str(fifo)
    win.findChild(QAction, "action-save-as").trigger()
    title, text = dialogs.asked[-1]
    assert title == "Cannot save" and text.startswith(f"{fifo}: that is a named pipe (FIFO), not a file")
    assert ".tmp" not in text and win.document.is_modified()
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@posix
@pytest.mark.parametrize("make, words", [(lambda p: os.mkfifo(p), "named pipe"),
                                         (lambda p: p.symlink_to("/dev/zero"), "device")])
def test_opening_a_session_that_is_not_a_file_is_refused_at_once(qtbot, tmp_path, dialogs, make, words):
    path = tmp_path / "session.json"
    make(path)
    win = window(qtbot)
    dialogs.open_path = str(path)
    win.findChild(QAction, "action-open").trigger()
    title, text = dialogs.asked[-1]
    assert title == "Cannot open session" and words in text


def test_a_session_with_a_huge_cut_is_refused_at_once(qtbot, tmp_path, dialogs):
    import json
    import time

    from chainrule_gui.core.files.session import Session

    obj = json.loads(Session(text="z = x*t\nx = t^2", point={"t": 0.5}).to_json())
    obj["expression"]["cut"] = [["z", "x"]] * 440_000  # 4.8 MB
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(obj, separators=(",", ":")))
    win = window(qtbot)
    text_before = win.expression_mode.editor.toPlainText()
    dialogs.open_path = str(path)
    started = time.perf_counter()
    win.findChild(QAction, "action-open").trigger()
    assert time.perf_counter() - started < 2  # 30–76 s and 4.6 GB on the GUI thread before
    assert dialogs.asked[-1][0] == "Cannot open session"
    assert win.expression_mode.editor.toPlainText() == text_before


def network_action(mode, text):
    return next(a for a in mode.file_button.menu().actions() if a.text() == text)


@posix
def test_network_saves_and_exports_write_through_links_and_refuse_pipes(qtbot, tmp_path, dialogs):
    win = window(qtbot)
    mode = network_tab(win)
    real = tmp_path / "kept" / "model.npz"
    real.parent.mkdir()
    link = tmp_path / "model.npz"
    link.symlink_to(real)
    dialogs.save_path = str(link)
    network_action(mode, "Save model…").trigger()
    assert link.is_symlink() and load_model(real)[0].sizes == mode.controller.network.sizes
    fifo = tmp_path / "log.csv"
    os.mkfifo(fifo)
    dialogs.save_path = str(fifo)
    network_action(mode, "Export training log (CSV)…").trigger()
    assert "cannot write log.csv: that is a named pipe (FIFO), not a file" in mode.editor.error.text()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_the_offer_shows_the_named_file_as_plain_text(qtbot, tmp_path, dialogs, monkeypatch):
    model = model_naming(tmp_path / "m.npz", "/data/<img src='file:///etc/passwd'>\u202e.csv")
    win = window(qtbot)
    network_tab(win)
    dialogs.answer = QMessageBox.StandardButton.Ignore
    open_through_the_menu(win, monkeypatch, str(model))
    title, text = dialogs.asked[-1]
    # A message box takes text with a tag for rich text and would load the image.
    assert title == "Choose the model's data" and "<" not in text and "\u202e" not in text
    assert "img src='file:///etc/passwd'" in text


def test_opening_again_while_a_model_loads_says_so(qtbot, tmp_path, dialogs, monkeypatch):
    from PySide6.QtCore import QTimer

    first, second = tmp_path / "first.npz", tmp_path / "second.npz"
    save_model(first, Network.initialized(spec_from_sizes((2, 7, 3, 1), "tanh", "bce", seed=5)))
    save_model(second, Network.initialized(spec_from_sizes((2, 9, 1), "tanh", "bce", seed=5)))
    win = window(qtbot)
    mode = network_tab(win)
    slow_loader(monkeypatch, 1.0)
    answers = [str(first), str(second)]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (answers.pop(0), ""))
    again = win.findChild(QAction, "action-open")
    QTimer.singleShot(100, again.trigger)  # before the busy indicator blocks the window
    again.trigger()
    assert any(t == "Cannot open model" and "first.npz is still being opened" in text for t, text in dialogs.asked)
    assert mode.controller.network.sizes == (2, 7, 3, 1)
