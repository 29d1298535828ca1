"""The function plot: finite curves, the tangent at the point, path contributions, robust axes."""

import numpy as np
import pytest
from expression_helpers import show

from chainrule_gui.gui.expression.function_plot import robust_range

SEED = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"
THREE_PATHS = "w = x*exp(y/z); x = t^2; y = 1 - t; z = 1 + 2*t"


def data(item):
    return item.xData, item.yData


def test_plot_receives_finite_data_and_the_tangent_touches_the_point(qtbot, mode):
    snapshot = show(qtbot, mode, SEED)
    plot = mode.function_plot
    assert plot.objectName() == "functionPlot"
    xs, ys = data(plot.value_curve)
    assert len(xs) > 100 and np.isfinite(ys).all()
    assert xs[0] == snapshot.ranges["t"][0] and xs[-1] == snapshot.ranges["t"][1]
    _, dys = data(plot.derivative_curve)
    assert np.isfinite(dys).all()
    d = snapshot.derivation
    tx, ty = data(plot.tangent)
    at_point = np.interp(d.point["t"], tx, ty)
    assert at_point == pytest.approx(d.value, abs=1e-9)
    slope = (ty[-1] - ty[0]) / (tx[-1] - tx[0])
    assert slope == pytest.approx(d.derivative)
    assert data(plot.marker)[1][0] == d.value
    # the sampled derivative at the point is the derivation's
    i = np.argmin(np.abs(xs - d.point["t"]))
    assert xs[i] == pytest.approx(1.0) and dys[i] == pytest.approx(d.derivative)


def test_path_contributions_sum_to_the_derivative_curve(qtbot, mode):
    show(qtbot, mode, THREE_PATHS)
    panel = mode.function_plot_panel
    assert not any(c.isVisible() for c in panel.plot.path_curves)
    panel.paths_toggle.setChecked(True)
    visible = [c for c in panel.plot.path_curves if c.isVisible()]
    assert len(visible) == 3
    total = np.sum([c.yData for c in visible], axis=0)
    _, derivative = data(panel.plot.derivative_curve)
    finite = np.isfinite(derivative)
    assert finite.sum() > 100
    assert np.allclose(total[finite], derivative[finite], rtol=1e-9, atol=1e-9)
    labels = [name for name, _, _ in panel.plot.legend_entries]
    assert "path w→x→t" in labels and "path w→z→t" in labels
    assert "path w→y→t" in panel.legend.text()
    panel.paths_toggle.setChecked(False)
    assert not any(c.isVisible() for c in panel.plot.path_curves)


def test_an_exploding_derivative_does_not_flatten_the_plot(qtbot, mode):
    snapshot = show(qtbot, mode, "y = 1/(4.02 - x)")
    plot = mode.function_plot
    _, dys = data(plot.derivative_curve)
    low, high = plot.derivative_box.viewRange()[1]
    assert np.nanmax(dys) > 1000  # near x = 4 the slope is about 2500
    assert high < 0.2 * np.nanmax(dys)  # the axis is clipped to the middle of the data
    assert low <= snapshot.derivation.derivative <= high  # and still shows the point's slope
    assert "clipped" in mode.function_plot_panel.note.text()


def test_robust_range_keeps_ordinary_extremes_and_clips_outliers():
    smooth = np.linspace(-1, 1, 200)
    low, high = robust_range(smooth)
    assert low < -1 < 1 < high  # nothing clipped
    spiky = np.concatenate([smooth, [1e6]])
    low, high = robust_range(spiky)
    assert high < 10
    assert robust_range(np.array([np.nan])) is None
    assert robust_range(np.array([2.0, 2.0])) == pytest.approx((1.0, 3.0))


def test_a_cut_edge_draws_the_cut_slope_beside_the_true_tangent(qtbot, mode):
    show(qtbot, mode, SEED)
    mode.controller.toggle_cut(("z", "y"))
    qtbot.waitUntil(lambda: mode.snapshot.cut == {("z", "y")}, timeout=10000)
    plot = mode.function_plot
    d = mode.snapshot.derivation
    cx, cy = data(plot.cut_slope)
    assert (cy[-1] - cy[0]) / (cx[-1] - cx[0]) == pytest.approx(d.derivative)
    tx, ty = data(plot.tangent)
    assert (ty[-1] - ty[0]) / (tx[-1] - tx[0]) == pytest.approx(d.methods["reverse"] + d.removed_paths[0].product)
    assert "slope with the cut edges" in mode.function_plot_panel.legend.text()


def test_a_hidden_plot_waits_until_it_is_shown(qtbot, mode):
    show(qtbot, mode, SEED)
    panel = mode.function_plot_panel
    mode.bottom_tabs.setCurrentWidget(mode.jacobian_view)
    renders = panel.renders
    for value in (0.5, 0.6, 0.7):
        mode.controller.set_value("t", value)
    assert panel.renders == renders  # no sampling while hidden
    mode.bottom_tabs.setCurrentWidget(panel)
    assert panel.renders == renders + 1  # one catch-up render with the newest point
    tx, ty = data(panel.plot.tangent)
    assert np.interp(0.7, tx, ty) == pytest.approx(mode.snapshot.derivation.value)


def test_a_function_exploding_over_half_the_range_keeps_the_point_readable(qtbot, mode):
    snapshot = show(qtbot, mode, "z = exp(x^2)\nx = t^2")
    plot = mode.function_plot
    _, values = data(plot.value_curve)
    low, high = plot.getPlotItem().vb.viewRange()[1]
    assert np.nanmax(values) > 1e50
    assert low <= snapshot.derivation.value <= high
    assert high - low < 1e6  # the neighbourhood of the point, not 10^100
