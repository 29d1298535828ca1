"""The Network tab driven as a person drives it (issue #11): combo boxes and spin boxes
through keys and clicks, Start with a mouse click, and what the window then shows."""

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from chainrule_gui.gui.network.mode import NetworkMode
from tests.gui.network_helpers import button, fresh, mode, step_count  # noqa: F401 - mode: a fixture


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def type_into(qtbot, box, text):
    """Select the field's text and type over it, then Enter, as a person does."""
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)


def trained_data(mode):
    """The data the training thread's trainer really learns from."""
    return mode.controller.worker._trainer.dataset


def choose_preset_by_keys(qtbot, mode, name):
    combo = mode.editor.preset
    generation = mode.controller.generation
    combo.setFocus()
    while combo.currentData() != name:  # the arrow keys walk the list and activate each entry
        before = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.findData(name) > before else Qt.Key.Key_Up)
        assert combo.currentIndex() != before
    qtbot.waitUntil(lambda: mode.controller.generation > generation and fresh(mode), timeout=10000)


def take_steps(qtbot, mode, count):
    target = step_count(mode) + count
    for _ in range(count):
        click(qtbot, button(mode, "stepButton"))
    qtbot.waitUntil(lambda: step_count(mode) == target, timeout=10000)


# -- item 2: a data change never trains the old network silently -------------------------------
def test_a_new_data_set_chosen_by_keys_is_what_start_trains(qtbot, mode):
    take_steps(qtbot, mode, 3)
    assert trained_data(mode).name == "xor"
    combo = mode.editor.dataset
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    chosen = combo.currentData()
    assert chosen != "xor"
    click(qtbot, button(mode, "startButton"))
    qtbot.waitUntil(lambda: fresh(mode) and step_count(mode) > 20, timeout=10000)
    click(qtbot, button(mode, "pauseButton"))
    assert trained_data(mode).name == chosen
    assert mode.controller.trained.data.name == chosen
    notice = mode.notice
    assert notice.isVisible() and "new data" in notice.label.text() and "re-initialised" in notice.label.text()


def test_samples_typed_into_the_field_are_the_samples_trained_on(qtbot, mode):
    type_into(qtbot, mode.editor.samples, "120")
    assert mode.editor.samples.value() == 120
    click(qtbot, button(mode, "startButton"))
    qtbot.waitUntil(lambda: fresh(mode) and step_count(mode) > 5, timeout=10000)
    click(qtbot, button(mode, "pauseButton"))
    assert len(trained_data(mode).X) == 120


def test_a_change_while_training_stops_it_and_undo_brings_the_trained_weights_back(qtbot, mode):
    click(qtbot, button(mode, "startButton"))
    qtbot.waitUntil(lambda: step_count(mode) > 200, timeout=10000)
    trained = mode.controller.network.params.copy()
    steps = step_count(mode)
    generation = mode.controller.generation
    type_into(qtbot, mode.editor.noise, "0.3")
    qtbot.waitUntil(lambda: mode.controller.generation == generation + 1 and fresh(mode), timeout=10000)
    assert not mode.controller.running and button(mode, "startButton").isEnabled()
    qtbot.wait(200)
    assert step_count(mode) == 0  # stopped, not training the new network behind the user's back
    text = mode.notice.label.text()
    assert "Training stopped" in text and "Undo" in text
    assert not np.array_equal(mode.controller.network.params, trained)
    assert trained_data(mode).X.shape[0] == 200 and mode.controller.trained.data.noise == pytest.approx(0.3)
    undo = button(mode, "undoRebuildButton")
    assert undo.isVisible()
    click(qtbot, undo)
    qtbot.waitUntil(lambda: fresh(mode), timeout=10000)
    np.testing.assert_array_equal(mode.controller.network.params, trained)
    assert mode.editor.noise.value() == pytest.approx(0.05)  # the settings came back too
    assert mode.has_unsaved_training(), f"{steps} trained steps are work that closing must ask about"


