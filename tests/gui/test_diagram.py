"""The tree diagram through the Expression mode: views, labels, highlights, cuts, exports."""

import itertools
import xml.etree.ElementTree as ET

import pytest
from expression_helpers import show
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QDoubleSpinBox, QGraphicsView, QTableView

SEED = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"
#: 16 names, 32 operation boxes, a 22-node tree: the "30+ nodes" case.
NETWORK = ("L = (yhat - y)^2\nyhat = sigmoid(w5*h1 + w6*h2 + b2)\nh1 = relu(w1*x1 + w2*x2 + b1)\n"
           "h2 = tanh(w3*x1 + w4*x2 + b1)\nx1 = 2*s\nx2 = s^2")


def typeset(qtbot, diagram):
    qtbot.waitUntil(lambda: diagram.typesetter.pending == 0, timeout=10000)
    qtbot.wait(10)  # the idle re-layout runs right after the last label


def lit_edges(diagram):
    return {item.drawn.level_edge for item in diagram.edges.values() if item.highlighted}


def wait_for(qtbot, mode, condition):
    qtbot.waitUntil(lambda: mode.snapshot is not None and condition(mode.snapshot), timeout=10000)


# -- views -----------------------------------------------------------------------------------
def test_the_diagram_is_the_named_graphics_view(qtbot, mode):
    show(qtbot, mode, SEED)
    assert mode.findChild(QGraphicsView, "treeDiagram") is mode.diagram


def test_each_view_draws_its_own_nodes(qtbot, mode):
    show(qtbot, mode, SEED)
    seen = []
    mode.diagram.view_changed.connect(seen.append)
    assert sorted(n.name for n in mode.diagram.nodes.values()) == ["t", "t", "x", "y", "z"]
    mode.findChild(QAction, "view_graph").trigger()
    assert set(mode.diagram.nodes) == {"z", "x", "y", "t"} and len(mode.diagram.labels) == 4
    mode.findChild(QAction, "view_operations").trigger()
    # 12 operations; z, x and y share the box of the operation they name
    assert len(mode.diagram.nodes) == 9
    assert {n.drawn.kind for n in mode.diagram.nodes.values()} >= {"op", "const", "input", "output"}
    assert seen == ["graph", "operations"]
    assert mode.findChild(QAction, "view_operations").isChecked()
    with pytest.raises(ValueError):
        mode.diagram.set_view("sideways")


def test_nodes_show_name_expression_value_and_adjoint(qtbot, mode):
    snapshot = show(qtbot, mode, SEED)
    node = mode.diagram.nodes["z/x"]
    texts = [run.text for row in node.block.rows for run in row]
    assert texts[0] == "x" and texts[1] == "= t**2"
    assert node.value_run.text == "= 1"
    adjoint = snapshot.derivation.adjoints["x"]
    assert node.second_run.text == f"∂z/∂x = {adjoint:.4g}".replace("-", "−")
    tip = mode.diagram.drawing.tooltip_for(node)
    assert "x = t**2" in tip and "adjoint" in tip


# -- edge labels -------------------------------------------------------------------------------
def test_every_edge_label_is_typeset_with_its_value(qtbot, mode):
    show(qtbot, mode, SEED)
    diagram = mode.diagram
    typeset(qtbot, diagram)
    for label in diagram.labels.values():
        math = [r for row in label.block.rows for r in row if r.latex is not None]
        assert len(math) == 1 and math[0].pixmap is not None and not math[0].pixmap.isNull()
    label = diagram.labels[("z", "z/x")]
    assert label.block.rows[0][0].latex == r"\partial z/\partial x = 2 x + y \cos{\left(x y \right)}"
    assert label.value_run.text == "= −0.4783"
    assert "∂z/∂x = 2*x + y*cos(x*y)" in diagram.drawing.tooltip_for(label)


