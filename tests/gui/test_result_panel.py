"""The result panel: typeset derivative, five methods with a badge, and the FD error plot."""

import math

import numpy as np
import pytest
from expression_helpers import show
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QTableWidget, QWidget

from chainrule_gui.core.expressions.printing import to_latex

SEED = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"


def data(item):
    """The x and y an item was given (getData returns log10 values on log axes)."""
    x = item.xData if item.xData is not None else np.empty(0)
    y = item.yData if item.yData is not None else np.empty(0)
    return x, y


def panel_parts(mode):
    panel = mode.findChild(QWidget, "resultPanel")
    table = panel.findChild(QTableWidget, "verificationTable")
    rows = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    return panel, table, rows


def test_typeset_formula_and_all_five_methods_with_the_badge(qtbot, mode):
    snapshot = show(qtbot, mode, SEED)
    panel, _table, rows = panel_parts(mode)
    formula = panel.findChild(QLabel, "resultFormula")
    assert not formula.pixmap().isNull()  # typeset, not raw text
    shown = mode.result_panel.formula_view.text  # unsimplified, or simplified if SymPy was quick
    assert shown.startswith("dz/dt = ") and shown in formula.toolTip()
    assert [r[0] for r in rows] == ["path sum", "reverse mode", "forward mode", "SymPy", "finite difference"]
    assert [r[2] for r in rows] == ["✓"] * 5
    for row in rows:
        assert float(row[1]) == pytest.approx(snapshot.derivation.derivative, rel=1e-6)
    badge = panel.findChild(QLabel, "agreementBadge")
    assert badge.text() == "✓ all methods agree"
    assert "1e-08" in badge.toolTip() and "estimated error" in badge.toolTip()


def test_the_simplified_form_arrives(qtbot, mode):
    snapshot = show(qtbot, mode, SEED)
    status = mode.result_panel.simplify_status
    assert status.text() in ("simplifying…", "simplified")
    qtbot.waitUntil(lambda: status.text() == "simplified", timeout=20000)
    latex = mode.result_panel.formula_view.latex
    assert latex != r"\frac{dz}{dt} = " + to_latex(snapshot.derivation.derivative_expr)
    assert latex.startswith(r"\frac{dz}{dt} = t \left(4 t^{2}")  # SymPy's t(4t² + (t + 2)eᵗcos(t²eᵗ))


def test_formula_copies_as_latex_and_text(qtbot, mode):
    show(qtbot, mode, SEED)
    view = mode.result_panel.formula_view
    names = [a.objectName() for a in view.context_menu().actions()]
    assert names == ["copyLatex", "copyText"]
    view.copy_latex()
    assert QGuiApplication.clipboard().text().startswith(r"\frac{dz}{dt} = ")
    view.copy_text()
    assert QGuiApplication.clipboard().text().startswith("dz/dt = ")


def test_a_long_formula_does_not_widen_the_panel(qtbot, mode):
    terms = " + ".join(f"sin({k}*x*y + x^{k})" for k in range(1, 16))
    show(qtbot, mode, f"z = {terms}\nx = t^2\ny = e^t")
    panel = mode.result_panel
    assert panel.formula_view.label.sizeHint().width() > 1500  # it really is long
    assert panel.minimumSizeHint().width() < 400  # but it scrolls instead
    assert panel.formula_view.height() <= 200


def test_fd_error_plot_has_the_v_and_marks_the_default_step(qtbot, mode):
    snapshot = show(qtbot, mode, SEED)
    plot = mode.result_panel.fd_plot
    steps, errors = data(plot.error_curve)
    assert len(steps) > 30 and np.isfinite(errors).all() and (errors > 0).all()
    best = steps[np.argmin(errors)]
    assert 1e-9 < best < 1e-3  # the bottom of the V is in the middle of the range
    assert errors[0] > 100 * errors.min() and errors[-1] > 100 * errors.min()
    (h,), _ = data(plot.default_point)
    assert h == snapshot.derivation.finite_difference.step
    assert len(data(plot.kink_points)[0]) == 0