def test_settings_that_cannot_build_a_network_keep_start_off(qtbot, mode):
    take_steps(qtbot, mode, 2)
    editor = mode.editor
    editor.dataset.setCurrentIndex(editor.dataset.findData("sine"))
    qtbot.waitUntil(lambda: fresh(mode) and mode.controller.trained.data.name == "sine", timeout=10000)
    editor.loss.setFocus()
    qtbot.keyClick(editor.loss, Qt.Key.Key_Down)  # mse → bce: not for a regression data set
    assert editor.loss.currentData() != "mse"
    assert "regression" in editor.error.text()
    assert editor.pending.isVisible() and "Not applied" in editor.pending.text()
    start, step = button(mode, "startButton"), button(mode, "stepButton")
    assert not start.isEnabled() and not step.isEnabled()
    click(qtbot, start)
    qtbot.keyClick(mode.diagram, Qt.Key.Key_F10)
    qtbot.wait(200)
    assert step_count(mode) == 0 and not mode.controller.running
    qtbot.keyClick(editor.loss, Qt.Key.Key_Up)  # back to mse: trainable again
    qtbot.waitUntil(lambda: start.isEnabled() and step.isEnabled(), timeout=5000)
    assert not editor.pending.isVisible()
    take_steps(qtbot, mode, 1)


# -- item 3: everything shown follows the current network ---------------------------------------
def test_the_equation_and_plots_follow_a_preset_change(qtbot, mode):
    take_steps(qtbot, mode, 1)
    mode.diagram.layer_clicked.emit(0)
    before = mode.equation.numbers.text()
    assert "δ" in before
    mode.loss_panel.plot.setYRange(-60, 3)  # as a long run leaves it
    choose_preset_by_keys(qtbot, mode, "seed-2-2-1")
    assert mode.equation.numbers.text() == ""  # no numbers of another network
    assert "press Step" in mode.equation.title.text()
    (_, _), (y0, _) = mode.loss_panel.plot.viewRange()
    assert y0 > -10, "the plot forgot the previous network's range"
    take_steps(qtbot, mode, 1)
    shown = mode.equation.numbers.text()
    assert shown and shown != before and "z = [" in shown
    assert "step 1" in mode.equation.title.text()


def test_one_loss_figure_after_one_step_of_the_seed_network(qtbot, mode):
    choose_preset_by_keys(qtbot, mode, "seed-2-2-1")
    assert "after step 0: training loss 17.74" in mode.metrics.text()
    take_steps(qtbot, mode, 1)
    metrics = mode.metrics.text()
    assert "after step 1: training loss 8.525" in metrics
    x, y = mode.loss_panel.latest.getData()  # the dot: y is log10 on the log axis
    assert list(x) == [1.0] and 10 ** y[0] == pytest.approx(8.525, abs=5e-4)
    raw_x, raw_y = mode.loss_panel.raw.getData()
    # step 1's loss was measured on the weights before its update: drawn at 0 updates
    assert list(raw_x) == [0.0] and 10 ** raw_y[0] == pytest.approx(17.74, abs=5e-3)
    take_steps(qtbot, mode, 1)  # one example: step 2's loss is the dot of step 1
    raw_x, raw_y = mode.loss_panel.raw.getData()
    assert raw_x[-1] == 1.0 and 10 ** raw_y[-1] == pytest.approx(8.525, abs=5e-4)


# -- item 5: a finite loss that explodes ----------------------------------------------------------
def test_xor_at_learning_rate_50_pauses_as_exploding_with_a_readable_axis(qtbot, mode):
    editor = mode.editor
    editor.optimizer.setFocus()
    while editor.optimizer.currentData() != "sgd":
        qtbot.keyClick(editor.optimizer, Qt.Key.Key_Up)
    type_into(qtbot, editor.lr, "50")
    assert mode.controller.trained.lr == 50.0
    click(qtbot, button(mode, "startButton"))
    qtbot.waitUntil(lambda: mode.fault_banner.isVisible(), timeout=10000)
    assert not mode.controller.running
    fault = mode.controller.latest.fault
    assert fault.kind == "exploding" and step_count(mode) < 100
    text = mode.fault_banner.label.text()
    assert "exploding" in text and "learning rate" in text
    banner = mode.diagnosis_banner.text()
    assert "xploding loss" in banner and "Lower the learning rate" in banner and "anishing" not in banner
    (_, _), (y0, y1) = mode.loss_panel.plot.viewRange()
    assert y1 - y0 < 8, f"the loss axis spans 10^{y0:.0f}…10^{y1:.0f}"
    restored = mode.controller.latest.evaluation["train_loss"]  # the last good weights, not the climb
    assert math.isfinite(restored) and restored < 3 * 0.7
    assert f"weights of step {fault.restored_step} (restored): training loss {restored:.4g}" in mode.metrics.text()
    assert mode.equation.numbers.text() == ""  # the climb's numbers describe weights no longer there
    click(qtbot, mode.fault_banner.lower)
    assert editor.lr.value() == pytest.approx(5.0)


