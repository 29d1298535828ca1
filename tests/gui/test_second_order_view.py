"""The second-order tab: chain-rule terms that sum to d²/dx², and a symmetric Hessian."""

import math

import numpy as np
import pytest
from expression_helpers import drawn
from expression_helpers import show as show_text

from chainrule_gui.core.calculus.second_order import hessian

SEED = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"


def show(qtbot, mode, text):
    return show_text(qtbot, mode, text, tab=mode.second_order_view)


def test_textbook_terms_for_a_single_inner_function(qtbot, mode):
    show(qtbot, mode, "y = sin(u); u = x^2")
    mode.controller.set_value("x", 0.7)
    qtbot.waitUntil(lambda: mode.snapshot.point["x"] == 0.7, timeout=5000)
    view = mode.second_order_view
    drawn(qtbot, mode, view)
    d = view.second
    labels = [view.terms.item(r, 0).text() for r in range(view.terms.rowCount())]
    assert labels == ["d²y/du² · (du/dx)²", "dy/du · d²u/dx²"]  # f''(g)·g'² + f'(g)·g''
    x = 0.7
    assert [t.value for t in d.terms] == pytest.approx([-math.sin(x * x) * (2 * x) ** 2, math.cos(x * x) * 2])
    expected = 2 * math.cos(x * x) - 4 * x * x * math.sin(x * x)
    assert d.second == pytest.approx(expected)
    assert not view.rule.pixmap().isNull()  # the rule is typeset


def test_terms_sum_to_the_second_derivative(qtbot, mode):
    show(qtbot, mode, SEED)
    view = mode.second_order_view
    d = view.second
    assert view.terms.rowCount() == len(d.terms) == 5
    assert math.fsum(t.value for t in d.terms) == pytest.approx(d.second, rel=1e-12)
    assert f"{d.methods['paths']:.6f}"[:7] in view.total.text()
    qtbot.waitUntil(lambda: view.symbolic_second is not None, timeout=20000)
    assert view.second_checks.text().count("✓") == 5  # terms, forward-over-reverse, Taylor, SymPy, finite difference


def test_hessian_heatmap_is_symmetric_and_matches_the_core(qtbot, mode):
    snapshot = show(qtbot, mode, "f = x^2*y^3 + sin(x*y)")
    view = mode.second_order_view
    view.pages.setCurrentIndex(1)
    shown = view.hessian_panel.table.matrix
    expected = hessian(snapshot.graph, "f", ("x", "y"), snapshot.point, symbolic=False).matrix
    np.testing.assert_allclose(shown, expected)
    np.testing.assert_allclose(shown, shown.T)
    assert shown[0, 1] != 0  # a real mixed partial, not a trivially diagonal matrix
    assert "✓ symmetric" in view.symmetry.text()
    qtbot.waitUntil(lambda: view.symbolic_hessian is not None, timeout=20000)
    assert view.symbolic_hessian.agreement["symbolic"] is True
    assert "SymPy ✓" in view.hessian_checks.text()
    view.choose_hessian_inputs(("y",))
    qtbot.waitUntil(lambda: view.hessian_panel.table.matrix.shape == (1, 1), timeout=10000)


def test_an_equation_gets_a_message(qtbot, mode):
    show(qtbot, mode, "x^2 + y^2 = 1")
    mode.bottom_tabs.setCurrentWidget(mode.second_order_view)
    assert "Second derivatives need" in mode.second_order_view.message.text()


def test_a_cut_edge_holds_its_value_in_second_derivatives_too(qtbot, mode):
    """z = x·y with y cut: y is a constant to z, so d²z/dt² = y·x'' = 2·sin t (not the
    whole graph's −t²·sin t + 4t·cos t + 2·sin t), by every method."""
    show(qtbot, mode, "z = x*y\nx = t^2\ny = sin(t)")
    mode.controller.set_value("t", 0.7)
    qtbot.waitUntil(lambda: mode.snapshot.point["t"] == 0.7, timeout=5000)
    view = mode.second_order_view
    drawn(qtbot, mode, view)
    t = 0.7
    assert view.second.second == pytest.approx(-t * t * math.sin(t) + 4 * t * math.cos(t) + 2 * math.sin(t))
    assert not view.cut_note.isVisible()
    mode.controller.set_cut([("z", "y")])
    qtbot.waitUntil(lambda: mode.snapshot.cut == frozenset({("z", "y")}), timeout=5000)
    drawn(qtbot, mode, view)
    d = view.second
    assert d.second == pytest.approx(2 * math.sin(t))
    assert [view.terms.item(r, 0).text() for r in range(view.terms.rowCount())] == ["∂z/∂x · d²x/dt²"]
    assert view.cut_note.isVisible() and "z → y is cut" in view.cut_note.text()
    assert "dx/dt = " in view.inner.text() and "dy/dt" not in view.inner.text()  # z sees y fixed
    assert not view.message.isVisible()  # not an error
    qtbot.waitUntil(lambda: view.symbolic_second is not None, timeout=20000)
    assert view.second_checks.text().count("✓") == 5
    view.pages.setCurrentIndex(1)  # the Hessian (of the one input) agrees
    assert view.hessian_panel.table.matrix[0, 0] == pytest.approx(2 * math.sin(t))
    assert view.hessian_cut_note.isVisible()
    mode.controller.set_cut([])
    qtbot.waitUntil(lambda: not mode.snapshot.cut, timeout=5000)
    drawn(qtbot, mode, view)
    assert not view.hessian_cut_note.isVisible() and not view.cut_note.text()
