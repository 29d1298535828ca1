"""The Implicit tab: the curve, a point dragged along it, and the tangent −F_x/F_y."""

import math
import re

import numpy as np
import pytest
from expression_helpers import path_rows, show
from PySide6.QtWidgets import QLabel

CIRCLE = "x^2 + y^2 = 1"


def curve_ready(view):
    return view.curve.xData is not None and len(view.curve.xData) > 0


def tangent_slope(view):
    x, y = view.tangent.xData, view.tangent.yData
    return (y[1] - y[0]) / (x[1] - x[0])


def test_typing_an_equation_brings_the_tab_forward_and_draws_the_curve(qtbot, mode):
    snapshot = show(qtbot, mode, "z = x^2")
    assert mode.bottom_tabs.currentWidget() is mode.function_plot_panel
    snapshot = show(qtbot, mode, CIRCLE)
    view = mode.implicit_view
    assert mode.bottom_tabs.currentWidget() is view
    # a new equation starts at the nearest point of the curve, not at a vertical tangent
    assert (snapshot.point["x"], snapshot.point["y"]) == pytest.approx((math.sqrt(0.5), math.sqrt(0.5)))
    qtbot.waitUntil(lambda: curve_ready(view), timeout=10000)
    xs, ys = view.curve.xData, view.curve.yData
    finite = np.isfinite(xs)
    assert np.abs(xs[finite] ** 2 + ys[finite] ** 2 - 1).max() < 0.01
    assert tangent_slope(view) == pytest.approx(-1.0)
    qtbot.waitUntil(lambda: not view.formula.pixmap().isNull(), timeout=20000)
    assert "-x/y" in view.formula.toolTip().replace(" ", "")  # −F_x/F_y simplified


@pytest.mark.parametrize("target", [(1.3, 0.4), (-0.2, 0.9), (-0.5, -1.5), (0.3, -0.2)])
def test_dragging_keeps_the_point_on_the_curve_with_slope_minus_x_over_y(qtbot, mode, target):
    show(qtbot, mode, CIRCLE)
    view = mode.implicit_view
    with qtbot.waitSignal(view.point_moved, timeout=3000):
        view.target.setPos(*target)  # what a mouse drag does to the point
    snapshot = mode.snapshot
    x, y = snapshot.point["x"], snapshot.point["y"]
    assert abs(x * x + y * y - 1) < 1e-12
    assert math.atan2(y, x) == pytest.approx(math.atan2(target[1], target[0]), abs=1e-9)
    assert (view.target.pos().x(), view.target.pos().y()) == pytest.approx((x, y))
    assert snapshot.implicit.derivative == pytest.approx(-x / y)
    assert tangent_slope(view) == pytest.approx(-x / y)
    shown = re.search(r"= ([-0-9.e+]+)</b>$", view.numbers.text()).group(1)
    assert float(shown) == pytest.approx(-x / y, rel=1e-8)


def test_a_vertical_tangent_is_a_message_not_a_crash(qtbot, mode):
    show(qtbot, mode, CIRCLE)
    view = mode.implicit_view
    view.drag_to(1.4, 0.0)
    qtbot.waitUntil(lambda: mode.snapshot.point["y"] == 0.0, timeout=5000)
    assert mode.snapshot.implicit is None
    assert "vertical" in view.message.text()
    tx = view.tangent.xData
    assert tx[0] == pytest.approx(tx[1])  # drawn straight up
    assert "undefined (vertical tangent)" in view.numbers.text()


def test_off_the_curve_says_so_and_offers_to_snap_back(qtbot, mode):
    show(qtbot, mode, CIRCLE)
    view = mode.implicit_view
    mode.controller.set_value("x", 0.2)
    qtbot.waitUntil(lambda: mode.snapshot.point["x"] == 0.2, timeout=5000)
    assert "not on the curve" in view.message.text()
    assert view.snap_button.isVisible()
    view.snap_button.click()
    qtbot.waitUntil(lambda: mode.snapshot.implicit is not None, timeout=5000)
    x, y = mode.snapshot.point["x"], mode.snapshot.point["y"]
    assert abs(x * x + y * y - 1) < 1e-12
    assert not view.snap_button.isVisible()


