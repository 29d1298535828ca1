"""A point where something cannot be computed: every view shows what can be, marks where it
fails, and nothing of an earlier result lingers."""

import numpy as np
from expression_helpers import path_rows, show

SEED = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"
LOG_FAULT = "z = log(x - 3) + y; x = t^2; y = sin(t)"  # log(−2) at t = 1; fine for |t| > √3
SLOPE_FAULT = "z = sqrt(x)*y; x = t^2; y = exp(t)"  # √x has an infinite slope at x = 0


def move(qtbot, mode, name, value):
    mode.controller.set_value(name, value)
    qtbot.waitUntil(lambda: mode.snapshot.point[name] == value, timeout=5000)


def boxes(diagram, name):
    return [item for item in diagram.nodes.values() if item.name == name]


def value_text(diagram, name):
    return {item.value_run.text for item in boxes(diagram, name)}


def test_the_diagram_shows_what_can_be_computed_and_marks_the_failing_node(qtbot, mode):
    snapshot = show(qtbot, mode, LOG_FAULT)
    assert snapshot.derivation is None and "log of a negative number" in str(snapshot.error)
    diagram = mode.diagram
    assert value_text(diagram, "x") == {"= 1"} and value_text(diagram, "y") == {"= 0.8415"}
    assert value_text(diagram, "t") == {"= 1"}
    assert value_text(diagram, "z") == {"= —"}
    assert all(item.fault for item in boxes(diagram, "z"))
    assert not any(item.fault for item in diagram.nodes.values() if item.name != "z")
    assert not any(item.fault for item in diagram.edges.values())
    note = diagram.drawing.fault_note
    assert note is not None and note.isVisible() and "log of a negative number (log(-2))" in note.text
    tooltip = diagram.drawing.tooltip_for(boxes(diagram, "z")[0])
    assert "cannot be computed at this point" in tooltip and "line 1" in tooltip
    assert diagram.banner.isVisible() and "z cannot be computed" in diagram.banner_label.text()
    # the edges whose parent has a value show it; the failing node's edges show none
    labels = {key: label.value_run.text for key, label in diagram.labels.items() if label.value_run}
    assert any(text.endswith("= 2") for text in labels.values())  # dx/dt = 2t = 2
    assert any(text.endswith("—") for text in labels.values())  # ∂z/∂x at a z that does not exist


def test_a_good_point_again_clears_every_mark(qtbot, mode):
    show(qtbot, mode, LOG_FAULT)
    move(qtbot, mode, "t", 2.5)
    diagram = mode.diagram
    assert mode.snapshot.derivation is not None
    assert not any(item.fault for item in diagram.nodes.values())
    assert diagram.drawing.fault_note is None and not diagram.banner.isVisible()
    assert all("—" not in text for text in value_text(diagram, "z"))


def test_an_infinite_slope_marks_the_edge_in_every_view(qtbot, mode):
    show(qtbot, mode, SLOPE_FAULT)
    move(qtbot, mode, "t", 0.0)
    diagram = mode.diagram
    for view, edge in (("tree", ("z", "x")), ("graph", ("z", "x")), ("operations", None)):
        diagram.set_view(view)
        marked = [item for item in diagram.edges.values() if item.fault]
        assert len(marked) == 1, view
        if edge is not None:
            assert marked[0].drawn.level_edge == edge
        else:
            assert diagram.snapshot.graph.operations.nodes[marked[0].drawn.level_edge[0]]["op"] == "sqrt"
        assert not any(item.fault for item in diagram.nodes.values())
        assert value_text(diagram, "z") == {"= 0"}  # the value exists; only its slope does not
        assert "slope of sqrt is infinite" in diagram.drawing.fault_note.text
    assert "∂z/∂x" in diagram.banner_label.text() or "local derivative" in diagram.banner_label.text()


def test_the_operations_view_marks_the_operation_itself(qtbot, mode):
    mode.diagram.set_view("operations")
    show(qtbot, mode, LOG_FAULT)
    marked = [item for item in mode.diagram.nodes.values() if item.fault]
    assert [item.drawn.head for item in marked] == ["log"]
    assert "log(x - 3) cannot be computed" in mode.diagram.banner_label.text()


def test_no_stale_formula_after_switching_to_a_faulty_text(qtbot, mode):
    show(qtbot, mode, SEED)
    panel = mode.result_panel
    qtbot.waitUntil(lambda: panel.simplify_status.text() == "simplified", timeout=20000)
    assert panel.formula.pixmap() is not None and not panel.formula.pixmap().isNull()
    show(qtbot, mode, LOG_FAULT)
    qtbot.wait(300)  # room for a late simplification of the old text to arrive
    assert panel.formula_view.text == "" and panel.formula.pixmap().isNull()
    assert not panel.formula_view.isVisible() and not panel.table.isVisible()
    assert "cannot be computed at t = 1" in panel.title.text()
    assert "log of a negative number" in panel.notes.text()
    assert panel.simplify_status.text() == ""


