"""The Network mode through its widgets' object names (the object names other tools rely on)."""

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from chainrule_gui.core.nn.model_file import load_model
from chainrule_gui.gui.network.worker import Apply
from tests.gui.network_helpers import button, fresh, mode, step_count  # noqa: F401 - mode: a fixture
from tests.reliability.faults import training_latency


def choose_preset(qtbot, mode, name):
    combo = mode.editor.preset
    index = combo.findData(name)
    combo.setCurrentIndex(index)
    generation = mode.controller.generation
    combo.activated.emit(index)
    qtbot.waitUntil(lambda: mode.controller.generation > generation and fresh(mode), timeout=10000)


def test_contract_widgets_exist(mode):
    for name in ("networkEditor", "networkDiagram"):
        assert mode.findChild(QWidget, name) is not None, name
    for name in ("lossPlot", "gradNormPlot", "decisionPlot"):
        assert isinstance(mode.findChild(pg.PlotWidget, name), pg.PlotWidget), name
    for name in ("startButton", "pauseButton", "stepButton", "resetButton"):
        assert button(mode, name).toolTip()


def test_step_shows_one_step_with_its_numbers(qtbot, mode):
    button(mode, "stepButton").click()
    qtbot.waitUntil(lambda: step_count(mode) == 1, timeout=5000)
    assert "step 1" in mode.findChild(QLabel, "stepCounter").text()
    update = mode.controller.latest
    assert update.records is not None and len(update.records) == 2
    assert mode.loss_panel.raw.getData()[0].size == 1
    tip = mode._describe_weight(0, 0, 0)
    assert "∂L/∂w" in tip and "example 1" in tip and "σ′(z)" in tip


def test_start_pause_and_reset(qtbot, mode):
    start, pause = button(mode, "startButton"), button(mode, "pauseButton")
    assert start.isEnabled() and not pause.isEnabled()
    start.click()
    assert pause.isEnabled() and not start.isEnabled()
    qtbot.waitUntil(lambda: step_count(mode) > 200, timeout=10000)
    pause.click()
    qtbot.waitUntil(lambda: not mode.controller.latest.running, timeout=5000)
    qtbot.wait(150)
    stopped_at = step_count(mode)
    qtbot.wait(300)
    assert step_count(mode) == stopped_at
    assert start.isEnabled()
    # the plots received points
    assert mode.loss_panel.raw.getData()[0].size > 10
    assert any(c.getData()[0] is not None and c.getData()[0].size for c in mode.gradient_panel.curves)
    assert mode.decision_plot.image.image is not None
    assert "training accuracy" in mode.metrics.text()
    generation = mode.controller.generation
    button(mode, "resetButton").click()
    qtbot.waitUntil(lambda: fresh(mode) and mode.controller.generation == generation + 1, timeout=5000)
    assert step_count(mode) == 0
    assert mode.loss_panel.raw.getData()[0] is None or mode.loss_panel.raw.getData()[0].size == 0


def test_learning_rate_changes_live_and_architecture_builds_a_new_network(qtbot, mode):
    mode.controller.step(5)
    qtbot.waitUntil(lambda: step_count(mode) == 5, timeout=5000)
    mode.editor.lr.setValue(0.5)
    mode.controller.step(1)
    qtbot.waitUntil(lambda: step_count(mode) == 6, timeout=5000)
    assert mode.controller.trained.lr == 0.5  # applied without a reset
    assert not mode.notice.isVisible()
    generation = mode.controller.generation
    mode.editor.layers.add_hidden()
    assert len(mode.controller.network.layers) == 3  # at once, no Reset needed
    qtbot.waitUntil(lambda: fresh(mode) and mode.controller.generation == generation + 1, timeout=5000)
    assert step_count(mode) == 0
    assert mode.notice.isVisible() and "architecture" in mode.notice.label.text()
    assert not mode.editor.pending.isVisible()