# -- item 5: an out-of-range number is refused aloud, not clamped ---------------------------------
@pytest.mark.parametrize("field, typed, kept, words", [
    ("lr", "10000", 0.03, ("Learning rate", "10000", "1e-06 to 100")),
    ("samples", "1000000", 200, ("Samples", "1000000", "4 to 100,000")),
    ("noise", "-1", 0.05, ("Noise", "-1", "0 to 2")),
    ("batch", "0", 16, ("Batch size", "0", "1 to 100,000")),
    ("l2", "50", 0.0, ("L2 decay λ", "50", "0 to 10")),
    ("validation", "95", 20, ("Validation", "95", "0 to 90 %")),
])
def test_an_out_of_range_number_is_refused_with_the_field_and_range_named(qtbot, mode, field, typed, kept, words):
    box = getattr(mode.editor, field)
    generation, trained = mode.controller.generation, mode.controller.trained
    type_into(qtbot, box, typed)
    assert box.value() == pytest.approx(kept)  # the old value stays, not the nearest bound
    for word in words:
        assert word in mode.notice.label.text(), (word, mode.notice.label.text())
    assert mode.notice.isVisible() and mode.editor.error.text() == mode.notice.label.text()
    assert mode.controller.generation == generation and mode.controller.trained == trained


def test_a_layer_size_out_of_range_is_refused_too(qtbot, mode):
    units = mode.editor.layers.rows[0].units
    type_into(qtbot, units, "5000")
    assert units.value() == 4
    assert "Units of layer 1: 5000 is outside the allowed range" in mode.notice.label.text()
    assert "1 to 1,024" in mode.notice.label.text()


# -- item 13: one symbol, one meaning in the optimizer table --------------------------------------
def test_the_optimizer_table_uses_each_letter_for_one_thing(qtbot, mode):
    click(qtbot, button(mode, "compareButton"))
    table = mode.compare_dialog.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    letters = [h.split()[-1] for h in headers if h.split()[-1] in ("b", "v", "s", "m")]
    assert sorted(letters) == sorted(set(letters)), headers  # no letter twice
    assert "velocity b" in headers and "v" in headers
    assert "Adam" in table.horizontalHeaderItem(headers.index("v")).toolTip()
    assert "b ←" in mode.editor.hyper["momentum"].toolTip()
    mode.compare_dialog.close()


