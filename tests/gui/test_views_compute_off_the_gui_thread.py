"""The Jacobian and second-order tabs read results: their numbers are computed once per point,
off the GUI thread; SymPy's part once per text and choice; a stale answer never shows."""

import threading

import numpy as np
import pytest
from expression_helpers import drawn, show
from PySide6.QtWidgets import QDoubleSpinBox

from chainrule_gui.core.calculus.jacobian import jacobian
from chainrule_gui.core.calculus.second_order import derive_second
from chainrule_gui.gui.expression import jacobian_view as jacobian_module
from chainrule_gui.gui.expression import second_order_view as second_order_module

TWO_BY_TWO = "u = x*y; v = x + y; f1 = u^2 + v; f2 = sin(u)*v"


def spy(monkeypatch, module, name: str, calls: list, gate=None):
    """Record each call of ``module.name`` as (thread, point or None); with ``gate`` =
    (point, event), a call at that point waits for the event first."""
    real = getattr(module, name)

    def recorded(*args, **kwargs):
        point = next((dict(a) for a in args if isinstance(a, dict)), None)
        calls.append((threading.current_thread(), point))
        if gate is not None and point == gate[0]:
            assert gate[1].wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)


def move(qtbot, mode, name: str, value: float) -> None:
    """Type a value into the input's spin box, as a person does, and wait for the snapshot."""
    mode.findChild(QDoubleSpinBox, f"input_{name}").setValue(value)
    qtbot.waitUntil(lambda: mode.snapshot.point[name] == value, timeout=5000)


def off_the_gui_thread(calls) -> bool:
    return bool(calls) and all(thread is not threading.main_thread() for thread, _ in calls)


def test_jacobian_numbers_once_per_point_off_the_gui_thread_and_sympy_once(qtbot, mode, monkeypatch):
    numbers, symbolic = [], []
    spy(monkeypatch, jacobian_module, "jacobian", numbers)
    spy(monkeypatch, jacobian_module, "symbolic_jacobian", symbolic)
    view = mode.jacobian_view
    show(qtbot, mode, TWO_BY_TWO, tab=view)
    qtbot.waitUntil(lambda: view.symbolic is not None, timeout=20000)
    for value in (0.3, 0.4, 0.5):
        move(qtbot, mode, "x", value)
        drawn(qtbot, mode, view)
        assert view.symbolic is view.result  # SymPy's check is in the numbers at once now
    assert off_the_gui_thread(numbers) and off_the_gui_thread(symbolic)
    points = [p for _, p in numbers]
    assert len(points) == 4 and [p["x"] for p in points[1:]] == [0.3, 0.4, 0.5]  # once per point
    assert len(symbolic) == 1  # SymPy's Jacobian does not change with the point
    expected = jacobian(mode.snapshot.graph, ("f1", "f2"), ("x", "y"), mode.snapshot.point)
    np.testing.assert_allclose(view.J_h.table.matrix, expected.J_h)
    np.testing.assert_allclose(view.result.methods["symbolic"], expected.methods["symbolic"])
    assert "SymPy ✓" in view.checks.text()


def test_second_order_numbers_once_per_point_off_the_gui_thread_and_sympy_once(qtbot, mode, monkeypatch):
    calls = {name: [] for name in ("derive_second", "hessian", "symbolic_second", "symbolic_hessian")}
    for name, recorded in calls.items():
        spy(monkeypatch, second_order_module, name, recorded)
    view = mode.second_order_view
    show(qtbot, mode, "f = x^2*y^3 + sin(x*y)", tab=view)
    qtbot.waitUntil(lambda: view.symbolic_second is not None, timeout=20000)
    move(qtbot, mode, "x", 0.25)
    drawn(qtbot, mode, view)
    assert all(off_the_gui_thread(recorded) for recorded in calls.values()), calls
    assert [len(calls[n]) for n in ("derive_second", "hessian")] == [2, 2]  # two points, once each
    assert [len(calls[n]) for n in ("symbolic_second", "symbolic_hessian")] == [1, 1]
    expected = derive_second(mode.snapshot.graph, "f", "x", mode.snapshot.point)
    assert view.second.second == pytest.approx(expected.second)
    assert view.second.methods["symbolic"] == pytest.approx(expected.methods["symbolic"])
    assert view.second_checks.text().count("✓") == 5


def test_a_stale_jacobian_never_reaches_the_screen(qtbot, mode, monkeypatch):
    """The numbers for a point the person has already left arrive late: dropped, never drawn."""
    view = mode.jacobian_view
    show(qtbot, mode, TWO_BY_TWO, tab=view)
    stale_point = {**mode.snapshot.point, "x": 0.3}
    gate = threading.Event()
    spy(monkeypatch, jacobian_module, "jacobian", [], gate=(stale_point, gate))
    shown = []
    view.work.shown.connect(lambda staged: shown.append(staged.value.point["x"]))
    move(qtbot, mode, "x", 0.3)  # its numbers wait at the gate ...
    move(qtbot, mode, "x", 0.6)  # ... while the person moves on
    gate.set()
    drawn(qtbot, mode, view)
    qtbot.wait(100)  # had the stale answer been passed on, it would have arrived by now
    assert 0.3 not in shown and shown[-1] == 0.6
    expected = jacobian(mode.snapshot.graph, ("f1", "f2"), ("x", "y"), mode.snapshot.point, symbolic=False)
    np.testing.assert_allclose(view.J_h.table.matrix, expected.J_h)


def test_an_answer_for_a_text_replaced_by_an_equation_does_not_cover_the_message(qtbot, mode, monkeypatch):
    view = mode.jacobian_view
    show(qtbot, mode, TWO_BY_TWO, tab=view)
    gate = threading.Event()
    late_point = {**mode.snapshot.point, "x": 0.3}
    spy(monkeypatch, jacobian_module, "jacobian", [], gate=(late_point, gate))
    move(qtbot, mode, "x", 0.3)  # its numbers wait at the gate ...
    show(qtbot, mode, "x^2 + y^2 = 1", tab=view)  # ... while an equation replaces the text
    gate.set()
    qtbot.waitUntil(lambda: view.snapshot is mode.snapshot, timeout=5000)
    qtbot.wait(200)
    assert "Implicit tab" in view.message.text() and view.message.isVisible()
    assert view.result is None
