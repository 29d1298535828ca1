"""The Expression tab's views driven as a person drives them (issue #11): typing a mistake
greys and labels everything that shows the last good result; an example's note goes with
the example's text; leaving the path list clears the diagram's highlight; Step answers
every click; the cost line says which graph it counts; the Hessian at a kink says why
there is none."""

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView, QToolButton, QWidget

from chainrule_gui.core.examples import BY_KEY
from chainrule_gui.gui import theme
from tests.gui.expression_helpers import drawn, show

TEXT = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"
STALE_TEXT = "Last good result — fix the text to update"


def veil(panel: QWidget) -> QWidget | None:
    """The panel's own stale veil (not one of a panel inside it)."""
    return next((w for w in panel.findChildren(QWidget, "staleVeil") if w.parentWidget() is panel), None)


def looks_stale(panel: QWidget) -> bool:
    """Greyed and labelled (as shown when its tab is in front: a bottom view may be behind)."""
    mark = veil(panel)
    label = mark.findChild(QWidget, "staleLabel") if mark is not None else None
    return (mark is not None and mark.isVisibleTo(panel) and label is not None and label.isVisibleTo(panel)
            and label.text() == STALE_TEXT and mark.geometry() == panel.rect() and not panel.isEnabled())


def looks_current(panel: QWidget) -> bool:
    mark = veil(panel)
    return panel.isEnabled() and (mark is None or not mark.isVisibleTo(panel))


def type_at_end(qtbot, mode, keys: str) -> None:
    editor = mode.editor
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, keys)


def wait_stale(qtbot, mode) -> None:
    qtbot.waitUntil(lambda: mode.error_strip.text().startswith("Line "), timeout=10000)


def wait_good(qtbot, mode, text: str) -> None:
    qtbot.waitUntil(lambda: mode.snapshot.text == text and mode.error_strip.text() == "", timeout=10000)