# -- item 4: a Gradient check button with the gradcheck command's numbers -------------------------
def run_cli_gradcheck(capsys, *argv):
    import json

    from chainrule_gui.__main__ import main

    capsys.readouterr()
    code = main(["gradcheck", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return json.loads(out)


def panel_rows(panel):
    table = panel.table
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


@pytest.mark.parametrize("preset", ["xor-tanh", "spiral-relu", "seed-2-2-1"])
def test_the_gradient_check_button_shows_the_numbers_of_gradcheck_json(qtbot, mode, capsys, preset):
    if preset != "xor-tanh":
        choose_preset_by_keys(qtbot, mode, preset)
    check = button(mode, "gradCheckButton")
    assert check.toolTip() and check.focusPolicy() & Qt.FocusPolicy.TabFocus
    click(qtbot, check)
    panel = mode.gradcheck_panel
    assert panel.isVisible() and not panel.isModal()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    expected = run_cli_gradcheck(capsys, "--preset", preset)
    rows = panel_rows(panel)
    assert len(rows) == len(expected["layers"])
    for row, (shown, layer) in enumerate(zip(rows, expected["layers"])):
        assert shown[0] == str(layer["layer"])
        assert panel.table.item(row, 2).data(Qt.ItemDataRole.UserRole) == layer["max_rel_error"]
        assert shown[2] == f"{layer['max_rel_error']:.2e}"
        assert shown[3] == ("pass" if layer["passed"] else "FAIL")
        assert shown[4] == str(layer["kinks"])
    assert panel.result.loss == expected["loss"]
    if preset == "spiral-relu":
        assert expected["kinks"] >= 0 and "kink" in panel.table.toolTip()
    assert "every layer agrees" in panel.status.text()
    click(qtbot, button(mode, "resetButton"))  # a new network: the old numbers are not its own
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0, timeout=5000)
    assert panel.result is None and "Check again" in panel.summary.text()


def test_the_gradient_check_is_reachable_by_keyboard_and_checks_the_current_weights(qtbot, mode, capsys):
    take_steps(qtbot, mode, 3)
    mode.diagram.setFocus()
    qtbot.keyClick(mode.diagram, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    panel = mode.gradcheck_panel
    qtbot.waitUntil(lambda: panel is not None and panel.result is not None, timeout=20000)
    assert "after step 3" in panel.summary.text()
    untrained = run_cli_gradcheck(capsys, "--preset", "xor-tanh")
    assert panel.result.loss != untrained["loss"]  # the weights of step 3, not the preset's


def test_a_big_network_shows_progress_and_stops_without_freezing_the_window(qtbot, mode):
    editor = mode.editor
    for _ in range(3):
        editor.layers.add_hidden()
    for row in editor.layers.rows[:-1]:
        type_into(qtbot, row.units, "256")
    qtbot.waitUntil(lambda: fresh(mode) and mode.controller.network.params.size > 130_000, timeout=10000)
    click(qtbot, button(mode, "gradCheckButton"))
    panel = mode.gradcheck_panel
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=10000)
    beats = []
    from PySide6.QtCore import QTimer

    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: beats.append(1))
    timer.start()
    qtbot.wait(1500)
    timer.stop()
    assert len(beats) > 50, "the window kept painting while the check ran"
    assert "parameters" in panel.status.text() and "s left" in panel.status.text()
    assert panel.progress.value() < panel.progress.maximum()
    click(qtbot, panel.stop)
    assert not panel.running and "Stopped" in panel.status.text()
    panel.close()


def test_a_csv_file_chosen_from_the_data_set_list_is_what_start_trains(qtbot, mode, dialogs, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 3))
    path = tmp_path / "points.csv"
    path.write_text("a,b,c,label\n" + "\n".join(f"{r[0]},{r[1]},{r[2]},{int(r[0] > 0)}" for r in X))
    dialogs.open_path = str(path)
    take_steps(qtbot, mode, 2)
    combo = mode.editor.dataset
    combo.setFocus()
    while combo.currentData() != "csv":  # the last entry: "CSV file…" asks for the file
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: fresh(mode) and mode.controller.network.sizes[0] == 3, timeout=10000)
    click(qtbot, button(mode, "startButton"))
    qtbot.waitUntil(lambda: step_count(mode) > 5, timeout=10000)
    click(qtbot, button(mode, "pauseButton"))
    data = trained_data(mode)
    assert data.feature_names == ("a", "b", "c") and len(data.X) == 50
    # the import standardizes each column: the same points, rescaled
    assert np.corrcoef(np.sort(data.X[:, 0]), np.sort(X[:, 0]))[0, 1] > 0.999999
    assert "new data" in mode.notice.label.text()


def test_the_equation_forgets_its_numbers_on_reset_and_on_open(qtbot, mode, dialogs, tmp_path):
    dialogs.save_path = str(tmp_path / "model.npz")
    dialogs.open_path = dialogs.save_path
    take_steps(qtbot, mode, 2)
    mode.diagram.layer_clicked.emit(1)
    assert "δ" in mode.equation.numbers.text()
    assert mode.save_model()
    generation = mode.controller.generation
    click(qtbot, button(mode, "resetButton"))
    qtbot.waitUntil(lambda: mode.controller.generation == generation + 1 and fresh(mode), timeout=5000)
    assert mode.equation.numbers.text() == "" and "Layer 2" in mode.equation.title.text()
    take_steps(qtbot, mode, 1)
    assert "step 1" in mode.equation.title.text()
    assert mode.open_model()
    qtbot.waitUntil(lambda: fresh(mode), timeout=5000)
    assert mode.equation.numbers.text() == ""
    assert "after step 0" in mode.metrics.text()