def test_the_label_toggle_switches_formula_and_value(qtbot, mode):
    show(qtbot, mode, SEED)
    diagram = mode.diagram
    key = ("z", "z/x")
    diagram.set_label_mode("numeric")
    runs = [r for row in diagram.labels[key].block.rows for r in row]
    assert [r.latex for r in runs] == [None] and runs[0].text == "∂z/∂x = −0.4783"
    diagram.set_label_mode("symbolic")
    runs = [r for row in diagram.labels[key].block.rows for r in row]
    assert len(runs) == 1 and runs[0].latex is not None and diagram.labels[key].value_run is None
    mode.diagram.cycle_labels_action.trigger()  # Ctrl+L: both → symbolic → numeric → both
    assert diagram.label_mode == "numeric"
    mode.diagram.cycle_labels_action.trigger()
    assert diagram.label_mode == "both"
    assert diagram.findChild(QAction, "labels_both").isChecked()
    assert "both" in diagram.label_button.text()


# -- highlighting --------------------------------------------------------------------------------
def test_selecting_a_path_lights_its_edges_and_shows_its_product(qtbot, mode):
    snapshot = show(qtbot, mode, SEED)
    mode.findChild(QTableView, "pathList").selectRow(1)
    assert lit_edges(mode.diagram) == {("z", "y"), ("y", "t")}
    assert {k for k, n in mode.diagram.nodes.items() if n.highlighted} == {"z", "z/y", "z/y/t"}
    callout = mode.diagram.drawing.callout
    product = snapshot.derivation.paths[1].product
    texts = [r.text for row in callout.block.rows for r in row]
    assert texts[0] == "Path z → y → t"
    assert texts[1].startswith("∂z/∂y · dy/dt = ") and texts[1].endswith(f"{product:.4g}".replace("-", "−"))
    assert callout.sceneBoundingRect().bottom() <= mode.diagram.nodes["z"].sceneBoundingRect().top()


def test_paths_light_up_in_the_operations_view_too(qtbot, mode):
    show(qtbot, mode, SEED)
    diagram = mode.diagram
    diagram.set_view("operations")
    diagram.highlight_paths([("z", "y", "t")])
    lit = [item for item in diagram.edges.values() if item.highlighted]
    heads = {diagram.nodes[item.key[0]].drawn.head for item in lit}
    ends = {diagram.nodes[item.key[1]].drawn.head for item in lit}
    # down z's definition (z → sin → ×) into y, then y's own definition (exp) into t
    assert heads == {"z", "sin", "×", "y"}
    assert {"y", "t"} <= ends and "x" not in ends


def test_selecting_an_edge_lights_every_path_through_it(qtbot, mode):
    show(qtbot, mode, "f = u*v + u; u = sin(t); v = u + t")
    diagram = mode.diagram
    diagram.set_view("graph")
    edges = []
    diagram.edge_selected.connect(edges.append)
    diagram.edges[("v", "u")].setSelected(True)
    assert edges[-1] == ("v", "u")
    assert lit_edges(diagram) == {("f", "v"), ("v", "u"), ("u", "t")}
    rows = mode.findChild(QTableView, "pathList").selectionModel().selectedRows()
    assert [r.row() for r in rows] == [i for i, p in enumerate(mode.snapshot.derivation.paths)
                                       if ("v", "u") in p.edges]
    assert diagram.edges[("v", "u")].pen().color().name() == "#0072b2"  # the one clicked: blue
    assert diagram.edges[("f", "v")].pen().color().name() == "#d55e00"  # its paths: vermillion


