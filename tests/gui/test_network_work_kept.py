"""Never lose the Network tab's work: autosave, recovery after a crash, a question on close,
and a bad model file that leaves the open network untouched."""

import numpy as np
from PySide6.QtWidgets import QMessageBox

from chainrule_gui.core.nn.model_file import load_model, save_model
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.spec import spec_from_sizes
from chainrule_gui.gui import MainWindow
from chainrule_gui.gui.autosave_folder import AutosaveFolder
from chainrule_gui.gui.network.autosave import read_recovered_network


def window(qtbot, **kwargs):
    win = MainWindow(offer_recovery=False, **kwargs)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.expression_mode.snapshot is not None
                    and win.network_mode.controller.latest is not None, timeout=10000)
    return win


def train(qtbot, mode, steps):
    target = (mode.controller.latest.step if mode.controller.latest else 0) + steps
    mode.controller.step(steps)
    qtbot.waitUntil(lambda: mode.controller.latest is not None and mode.controller.latest.step == target,
                    timeout=10000)


def fresh(mode) -> bool:
    latest = mode.controller.latest
    return latest is not None and latest.generation == mode.controller.generation


def test_an_untrained_network_is_not_work(qtbot, dialogs):
    win = window(qtbot)
    assert not win.network_mode.has_unsaved_training()
    win.network_mode.autosave.autosave()
    assert not win.network_mode.autosave.path().exists()  # nothing was written
    assert win.close() and dialogs.asked == []


def test_closing_with_a_trained_unsaved_network_asks(qtbot, tmp_path, dialogs):
    win = window(qtbot)
    mode = win.network_mode
    train(qtbot, mode, 7)
    assert mode.has_unsaved_training()
    dialogs.answer = QMessageBox.StandardButton.Cancel
    assert not win.close()  # cancelled: the window and the weights stay
    assert dialogs.asked[-1][0] == "Unsaved network"
    dialogs.answer = QMessageBox.StandardButton.Save
    dialogs.save_path = str(tmp_path / "trained")
    params = mode.controller.network.params.copy()
    assert win.close()
    network, meta = load_model(tmp_path / "trained.npz")
    np.testing.assert_array_equal(network.params, params)
    assert meta["step"] == 7 and meta["training"]["optimizer"] == mode.controller.trained.optimizer
    assert meta["data"]["name"] == mode.controller.trained.data.name


def test_a_saved_network_does_not_ask_and_further_training_does(qtbot, tmp_path, dialogs):
    win = window(qtbot)
    mode = win.network_mode
    train(qtbot, mode, 3)
    assert mode.save_model(str(tmp_path / "m.npz"))
    assert not mode.has_unsaved_training()
    mode.editor.lr.setValue(mode.editor.lr.value() / 2)  # a live setting: the weights are the same
    assert not mode.has_unsaved_training()
    train(qtbot, mode, 2)
    assert mode.has_unsaved_training()


def test_autosave_and_recovery_of_the_network(qtbot, dialogs):
    win = window(qtbot)
    mode = win.network_mode
    train(qtbot, mode, 12)
    mode.autosave.autosave()  # what the timer does a few seconds after a change
    found = read_recovered_network(mode.autosave.path())
    assert found[1]["step"] == 12
    trained = mode.controller.network.params.copy()
    np.testing.assert_array_equal(found[0].params, trained)
    # A crash: the next start offers the network back, through every gate of the loader.
    win.autosave_folder.abandon()
    dialogs.answer = QMessageBox.StandardButton.Yes
    again = MainWindow(offer_recovery=True)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: any(t == "Restore unsaved work?" for t, _ in dialogs.asked), timeout=10000)
    question = next(text for title, text in dialogs.asked if title == "Restore unsaved work?")
    assert "network trained for 12 steps" in question
    qtbot.waitUntil(lambda: fresh(again.network_mode), timeout=10000)
    np.testing.assert_array_equal(again.network_mode.controller.network.params, trained)
    assert again.network_mode.has_unsaved_training()  # restored, but still in no file
    dialogs.answer = QMessageBox.StandardButton.Discard
    again.close()
    assert AutosaveFolder.left_by_crashes() == []  # a clean exit leaves nothing behind


def test_declining_recovery_deletes_the_autosave(qtbot, dialogs):
    win = window(qtbot)
    train(qtbot, win.network_mode, 4)
    win.network_mode.autosave.autosave()
    path = win.network_mode.autosave.path()
    win.autosave_folder.abandon()  # the process dies
    dialogs.answer = QMessageBox.StandardButton.No
    again = MainWindow(offer_recovery=True)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: any(t == "Restore unsaved work?" for t, _ in dialogs.asked), timeout=10000)
    assert not path.exists() and AutosaveFolder.left_by_crashes() == []
    dialogs.answer = QMessageBox.StandardButton.Discard  # let the first window close at teardown


