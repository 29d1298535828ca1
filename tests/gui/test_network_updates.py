"""What each training update costs and carries: the decision grid only while its plot can be
seen, the weights copied once, and the training thread driven by typed commands."""

import numpy as np
from PySide6.QtWidgets import QSplitter

from tests.gui.network_helpers import button, fresh, mode, step_count  # noqa: F401 - mode: a fixture


def squeeze_decision_plot(mode, to_nothing: bool) -> None:
    """Drag the handle between the decision plot and the equations all the way (or back)."""
    splitter = mode.decision_plot.parent()
    assert isinstance(splitter, QSplitter)
    splitter.setSizes([0, 530] if to_nothing else [290, 240])


def step(qtbot, mode) -> None:
    before = step_count(mode)
    button(mode, "stepButton").click()
    qtbot.waitUntil(lambda: step_count(mode) == before + 1, timeout=5000)


def test_a_hidden_decision_plot_is_not_computed_and_catches_up_when_seen(qtbot, mode):
    step(qtbot, mode)
    assert mode.decision_plot.seen and mode.controller.latest.grid is not None
    squeeze_decision_plot(mode, to_nothing=True)
    qtbot.waitUntil(lambda: not mode.decision_plot.seen, timeout=5000)
    for _ in range(3):
        step(qtbot, mode)
        assert mode.controller.latest.grid is None  # no 72×72 forward passes for a hidden plot
    shown_step = step_count(mode)
    squeeze_decision_plot(mode, to_nothing=False)
    # In view again while paused: the grid of the current weights comes without another step.
    qtbot.waitUntil(lambda: mode.controller.latest.grid is not None, timeout=5000)
    assert step_count(mode) == shown_step
    grid = mode.controller.latest.grid
    xs, ys = mode.controller.grid_axes
    gx, gy = np.meshgrid(xs, ys)
    expected = mode.controller.network.probabilities(np.column_stack([gx.ravel(), gy.ravel()]))
    np.testing.assert_allclose(grid, expected.reshape(len(ys), len(xs), -1))  # of the weights shown
    assert mode.decision_plot._last_grid is grid  # drawn


def test_while_training_the_grid_comes_only_while_the_plot_is_in_view(qtbot, mode):
    squeeze_decision_plot(mode, to_nothing=True)
    qtbot.waitUntil(lambda: not mode.decision_plot.seen, timeout=5000)
    grids = []
    mode.controller.updated.connect(lambda update: grids.append(update.grid is not None))
    button(mode, "startButton").click()
    qtbot.waitUntil(lambda: len(grids) >= 5, timeout=10000)
    assert not any(grids)
    squeeze_decision_plot(mode, to_nothing=False)
    qtbot.waitUntil(lambda: grids[-1], timeout=5000)
    button(mode, "pauseButton").click()
    qtbot.waitUntil(lambda: not mode.controller.latest.running, timeout=5000)


def test_the_weights_of_an_update_are_copied_once(qtbot, mode):
    """The training thread copies the weights for the GUI; the GUI's network and the diagram
    read that copy, not copies of it."""
    step(qtbot, mode)
    network, update = mode.controller.network, mode.controller.latest
    assert network.params is update.params
    drawn_W, drawn_b = mode.diagram._last_weights[0][0]
    assert np.shares_memory(drawn_W, update.params) and np.shares_memory(drawn_b, update.params)
    np.testing.assert_array_equal(drawn_W, network.layers[0].W)


def test_a_command_that_is_not_one_is_refused_and_training_goes_on(qtbot, mode):
    """Commands are typed: a bare name (as they once were) is a bug, reported as one."""
    errors = []
    mode.controller.error.connect(errors.append)
    mode.controller.worker.post("step")
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert "not a training command: 'step'" in errors[0]
    step(qtbot, mode)
    assert fresh(mode) and step_count(mode) == 1