def test_one_tiny_mini_batch_loss_does_not_stretch_the_loss_axis(qtbot):
    """SGD at a huge rate leaves some batches with a loss of ~1e-100 (confidently right)
    among losses of 35 and 137: the axis follows the smoothed curve, not that outlier."""
    from chainrule_gui.core.nn.history import TrainingLog
    from chainrule_gui.gui.network.plots import LossPanel

    panel = LossPanel()
    qtbot.addWidget(panel)
    log = TrainingLog(2)
    panel.clear(log)
    steps = np.arange(1, 41, dtype=float)
    losses = np.array([0.7, 2.3, 13.6, 35.0, 1e-100, 137.0, 60.0, 1e-90] * 5)
    log.add_losses(steps, losses)
    log.add_row({"step": 40, "train_loss": 50.0, "validation_loss": 55.0})
    panel.refresh(steps, losses)
    (_, _), (y0, y1) = panel.plot.viewRange()
    assert y0 > -3 and y1 > np.log10(137), (y0, y1)
    _, y = panel.raw.getData()
    assert np.nanmin(y) < -80  # the outliers are still drawn (below the view), not hidden from the data


def test_a_notice_offering_undo_does_not_time_out_and_one_without_does(qtbot, mode):
    from chainrule_gui.gui.network.banners import NoticeBar

    take_steps(qtbot, mode, 2)
    type_into(qtbot, mode.editor.noise, "0.2")
    qtbot.waitUntil(lambda: fresh(mode), timeout=5000)
    assert mode.notice.undo.isVisible() and not mode.notice._timer.isActive()
    type_into(qtbot, mode.editor.lr, "500")  # refused: a plain notice, which closes itself
    assert not mode.notice.undo.isVisible() and mode.notice._timer.isActive()
    assert mode.notice._timer.interval() == NoticeBar.TIMEOUT_MS
    click(qtbot, button(mode, "dismissNoticeButton"))
    assert not mode.notice.isVisible()


def test_the_editor_controls_are_not_cut_off_at_1024_pixels(qtbot, mode):
    """At 1024×700 (and after shrinking to it) every editor control fits: the combo boxes'
    and spin boxes' arrows were cut off under the scroll bar."""
    body = mode.editor.widget()
    for width in (1024, 1920, 1024):
        mode.resize(width, 700)
        qtbot.waitUntil(lambda: mode.width() == width, timeout=2000)
        qtbot.wait(50)
        assert mode.editor.viewport().width() >= body.minimumSizeHint().width(), mode.splitter.sizes()


def test_a_new_weight_seed_draws_new_weights_even_after_a_seed_preset(qtbot, mode):
    choose_preset_by_keys(qtbot, mode, "seed-sigmoid-1-1-1")  # exact weights W1 = 0.5, …
    preset_weights = mode.controller.network.params.copy()
    generation = mode.controller.generation
    type_into(qtbot, mode.editor.net_seed, "7")
    qtbot.waitUntil(lambda: mode.controller.generation == generation + 1 and fresh(mode), timeout=5000)
    assert "initialisation" in mode.notice.label.text()
    assert not np.array_equal(mode.controller.network.params, preset_weights)  # re-initialised, as it says