def test_relu_at_zero_is_flagged_as_a_kink(qtbot, mode):
    show(qtbot, mode, "y = relu(x) + x^2")
    mode.controller.set_value("x", 0.0)
    qtbot.waitUntil(lambda: mode.snapshot.point["x"] == 0.0, timeout=5000)
    panel = mode.result_panel
    kinks, _ = data(panel.fd_plot.kink_points)
    assert len(kinks) == len(data(panel.fd_plot.error_curve)[0]) > 20
    assert "kink" in panel.fd_caption.text()
    assert "kink" in panel.notes.text()
    _, _, rows = panel_parts(mode)
    assert rows[4][2] == "—"  # finite differences are not compared across a kink
    assert panel.badge.text() == "✓ agree (1 not compared)"
    assert "Not compared: finite difference" in panel.badge.toolTip()


def test_moving_the_point_updates_numbers_and_the_curve(qtbot, mode):
    show(qtbot, mode, SEED)
    before = data(mode.result_panel.fd_plot.error_curve)[1].copy()
    mode.controller.set_value("t", 0.5)
    qtbot.waitUntil(lambda: mode.snapshot.point["t"] == 0.5, timeout=5000)
    d = mode.snapshot.derivation
    assert f"{d.derivative:.6f}"[:6] in mode.result_panel.value.text().replace("−", "-")
    after = data(mode.result_panel.fd_plot.error_curve)[1]
    assert not np.array_equal(before, after)


def test_an_implicit_equation_shows_its_slope_by_each_method(qtbot, mode):
    snapshot = show(qtbot, mode, "x^2 + y^2 = 1")
    panel = mode.result_panel
    x, y = snapshot.point["x"], snapshot.point["y"]
    assert math.isclose(snapshot.implicit.derivative, -x / y, rel_tol=1e-9)
    _, _, rows = panel_parts(mode)
    assert rows[0][0] == "path sums"
    assert float(rows[1][1]) == pytest.approx(-x / y)
    assert not panel.fd_box.isVisible()


def test_too_slow_to_simplify_keeps_the_unsimplified_form(qtbot, mode, monkeypatch):
    from chainrule_gui.gui.expression import controller as controller_module

    # simplify takes about 0.2 s on the seed's dz/dt; a warm worker's round trip alone ~0.1 ms
    monkeypatch.setattr(controller_module, "SIMPLIFY_TIMEOUT_S", 1e-3)
    snapshot = show(qtbot, mode, SEED)
    status = mode.result_panel.simplify_status
    qtbot.waitUntil(lambda: status.text() == "too slow to simplify; showing the unsimplified form",
                    timeout=20000)
    assert mode.result_panel.formula_view.latex == r"\frac{dz}{dt} = " + to_latex(snapshot.derivation.derivative_expr)


def test_a_stale_simplification_is_stopped_not_waited_behind(qtbot, mode, monkeypatch):
    """SymPy's simplifying child takes one request at a time.  When the text changes while it
    is still busy (here made to take a minute), it is stopped after a second and the new
    text is simplified next, not after the old one's time limit."""
    from chainrule_gui.core.calculus import sympy_worker
    from chainrule_gui.gui.expression import controller as controller_module

    monkeypatch.setattr(controller_module, "SIMPLIFY_TIMEOUT_S", 60.0)
    real = sympy_worker.default_worker
    asked = []

    class FirstOneHangs:
        def call(self, task, *args, **kwargs):
            asked.append(task)
            if len(asked) == 1:
                return real().call("sleep", 60, **kwargs)
            return real().call(task, *args, **kwargs)

    monkeypatch.setattr(sympy_worker, "default_worker", FirstOneHangs)
    status = mode.result_panel.simplify_status
    show(qtbot, mode, SEED)
    qtbot.waitUntil(lambda: asked == ["simplify"], timeout=10000)
    show(qtbot, mode, "z = sin(t)^2 + cos(t)^2")
    qtbot.waitUntil(lambda: status.text() == "simplified", timeout=20000)
    assert mode.result_panel.formula_view.text == "dz/dt = 0"
    assert asked == ["simplify", "simplify"]


def test_tab_shortcuts_bring_views_forward(qtbot, mode):
    show(qtbot, mode, SEED)
    for action in mode.view_tab_actions:
        action.trigger()
        assert mode.bottom_tabs.currentWidget().objectName() == action.objectName().removeprefix("showTab_")
    assert [a.shortcut().toString() for a in mode.view_tab_actions] == [
        "Ctrl+Shift+P", "Ctrl+Shift+J", "Ctrl+Shift+H", "Ctrl+Shift+I"]