def test_a_damaged_network_autosave_is_kept_aside_and_does_not_hide_the_session(qtbot, dialogs):
    win = window(qtbot)
    win.expression_mode.set_text("z = x^3 + cos(y\nx = t^2\ny = t + 1")  # mid-edit: a mistake
    qtbot.waitUntil(lambda: win.expression_mode.error_strip.text() != "", timeout=10000)
    win.document.autosave()
    network_path = win.autosave_folder.file("autosave-network.npz")
    network_path.write_bytes(b"PK\x03\x04 half a file")
    win.autosave_folder.abandon()  # the process dies
    dialogs.answer = QMessageBox.StandardButton.Yes
    again = MainWindow(offer_recovery=True)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.expression_mode.editor.toPlainText().startswith("z = x^3"), timeout=10000)
    question = next(text for title, text in dialogs.asked if title == "Restore unsaved work?")
    assert "the expression session" in question and "network could not be read" in question
    kept = list((network_path.parents[2] / "damaged-autosaves").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == b"PK\x03\x04 half a file"
    assert again.document.is_modified()
    dialogs.answer = QMessageBox.StandardButton.Discard
    win.document.mark_clean()


def test_a_bad_model_file_leaves_the_open_network_untouched(qtbot, tmp_path, dialogs):
    win = window(qtbot)
    mode = win.network_mode
    train(qtbot, mode, 5)
    params = mode.controller.network.params.copy()
    generation = mode.controller.generation
    bad = tmp_path / "bad.npz"
    save_model(bad, Network.initialized(spec_from_sizes((2, 4, 1), "tanh", "bce")))
    with np.load(bad) as archive:  # a hand edit: the layer no longer fits the weights
        meta, weights = str(archive["meta"]).replace('"units": 4', '"units": 9'), archive["params"]
    np.savez(bad, params=weights, meta=np.array(meta))
    assert not mode.open_model(str(bad))
    assert "needs" in mode.editor.error.text() and "bad.npz" in mode.editor.error.text()
    assert mode.controller.generation == generation
    np.testing.assert_array_equal(mode.controller.network.params, params)
    assert mode.has_unsaved_training()  # still the user's unsaved work


def test_opening_a_model_restores_its_training_and_data_settings(qtbot, tmp_path, dialogs):
    win = window(qtbot)
    mode = win.network_mode
    mode.editor.optimizer.setCurrentIndex(mode.editor.optimizer.findData("momentum"))
    mode.editor.lr.setValue(0.125)
    mode.editor.batch.setValue(16)
    mode.reset()
    train(qtbot, mode, 3)
    path = tmp_path / "settings.npz"
    assert mode.save_model(str(path))
    data_before = mode.controller.trained.data
    mode.editor.optimizer.setCurrentIndex(mode.editor.optimizer.findData("adam"))
    mode.editor.lr.setValue(0.01)
    mode.editor.batch.setValue(64)
    assert mode.open_model(str(path))
    qtbot.waitUntil(lambda: fresh(mode), timeout=10000)
    trained = mode.controller.trained
    assert (trained.optimizer, trained.lr, trained.batch_size) == ("momentum", 0.125, 16)
    assert mode.editor.optimizer.currentData() == "momentum" and mode.editor.lr.value() == 0.125
    assert trained.data == data_before
    assert not mode.has_unsaved_training()


def test_a_data_change_keeps_the_trained_networks_autosave_until_the_new_one_trains(qtbot, dialogs):
    """A data change replaces the network at once: the autosave (what a crash would give
    back) stays the trained network until the new one has trained, and Undo restores it
    as unsaved work that closing asks about."""
    win = window(qtbot)
    mode = win.network_mode
    train(qtbot, mode, 9)
    mode.autosave.autosave()
    trained = mode.controller.network.params.copy()
    generation = mode.controller.generation
    mode.editor.samples.setValue(150)
    qtbot.waitUntil(lambda: mode.controller.generation == generation + 1 and fresh(mode), timeout=10000)
    assert not mode.has_unsaved_training()  # the network shown has not trained
    mode.autosave.autosave()
    found = read_recovered_network(mode.autosave.path())
    assert found[1]["step"] == 9
    np.testing.assert_array_equal(found[0].params, trained)
    train(qtbot, mode, 3)
    mode.autosave.autosave()
    assert read_recovered_network(mode.autosave.path())[1]["step"] == 3  # now the new network is the work
    assert mode.undo_rebuild()
    qtbot.waitUntil(lambda: fresh(mode), timeout=10000)
    np.testing.assert_array_equal(mode.controller.network.params, trained)
    assert mode.editor.samples.value() == 200 and mode.has_unsaved_training()
    dialogs.answer = QMessageBox.StandardButton.Cancel
    assert not win.close() and dialogs.asked[-1][0] == "Unsaved network"
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert win.close()