def test_freezing_greys_the_layer_and_keeps_its_weights(qtbot, mode):
    frozen_box = mode.editor.findChild(QCheckBox, "layerFrozen1")
    frozen_box.setChecked(True)
    assert "frozen" in mode.diagram.headers[1].text()
    before = mode.controller.network.layers[0].augmented.copy()
    mode.controller.step(20)
    qtbot.waitUntil(lambda: step_count(mode) == 20, timeout=5000)
    np.testing.assert_array_equal(mode.controller.network.layers[0].augmented, before)
    assert mode.controller.latest.records[0].dW is None


def test_clicking_a_layer_shows_its_backprop_equation(qtbot, mode):
    mode.controller.step(1)
    qtbot.waitUntil(lambda: step_count(mode) == 1, timeout=5000)
    mode.diagram.layer_clicked.emit(0)
    text = mode.equation.numbers.text()
    assert "δ = [" in text and "‖∇W‖" in text and "δ⁽²⁾ W⁽²⁾ᵀ" in text
    assert mode.equation.formula.pixmap() is not None and not mode.equation.formula.pixmap().isNull()


def test_divergence_pauses_keeps_finite_weights_and_offers_a_fix(qtbot, mode):
    choose_preset(qtbot, mode, "sine-regression")
    mode.editor.optimizer.setCurrentIndex(mode.editor.optimizer.findData("sgd"))
    mode.editor.lr.setValue(80.0)
    button(mode, "startButton").click()
    qtbot.waitUntil(lambda: mode.fault_banner.isVisible(), timeout=10000)
    assert "learning rate" in mode.fault_banner.label.text()
    assert not mode.controller.running and button(mode, "startButton").isEnabled()
    assert np.all(np.isfinite(mode.controller.network.params))
    mode.fault_banner.lower.click()
    assert mode.editor.lr.value() == pytest.approx(8.0)
    assert not mode.fault_banner.isVisible()


def test_files_round_trip(qtbot, mode, tmp_path):
    from chainrule_gui.gui.network import files

    mode.controller.step(10)
    qtbot.waitUntil(lambda: step_count(mode) == 10, timeout=5000)
    model = tmp_path / "net.npz"
    files.save_model_as(mode, str(model))
    network, meta = load_model(model)
    np.testing.assert_array_equal(network.params, mode.controller.network.params)
    assert meta["step"] == 10
    log = tmp_path / "log.csv"
    files.export_log(mode, str(log))
    lines = log.read_text().splitlines()
    assert lines[0].startswith("step,epoch,loss") and len(lines) == 11
    written = files.export_plots(mode, str(tmp_path / "plots.png"))
    assert len(written) == 4 and all((tmp_path / p).stat().st_size > 1000 for p in written)
    script = tmp_path / "net.py"
    files.export_script(mode, str(script))
    assert "def forward(X)" in script.read_text()
    mode.controller.step(5)
    qtbot.waitUntil(lambda: step_count(mode) == 15, timeout=5000)
    assert mode.open_model(str(model))
    qtbot.waitUntil(lambda: fresh(mode), timeout=5000)
    np.testing.assert_array_equal(mode.controller.network.params, network.params)


def test_a_bad_model_file_is_reported_not_raised(qtbot, mode, tmp_path, dialogs):
    bad = tmp_path / "bad.npz"
    bad.write_text("not a model")
    assert not mode.open_model(str(bad))
    assert "bad.npz is not a readable model file (it is not a .npz archive" in mode.editor.error.text()
    title, text = dialogs.asked[-1]  # said where it cannot be missed, not only at the editor's end
    assert title == "Cannot open model" and "bad.npz" in text and "unchanged" in text


def test_seed_preset_shows_the_seed_numbers(qtbot, mode):
    choose_preset(qtbot, mode, "seed-2-2-1")
    mode.controller.step(1)
    qtbot.waitUntil(lambda: step_count(mode) == 1, timeout=5000)
    first = mode.controller.latest.records[0]
    np.testing.assert_allclose(first.dW, [[-9.40784547, -4.57183938], [-18.81569093, -9.14367876]], rtol=1e-8)


