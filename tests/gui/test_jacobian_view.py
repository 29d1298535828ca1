"""The Jacobian tab: J_f, J_g, J_h as the core computes them, entry paths, JVP/VJP."""

import numpy as np
import pytest
from expression_helpers import drawn
from expression_helpers import show as show_text
from PySide6.QtCore import Qt

from chainrule_gui.core.calculus.jacobian import jacobian
from chainrule_gui.core.graph.paths import iter_paths

TWO_BY_TWO = "u = x*y; v = x + y; f1 = u^2 + v; f2 = sin(u)*v"
SEED = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"


def show(qtbot, mode, text):
    return show_text(qtbot, mode, text, tab=mode.jacobian_view)


def click(qtbot, table, row, column):
    rect = table.visualRect(table.model().index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_numbers_match_the_core(qtbot, mode):
    snapshot = show(qtbot, mode, TWO_BY_TWO)
    view = mode.jacobian_view
    expected = jacobian(snapshot.graph, ("f1", "f2"), ("x", "y"), snapshot.point, symbolic=False)
    assert view.result.outputs == ("f1", "f2") and view.result.via == ("u", "v")
    np.testing.assert_allclose(view.J_f.table.matrix, expected.J_f)
    np.testing.assert_allclose(view.J_g.table.matrix, expected.J_g)
    np.testing.assert_allclose(view.J_h.table.matrix, expected.J_h)
    np.testing.assert_allclose(view.J_h.table.matrix, view.J_f.table.matrix @ view.J_g.table.matrix)
    assert view.J_h.table.item(1, 0).text().startswith("1.9221")
    assert view.J_h.table.horizontalHeaderItem(1).text() == "y"
    # SymPy's Jacobian arrives from the background thread and agrees
    qtbot.waitUntil(lambda: view.symbolic is not None, timeout=20000)
    assert view.symbolic.agreement["symbolic"] is True
    assert "SymPy ✓" in view.checks.text()
    assert "SymPy: ∂f2/∂x" in view.J_h.table.item(1, 0).toolTip()


def test_clicking_an_entry_of_J_h_emits_exactly_its_paths(qtbot, mode):
    snapshot = show(qtbot, mode, TWO_BY_TWO)
    view = mode.jacobian_view
    with qtbot.waitSignal(view.paths_highlighted, timeout=3000) as signal:
        click(qtbot, view.J_h.table, 1, 1)
    paths = signal.args[0]
    assert sorted(paths) == sorted(iter_paths(snapshot.graph.variables, "f2", "y"))
    assert len(paths) == 2 and all(p[0] == "f2" and p[-1] == "y" for p in paths)
    assert view.J_h.table.marked == (1, 1)
    assert "J_h[f2, y]" in view.entry_text.text()
    # the diagram switches to d f2/dy and lights those paths
    qtbot.waitUntil(lambda: (mode.snapshot.of, mode.snapshot.wrt) == ("f2", "y"), timeout=10000)
    lit = {item.edge for item in mode.diagram.edges.values() if item.pen().widthF() > 2}
    assert lit == {e for p in paths for e in zip(p, p[1:])}


def test_clicking_J_f_emits_paths_that_stop_at_the_intermediate(qtbot, mode):
    show(qtbot, mode, "a = x + y; b = a*x; f = a*b")
    view = mode.jacobian_view
    assert view.result.via == ("a", "b")
    with qtbot.waitSignal(view.paths_highlighted, timeout=3000) as signal:
        click(qtbot, view.J_f.table, 0, 0)
    assert signal.args[0] == [("f", "a")]  # f → b → a crosses the other intermediate b


def test_choosing_intermediates_keeps_J_h(qtbot, mode):
    snapshot = show(qtbot, mode, SEED)
    view = mode.jacobian_view
    before = view.J_h.table.matrix.copy()
    view.choose(via=("t",))
    drawn(qtbot, mode, view)
    assert view.result.via == ("t",)
    np.testing.assert_allclose(view.J_h.table.matrix, before)
    assert view.J_g.table.matrix.tolist() == [[1.0]]
    view.choose(via=("x",))  # z reaches t through y as well: not a valid cut
    drawn(qtbot, mode, view)
    assert view.message.isVisible() and "without passing through" in view.message.text()
    view.choose(via=("x", "y"))
    drawn(qtbot, mode, view)
    assert not view.message.isVisible()
    assert view.via.chosen() == ("x", "y")
    assert snapshot.derivation.derivative == pytest.approx(view.J_h.table.matrix[0, 0])


def test_jvp_vjp_identity_is_shown_as_agreeing(qtbot, mode):
    snapshot = show(qtbot, mode, TWO_BY_TWO)
    view = mode.jacobian_view
    view.pages.setCurrentIndex(1)
    playground = view.playground
    v, u = np.array([0.5, -2.0]), np.array([3.0, 1.5])
    playground.set_vectors(v=v, u=u)
    J = view.result.J_h
    np.testing.assert_allclose(playground.check.jvp, J @ v)
    np.testing.assert_allclose(playground.check.vjp, u @ J)
    assert playground.check.u_dot_jvp == pytest.approx(u @ J @ v)
    assert "✓ equal" in playground.identity.text()
    assert "scalar output" in playground.why.text()
    assert playground.forward_flow.text().startswith("forward: x 0.5, y -2")
    # spin boxes are the user's way in: they recompute at once
    mode.findChild(type(playground.v_spins["x"]), "v_x").setValue(1.0)
    np.testing.assert_allclose(playground.check.jvp, J @ np.array([1.0, -2.0]))
    assert snapshot.of == "f1"


def test_an_equation_gets_a_message_not_a_crash(qtbot, mode):
    show(qtbot, mode, "x^2 + y^2 = 1")
    mode.bottom_tabs.setCurrentWidget(mode.jacobian_view)
    assert "Implicit tab" in mode.jacobian_view.message.text()


def lit_edges(mode):
    return {item.drawn.level_edge for item in mode.diagram.edges.values() if item.highlighted}


@pytest.mark.parametrize("view", ["tree", "graph"])
def test_clicking_a_factor_lights_it_in_the_diagram_whichever_output_was_shown(qtbot, mode, view):
    """J_f[f1, u] said "highlighted in the diagram" while the diagram showed f2 (nothing lit),
    and a J_g factor (∂u/∂x, starting below the root) never lit in the tree view."""
    show(qtbot, mode, TWO_BY_TWO)
    mode.findChild(type(mode.view_actions.actions()[0]), f"view_{view}").trigger()
    jac = mode.jacobian_view
    click(qtbot, jac.J_h.table, 1, 0)  # J_h[f2, x]: the diagram now shows df2/dx
    qtbot.waitUntil(lambda: (mode.snapshot.of, mode.snapshot.wrt) == ("f2", "x"), timeout=10000)

    click(qtbot, jac.J_f.table, 0, 0)  # J_f[f1, u]
    qtbot.waitUntil(lambda: mode.snapshot.of == "f1", timeout=10000)
    qtbot.waitUntil(lambda: lit_edges(mode) == {("f1", "u")}, timeout=5000)

    click(qtbot, jac.J_g.table, 1, 1)  # J_g[v, y]: below the root, in f1's diagram
    qtbot.waitUntil(lambda: lit_edges(mode) == {("v", "y")}, timeout=5000)
    assert "highlighted in the diagram" in jac.entry_text.text()