def test_file_open_loads_a_model_while_the_editor_shows_settings_that_cannot_build(qtbot, dialogs, tmp_path):
    """Found by the acceptance walk: with a half-made choice in the editor (a classification
    loss on a regression data set), File ▸ Open raised instead of opening the model."""
    from PySide6.QtGui import QAction

    from chainrule_gui.gui import MainWindow

    win = MainWindow(offer_recovery=False)
    qtbot.addWidget(win)
    win.show()
    win.tabs.setCurrentIndex(1)
    net = win.network_mode
    qtbot.waitUntil(lambda: net.controller.latest is not None, timeout=10000)
    take_steps(qtbot, net, 3)
    dialogs.save_path = dialogs.open_path = str(tmp_path / "model.npz")
    win.findChild(QAction, "action-save").trigger()
    saved = net.controller.network.params.copy()
    editor = net.editor
    editor.dataset.setCurrentIndex(editor.dataset.findData("sine"))
    qtbot.waitUntil(lambda: fresh(net) and net.controller.trained.data.name == "sine", timeout=10000)
    editor.loss.setFocus()
    qtbot.keyClick(editor.loss, Qt.Key.Key_Down)  # mse → bce: cannot build for regression data
    assert "regression" in editor.error.text()
    win.findChild(QAction, "action-open").trigger()
    qtbot.waitUntil(lambda: fresh(net) and net.controller.trained.data.name == "xor", timeout=10000)
    np.testing.assert_array_equal(net.controller.network.params, saved)
    assert not any(title == "Something went wrong" for title, _ in dialogs.asked)
    win.document.mark_clean()


def test_start_clicked_before_the_first_update_keeps_pause_on(qtbot):
    """Found by the acceptance walk: Start clicked the moment the tab appears (before the
    loaded network's first, paused, update has arrived) was switched back by that update —
    Start enabled, Pause grey — while training ran on."""
    mode = NetworkMode()
    qtbot.addWidget(mode)
    mode.resize(1280, 800)
    mode.show()
    start, pause = button(mode, "startButton"), button(mode, "pauseButton")
    click(qtbot, start)  # no wait for the first update
    qtbot.waitUntil(lambda: step_count(mode) > 50, timeout=10000)
    assert mode.controller.running and pause.isEnabled() and not start.isEnabled()
    click(qtbot, pause)
    qtbot.waitUntil(lambda: not mode.controller.running and start.isEnabled(), timeout=5000)
    mode.shutdown()


@pytest.mark.parametrize("answer", ["cancelled", "a bad file"])
def test_a_csv_that_is_not_imported_leaves_the_list_on_the_data_in_use(qtbot, mode, dialogs, tmp_path, answer):
    """Found by the acceptance walk: the list stayed on "CSV file…" (or Cancel jumped to the
    first data set and rebuilt the network on it) while the old data trained on."""
    combo = mode.editor.dataset
    combo.setCurrentIndex(combo.findData("circles"))
    qtbot.waitUntil(lambda: fresh(mode) and mode.controller.trained.data.name == "circles", timeout=10000)
    generation = mode.controller.generation
    if answer == "a bad file":
        bad = tmp_path / "bad.csv"
        bad.write_text("a,b\n1,x\n")
        dialogs.open_path = str(bad)
    else:
        dialogs.open_path = ""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_End)  # the last entry: "CSV file…" asks for the file
    qtbot.wait(200)
    assert combo.currentData() == "circles"
    assert mode.controller.generation == generation  # nothing rebuilt
    assert not mode.editor.csv_button.isVisible()
    if answer == "a bad file":
        assert "bad.csv" in mode.editor.error.text()


def test_deleting_the_window_while_a_gradient_check_runs_stops_it_quietly(qtbot, reporter):
    """Found in a CI run: the checking thread emitted from the panel's deleted relay
    ("Signal source has been deleted") — in the app, an internal-error dialog."""
    import threading

    own = NetworkMode()  # not handed to qtbot: this test deletes it
    own.show()
    qtbot.waitUntil(lambda: own.controller.latest is not None, timeout=10000)
    for _ in range(2):
        own.editor.layers.add_hidden()
    for row in own.editor.layers.rows[:-1]:
        type_into(qtbot, row.units, "128")
    qtbot.waitUntil(lambda: fresh(own) and own.controller.network.params.size > 30_000, timeout=10000)
    click(qtbot, button(own, "gradCheckButton"))
    panel = own.gradcheck_panel
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=10000)
    checking = [t for t in threading.enumerate() if t.name == "gradientCheck"]
    assert checking
    own.shutdown()
    panel.deleteLater()
    own.deleteLater()
    qtbot.wait(50)
    import time

    started = time.perf_counter()
    for thread in checking:
        thread.join(timeout=20)
        assert not thread.is_alive()
    assert time.perf_counter() - started < 5  # stopped, not run to the end
    assert reporter.count == 0, reporter.last_error