def test_clicking_a_label_selects_its_edge(qtbot, mode):
    show(qtbot, mode, SEED)
    diagram = mode.diagram
    diagram.set_view("graph")
    typeset(qtbot, diagram)
    label = diagram.labels[("z", "y")]
    point = diagram.mapFromScene(label.sceneBoundingRect().center())
    qtbot.mouseClick(diagram.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert diagram.edges[("z", "y")].isSelected()
    assert lit_edges(diagram) == {("z", "y"), ("y", "t")}


# -- cutting edges ---------------------------------------------------------------------------------
def test_a_cut_edge_looks_cut_and_its_paths_fade(qtbot, mode):
    show(qtbot, mode, SEED)
    diagram = mode.diagram
    diagram.set_view("graph")
    diagram.cut_requested.emit(("z", "y"))  # as the context menu does
    wait_for(qtbot, mode, lambda s: s.cut == {("z", "y")})
    cut = diagram.edges[("z", "y")]
    assert cut.drawn.cut and cut.pen().style() == Qt.PenStyle.DashLine
    assert cut.pen().color().name() == "#d55e00"
    faded = diagram.edges[("y", "t")]
    assert faded.drawn.vanished and faded.pen().color().alpha() < 255
    assert not diagram.edges[("z", "x")].drawn.vanished
    assert diagram.banner.isVisible()
    assert "1 of 2 paths removed" in diagram.banner_label.text()
    assert "✂ cut" in diagram.drawing.tooltip_for(diagram.labels[("z", "y")])
    restore = diagram.findChild(QAction, "action-restore-cuts")
    assert restore.isEnabled()
    restore.trigger()
    wait_for(qtbot, mode, lambda s: not s.cut)
    assert not diagram.edges[("z", "y")].drawn.cut and not diagram.banner.isVisible()
    assert not restore.isEnabled()


def test_cut_edges_show_in_the_tree_and_operations_views(qtbot, mode):
    show(qtbot, mode, SEED)
    mode.controller.set_cut([("z", "y")])
    wait_for(qtbot, mode, lambda s: s.cut == {("z", "y")})
    diagram = mode.diagram
    assert diagram.edges[("z", "z/y")].drawn.cut and diagram.edges[("z/y", "z/y/t")].drawn.vanished
    diagram.set_view("operations")
    cut = [item for item in diagram.edges.values() if item.drawn.cut]
    assert [item.edge for item in cut] == [("z", "y")]


# -- legibility ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("view", ["tree", "graph", "operations"])
def test_no_boxes_overlap_on_a_big_example(qtbot, mode, view):
    show(qtbot, mode, NETWORK)
    diagram = mode.diagram
    diagram.set_view(view)
    typeset(qtbot, diagram)
    assert len(diagram.nodes) >= (30 if view == "operations" else 16)
    rects = [item.mapRectToScene(item.rect()) for item in diagram.nodes.values()]
    rects += [item.mapRectToScene(item.rect()) for item in diagram.labels.values()]
    for a, b in itertools.combinations(rects, 2):
        assert not a.intersects(b), (a, b)
    for item in list(diagram.nodes.values()) + list(diagram.labels.values()):
        room = item.rect()
        for run_rect in item.block.run_rects(room):  # text stays inside its own box
            assert room.adjusted(-0.5, -0.5, 0.5, 0.5).contains(run_rect)


def test_a_big_tree_folds_and_unfolds(qtbot, mode):
    show(qtbot, mode, SEED)
    diagram = mode.diagram
    diagram.fold("z/x")
    more = diagram.nodes["z/x/⋯"]
    assert more.drawn.kind == "more" and "z/x/t" not in diagram.nodes
    point = diagram.mapFromScene(more.sceneBoundingRect().center())
    qtbot.mouseClick(diagram.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: "z/x/t" in diagram.nodes, timeout=3000)


def test_zooming_keeps_within_limits_and_fit_shows_everything(qtbot, mode):
    show(qtbot, mode, NETWORK)
    diagram = mode.diagram
    diagram.fit()
    visible = diagram.visible_scene_rect()
    assert visible.contains(diagram.scene().itemsBoundingRect())
    for _ in range(40):
        diagram.zoom_in()
    assert diagram.transform().m11() == pytest.approx(6.0)
    for _ in range(80):
        diagram.zoom_out()
    assert diagram.transform().m11() == pytest.approx(0.04)


# -- moving the point --------------------------------------------------------------------------------------
def test_a_slider_drag_rewrites_numbers_without_rebuilding(qtbot, mode):
    show(qtbot, mode, SEED)
    diagram = mode.diagram
    nodes, edges, labels = dict(diagram.nodes), dict(diagram.edges), dict(diagram.labels)
    items_before = len(diagram.scene().items())
    spin = mode.findChild(QDoubleSpinBox, "input_t")
    for value in (0.5, 0.75, 1.25):
        spin.setValue(value)
        qtbot.waitUntil(lambda v=value: mode.snapshot.point["t"] == v, timeout=3000)
    assert all(diagram.nodes[k] is v for k, v in nodes.items())
    assert all(diagram.edges[k] is v for k, v in edges.items())
    assert all(diagram.labels[k] is v for k, v in labels.items())
    assert len(diagram.scene().items()) == items_before
    assert diagram.nodes["z/x/t"].value_run.text == "= 1.25"
    assert diagram.labels[("z/x", "z/x/t")].value_run.text == "= 2.5"  # dx/dt = 2t


def test_a_stale_diagram_is_greyed_but_kept(qtbot, mode):
    show(qtbot, mode, SEED)
    nodes = dict(mode.diagram.nodes)
    mode.set_text("z = x^2 +")
    qtbot.waitUntil(lambda: not mode.diagram.isEnabled(), timeout=10000)
    assert mode.diagram.nodes == nodes


# -- exports -------------------------------------------------------------------------------------------
def test_png_export_is_a_real_png_at_twice_the_size(qtbot, mode, tmp_path):
    show(qtbot, mode, SEED)
    path = tmp_path / "tree.png"
    size = mode.diagram.export_png(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(path))
    area = mode.diagram.scene().itemsBoundingRect()
    assert (image.width(), image.height()) == (size.width(), size.height())
    assert image.width() == pytest.approx(2 * (area.width() + 48), abs=2)
    assert image.pixelColor(1, 1).name() == "#ffffff"  # white background, not transparent


def test_svg_export_is_xml_with_the_node_names_as_text(qtbot, mode, tmp_path):
    show(qtbot, mode, SEED)
    path = tmp_path / "tree.svg"
    mode.diagram.export_svg(path)
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    texts = {"".join(e.itertext()).strip() for e in root.iter() if e.tag.endswith("text")}
    assert {"z", "x", "y", "t"} <= texts
    assert any(e.tag.endswith("image") for e in root.iter())  # the typeset formulas


def test_export_actions_are_offered(qtbot, mode):
    names = {a.objectName() for a in mode.diagram.export_actions}
    assert names == {"action-export-diagram-png", "action-export-diagram-svg"}


# -- step-through -----------------------------------------------------------------------------------------
def test_stepping_through_the_backward_pass(qtbot, mode):
    snapshot = show(qtbot, mode, SEED)
    bar, diagram = mode.step_bar, mode.diagram
    diagram.set_view("graph")
    bar.set_kind("backward")
    assert bar.sequence is not None and len(bar.sequence) == 5
    bar.findChild(QAction, "stepForward").trigger()  # the seed
    assert diagram.nodes["z"].active and diagram.nodes["z"].second_run.text == "∂z/∂z = 1"
    assert diagram.nodes["t"].second_run.text == "∂z/∂t = ?"
    for _ in range(3):
        bar.step_forward()
    assert diagram.edges[("x", "t")].active and diagram.edges[("x", "t")].pen().widthF() > 3
    first = snapshot.derivation.paths[0].product
    assert diagram.nodes["t"].second_run.text == f"∂z/∂t = {first:.4g}".replace("-", "−")
    assert "so far" in bar.caption.text() and "step 4 of 5" in bar.counter.text()
    bar.step_back()
    assert diagram.nodes["t"].second_run.text == "∂z/∂t = ?"
    bar.to_end()
    total = snapshot.derivation.derivative
    assert diagram.nodes["t"].second_run.text == f"∂z/∂t = {total:.4g}".replace("-", "−")
    bar.stop()
    assert not any(item.active for item in diagram.nodes.values())


def test_forward_pass_fills_values_and_forward_mode_shows_tangents(qtbot, mode):
    show(qtbot, mode, SEED)
    bar, diagram = mode.step_bar, mode.diagram
    diagram.set_view("graph")
    bar.set_kind("forward_pass")
    bar.step_forward()
    assert diagram.nodes["t"].value_run.text == "= 1" and diagram.nodes["z"].value_run.text == "= ?"
    assert diagram.labels[("z", "x")].value_run.text == "= ?"  # z's partials need z's operands
    bar.set_kind("forward_mode")
    bar.to_end()
    assert diagram.nodes["z"].second_run.text.startswith("dz/dt = −3.435")
    assert diagram.nodes["z"].second_run.color.name() == "#009e73"


def test_playing_runs_to_the_end_and_stops(qtbot, mode):
    show(qtbot, mode, SEED)
    bar = mode.step_bar
    bar.speed.setValue(20)
    bar.play()
    qtbot.waitUntil(lambda: bar.index == len(bar.sequence) - 1 and not bar.timer.isActive(), timeout=5000)
    assert "step 5 of 5" in bar.counter.text()


def test_step_through_follows_the_view_level_and_explains_costs(qtbot, mode):
    show(qtbot, mode, SEED)
    bar = mode.step_bar
    assert bar.sequence.level == "variables"
    mode.diagram.set_view("operations")
    assert bar.sequence.level == "operations" and bar.index == -1
    assert "reverse mode" in bar.costs.text() and "one sweep per input" in bar.costs.text()
    assert "Reverse mode" in bar.costs.toolTip()


def test_implicit_equations_draw_from_F(qtbot, mode):
    show(qtbot, mode, "x^2 + y^2 = 1")
    assert mode.diagram.model.root == "_F"
    assert mode.diagram.nodes["_F"].drawn.head == "F"
    mode.diagram.set_view("operations")
    assert mode.diagram.nodes


def test_the_callout_goes_when_the_selection_does(qtbot, mode):
    show(qtbot, mode, SEED)
    mode.diagram.highlight_paths([("z", "x", "t")])
    assert mode.diagram.drawing.callout is not None
    mode.diagram.highlight_paths([("z", "x", "t"), ("z", "y", "t")])  # several paths: no single product
    assert mode.diagram.drawing.callout is None
    assert len(lit_edges(mode.diagram)) == 4


# -- by mouse and keyboard ---------------------------------------------------------------------------------
def test_right_click_on_an_edge_cuts_it(qtbot, mode):
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication, QMenu

    show(qtbot, mode, SEED)
    diagram = mode.diagram
    diagram.set_view("graph")
    typeset(qtbot, diagram)
    seen = []

    def choose():
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        seen.extend(a.text() for a in menu.actions())
        next(a for a in menu.actions() if a.text().startswith("Cut the edge z → y")).trigger()
        menu.close()

    QTimer.singleShot(100, choose)  # the menu runs its own event loop until an action is chosen
    point = diagram.mapFromScene(diagram.labels[("z", "y")].sceneBoundingRect().center())
    diagram.contextMenuEvent(QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                                               diagram.viewport().mapToGlobal(point)))
    wait_for(qtbot, mode, lambda s: s.cut == {("z", "y")})
    assert "Restore All Cuts" in seen and "Export Diagram as SVG…" in seen


