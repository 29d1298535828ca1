"""A first, text-only face of the Expression mode: the core's explanation of the definitions.

Typing re-runs the core (debounced); an error is shown in the error strip while the last
good explanation stays on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from chainrule_gui.core.chain_graph import build_chain_graph
from chainrule_gui.core.derivation import derive
from chainrule_gui.core.errors import ChainRuleError, ParseError
from chainrule_gui.core.program import parse_program
from chainrule_gui.core.report import derivation_text

DEBOUNCE_MS = 250


class ExpressionTextMode(QWidget):
    def __init__(self, text: str, point: dict[str, float], parent=None):
        super().__init__(parent)
        self.point = dict(point)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.editor = QPlainTextEdit(objectName="expressionEditor")
        self.editor.setFont(mono)
        self.editor.setPlaceholderText("z = x^2 + sin(x*y)\nx = t^2\ny = e^t")
        self.error_strip = QLabel(objectName="errorStrip")
        self.error_strip.setWordWrap(True)
        self.error_strip.setStyleSheet("color: #b00020;")
        self.result = QPlainTextEdit(objectName="resultPanel")
        self.result.setReadOnly(True)
        self.result.setFont(mono)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.editor)
        top_layout.addWidget(self.error_strip)
        splitter = QSplitter()
        splitter.setOrientation(splitter.orientation().Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.result)
        splitter.setSizes([180, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.recompute)
        self.editor.textChanged.connect(self._timer.start)
        self.editor.setPlainText(text)
        self.recompute()

    def recompute(self) -> None:
        text = self.editor.toPlainText()
        try:
            program = parse_program(text)
            graph = build_chain_graph(program)
            if len(program.outputs) != 1 or not program.inputs:
                raise ChainRuleError("define one output that depends on at least one input")
            point = {name: self.point.get(name, 1.0) for name in program.inputs}
            of = program.outputs[0]
            wrt = next(n for n in program.inputs if n in graph.inputs_of(of))
            derivation = derive(graph, of, wrt, point)
        except ParseError as exc:
            self.error_strip.setText(f"line {exc.line}, column {exc.column}: {exc.message}")
            self.result.setEnabled(False)
            return
        except (ChainRuleError, StopIteration) as exc:
            self.error_strip.setText(str(exc) or "the output does not depend on any input")
            self.result.setEnabled(False)
            return
        self.error_strip.setText("")
        self.result.setEnabled(True)
        self.result.setPlainText(derivation_text(graph, derivation))