def test_other_variables_stay_fixed_and_change_the_slice(qtbot, mode):
    show(qtbot, mode, "x^2 + y^2 + z^2 = 2")
    view = mode.implicit_view
    assert "held at z = 1" in view.hint.text()
    qtbot.waitUntil(lambda: curve_ready(view), timeout=10000)
    first = view.curve.xData.copy()
    view.drag_to(0.9, 0.5)
    snapshot = mode.snapshot
    assert snapshot.point["x"] ** 2 + snapshot.point["y"] ** 2 == pytest.approx(1.0)
    assert snapshot.point["z"] == 1.0
    mode.controller.set_value("z", 0.5)
    qtbot.waitUntil(lambda: curve_ready(view) and len(view.curve.xData) != len(first)
                    or not np.array_equal(view.curve.xData, first), timeout=10000)


def test_definitions_show_a_hint(qtbot, mode):
    show(qtbot, mode, "z = x^2")
    mode.bottom_tabs.setCurrentWidget(mode.implicit_view)
    assert "x^2 + y^2 = 1" in mode.implicit_view.hint.text()
    assert not mode.implicit_view.target.isVisible()


def test_a_real_mouse_drag_moves_the_point_along_the_curve(qtbot, mode):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtTest import QTest

    show(qtbot, mode, CIRCLE)
    view = mode.implicit_view
    qtbot.waitUntil(lambda: curve_ready(view), timeout=10000)
    box = view.plot.getViewBox()

    def on_screen(x, y):
        return view.plot.mapFromScene(box.mapViewToScene(QPointF(x, y)))

    start, end = on_screen(view.here.x, view.here.y), on_screen(-0.3, 1.2)
    viewport = view.plot.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 11):
        QTest.mouseMove(viewport, start + (end - start) * (step / 10))
        qtbot.wait(10)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    x, y = mode.snapshot.point["x"], mode.snapshot.point["y"]
    assert abs(x * x + y * y - 1) < 1e-12
    assert math.atan2(y, x) == pytest.approx(math.atan2(1.2, -0.3), abs=0.08)  # within a few pixels


def test_on_a_curve_the_path_list_holds_the_paths_of_both_partials(qtbot, mode):
    snapshot = show(qtbot, mode, "x^2 + y^2 = 1")
    implicit = snapshot.implicit
    assert implicit is not None
    rows = path_rows(mode)
    x, y = implicit.wrt, implicit.of
    assert [r[0] for r in rows] == [f"F → {x}", f"F → {y}"]
    assert [r[1] for r in rows] == [f"∂F/∂{x}", f"∂F/∂{y}"]
    assert float(rows[0][3]) == pytest.approx(implicit.F_wrt.derivative, rel=1e-5)
    assert float(rows[1][3]) == pytest.approx(implicit.F_of.derivative, rel=1e-5)
    total = mode.findChild(QLabel, "pathTotal").text()
    assert f"d{y}/d{x} = −(∂F/∂{x})/(∂F/∂{y})" in total
    assert -float(rows[0][3]) / float(rows[1][3]) == pytest.approx(implicit.derivative, rel=1e-5)


def test_sympy_checks_the_slope_on_a_curve_too(qtbot, mode):
    implicit = show(qtbot, mode, "x^2 + x*y + y^3 = 3").implicit  # (1, 1) lies on it
    assert implicit.methods["symbolic"] == pytest.approx(implicit.derivative, rel=1e-9)
    assert implicit.agreement["symbolic"] is True
    assert implicit.derivative_expr is not None  # −F_x/F_y from SymPy
