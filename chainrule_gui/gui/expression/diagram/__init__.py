"""The Expression mode's tree diagram (``treeDiagram``), its step-through and its exports.

``view`` is the widget; ``drawing``/``items``/``blocks`` build and paint one diagram;
``typesetter`` swaps typeset labels in without freezing the window; ``export`` writes
PNG and SVG; ``step_bar`` replays the forward pass, backward pass and forward-mode sweep.
"""

from chainrule_gui.core.diagram.model import VIEWS
from chainrule_gui.gui.expression.diagram.drawing import LABEL_MODES, FrameView
from chainrule_gui.gui.expression.diagram.step_bar import StepThroughBar
from chainrule_gui.gui.expression.diagram.view import TreeDiagram

__all__ = ["LABEL_MODES", "VIEWS", "FrameView", "StepThroughBar", "TreeDiagram"]