def test_tooltips_are_written_on_hover(qtbot, mode):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QToolTip

    show(qtbot, mode, SEED)
    diagram = mode.diagram
    typeset(qtbot, diagram)
    point = diagram.mapFromScene(diagram.labels[("z", "z/x")].sceneBoundingRect().center())
    event = QHelpEvent(QEvent.Type.ToolTip, point, diagram.viewport().mapToGlobal(point))
    assert diagram.viewportEvent(event)
    assert QToolTip.text().startswith("∂z/∂x = 2*x + y*cos(x*y)")
    assert "at the point: -0.478" in QToolTip.text()
    QToolTip.hideText()


def test_step_through_keys(qtbot, mode):
    show(qtbot, mode, SEED)
    bar = mode.step_bar
    window = mode.window()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F10)
    qtbot.keyClick(window, Qt.Key.Key_F10)
    assert bar.index == 1
    qtbot.keyClick(window, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert bar.index == 0
    qtbot.keyClick(window, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    assert bar.index == -1


def test_plus_and_minus_zoom_the_focused_diagram(qtbot, mode):
    show(qtbot, mode, SEED)
    diagram = mode.diagram
    before = diagram.transform().m11()
    qtbot.keyClick(diagram, Qt.Key.Key_Plus)
    assert diagram.transform().m11() == pytest.approx(before * 1.2)
    qtbot.keyClick(diagram, Qt.Key.Key_Minus)
    qtbot.keyClick(diagram, Qt.Key.Key_Minus)
    assert diagram.transform().m11() == pytest.approx(before / 1.2)


def test_a_point_outside_the_domain_keeps_the_drawing_without_numbers(qtbot, mode):
    snapshot = show(qtbot, mode, "z = log(x)\nx = t - 2")
    assert snapshot.derivation is None and snapshot.error is not None  # log of −1
    diagram = mode.diagram
    assert set(diagram.nodes) == {"z", "z/x", "z/x/t"}
    assert diagram.nodes["z"].value_run.text == "= —" and diagram.nodes["z"].second_run.text == ""
    assert mode.step_bar.sequence is None and not mode.step_bar.play_action.isEnabled()


def test_the_main_window_offers_the_exports_in_its_file_menu(qtbot):
    from PySide6.QtWidgets import QMenu

    from chainrule_gui.gui import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    menu = window.findChild(QMenu, "menu-export")
    assert {"action-export-diagram-png", "action-export-diagram-svg"} <= {a.objectName() for a in menu.actions()}
    window.expression_mode.shutdown()


def test_first_paint_is_plain_text_and_typesetting_follows(qtbot, mode):
    from chainrule_gui.core.expressions.elide import short_form
    from chainrule_gui.gui.typeset import latex_image

    show(qtbot, mode, SEED)
    diagram = mode.diagram
    diagram.typesetter._cache.clear()  # as on a first start: nothing typeset yet
    latex_image.cache_clear()
    short_form.cache_clear()
    diagram.set_view("graph")  # a new drawing, built at once
    runs = diagram.drawing.math_runs()
    assert runs and all(r.pixmap is None for r in runs)  # painted as plain text first
    assert diagram.typesetter.pending == len(runs)
    typeset(qtbot, diagram)
    assert all(r.pixmap is not None for r in diagram.drawing.math_runs())
    assert not diagram.drawing.estimated  # laid out again with the true sizes


def test_the_partial_view_note_takes_the_corner_that_hides_the_least(qtbot, mode):
    mode.resize(760, 560)  # too small for the operations view at a readable size
    show(qtbot, mode, NETWORK)
    diagram = mode.diagram
    diagram.set_view("operations")
    hint = diagram.overlays.partial_hint
    qtbot.waitUntil(hint.isVisible, timeout=5000)

    def covered(rect):
        items = list(diagram.nodes.values()) + list(diagram.labels.values())
        shown = [diagram.mapFromScene(i.sceneBoundingRect()).boundingRect() for i in items]
        return sum(1 for r in shown if r.intersects(rect))

    for dx, dy in ((0, 0), (-400, 0), (0, -400), (400, 400)):  # pan about: the note follows
        diagram.horizontalScrollBar().setValue(diagram.horizontalScrollBar().value() + dx)
        diagram.verticalScrollBar().setValue(diagram.verticalScrollBar().value() + dy)
        qtbot.wait(20)
        area, size = diagram.viewport().rect(), hint.size()
        corners = [QRect(QPoint(x, y), size) for x in (area.left() + 6, area.right() - size.width() - 6)
                   for y in (area.top() + 6, area.bottom() - size.height() - 6)]
        assert hint.geometry() in corners
        assert covered(hint.geometry()) == min(covered(c) for c in corners)