def test_optimizer_comparison_overlays_four_curves(qtbot, mode):
    mode.open_comparison()
    dialog = mode.compare_dialog
    dialog.steps.setValue(40)
    dialog.run.click()
    qtbot.waitUntil(lambda: all(s.size == 40 for s in dialog.series.values()), timeout=20000)
    for curve in dialog.curves.values():
        assert curve.getData()[0].size == 40
    assert dialog.table.item(3, 7).text() != "—"  # Adam's m̂
    assert dialog.table.item(1, 3).text() != "—"  # momentum's velocity
    assert dialog.table.item(0, 3).text() == "—"  # SGD keeps no velocity
    dialog.close()


@pytest.mark.slow
def test_window_stays_responsive_while_training(qtbot, mode):
    figures = training_latency(mode, qtbot.wait, seconds=3.0)
    assert figures["steps"] > 1000 and figures["beats"] > 100
    assert figures["p95"] < 50, figures
    assert figures["max"] < 250, figures


def test_csv_data_set_through_the_editor(qtbot, mode, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    label = (X[:, 0] + X[:, 2] > 0).astype(int)
    path = tmp_path / "points.csv"
    path.write_text("a,b,c,label\n" + "\n".join(f"{r[0]},{r[1]},{r[2]},{y}" for r, y in zip(X, label)))
    mode.editor.set_csv(str(path))
    assert mode.editor.target.currentText() == "label"
    assert "3 units" in mode.editor.layers.input_label.text()
    qtbot.waitUntil(lambda: fresh(mode) and mode.controller.network.sizes[0] == 3, timeout=5000)
    assert "new data" in mode.notice.label.text()
    assert mode.decision_plot.mode == "none"  # three inputs: no plane to draw
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,oops\n")
    mode.editor.set_csv(str(bad))
    assert "row 3, column 'b': 'oops' is not a number" in mode.editor.error.text()


def test_one_input_regression_draws_the_fitted_curve(qtbot, mode):
    choose_preset(qtbot, mode, "sine-regression")
    assert mode.decision_plot.mode == "curve"
    mode.controller.step(3)
    qtbot.waitUntil(lambda: step_count(mode) == 3, timeout=5000)
    x, y = mode.decision_plot.curve.getData()
    assert x.size == 200 and np.all(np.isfinite(y))


def test_speed_control_slows_training(qtbot, mode):
    mode.speed.setCurrentIndex(mode.speed.findData(20.0))
    button(mode, "startButton").click()
    qtbot.wait(1000)
    button(mode, "pauseButton").click()
    qtbot.waitUntil(lambda: not mode.controller.latest.running, timeout=5000)
    assert 5 <= step_count(mode) <= 40


@pytest.mark.parametrize("dataset", ["xor", "circles", "moons", "spiral", "blobs", "sine", "linear"])
def test_every_data_set_and_loss_trains_from_the_editor(qtbot, mode, dataset):
    editor = mode.editor
    editor.dataset.setCurrentIndex(editor.dataset.findData(dataset))
    editor.classes.setValue(3)
    losses = [editor.loss.itemData(i) for i in range(editor.loss.count())]
    for loss in losses:
        editor.loss.setCurrentIndex(editor.loss.findData(loss))
        generation = mode.controller.generation
        button(mode, "resetButton").click()
        if editor.error.text():  # e.g. cross-entropy on a regression set: said, not raised
            assert "mse" in editor.error.text() or "regression" in editor.error.text()
            continue
        qtbot.waitUntil(lambda: fresh(mode) and mode.controller.generation > generation, timeout=5000)
        mode.controller.step(2)
        qtbot.waitUntil(lambda: step_count(mode) == 2, timeout=5000)
        assert math.isfinite(mode.controller.latest.records[-1].grad_norm)


def test_changing_the_batch_size_between_steps(qtbot, mode):
    mode.editor.batch.setValue(4)
    mode.controller.step(1)
    qtbot.waitUntil(lambda: step_count(mode) == 1, timeout=5000)
    mode.editor.batch.setValue(64)  # larger: new buffers in the worker
    qtbot.wait(100)
    mode.controller.step(1)
    qtbot.waitUntil(lambda: step_count(mode) == 2, timeout=5000)
    assert mode.controller.latest.records[0].z.shape[0] == 64
    assert not mode.editor.error.text()


def test_a_bug_in_the_training_thread_is_reported_and_the_thread_lives_on(qtbot, mode, caplog):
    def broken(trainer):
        raise ValueError("simulated bug")

    mode.controller.worker.post(Apply(broken))
    qtbot.waitUntil(lambda: "internal error" in mode.editor.error.text(), timeout=5000)
    assert "simulated bug" in mode.editor.error.text()
    # our bug: the traceback is logged (to the log file in the app), not hidden
    logged = [r for r in caplog.records if r.exc_info and "simulated bug" in str(r.exc_info[1])]
    assert logged and logged[0].name == "chainrule_gui.gui.network.worker"
    mode.controller.step(1)
    qtbot.waitUntil(lambda: step_count(mode) == 1, timeout=5000)


def test_keyboard_shortcuts(qtbot, mode):
    mode.diagram.setFocus()
    qtbot.keyClick(mode.diagram, Qt.Key.Key_F10)
    qtbot.waitUntil(lambda: step_count(mode) == 1, timeout=5000)
    qtbot.keyClick(mode.diagram, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: step_count(mode) > 50, timeout=5000)
    qtbot.keyClick(mode.diagram, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: not mode.controller.latest.running, timeout=5000)
    generation = mode.controller.generation
    qtbot.keyClick(mode.diagram, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: mode.controller.generation == generation + 1 and fresh(mode), timeout=5000)
    assert step_count(mode) == 0


def test_divergence_end_to_end_at_the_largest_learning_rate(qtbot, mode):
    """lr at the editor's maximum: training pauses at the first non-finite step, keeps the
    last finite weights, says so, and both offered fixes work."""
    choose_preset(qtbot, mode, "sine-regression")
    mode.editor.optimizer.setCurrentIndex(mode.editor.optimizer.findData("sgd"))
    mode.editor.lr.setValue(mode.editor.lr.maximum())
    assert mode.controller.trained.lr == 100.0  # applied live
    button(mode, "startButton").click()
    qtbot.waitUntil(lambda: mode.fault_banner.isVisible(), timeout=10000)
    fault = mode.controller.latest.fault
    assert fault is not None and not mode.controller.running
    text = mode.fault_banner.label.text()
    assert "Training paused" in text and "learning rate" in text
    kept = mode.controller.network.params.copy()
    assert np.all(np.isfinite(kept))
    assert np.all(np.isfinite(mode.controller.latest.params))  # the worker's copy, too
    # Fix 1: lower the learning rate (÷10 three times) and train on from the kept weights.
    for _ in range(3):
        mode.fault_banner.lower.click()
    assert mode.editor.lr.value() == pytest.approx(0.1)
    assert not mode.fault_banner.isVisible()
    step = step_count(mode)
    mode.controller.step(20)
    qtbot.waitUntil(lambda: step_count(mode) == step + 20, timeout=10000)
    assert mode.controller.latest.fault is None and not mode.fault_banner.isVisible()
    losses = mode.controller.log.loss
    assert losses.size >= 20 and np.all(np.isfinite(losses.y[-20:]))  # trains on, finite, from there
    # Fix 2: Reset starts again from fresh weights; the banner goes away.
    mode.editor.lr.setValue(0.01)
    generation = mode.controller.generation
    mode.fault_banner.reset.click()
    qtbot.waitUntil(lambda: mode.controller.generation > generation and fresh(mode), timeout=10000)
    assert not mode.fault_banner.isVisible()
    assert np.all(np.isfinite(mode.controller.network.params)) and step_count(mode) == 0


def test_the_per_layer_key_sits_above_the_plot_with_one_entry_per_layer(qtbot, mode):
    panel = mode.gradient_panel
    key = mode.findChild(QLabel, "gradLegend")
    assert key is not None and key.isVisible()
    layers = len(panel.curves)
    assert layers >= 2
    assert key.text().count("━━") == layers
    assert key.toolTip() == "Curve colours: " + ", ".join(
        f"layer {i} {name}" for i, name in zip(range(1, layers + 1), ("blue", "orange", "bluish green")))
    assert panel.plot.getPlotItem().legend is None  # nothing drawn over the curves