def badge_colour(mode) -> QColor:
    """What the person sees at the badge's left edge (the panel grabbed with what covers it)."""
    panel, badge = mode.result_panel, mode.result_panel.badge
    image = panel.grab().toImage()
    spot = badge.mapTo(panel, QPoint(6, badge.height() // 2))
    ratio = image.devicePixelRatio()
    return image.pixelColor(int(spot.x() * ratio), int(spot.y() * ratio))


def result_panels(mode) -> dict[str, QWidget]:
    return {"diagram": mode.diagram, "path list": mode.path_list, "result panel": mode.result_panel,
            "step bar": mode.step_bar, "plot": mode.function_plot_panel, "Jacobian": mode.jacobian_view,
            "second order": mode.second_order_view, "implicit": mode.implicit_view}


# -- 7. a typing mistake: everything showing the last good result is greyed and labelled ----------
def test_a_typing_mistake_greys_and_labels_every_panel_until_the_text_reads(qtbot, mode):
    show(qtbot, mode, TEXT)
    panels = result_panels(mode)  # every view made (the lazy ones too)
    qtbot.waitUntil(lambda: mode.result_panel.badge.text().startswith("✓"), timeout=10000)
    good_badge = badge_colour(mode)

    type_at_end(qtbot, mode, " +")
    wait_stale(qtbot, mode)
    not_marked = [name for name, panel in panels.items() if not looks_stale(panel)]
    assert not_marked == []
    # The badge keeps its style sheet when disabled: the wash over it is what greys it.
    stale_badge = badge_colour(mode)
    assert stale_badge.saturationF() < good_badge.saturationF() - 0.2
    assert mode.result_panel.badge.text().startswith("✓")  # the last good result is still there to read
    # The label is drawn on top (its background shows), not under the panel's own widgets.
    panel = mode.result_panel
    label = veil(panel).findChild(QWidget, "staleLabel")
    image = panel.grab().toImage()
    spot = label.mapTo(panel, QPoint(3, label.height() // 2)) * image.devicePixelRatio()
    assert image.pixelColor(spot) == QColor(theme.current().warn_bg)

    qtbot.keyClick(mode.editor, Qt.Key.Key_Backspace)
    qtbot.keyClick(mode.editor, Qt.Key.Key_Backspace)
    wait_good(qtbot, mode, TEXT)
    still = [name for name, panel in panels.items() if not looks_current(panel)]
    assert still == []
    assert badge_colour(mode).saturationF() > good_badge.saturationF() - 0.05


def test_a_view_first_opened_while_the_text_is_wrong_comes_up_stale(qtbot, mode):
    show(qtbot, mode, TEXT)
    assert mode.view_pages["jacobianView"].content is None  # not made yet
    type_at_end(qtbot, mode, "*")
    wait_stale(qtbot, mode)
    mode.findChild(type(mode.view_tab_actions[0]), "showTab_jacobianView").trigger()
    qtbot.waitUntil(lambda: mode.view_pages["jacobianView"].content is not None, timeout=10000)
    view = mode.view_pages["jacobianView"].content
    qtbot.waitUntil(view.isVisible, timeout=5000)
    assert looks_stale(view)
    qtbot.keyClick(mode.editor, Qt.Key.Key_Backspace)
    wait_good(qtbot, mode, TEXT)
    assert looks_current(view)


def test_a_resized_stale_panel_stays_covered(qtbot, mode):
    show(qtbot, mode, TEXT)
    type_at_end(qtbot, mode, "(")
    wait_stale(qtbot, mode)
    mode.resize(1024, 700)
    qtbot.waitUntil(lambda: veil(mode.diagram).geometry() == mode.diagram.rect(), timeout=5000)
    assert looks_stale(mode.result_panel) and looks_stale(mode.path_list)


# -- 8. an example's note belongs to the example's text ----------------------------------------
def test_an_examples_note_goes_when_the_text_changes_and_comes_back_on_undo(qtbot, mode):
    example = BY_KEY["three-paths"]
    mode.load_example(example)
    qtbot.waitUntil(lambda: mode.snapshot is not None and mode.snapshot.text == example.text, timeout=10000)
    note = mode.findChild(QWidget, "exampleNote")
    assert note.isVisible() and example.title in note.text()

    type_at_end(qtbot, mode, " + 1")
    assert not note.isVisible()  # the note explained a text that is no longer there
    qtbot.keyClick(mode.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the typing is one step
    assert mode.editor.toPlainText() == example.text
    assert note.isVisible()  # the example's exact text again: its note applies again

    mode.set_text("w = u^2")  # any other text (File ▸ New, a session) leaves it hidden
    assert not note.isVisible()


# -- 12. path hover, step-through, cost line, Hessian at a kink --------------------------------
def lit_edges(mode) -> set:
    return {key for key, item in mode.diagram.edges.items() if item.highlighted}


def row_centre(view: QTableView, row: int) -> QPoint:
    return view.visualRect(view.model().index(row, 0)).center()


def test_leaving_a_path_row_clears_the_diagram_highlight(qtbot, mode):
    show(qtbot, mode, TEXT)
    view = mode.findChild(QTableView, "pathList")
    viewport = view.viewport()
    qtbot.mouseMove(viewport, row_centre(view, 0))
    qtbot.waitUntil(lambda: bool(lit_edges(mode)), timeout=3000)

    # Below the last row, still inside the list: no path is under the pointer.
    below = QPoint(10, view.visualRect(view.model().index(view.model().rowCount() - 1, 0)).bottom() + 12)
    assert not view.indexAt(below).isValid()
    qtbot.mouseMove(viewport, below)
    qtbot.waitUntil(lambda: not lit_edges(mode), timeout=3000)

    qtbot.mouseMove(viewport, row_centre(view, 1))
    qtbot.waitUntil(lambda: bool(lit_edges(mode)), timeout=3000)
    qtbot.mouseMove(mode.diagram.viewport(), QPoint(20, 20))  # out of the list altogether
    qtbot.waitUntil(lambda: not lit_edges(mode), timeout=3000)


def test_a_selected_path_stays_lit_when_the_pointer_leaves(qtbot, mode):
    show(qtbot, mode, TEXT)
    view = mode.findChild(QTableView, "pathList")
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=row_centre(view, 0))
    lit = lit_edges(mode)
    assert lit
    qtbot.mouseMove(view.viewport(), row_centre(view, 1))
    qtbot.mouseMove(mode.diagram.viewport(), QPoint(20, 20))
    qtbot.wait(50)
    assert lit_edges(mode) == lit


def click_at(qtbot, window: QWidget, point: QPoint) -> None:
    """A click where a person's pointer rests: on whatever widget is there now."""
    target = window.childAt(point)
    assert target is not None
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=target.mapFrom(window, point))


def test_step_answers_every_click_with_the_pointer_left_where_it_was(qtbot, mode):
    """One report: only the first click on Step advanced; F10 always worked.  The buttons moved
    a line when the caption under them changed height, so the next click missed them."""
    for size in ((1024, 700), (1280, 800), (1920, 1080)):
        mode.resize(*size)
        show(qtbot, mode, TEXT + f"\n# {size[0]}")
        bar = mode.step_bar
        button = bar.findChild(QToolButton, "stepForward")
        qtbot.waitUntil(lambda: bar.sequence is not None and button.isVisible(), timeout=5000)
        qtbot.wait(100)  # the person looks before clicking: the window has laid itself out
        spot = button.mapTo(mode, button.rect().center())
        steps = []
        for _ in range(4):
            click_at(qtbot, mode, spot)
            steps.append(bar.index)
            qtbot.wait(30)  # a person's pace: the window lays itself out again between clicks
        assert steps == [0, 1, 2, 3], size
        assert bar.counter.text().strip() == f"step 4 of {len(bar.sequence)}"
        bar.stop()


def test_the_cost_line_says_which_graph_it_counts(qtbot, mode):
    snapshot = show(qtbot, mode, TEXT)
    edges = snapshot.derivation.counts.edges
    costs = mode.step_bar.costs
    for view in ("tree", "graph", "operations"):
        mode.findChild(type(mode.view_actions.actions()[0]), f"view_{view}").trigger()
        drawn = len(mode.diagram.edges)
        assert drawn != edges  # no view draws the identity steps the counts include
        assert (f"on the operation graph ({edges} edges with each name's own step; "
                f"this {view} view draws {drawn})") in costs.text()


def second_order_at(qtbot, mode, text: str, point: dict):
    show(qtbot, mode, text)
    for name, value in point.items():
        mode.controller.set_value(name, value)
    qtbot.waitUntil(lambda: all(mode.snapshot.point[k] == v for k, v in point.items()), timeout=10000)
    mode.findChild(type(mode.view_tab_actions[0]), "showTab_secondOrderView").trigger()
    view = mode.second_order_view
    qtbot.waitUntil(view.isVisible, timeout=10000)
    drawn(qtbot, mode, view)
    return view


def test_the_hessian_at_a_kink_says_why_instead_of_a_blank_table(qtbot, mode):
    view = second_order_at(qtbot, mode, "f = abs(x-y)", {"x": 1.0, "y": 1.0})
    view.pages.setCurrentIndex(1)  # the person clicks the Hessian tab
    message = view.hessian_message
    assert message.isVisible()
    text = message.text()
    assert "x = 1, y = 1" in text and "abs(x-y)" in text and "x-y = 0" in text
    assert not view.hessian_panel.isVisible()  # no empty table under the message
    # The d²/dx² page names what is 0 there, not "x = 0" (x is 1 here).
    assert "where x - y = 0" in view.message.text() and "(x = 0)" not in view.message.text()

    mode.controller.set_value("x", 2.0)  # off the kink: the Hessian is back
    qtbot.waitUntil(lambda: mode.snapshot.point["x"] == 2.0, timeout=10000)
    drawn(qtbot, mode, view)
    assert view.hessian_panel.isVisible() and not message.isVisible()
    assert view.hessian_panel.table.rowCount() == 2


def test_the_hessian_of_relu_times_y_at_its_kink(qtbot, mode):
    view = second_order_at(qtbot, mode, "f = relu(x)*y", {"x": 0.0, "y": 2.0})
    view.pages.setCurrentIndex(1)
    assert view.hessian_message.isVisible()
    assert "x = 0, y = 2" in view.hessian_message.text() and "relu(x), where x = 0" in view.hessian_message.text()
    # Only y in the Hessian: relu(x) does not move with y, so that Hessian exists.
    view.choose_hessian_inputs(("y",))
    drawn(qtbot, mode, view)
    assert not view.hessian_message.isVisible() and view.hessian_panel.table.rowCount() == 1


def test_a_selected_path_is_let_go_by_a_click_below_the_rows_or_esc(qtbot, mode):
    """With a row selected hover shows nothing new; a click on the empty part of the list (or
    Esc) lets go of it, and hovering lights paths again."""
    show(qtbot, mode, TEXT)
    view = mode.findChild(QTableView, "pathList")
    viewport = view.viewport()
    below = QPoint(10, viewport.height() - 5)
    assert not view.indexAt(below).isValid()
    for let_go in ("click", "esc"):
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=row_centre(view, 0))
        assert lit_edges(mode) and view.selectionModel().hasSelection()
        if let_go == "click":
            qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=below)
        else:
            view.setFocus()
            qtbot.keyClick(view, Qt.Key.Key_Escape)
        assert not view.selectionModel().hasSelection() and not lit_edges(mode), let_go
        qtbot.mouseMove(viewport, row_centre(view, 1))
        qtbot.waitUntil(lambda: bool(lit_edges(mode)), timeout=3000)
        qtbot.mouseMove(viewport, below)
        qtbot.waitUntil(lambda: not lit_edges(mode), timeout=3000)
