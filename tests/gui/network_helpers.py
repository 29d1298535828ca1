"""What the Network-mode widget tests share: a mode on screen, its buttons, and waiting for
the training thread to report."""

import pytest
from PySide6.QtWidgets import QPushButton

from chainrule_gui.gui.network.mode import NetworkMode


@pytest.fixture
def mode(qtbot):
    """A Network mode shown at 1280×800, once the worker has reported its first network."""
    widget = NetworkMode()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitUntil(lambda: widget.controller.latest is not None, timeout=10000)
    yield widget
    widget.shutdown()


def button(mode, name) -> QPushButton:
    found = mode.findChild(QPushButton, name)
    assert found is not None, name
    return found


def fresh(mode) -> bool:
    """The worker has reported on the network built last."""
    latest = mode.controller.latest
    return latest is not None and latest.generation == mode.controller.generation


def step_count(mode) -> int:
    return mode.controller.latest.step if mode.controller.latest else 0