def test_a_point_that_is_bad_for_a_moment_does_not_leave_simplifying_forever(qtbot, mode):
    show(qtbot, mode, "z = log(t)")
    panel = mode.result_panel
    qtbot.waitUntil(lambda: panel.simplify_status.text() == "simplified", timeout=20000)
    move(qtbot, mode, "t", -1.0)
    assert mode.snapshot.derivation is None and not panel.formula_view.isVisible()
    move(qtbot, mode, "t", 2.0)  # the same text: no new simplification is asked for
    assert panel.simplify_status.text() == "simplified" and panel.formula_view.isVisible()
    assert "1/t" in panel.formula_view.text.replace(" ", "")


def test_the_plot_draws_where_the_function_is_defined(qtbot, mode):
    show(qtbot, mode, LOG_FAULT)
    mode.bottom_tabs.setCurrentWidget(mode.function_plot_panel)
    plot = mode.function_plot
    xs, ys = plot.value_curve.xData, plot.value_curve.yData
    defined = np.abs(xs) > np.sqrt(3) + 1e-9
    assert np.isfinite(ys[defined]).all() and np.isnan(ys[~defined]).all()
    np.testing.assert_allclose(ys[defined], np.log(xs[defined] ** 2 - 3) + np.sin(xs[defined]))
    assert plot.marker.xData is None or len(plot.marker.xData) == 0  # no value at the point
    assert plot.tangent.xData is None or len(plot.tangent.xData) == 0
    note = mode.function_plot_panel.note
    assert note.text().startswith("z is undefined at t = 1") and "log of a negative" in note.toolTip()


def test_the_plot_note_is_elided_at_its_end_not_cut_at_its_start(qtbot, mode):
    show(qtbot, mode, LOG_FAULT)
    panel = mode.function_plot_panel
    mode.bottom_tabs.setCurrentWidget(panel)
    panel.resize(420, 300)
    qtbot.wait(20)
    note = panel.note
    long = "a very long status line " * 8
    note.setText(long)
    shown = note.shown_text()
    assert shown.endswith("…") and long.startswith(shown[:-1])
    assert note.fontMetrics().horizontalAdvance(shown) <= note.contentsRect().width()
    assert note.toolTip()


def test_step_through_says_why_it_has_nothing(qtbot, mode):
    show(qtbot, mode, SEED)
    assert mode.step_bar.costs.text()
    show(qtbot, mode, LOG_FAULT)
    assert "undefined here" in mode.step_bar.caption.text()
    assert mode.step_bar.costs.text() == ""  # the counts of the earlier derivation are gone


def test_an_equation_undefined_at_the_point_shows_no_old_numbers(qtbot, mode):
    show(qtbot, mode, "x^2 + y^2 = 1")
    mode.bottom_tabs.setCurrentWidget(mode.implicit_view)
    qtbot.waitUntil(lambda: mode.implicit_view.numbers.text() != "", timeout=10000)
    show(qtbot, mode, "x^2 + log(y) = 1")
    move(qtbot, mode, "y", -1.0)
    assert mode.snapshot.implicit is None and "log of a negative" in str(mode.snapshot.error)
    assert mode.implicit_view.numbers.text() == ""
    assert "log of a negative" in mode.implicit_view.message.text()
    assert [item.name for item in mode.diagram.nodes.values() if item.fault] == ["_F"]
    assert "Implicit tab" in mode.result_panel.notes.text()


def test_the_path_list_keeps_the_paths_and_marks_the_factors_it_cannot_compute(qtbot, mode):
    show(qtbot, mode, LOG_FAULT)
    rows = path_rows(mode)
    assert [row[0] for row in rows] == ["z → x → t", "z → y → t"]
    # ∂z/∂x needs z, which does not exist at t = 1; dx/dt = 2t and dy/dt = cos t do
    assert rows[0][2] == "— · 2" and rows[1][2] == "— · 0.5403"
    assert [row[3] for row in rows] == ["—", "—"]
    total = mode.path_list.total.text()
    assert total.startswith("2 paths; at this point log of a negative number (log(-2))")
    assert total.endswith("neither can dz/dt.")
    move(qtbot, mode, "t", 2.5)  # defined again: numbers and the sum come back
    assert all("—" not in row[2] for row in path_rows(mode))
    assert mode.path_list.total.text().startswith("Sum of 2 path products: dz/dt = ")


def test_at_an_infinite_slope_only_that_factor_is_missing(qtbot, mode):
    show(qtbot, mode, SLOPE_FAULT)
    move(qtbot, mode, "t", 0.0)
    rows = {row[0]: row for row in path_rows(mode)}
    assert set(rows) == {"z → x → t", "z → y → t"}
    assert rows["z → x → t"][2].startswith("—") and rows["z → x → t"][3] == "—"
    assert "—" not in rows["z → y → t"][2]  # ∂z/∂y = √x = 0 and dy/dt = 1: its product is 0
    assert rows["z → y → t"][3] == "0"
